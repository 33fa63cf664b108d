//! Heavy-tailed, skewed and other location-scale distributions: cauchy, student_t,
//! double_exponential, logistic, gumbel, skew_normal and exp_mod_normal (Stan functions
//! reference, "Unbounded continuous distributions").

use super::check::{self, is_const};
use crate::math::partials::Terms;
use crate::math::{
    Arg, HALF_LN_2PI, common_len, lgamma_shift_excess, lift, log_diff_exp, log_phi, log_sum_exp,
    log1m_exp, log1p_exp,
};
use crate::model::ModelError;
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::{LN_2, PI};

type Checked = Result<usize, ModelError>;

fn location_scale<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> Checked {
    let n = common_len(f, &[("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len())])?;
    check::not_nan(f, "Random variable", y)?;
    check::finite(f, "Location parameter", mu)?;
    check::positive_finite(f, "Scale parameter", sigma)?;
    Ok(n)
}

fn rng_location_scale(f: &'static str, mu: f64, sigma: f64) -> Result<(), ModelError> {
    check::scalar(f, "Location parameter", mu, "finite", mu.is_finite())?;
    check::scalar(f, "Scale parameter", sigma, "positive finite", sigma > 0.0 && sigma.is_finite())
}

/// The Cauchy log density, summed.
pub fn cauchy_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    if S::PARTIALS {
        return cauchy_lpdf_analytic::<PROPTO, S>(y, mu, sigma);
    }
    let n = location_scale("cauchy_lpdf", &y, &mu, &sigma)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let log_sigma = !PROPTO || !is_const(&sigma);
    let mut lp = S::zero();
    for i in 0..n {
        let s = sigma.at(i);
        let z = (y.at(i) - mu.at(i)) / s;
        lp -= (z * z).ln_1p();
        if log_sigma {
            lp -= s.ln();
        }
    }
    if !PROPTO {
        lp -= PI.ln() * n as f64;
    }
    Ok(lp)
}

/// `cauchy_lpdf` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn cauchy_lpdf_analytic<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale("cauchy_lpdf", &y, &mu, &sigma)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let log_sigma = !PROPTO || !is_const(&sigma);
    let mut terms = Terms::<S, 3>::new();
    let mut lp = 0.0;
    for i in 0..n {
        let (ys, ms, ss) = (y.at(i), mu.at(i), sigma.at(i));
        let sv = ss.value();
        let inv = 1.0 / sv;
        let z = (ys.value() - ms.value()) * inv;
        lp -= (z * z).ln_1p();
        if log_sigma {
            lp -= sv.ln();
        }
        // d/dz of -ln(1 + z^2) is -2z / (1 + z^2); z moves with y / sigma and -mu / sigma.
        let dz = -2.0 * z / (1.0 + z * z) * inv;
        terms.push(0, &y, ys, dz);
        terms.push(1, &mu, ms, -dz);
        terms.push(2, &sigma, ss, -dz * z - inv);
    }
    if !PROPTO {
        lp -= PI.ln() * n as f64;
    }
    terms.finish_arg(0, &y);
    terms.finish_arg(1, &mu);
    terms.finish_arg(2, &sigma);
    Ok(terms.finish(lp))
}

/// `ln(atan2(1, -z) / pi)`, the log of the Cauchy CDF, with its derivative in `z`.
///
/// `1/2 + atan(z)/pi` cancels to 0 in the lower tail; `atan2(1, -z)` does not.
fn cauchy_log_cdf(z: f64) -> (f64, f64) {
    let a = 1f64.atan2(-z);
    let d = if z.abs() > 1.0 {
        // 1 / ((1 + z^2) a), written so that neither factor overflows.
        let r = 1.0 / z.abs();
        r / (1.0 + r * r) * (r / a)
    } else {
        1.0 / ((1.0 + z * z) * a)
    };
    ((a / PI).ln(), d)
}

fn cauchy_sum<S: Scalar>(
    n: usize,
    upper: bool,
    y: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> S {
    (0..n).fold(S::zero(), |lp, i| {
        let z = if upper {
            (mu.at(i) - y.at(i)) / sigma.at(i)
        } else {
            (y.at(i) - mu.at(i)) / sigma.at(i)
        };
        let (f, df) = cauchy_log_cdf(z.value());
        lp + lift(z, f, df)
    })
}

/// The Cauchy log CDF, summed; finite far into the lower tail.
pub fn cauchy_lcdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale("cauchy_lcdf", &y, &mu, &sigma)?;
    Ok(cauchy_sum(n, false, &y, &mu, &sigma))
}

/// The Cauchy log complementary CDF, summed.
pub fn cauchy_lccdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale("cauchy_lccdf", &y, &mu, &sigma)?;
    Ok(cauchy_sum(n, true, &y, &mu, &sigma))
}

