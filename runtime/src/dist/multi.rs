//! Multivariate distributions: dirichlet, multi_normal (with covariance, Cholesky factor or
//! precision), multi_student_t, wishart, inv_wishart, lkj_corr, lkj_corr_cholesky,
//! categorical and multinomial (Stan functions reference, "Simplex distributions",
//! "Multivariate normal distribution", "Multivariate Student-t distribution", "Covariance
//! matrix distributions", "Correlation matrix distributions", "Categorical distribution" and
//! "Multinomial distribution"). Matrices are [`MatArg`]s, stored as rows; a multivariate
//! outcome is one vector or an array of vectors, one per row.

// Negated comparisons (`!(d > 0.0)`) are deliberate: they reject NaN with the out-of-range
// values. Linear algebra reads best with the textbook's index loops.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::check::{self, is_const};
use crate::math::matrix::with_scratch;
use crate::math::{
    Arg, HALF_LN_2PI, IntArg, LN2, MatArg, common_len, lbeta, lgamma, log_sum_exp_of, multiply_log,
};
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

/// Checks the shapes of a multivariate normal's outcome (`ny` vectors of `k`), locations (one
/// or `ny` vectors of `k`) and `k x k` covariance or Cholesky factor.
fn check_mvn_sizes<S: Scalar>(
    function: &'static str,
    cov_name: &str,
    y: &impl MatArg<S>,
    mu: &impl MatArg<S>,
    cov: &impl MatArg<S>,
) -> Result<(), ModelError> {
    let (ny, k) = (y.rows(), y.cols());
    if mu.cols() != k {
        return Err(ModelError::fatal(format!(
            "{function}: size of location parameter ({}) does not match size of random \
             variable ({k})",
            mu.cols()
        )));
    }
    if mu.rows() != 1 && mu.rows() != ny {
        return Err(ModelError::fatal(format!(
            "{function}: number of location vectors ({}) does not match number of random \
             variables ({ny})",
            mu.rows()
        )));
    }
    if cov.rows() != k || cov.cols() != k {
        return Err(ModelError::fatal(format!(
            "{function}: {cov_name} is {} x {}, but the random variable has size {k}",
            cov.rows(),
            cov.cols()
        )));
    }
    for n in 0..ny {
        for i in 0..k {
            if y.entry_value(n, i).is_nan() {
                return Err(ModelError::recoverable(format!(
                    "{function}: Random variable[{}] is nan, but must not be nan!",
                    i + 1
                )));
            }
        }
    }
    for n in 0..mu.rows() {
        for i in 0..k {
            let v = mu.entry_value(n, i);
            if !v.is_finite() {
                return Err(ModelError::recoverable(format!(
                    "{function}: Location parameter[{}] is {}, but must be finite!",
                    i + 1,
                    check::show(v)
                )));
            }
        }
    }
    Ok(())
}

/// `sum_n -|L^-1 (y_n - mu_n)|^2 / 2` for the lower-triangular `l` (`l[i * k + j]` is entry
/// `(i, j)`, only the lower triangle is read), with `z` as scratch of length `k`.
fn mvn_quadratic<S: Scalar>(
    y: &impl MatArg<S>,
    mu: &impl MatArg<S>,
    l: impl Fn(usize, usize) -> S,
    z: &mut [S],
) -> S {
    let k = z.len();
    let mut total = S::zero();
    for n in 0..y.rows() {
        let m = if mu.rows() == 1 { 0 } else { n };
        for i in 0..k {
            let mut r = y.entry(n, i) - mu.entry(m, i);
            for (j, zj) in z.iter().enumerate().take(i) {
                r -= l(i, j) * *zj;
            }
            z[i] = r / l(i, i);
        }
        total -= z.iter().fold(S::zero(), |acc, &v| acc + v * v) * 0.5;
    }
    total
}

