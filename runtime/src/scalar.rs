//! The scalar type that model code is generic over: `f64` for values, dual numbers for gradients.
//!
//! Generated log densities are written once, against [`Scalar`], and instantiated with `f64`
//! (plain values) and with `num-dual`'s dual numbers (forward-mode derivatives). The trait is
//! Tilde's own rather than `num_dual::DualNum`, so that other derivative carriers can implement
//! it later without pretending to be a dual number.

use num_dual::DualNum;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real number that carries derivatives, or plain `f64`.
///
/// Arithmetic works between two scalars and between a scalar and an `f64` on the right. For an
/// `f64` on the left, lift it first with [`Scalar::from_f64`].
pub trait Scalar:
    Copy
    + Send
    + Sync
    + Debug
    + PartialOrd
    + PartialOrd<f64>
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + AddAssign<f64>
    + SubAssign<f64>
    + MulAssign<f64>
    + DivAssign<f64>
{
    /// A constant: the value `x` with zero derivative.
    fn from_f64(x: f64) -> Self;

    /// The value, without derivatives.
    fn value(&self) -> f64;

    /// `f(self)`, given `f = f(x)` and `df = f'(x)` at `x = self.value()`.
    ///
    /// This is the one chain-rule helper through which every special function reaches the
    /// derivative-carrying types: compute the value and derivative in `f64`, then call this.
    fn chain(self, f: f64, df: f64) -> Self;

    /// The state of a value being built from its operands' partial derivatives: see
    /// [`Scalar::partials_push`].
    type Partials;

    /// Whether vectorised functions should compute this type's derivatives from their
    /// analytic partials ([`Scalar::partials_push`]) rather than by scalar arithmetic.
    ///
    /// True for the reverse tape, where it saves most of the recording, and for `f64`, where
    /// it is the same arithmetic without the overhead. False for dual numbers: they take the
    /// chain rule through every scalar operation, which keeps them an independent oracle for
    /// the hand-derived partials.
    const PARTIALS: bool;

    /// Whether the type carries derivatives at all: false for `f64`, whose analytic paths may
    /// then skip the partial derivatives.
    const DERIVATIVES: bool;

    /// Starts a value whose derivatives are given operand by operand.
    ///
    /// A vectorised function that knows its partial derivatives computes its value in `f64`,
    /// passes each operand with its partial derivative to [`Scalar::partials_push`] and ends
    /// with [`Scalar::partials_finish`]. Dual numbers sum the terms as they come; the reverse
    /// tape records one node with all the operands as parents, instead of a graph of scalar
    /// operations. Operands may themselves be computed between the pushes.
    fn partials_new() -> Self::Partials;

    /// Adds `d * (derivative of x)` to the value being built.
    fn partials_push(p: &mut Self::Partials, x: Self, d: f64);

    /// The value `value` with the derivatives pushed into `p`.
    fn partials_finish(p: Self::Partials, value: f64) -> Self;

    /// Sets `out` to `m v` for a data matrix `m`, stored as rows of equal length `v.len()`.
    ///
    /// The reverse tape records the whole product as one unit whose sweep is a dense pass
    /// over `m`; other types take a dot product per row.
    fn data_matvec(out: &mut Vec<Self>, m: &[Vec<f64>], v: &[Self]) {
        out.clear();
        for row in m {
            let entry = if Self::PARTIALS {
                let mut partials = Self::partials_new();
                let mut total = 0.0;
                for (&a, &b) in row.iter().zip(v) {
                    total += a * b.value();
                    Self::partials_push(&mut partials, b, a);
                }
                Self::partials_finish(partials, total)
            } else {
                let mut acc = Self::zero();
                for (&a, &b) in row.iter().zip(v) {
                    acc += b * a;
                }
                acc
            };
            out.push(entry);
        }
    }

    /// `e^x`.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// `ln(1 + x)`, accurate near zero.
    fn ln_1p(self) -> Self;
    /// `e^x - 1`, accurate near zero.
    fn exp_m1(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// `x^n` for an integer `n`.
    fn powi(self, n: i32) -> Self;
    /// `x^y` for a constant real `y`.
    fn powf(self, y: f64) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Absolute value (derivative sign(x), 0 at 0).
    fn abs(self) -> Self;

    /// Zero.
    fn zero() -> Self {
        Self::from_f64(0.0)
    }

    /// One.
    fn one() -> Self {
        Self::from_f64(1.0)
    }

    /// `x^2`.
    fn square(self) -> Self {
        self * self
    }

    /// `x^y` where both may carry derivatives. The value is `f64::powf`'s, so that integral
    /// cases are exact (`2^9` is 512, not `exp(9 ln 2)`).
    fn pow(self, y: Self) -> Self {
        let (xv, yv) = (self.value(), y.value());
        let v = xv.powf(yv);
        let dx = if yv == 0.0 { 0.0 } else { yv * xv.powf(yv - 1.0) };
        let result = self.chain(v, dx);
        // d/dy x^y = x^y ln x; it is undefined for x < 0 and zero where x^y vanishes. Adding a
        // non-finite slope would poison the value, so it is left out there.
        let dy = if v == 0.0 { 0.0 } else { v * xv.ln() };
        if dy.is_finite() { result + (y - Self::from_f64(yv)) * dy } else { result }
    }

    /// Whether the value is finite (neither infinite nor NaN).
    fn is_finite(&self) -> bool {
        self.value().is_finite()
    }
}

impl<T> Scalar for T
where
    T: DualNum<Primitive = f64> + Copy + Send + Sync,
{
    #[inline]
    fn from_f64(x: f64) -> Self {
        T::from(x)
    }

    #[inline]
    fn value(&self) -> f64 {
        self.re()
    }

    #[inline]
    fn chain(self, f: f64, df: f64) -> Self {
        // The derivative part of `self - re(self)` times df, plus the new value.
        let d = self - T::from(self.re());
        if df.is_infinite() {
            // 0 * inf is NaN, which would poison the value part. Two finite factors whose
            // product overflows keep the value part at zero and send every non-zero derivative
            // to an infinity of the right sign.
            return d * f64::MAX.copysign(df) * f64::MAX + f;
        }
        d * df + f
    }

    type Partials = T;

    const PARTIALS: bool = T::NDERIV == 0;

    const DERIVATIVES: bool = T::NDERIV > 0;

    #[inline]
    fn partials_new() -> T {
        T::from(0.0)
    }

    #[inline]
    fn partials_push(p: &mut T, x: T, d: f64) {
        // Plain f64 has no derivative to carry.
        if T::NDERIV > 0 {
            *p += x.chain(0.0, d);
        }
    }

    #[inline]
    fn partials_finish(p: T, value: f64) -> T {
        if T::NDERIV > 0 { p + value } else { T::from(value) }
    }

    #[inline]
    fn exp(self) -> Self {
        DualNum::exp(&self)
    }
    #[inline]
    fn ln(self) -> Self {
        DualNum::ln(&self)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        DualNum::ln_1p(&self)
    }
    #[inline]
    fn exp_m1(self) -> Self {
        DualNum::exp_m1(&self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        // Through `chain`, so that the square root of an exact zero whose derivative is zero
        // (an underflowed value) keeps a zero derivative instead of 0 * inf = NaN.
        let s = self.re().sqrt();
        self.chain(s, 0.5 / s)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        DualNum::powi(&self, n)
    }
    #[inline]
    fn powf(self, y: f64) -> Self {
        DualNum::powf(&self, y)
    }
    #[inline]
    fn sin(self) -> Self {
        DualNum::sin(&self)
    }
    #[inline]
    fn cos(self) -> Self {
        DualNum::cos(&self)
    }
    #[inline]
    fn tan(self) -> Self {
        DualNum::tan(&self)
    }
    #[inline]
    fn asin(self) -> Self {
        DualNum::asin(&self)
    }
    #[inline]
    fn acos(self) -> Self {
        DualNum::acos(&self)
    }
    #[inline]
    fn atan(self) -> Self {
        DualNum::atan(&self)
    }
    #[inline]
    fn sinh(self) -> Self {
        DualNum::sinh(&self)
    }
    #[inline]
    fn cosh(self) -> Self {
        DualNum::cosh(&self)
    }
    #[inline]
    fn tanh(self) -> Self {
        DualNum::tanh(&self)
    }
    #[inline]
    fn abs(self) -> Self {
        let x = self.re();
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(x.abs(), sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_dual::Dual64;

    #[test]
    fn chain_carries_the_derivative() {
        let x = Dual64::from(2.0).derivative();
        let y = x.chain(10.0, 3.0);
        assert_eq!(y.re, 10.0);
        assert_eq!(y.eps, 3.0);
    }

    #[test]
    fn an_infinite_derivative_keeps_the_value() {
        let x = Dual64::from(0.0).derivative();
        let y = x.chain(1.5, f64::INFINITY);
        assert_eq!(y.re, 1.5);
        assert_eq!(y.eps, f64::INFINITY);
        assert_eq!(2.0_f64.chain(1.5, f64::NEG_INFINITY), 1.5);
    }

    #[test]
    fn pow_is_exact_for_integral_cases_and_differentiates_both_arguments() {
        assert_eq!(Scalar::pow(2.0, 9.0), 512.0);
        let x = Dual64::from(2.0).derivative();
        let y = Scalar::pow(x, Dual64::from(3.0));
        assert_eq!((y.re, y.eps), (8.0, 12.0));
        let e = Dual64::from(3.0).derivative();
        let z = Scalar::pow(Dual64::from(2.0), e);
        assert_eq!(z.re, 8.0);
        assert!((z.eps - 8.0 * 2f64.ln()).abs() < 1e-14);
    }

    #[test]
    fn f64_is_a_scalar() {
        fn twice<S: Scalar>(x: S) -> S {
            x * 2.0
        }
        assert_eq!(twice(1.5), 3.0);
    }
}
