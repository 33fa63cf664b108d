//! Phase-space points, the diagonal Euclidean Hamiltonian and the leapfrog integrator
//! (Betancourt 2017, sections 4-5; Stan reference manual, "Hamiltonian Monte Carlo").

use crate::model::{LogDensity, ModelError};
use rand::Rng;
use rand_distr::StandardNormal;

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
}

impl Point {
    pub fn new(dim: usize) -> Self {
        Point { q: vec![0.0; dim], p: vec![0.0; dim], grad: vec![0.0; dim], lp: f64::NEG_INFINITY }
    }

    pub fn copy_from(&mut self, other: &Point) {
        self.q.copy_from_slice(&other.q);
        self.p.copy_from_slice(&other.p);
        self.grad.copy_from_slice(&other.grad);
        self.lp = other.lp;
    }

    /// The Hamiltonian `H = -lp + p' M^{-1} p / 2`; infinite at a rejected position, so that
    /// a failed evaluation reads as an infinite energy error, as in Stan.
    pub fn hamiltonian(&self, inv_metric: &[f64]) -> f64 {
        if !self.lp.is_finite() {
            return f64::INFINITY;
        }
        let kinetic: f64 = self.p.iter().zip(inv_metric).map(|(p, m)| p * p * m).sum();
        let h = 0.5 * kinetic - self.lp;
        if h.is_nan() { f64::INFINITY } else { h }
    }

    /// `p_sharp = M^{-1} p`, the velocity dtau/dp used by the generalised no-U-turn criterion.
    pub fn p_sharp_into(&self, inv_metric: &[f64], out: &mut [f64]) {
        for ((o, p), m) in out.iter_mut().zip(&self.p).zip(inv_metric) {
            *o = p * m;
        }
    }

    /// Draws the momentum from `N(0, M)` with `M = diag(1 / inv_metric)`.
    pub fn sample_momentum<R: Rng + ?Sized>(&mut self, inv_metric: &[f64], rng: &mut R) {
        for (p, m) in self.p.iter_mut().zip(inv_metric) {
            let z: f64 = rng.sample(StandardNormal);
            *p = z / m.sqrt();
        }
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
        inv_metric: &[f64],
        eps: f64,
    ) -> Result<(), ModelError> {
        let half = 0.5 * eps;
        for (p, g) in self.p.iter_mut().zip(&self.grad) {
            *p += half * g;
        }
        for ((q, p), m) in self.q.iter_mut().zip(&self.p).zip(inv_metric) {
            *q += eps * m * p;
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let inv_metric = [1.0, 4.0];
        let mut z = Point::new(2);
        z.q.copy_from_slice(&[0.3, -1.2]);
        z.p.copy_from_slice(&[0.7, 0.1]);
        z.evaluate(&mut StdNormal).unwrap();
        let h0 = z.hamiltonian(&inv_metric);
        let start = z.clone();
        for _ in 0..10 {
            z.leapfrog(&mut StdNormal, &inv_metric, 0.1).unwrap();
        }
        assert!((z.hamiltonian(&inv_metric) - h0).abs() < 1e-2);
        for _ in 0..10 {
            z.leapfrog(&mut StdNormal, &inv_metric, -0.1).unwrap();
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
        z.leapfrog(&mut Failing(true), &[1.0], 0.1).unwrap();
        assert_eq!(z.hamiltonian(&[1.0]), f64::INFINITY);
        let err = z.leapfrog(&mut Failing(false), &[1.0], 0.1).unwrap_err();
        assert_eq!(err.message, "index out of range");
    }
}
