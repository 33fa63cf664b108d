//! The contract between a compiled model and the sampler.
//!
//! `model!` implements [`Model`] for each model. The sampler never sees a model directly: it
//! sees a [`LogDensity`] (value and gradient on unconstrained coordinates), which
//! [`crate::gradient::GradientEvaluator`] builds from a model.

use crate::rng::ChainRng;
use crate::scalar::Scalar;
use std::borrow::Cow;
use std::fmt;

/// A compiled model: data bound, ready to evaluate its log density.
pub trait Model: Send + Sync {
    /// Per-scalar-type scratch space for local variables and temporaries. The caller owns it and
    /// passes it to every call, so evaluations allocate nothing once it has been sized.
    type Workspace<S: Scalar>: Send;

    /// The model's name, as written in `model!`.
    fn name(&self) -> &'static str;

    /// Number of unconstrained parameters.
    fn dim(&self) -> usize;

    /// Names of all outputs in Stan's order and spelling: parameters, then transformed
    /// parameters, then generated quantities (`theta[1]`, `Sigma[2,1]`, column-major).
    fn output_names(&self) -> Vec<String>;

    /// Shapes of the output variables, in order: `(name, dims)` with `dims` empty for scalars.
    fn output_shapes(&self) -> Vec<(String, Vec<usize>)>;

    /// A fresh workspace for scalar type `S`.
    fn new_workspace<S: Scalar>(&self) -> Self::Workspace<S>;

    /// The log density at unconstrained `theta`, with the log Jacobians of the constraining
    /// transforms, and with the constant terms of `~` statements dropped, as Stan samples.
    fn log_density<S: Scalar>(
        &self,
        theta: &[S],
        ws: &mut Self::Workspace<S>,
    ) -> Result<S, ModelError>;

    /// The log density at `theta` in `f64`, evaluated so that the statement that fails (of
    /// transformed parameters or the model block, any kind), or the `~` or `target +=` after
    /// which the log density is no longer finite, is named in the error: ``normal_lpdf: Scale
    /// parameter is -1, but must be positive! (in `y ~ normal(mu, sigma)`, line 12)``. It
    /// explains a failed initialisation or an error that ends a run, and is slower than
    /// [`Model::log_density`]; by default it is the plain log density.
    fn log_density_explained(
        &self,
        theta: &[f64],
        ws: &mut Self::Workspace<f64>,
    ) -> Result<f64, ModelError> {
        self.log_density(theta, ws)
    }

    /// The unconstrained coordinates of the parameter values in `values`, given by name on the
    /// constrained scale as in a CmdStan initial-values file. Every parameter must be present;
    /// each is checked against its declared constraint with the wording of data errors (a
    /// value must lie strictly inside its bounds) before it is mapped through the inverse of
    /// its transform. Other entries are ignored. By default the model cannot do this and says
    /// so.
    fn unconstrain(&self, values: &crate::data::DataSource) -> Result<Vec<f64>, crate::Error> {
        let _ = values;
        Err(crate::Error::Sampling(format!(
            "model `{}` cannot map constrained initial values to the unconstrained scale; \
             give them unconstrained with `Sampler::unconstrained_inits`",
            self.name()
        )))
    }

    /// Writes one draw's outputs for unconstrained `theta` into `out` (length
    /// `output_names().len()`). Generated quantities use `rng`, and are written only when
    /// `generated` is true (they are left as NaN otherwise). On an error every output not yet
    /// written is NaN; `model!` writes the generated quantities together once their block has
    /// run, so an error in that block leaves all of them NaN and the parameters and
    /// transformed parameters written. `model!` names the statement that failed in the error,
    /// as [`Model::log_density_explained`] does.
    fn write_outputs(
        &self,
        theta: &[f64],
        ws: &mut Self::Workspace<f64>,
        rng: &mut ChainRng,
        generated: bool,
        out: &mut [f64],
    ) -> Result<(), ModelError>;
}

/// How bad a failure inside a model evaluation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The proposal is rejected and sampling goes on: a `reject` statement, an argument outside a
    /// distribution's support, a non-finite value. Stan treats these the same way.
    Recoverable,
    /// Sampling cannot go on: an index out of range, a size mismatch.
    Fatal,
}

/// A failure while evaluating a model.
///
/// The failed argument checks of the distributions are the common rejection during sampling,
/// so they keep their parts and are worded only when shown: rejecting a proposal then costs no
/// allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    /// Whether sampling can continue.
    pub kind: ErrorKind,
    message: Message,
}

