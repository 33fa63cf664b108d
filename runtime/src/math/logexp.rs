//! Log-scale arithmetic and the logistic family (Stan functions reference, "Composed
//! functions" and "Link functions"), written to stay finite at extreme arguments.

pub(crate) use super::kernels::log1p_exp_and_inv_logit;
use super::kernels::{exp_nonpositive, ln_1p_unit};
use super::special::{lift, lift2};
use crate::scalar::Scalar;

pub(crate) fn inv_logit_f64(x: f64) -> f64 {
    let e = exp_nonpositive(-x.abs());
    if x < 0.0 { e / (1.0 + e) } else { 1.0 / (1.0 + e) }
}

pub(crate) fn log1p_exp_f64(x: f64) -> f64 {
    x.max(0.0) + ln_1p_unit(exp_nonpositive(-x.abs()))
}

/// The logistic sigmoid `1 / (1 + exp(-x))`.
pub fn inv_logit<S: Scalar>(x: S) -> S {
    let p = inv_logit_f64(x.value());
    // p (1 - p) written as the product of both tails so that neither rounds to 0 early.
    lift(x, p, p * inv_logit_f64(-x.value()))
}

/// The log odds `ln(p / (1 - p))`.
pub fn logit<S: Scalar>(p: S) -> S {
    let v = p.value();
    lift(p, v.ln() - (-v).ln_1p(), 1.0 / (v * (1.0 - v)))
}

/// `ln(1 + exp(x))`.
pub fn log1p_exp<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, log1p_exp_f64(v), inv_logit_f64(v))
}

/// `ln(1 - exp(x))` for `x <= 0`; NaN for `x > 0`.
pub fn log1m_exp<S: Scalar>(x: S) -> S {
    let v = x.value();
    let f = if v > 0.0 {
        f64::NAN
    } else if v > -std::f64::consts::LN_2 {
        (-v.exp_m1()).ln()
    } else {
        (-v.exp()).ln_1p()
    };
    lift(x, f, -1.0 / (-v).exp_m1())
}

/// `ln(inv_logit(x))`.
pub fn log_inv_logit<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, -log1p_exp_f64(-v), inv_logit_f64(-v))
}

/// `ln(1 - inv_logit(x))`.
pub fn log1m_inv_logit<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, -log1p_exp_f64(v), -inv_logit_f64(v))
}

/// `ln(1 - x)` for `x <= 1`.
pub fn log1m<S: Scalar>(x: S) -> S {
    (-x).ln_1p()
}

/// `ln(exp(a) + exp(b))`; `-inf` when both are `-inf`.
pub fn log_sum_exp<S: Scalar>(a: S, b: S) -> S {
    let (x, y) = (a.value(), b.value());
    if x == f64::NEG_INFINITY {
        return b;
    }
    if y == f64::NEG_INFINITY {
        return a;
    }
    if x == f64::INFINITY || y == f64::INFINITY {
        return S::from_f64(f64::INFINITY);
    }
    let m = x.max(y);
    let f = m + (-(x - y).abs()).exp().ln_1p();
    lift2(a, b, f, (x - f).exp(), (y - f).exp())
}

/// `ln(exp(a) - exp(b))` for `a >= b`: `-inf` when `a == b` (also both `-inf`), NaN when
/// `a < b`.
pub fn log_diff_exp<S: Scalar>(a: S, b: S) -> S {
    let (x, y) = (a.value(), b.value());
    if x == y {
        return S::from_f64(f64::NEG_INFINITY);
    }
    if x < y || x.is_nan() || y.is_nan() {
        return S::from_f64(f64::NAN);
    }
    if y == f64::NEG_INFINITY {
        return a;
    }
    let d = y - x;
    let f = x + if d > -std::f64::consts::LN_2 { (-d.exp_m1()).ln() } else { (-d.exp()).ln_1p() };
    lift2(a, b, f, -1.0 / d.exp_m1(), -1.0 / (-d).exp_m1())
}

/// `ln(theta exp(lp1) + (1 - theta) exp(lp2))`, the log density of a two-component mixture.
pub fn log_mix<S: Scalar>(theta: S, lp1: S, lp2: S) -> S {
    log_sum_exp(theta.ln() + lp1, log1m(theta) + lp2)
}

/// `a ln b`, taken as 0 when both are 0 (with zero derivatives there).
pub fn multiply_log<S: Scalar>(a: S, b: S) -> S {
    if a.value() == 0.0 && b.value() == 0.0 {
        return S::zero();
    }
    a * b.ln()
}

/// Alias of [`multiply_log`] under Stan's newer name.
pub fn lmultiply<S: Scalar>(a: S, b: S) -> S {
    multiply_log(a, b)
}

/// `-(y ln p + (1 - y) ln(1 - p))` for an outcome `y` in {0, 1}.
pub fn binary_log_loss<S: Scalar>(y: i64, p: S) -> S {
    if y != 0 { -p.ln() } else { -log1m(p) }
}
