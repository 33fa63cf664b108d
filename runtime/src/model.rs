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

    /// Writes one draw's outputs for unconstrained `theta` into `out` (length
    /// `output_names().len()`). Generated quantities use `rng`, and are written only when
    /// `generated` is true (they are left as NaN otherwise).
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
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    /// Whether sampling can continue.
    pub kind: ErrorKind,
    /// What went wrong, in the user's terms.
    pub message: Cow<'static, str>,
}

impl ModelError {
    /// A recoverable error: the current proposal is rejected.
    pub fn recoverable(message: impl Into<Cow<'static, str>>) -> Self {
        ModelError { kind: ErrorKind::Recoverable, message: message.into() }
    }

    /// A fatal error: sampling stops.
    pub fn fatal(message: impl Into<Cow<'static, str>>) -> Self {
        ModelError { kind: ErrorKind::Fatal, message: message.into() }
    }

    /// Whether sampling may go on after this error.
    pub fn is_recoverable(&self) -> bool {
        self.kind == ErrorKind::Recoverable
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ModelError {}

/// A log density with its gradient on unconstrained coordinates: what NUTS needs.
pub trait LogDensity {
    /// Number of coordinates.
    fn dim(&self) -> usize;

    /// Writes the gradient into `grad` (length `dim()`) and returns the log density at `x`.
    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError>;
}
