//! Random draws of the multivariate and ordinal families: categorical, categorical_logit,
//! ordered_logistic, ordered_probit, multinomial, dirichlet, multi_normal,
//! multi_normal_cholesky, multi_student_t, lkj_corr, lkj_corr_cholesky, wishart and
//! inv_wishart (Stan functions reference, the `_rng` of each family).
//!
//! Each function takes its arguments as generated code passes them ([`Arg`] and [`MatArg`],
//! generic over the scalar type so that a `_rng` function's arguments may be of any type) and
//! draws from their values. A vector or matrix draw is written into the caller's buffer.
//! Random numbers are drawn only outside the log density, so these functions may allocate.
//! Invalid parameters are recoverable errors worded as Stan words them; sizes that do not
//! match are fatal.

// Negated comparisons (`!(d > 0.0)`) are deliberate: they reject NaN with the out-of-range
// values. Linear algebra reads best with the textbook's index loops.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::check;
use super::multi::cholesky_into;
use crate::math::{Arg, AsRow, Data, MatArg};
use crate::model::ModelError;
use crate::ops::{resize, resize2};
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Tolerance of the simplex check, as Stan's `CONSTRAINT_TOLERANCE`.
const SIMPLEX_TOLERANCE: f64 = 1e-8;

/// The values of a vector argument.
fn values<S: Scalar>(x: &impl Arg<S>) -> Vec<f64> {
    (0..x.len().unwrap_or(1)).map(|i| x.value_at(i)).collect()
}

/// The values of a matrix argument, as rows.
fn matrix_values<S: Scalar>(m: &impl MatArg<S>) -> Vec<Vec<f64>> {
    (0..m.rows()).map(|i| (0..m.cols()).map(|j| m.entry_value(i, j)).collect()).collect()
}

/// Stan's `check_simplex`: a non-empty vector of nonnegative values that sum to 1.
fn check_simplex(function: &str, name: &str, theta: &[f64]) -> Result<(), ModelError> {
    if theta.is_empty() {
        return Err(ModelError::recoverable(format!(
            "{function}: {name} has size 0, but must have a non-zero size"
        )));
    }
    let total: f64 = theta.iter().sum();
    if !((total - 1.0).abs() <= SIMPLEX_TOLERANCE) {
        return Err(ModelError::recoverable(format!(
            "{function}: {name} is not a valid simplex. sum({name}) = {}, but should be 1",
            check::show(total)
        )));
    }
    if let Some(i) = theta.iter().position(|&v| !(v >= 0.0)) {
        return Err(ModelError::recoverable(format!(
            "{function}: {name} is not a valid simplex. {name}[{}] = {}, but should be greater \
             than or equal to 0",
            i + 1,
            check::show(theta[i])
        )));
    }
    Ok(())
}

/// Stan's `check_finite` on every element of a vector.
fn check_finite(function: &str, name: &str, x: &[f64]) -> Result<(), ModelError> {
    match x.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(ModelError::recoverable(format!(
            "{function}: {name}[{}] is {}, but must be finite!",
            i + 1,
            check::show(x[i])
        ))),
    }
}

/// A category (1-based) drawn with probabilities `p`, which sum to 1.
fn draw_category(p: &[f64], rng: &mut ChainRng) -> i64 {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (k, &pk) in p.iter().enumerate() {
        acc += pk;
        if u < acc {
            return k as i64 + 1;
        }
    }
    // Rounding left `acc` just below `u`: the last category with positive probability.
    p.iter().rposition(|&pk| pk > 0.0).map_or(p.len() as i64, |k| k as i64 + 1)
}

