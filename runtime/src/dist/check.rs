//! Argument checks of the distributions, with the wording of Stan's error messages
//! ("normal_lpdf: Scale parameter is 0, but must be positive!").

use crate::math::{Arg, IntArg};
use crate::model::ModelError;
use crate::scalar::Scalar;

/// Prints a number the way Stan's messages do (`nan`, `inf`, `-1`, `0.5`).
pub(crate) fn show(x: f64) -> String {
    if x.is_nan() { "nan".to_string() } else { format!("{x}") }
}

/// The error of a failed check. It keeps its parts and is worded only when shown, so that a
/// rejected proposal allocates nothing.
fn fail(
    function: &'static str,
    name: &'static str,
    index: Option<usize>,
    x: f64,
    rule: &'static str,
) -> ModelError {
    ModelError::argument(function, name, index, x, rule)
}

/// Checks every element of `x` with `ok`, naming the first that fails.
#[inline]
pub(crate) fn each<S: Scalar>(
    function: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
    rule: &'static str,
    ok: impl Fn(f64) -> bool,
) -> Result<(), ModelError> {
    match x.len() {
        None => {
            let v = x.value_at(0);
            if ok(v) { Ok(()) } else { Err(fail(function, name, None, v, rule)) }
        }
        Some(n) => {
            for i in 0..n {
                let v = x.value_at(i);
                if !ok(v) {
                    return Err(fail(function, name, Some(i), v, rule));
                }
            }
            Ok(())
        }
    }
}

/// Checks every element of an integer argument.
pub(crate) fn each_int(
    function: &str,
    name: &str,
    x: &impl IntArg,
    rule: &str,
    ok: impl Fn(i64) -> bool,
) -> Result<(), ModelError> {
    let (n, index) = match x.len() {
        None => (1, false),
        Some(n) => (n, true),
    };
    for i in 0..n {
        let v = x.int_at(i);
        if !ok(v) {
            // Integer arguments are data, so this rejects every proposal and stops at
            // initialisation; the rule may be built at run time (`in the interval [1, K]`).
            let at = if index { format!("[{}]", i + 1) } else { String::new() };
            let text = format!("{function}: {name}{at} is {v}, but must be {rule}!");
            return Err(ModelError::recoverable(text));
        }
    }
    Ok(())
}

pub(crate) fn not_nan<S: Scalar>(
    f: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
) -> Result<(), ModelError> {
    each(f, name, x, "not nan", |v| !v.is_nan())
}

pub(crate) fn finite<S: Scalar>(
    f: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
) -> Result<(), ModelError> {
    each(f, name, x, "finite", f64::is_finite)
}

pub(crate) fn positive<S: Scalar>(
    f: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
) -> Result<(), ModelError> {
    each(f, name, x, "positive", |v| v > 0.0)
}

pub(crate) fn positive_finite<S: Scalar>(
    f: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
) -> Result<(), ModelError> {
    each(f, name, x, "positive finite", |v| v > 0.0 && v.is_finite())
}

pub(crate) fn nonnegative<S: Scalar>(
    f: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
) -> Result<(), ModelError> {
    each(f, name, x, "nonnegative", |v| v >= 0.0)
}

pub(crate) fn unit_interval<S: Scalar>(
    f: &'static str,
    name: &'static str,
    x: &impl Arg<S>,
) -> Result<(), ModelError> {
    each(f, name, x, "in the interval [0, 1]", |v| (0.0..=1.0).contains(&v))
}

pub(crate) fn nonnegative_int(f: &str, name: &str, x: &impl IntArg) -> Result<(), ModelError> {
    each_int(f, name, x, "nonnegative", |v| v >= 0)
}

/// Checks element `i` of an argument whose value `v` a single-pass loop has already computed;
/// `container` says whether the argument has elements, so that the message shows the index.
#[inline]
pub(crate) fn element(
    function: &'static str,
    name: &'static str,
    container: bool,
    i: usize,
    v: f64,
    rule: &'static str,
    ok: bool,
) -> Result<(), ModelError> {
    if ok { Ok(()) } else { Err(fail(function, name, container.then_some(i), v, rule)) }
}

/// Checks an `f64` argument of an `_rng` function.
pub(crate) fn scalar(
    function: &'static str,
    name: &'static str,
    x: f64,
    rule: &'static str,
    ok: bool,
) -> Result<(), ModelError> {
    if ok { Ok(()) } else { Err(fail(function, name, None, x, rule)) }
}

/// Whether an argument holds no parameters (its terms may be dropped under `~`).
#[inline]
pub(crate) fn is_const<S: Scalar, A: Arg<S>>(_: &A) -> bool {
    A::CONSTANT
}
