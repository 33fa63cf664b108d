//! Heavy-tailed and other location-scale distributions: cauchy, student_t, double_exponential
//! and logistic (Stan functions reference, "Unbounded continuous distributions").

use super::check::{self, is_const};
use crate::math::partials::Terms;
use crate::math::{Arg, HALF_LN_2PI, common_len, lgamma_shift_excess, lift, log1p_exp};
use crate::model::ModelError;
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand::Rng;
use rand_distr::Distribution;
use std::f64::consts::{LN_2, PI};

type Checked = Result<usize, ModelError>;

fn location_scale<S: Scalar>(
    f: &str,
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

fn rng_location_scale(f: &str, mu: f64, sigma: f64) -> Result<(), ModelError> {
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
    f: &str,
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