/// The Cauchy CDF; for containers, the product.
pub fn cauchy_cdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    Ok(cauchy_lcdf(y, mu, sigma)?.exp())
}

/// A draw from the Cauchy distribution.
pub fn cauchy_rng(mu: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    rng_location_scale("cauchy_rng", mu, sigma)?;
    let u: f64 = rng.random();
    Ok(mu + sigma * (PI * (u - 0.5)).tan())
}

fn student_t_checks<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    nu: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> Checked {
    let lens = [("y", y.len()), ("nu", nu.len()), ("mu", mu.len()), ("sigma", sigma.len())];
    let n = common_len(f, &lens)?;
    check::not_nan(f, "Random variable", y)?;
    check::positive_finite(f, "Degrees of freedom parameter", nu)?;
    check::finite(f, "Location parameter", mu)?;
    check::positive_finite(f, "Scale parameter", sigma)?;
    Ok(n)
}

/// The Student-t log density, summed; it tends to the normal density as `nu` grows, without
/// the cancellation of `lgamma((nu + 1) / 2) - lgamma(nu / 2)`.
pub fn student_t_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = student_t_checks("student_t_lpdf", &y, &nu, &mu, &sigma)?;
    if PROPTO && is_const(&y) && is_const(&nu) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let (nu_terms, log_sigma) = (!PROPTO || !is_const(&nu), !PROPTO || !is_const(&sigma));
    let mut lp = S::zero();
    for i in 0..n {
        let (v, s) = (nu.at(i), sigma.at(i));
        let z = (y.at(i) - mu.at(i)) / s;
        lp -= (v + 1.0) * 0.5 * (z * z / v).ln_1p();
        if nu_terms {
            // lgamma((nu+1)/2) - lgamma(nu/2) - ln(nu)/2 = excess(nu/2, 1/2) - ln(2)/2.
            lp += lgamma_shift_excess(v * 0.5, 0.5);
        }
        if log_sigma {
            lp -= s.ln();
        }
    }
    if !PROPTO {
        lp -= HALF_LN_2PI * n as f64;
    }
    Ok(lp)
}

/// The Student-t CDF of the standardised value `t`, computed in the smaller tail.
fn student_t_cdf_f64(t: f64, nu: f64) -> f64 {
    let beta = |a: f64, b: f64, x: f64| {
        statrs::function::beta::checked_beta_reg(a, b, x).unwrap_or(f64::NAN)
    };
    let t2 = t * t;
    if t2 < nu {
        let central = beta(0.5, 0.5 * nu, t2 / (nu + t2));
        0.5 + 0.5 * t.signum() * central
    } else {
        let tail = 0.5 * beta(0.5 * nu, 0.5, nu / (nu + t2));
        if t < 0.0 { tail } else { 1.0 - tail }
    }
}

/// `ln` of the Student-t CDF of `t`, accurate in both tails.
fn student_t_log_cdf_f64(t: f64, nu: f64) -> f64 {
    if t <= 0.0 { student_t_cdf_f64(t, nu).ln() } else { (-student_t_cdf_f64(-t, nu)).ln_1p() }
}

fn student_t_log_pdf_f64(t: f64, nu: f64) -> f64 {
    let (d, _) = crate::math::lgamma_shift_excess_f64(0.5 * nu, 0.5);
    d - HALF_LN_2PI - 0.5 * (nu + 1.0) * (t * t / nu).ln_1p()
}

