//! Sums over vectorised arguments built from per-element partial derivatives.
//!
//! A vectorised density or reduction computes each element's value and partial derivatives in
//! `f64` and hands them to [`Terms`], which passes them to the scalar type through
//! [`Scalar::partials_push`]: one dual multiply-add per operand for dual numbers, one edge of a
//! single tape node for reverse mode. A broadcast scalar argument collects the sum of its
//! partials and is pushed once, at the end.

use crate::math::Arg;
use crate::scalar::Scalar;

/// The derivative terms of a sum over the elements of up to `K` arguments.
pub(crate) struct Terms<S: Scalar, const K: usize> {
    partials: S::Partials,
    broadcast: [f64; K],
}

impl<S: Scalar, const K: usize> Terms<S, K> {
    /// No terms yet.
    #[inline]
    pub(crate) fn new() -> Self {
        Terms { partials: S::partials_new(), broadcast: [0.0; K] }
    }

    /// Adds `d` times the derivative of element `x` of argument number `k`.
    #[inline]
    pub(crate) fn push<A: Arg<S>>(&mut self, k: usize, arg: &A, x: S, d: f64) {
        if A::CONSTANT {
            return;
        }
        if arg.len().is_some() {
            S::partials_push(&mut self.partials, x, d);
        } else {
            self.broadcast[k] += d;
        }
    }

    /// Adds `d` times the derivative of `x`, an element of a container argument that may hold
    /// parameters (the caller has checked that it may).
    #[inline]
    pub(crate) fn push_element(&mut self, x: S, d: f64) {
        S::partials_push(&mut self.partials, x, d);
    }

    /// Pushes the summed partial of argument number `k` if it is a broadcast scalar.
    #[inline]
    pub(crate) fn finish_arg<A: Arg<S>>(&mut self, k: usize, arg: &A) {
        if !A::CONSTANT && arg.len().is_none() {
            S::partials_push(&mut self.partials, arg.at(0), self.broadcast[k]);
        }
    }

    /// The sum `value` with the derivatives pushed so far.
    #[inline]
    pub(crate) fn finish(self, value: f64) -> S {
        S::partials_finish(self.partials, value)
    }
}
