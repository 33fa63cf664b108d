//! Gradients of a model's log density: forward-mode dual numbers, and the choice between them
//! and the reverse-mode tape of [`crate::reverse`].
//!
//! Each dual pass seeds `W` directions at once with `num-dual`'s `DualSVec64<W>`, so a model of
//! dimension `d` costs `ceil(d / W)` passes. [`DualGradient`] has its width fixed at compile
//! time. [`GradientEvaluator`], which the sampler uses, picks reverse mode or duals of a few
//! widths from the dimension ([`Method::for_dim`]). All buffers are allocated when an
//! evaluator is made.

use crate::model::{LogDensity, Model, ModelError};
use crate::reverse::ReverseGradient;
use num_dual::DualSVec64;

/// How a gradient is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Forward-mode dual numbers with `width` directions per pass.
    Dual {
        /// Directions per pass: 4 or 8.
        width: usize,
    },
    /// The reverse-mode tape: one recorded evaluation and one sweep back.
    Reverse,
}

impl Method {
    /// The faster method for a model of dimension `dim`, as measured by
    /// `cargo bench --bench log_density`.
    ///
    /// A dual pass costs about a value evaluation plus its lanes' work, while the tape costs a
    /// recording (a few times a value evaluation) and a sweep whatever the dimension. On the
    /// benchmark models duals won only at dimension 3 and below, where one narrow pass does all
    /// the work; reverse mode won from dimension 5 up. The choice depends on the dimension
    /// alone, never on timings taken at run time, so that a seed gives the same draws on every
    /// machine.
    pub fn for_dim(dim: usize) -> Method {
        if dim <= 4 { Method::Dual { width: width_for(dim) } } else { Method::Reverse }
    }
}

/// The width [`GradientEvaluator`] uses for a model of dimension `dim`.
///
/// A pass costs about one log density in `f64` plus the work of its `W` derivative lanes, and
/// wide duals cost more per lane than narrow ones (bigger values to move through every
/// temporary). Measured with `cargo bench --bench log_density` (gradient time at widths 2, 4, 8,
/// 16): dimension 3 was fastest at 2 and 4, dimension 7 at 8 (one pass), dimensions 10, 26
/// and 89 at 4. So a model that fits in one pass of 4 or 8 lanes gets that pass, and any larger
/// one gets passes of 4.
pub fn width_for(dim: usize) -> usize {
    if (5..=8).contains(&dim) { 8 } else { 4 }
}

/// Compares the reverse-mode gradient of `model` at `x` with the dual-number one, which serves
/// as the oracle: the log densities must agree to a relative `1e-12` and every partial
/// derivative to a relative `1e-9` (absolute below 1).
///
/// Returns `Ok(true)` when both are finite and agree, `Ok(false)` when both methods reject `x`
/// with the same message (nothing to compare), and otherwise an error that names the
/// disagreeing coordinates. Meant for tests and for debugging a model.
pub fn reverse_agrees_with_dual<M: Model>(model: &M, x: &[f64]) -> Result<bool, String> {
    let mut reverse = GradientEvaluator::with_method(model, Method::Reverse);
    let mut dual = DualGradient::<M, 4>::with_width(model);
    let (mut g_rev, mut g_dual) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    match (reverse.logp_and_grad(x, &mut g_rev), dual.logp_and_grad(x, &mut g_dual)) {
        (Ok(a), Ok(b)) => {
            let mut problems = Vec::new();
            let close = |x: f64, y: f64, tol: f64| {
                // False for a NaN on either side, which is a disagreement too.
                (x - y).abs() <= tol * x.abs().max(y.abs()).max(1.0)
            };
            if !close(a, b, 1e-12) {
                problems.push(format!("log density {a} (reverse) vs {b} (dual)"));
            }
            for (i, (r, d)) in g_rev.iter().zip(&g_dual).enumerate() {
                if !close(*r, *d, 1e-9) {
                    problems.push(format!("d/dx[{i}] {r} (reverse) vs {d} (dual)"));
                }
            }
            if problems.is_empty() { Ok(true) } else { Err(problems.join("; ")) }
        }
        (Err(a), Err(b)) if a.message() == b.message() => Ok(false),
        (a, b) => Err(format!(
            "reverse {:?}, dual {:?}",
            a.map_err(|e| e.to_string()),
            b.map_err(|e| e.to_string())
        )),
    }
}