fn student_t_log_cdf_sum<S: Scalar>(
    n: usize,
    upper: bool,
    y: &impl Arg<S>,
    nu: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> S {
    let sign = if upper { -1.0 } else { 1.0 };
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, vi, mi, si) = (y.at(i), nu.at(i), mu.at(i), sigma.at(i));
        let (v, s) = (vi.value(), si.value());
        let t = sign * (yi.value() - mi.value()) / s;
        let f = student_t_log_cdf_f64(t, v);
        // d/dt ln F(t) = f(t) / F(t); the partial in nu has no closed form and is taken by
        // a central difference of the f64 log CDF.
        let dt = (student_t_log_pdf_f64(t, v) - f).exp();
        let h = 1e-5 * v.max(1e-3);
        let dnu = if is_const(nu) {
            0.0
        } else {
            (student_t_log_cdf_f64(t, v + h) - student_t_log_cdf_f64(t, v - h)) / (2.0 * h)
        };
        lp += lift(yi, f, sign * dt / s)
            + lift(mi, 0.0, -sign * dt / s)
            + lift(si, 0.0, -dt * t / s)
            + lift(vi, 0.0, dnu);
    }
    lp
}

/// The Student-t log CDF, summed.
pub fn student_t_lcdf<S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = student_t_checks("student_t_lcdf", &y, &nu, &mu, &sigma)?;
    Ok(student_t_log_cdf_sum(n, false, &y, &nu, &mu, &sigma))
}

/// The Student-t log complementary CDF, summed.
pub fn student_t_lccdf<S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = student_t_checks("student_t_lccdf", &y, &nu, &mu, &sigma)?;
    Ok(student_t_log_cdf_sum(n, true, &y, &nu, &mu, &sigma))
}

/// The Student-t CDF; for containers, the product.
pub fn student_t_cdf<S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    Ok(student_t_lcdf(y, nu, mu, sigma)?.exp())
}

/// A draw from the Student-t distribution.
pub fn student_t_rng(nu: f64, mu: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "student_t_rng";
    check::scalar(
        F,
        "Degrees of freedom parameter",
        nu,
        "positive finite",
        nu > 0.0 && nu.is_finite(),
    )?;
    rng_location_scale(F, mu, sigma)?;
    let t =
        rand_distr::StudentT::new(nu).map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    Ok(mu + sigma * t.sample(rng))
}

/// The double exponential (Laplace) log density, summed.
pub fn double_exponential_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "double_exponential_lpdf";
    let n = location_scale(F, &y, &mu, &sigma)?;
    check::finite(F, "Random variable", &y)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let log_sigma = !PROPTO || !is_const(&sigma);
    let mut lp = S::zero();
    for i in 0..n {
        let s = sigma.at(i);
        lp -= (y.at(i) - mu.at(i)).abs() / s;
        if log_sigma {
            lp -= s.ln();
        }
    }
    if !PROPTO {
        lp -= LN_2 * n as f64;
    }
    Ok(lp)
}

/// A draw from the double exponential distribution.
pub fn double_exponential_rng(mu: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    rng_location_scale("double_exponential_rng", mu, sigma)?;
    let a: f64 = rand_distr::Exp1.sample(rng);
    let b: f64 = rand_distr::Exp1.sample(rng);
    Ok(mu + sigma * (a - b))
}

/// The logistic log density, summed.
pub fn logistic_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "logistic_lpdf";
    let n = location_scale(F, &y, &mu, &sigma)?;
    check::finite(F, "Random variable", &y)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let log_sigma = !PROPTO || !is_const(&sigma);
    let mut lp = S::zero();
    for i in 0..n {
        let s = sigma.at(i);
        let z = (y.at(i) - mu.at(i)) / s;
        lp -= z + log1p_exp(-z) * 2.0;
        if log_sigma {
            lp -= s.ln();
        }
    }
    Ok(lp)
}

/// A draw from the logistic distribution.
pub fn logistic_rng(mu: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    rng_location_scale("logistic_rng", mu, sigma)?;
    let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    Ok(mu + sigma * (u.ln() - (-u).ln_1p()))
}

/// The logistic log CDF: `ln inv_logit(z)`, or `ln inv_logit(-z)` for the upper tail.
fn logistic_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale(f, &y, &mu, &sigma)?;
    let sign = if upper { 1.0 } else { -1.0 };
    Ok((0..n).fold(S::zero(), |lp, i| {
        let z = (y.at(i) - mu.at(i)) / sigma.at(i);
        lp - log1p_exp(z * sign)
    }))
}

cdf_functions!(
    "logistic",
    logistic_log_cdf,
    logistic_cdf,
    logistic_lcdf,
    logistic_lccdf,
    (y: impl Arg<S>, mu: impl Arg<S>, sigma: impl Arg<S>)
);