/// The multivariate normal log density of `y` (one vector, or one per row: an array of
/// vectors) with location `mu` (one vector, or one per outcome) and lower-triangular Cholesky
/// factor `l` of the covariance; summed over outcomes.
pub fn multi_normal_cholesky_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl MatArg<S>,
    mu: impl MatArg<S>,
    l: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multi_normal_cholesky_lpdf";
    if y.rows() == 0 {
        return Ok(S::zero());
    }
    check_mvn_sizes(F, "Cholesky factor L", &y, &mu, &l)?;
    let (ny, k) = (y.rows(), y.cols());
    for i in 0..k {
        for j in 0..=i {
            if l.entry_value(i, j).is_nan() {
                return Err(ModelError::recoverable(format!(
                    "{F}: Cholesky factor of covariance matrix[{},{}] is nan, but must not be \
                     nan!",
                    i + 1,
                    j + 1
                )));
            }
        }
    }
    if PROPTO && is_const_mat(&y) && is_const_mat(&mu) && is_const_mat(&l) {
        return Ok(S::zero());
    }
    let mut lp = with_scratch(k, |z| mvn_quadratic(&y, &mu, |i, j| l.entry(i, j), z));
    if !PROPTO || !is_const_mat(&l) {
        for i in 0..k {
            lp -= l.entry(i, i).ln() * ny as f64;
        }
    }
    if !PROPTO {
        lp -= HALF_LN_2PI * (k * ny) as f64;
    }
    Ok(lp)
}

fn is_const_mat<S: Scalar, M: MatArg<S>>(_: &M) -> bool {
    M::CONSTANT
}

/// The lower Cholesky factor of the symmetric `sigma` into `l` (row-major `k x k`), or the
/// recoverable error of a matrix that is not positive definite.
pub(super) fn cholesky_into<S: Scalar>(
    function: &'static str,
    name: &'static str,
    sigma: &impl MatArg<S>,
    l: &mut [S],
) -> Result<(), ModelError> {
    let k = sigma.rows();
    for i in 0..k {
        for j in (i + 1)..k {
            let (a, b) = (sigma.entry_value(i, j), sigma.entry_value(j, i));
            if !((a - b).abs() <= 1e-8) {
                return Err(ModelError::recoverable(format!(
                    "{function}: {name} is not symmetric. {name}[{},{}] = {a}, but \
                     {name}[{},{}] = {b}",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1
                )));
            }
        }
    }
    for j in 0..k {
        let mut d = sigma.entry(j, j);
        for c in 0..j {
            d -= l[j * k + c] * l[j * k + c];
        }
        if !(d.value() > 0.0) {
            return Err(ModelError::recoverable(format!(
                "{function}: {name} is not positive definite."
            )));
        }
        let djj = d.sqrt();
        l[j * k + j] = djj;
        for i in (j + 1)..k {
            let mut s = sigma.entry(i, j);
            for c in 0..j {
                s -= l[i * k + c] * l[j * k + c];
            }
            l[i * k + j] = s / djj;
        }
    }
    Ok(())
}

/// The multivariate normal log density of `y` (one vector or an array of vectors) with
/// location `mu` and covariance `sigma`, which must be symmetric positive definite.
pub fn multi_normal_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl MatArg<S>,
    mu: impl MatArg<S>,
    sigma: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multi_normal_lpdf";
    if y.rows() == 0 {
        return Ok(S::zero());
    }
    check_mvn_sizes(F, "Covariance matrix", &y, &mu, &sigma)?;
    let (ny, k) = (y.rows(), y.cols());
    if PROPTO && is_const_mat(&y) && is_const_mat(&mu) && is_const_mat(&sigma) {
        return Ok(S::zero());
    }
    with_scratch(k * k + k, |scratch: &mut [S]| {
        let (l, z) = scratch.split_at_mut(k * k);
        cholesky_into(F, "Covariance matrix", &sigma, l)?;
        let mut lp = mvn_quadratic(&y, &mu, |i, j| l[i * k + j], z);
        if !PROPTO || !is_const_mat(&sigma) {
            for i in 0..k {
                lp -= l[i * k + i].ln() * ny as f64;
            }
        }
        if !PROPTO {
            lp -= HALF_LN_2PI * (k * ny) as f64;
        }
        Ok(lp)
    })
}

/// `ln` of the LKJ density's normalising constant for `k x k` correlation matrices
/// (Lewandowski, Kurowicka and Joe 2009, section 3.2):
/// `-sum_{i=1}^{k-1} [(2 eta - 2 + k - i)(k - i) ln 2 + (k - i) lbeta(b_i, b_i)]` with
/// `b_i = eta + (k - i - 1) / 2`.
fn lkj_log_constant<S: Scalar>(eta: S, k: usize) -> S {
    let mut c = S::zero();
    for i in 1..k {
        let ki = (k - i) as f64;
        let b = eta + (ki - 1.0) * 0.5;
        c -= (eta * 2.0 - 2.0 + ki) * (ki * LN2);
        c -= lbeta(b, b) * ki;
    }
    c
}

