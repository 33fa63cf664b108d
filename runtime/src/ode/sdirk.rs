//! SDIRK4 (Hairer and Wanner, Solving ODEs II, table IV.6.5): a five-stage singly diagonally
//! implicit Runge–Kutta method of order 4, L-stable and stiffly accurate, with an embedded
//! order-3 solution for error control.
//!
//! Stage `i` solves `k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j + h γ k_i)` for `k_i` by Newton's
//! method with the matrix `M = I - h γ J`, `J` a finite-difference Jacobian at the start of the
//! step. The iteration runs in the scalar type, so the derivative parts of `k_i` iterate too
//! and converge to the derivative of the exact stage solution; `M` only sets how fast.

use super::{Attempt, Method, OdeControl, Rhs};
use crate::model::ModelError;
use crate::scalar::Scalar;

/// The diagonal coefficient γ.
pub(super) const GAMMA: f64 = 0.25;

/// The nodes `c`.
pub(super) const C: [f64; 5] = [0.25, 0.75, 11.0 / 20.0, 0.5, 1.0];

/// The coefficients `a` below the diagonal (the diagonal is γ); the last row is also the
/// weights `b`, since the method is stiffly accurate.
pub(super) const A: [[f64; 4]; 5] = [
    [0.0; 4],
    [0.5, 0.0, 0.0, 0.0],
    [17.0 / 50.0, -1.0 / 25.0, 0.0, 0.0],
    [371.0 / 1360.0, -137.0 / 2720.0, 15.0 / 544.0, 0.0],
    [25.0 / 24.0, -49.0 / 48.0, 125.0 / 16.0, -85.0 / 12.0],
];

/// The weights `b` of the order-4 solution.
pub(super) const B: [f64; 5] = [25.0 / 24.0, -49.0 / 48.0, 125.0 / 16.0, -85.0 / 12.0, GAMMA];

/// The weights `b̂` of the embedded order-3 solution.
pub(super) const B_HAT: [f64; 5] = [59.0 / 48.0, -17.0 / 96.0, 225.0 / 32.0, -85.0 / 12.0, 0.0];

/// Newton iterations allowed per stage before the step is retried smaller.
const MAX_NEWTON: usize = 10;

/// The Newton iteration stops when its last correction to the stage value is this small in the
/// error norm (1 is the tolerance). Far below the tolerance, so that the derivative parts,
/// which converge at the same linear rate once the values are close, are as accurate.
const NEWTON_TOL: f64 = 1e-4;

/// The solver's state.
pub(super) struct Sdirk4<S> {
    n: usize,
    /// The stage derivatives; `k[4]` is `f` at the end of the last attempt.
    k: [Vec<S>; 5],
    /// `f` at the current state.
    f_start: Vec<S>,
    base: Vec<S>,
    stage: Vec<S>,
    residual: Vec<S>,
    /// The Jacobian at the current state (row-major), and whether it is up to date.
    jacobian: Vec<f64>,
    jacobian_current: bool,
    lu: Lu,
    err: Vec<f64>,
}

impl<S: Scalar> Sdirk4<S> {
    pub(super) fn new(n: usize) -> Self {
        let zeros = || vec![S::zero(); n];
        Sdirk4 {
            n,
            k: std::array::from_fn(|_| zeros()),
            f_start: zeros(),
            base: zeros(),
            stage: zeros(),
            residual: zeros(),
            jacobian: vec![0.0; n * n],
            jacobian_current: false,
            lu: Lu::new(n),
            err: vec![0.0; n],
        }
    }

    /// Forward differences of `f` around `(t, y)`, on values.
    fn update_jacobian<F>(
        &mut self,
        rhs: &mut Rhs<'_, F>,
        t: f64,
        y: &[S],
    ) -> Result<(), ModelError>
    where
        F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
    {
        let n = self.n;
        self.stage.copy_from_slice(y);
        for (j, &yj) in y.iter().enumerate() {
            let delta = (f64::EPSILON * yj.value().abs().max(1e-5)).sqrt();
            self.stage[j] = S::from_f64(yj.value() + delta);
            rhs.eval(t, &self.stage, &mut self.residual)?;
            self.stage[j] = yj;
            for (i, (r, f)) in self.residual.iter().zip(&self.f_start).enumerate() {
                self.jacobian[i * n + j] = (r.value() - f.value()) / delta;
            }
        }
        self.jacobian_current = true;
        Ok(())
    }

    /// Solves stage `s` for `k[s]`; false when Newton's method does not converge.
    fn solve_stage<F>(
        &mut self,
        rhs: &mut Rhs<'_, F>,
        t: f64,
        y: &[S],
        h: f64,
        s: usize,
        control: &OdeControl,
    ) -> Result<bool, ModelError>
    where
        F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
    {
        let (done, rest) = self.k.split_at_mut(s);
        for (i, (b, &yi)) in self.base.iter_mut().zip(y).enumerate() {
            *b = done.iter().zip(&A[s]).fold(yi, |acc, (kj, &a)| acc + kj[i] * (h * a));
        }
        let k = &mut rest[0];
        // The previous stage's derivative (or f at the start) is a good first guess.
        k.copy_from_slice(done.last().map_or(&self.f_start[..], |v| &v[..]));
        let hg = h * GAMMA;
        let mut previous = f64::INFINITY;
        for _ in 0..MAX_NEWTON {
            for ((x, &b), &ki) in self.stage.iter_mut().zip(&self.base).zip(k.iter()) {
                *x = b + ki * hg;
            }
            rhs.eval(t + C[s] * h, &self.stage, &mut self.residual)?;
            for (r, &ki) in self.residual.iter_mut().zip(k.iter()) {
                *r = ki - *r;
            }
            self.lu.solve(&mut self.residual);
            let mut norm = 0.0f64;
            let mut at_roundoff = true;
            for ((ki, &delta), x) in k.iter_mut().zip(&self.residual).zip(&self.stage) {
                *ki -= delta;
                let change = (delta.value() * hg).abs();
                let y_i = x.value().abs();
                norm = norm.max(change / (control.abs_tol + control.rel_tol * y_i));
                at_roundoff &= change <= 4.0 * f64::EPSILON * y_i;
            }
            if !norm.is_finite() || norm >= previous {
                return Ok(false);
            }
            if norm <= NEWTON_TOL || at_roundoff {
                return Ok(true);
            }
            previous = norm;
        }
        Ok(false)
    }
}