/// A categorical draw (1-based) with the simplex of probabilities `theta`.
pub fn categorical_rng<S: Scalar>(
    theta: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<i64, ModelError> {
    const F: &str = "categorical_rng";
    let p = values(&theta);
    check_simplex(F, "Probabilities parameter", &p)?;
    Ok(draw_category(&p, rng))
}

/// A categorical draw (1-based) with log-odds `beta`: probabilities `softmax(beta)`.
pub fn categorical_logit_rng<S: Scalar>(
    beta: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<i64, ModelError> {
    const F: &str = "categorical_logit_rng";
    let b = values(&beta);
    check_finite(F, "Log odds parameter", &b)?;
    if b.is_empty() {
        return Err(ModelError::recoverable(format!(
            "{F}: Log odds parameter has size 0, but must have a non-zero size"
        )));
    }
    // Shifting by the maximum keeps every exponential in range.
    let top = b.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = b.iter().map(|x| (x - top).exp()).collect();
    let total: f64 = w.iter().sum();
    let p: Vec<f64> = w.iter().map(|x| x / total).collect();
    Ok(draw_category(&p, rng))
}

/// The checks of the ordinal families' draws; returns the cut-points.
fn ordinal_rng_checks<S: Scalar>(
    function: &'static str,
    eta: &impl Arg<S>,
    c: &impl Arg<S>,
) -> Result<(f64, Vec<f64>), ModelError> {
    let eta = eta.value_at(0);
    check::scalar(function, "Location parameter", eta, "finite", eta.is_finite())?;
    let c = values(c);
    if c.is_empty() {
        return Err(ModelError::recoverable(format!(
            "{function}: Size of cut points parameter is 0, but must be greater than 0"
        )));
    }
    check_finite(function, "Cut-points", &c)?;
    for j in 1..c.len() {
        if !(c[j] > c[j - 1]) {
            return Err(ModelError::recoverable(format!(
                "{function}: Cut-points is not a valid ordered vector. The element at {} is {}, \
                 but should be greater than the previous element, {}",
                j + 1,
                check::show(c[j]),
                check::show(c[j - 1])
            )));
        }
    }
    Ok((eta, c))
}

/// The category of the latent value `z`: one more than the number of cut-points below it.
fn category_of(z: f64, c: &[f64]) -> i64 {
    c.iter().filter(|&&cut| cut < z).count() as i64 + 1
}

/// An ordered logistic draw in `1..=K` with linear predictor `eta` and the `K - 1` ordered
/// cut-points `c`: the category of `eta` plus standard logistic noise.
pub fn ordered_logistic_rng<S: Scalar>(
    eta: impl Arg<S>,
    c: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<i64, ModelError> {
    let (eta, c) = ordinal_rng_checks("ordered_logistic_rng", &eta, &c)?;
    // 1 - u is in (0, 1], so the logit is finite or +inf, never NaN.
    let u = 1.0 - rng.random::<f64>();
    let noise = (u / (1.0 - u)).ln();
    Ok(category_of(eta + noise, &c))
}

/// An ordered probit draw: the category of `eta` plus standard normal noise.
pub fn ordered_probit_rng<S: Scalar>(
    eta: impl Arg<S>,
    c: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<i64, ModelError> {
    let (eta, c) = ordinal_rng_checks("ordered_probit_rng", &eta, &c)?;
    let noise: f64 = StandardNormal.sample(rng);
    Ok(category_of(eta + noise, &c))
}

/// A multinomial draw of `n` trials with the simplex `theta` into `out`, one count per
/// category: each count binomial given the trials the earlier categories left.
pub fn multinomial_rng<S: Scalar>(
    out: &mut Vec<i64>,
    theta: impl Arg<S>,
    n: i64,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "multinomial_rng";
    let p = values(&theta);
    check_simplex(F, "Probabilities parameter", &p)?;
    if n < 0 {
        return Err(ModelError::recoverable(format!(
            "{F}: number of trials variables is {n}, but must be nonnegative!"
        )));
    }
    resize(out, p.len(), 0);
    let mut left = n as u64;
    let mut mass = 1.0;
    for (k, &pk) in p.iter().enumerate() {
        if left == 0 {
            break;
        }
        if k + 1 == p.len() {
            out[k] = left as i64;
            break;
        }
        let q = if mass > 0.0 { (pk / mass).clamp(0.0, 1.0) } else { 1.0 };
        let d = rand_distr::Binomial::new(left, q)
            .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
        let x = d.sample(rng);
        out[k] = x as i64;
        left -= x;
        mass -= pk;
    }
    Ok(())
}

/// A Dirichlet draw with concentrations `alpha` into `out`: independent gamma draws,
/// normalised. Small concentrations draw the gammas on the log scale, where draws that would
/// underflow to 0 keep their relative sizes.
pub fn dirichlet_rng<S: Scalar>(
    out: &mut Vec<f64>,
    alpha: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "dirichlet_rng";
    check::positive_finite(F, "prior sample sizes", &alpha)?;
    let a = values(&alpha);
    resize(out, a.len(), 0.0);
    let gamma = |shape: f64, rng: &mut ChainRng| -> Result<f64, ModelError> {
        let d = rand_distr::Gamma::new(shape, 1.0)
            .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
        Ok(d.sample(rng))
    };
    if a.iter().all(|&x| x >= 1.0) {
        for (y, &x) in out.iter_mut().zip(&a) {
            *y = gamma(x, rng)?;
        }
    } else {
        // Gamma(x) = Gamma(x + 1) U^(1/x): its log never underflows.
        for (y, &x) in out.iter_mut().zip(&a) {
            let u = 1.0 - rng.random::<f64>();
            *y = gamma(x + 1.0, rng)?.ln() + u.ln() / x;
        }
        let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for y in out.iter_mut() {
            *y = (*y - top).exp();
        }
    }
    let total: f64 = out.iter().sum();
    for y in out.iter_mut() {
        *y /= total;
    }
    Ok(())
}

/// Checks a location vector against a square `k x k` matrix called `name`.
fn check_location_and_matrix(
    function: &str,
    name: &str,
    mu: &[f64],
    m: &[Vec<f64>],
) -> Result<usize, ModelError> {
    let (r, c) = (m.len(), m.first().map_or(0, Vec::len));
    if r != c {
        return Err(ModelError::fatal(format!(
            "{function}: Expecting a square matrix; rows of {name} ({r}) and columns of {name} \
             ({c}) must match in size"
        )));
    }
    if mu.len() != r {
        return Err(ModelError::fatal(format!(
            "{function}: size of location parameter ({}) and rows of {name} ({r}) must match \
             in size",
            mu.len()
        )));
    }
    check_finite(function, "Location parameter", mu)?;
    Ok(r)
}

/// The lower Cholesky factor (row-major) of the symmetric positive definite `m`, or Stan's
/// error naming it.
fn cholesky_of(
    function: &'static str,
    name: &'static str,
    m: &[Vec<f64>],
) -> Result<Vec<f64>, ModelError> {
    let k = m.len();
    let mut l = vec![0.0; k * k];
    cholesky_into::<f64>(function, name, &Data(m), &mut l)?;
    Ok(l)
}

/// `out = mu + scale * L z` for standard normal `z` and the row-major `k x k` matrix `l`.
fn shifted_normal(out: &mut Vec<f64>, mu: &[f64], l: &[f64], scale: f64, rng: &mut ChainRng) {
    let k = mu.len();
    let z: Vec<f64> = (0..k).map(|_| StandardNormal.sample(rng)).collect();
    resize(out, k, 0.0);
    for i in 0..k {
        let lz: f64 = (0..k).map(|j| l[i * k + j] * z[j]).sum();
        out[i] = mu[i] + scale * lz;
    }
}

/// A multivariate normal draw with location `mu` and covariance `sigma` (symmetric positive
/// definite) into `out`.
pub fn multi_normal_rng<S: Scalar>(
    out: &mut Vec<f64>,
    mu: impl Arg<S>,
    sigma: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    one_location(out, |rows| multi_normal_array_rng(rows, AsRow(mu), sigma, rng))
}

/// A multivariate normal draw with location `mu` and the Cholesky factor `l` of its
/// covariance into `out`: `mu + L z`, with `L` used as given, as Stan does.
pub fn multi_normal_cholesky_rng<S: Scalar>(
    out: &mut Vec<f64>,
    mu: impl Arg<S>,
    l: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    one_location(out, |rows| multi_normal_cholesky_array_rng(rows, AsRow(mu), l, rng))
}

/// One multivariate normal draw per row of `mus` (an array of locations), all with covariance
/// `sigma`, into the rows of `out`.
pub fn multi_normal_array_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    mus: impl MatArg<S>,
    sigma: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "multi_normal_rng";
    let (mus, sigma) = (matrix_values(&mus), matrix_values(&sigma));
    for mu in &mus {
        check_location_and_matrix(F, "Covariance matrix", mu, &sigma)?;
    }
    let l = cholesky_of(F, "Covariance matrix", &sigma)?;
    draws_per_location(
        out,
        &mus,
        |row, mu, rng| {
            shifted_normal(row, mu, &l, 1.0, rng);
            Ok(())
        },
        rng,
    )
}

/// One multivariate normal draw per row of `mus`, all with the Cholesky factor `l` of the
/// covariance, into the rows of `out`.
pub fn multi_normal_cholesky_array_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    mus: impl MatArg<S>,
    l: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "multi_normal_cholesky_rng";
    let (mus, l) = (matrix_values(&mus), matrix_values(&l));
    for mu in &mus {
        check_location_and_matrix(F, "Cholesky factor of covariance matrix", mu, &l)?;
    }
    let flat: Vec<f64> = l.concat();
    draws_per_location(
        out,
        &mus,
        |row, mu, rng| {
            shifted_normal(row, mu, &flat, 1.0, rng);
            Ok(())
        },
        rng,
    )
}

/// One multivariate Student-t draw per row of `mus`, with `nu` degrees of freedom and scale
/// matrix `sigma`, into the rows of `out`.
pub fn multi_student_t_array_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    nu: impl Arg<S>,
    mus: impl MatArg<S>,
    sigma: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "multi_student_t_rng";
    let v = nu.value_at(0);
    check::scalar(F, "Degrees of freedom parameter", v, "not nan", !v.is_nan())?;
    check::scalar(F, "Degrees of freedom parameter", v, "positive", v > 0.0)?;
    let (mus, sigma) = (matrix_values(&mus), matrix_values(&sigma));
    for mu in &mus {
        check_location_and_matrix(F, "Scale parameter", mu, &sigma)?;
    }
    let l = cholesky_of(F, "Scale parameter", &sigma)?;
    draws_per_location(
        out,
        &mus,
        |row, mu, rng| {
            // Infinite degrees of freedom are the normal limit.
            let w = if v.is_infinite() { 1.0 } else { v / chi_square(F, v, rng)? };
            shifted_normal(row, mu, &l, w.sqrt(), rng);
            Ok(())
        },
        rng,
    )
}

/// The draw for one location of an `_array_rng`, into `out`: the single-location forms are
/// the array forms with one row, so they check and draw exactly alike.
fn one_location(
    out: &mut Vec<f64>,
    draw: impl FnOnce(&mut Vec<Vec<f64>>) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    let mut rows = vec![std::mem::take(out)];
    let drawn = draw(&mut rows);
    *out = rows.pop().unwrap_or_default();
    drawn
}

/// Fills one row of `out` per location in `mus` with `draw`.
fn draws_per_location(
    out: &mut Vec<Vec<f64>>,
    mus: &[Vec<f64>],
    mut draw: impl FnMut(&mut Vec<f64>, &[f64], &mut ChainRng) -> Result<(), ModelError>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    out.resize_with(mus.len(), Vec::new);
    for (row, mu) in out.iter_mut().zip(mus) {
        draw(row, mu, rng)?;
    }
    Ok(())
}

/// A chi-square draw with `nu` degrees of freedom.
fn chi_square(function: &str, nu: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    let d = rand_distr::ChiSquared::new(nu)
        .map_err(|e| ModelError::recoverable(format!("{function}: {e}")))?;
    Ok(d.sample(rng))
}

/// A multivariate Student-t draw with `nu` degrees of freedom, location `mu` and scale matrix
/// `sigma` (symmetric positive definite) into `out`: a normal draw scaled by
/// `sqrt(nu / chi2(nu))`.
pub fn multi_student_t_rng<S: Scalar>(
    out: &mut Vec<f64>,
    nu: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    one_location(out, |rows| multi_student_t_array_rng(rows, nu, AsRow(mu), sigma, rng))
}

/// Checks the size `K` and shape `eta` of the LKJ draws.
fn lkj_checks<S: Scalar>(
    function: &'static str,
    k: i64,
    eta: &impl Arg<S>,
) -> Result<(usize, f64), ModelError> {
    if k < 0 {
        return Err(ModelError::recoverable(format!(
            "{function}: Number of rows and columns K is {k}, but must be nonnegative!"
        )));
    }
    let eta = eta.value_at(0);
    check::scalar(function, "Shape parameter", eta, "positive", eta > 0.0)?;
    Ok((k as usize, eta))
}

/// The Cholesky factor of an LKJ correlation draw into `out` (`k x k`, lower triangular),
/// from the canonical partial correlations of the C-vine (Lewandowski, Kurowicka and Joe
/// 2009, section 2.4): those of level `i` (0-based) are `2 Beta(b, b) - 1` with
/// `b = eta + (k - 2 - i) / 2`, and row `j` of the factor takes each partial correlation
/// times the length its row has left.
fn lkj_cholesky_into(
    function: &str,
    out: &mut Vec<Vec<f64>>,
    k: usize,
    eta: f64,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    resize2(out, k, k, 0.0);
    if k == 0 {
        return Ok(());
    }
    // What is left of each row's unit length after the columns filled so far.
    let mut left = vec![1.0f64; k];
    for i in 0..k {
        out[i][i] = left[i].max(0.0).sqrt();
        if i + 1 == k {
            break;
        }
        let b = eta + (k as f64 - 2.0 - i as f64) / 2.0;
        let d = rand_distr::Beta::new(b, b)
            .map_err(|e| ModelError::recoverable(format!("{function}: {e}")))?;
        for j in (i + 1)..k {
            let r = 2.0 * d.sample(rng) - 1.0;
            let x = r * left[j].max(0.0).sqrt();
            out[j][i] = x;
            left[j] -= x * x;
        }
    }
    Ok(())
}

/// The Cholesky factor of a `k x k` correlation matrix drawn from LKJ(`eta`), into `out`.
pub fn lkj_corr_cholesky_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    k: i64,
    eta: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "lkj_corr_cholesky_rng";
    let (k, eta) = lkj_checks(F, k, &eta)?;
    lkj_cholesky_into(F, out, k, eta, rng)
}