fn check_eta<S: Scalar>(function: &'static str, eta: &impl Arg<S>) -> Result<S, ModelError> {
    if eta.len().is_some() {
        return Err(ModelError::fatal(format!("{function}: the shape parameter must be a scalar")));
    }
    check::positive_finite(function, "Shape parameter", eta)?;
    Ok(eta.at(0))
}

fn check_square_outcome<S: Scalar>(
    function: &'static str,
    m: &impl MatArg<S>,
) -> Result<usize, ModelError> {
    let (r, c) = (m.rows(), m.cols());
    if r != c && r != 0 {
        return Err(ModelError::fatal(format!(
            "{function}: the random variable must be square, but is {r} x {c}"
        )));
    }
    Ok(r)
}

/// The LKJ log density of the Cholesky factor `l` of a correlation matrix with shape `eta`:
/// `sum_{i=2}^{K} (K - i + 2 eta - 2) ln L_ii` plus the normalising constant.
pub fn lkj_corr_cholesky_lpdf<const PROPTO: bool, S: Scalar>(
    l: impl MatArg<S>,
    eta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "lkj_corr_cholesky_lpdf";
    let k = check_square_outcome(F, &l)?;
    let e = check_eta(F, &eta)?;
    for i in 0..k {
        let d = l.entry_value(i, i);
        if !(d > 0.0) {
            return Err(ModelError::recoverable(format!(
                "{F}: Random variable[{},{}] is {}, but a Cholesky factor of a correlation \
                 matrix must have a positive diagonal!",
                i + 1,
                i + 1,
                check::show(d)
            )));
        }
    }
    let (cl, ce) = (is_const_mat(&l), is_const(&eta));
    if PROPTO && cl && ce {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    if !PROPTO || !ce {
        lp += lkj_log_constant(e, k);
    }
    for i in 1..k {
        lp += l.entry(i, i).ln() * ((e * 2.0 - 2.0) + (k - 1 - i) as f64);
    }
    Ok(lp)
}

/// The LKJ log density of the correlation matrix `omega` with shape `eta`:
/// `(eta - 1) ln det omega` plus the normalising constant.
pub fn lkj_corr_lpdf<const PROPTO: bool, S: Scalar>(
    omega: impl MatArg<S>,
    eta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "lkj_corr_lpdf";
    let k = check_square_outcome(F, &omega)?;
    let e = check_eta(F, &eta)?;
    for i in 0..k {
        let d = omega.entry_value(i, i);
        if !((d - 1.0).abs() <= 1e-8) {
            return Err(ModelError::recoverable(format!(
                "{F}: Random variable[{},{}] is {}, but a correlation matrix must have a unit \
                 diagonal!",
                i + 1,
                i + 1,
                check::show(d)
            )));
        }
    }
    let (co, ce) = (is_const_mat(&omega), is_const(&eta));
    if PROPTO && co && ce {
        return Ok(S::zero());
    }
    with_scratch(k * k, |l: &mut [S]| {
        cholesky_into(F, "Correlation matrix", &omega, l)?;
        let mut lp = S::zero();
        if !PROPTO || !ce {
            lp += lkj_log_constant(e, k);
        }
        if e.value() != 1.0 || !ce {
            let log_det = (0..k).fold(S::zero(), |acc, i| acc + l[i * k + i].ln()) * 2.0;
            lp += log_det * (e - 1.0);
        }
        Ok(lp)
    })
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

/// The multinomial log mass of the counts `y` under the simplex `theta`:
/// `ln N! - sum ln y_i! + sum y_i ln theta_i` with `N = sum y_i`.
pub fn multinomial_lpmf<const PROPTO: bool, S: Scalar>(
    y: impl IntArg,
    theta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multinomial_lpmf";
    let n = common_len(F, &[("y", y.len()), ("theta", theta.len())])?;
    check::nonnegative_int(F, "Number of trials variable", &y)?;
    check::each(F, "Probabilities parameter", &theta, "nonnegative", |v| v >= 0.0)?;
    let total: f64 = (0..n).map(|i| theta.value_at(i)).sum();
    if (total - 1.0).abs() > 1e-8 {
        return Err(ModelError::recoverable(format!(
            "{F}: Probabilities parameter is not a valid simplex. sum(Probabilities parameter) \
             = {}, but should be 1",
            check::show(total)
        )));
    }
    if PROPTO && is_const(&theta) {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    if !PROPTO {
        let trials: i64 = (0..n).map(|i| y.int_at(i)).sum();
        lp += crate::math::lgamma_f64(trials as f64 + 1.0);
    }
    for i in 0..n {
        let count = y.int_at(i);
        if !PROPTO {
            lp -= crate::math::lgamma_f64(count as f64 + 1.0);
        }
        if count > 0 {
            lp += theta.at(i).ln() * count as f64;
        }
    }
    Ok(lp)
}

/// The multivariate normal log density with precision matrix `omega` (the inverse of the
/// covariance): `ln det(omega) / 2 - (y - mu)' omega (y - mu) / 2`, summed over outcomes.
pub fn multi_normal_prec_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl MatArg<S>,
    mu: impl MatArg<S>,
    omega: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multi_normal_prec_lpdf";
    if y.rows() == 0 {
        return Ok(S::zero());
    }
    check_mvn_sizes(F, "Precision matrix", &y, &mu, &omega)?;
    let (ny, k) = (y.rows(), y.cols());
    if PROPTO && is_const_mat(&y) && is_const_mat(&mu) && is_const_mat(&omega) {
        return Ok(S::zero());
    }
    with_scratch(k * k + k, |scratch: &mut [S]| {
        let (l, d) = scratch.split_at_mut(k * k);
        cholesky_into(F, "Precision matrix", &omega, l)?;
        let mut lp = S::zero();
        for n in 0..ny {
            let m = if mu.rows() == 1 { 0 } else { n };
            for i in 0..k {
                d[i] = y.entry(n, i) - mu.entry(m, i);
            }
            for i in 0..k {
                let mut row = S::zero();
                for j in 0..k {
                    row += omega.entry(i, j) * d[j];
                }
                lp -= row * d[i] * 0.5;
            }
        }
        if !PROPTO || !is_const_mat(&omega) {
            for i in 0..k {
                lp += l[i * k + i].ln() * ny as f64;
            }
        }
        if !PROPTO {
            lp -= HALF_LN_2PI * (k * ny) as f64;
        }
        Ok(lp)
    })
}

/// The multivariate Student-t log density of `y` with `nu` degrees of freedom, location
/// `mu` and lower-triangular scale factor `l` (`Sigma = L L'`), summed over outcomes:
/// `lgamma((nu + K) / 2) - lgamma(nu / 2) - K ln(nu pi) / 2 - ln det L
/// - (nu + K) / 2 ln(1 + |L^-1 (y - mu)|^2 / nu)`.
fn multi_student_t_factor<const PROPTO: bool, S: Scalar>(
    y: &impl MatArg<S>,
    nu: S,
    nu_const: bool,
    mu: &impl MatArg<S>,
    l: impl Fn(usize, usize) -> S,
    l_const: bool,
    z: &mut [S],
) -> S {
    let (ny, k) = (y.rows(), z.len());
    let kf = k as f64;
    let mut lp = S::zero();
    for n in 0..ny {
        let m = if mu.rows() == 1 { 0 } else { n };
        for i in 0..k {
            let mut r = y.entry(n, i) - mu.entry(m, i);
            for j in 0..i {
                r -= l(i, j) * z[j];
            }
            z[i] = r / l(i, i);
        }
        let q = z.iter().fold(S::zero(), |acc, &v| acc + v * v);
        lp -= (nu + kf) * 0.5 * (q / nu).ln_1p();
    }
    if !PROPTO || !nu_const {
        let per = lgamma((nu + kf) * 0.5) - lgamma(nu * 0.5) - nu.ln() * (kf * 0.5);
        lp += per * ny as f64;
    }
    if !PROPTO || !l_const {
        for i in 0..k {
            lp -= l(i, i).ln() * ny as f64;
        }
    }
    if !PROPTO {
        lp -= std::f64::consts::PI.ln() * 0.5 * kf * ny as f64;
    }
    lp
}

fn check_nu<S: Scalar>(function: &'static str, nu: &impl Arg<S>) -> Result<S, ModelError> {
    if nu.len().is_some() {
        return Err(ModelError::fatal(format!(
            "{function}: the degrees of freedom parameter must be a scalar"
        )));
    }
    check::positive_finite(function, "Degrees of freedom parameter", nu)?;
    Ok(nu.at(0))
}

/// The multivariate Student-t log density with `nu` degrees of freedom, location `mu` and
/// scale matrix `sigma` (symmetric positive definite), summed over outcomes.
pub fn multi_student_t_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl MatArg<S>,
    nu: impl Arg<S>,
    mu: impl MatArg<S>,
    sigma: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multi_student_t_lpdf";
    let v = check_nu(F, &nu)?;
    if y.rows() == 0 {
        return Ok(S::zero());
    }
    check_mvn_sizes(F, "Scale parameter", &y, &mu, &sigma)?;
    let k = y.cols();
    let consts = [is_const_mat(&y), is_const(&nu), is_const_mat(&mu), is_const_mat(&sigma)];
    if PROPTO && consts.iter().all(|c| *c) {
        return Ok(S::zero());
    }
    with_scratch(k * k + k, |scratch: &mut [S]| {
        let (l, z) = scratch.split_at_mut(k * k);
        cholesky_into(F, "Scale parameter", &sigma, l)?;
        let factor = |i: usize, j: usize| l[i * k + j];
        Ok(multi_student_t_factor::<PROPTO, S>(&y, v, consts[1], &mu, factor, consts[3], z))
    })
}

/// The multivariate Student-t log density with the lower-triangular Cholesky factor `l` of
/// the scale matrix, summed over outcomes.
pub fn multi_student_t_cholesky_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl MatArg<S>,
    nu: impl Arg<S>,
    mu: impl MatArg<S>,
    l: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "multi_student_t_cholesky_lpdf";
    let v = check_nu(F, &nu)?;
    if y.rows() == 0 {
        return Ok(S::zero());
    }
    check_mvn_sizes(F, "Cholesky factor of scale matrix", &y, &mu, &l)?;
    let k = y.cols();
    for i in 0..k {
        let d = l.entry_value(i, i);
        if !(d > 0.0) {
            return Err(ModelError::recoverable(format!(
                "{F}: Cholesky factor of scale matrix[{},{}] is {}, but must be positive!",
                i + 1,
                i + 1,
                check::show(d)
            )));
        }
    }
    let consts = [is_const_mat(&y), is_const(&nu), is_const_mat(&mu), is_const_mat(&l)];
    if PROPTO && consts.iter().all(|c| *c) {
        return Ok(S::zero());
    }
    Ok(with_scratch(k, |z| {
        let factor = |i: usize, j: usize| l.entry(i, j);
        multi_student_t_factor::<PROPTO, S>(&y, v, consts[1], &mu, factor, consts[3], z)
    }))
}