/// Evaluates a model's log density and gradient on reused buffers, by the method
/// [`Method::for_dim`] picks for the model's dimension or by one chosen explicitly.
pub struct GradientEvaluator<'m, M: Model> {
    passes: Passes<'m, M>,
    /// Reverse mode beside dual numbers, for the points where the duals' own arithmetic
    /// overflows: the quotient rule squares the divisor, so a scale of `e^700` or `e^-700`
    /// gives an infinite dual gradient where the gradient itself is finite.
    fallback: Option<ReverseGradient<'m, M>>,
}

/// The methods [`GradientEvaluator`] can pick; each is one more compilation of the model's log
/// density.
enum Passes<'m, M: Model> {
    Four(DualGradient<'m, M, 4>),
    Eight(DualGradient<'m, M, 8>),
    Reverse(ReverseGradient<'m, M>),
}

/// Forwards a call to the evaluator of whichever method was picked.
macro_rules! each_width {
    ($self:expr, $e:ident => $body:expr) => {
        match $self {
            Passes::Four($e) => $body,
            Passes::Eight($e) => $body,
            Passes::Reverse($e) => $body,
        }
    };
}

impl<'m, M: Model> GradientEvaluator<'m, M> {
    /// An evaluator for `model` with its buffers allocated, by the method
    /// [`Method::for_dim`]`(model.dim())`.
    pub fn new(model: &'m M) -> Self {
        Self::with_method(model, Method::for_dim(model.dim()))
    }

    /// An evaluator for `model` by `method`; a dual width other than 8 means 4.
    pub fn with_method(model: &'m M, method: Method) -> Self {
        let passes = match method {
            Method::Dual { width: 8 } => Passes::Eight(DualGradient::with_width(model)),
            Method::Dual { .. } => Passes::Four(DualGradient::with_width(model)),
            Method::Reverse => Passes::Reverse(ReverseGradient::new(model)),
        };
        let fallback = match method {
            Method::Dual { .. } => Some(ReverseGradient::new(model)),
            Method::Reverse => None,
        };
        GradientEvaluator { passes, fallback }
    }

    /// The method in use.
    pub fn method(&self) -> Method {
        match &self.passes {
            Passes::Four(_) => Method::Dual { width: 4 },
            Passes::Eight(_) => Method::Dual { width: 8 },
            Passes::Reverse(_) => Method::Reverse,
        }
    }

    /// The model this evaluator belongs to.
    pub fn model(&self) -> &'m M {
        each_width!(&self.passes, e => e.model())
    }

    /// The log density alone, in plain `f64`.
    pub fn logp(&mut self, x: &[f64]) -> Result<f64, ModelError> {
        each_width!(&mut self.passes, e => e.logp(x))
    }

    /// How many gradients have been computed.
    pub fn evaluations(&self) -> u64 {
        each_width!(&self.passes, e => e.evaluations())
    }

    /// The `f64` workspace, for writing outputs without another allocation.
    pub fn value_workspace(&mut self) -> &mut M::Workspace<f64> {
        each_width!(&mut self.passes, e => e.value_workspace())
    }
}

impl<M: Model> LogDensity for GradientEvaluator<'_, M> {
    fn dim(&self) -> usize {
        self.model().dim()
    }

    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let lp = each_width!(&mut self.passes, e => e.logp_and_grad(x, grad))?;
        if lp.is_finite()
            && grad.iter().any(|g| !g.is_finite())
            && let Some(reverse) = &mut self.fallback
        {
            return reverse.logp_and_grad(x, grad);
        }
        Ok(lp)
    }

    fn explain(&mut self, x: &[f64]) -> Option<String> {
        let model = self.model();
        match model.log_density_explained(x, self.value_workspace()) {
            Err(e) => Some(e.to_string()),
            Ok(lp) if !lp.is_finite() => Some(format!("the log density is {lp}")),
            Ok(_) => None,
        }
    }
}

/// Evaluates a model's log density and gradient on reused buffers, `W` directions per pass.
pub struct DualGradient<'m, M: Model, const W: usize> {
    model: &'m M,
    duals: Vec<DualSVec64<W>>,
    ws_dual: M::Workspace<DualSVec64<W>>,
    ws_value: M::Workspace<f64>,
    evaluations: u64,
}

impl<'m, M: Model, const W: usize> DualGradient<'m, M, W> {
    /// An evaluator for `model` that seeds `W` directions per pass, with its buffers allocated.
    pub fn with_width(model: &'m M) -> Self {
        let zero = DualSVec64::<W>::from_re(0.0);
        DualGradient {
            model,
            duals: vec![zero; model.dim()],
            ws_dual: model.new_workspace(),
            ws_value: model.new_workspace(),
            evaluations: 0,
        }
    }