/// A `k x k` correlation matrix drawn from LKJ(`eta`), into `out`: `L L'` of a Cholesky factor
/// draw, with an exact unit diagonal.
pub fn lkj_corr_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    k: i64,
    eta: impl Arg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "lkj_corr_rng";
    let (k, eta) = lkj_checks(F, k, &eta)?;
    let mut l = Vec::new();
    lkj_cholesky_into(F, &mut l, k, eta, rng)?;
    lower_self_transpose(out, &l);
    for i in 0..k {
        out[i][i] = 1.0;
    }
    Ok(())
}

/// `out = M M'` for the `k x k` matrix `m` (rows), computed once per pair so that the result
/// is exactly symmetric.
fn lower_self_transpose(out: &mut Vec<Vec<f64>>, m: &[Vec<f64>]) {
    let k = m.len();
    resize2(out, k, k, 0.0);
    for i in 0..k {
        for j in 0..=i {
            let x: f64 = (0..k).map(|c| m[i][c] * m[j][c]).sum();
            out[i][j] = x;
            out[j][i] = x;
        }
    }
}

/// Checks `nu > K - 1` and the scale matrix of the Wishart draws; returns its Cholesky factor
/// (row-major) and `K`.
fn wishart_rng_checks<S: Scalar>(
    function: &'static str,
    nu: &impl Arg<S>,
    s: &impl MatArg<S>,
) -> Result<(f64, Vec<f64>, usize), ModelError> {
    let s = matrix_values(s);
    let (r, c) = (s.len(), s.first().map_or(0, Vec::len));
    if r != c {
        return Err(ModelError::fatal(format!(
            "{function}: Expecting a square matrix; rows of scale parameter ({r}) and columns \
             of scale parameter ({c}) must match in size"
        )));
    }
    let nu = nu.value_at(0);
    let bound = r as f64 - 1.0;
    if !(nu > bound) {
        return Err(ModelError::recoverable(format!(
            "{function}: degrees of freedom > dims - 1 is {}, but must be greater than {bound}",
            check::show(nu)
        )));
    }
    let l = cholesky_of(function, "scale parameter", &s)?;
    Ok((nu, l, r))
}