#[derive(Debug, Clone, PartialEq)]
enum Message {
    Text(Cow<'static, str>),
    /// `"{function}: {name}[{index + 1}] is {value}, but must be {rule}!"`, Stan's wording.
    Argument {
        function: &'static str,
        name: &'static str,
        index: Option<usize>,
        value: f64,
        rule: &'static str,
    },
    /// `"{name}[{index + 1}] is {value}, but must be >= {bound}"` (or `<=`), a declared bound of
    /// a transformed parameter or generated quantity.
    Bound {
        name: &'static str,
        index: Option<usize>,
        value: f64,
        lower: bool,
        bound: f64,
    },
}

impl ModelError {
    /// A recoverable error: the current proposal is rejected.
    pub fn recoverable(message: impl Into<Cow<'static, str>>) -> Self {
        ModelError { kind: ErrorKind::Recoverable, message: Message::Text(message.into()) }
    }

    /// A fatal error: sampling stops.
    pub fn fatal(message: impl Into<Cow<'static, str>>) -> Self {
        ModelError { kind: ErrorKind::Fatal, message: Message::Text(message.into()) }
    }

    /// A recoverable error for a real argument `name` (element `index`, 0-based) of `function`
    /// that is `value` but must be `rule`; worded as Stan words it when shown.
    pub(crate) fn argument(
        function: &'static str,
        name: &'static str,
        index: Option<usize>,
        value: f64,
        rule: &'static str,
    ) -> Self {
        let message = Message::Argument { function, name, index, value, rule };
        ModelError { kind: ErrorKind::Recoverable, message }
    }

    /// A recoverable error for element `index` (0-based) of the variable `name`, which is
    /// `value` but must be at least (`lower`) or at most `bound`.
    pub(crate) fn bound(
        name: &'static str,
        index: Option<usize>,
        value: f64,
        lower: bool,
        bound: f64,
    ) -> Self {
        let message = Message::Bound { name, index, value, lower, bound };
        ModelError { kind: ErrorKind::Recoverable, message }
    }

    /// Whether sampling may go on after this error.
    pub fn is_recoverable(&self) -> bool {
        self.kind == ErrorKind::Recoverable
    }

    /// What went wrong, in the user's terms.
    pub fn message(&self) -> Cow<'_, str> {
        match &self.message {
            Message::Text(text) => Cow::Borrowed(text),
            Message::Argument { .. } | Message::Bound { .. } => Cow::Owned(self.to_string()),
        }
    }

    /// Whether `other` reports the same problem, the offending value aside: the same argument
    /// of the same function breaking the same rule, or the same text but for its numbers.
    /// Messages are counted by this when sampling.
    pub fn same_problem(&self, other: &ModelError) -> bool {
        match (&self.message, &other.message) {
            (Message::Text(a), Message::Text(b)) => same_but_numbers(a, b),
            (
                Message::Argument { function, name, index, rule, .. },
                Message::Argument { function: f, name: n, index: i, rule: r, .. },
            ) => function == f && name == n && index == i && rule == r,
            (
                Message::Bound { name, index, lower, .. },
                Message::Bound { name: n, index: i, lower: l, .. },
            ) => name == n && index == i && lower == l,
            _ => false,
        }
    }

    /// The same error, saying that it happened in the statement `text` (at `line` of the file
    /// holding the model, if not 0), as Stan's messages end: `... (in `y ~ normal(mu, sigma)`,
    /// line 12)`.
    #[cold]
    pub fn in_statement(self, text: &str, line: usize) -> Self {
        let at = if line > 0 { format!(", line {line}") } else { String::new() };
        let message = format!("{self} (in `{text}`{at})");
        ModelError { kind: self.kind, message: Message::Text(message.into()) }
    }
}

/// Whether `a` and `b` are the same text once every number in them (`12`, `-0.5`, `1e-8`,
/// `inf`, `NaN`) is taken as equal to every other: a message worded by a model or a check with
/// its offending values inside.
fn same_but_numbers(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        match (number_len(&a[i..]), number_len(&b[j..])) {
            (0, 0) => match (a.get(i), b.get(j)) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => {
                    i += 1;
                    j += 1;
                }
                _ => return false,
            },
            (0, _) | (_, 0) => return false,
            (m, n) => {
                i += m;
                j += n;
            }
        }
    }
}

