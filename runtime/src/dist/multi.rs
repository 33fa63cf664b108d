//! Multivariate distributions: dirichlet, multi_normal_cholesky and categorical (Stan
//! functions reference, "Simplex distributions", "Multivariate normal distribution, Cholesky
//! parameterization" and "Categorical distribution"). Matrices are column-major flat slices.

use super::check::{self, is_const};
use crate::math::{Arg, HALF_LN_2PI, IntArg, common_len, lgamma, log_sum_exp_of, multiply_log};
use crate::model::ModelError;
use crate::scalar::Scalar;

/// The Dirichlet log density of the simplex `theta` with concentrations `alpha`.
pub fn dirichlet_lpdf<const PROPTO: bool, S: Scalar>(
    theta: impl Arg<S>,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "dirichlet_lpdf";
    let n = common_len(F, &[("theta", theta.len()), ("alpha", alpha.len())])?;
    check::positive_finite(F, "prior sample sizes", &alpha)?;
    check::each(F, "probabilities", &theta, "nonnegative", |v| v >= 0.0)?;
    let total: f64 = (0..n).map(|i| theta.value_at(i)).sum();
    if (total - 1.0).abs() > 1e-8 {
        return Err(ModelError::recoverable(format!(
            "{F}: probabilities is not a valid simplex. sum(probabilities) = {}, but should be 1",
            check::show(total)
        )));
    }
    let (ct, ca) = (is_const(&theta), is_const(&alpha));
    if PROPTO && ct && ca {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    let mut alpha_sum = S::zero();
    for i in 0..n {
        let a = alpha.at(i);
        alpha_sum += a;
        if !PROPTO || !ca {
            lp -= lgamma(a);
        }
        lp += multiply_log(a - 1.0, theta.at(i));
    }
    if !PROPTO || !ca {
        lp += lgamma(alpha_sum);
    }
    Ok(lp)
}

/// Largest dimension whose forward substitution runs in stack space; larger ones allocate.
const STACK_DIM: usize = 32;

/// The multivariate normal log density of `y` with mean `mu` and lower-triangular Cholesky
/// factor `l` of the covariance (column-major, `K x K` with `K` the length of `y`).
pub fn multi_normal_cholesky_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    l: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multi_normal_cholesky_lpdf";
    let k = common_len(F, &[("y", y.len()), ("mu", mu.len())])?;
    let l_len = l.len().unwrap_or(1);
    if l_len != k * k {
        return Err(ModelError::fatal(format!(
            "{F}: size of L ({l_len}) does not match size of y squared ({})",
            k * k
        )));
    }
    check::not_nan(F, "Random variable", &y)?;
    check::finite(F, "Location parameter", &mu)?;
    check::not_nan(F, "Cholesky factor of covariance matrix", &l)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&l) {
        return Ok(S::zero());
    }
    let mut stack = [S::zero(); STACK_DIM];
    let mut heap = Vec::new();
    let z: &mut [S] = if k <= STACK_DIM {
        &mut stack[..k]
    } else {
        heap.resize(k, S::zero());
        &mut heap
    };
    // Solve L z = y - mu; then the quadratic form is |z|^2.
    let mut lp = S::zero();
    for i in 0..k {
        let mut r = y.at(i) - mu.at(i);
        for (j, zj) in z.iter().enumerate().take(i) {
            r -= l.at(i + j * k) * *zj;
        }
        let d = l.at(i + i * k);
        z[i] = r / d;
        if !PROPTO || !is_const(&l) {
            lp -= d.ln();
        }
    }
    lp -= z.iter().fold(S::zero(), |acc, &v| acc + v * v) * 0.5;
    if !PROPTO {
        lp -= HALF_LN_2PI * k as f64;
    }
    Ok(lp)
}

/// The categorical log mass of outcomes `n` (1-based) under the simplex `theta`, summed.
pub fn categorical_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    theta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "categorical_lpmf";
    let k = theta.len().unwrap_or(1);
    check::each_int(F, "Number of categories", &n, &format!("in the interval [1, {k}]"), |c| {
        c >= 1 && c as usize <= k
    })?;
    if PROPTO && is_const(&theta) {
        return Ok(S::zero());
    }
    let m = n.len().unwrap_or(1);
    Ok((0..m).fold(S::zero(), |lp, i| lp + theta.at(n.int_at(i) as usize - 1).ln()))
}

/// The categorical log mass with log-odds `beta` (softmax), summed over outcomes `n`.
pub fn categorical_logit_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "categorical_logit_lpmf";
    let k = beta.len().unwrap_or(1);
    check::each_int(
        F,
        "categorical outcome out of support",
        &n,
        &format!("in the interval [1, {k}]"),
        |c| c >= 1 && c as usize <= k,
    )?;
    check::finite(F, "log odds parameter", &beta)?;
    if PROPTO && is_const(&beta) {
        return Ok(S::zero());
    }
    let norm = log_sum_exp_of(&beta);
    let m = n.len().unwrap_or(1);
    Ok((0..m).fold(S::zero(), |lp, i| lp + beta.at(n.int_at(i) as usize - 1) - norm))
}
