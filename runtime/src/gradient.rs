//! Gradients of a model's log density: forward passes, of Tilde's [`Fwd`] numbers or of
//! `num-dual`'s dual numbers, and the choice between them and the reverse-mode tape of
//! [`crate::reverse`].
//!
//! Each forward pass seeds `W` directions at once, so a model of dimension `d` costs
//! `ceil(d / W)` passes. [`ForwardGradient`] (Fwd numbers, which take the vectorised functions'
//! analytic partials) and [`DualGradient`] (dual numbers, which run the chain rule through
//! every operation and so serve as the oracle) have their width fixed at compile time.
//! [`GradientEvaluator`], which the sampler uses, picks reverse mode or a forward pass from the
//! dimension ([`Method::for_dim`]). All buffers are allocated when an evaluator is made.

use crate::forward::Fwd;
use crate::model::{LogDensity, Model, ModelError};
use crate::reverse::ReverseGradient;
use crate::scalar::Scalar;
use num_dual::DualSVec64;

/// How a gradient is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `num-dual`'s forward-mode dual numbers with `width` directions per pass: the oracle.
    Dual {
        /// Directions per pass: 4 or 8.
        width: usize,
    },
    /// Tilde's forward-mode numbers ([`Fwd`]) with `width` directions per pass, which take
    /// the vectorised functions' analytic partial derivatives.
    Forward {
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
    /// A forward pass costs about a value evaluation plus its lanes' work, while the tape costs
    /// a recording (a few times a value evaluation) and a sweep whatever the dimension. On the
    /// benchmark models one pass of [`Fwd`] numbers won up to dimension 8 (kidiq, dimension 3:
    /// 2.3 value evaluations against 8.9 for the tape; arK, 7: 1.8 against 3.6), and the tape
    /// won from dimension 10 up (eight schools: 4.4 against 6.6 for two passes of 8). The
    /// choice depends on the dimension alone, never on timings taken at run time, so that a
    /// seed gives the same draws on every machine.
    pub fn for_dim(dim: usize) -> Method {
        if dim <= 8 { Method::Forward { width: width_for(dim) } } else { Method::Reverse }
    }
}

/// The width of the forward passes [`GradientEvaluator`] uses for a model of dimension `dim`.
///
/// A pass costs about one log density in `f64` plus the work of its `W` derivative lanes, and
/// wide numbers cost more per lane than narrow ones (bigger values to move through every
/// temporary). Measured with `cargo bench --bench log_density`: dimension 3 was fastest at 4
/// (2.3 value evaluations against 4.6 at 8), dimensions 5 to 7 at 8, in one pass. So a model
/// that fits in one pass of 4 or 8 lanes gets that pass, and any larger one gets passes of 4.
pub fn width_for(dim: usize) -> usize {
    if (5..=8).contains(&dim) { 8 } else { 4 }
}

