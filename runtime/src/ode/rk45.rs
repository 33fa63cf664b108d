//! The Dormand–Prince 5(4) pair (Dormand and Prince 1980; Hairer, Nørsett and Wanner, Solving
//! ODEs I, table II.5.2): seven stages, the last of which is the first of the next step
//! ("first same as last"), propagating the order-5 solution.

use super::{Attempt, Method, OdeControl, Rhs, error_norm};
use crate::model::ModelError;
use crate::scalar::Scalar;

/// The nodes `c`.
pub(super) const C: [f64; 7] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];

/// The coefficients `a`; the last row is the order-5 weights `b`.
pub(super) const A: [[f64; 6]; 7] = [
    [0.0; 6],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0],
    [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0],
    [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
];

/// The order-4 weights `b̂` of the embedded solution.
pub(super) const B_HAT: [f64; 7] = [
    5179.0 / 57600.0,
    0.0,
    7571.0 / 16695.0,
    393.0 / 640.0,
    -92097.0 / 339200.0,
    187.0 / 2100.0,
    1.0 / 40.0,
];

/// The solver's state: the stage derivatives of the last attempt.
pub(super) struct DormandPrince<S> {
    /// `k[0]` is `f` at the current state; `k[6]` is `f` at the end of the last attempt.
    k: [Vec<S>; 7],
    stage: Vec<S>,
    err: Vec<f64>,
}

impl<S: Scalar> DormandPrince<S> {
    pub(super) fn new(n: usize) -> Self {
        DormandPrince {
            k: std::array::from_fn(|_| vec![S::zero(); n]),
            stage: vec![S::zero(); n],
            err: vec![0.0; n],
        }
    }
}

impl<S: Scalar> Method<S> for DormandPrince<S> {
    const ERROR_EXPONENT: f64 = 1.0 / 5.0;
    const MAX_GROWTH: f64 = 10.0;
    const START_ORDER: i32 = 5;

    fn start(&mut self, f0: &[S]) {
        self.k[0].copy_from_slice(f0);
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
        for s in 1..7 {
            let (done, rest) = self.k.split_at_mut(s);
            let stage = if s == 6 { &mut *y_new } else { &mut self.stage[..] };
            for (i, x) in stage.iter_mut().enumerate() {
                let mut acc = y[i];
                for (kj, &a) in done.iter().zip(&A[s]) {
                    if a != 0.0 {
                        acc += kj[i] * (h * a);
                    }
                }
                *x = acc;
            }
            rhs.eval(t + C[s] * h, stage, &mut rest[0])?;
        }
        for (i, e) in self.err.iter_mut().enumerate() {
            let mut acc = 0.0;
            for (s, kj) in self.k.iter().enumerate() {
                let b = if s < 6 { A[6][s] } else { 0.0 };
                acc += (b - B_HAT[s]) * kj[i].value();
            }
            *e = h * acc;
        }
        Ok(Attempt::Error(error_norm(&self.err, y, y_new, control)))
    }

    fn accept(&mut self) {
        self.k.swap(0, 6);
    }

    fn derivative(&self) -> &[S] {
        &self.k[0]
    }
}
