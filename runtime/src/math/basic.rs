//! Elementary real functions of Stan's library (Stan functions reference, "Real-valued basic
//! functions") that the scalar trait does not provide directly.

use super::special::lift;
use crate::scalar::Scalar;

/// `x^2`.
pub fn square<S: Scalar>(x: S) -> S {
    x * x
}

/// `1 / x`.
pub fn inv<S: Scalar>(x: S) -> S {
    S::one() / x
}

/// `1 / sqrt(x)`.
pub fn inv_sqrt<S: Scalar>(x: S) -> S {
    S::one() / x.sqrt()
}

/// `1 / x^2`.
pub fn inv_square<S: Scalar>(x: S) -> S {
    S::one() / (x * x)
}

/// The real cube root (negative for negative `x`).
pub fn cbrt<S: Scalar>(x: S) -> S {
    let v = x.value();
    let c = v.cbrt();
    lift(x, c, 1.0 / (3.0 * c * c))
}

/// The larger of two values; a NaN argument loses to a number, as in C's `fmax`.
pub fn fmax<S: Scalar>(a: S, b: S) -> S {
    if b.value() > a.value() || a.value().is_nan() { b } else { a }
}

/// The smaller of two values; a NaN argument loses to a number, as in C's `fmin`.
pub fn fmin<S: Scalar>(a: S, b: S) -> S {
    if b.value() < a.value() || a.value().is_nan() { b } else { a }
}

/// `max(a - b, 0)`.
pub fn fdim<S: Scalar>(a: S, b: S) -> S {
    if a.value() > b.value() { a - b } else { S::zero() }
}

/// 0 for `x < 0`, 1 otherwise (Stan's `step`).
pub fn step<S: Scalar>(x: S) -> f64 {
    if x.value() < 0.0 { 0.0 } else { 1.0 }
}

/// 1 for `x > 0`, 0 otherwise (Stan's `int_step`).
pub fn int_step<S: Scalar>(x: S) -> i64 {
    i64::from(x.value() > 0.0)
}

/// The base-10 logarithm.
pub fn log10<S: Scalar>(x: S) -> S {
    x.ln() * std::f64::consts::LOG10_E
}

/// The base-2 logarithm.
pub fn log2<S: Scalar>(x: S) -> S {
    x.ln() * std::f64::consts::LOG2_E
}

/// `2^x`.
pub fn exp2<S: Scalar>(x: S) -> S {
    (x * std::f64::consts::LN_2).exp()
}

/// `sqrt(a^2 + b^2)` without overflow in the squares.
pub fn hypot<S: Scalar>(a: S, b: S) -> S {
    let m = a.value().abs().max(b.value().abs());
    if m == 0.0 || !m.is_finite() {
        return S::from_f64(a.value().hypot(b.value()));
    }
    let (x, y) = (a / m, b / m);
    (x * x + y * y).sqrt() * m
}

/// `x^y` where both may carry derivatives (Stan's `pow` and `^`). An integer-valued exponent
/// takes the exact repeated-product path, so negative and zero bases work as in C's `pow`.
pub fn pow<S: Scalar>(x: S, y: S) -> S {
    let (xv, yv) = (x.value(), y.value());
    if yv == yv.trunc() && yv.abs() < 1024.0 {
        let p = x.powi(yv as i32);
        if xv > 0.0 {
            // Keep d/dy = x^y ln x, which the integer path alone would drop.
            return p + (y - yv) * (p * x.ln());
        }
        return p;
    }
    x.pow(y)
}

/// Rounds down; the derivative is 0 almost everywhere.
pub fn floor<S: Scalar>(x: S) -> S {
    S::from_f64(x.value().floor())
}

/// Rounds up; the derivative is 0 almost everywhere.
pub fn ceil<S: Scalar>(x: S) -> S {
    S::from_f64(x.value().ceil())
}

/// Rounds half away from zero; the derivative is 0 almost everywhere.
pub fn round<S: Scalar>(x: S) -> S {
    S::from_f64(x.value().round())
}

/// Rounds towards zero; the derivative is 0 almost everywhere.
pub fn trunc<S: Scalar>(x: S) -> S {
    S::from_f64(x.value().trunc())
}

/// `a * b + c`.
pub fn fma<S: Scalar>(a: S, b: S, c: S) -> S {
    a * b + c
}

/// Whether `x` is NaN.
pub fn is_nan<S: Scalar>(x: S) -> bool {
    x.value().is_nan()
}

/// Whether `x` is infinite.
pub fn is_inf<S: Scalar>(x: S) -> bool {
    x.value().is_infinite()
}
