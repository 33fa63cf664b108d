//! Forward-mode numbers with a fixed number of derivative lanes, for the gradients of models of
//! low dimension.
//!
//! [`Fwd`] carries a value and `N` directional derivatives in a plain array. Unlike
//! `num-dual`'s dual numbers, which stay the oracle, it takes the vectorised functions' analytic
//! partial derivatives ([`Scalar::PARTIALS`]): a density over many observations adds `d * eps`
//! per operand instead of running the chain rule through every scalar operation. Its
//! derivative part is never absent, so arithmetic has no branches and the lanes of a small
//! model fit in vector registers.

use crate::scalar::Scalar;
use std::cmp::Ordering;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real number with `N` directional derivatives.
#[derive(Clone, Copy, Debug)]
pub struct Fwd<const N: usize> {
    /// The value.
    pub re: f64,
    /// The derivatives, one per seeded direction.
    pub eps: [f64; N],
}

impl<const N: usize> Fwd<N> {
    /// A constant: `x` with zero derivatives.
    #[inline]
    pub const fn constant(x: f64) -> Self {
        Fwd { re: x, eps: [0.0; N] }
    }

    /// `x` with derivative 1 in direction `lane` and 0 in the others: an input variable.
    #[inline]
    pub fn seeded(x: f64, lane: usize) -> Self {
        let mut eps = [0.0; N];
        eps[lane] = 1.0;
        Fwd { re: x, eps }
    }

    /// `value` with derivatives `scale * self.eps`.
    #[inline]
    fn scaled(self, value: f64, scale: f64) -> Self {
        Fwd { re: value, eps: self.eps.map(|e| e * scale) }
    }

    /// `value` with derivatives `a * self.eps + b * other.eps`.
    #[inline]
    fn combined(self, a: f64, other: Self, b: f64, value: f64) -> Self {
        let mut eps = [0.0; N];
        for (i, e) in eps.iter_mut().enumerate() {
            *e = self.eps[i] * a + other.eps[i] * b;
        }
        Fwd { re: value, eps }
    }
}

impl<const N: usize> PartialEq for Fwd<N> {
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<const N: usize> PartialOrd for Fwd<N> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<const N: usize> PartialEq<f64> for Fwd<N> {
    fn eq(&self, other: &f64) -> bool {
        self.re == *other
    }
}

impl<const N: usize> PartialOrd<f64> for Fwd<N> {
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.re.partial_cmp(other)
    }
}

impl<const N: usize> Add for Fwd<N> {
    type Output = Self;
    #[inline]
    fn add(self, b: Self) -> Self {
        self.combined(1.0, b, 1.0, self.re + b.re)
    }
}

impl<const N: usize> Sub for Fwd<N> {
    type Output = Self;
    #[inline]
    fn sub(self, b: Self) -> Self {
        self.combined(1.0, b, -1.0, self.re - b.re)
    }
}

impl<const N: usize> Mul for Fwd<N> {
    type Output = Self;
    #[inline]
    fn mul(self, b: Self) -> Self {
        self.combined(b.re, b, self.re, self.re * b.re)
    }
}

impl<const N: usize> Div for Fwd<N> {
    type Output = Self;
    #[inline]
    fn div(self, b: Self) -> Self {
        let inv = 1.0 / b.re;
        let q = self.re * inv;
        self.combined(inv, b, -q * inv, self.re / b.re)
    }
}

impl<const N: usize> Neg for Fwd<N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.scaled(-self.re, -1.0)
    }
}

impl<const N: usize> Add<f64> for Fwd<N> {
    type Output = Self;
    #[inline]
    fn add(self, b: f64) -> Self {
        Fwd { re: self.re + b, eps: self.eps }
    }
}

impl<const N: usize> Sub<f64> for Fwd<N> {
    type Output = Self;
    #[inline]
    fn sub(self, b: f64) -> Self {
        Fwd { re: self.re - b, eps: self.eps }
    }
}

impl<const N: usize> Mul<f64> for Fwd<N> {
    type Output = Self;
    #[inline]
    fn mul(self, b: f64) -> Self {
        self.scaled(self.re * b, b)
    }
}

impl<const N: usize> Div<f64> for Fwd<N> {
    type Output = Self;
    #[inline]
    fn div(self, b: f64) -> Self {
        self.scaled(self.re / b, 1.0 / b)
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl<const N: usize> $trait for Fwd<N> {
            #[inline]
            fn $method(&mut self, b: Self) {
                *self = *self $op b;
            }
        }
        impl<const N: usize> $trait<f64> for Fwd<N> {
            #[inline]
            fn $method(&mut self, b: f64) {
                *self = *self $op b;
            }
        }
    )*};
}

assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *,
    DivAssign div_assign /);

impl<const N: usize> Scalar for Fwd<N> {
    #[inline]
    fn from_f64(x: f64) -> Self {
        Fwd::constant(x)
    }

    #[inline]
    fn value(&self) -> f64 {
        self.re
    }

    #[inline]
    fn chain(self, f: f64, df: f64) -> Self {
        if df.is_infinite() {
            // 0 * inf is NaN: a direction the operand does not depend on keeps a zero
            // derivative, and the others go to an infinity of the right sign.
            return Fwd { re: f, eps: self.eps.map(|e| if e == 0.0 { 0.0 } else { e * df }) };
        }
        self.scaled(f, df)
    }

    type Partials = [f64; N];

    const PARTIALS: bool = true;

    const DERIVATIVES: bool = true;

    #[inline]
    fn partials_new() -> [f64; N] {
        [0.0; N]
    }

