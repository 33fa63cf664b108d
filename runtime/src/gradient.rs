//! Gradients of a model's log density by forward-mode dual numbers.
//!
//! Each pass seeds `W` directions at once with `num-dual`'s `DualSVec64<W>`, so a model of
//! dimension `d` costs `ceil(d / W)` passes. All buffers are allocated when the evaluator is made.

use crate::model::{LogDensity, Model, ModelError};
use num_dual::DualSVec64;

/// The number of directions per dual pass.
pub const DEFAULT_WIDTH: usize = 8;

/// Evaluates a model's log density and gradient on reused buffers.
pub struct GradientEvaluator<'m, M: Model, const W: usize = DEFAULT_WIDTH> {
    model: &'m M,
    duals: Vec<DualSVec64<W>>,
    ws_dual: M::Workspace<DualSVec64<W>>,
    ws_value: M::Workspace<f64>,
    evaluations: u64,
}

impl<'m, M: Model> GradientEvaluator<'m, M> {
    /// An evaluator for `model` with the default number of directions per pass, with its
    /// buffers allocated.
    pub fn new(model: &'m M) -> Self {
        Self::with_width(model)
    }
}

impl<'m, M: Model, const W: usize> GradientEvaluator<'m, M, W> {
    /// An evaluator for `model` that seeds `W` directions per pass, with its buffers allocated.
    pub fn with_width(model: &'m M) -> Self {
        let zero = DualSVec64::<W>::from_re(0.0);
        GradientEvaluator {
            model,
            duals: vec![zero; model.dim()],
            ws_dual: model.new_workspace(),
            ws_value: model.new_workspace(),
            evaluations: 0,
        }
    }

    /// The model this evaluator belongs to.
    pub fn model(&self) -> &'m M {
        self.model
    }

    /// The log density alone, in plain `f64`.
    pub fn logp(&mut self, x: &[f64]) -> Result<f64, ModelError> {
        self.model.log_density(x, &mut self.ws_value)
    }

    /// How many gradients have been computed.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// The `f64` workspace, for writing outputs without another allocation.
    pub fn value_workspace(&mut self) -> &mut M::Workspace<f64> {
        &mut self.ws_value
    }
}

impl<M: Model, const W: usize> LogDensity for GradientEvaluator<'_, M, W> {
    fn dim(&self) -> usize {
        self.model.dim()
    }

    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        self.evaluations += 1;
        let n = x.len();
        if n == 0 {
            return self.logp(x);
        }
        let mut logp = 0.0;
        for start in (0..n).step_by(W) {
            let end = (start + W).min(n);
            for (i, (d, &xi)) in self.duals.iter_mut().zip(x).enumerate() {
                *d = DualSVec64::from_re(xi);
                if (start..end).contains(&i) {
                    *d = d.derivative(i - start);
                }
            }
            let lp = self.model.log_density(&self.duals, &mut self.ws_dual)?;
            logp = lp.re;
            match lp.eps.0 {
                Some(eps) => grad[start..end].copy_from_slice(&eps.as_slice()[..end - start]),
                None => grad[start..end].fill(0.0),
            }
        }
        Ok(logp)
    }
}