/// `ln Gamma_k(x)`, the log of the multivariate gamma function:
/// `k (k - 1) / 4 ln pi + sum_{j=1}^k lgamma(x + (1 - j) / 2)`.
fn lmgamma<S: Scalar>(k: usize, x: S) -> S {
    let kf = k as f64;
    let mut r = S::from_f64(kf * (kf - 1.0) * 0.25 * std::f64::consts::PI.ln());
    for j in 1..=k {
        r += lgamma(x + (1.0 - j as f64) * 0.5);
    }
    r
}

/// The shared checks of the Wishart families; returns `K` and `nu`.
fn wishart_checks<S: Scalar>(
    function: &'static str,
    w: &impl MatArg<S>,
    nu: &impl Arg<S>,
    sigma: &impl MatArg<S>,
) -> Result<(usize, S), ModelError> {
    let k = w.rows();
    if w.cols() != k || sigma.rows() != k || sigma.cols() != k {
        return Err(ModelError::fatal(format!(
            "{function}: the random variable is {} x {} and the scale matrix {} x {}; both \
             must be square and of the same size",
            w.rows(),
            w.cols(),
            sigma.rows(),
            sigma.cols()
        )));
    }
    if nu.len().is_some() {
        return Err(ModelError::fatal(format!(
            "{function}: the degrees of freedom parameter must be a scalar"
        )));
    }
    let bound = k as f64 - 1.0;
    let v = nu.value_at(0);
    if !(v > bound && v.is_finite()) {
        // The bound depends on K, so this message is worded here rather than kept in parts.
        return Err(ModelError::recoverable(format!(
            "{function}: Degrees of freedom parameter is {}, but must be greater than {bound}!",
            check::show(v)
        )));
    }
    Ok((k, nu.at(0)))
}

