//! The messages of rejected proposals and failed generated quantities, counted per chain.
//!
//! Stan prints an "Informational Message" for every rejected proposal; a run with a few
//! thousand of them buries everything else. Here each chain counts its messages by problem
//! (the same argument of the same function breaking the same rule, whatever the offending
//! value, or the same text) and keeps the first occurrence as the example shown.
//!
//! Recording allocates only when a problem is seen for the first time in a chain: the
//! argument checks of the distributions keep their parts unworded, and counting an already
//! known problem is a comparison and an increment.

use crate::model::{LogDensity, ModelError};
use std::fmt;

/// At most this many distinct problems are kept per chain; later new ones are only counted
/// in [`Rejections::others`], so that a model whose `reject` message changes with every draw
/// cannot grow memory without bound.
pub const MAX_DISTINCT: usize = 64;

/// The part of a chain's run a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Warm-up transitions, including initialisation's step size search.
    Warmup,
    /// Transitions whose draws are kept.
    Sampling,
}

/// What failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The log density: the proposal was rejected.
    LogDensity,
    /// `generated quantities` (or the constraints of transformed parameters, checked again when
    /// the draw is written): the draw keeps its parameters and its unwritten outputs are NaN.
    GeneratedQuantities,
}

/// One distinct problem of one chain, with how often it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The first occurrence, shown as the example.
    pub example: ModelError,
    /// What failed.
    pub source: Source,
    /// Occurrences during warm-up.
    pub warmup: u64,
    /// Occurrences while drawing the kept draws.
    pub sampling: u64,
}

impl Rejection {
    /// Occurrences in the whole run.
    pub fn total(&self) -> u64 {
        self.warmup + self.sampling
    }
}

/// The counted messages of one chain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rejections {
    entries: Vec<Rejection>,
    others: u64,
}

/// The log density was not finite although the model raised no error (`target += log(0)`, an
/// overflow); the texts are static so that counting them allocates nothing.
const NOT_FINITE: [&str; 3] = [
    "the log density is -inf",
    "the log density is +inf, which is never a valid log density",
    "the log density is nan",
];
const GRADIENT_NOT_FINITE: &str = "the gradient of the log density is not finite";

impl Rejections {
    /// An empty record with room for a few problems, so that the first ones do not allocate.
    pub fn new() -> Self {
        Rejections { entries: Vec::with_capacity(4), others: 0 }
    }

    /// The distinct problems in the order first seen.
    pub fn entries(&self) -> &[Rejection] {
        &self.entries
    }

    /// Occurrences of problems beyond the first [`MAX_DISTINCT`].
    pub fn others(&self) -> u64 {
        self.others
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.others == 0
    }

    /// Counts one occurrence of `error` from `source` in `phase`.
    pub fn record(&mut self, error: &ModelError, source: Source, phase: Phase) {
        let known =
            self.entries.iter().position(|e| e.source == source && e.example.same_problem(error));
        let index = match known {
            Some(i) => i,
            None if self.entries.len() >= MAX_DISTINCT => {
                self.others += 1;
                return;
            }
            None => {
                let fresh = Rejection { example: error.clone(), source, warmup: 0, sampling: 0 };
                self.entries.push(fresh);
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        match phase {
            Phase::Warmup => entry.warmup += 1,
            Phase::Sampling => entry.sampling += 1,
        }
    }

    /// Adds another chain's counts to these (for totals over chains).
    pub fn merge(&mut self, other: &Rejections) {
        for e in &other.entries {
            let found = self
                .entries
                .iter_mut()
                .find(|x| x.source == e.source && x.example.same_problem(&e.example));
            match found {
                Some(x) => {
                    x.warmup += e.warmup;
                    x.sampling += e.sampling;
                }
                None => self.entries.push(e.clone()),
            }
        }
        self.others += other.others;
    }
}

impl fmt::Display for Rejections {
    /// One line per problem: warm-up and sampling counts, then the example message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = |n: u64| n.to_string().len();
        let w = self.entries.iter().map(|e| width(e.warmup)).max().unwrap_or(0).max(7);
        let s = self.entries.iter().map(|e| width(e.sampling)).max().unwrap_or(0).max(8);
        writeln!(f, "  {:>w$}  {:>s$}  message", "warm-up", "sampling")?;
        for e in &self.entries {
            let prefix = match e.source {
                Source::LogDensity => "",
                Source::GeneratedQuantities => "generated quantities: ",
            };
            writeln!(f, "  {:>w$}  {:>s$}  {prefix}{}", e.warmup, e.sampling, e.example)?;
        }
        if self.others > 0 {
            writeln!(f, "  and {} occurrences of other messages", self.others)?;
        }
        Ok(())
    }
}

/// A log density that counts the messages of the points it rejects into a [`Rejections`].
pub struct Recording<'a, D: ?Sized> {
    /// The log density being watched.
    pub density: &'a mut D,
    /// Where the messages go.
    pub rejections: &'a mut Rejections,
    /// The phase the next evaluations belong to.
    pub phase: Phase,
}