/// Compares the gradients of `model` at `x` by the fast methods, the reverse-mode tape and
/// [`Fwd`] numbers, with the dual-number one, which serves as the oracle: the log densities
/// must agree to a relative `1e-12` and every partial derivative to a relative `1e-9`
/// (absolute below 1).
///
/// Returns `Ok(true)` when all are finite and agree, `Ok(false)` when all methods reject `x`
/// with the same message (nothing to compare), and otherwise an error that names the
/// disagreeing method and coordinates. Meant for tests and for debugging a model.
pub fn fast_gradients_agree_with_dual<M: Model>(model: &M, x: &[f64]) -> Result<bool, String> {
    let mut dual = DualGradient::<M, 4>::with_width(model);
    let mut g_dual = vec![0.0; x.len()];
    let oracle = dual.logp_and_grad(x, &mut g_dual);
    let mut reverse = ReverseGradient::new(model);
    let mut forward = ForwardGradient::<M, 4>::with_width(model);
    let mut compared = false;
    let methods: [(&str, &mut dyn LogDensity); 2] =
        [("reverse", &mut reverse), ("forward", &mut forward)];
    for (name, method) in methods {
        let mut g = vec![0.0; x.len()];
        match (method.logp_and_grad(x, &mut g), &oracle) {
            (Ok(a), Ok(b)) => {
                let mut problems = Vec::new();
                let close = |x: f64, y: f64, tol: f64| {
                    // False for a NaN on either side, which is a disagreement too.
                    (x - y).abs() <= tol * x.abs().max(y.abs()).max(1.0)
                };
                if !close(a, *b, 1e-12) {
                    problems.push(format!("log density {a} ({name}) vs {b} (dual)"));
                }
                for (i, (r, d)) in g.iter().zip(&g_dual).enumerate() {
                    if !close(*r, *d, 1e-9) {
                        problems.push(format!("d/dx[{i}] {r} ({name}) vs {d} (dual)"));
                    }
                }
                if !problems.is_empty() {
                    return Err(problems.join("; "));
                }
                compared = true;
            }
            (Err(a), Err(b)) if a.message() == b.message() => {}
            (a, b) => {
                return Err(format!(
                    "{name} {:?}, dual {:?}",
                    a.map_err(|e| e.to_string()),
                    b.as_ref().map_err(|e| e.to_string())
                ));
            }
        }
    }
    Ok(compared)
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
    ForwardFour(ForwardGradient<'m, M, 4>),
    ForwardEight(ForwardGradient<'m, M, 8>),
    Reverse(ReverseGradient<'m, M>),
}

/// Forwards a call to the evaluator of whichever method was picked.
macro_rules! each_width {
    ($self:expr, $e:ident => $body:expr) => {
        match $self {
            Passes::Four($e) => $body,
            Passes::Eight($e) => $body,
            Passes::ForwardFour($e) => $body,
            Passes::ForwardEight($e) => $body,
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

    /// An evaluator for `model` by `method`; a width other than 8 means 4.
    pub fn with_method(model: &'m M, method: Method) -> Self {
        let passes = match method {
            Method::Dual { width: 8 } => Passes::Eight(DualGradient::with_width(model)),
            Method::Dual { .. } => Passes::Four(DualGradient::with_width(model)),
            Method::Forward { width: 8 } => {
                Passes::ForwardEight(ForwardGradient::with_width(model))
            }
            Method::Forward { .. } => Passes::ForwardFour(ForwardGradient::with_width(model)),
            Method::Reverse => Passes::Reverse(ReverseGradient::new(model)),
        };
        let fallback = match method {
            Method::Dual { .. } | Method::Forward { .. } => Some(ReverseGradient::new(model)),
            Method::Reverse => None,
        };
        GradientEvaluator { passes, fallback }
    }

    /// The method in use.
    pub fn method(&self) -> Method {
        match &self.passes {
            Passes::Four(_) => Method::Dual { width: 4 },
            Passes::Eight(_) => Method::Dual { width: 8 },
            Passes::ForwardFour(_) => Method::Forward { width: 4 },
            Passes::ForwardEight(_) => Method::Forward { width: 8 },
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

    /// `error`, a fatal one from the log density at `x`, as the explaining evaluation words it:
    /// naming the statement that failed and its line, which the fast evaluation cannot afford
    /// to. If the explaining evaluation does not fail fatally there (the failure was in a
    /// gradient pass alone, say), `error` is kept. It runs only on an error that ends the run,
    /// so explaining costs nothing, and allocates nothing, while sampling goes on.
    #[cold]
    fn name_the_statement(&mut self, x: &[f64], error: ModelError) -> ModelError {
        let model = self.model();
        match model.log_density_explained(x, self.value_workspace()) {
            Err(named) if !named.is_recoverable() => named,
            _ => error,
        }
    }
}

impl<M: Model> LogDensity for GradientEvaluator<'_, M> {
    fn dim(&self) -> usize {
        self.model().dim()
    }

    /// A fatal error names the statement that failed, as [`Model::log_density_explained`]
    /// does: it ends the run, so its message is all the user gets to go on.
    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let mut result = each_width!(&mut self.passes, e => e.logp_and_grad(x, grad));
        if let Ok(lp) = result
            && lp.is_finite()
            && grad.iter().any(|g| !g.is_finite())
            && let Some(reverse) = &mut self.fallback
        {
            result = reverse.logp_and_grad(x, grad);
        }
        match result {
            Err(e) if !e.is_recoverable() => Err(self.name_the_statement(x, e)),
            other => other,
        }
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

/// A forward-mode number type whose lanes a gradient pass can seed: `num-dual`'s dual numbers
/// (the oracle) and Tilde's [`Fwd`].
pub trait Lanes: Scalar {
    /// The number of directions one value carries.
    const WIDTH: usize;
    /// `x`, with derivative 1 in direction `lane` if there is one, else a constant.
    fn seed(x: f64, lane: Option<usize>) -> Self;
    /// Copies the derivatives of the first `out.len()` directions into `out`.
    fn derivatives(&self, out: &mut [f64]);
}

impl<const W: usize> Lanes for DualSVec64<W> {
    const WIDTH: usize = W;
    fn seed(x: f64, lane: Option<usize>) -> Self {
        let d = DualSVec64::from_re(x);
        match lane {
            Some(lane) => d.derivative(lane),
            None => d,
        }
    }
    fn derivatives(&self, out: &mut [f64]) {
        match &self.eps.0 {
            Some(eps) => out.copy_from_slice(&eps.as_slice()[..out.len()]),
            None => out.fill(0.0),
        }
    }
}

impl<const W: usize> Lanes for Fwd<W> {
    const WIDTH: usize = W;
    fn seed(x: f64, lane: Option<usize>) -> Self {
        match lane {
            Some(lane) => Fwd::seeded(x, lane),
            None => Fwd::constant(x),
        }
    }
    fn derivatives(&self, out: &mut [f64]) {
        out.copy_from_slice(&self.eps[..out.len()]);
    }
}

/// Evaluates a model's log density and gradient on reused buffers, in passes of forward-mode
/// numbers `D` that seed `D::WIDTH` directions each.
pub struct ForwardPasses<'m, M: Model, D: Lanes> {
    model: &'m M,
    inputs: Vec<D>,
    ws_lanes: M::Workspace<D>,
    ws_value: M::Workspace<f64>,
    evaluations: u64,
}

/// Gradients from `num-dual`'s dual numbers, `W` directions per pass: the oracle that other
/// methods are tested against, and a way to debug them.
pub type DualGradient<'m, M, const W: usize> = ForwardPasses<'m, M, DualSVec64<W>>;

/// Gradients from [`Fwd`] numbers, `W` directions per pass, which take the vectorised
/// functions' analytic partial derivatives: the fast method for models of low dimension.
pub type ForwardGradient<'m, M, const W: usize> = ForwardPasses<'m, M, Fwd<W>>;

impl<'m, M: Model, D: Lanes> ForwardPasses<'m, M, D> {
    /// An evaluator for `model` that seeds `D::WIDTH` directions per pass, with its buffers
    /// allocated.
    pub fn with_width(model: &'m M) -> Self {
        ForwardPasses {
            model,
            inputs: vec![D::seed(0.0, None); model.dim()],
            ws_lanes: model.new_workspace(),
            ws_value: model.new_workspace(),
            evaluations: 0,
        }
    }

    /// The number of directions seeded per pass.
    pub fn width(&self) -> usize {
        D::WIDTH
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

impl<M: Model, D: Lanes> LogDensity for ForwardPasses<'_, M, D> {
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
        for start in (0..n).step_by(D::WIDTH) {
            let end = (start + D::WIDTH).min(n);
            for ((i, d), &xi) in self.inputs.iter_mut().enumerate().zip(x) {
                let lane = (start..end).contains(&i).then(|| i - start);
                *d = D::seed(xi, lane);
            }
            let lp = self.model.log_density(&self.inputs, &mut self.ws_lanes)?;
            logp = lp.value();
            lp.derivatives(&mut grad[start..end]);
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
        assert_eq!(GradientEvaluator::new(&Quadratic(3)).method(), Method::Forward { width: 4 });
        assert_eq!(GradientEvaluator::new(&Quadratic(7)).method(), Method::Forward { width: 8 });
        assert_eq!(GradientEvaluator::new(&Quadratic(9)).method(), Method::Reverse);
    }

    #[test]
    fn every_width_gives_the_same_gradient_to_the_last_bit() {
        for dim in [1, 3, 7, 10, 17] {
            let model = Quadratic(dim);
            let x: Vec<f64> = (0..dim).map(|i| 0.3 * i as f64 - 0.7).collect();
            let forward = Method::Forward { width: width_for(dim) };
            let (lp, g) = gradient(&mut GradientEvaluator::with_method(&model, forward), &x);
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
                gradient(&mut ForwardGradient::<_, 1>::with_width(&model), &x),
                gradient(&mut ForwardGradient::<_, 3>::with_width(&model), &x),
                gradient(&mut ForwardGradient::<_, 16>::with_width(&model), &x),
            ] {
                assert_eq!(other.0.to_bits(), lp.to_bits(), "dim {dim}");
                assert_eq!(bits(&other.1), bits(&g), "dim {dim}");
            }
            let dual = [
                gradient(&mut DualGradient::<_, 1>::with_width(&model), &x),
                gradient(&mut DualGradient::<_, 4>::with_width(&model), &x),
                gradient(&mut DualGradient::<_, 16>::with_width(&model), &x),
            ];
            for other in &dual {
                assert_eq!(other.0.to_bits(), lp.to_bits(), "dim {dim}");
                assert_eq!(bits(&other.1), bits(&dual[0].1), "dim {dim}");
            }
        }
    }
}
