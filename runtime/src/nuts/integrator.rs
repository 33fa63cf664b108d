//! Phase-space points, the Euclidean Hamiltonian and the leapfrog integrator
//! (Betancourt 2017, sections 4-5; Stan reference manual, "Hamiltonian Monte Carlo").

use super::metric::Metric;
use crate::model::{LogDensity, ModelError};
use rand::Rng;

/// A point in phase space with the log density and its gradient at the position.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// Position, on the unconstrained scale.
    pub q: Vec<f64>,
    /// Momentum.
    pub p: Vec<f64>,
    /// Gradient of the log density at `q`.
    pub grad: Vec<f64>,
    /// Log density at `q`; `-inf` marks a rejected position.
    pub lp: f64,
    /// Leapfrog steps from the start of the current transition, negative backwards in time:
    /// 0 for a transition that stayed where it began.
    pub index: i64,
}

impl Point {
    pub fn new(dim: usize) -> Self {
        let v = vec![0.0; dim];
        Point { q: v.clone(), p: v.clone(), grad: v, lp: f64::NEG_INFINITY, index: 0 }
    }

    pub fn copy_from(&mut self, other: &Point) {
        self.q.copy_from_slice(&other.q);
        self.p.copy_from_slice(&other.p);
        self.grad.copy_from_slice(&other.grad);
        self.lp = other.lp;
        self.index = other.index;
    }

    /// The Hamiltonian `H = -lp + p' M^{-1} p / 2`; infinite at a rejected position, so that
    /// a failed evaluation reads as an infinite energy error, as in Stan.
    pub fn hamiltonian(&self, metric: &Metric) -> f64 {
        if !self.lp.is_finite() {
            return f64::INFINITY;
        }
        let kinetic = metric.quadratic(&self.p);
        let h = 0.5 * kinetic - self.lp;
        if h.is_nan() { f64::INFINITY } else { h }
    }

    /// `p_sharp = M^{-1} p`, the velocity dtau/dp used by the generalised no-U-turn criterion.
    pub fn p_sharp_into(&self, metric: &Metric, out: &mut [f64]) {
        metric.velocity_into(&self.p, out);
    }

    /// Draws the momentum from `N(0, M)`, `M` the metric (the inverse of `metric`'s matrix).
    pub fn sample_momentum<R: Rng + ?Sized>(&mut self, metric: &Metric, rng: &mut R) {
        metric.sample_momentum(&mut self.p, rng);
    }

    /// Evaluates the log density and gradient at `q`. A recoverable model error, or a value or
    /// gradient that is not finite, leaves `lp = -inf` (a rejected proposal); a fatal error is
    /// returned.
    pub fn evaluate<D: LogDensity + ?Sized>(&mut self, density: &mut D) -> Result<(), ModelError> {
        match density.logp_and_grad(&self.q, &mut self.grad) {
            Ok(lp) if lp.is_finite() && self.grad.iter().all(|g| g.is_finite()) => self.lp = lp,
            Ok(_) => self.lp = f64::NEG_INFINITY,
            Err(e) if e.is_recoverable() => self.lp = f64::NEG_INFINITY,
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// One leapfrog step of size `eps` (negative to integrate backwards in time).
    pub fn leapfrog<D: LogDensity + ?Sized>(
        &mut self,
        density: &mut D,
        metric: &Metric,
        eps: f64,
    ) -> Result<(), ModelError> {
        let half = 0.5 * eps;
        for (p, g) in self.p.iter_mut().zip(&self.grad) {
            *p += half * g;
        }
        metric.drift(&mut self.q, &self.p, eps);
        self.evaluate(density)?;
        // After a rejection the gradient is meaningless; the point's infinite energy ends the
        // trajectory, so the momentum is left as it is.
        if self.lp.is_finite() {
            for (p, g) in self.p.iter_mut().zip(&self.grad) {
                *p += half * g;
            }
        }
        Ok(())
    }
}

/// A log density that counts its gradient evaluations.
pub(crate) struct Counted<'a, D: ?Sized> {
    pub density: &'a mut D,
    pub count: u64,
}

impl<'a, D: LogDensity + ?Sized> Counted<'a, D> {
    pub fn new(density: &'a mut D) -> Self {
        Counted { density, count: 0 }
    }
}

impl<D: LogDensity + ?Sized> LogDensity for Counted<'_, D> {
    fn dim(&self) -> usize {
        self.density.dim()
    }

    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        self.count += 1;
        self.density.logp_and_grad(x, grad)
    }

    fn explain(&mut self, x: &[f64]) -> Option<String> {
        self.density.explain(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nuts::metric::MetricKind;

    /// `lp = -x'x/2` with gradient `-x`.
    struct StdNormal;

    impl LogDensity for StdNormal {
        fn dim(&self) -> usize {
            2
        }
        fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
            for (g, xi) in grad.iter_mut().zip(x) {
                *g = -xi;
            }
            Ok(-0.5 * x.iter().map(|v| v * v).sum::<f64>())
        }
    }

    #[test]
    fn leapfrog_is_reversible_and_nearly_conserves_energy() {
        let mut diagonal = Metric::identity(MetricKind::Diagonal, 2);
        diagonal.diagonal_mut().copy_from_slice(&[1.0, 4.0]);
        let mut dense = Metric::identity(MetricKind::Dense, 2);
        assert!(dense.set_dense(&[1.0, 0.5, 0.5, 4.0]));
        for inv_metric in [diagonal, dense] {
            reversible_and_nearly_conservative(&inv_metric);
        }
    }

    fn reversible_and_nearly_conservative(inv_metric: &Metric) {
        let mut z = Point::new(2);
        z.q.copy_from_slice(&[0.3, -1.2]);
        z.p.copy_from_slice(&[0.7, 0.1]);
        z.evaluate(&mut StdNormal).unwrap();
        let h0 = z.hamiltonian(inv_metric);
        let start = z.clone();
        for _ in 0..10 {
            z.leapfrog(&mut StdNormal, inv_metric, 0.1).unwrap();
        }
        assert!((z.hamiltonian(inv_metric) - h0).abs() < 1e-2);
        for _ in 0..10 {
            z.leapfrog(&mut StdNormal, inv_metric, -0.1).unwrap();
        }
        for i in 0..2 {
            assert!((z.q[i] - start.q[i]).abs() < 1e-12);
            assert!((z.p[i] - start.p[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn recoverable_error_gives_infinite_energy_and_fatal_error_is_returned() {
        struct Failing(bool);
        impl LogDensity for Failing {
            fn dim(&self) -> usize {
                1
            }
            fn logp_and_grad(&mut self, _: &[f64], _: &mut [f64]) -> Result<f64, ModelError> {
                if self.0 {
                    Err(ModelError::recoverable("outside support"))
                } else {
                    Err(ModelError::fatal("index out of range"))
                }
            }
        }
        let mut z = Point::new(1);
        z.lp = 0.0;
        let unit = Metric::identity(MetricKind::Diagonal, 1);
        z.leapfrog(&mut Failing(true), &unit, 0.1).unwrap();
        assert_eq!(z.hamiltonian(&unit), f64::INFINITY);
        let err = z.leapfrog(&mut Failing(false), &unit, 0.1).unwrap_err();
        assert_eq!(err.message(), "index out of range");
    }
}