/// `L^-1` of the lower-triangular `l` (row-major `k x k`) into `inv`, by forward substitution.
fn lower_inverse<S: Scalar>(l: &[S], inv: &mut [S], k: usize) {
    for c in 0..k {
        for i in 0..k {
            let mut r = if i == c { S::one() } else { S::zero() };
            for j in c..i {
                r -= l[i * k + j] * inv[j * k + c];
            }
            inv[i * k + c] = if i < c { S::zero() } else { r / l[i * k + i] };
        }
    }
}

/// `tr(A^-1 B)` for `A = L L'`, given `M = L^-1`: `sum_{r,i,j} M_ri M_rj B_ji`.
fn trace_inv_product<S: Scalar>(m: &[S], b: &impl MatArg<S>, k: usize) -> S {
    let mut t = S::zero();
    for r in 0..k {
        for i in 0..=r {
            for j in 0..=r {
                t += m[r * k + i] * m[r * k + j] * b.entry(j, i);
            }
        }
    }
    t
}

/// The Wishart log density of the symmetric positive definite `w` with `nu` degrees of
/// freedom and scale matrix `sigma`: `(nu - K - 1) / 2 ln det W - tr(Sigma^-1 W) / 2
/// - nu K / 2 ln 2 - nu / 2 ln det Sigma - ln Gamma_K(nu / 2)`.
pub fn wishart_lpdf<const PROPTO: bool, S: Scalar>(
    w: impl MatArg<S>,
    nu: impl Arg<S>,
    sigma: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "wishart_lpdf";
    let (k, v) = wishart_checks(F, &w, &nu, &sigma)?;
    let (cw, cn, cs) = (is_const_mat(&w), is_const(&nu), is_const_mat(&sigma));
    if PROPTO && cw && cn && cs {
        return Ok(S::zero());
    }
    let kf = k as f64;
    with_scratch(3 * k * k, |scratch: &mut [S]| {
        let (lw, rest) = scratch.split_at_mut(k * k);
        let (ls, m) = rest.split_at_mut(k * k);
        cholesky_into(F, "random variable", &w, lw)?;
        cholesky_into(F, "scale parameter", &sigma, ls)?;
        lower_inverse(ls, m, k);
        let log_det = |l: &[S]| (0..k).fold(S::zero(), |acc, i| acc + l[i * k + i].ln()) * 2.0;
        let mut lp = -trace_inv_product(m, &w, k) * 0.5;
        if !PROPTO || !cn || !cw {
            lp += log_det(lw) * ((v - kf - 1.0) * 0.5);
        }
        if !PROPTO || !cn || !cs {
            lp -= log_det(ls) * (v * 0.5);
        }
        if !PROPTO || !cn {
            lp -= v * (kf * 0.5 * LN2) + lmgamma(k, v * 0.5);
        }
        Ok(lp)
    })
}