impl<S: Scalar> Method<S> for Sdirk4<S> {
    const ERROR_EXPONENT: f64 = 1.0 / 4.0;
    const MAX_GROWTH: f64 = 5.0;
    const START_ORDER: i32 = 4;

    fn start(&mut self, f0: &[S]) {
        self.f_start.copy_from_slice(f0);
        self.jacobian_current = false;
    }

    fn attempt<F>(
        &mut self,
        rhs: &mut Rhs<'_, F>,
        t: f64,
        y: &[S],
        h: f64,
        y_new: &mut [S],
        control: &OdeControl,
    ) -> Result<Attempt, ModelError>
    where
        F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
    {
        let n = self.n;
        if !self.jacobian_current {
            self.update_jacobian(rhs, t, y)?;
        }
        if !self.lu.factor_newton_matrix(&self.jacobian, h * GAMMA) {
            return Ok(Attempt::Failed);
        }
        for s in 0..5 {
            if !self.solve_stage(rhs, t, y, h, s, control)? {
                return Ok(Attempt::Failed);
            }
        }
        for i in 0..n {
            let mut acc = y[i];
            let mut e = 0.0;
            for (s, ks) in self.k.iter().enumerate() {
                acc += ks[i] * (h * B[s]);
                e += (B[s] - B_HAT[s]) * ks[i].value();
            }
            y_new[i] = acc;
            self.err[i] = h * e;
        }
        // The raw estimate grows with the stiffness (b̂ is not L-stable); (I - hγJ)⁻¹ damps the
        // stiff components and leaves the smooth ones (Shampine 1980).
        self.lu.solve(&mut self.err);
        Ok(Attempt::Error(super::error_norm(&self.err, y, y_new, control)))
    }

    fn accept(&mut self) {
        // Stiffly accurate: the last stage is the new state, and k[4] is f there.
        self.f_start.copy_from_slice(&self.k[4]);
        self.jacobian_current = false;
    }

    fn derivative(&self) -> &[S] {
        &self.f_start
    }
}

/// An LU factorisation with partial pivoting of a small dense matrix.
struct Lu {
    n: usize,
    /// `L` below the diagonal (unit diagonal implied) and `U` on and above it, row-major.
    lu: Vec<f64>,
    /// Row `i` of the factored matrix is row `perm[i]` of the original.
    perm: Vec<usize>,
}

impl Lu {
    fn new(n: usize) -> Self {
        Lu { n, lu: vec![0.0; n * n], perm: (0..n).collect() }
    }

    /// Factors `I - c J`; false when it is singular to working precision.
    fn factor_newton_matrix(&mut self, jacobian: &[f64], c: f64) -> bool {
        let n = self.n;
        for i in 0..n {
            for j in 0..n {
                let identity = if i == j { 1.0 } else { 0.0 };
                self.lu[i * n + j] = identity - c * jacobian[i * n + j];
            }
            self.perm[i] = i;
        }
        for col in 0..n {
            let pivot = (col..n)
                .max_by(|&a, &b| self.lu[a * n + col].abs().total_cmp(&self.lu[b * n + col].abs()))
                .expect("a non-empty range");
            let p = self.lu[pivot * n + col];
            if !p.is_finite() || p.abs() <= f64::EPSILON * f64::MIN_POSITIVE.sqrt() {
                return false;
            }
            if pivot != col {
                for j in 0..n {
                    self.lu.swap(col * n + j, pivot * n + j);
                }
                self.perm.swap(col, pivot);
            }
            for r in col + 1..n {
                let m = self.lu[r * n + col] / p;
                self.lu[r * n + col] = m;
                for j in col + 1..n {
                    self.lu[r * n + j] -= m * self.lu[col * n + j];
                }
            }
        }
        true
    }

    /// Overwrites `b` with the solution `x` of `(I - cJ) x = b`, in any scalar type.
    fn solve<S: Scalar>(&self, b: &mut [S]) {
        let n = self.n;
        let mut x: [S; 8];
        // Small systems avoid a temporary on the heap; larger ones take one.
        let mut heap;
        let permuted: &mut [S] = if n <= 8 {
            x = [S::zero(); 8];
            &mut x[..n]
        } else {
            heap = vec![S::zero(); n];
            &mut heap[..]
        };
        for i in 0..n {
            permuted[i] = b[self.perm[i]];
        }
        for i in 0..n {
            for j in 0..i {
                let l = self.lu[i * n + j];
                if l != 0.0 {
                    let xj = permuted[j];
                    permuted[i] -= xj * l;
                }
            }
        }
        for i in (0..n).rev() {
            for j in i + 1..n {
                let xj = permuted[j];
                permuted[i] -= xj * self.lu[i * n + j];
            }
            permuted[i] /= self.lu[i * n + i];
        }
        b.copy_from_slice(permuted);
    }
}