/// The Bartlett factor of a Wishart(`nu`, I) draw: lower triangular, `sqrt(chi2(nu - i))` on
/// the diagonal and standard normals below it (row-major `k x k`).
fn bartlett(function: &str, nu: f64, k: usize, rng: &mut ChainRng) -> Result<Vec<f64>, ModelError> {
    let mut a = vec![0.0; k * k];
    for i in 0..k {
        a[i * k + i] = chi_square(function, nu - i as f64, rng)?.sqrt();
        for j in 0..i {
            a[i * k + j] = StandardNormal.sample(rng);
        }
    }
    Ok(a)
}

/// A Wishart draw with `nu` degrees of freedom and scale matrix `s` (symmetric positive
/// definite) into `out`: `(L A)(L A)'` for the Cholesky factor `L` of `s` and a Bartlett
/// factor `A`.
pub fn wishart_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    nu: impl Arg<S>,
    s: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "wishart_rng";
    let (nu, l, k) = wishart_rng_checks(F, &nu, &s)?;
    let a = bartlett(F, nu, k, rng)?;
    let la: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| (j..=i).map(|c| l[i * k + c] * a[c * k + j]).sum()).collect())
        .collect();
    lower_self_transpose(out, &la);
    Ok(())
}

/// An inverse Wishart draw with `nu` degrees of freedom and scale matrix `s` into `out`: the
/// inverse of a Wishart(`nu`, `s^-1`) draw, which is `(L A^-T)(L A^-T)'` for the Cholesky
/// factor `L` of `s` and a Bartlett factor `A`.
pub fn inv_wishart_rng<S: Scalar>(
    out: &mut Vec<Vec<f64>>,
    nu: impl Arg<S>,
    s: impl MatArg<S>,
    rng: &mut ChainRng,
) -> Result<(), ModelError> {
    const F: &str = "inv_wishart_rng";
    let (nu, l, k) = wishart_rng_checks(F, &nu, &s)?;
    let a = bartlett(F, nu, k, rng)?;
    // t = A^-1, lower triangular, by forward substitution column by column.
    let mut t = vec![0.0; k * k];
    for c in 0..k {
        t[c * k + c] = 1.0 / a[c * k + c];
        for i in (c + 1)..k {
            let s: f64 = (c..i).map(|j| a[i * k + j] * t[j * k + c]).sum();
            t[i * k + c] = -s / a[i * k + i];
        }
    }
    // m = L t': entry (i, j) sums over c <= i (L) and c <= j (row j of t).
    let m: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k).map(|j| (0..=i.min(j)).map(|c| l[i * k + c] * t[j * k + c]).sum()).collect()
        })
        .collect();
    lower_self_transpose(out, &m);
    Ok(())
}
