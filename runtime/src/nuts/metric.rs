//! The Euclidean metric of the Hamiltonian: diagonal (Stan's `diag_e`) or dense (`dense_e`).
//!
//! The sampler stores the inverse metric `Σ`, the estimate of the posterior covariance on the
//! unconstrained scale. The kinetic energy is `p' Σ p / 2`, the velocity is `Σ p`, and momenta
//! are drawn from `N(0, Σ⁻¹)`. A dense `Σ` also keeps its lower Cholesky factor `L`, so a
//! momentum is `L⁻ᵀ z` for standard normal `z`: one triangular solve, no inverse.

use rand::Rng;
use rand_distr::StandardNormal;

/// Which metric a chain uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricKind {
    /// One variance per coordinate (Stan's default, `diag_e`).
    #[default]
    Diagonal,
    /// A full covariance matrix (`dense_e`): each leapfrog step costs `O(d²)` more, but a
    /// posterior whose coordinates are strongly correlated (a regression on collinear
    /// predictors, say) needs far shorter trajectories.
    Dense,
}

/// The inverse metric with buffers allocated once: `d` values for a diagonal metric, `d × d`
/// (row-major) and its Cholesky factor for a dense one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Metric {
    kind: MetricKind,
    dim: usize,
    /// The diagonal, or the whole matrix row by row.
    values: Vec<f64>,
    /// For a dense metric, the lower Cholesky factor of `values`, row by row.
    chol: Vec<f64>,
}

impl Metric {
    /// The identity of dimension `dim`.
    pub fn identity(kind: MetricKind, dim: usize) -> Self {
        let (values, chol) = match kind {
            MetricKind::Diagonal => (vec![1.0; dim], Vec::new()),
            MetricKind::Dense => {
                let mut m = vec![0.0; dim * dim];
                for i in 0..dim {
                    m[i * dim + i] = 1.0;
                }
                (m.clone(), m)
            }
        };
        Metric { kind, dim, values, chol }
    }

    /// The diagonal (`d` values) or the dense matrix row by row (`d × d` values).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The diagonal of a diagonal metric, for updating in place.
    pub fn diagonal_mut(&mut self) -> &mut [f64] {
        debug_assert_eq!(self.kind, MetricKind::Diagonal);
        &mut self.values
    }

    /// Replaces a dense metric by `cov` (row-major, symmetric). Returns `false`, keeping the
    /// old metric, when `cov` is not numerically positive definite.
    pub fn set_dense(&mut self, cov: &[f64]) -> bool {
        debug_assert_eq!(self.kind, MetricKind::Dense);
        let d = self.dim;
        if !cholesky_into(cov, d, &mut self.chol) {
            // The failed factorisation overwrote part of `chol`: factor the kept matrix again.
            cholesky_into(&self.values, d, &mut self.chol);
            return false;
        }
        self.values.copy_from_slice(cov);
        true
    }

    /// `p' Σ p`.
    pub fn quadratic(&self, p: &[f64]) -> f64 {
        match self.kind {
            MetricKind::Diagonal => p.iter().zip(&self.values).map(|(p, m)| p * p * m).sum(),
            MetricKind::Dense => {
                let d = self.dim;
                (0..d).map(|i| p[i] * dot(&self.values[i * d..(i + 1) * d], p)).sum()
            }
        }
    }

    /// `out = Σ p`.
    pub fn velocity_into(&self, p: &[f64], out: &mut [f64]) {
        match self.kind {
            MetricKind::Diagonal => {
                for ((o, p), m) in out.iter_mut().zip(p).zip(&self.values) {
                    *o = p * m;
                }
            }
            MetricKind::Dense => {
                let d = self.dim;
                for (i, o) in out.iter_mut().enumerate() {
                    *o = dot(&self.values[i * d..(i + 1) * d], p);
                }
            }
        }
    }

