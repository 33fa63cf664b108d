//! Reductions over a vector argument (Stan functions reference, "Reductions" and "Dot products
//! and specialized products"), taking any [`Arg`] so that lazy expressions need no temporary.

use super::args::{Arg, common_len};
use super::partials::Terms;
use crate::model::ModelError;
use crate::scalar::Scalar;

fn n_of<S: Scalar>(x: &impl Arg<S>) -> usize {
    x.len().unwrap_or(1)
}

fn nonzero_size<S: Scalar>(function: &str, x: &impl Arg<S>) -> Result<usize, ModelError> {
    match n_of(x) {
        0 => Err(ModelError::fatal(format!(
            "{function}: x has size 0, but must have a non-zero size"
        ))),
        n => Ok(n),
    }
}

/// The sum of the elements; 0 for an empty container.
pub fn sum<S: Scalar>(x: impl Arg<S>) -> S {
    if S::PARTIALS {
        return sum_analytic(x);
    }
    (0..n_of(&x)).fold(S::zero(), |acc, i| acc + x.at(i))
}

/// `sum` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn sum_analytic<S: Scalar>(x: impl Arg<S>) -> S {
    let mut terms = Terms::<S, 1>::new();
    let mut total = 0.0;
    for i in 0..n_of(&x) {
        let v = x.at(i);
        total += v.value();
        terms.push(0, &x, v, 1.0);
    }
    terms.finish_arg(0, &x);
    terms.finish(total)
}

/// The product of the elements; 1 for an empty container.
pub fn prod<S: Scalar>(x: impl Arg<S>) -> S {
    (0..n_of(&x)).fold(S::one(), |acc, i| acc * x.at(i))
}

/// The sample mean; an error for an empty container.
pub fn mean<S: Scalar>(x: impl Arg<S>) -> Result<S, ModelError> {
    let n = nonzero_size("mean", &x)?;
    Ok(sum(&x) / n as f64)
}

/// The sample variance, with the `n - 1` denominator; 0 for one element.
pub fn variance<S: Scalar>(x: impl Arg<S>) -> Result<S, ModelError> {
    let n = nonzero_size("variance", &x)?;
    if n == 1 {
        return Ok(S::zero());
    }
    let m = sum(&x) / n as f64;
    let ss = (0..n).fold(S::zero(), |acc, i| {
        let d = x.at(i) - m;
        acc + d * d
    });
    Ok(ss / (n - 1) as f64)
}

/// The sample standard deviation, with the `n - 1` denominator; 0 for one element.
pub fn sd<S: Scalar>(x: impl Arg<S>) -> Result<S, ModelError> {
    let v = variance(x)?;
    // sqrt has an infinite derivative at 0; a constant vector has sd 0 with zero derivative.
    if v.value() == 0.0 { Ok(S::zero()) } else { Ok(v.sqrt()) }
}

/// `sum(a .* b)`; an error when the lengths differ.
pub fn dot_product<S: Scalar>(a: impl Arg<S>, b: impl Arg<S>) -> Result<S, ModelError> {
    if S::PARTIALS {
        return dot_product_analytic(a, b);
    }
    let n = common_len("dot_product", &[("x1", a.len()), ("x2", b.len())])?;
    Ok((0..n).fold(S::zero(), |acc, i| acc + a.at(i) * b.at(i)))
}

/// `dot_product` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn dot_product_analytic<S: Scalar>(a: impl Arg<S>, b: impl Arg<S>) -> Result<S, ModelError> {
    let n = common_len("dot_product", &[("x1", a.len()), ("x2", b.len())])?;
    let mut terms = Terms::<S, 2>::new();
    let mut total = 0.0;
    for i in 0..n {
        let (x, y) = (a.at(i), b.at(i));
        let (xv, yv) = (x.value(), y.value());
        total += xv * yv;
        terms.push(0, &a, x, yv);
        terms.push(1, &b, y, xv);
    }
    terms.finish_arg(0, &a);
    terms.finish_arg(1, &b);
    Ok(terms.finish(total))
}

/// `sum(x .* x)`.
pub fn dot_self<S: Scalar>(x: impl Arg<S>) -> S {
    if S::PARTIALS {
        return dot_self_analytic(x);
    }
    (0..n_of(&x)).fold(S::zero(), |acc, i| {
        let v = x.at(i);
        acc + v * v
    })
}

/// `dot_self` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn dot_self_analytic<S: Scalar>(x: impl Arg<S>) -> S {
    let mut terms = Terms::<S, 1>::new();
    let mut total = 0.0;
    for i in 0..n_of(&x) {
        let v = x.at(i);
        total += v.value() * v.value();
        terms.push(0, &x, v, 2.0 * v.value());
    }
    terms.finish_arg(0, &x);
    terms.finish(total)
}

/// `ln(sum(exp(x)))` over a container (Stan's one-argument `log_sum_exp`); `-inf` when empty
/// or when every element is `-inf`.
pub fn log_sum_exp_of<S: Scalar>(x: impl Arg<S>) -> S {
    if S::PARTIALS {
        return log_sum_exp_of_analytic(x);
    }
    let n = n_of(&x);
    let mut m = f64::NEG_INFINITY;
    for i in 0..n {
        m = m.max(x.value_at(i));
    }
    if m.is_infinite() {
        return S::from_f64(m);
    }
    if m.is_nan() {
        return S::from_f64(f64::NAN);
    }
    let total = (0..n).fold(S::zero(), |acc, i| acc + (x.at(i) - m).exp());
    total.ln() + m
}

/// `log_sum_exp_of` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn log_sum_exp_of_analytic<S: Scalar>(x: impl Arg<S>) -> S {
    let n = n_of(&x);
    let mut m = f64::NEG_INFINITY;
    for i in 0..n {
        m = m.max(x.value_at(i));
    }
    if m.is_infinite() {
        return S::from_f64(m);
    }
    if m.is_nan() {
        return S::from_f64(f64::NAN);
    }
    let total: f64 = (0..n).map(|i| (x.value_at(i) - m).exp()).sum();
    let mut terms = Terms::<S, 1>::new();
    for i in 0..n {
        let v = x.at(i);
        terms.push(0, &x, v, (v.value() - m).exp() / total);
    }
    terms.finish_arg(0, &x);
    terms.finish(total.ln() + m)
}

/// The largest element; `-inf` for an empty container.
pub fn max<S: Scalar>(x: impl Arg<S>) -> S {
    let mut best = S::from_f64(f64::NEG_INFINITY);
    for i in 0..n_of(&x) {
        let v = x.at(i);
        if v.value() > best.value() || v.value().is_nan() {
            best = v;
        }
    }
    best
}

/// The smallest element; `+inf` for an empty container.
pub fn min<S: Scalar>(x: impl Arg<S>) -> S {
    let mut best = S::from_f64(f64::INFINITY);
    for i in 0..n_of(&x) {
        let v = x.at(i);
        if v.value() < best.value() || v.value().is_nan() {
            best = v;
        }
    }
    best
}
