//! Helpers shared by the integration tests.

// Each test file compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use tilde::Model;
use tilde::rng::{Stream, chain_rng};

/// Runs `write_outputs` once at `theta` and returns the outputs by name.
pub fn outputs<M: Model>(model: &M, theta: &[f64]) -> Vec<(String, f64)> {
    let names = model.output_names();
    let mut out = vec![0.0; names.len()];
    let mut ws = model.new_workspace::<f64>();
    let mut rng = chain_rng(1, 0, Stream::Generated);
    model.write_outputs(theta, &mut ws, &mut rng, true, &mut out).unwrap();
    names.into_iter().zip(out).collect()
}

/// The output called `name`.
pub fn get(outs: &[(String, f64)], name: &str) -> f64 {
    outs.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no output {name}")).1
}

/// `message` as a run-time error names the statement `statement` (written without its `;`),
/// found on its own line of the test file `source`: `message (in `statement`, line N)`.
pub fn in_statement(source: &str, message: &str, statement: &str) -> String {
    let written = format!("{statement};");
    let line = source.lines().position(|l| l.trim() == written).expect("the statement is here");
    format!("{message} (in `{statement}`, line {})", line + 1)
}

/// The line of the test file `source` that holds `text`, 1-based, as the messages of `model!`
/// count lines; `text` must appear twice, once in a model and once in the test that asks.
pub fn line_of(source: &str, text: &str) -> usize {
    let matches: Vec<usize> =
        source.lines().enumerate().filter(|(_, l)| l.contains(text)).map(|(i, _)| i + 1).collect();
    assert_eq!(matches.len(), 2, "`{text}` should appear once in a model and once in its test");
    matches[0]
}