    /// `q += eps Σ p`, the position half of a leapfrog step.
    pub fn drift(&self, q: &mut [f64], p: &[f64], eps: f64) {
        match self.kind {
            MetricKind::Diagonal => {
                for ((q, p), m) in q.iter_mut().zip(p).zip(&self.values) {
                    *q += eps * m * p;
                }
            }
            MetricKind::Dense => {
                let d = self.dim;
                for (i, q) in q.iter_mut().enumerate() {
                    *q += eps * dot(&self.values[i * d..(i + 1) * d], p);
                }
            }
        }
    }

    /// Draws `p` from `N(0, Σ⁻¹)`.
    pub fn sample_momentum<R: Rng + ?Sized>(&self, p: &mut [f64], rng: &mut R) {
        match self.kind {
            MetricKind::Diagonal => {
                for (p, m) in p.iter_mut().zip(&self.values) {
                    let z: f64 = rng.sample(StandardNormal);
                    *p = z / m.sqrt();
                }
            }
            MetricKind::Dense => {
                for p in p.iter_mut() {
                    *p = rng.sample(StandardNormal);
                }
                // Solve Lᵀ p = z in place, from the last coordinate up: then
                // cov(p) = L⁻ᵀ L⁻¹ = (L Lᵀ)⁻¹ = Σ⁻¹.
                let d = self.dim;
                let l = &self.chol;
                for i in (0..d).rev() {
                    let mut s = p[i];
                    for j in i + 1..d {
                        s -= l[j * d + i] * p[j];
                    }
                    p[i] = s / l[i * d + i];
                }
            }
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// Writes the lower Cholesky factor of the `d × d` matrix `a` into `l` (row-major, upper part
/// zero). Returns `false` if a pivot is not positive and finite.
fn cholesky_into(a: &[f64], d: usize, l: &mut [f64]) -> bool {
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return false;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
        for j in i + 1..d {
            l[i * d + j] = 0.0;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, chain_rng};

    #[test]
    fn dense_momenta_have_the_inverse_covariance() {
        // Σ = [[4, 1.8], [1.8, 1]]; momenta must have covariance Σ⁻¹.
        let mut m = Metric::identity(MetricKind::Dense, 2);
        assert!(m.set_dense(&[4.0, 1.8, 1.8, 1.0]));
        let det = 4.0 - 1.8 * 1.8;
        let inv = [1.0 / det, -1.8 / det, -1.8 / det, 4.0 / det];
        let mut rng = chain_rng(3, 0, Stream::Sampler);
        let mut p = [0.0; 2];
        let mut s = [0.0; 4];
        let n = 200_000;
        for _ in 0..n {
            m.sample_momentum(&mut p, &mut rng);
            s[0] += p[0] * p[0];
            s[1] += p[0] * p[1];
            s[3] += p[1] * p[1];
        }
        s[2] = s[1];
        for k in 0..4 {
            let est = s[k] / n as f64;
            assert!((est - inv[k]).abs() < 0.03 * inv[0].max(inv[3]), "{k}: {est} vs {}", inv[k]);
        }
    }

    #[test]
    fn dense_kinetic_energy_and_velocity_use_the_matrix() {
        let mut m = Metric::identity(MetricKind::Dense, 2);
        assert!(m.set_dense(&[2.0, 0.5, 0.5, 1.0]));
        let p = [1.0, -2.0];
        // p' Σ p = 2 - 2 * 0.5 * 2 + 4 = 4.
        assert_eq!(m.quadratic(&p), 4.0);
        let mut v = [0.0; 2];
        m.velocity_into(&p, &mut v);
        assert_eq!(v, [1.0, -1.5]);
        let mut q = [0.0, 0.0];
        m.drift(&mut q, &p, 0.5);
        assert_eq!(q, [0.5, -0.75]);
    }

    #[test]
    fn a_matrix_that_is_not_positive_definite_keeps_the_old_metric() {
        let mut m = Metric::identity(MetricKind::Dense, 2);
        assert!(m.set_dense(&[2.0, 0.5, 0.5, 1.0]));
        let before = m.clone();
        assert!(!m.set_dense(&[1.0, 2.0, 2.0, 1.0]));
        assert_eq!(m, before);
    }
}