impl<D: LogDensity + ?Sized> LogDensity for Recording<'_, D> {
    fn dim(&self) -> usize {
        self.density.dim()
    }

    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let result = self.density.logp_and_grad(x, grad);
        let text = match &result {
            Err(e) => {
                self.rejections.record(e, Source::LogDensity, self.phase);
                return result;
            }
            Ok(lp) if *lp == f64::NEG_INFINITY => NOT_FINITE[0],
            Ok(lp) if *lp == f64::INFINITY => NOT_FINITE[1],
            Ok(lp) if lp.is_nan() => NOT_FINITE[2],
            Ok(_) if grad.iter().any(|g| !g.is_finite()) => GRADIENT_NOT_FINITE,
            Ok(_) => return result,
        };
        self.rejections.record(&ModelError::recoverable(text), Source::LogDensity, self.phase);
        result
    }

    fn explain(&mut self, x: &[f64]) -> Option<String> {
        self.density.explain(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_problem_and_keeps_the_first_value() {
        let mut r = Rejections::new();
        let a = ModelError::argument("normal_lpdf", "Scale parameter", None, -1.0, "positive");
        let b = ModelError::argument("normal_lpdf", "Scale parameter", None, -2.0, "positive");
        let c = ModelError::recoverable("x is too large");
        r.record(&a, Source::LogDensity, Phase::Warmup);
        r.record(&b, Source::LogDensity, Phase::Sampling);
        r.record(&b, Source::LogDensity, Phase::Sampling);
        r.record(&c, Source::GeneratedQuantities, Phase::Sampling);
        assert_eq!(r.entries().len(), 2);
        assert_eq!((r.entries()[0].warmup, r.entries()[0].sampling), (1, 2));
        assert_eq!(
            r.entries()[0].example.to_string(),
            "normal_lpdf: Scale parameter is -1, but must be positive!"
        );
        let shown = r.to_string();
        assert!(
            shown.contains("\n        1         2  normal_lpdf: Scale parameter is -1"),
            "{shown}"
        );
        assert!(shown.contains("generated quantities: x is too large"), "{shown}");
    }

    #[test]
    fn texts_that_differ_only_in_their_numbers_are_one_problem() {
        let mut r = Rejections::new();
        for (lo, hi) in [(1.5, -2.0), (3.25e-8, -7.0), (f64::INFINITY, 1.0)] {
            let text = format!("mid: the lower bound ({lo}) must be less than the upper ({hi})");
            r.record(&ModelError::recoverable(text), Source::LogDensity, Phase::Warmup);
        }
        let other = ModelError::recoverable("mid: the lower bound (1) must be less than x (2)");
        r.record(&other, Source::LogDensity, Phase::Warmup);
        assert_eq!(r.entries().len(), 2, "{r}");
        assert_eq!(r.entries()[0].warmup, 3);
        assert!(r.entries()[0].example.to_string().contains("(1.5)"));
    }

    #[test]
    fn distinct_problems_are_capped() {
        let mut r = Rejections::new();
        for i in 0..MAX_DISTINCT + 5 {
            r.record(
                &ModelError::recoverable(format!("problem {}", "x".repeat(i + 1))),
                Source::LogDensity,
                Phase::Warmup,
            );
        }
        assert_eq!(r.entries().len(), MAX_DISTINCT);
        assert_eq!(r.others(), 5);
    }
}