/// The inverse Wishart log density of `w` with `nu` degrees of freedom and scale matrix
/// `sigma`: `nu / 2 ln det Sigma - (nu + K + 1) / 2 ln det W - tr(Sigma W^-1) / 2
/// - nu K / 2 ln 2 - ln Gamma_K(nu / 2)`.
pub fn inv_wishart_lpdf<const PROPTO: bool, S: Scalar>(
    w: impl MatArg<S>,
    nu: impl Arg<S>,
    sigma: impl MatArg<S>,
) -> Result<S, ModelError> {
    const F: &str = "inv_wishart_lpdf";
    let (k, v) = wishart_checks(F, &w, &nu, &sigma)?;
    let (cw, cn, cs) = (is_const_mat(&w), is_const(&nu), is_const_mat(&sigma));
    if PROPTO && cw && cn && cs {
        return Ok(S::zero());
    }
    let kf = k as f64;
    with_scratch(3 * k * k, |scratch: &mut [S]| {
        let (lw, rest) = scratch.split_at_mut(k * k);
        let (ls, m) = rest.split_at_mut(k * k);
        cholesky_into(F, "random variable", &w, lw)?;
        cholesky_into(F, "scale parameter", &sigma, ls)?;
        lower_inverse(lw, m, k);
        let log_det = |l: &[S]| (0..k).fold(S::zero(), |acc, i| acc + l[i * k + i].ln()) * 2.0;
        let mut lp = -trace_inv_product(m, &sigma, k) * 0.5;
        if !PROPTO || !cn || !cs {
            lp += log_det(ls) * (v * 0.5);
        }
        if !PROPTO || !cn || !cw {
            lp -= log_det(lw) * ((v + kf + 1.0) * 0.5);
        }
        if !PROPTO || !cn {
            lp -= v * (kf * 0.5 * LN2) + lmgamma(k, v * 0.5);
        }
        Ok(lp)
    })
}