/// The double exponential log CDF: `ln(e^z / 2)` below `mu`, `ln(1 - e^-z / 2)` above.
fn double_exponential_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale(f, &y, &mu, &sigma)?;
    Ok((0..n).fold(S::zero(), |lp, i| {
        let z = (y.at(i) - mu.at(i)) / sigma.at(i);
        // The tail on the far side of mu from y is the small one, `e^-|z| / 2`.
        let z = if upper { -z } else { z };
        lp + if z.value() < 0.0 { z - LN_2 } else { (-(-z).exp() * 0.5).ln_1p() }
    }))
}

cdf_functions!(
    "double_exponential",
    double_exponential_log_cdf,
    double_exponential_cdf,
    double_exponential_lcdf,
    double_exponential_lccdf,
    (y: impl Arg<S>, mu: impl Arg<S>, sigma: impl Arg<S>)
);

fn location_scale_named<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    mu: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> Checked {
    let n = common_len(f, &[("y", y.len()), ("mu", mu.len()), ("beta", beta.len())])?;
    check::not_nan(f, "Random variable", y)?;
    check::finite(f, "Location parameter", mu)?;
    check::positive_finite(f, "Scale parameter", beta)?;
    Ok(n)
}

/// The Gumbel log density with location `mu` and scale `beta`, summed:
/// `-ln beta - z - e^-z` with `z = (y - mu) / beta`.
pub fn gumbel_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale_named("gumbel_lpdf", &y, &mu, &beta)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&beta) {
        return Ok(S::zero());
    }
    let log_beta = !PROPTO || !is_const(&beta);
    let mut lp = S::zero();
    for i in 0..n {
        let b = beta.at(i);
        let z = (y.at(i) - mu.at(i)) / b;
        lp -= z + (-z).exp();
        if log_beta {
            lp -= b.ln();
        }
    }
    Ok(lp)
}

/// The Gumbel log CDF: `-e^-z`, and `ln(1 - exp(-e^-z))` for the upper tail.
fn gumbel_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    mu: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = location_scale_named(f, &y, &mu, &beta)?;
    Ok((0..n).fold(S::zero(), |lp, i| {
        let z = (y.at(i) - mu.at(i)) / beta.at(i);
        let log_cdf = -(-z).exp();
        lp + if upper { log1m_exp(log_cdf) } else { log_cdf }
    }))
}

cdf_functions!(
    "gumbel",
    gumbel_log_cdf,
    gumbel_cdf,
    gumbel_lcdf,
    gumbel_lccdf,
    (y: impl Arg<S>, mu: impl Arg<S>, beta: impl Arg<S>)
);

/// A draw from the Gumbel distribution.
pub fn gumbel_rng(mu: f64, beta: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    rng_location_scale("gumbel_rng", mu, beta)?;
    let e: f64 = rand_distr::Exp1.sample(rng);
    Ok(mu - beta * e.ln())
}

fn skew_normal_checks<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    xi: &impl Arg<S>,
    omega: &impl Arg<S>,
    alpha: &impl Arg<S>,
) -> Checked {
    let lens = [("y", y.len()), ("xi", xi.len()), ("omega", omega.len()), ("alpha", alpha.len())];
    let n = common_len(f, &lens)?;
    check::not_nan(f, "Random variable", y)?;
    check::finite(f, "Location parameter", xi)?;
    check::positive_finite(f, "Scale parameter", omega)?;
    check::finite(f, "Shape parameter", alpha)?;
    Ok(n)
}

/// The skew normal log density with location `xi`, scale `omega` and shape `alpha`, summed:
/// `ln 2 - ln(2 pi) / 2 - ln omega - z^2 / 2 + ln Phi(alpha z)`, finite where `Phi(alpha z)`
/// underflows.
pub fn skew_normal_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    xi: impl Arg<S>,
    omega: impl Arg<S>,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = skew_normal_checks("skew_normal_lpdf", &y, &xi, &omega, &alpha)?;
    let (cy, cx, co, ca) = (is_const(&y), is_const(&xi), is_const(&omega), is_const(&alpha));
    if PROPTO && cy && cx && co && ca {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let w = omega.at(i);
        let z = (y.at(i) - xi.at(i)) / w;
        if !PROPTO || !co {
            lp -= w.ln();
        }
        lp += log_phi(alpha.at(i) * z) - z * z * 0.5;
    }
    if !PROPTO {
        lp += (LN_2 - HALF_LN_2PI) * n as f64;
    }
    Ok(lp)
}

