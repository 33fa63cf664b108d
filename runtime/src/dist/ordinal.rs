//! Ordinal regression: ordered_logistic and ordered_probit (Stan functions reference,
//! "Ordered logistic and probit distributions"). The outcome `k` in `1..=K` falls between
//! cut-points `c` (an ordered vector of `K - 1`), one vector for all outcomes or one per
//! outcome, read as the rows of a [`MatArg`].

use super::check;
use crate::math::{
    Arg, IntArg, MatArg, common_len, log_diff_exp, log_inv_logit, log_phi, log1m_exp,
    log1m_inv_logit, log1p_exp,
};
use crate::model::ModelError;
use crate::scalar::Scalar;

/// Checks the outcomes, the linear predictor and the cut-points; returns the number of terms.
fn ordinal_checks<S: Scalar>(
    f: &'static str,
    k: &impl IntArg,
    eta: &impl Arg<S>,
    c: &impl MatArg<S>,
) -> Result<usize, ModelError> {
    let n = common_len(f, &[("k", k.len()), ("eta", eta.len())])?;
    if c.rows() != 1 && c.rows() != n {
        return Err(ModelError::fatal(format!(
            "{f}: size of argument c ({}) does not match size of argument k ({n})",
            c.rows()
        )));
    }
    let categories = c.cols() + 1;
    check::each_int(f, "Random variable", k, &format!("in the interval [1, {categories}]"), |v| {
        v >= 1 && v as usize <= categories
    })?;
    check::finite(f, "Location parameter", eta)?;
    for r in 0..c.rows() {
        for j in 0..c.cols() {
            let v = c.entry_value(r, j);
            if !v.is_finite() {
                return Err(ModelError::recoverable(format!(
                    "{f}: Cut-points[{}] is {}, but must be finite!",
                    j + 1,
                    check::show(v)
                )));
            }
            let prev = if j > 0 { c.entry_value(r, j - 1) } else { f64::NEG_INFINITY };
            if v <= prev {
                return Err(ModelError::recoverable(format!(
                    "{f}: Cut-points is not a valid ordered vector. The element at {} is {}, but \
                     should be greater than the previous element, {}",
                    j + 1,
                    check::show(v),
                    check::show(prev)
                )));
            }
        }
    }
    Ok(n)
}

/// Sums `term(category, eta_i, c_i)` over outcomes, where `lower(x)` and `upper(x)` are the
/// log probabilities of the first and last categories and `between(x, y)` that of the band
/// between two cut-points (`x = eta - c[k-1] > y = eta - c[k]`).
fn ordinal_sum<S: Scalar>(
    n: usize,
    k: &impl IntArg,
    eta: &impl Arg<S>,
    c: &impl MatArg<S>,
    first: impl Fn(S) -> S,
    last: impl Fn(S) -> S,
    between: impl Fn(S, S) -> S,
) -> S {
    let categories = c.cols() + 1;
    let mut lp = S::zero();
    for i in 0..n {
        let (kk, e) = (k.int_at(i) as usize, eta.at(i));
        let row = if c.rows() == 1 { 0 } else { i };
        if categories == 1 {
            continue;
        }
        lp += if kk == 1 {
            first(e - c.entry(row, 0))
        } else if kk == categories {
            last(e - c.entry(row, categories - 2))
        } else {
            between(e - c.entry(row, kk - 2), e - c.entry(row, kk - 1))
        };
    }
    lp
}

/// The ordered logistic log mass of outcomes `k` with linear predictor `eta` and cut-points
/// `c`: `P(k) = inv_logit(eta - c[k-1]) - inv_logit(eta - c[k])`, summed; the difference is
/// taken as `ln inv_logit(x) + ln(1 - e^(y - x)) - ln(1 + e^y)`, which does not cancel.
///
/// Every term depends on the parameters, so `PROPTO` drops nothing.
pub fn ordered_logistic_lpmf<const PROPTO: bool, S: Scalar>(
    k: impl IntArg,
    eta: impl Arg<S>,
    c: impl MatArg<S>,
) -> Result<S, ModelError> {
    let n = ordinal_checks("ordered_logistic_lpmf", &k, &eta, &c)?;
    Ok(ordinal_sum(n, &k, &eta, &c, log1m_inv_logit, log_inv_logit, |x, y| {
        log_inv_logit(x) + log1m_exp(y - x) - log1p_exp(y)
    }))
}

/// The ordered probit log mass: `P(k) = Phi(eta - c[k-1]) - Phi(eta - c[k])`, summed; the
/// difference is taken in whichever tail keeps it from cancelling.
pub fn ordered_probit_lpmf<const PROPTO: bool, S: Scalar>(
    k: impl IntArg,
    eta: impl Arg<S>,
    c: impl MatArg<S>,
) -> Result<S, ModelError> {
    let n = ordinal_checks("ordered_probit_lpmf", &k, &eta, &c)?;
    Ok(ordinal_sum(
        n,
        &k,
        &eta,
        &c,
        |x| log_phi(-x),
        log_phi,
        |x, y| {
            if y.value() > 0.0 {
                log_diff_exp(log_phi(-y), log_phi(-x))
            } else {
                log_diff_exp(log_phi(x), log_phi(y))
            }
        },
    ))
}