    #[inline]
    fn partials_push(p: &mut [f64; N], x: Self, d: f64) {
        // A zero partial passes nothing on, even from an infinite derivative, where 0 * inf
        // would be NaN (as in the reverse sweep).
        if d != 0.0 {
            for (p, e) in p.iter_mut().zip(x.eps) {
                *p += e * d;
            }
        }
    }

    #[inline]
    fn partials_finish(p: [f64; N], value: f64) -> Self {
        Fwd { re: value, eps: p }
    }

    #[inline]
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    #[inline]
    fn ln(self) -> Self {
        self.chain(self.re.ln(), 1.0 / self.re)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        self.chain(self.re.ln_1p(), 1.0 / (1.0 + self.re))
    }
    #[inline]
    fn exp_m1(self) -> Self {
        self.chain(self.re.exp_m1(), self.re.exp())
    }
    #[inline]
    fn sqrt(self) -> Self {
        let s = self.re.sqrt();
        self.chain(s, 0.5 / s)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        let d = if n == 0 { 0.0 } else { n as f64 * self.re.powi(n - 1) };
        self.chain(self.re.powi(n), d)
    }
    #[inline]
    fn powf(self, y: f64) -> Self {
        let d = if y == 0.0 { 0.0 } else { y * self.re.powf(y - 1.0) };
        self.chain(self.re.powf(y), d)
    }
    #[inline]
    fn sin(self) -> Self {
        self.chain(self.re.sin(), self.re.cos())
    }
    #[inline]
    fn cos(self) -> Self {
        self.chain(self.re.cos(), -self.re.sin())
    }
    #[inline]
    fn tan(self) -> Self {
        let t = self.re.tan();
        self.chain(t, 1.0 + t * t)
    }
    #[inline]
    fn asin(self) -> Self {
        self.chain(self.re.asin(), 1.0 / (1.0 - self.re * self.re).sqrt())
    }
    #[inline]
    fn acos(self) -> Self {
        self.chain(self.re.acos(), -1.0 / (1.0 - self.re * self.re).sqrt())
    }
    #[inline]
    fn atan(self) -> Self {
        self.chain(self.re.atan(), 1.0 / (1.0 + self.re * self.re))
    }
    #[inline]
    fn sinh(self) -> Self {
        self.chain(self.re.sinh(), self.re.cosh())
    }
    #[inline]
    fn cosh(self) -> Self {
        self.chain(self.re.cosh(), self.re.sinh())
    }
    #[inline]
    fn tanh(self) -> Self {
        let t = self.re.tanh();
        self.chain(t, 1.0 - t * t)
    }
    #[inline]
    fn abs(self) -> Self {
        let x = self.re;
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(x.abs(), sign)
    }
    #[inline]
    fn square(self) -> Self {
        self.chain(self.re * self.re, 2.0 * self.re)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A function of one [`Fwd`] number, as the test cases list them.
    type Unary = fn(Fwd<2>) -> Fwd<2>;

    /// The derivative of `f` at `x` in direction 0, by [`Fwd`].
    fn derivative(f: impl Fn(Fwd<2>) -> Fwd<2>, x: f64) -> f64 {
        f(Fwd::seeded(x, 0)).eps[0]
    }

    #[test]
    fn arithmetic_and_functions_have_their_derivatives() {
        let x = 0.7;
        let cases: [(Unary, f64); 8] = [
            (|x| x * x * 3.0 - x / 2.0 + 1.0, 6.0 * 0.7 - 0.5),
            (|x| Fwd::constant(1.0) / x, -1.0 / (0.7 * 0.7)),
            (|x| x.exp().ln(), 1.0),
            (|x| x.sin() * x.cos(), (2.0 * 0.7f64).cos()),
            (|x| x.powf(2.5), 2.5 * 0.7f64.powf(1.5)),
            (|x| x.atan() + x.tanh(), 1.0 / 1.49 + 1.0 - 0.7f64.tanh().powi(2)),
            (|x| -x.sqrt(), -0.5 / 0.7f64.sqrt()),
            (|x| x.ln_1p() - x.exp_m1(), 1.0 / 1.7 - 0.7f64.exp()),
        ];
        for (i, (f, expected)) in cases.iter().enumerate() {
            let d = derivative(f, x);
            assert!((d - expected).abs() < 1e-14, "case {i}: {d} vs {expected}");
            assert_eq!(f(Fwd::seeded(x, 0)).eps[1], 0.0, "case {i}: an unseeded lane");
        }
    }

    #[test]
    fn partials_add_up_per_lane() {
        let (a, b) = (Fwd::<2>::seeded(2.0, 0), Fwd::<2>::seeded(3.0, 1));
        let mut p = Fwd::<2>::partials_new();
        Fwd::partials_push(&mut p, a, 4.0);
        Fwd::partials_push(&mut p, b, -1.5);
        Fwd::partials_push(&mut p, a * b, 0.5);
        let y = Fwd::partials_finish(p, 10.0);
        assert_eq!((y.re, y.eps), (10.0, [4.0 + 0.5 * 3.0, -1.5 + 0.5 * 2.0]));
    }

    #[test]
    fn an_infinite_slope_leaves_independent_lanes_at_zero() {
        let y = Fwd::<2>::seeded(0.0, 0).chain(0.0, f64::INFINITY);
        assert_eq!(y.eps, [f64::INFINITY, 0.0]);
        let z = Fwd::<2>::seeded(0.0, 1).sqrt();
        assert_eq!((z.re, z.eps), (0.0, [0.0, f64::INFINITY]));
    }
}