/// A draw from the skew normal distribution: with `delta = alpha / sqrt(1 + alpha^2)`, the
/// sign of one standard normal `u` flips `delta |u| + sqrt(1 - delta^2) v`.
pub fn skew_normal_rng(
    xi: f64,
    omega: f64,
    alpha: f64,
    rng: &mut ChainRng,
) -> Result<f64, ModelError> {
    const F: &str = "skew_normal_rng";
    rng_location_scale(F, xi, omega)?;
    check::scalar(F, "Shape parameter", alpha, "finite", alpha.is_finite())?;
    let delta = alpha / (1.0 + alpha * alpha).sqrt();
    let (u, v): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
    let z = delta * u.abs() + (1.0 - delta * delta).sqrt() * v;
    Ok(xi + omega * z)
}

fn exp_mod_normal_checks<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
    lambda: &impl Arg<S>,
) -> Checked {
    let lens = [("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len()), ("lambda", lambda.len())];
    let n = common_len(f, &lens)?;
    check::not_nan(f, "Random variable", y)?;
    check::finite(f, "Location parameter", mu)?;
    check::positive_finite(f, "Scale parameter", sigma)?;
    check::positive_finite(f, "Inv_scale parameter", lambda)?;
    Ok(n)
}

/// The exponentially modified normal log density (a normal plus an exponential with rate
/// `lambda`), summed: `ln lambda + lambda (mu + lambda sigma^2 / 2 - y)
/// + ln Phi((y - mu) / sigma - lambda sigma)`.
pub fn exp_mod_normal_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
    lambda: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = exp_mod_normal_checks("exp_mod_normal_lpdf", &y, &mu, &sigma, &lambda)?;
    let (cy, cm, cs, cl) = (is_const(&y), is_const(&mu), is_const(&sigma), is_const(&lambda));
    if PROPTO && cy && cm && cs && cl {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (d, s, l) = (y.at(i) - mu.at(i), sigma.at(i), lambda.at(i));
        if !PROPTO || !cl {
            lp += l.ln();
        }
        lp += l * (l * s * s * 0.5 - d) + log_phi(d / s - l * s);
    }
    Ok(lp)
}

/// The exponentially modified normal log CDF: with `u = (y - mu) / sigma` and
/// `t = lambda^2 sigma^2 / 2 - lambda (y - mu)`, `F = Phi(u) - e^t Phi(u - lambda sigma)`,
/// and `1 - F = Phi(-u) + e^t Phi(u - lambda sigma)`, both kept in log space.
fn exp_mod_normal_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
    lambda: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = exp_mod_normal_checks(f, &y, &mu, &sigma, &lambda)?;
    let mut lp = S::zero();
    for i in 0..n {
        let (d, s, l) = (y.at(i) - mu.at(i), sigma.at(i), lambda.at(i));
        let u = d / s;
        let v = u - l * s;
        let second = l * (l * s * s * 0.5 - d) + log_phi(v);
        let log_ccdf = log_sum_exp(log_phi(-u), second);
        lp += if upper {
            log_ccdf
        } else if log_ccdf.value() < -LN_2 {
            // Above the median the difference would cancel; the complement does not.
            log1m_exp(log_ccdf)
        } else {
            log_diff_exp(log_phi(u), second)
        };
    }
    Ok(lp)
}

cdf_functions!(
    "exp_mod_normal",
    exp_mod_normal_log_cdf,
    exp_mod_normal_cdf,
    exp_mod_normal_lcdf,
    exp_mod_normal_lccdf,
    (y: impl Arg<S>, mu: impl Arg<S>, sigma: impl Arg<S>, lambda: impl Arg<S>)
);

/// A draw from the exponentially modified normal distribution.
pub fn exp_mod_normal_rng(
    mu: f64,
    sigma: f64,
    lambda: f64,
    rng: &mut ChainRng,
) -> Result<f64, ModelError> {
    const F: &str = "exp_mod_normal_rng";
    rng_location_scale(F, mu, sigma)?;
    let ok = lambda > 0.0 && lambda.is_finite();
    check::scalar(F, "Inv_scale parameter", lambda, "positive finite", ok)?;
    let (z, e): (f64, f64) = (rng.sample(StandardNormal), rand_distr::Exp1.sample(rng));
    Ok(mu + sigma * z + e / lambda)
}
