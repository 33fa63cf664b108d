//! Transforms of scalars: lower, upper and two-sided bounds, and offset/multiplier (Stan
//! reference manual, "Lower bounded scalar", "Upper bounded scalar", "Lower and upper bounded
//! scalar" and "Affinely transformed scalar"). An infinite bound is no bound.

// Negated comparisons (`!(y >= lb)`) are deliberate: they reject NaN with the out-of-range
// values.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::math::{inv_logit, log1p_exp};
use crate::scalar::Scalar;

/// `lb + exp(x)`, adding `x` to `lp`; the identity when `lb = -inf`.
pub fn lower_bound<S: Scalar>(x: S, lb: S, lp: &mut S) -> S {
    if lb.value() == f64::NEG_INFINITY {
        return x;
    }
    *lp += x;
    x.exp() + lb
}

/// `ub - exp(x)`, adding `x` to `lp`; the identity when `ub = +inf`.
pub fn upper_bound<S: Scalar>(x: S, ub: S, lp: &mut S) -> S {
    if ub.value() == f64::INFINITY {
        return x;
    }
    *lp += x;
    ub - x.exp()
}

/// `lb + (ub - lb) inv_logit(x)`, adding `ln(ub - lb) + ln inv_logit(x) + ln(1 - inv_logit(x))`
/// to `lp`; an infinite bound falls back to the one-sided transform.
pub fn lower_upper_bound<S: Scalar>(x: S, lb: S, ub: S, lp: &mut S) -> S {
    match (lb.value() == f64::NEG_INFINITY, ub.value() == f64::INFINITY) {
        (true, true) => x,
        (true, false) => upper_bound(x, ub, lp),
        (false, true) => lower_bound(x, lb, lp),
        (false, false) => {
            let diff = ub - lb;
            // Written with |x| so that neither log term overflows at extreme x.
            let ax = x.abs();
            *lp += diff.ln() - ax - log1p_exp(-ax) * 2.0;
            diff * inv_logit(x) + lb
        }
    }
}

/// `offset + multiplier * x`, adding `ln(multiplier)` to `lp`.
pub fn offset_multiplier<S: Scalar>(x: S, offset: S, multiplier: S, lp: &mut S) -> S {
    *lp += multiplier.ln();
    offset + multiplier * x
}

/// The inverse of [`lower_bound`]: `ln(y - lb)`.
pub fn lower_bound_unconstrain(y: f64, lb: f64) -> Result<f64, String> {
    if lb == f64::NEG_INFINITY {
        return Ok(y);
    }
    if !(y >= lb) {
        return Err(format!(
            "lower_bound: value is {y}, but must be greater than or equal to {lb}"
        ));
    }
    Ok((y - lb).ln())
}

/// The inverse of [`upper_bound`]: `ln(ub - y)`.
pub fn upper_bound_unconstrain(y: f64, ub: f64) -> Result<f64, String> {
    if ub == f64::INFINITY {
        return Ok(y);
    }
    if !(y <= ub) {
        return Err(format!("upper_bound: value is {y}, but must be less than or equal to {ub}"));
    }
    Ok((ub - y).ln())
}

/// The inverse of [`lower_upper_bound`]: `logit((y - lb) / (ub - lb))`.
pub fn lower_upper_bound_unconstrain(y: f64, lb: f64, ub: f64) -> Result<f64, String> {
    match (lb == f64::NEG_INFINITY, ub == f64::INFINITY) {
        (true, true) => Ok(y),
        (true, false) => upper_bound_unconstrain(y, ub),
        (false, true) => lower_bound_unconstrain(y, lb),
        (false, false) => {
            if !(lb < ub) {
                return Err(format!(
                    "lower_upper_bound: lower bound {lb} must be less than upper bound {ub}"
                ));
            }
            if !(y >= lb && y <= ub) {
                return Err(format!(
                    "lower_upper_bound: value is {y}, but must be in the interval [{lb}, {ub}]"
                ));
            }
            let u = (y - lb) / (ub - lb);
            Ok(u.ln() - (-u).ln_1p())
        }
    }
}

/// The inverse of [`offset_multiplier`]: `(y - offset) / multiplier`.
pub fn offset_multiplier_unconstrain(y: f64, offset: f64, multiplier: f64) -> Result<f64, String> {
    if !(multiplier > 0.0 && multiplier.is_finite()) {
        return Err(format!(
            "offset_multiplier: multiplier is {multiplier}, but must be positive finite"
        ));
    }
    if !offset.is_finite() {
        return Err(format!("offset_multiplier: offset is {offset}, but must be finite"));
    }
    Ok((y - offset) / multiplier)
}
