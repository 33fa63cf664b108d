//! Helpers shared by the integration tests.

/// `message` as a run-time error names the statement `statement` (written without its `;`),
/// found on its own line of the test file `source`: `message (in `statement`, line N)`.
pub fn in_statement(source: &str, message: &str, statement: &str) -> String {
    let written = format!("{statement};");
    let line = source.lines().position(|l| l.trim() == written).expect("the statement is here");
    format!("{message} (in `{statement}`, line {})", line + 1)
}