/// The length of the number at the start of `s`, or 0: an optional sign, digits with an
/// optional fraction and exponent, or `inf`, `NaN` and `nan`.
fn number_len(s: &[u8]) -> usize {
    let sign = usize::from(matches!(s.first(), Some(b'-' | b'+')));
    let rest = &s[sign..];
    for word in [&b"inf"[..], b"NaN", b"nan"] {
        if rest.starts_with(word) {
            return sign + word.len();
        }
    }
    let digits = |t: &[u8]| t.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut n = digits(rest);
    if n == 0 {
        return 0;
    }
    if rest.get(n) == Some(&b'.') {
        n += 1 + digits(&rest[n + 1..]);
    }
    if matches!(rest.get(n), Some(b'e' | b'E')) {
        let exp_sign = usize::from(matches!(rest.get(n + 1), Some(b'-' | b'+')));
        let exp = digits(&rest[n + 1 + exp_sign..]);
        if exp > 0 {
            n += 1 + exp_sign + exp;
        }
    }
    sign + n
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Message::Text(text) => f.write_str(text),
            Message::Argument { function, name, index, value, rule } => {
                write!(f, "{function}: {name}")?;
                if let Some(i) = index {
                    write!(f, "[{}]", i + 1)?;
                }
                if value.is_nan() {
                    f.write_str(" is nan")?;
                } else {
                    write!(f, " is {}", Real(*value))?;
                }
                write!(f, ", but must be {rule}!")
            }
            Message::Bound { name, index, value, lower, bound } => {
                f.write_str(name)?;
                if let Some(i) = index {
                    write!(f, "[{}]", i + 1)?;
                }
                let rule = if *lower { ">=" } else { "<=" };
                write!(f, " is {}, but must be {rule} {}", Real(*value), Real(*bound))
            }
        }
    }
}

impl std::error::Error for ModelError {}

/// A real number as messages show it: plain at everyday magnitudes and in exponent form
/// outside them (`-1.3328965920339107e45`, `2.5e-9`), as Stan shows them, so that a huge value
/// is not printed as dozens of digits. Shown with the fewest digits that read back as the
/// same number; writing it allocates nothing, so a rejection's message can use it freely.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Real(pub f64);

impl fmt::Display for Real {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x.is_finite() && x != 0.0 && !(1e-5..1e16).contains(&x.abs()) {
            write!(f, "{x:e}")
        } else {
            write!(f, "{x}")
        }
    }
}

/// A log density with its gradient on unconstrained coordinates: what NUTS needs.
pub trait LogDensity {
    /// Number of coordinates.
    fn dim(&self) -> usize;

    /// Writes the gradient into `grad` (length `dim()`) and returns the log density at `x`.
    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError>;

    /// Why the log density at `x` is rejected, in the model's terms (the statement that failed
    /// or made it infinite), or `None` if that cannot be told. Called only after a failure,
    /// to word the error of a failed initialisation.
    fn explain(&mut self, x: &[f64]) -> Option<String> {
        let _ = x;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_of_extreme_magnitude_are_shown_with_an_exponent() {
        let shown = |x: f64| Real(x).to_string();
        assert_eq!(shown(-1.3328965920339107e45), "-1.3328965920339107e45");
        assert_eq!(shown(2.5e-9), "2.5e-9");
        assert_eq!(shown(1e16), "1e16");
        assert_eq!(shown(9999999999999998.0), "9999999999999998");
        assert_eq!(shown(0.00001), "0.00001");
        assert_eq!(shown(-0.5), "-0.5");
        assert_eq!(shown(3.0), "3");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(f64::NEG_INFINITY), "-inf");
        assert_eq!(shown(f64::NAN), "NaN");
    }

    #[test]
    fn argument_and_bound_messages_show_reals_with_an_exponent() {
        let e = ModelError::argument("normal_lpdf", "Scale parameter", Some(1), -2e300, "positive");
        assert_eq!(
            e.to_string(),
            "normal_lpdf: Scale parameter[2] is -2e300, but must be positive!"
        );
        let e = ModelError::bound("L", Some(0), -1.5e-20, true, 1e-300);
        assert_eq!(e.to_string(), "L[1] is -1.5e-20, but must be >= 1e-300");
        // Still one problem whatever the value, and worded with the statement appended.
        let other = ModelError::bound("L", Some(0), 3.0, true, 1e-300);
        assert!(e.same_problem(&other));
        let named = e.in_statement("x ~ normal(0, 1)", 9);
        assert_eq!(
            named.message(),
            "L[1] is -1.5e-20, but must be >= 1e-300 (in `x ~ normal(0, 1)`, line 9)"
        );
        let a = ModelError::recoverable("x is -1e45 (in `s`, line 2)");
        let b = ModelError::recoverable("x is 0.5 (in `s`, line 2)");
        assert!(a.same_problem(&b));
    }
}