    /// The number of directions seeded per pass, `W`.
    pub fn width(&self) -> usize {
        W
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

impl<M: Model, const W: usize> LogDensity for DualGradient<'_, M, W> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ChainRng;
    use crate::scalar::Scalar;

    /// `sum_i -0.5 (i + 1) (x_i - i)^2 + x_0 x_last + exp(x_1)`: separable terms, a product
    /// that couples the first and last coordinates across passes, and a nonlinear one.
    struct Quadratic(usize);

    impl Model for Quadratic {
        type Workspace<S: Scalar> = Vec<S>;

        fn name(&self) -> &'static str {
            "Quadratic"
        }

        fn dim(&self) -> usize {
            self.0
        }

        fn output_names(&self) -> Vec<String> {
            Vec::new()
        }

        fn output_shapes(&self) -> Vec<(String, Vec<usize>)> {
            Vec::new()
        }

        fn new_workspace<S: Scalar>(&self) -> Vec<S> {
            Vec::new()
        }

        fn log_density<S: Scalar>(&self, x: &[S], _: &mut Vec<S>) -> Result<S, ModelError> {
            let mut lp = x[0] * x[x.len() - 1] + x[1.min(x.len() - 1)].exp();
            for (i, &xi) in x.iter().enumerate() {
                let d = xi - i as f64;
                lp -= d * d * (0.5 * (i + 1) as f64);
            }
            Ok(lp)
        }

        fn write_outputs(
            &self,
            _: &[f64],
            _: &mut Vec<f64>,
            _: &mut ChainRng,
            _: bool,
            _: &mut [f64],
        ) -> Result<(), ModelError> {
            Ok(())
        }
    }

    fn by_hand(x: &[f64]) -> Vec<f64> {
        let last = x.len() - 1;
        let mut g: Vec<f64> =
            x.iter().enumerate().map(|(i, xi)| -((i + 1) as f64) * (xi - i as f64)).collect();
        g[0] += x[last];
        g[last] += x[0];
        g[1.min(last)] += x[1.min(last)].exp();
        g
    }

    fn gradient<D: LogDensity>(d: &mut D, x: &[f64]) -> (f64, Vec<f64>) {
        let mut g = vec![f64::NAN; x.len()];
        let lp = d.logp_and_grad(x, &mut g).unwrap();
        (lp, g)
    }

    #[test]
    fn width_follows_the_dimension() {
        let widths: Vec<usize> = [1, 4, 5, 8, 9, 26, 89].iter().map(|&d| width_for(d)).collect();
        assert_eq!(widths, [4, 4, 8, 8, 4, 4, 4]);
        assert_eq!(GradientEvaluator::new(&Quadratic(3)).method(), Method::Dual { width: 4 });
        assert_eq!(GradientEvaluator::new(&Quadratic(5)).method(), Method::Reverse);
    }

    #[test]
    fn every_width_gives_the_same_gradient_to_the_last_bit() {
        for dim in [1, 3, 7, 10, 17] {
            let model = Quadratic(dim);
            let x: Vec<f64> = (0..dim).map(|i| 0.3 * i as f64 - 0.7).collect();
            let dual = Method::Dual { width: width_for(dim) };
            let (lp, g) = gradient(&mut GradientEvaluator::with_method(&model, dual), &x);
            let expected = by_hand(&x);
            let (lp_rev, g_rev) = gradient(&mut GradientEvaluator::new(&model), &x);
            assert_eq!(lp_rev.to_bits(), lp.to_bits(), "dim {dim}");
            for (i, (a, b)) in g_rev.iter().zip(&expected).enumerate() {
                assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "dim {dim}, d/dx{i}: {a} vs {b}");
            }
            for (i, (a, b)) in g.iter().zip(&expected).enumerate() {
                assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "dim {dim}, d/dx{i}: {a} vs {b}");
            }
            let mut ws = Vec::new();
            assert_eq!(lp, model.log_density(&x, &mut ws).unwrap());
            // Each lane does the same floating-point operations whatever the width, so the
            // sampler's draws do not depend on the width picked.
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for other in [
                gradient(&mut DualGradient::<_, 1>::with_width(&model), &x),
                gradient(&mut DualGradient::<_, 3>::with_width(&model), &x),
                gradient(&mut DualGradient::<_, 16>::with_width(&model), &x),
            ] {
                assert_eq!(other.0.to_bits(), lp.to_bits(), "dim {dim}");
                assert_eq!(bits(&other.1), bits(&g), "dim {dim}");
            }
        }
    }
}
