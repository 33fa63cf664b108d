//! Distributions on the positive reals: gamma, inv_gamma, exponential, the chi-square family,
//! weibull, frechet and pareto (Stan functions reference, "Positive continuous distributions"
//! and "Positive lower-bounded distributions").

use super::check::{self, is_const};
use super::incomplete::log_gamma_inc;
use crate::math::{Arg, LN2, common_len, lgamma, lift, log1m_exp, multiply_log};
use crate::model::ModelError;
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand_distr::Distribution;

fn rng_error(f: &'static str, e: impl std::fmt::Display) -> ModelError {
    ModelError::recoverable(format!("{f}: {e}"))
}

fn positive_finite_f64(f: &'static str, name: &'static str, x: f64) -> Result<(), ModelError> {
    check::scalar(f, name, x, "positive finite", x > 0.0 && x.is_finite())
}

/// The gamma log density with shape `alpha` and rate `beta`, summed; `-inf` for `y < 0`.
pub fn gamma_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "gamma_lpdf";
    let n = common_len(F, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::positive_finite(F, "Shape parameter", &alpha)?;
    check::positive_finite(F, "Inverse scale parameter", &beta)?;
    if (0..n).any(|i| y.value_at(i) < 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    let (cy, ca, cb) = (is_const(&y), is_const(&alpha), is_const(&beta));
    if PROPTO && cy && ca && cb {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, a, b) = (y.at(i), alpha.at(i), beta.at(i));
        if !PROPTO || !ca {
            lp -= lgamma(a);
        }
        if !PROPTO || !ca || !cb {
            lp += a * b.ln();
        }
        if !PROPTO || !ca || !cy {
            lp += multiply_log(a - 1.0, yi);
        }
        if !PROPTO || !cb || !cy {
            lp -= b * yi;
        }
    }
    Ok(lp)
}

fn gamma_lr(a: f64, x: f64) -> f64 {
    statrs::function::gamma::checked_gamma_lr(a, x).unwrap_or(f64::NAN)
}

fn gamma_ur(a: f64, x: f64) -> f64 {
    statrs::function::gamma::checked_gamma_ur(a, x).unwrap_or(f64::NAN)
}

fn gamma_log_cdf_sum<S: Scalar>(
    n: usize,
    upper: bool,
    y: &impl Arg<S>,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> S {
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, ai, bi) = (y.at(i), alpha.at(i), beta.at(i));
        let (a, b, x) = (ai.value(), bi.value(), yi.value().max(0.0));
        // At the ends of the support the CDF is exactly 0 or 1, and the general formulas below
        // would take logs of zero.
        match (x == 0.0, x.is_infinite(), upper) {
            (true, _, false) | (_, true, true) => return S::from_f64(f64::NEG_INFINITY),
            (true, _, true) | (_, true, false) => continue,
            _ => {}
        }
        let p = |a: f64| {
            if upper { gamma_ur(a, b * x) } else { gamma_lr(a, b * x) }
        };
        let f = if !upper && b * x < 1e-2 { log_lower_gamma_series(a, b * x) } else { p(a).ln() };
        // d/dx of the regularised lower incomplete gamma at b*x is the gamma density; the
        // shape partial has no closed form and is a central difference.
        let dens = ((a - 1.0) * (b * x).ln() - b * x - crate::math::lgamma_f64(a) - f).exp();
        let sign = if upper { -1.0 } else { 1.0 };
        let h = 1e-6 * a.max(1e-3);
        let da = if is_const(alpha) { 0.0 } else { (p(a + h).ln() - p(a - h).ln()) / (2.0 * h) };
        lp += lift(yi, f, sign * dens * b) + lift(bi, 0.0, sign * dens * x) + lift(ai, 0.0, da);
    }
    lp
}

/// log P(a, z), the regularised lower incomplete gamma function, for small z by its series
/// z^a e^-z / Gamma(a + 1) * sum_k z^k / ((a + 1) ... (a + k)), which stays accurate where P
/// itself underflows.
fn log_lower_gamma_series(a: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..200 {
        term *= z / (a + k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    a * z.ln() - z - crate::math::lgamma_f64(a + 1.0) + sum.ln()
}

fn gamma_cdf_checks<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::nonnegative(f, "Random variable", y)?;
    check::positive_finite(f, "Shape parameter", alpha)?;
    check::positive_finite(f, "Inverse scale parameter", beta)?;
    Ok(n)
}

/// The gamma log CDF, summed.
pub fn gamma_lcdf<S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = gamma_cdf_checks("gamma_lcdf", &y, &alpha, &beta)?;
    Ok(gamma_log_cdf_sum(n, false, &y, &alpha, &beta))
}

/// The gamma log complementary CDF, summed.
pub fn gamma_lccdf<S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = gamma_cdf_checks("gamma_lccdf", &y, &alpha, &beta)?;
    Ok(gamma_log_cdf_sum(n, true, &y, &alpha, &beta))
}

/// The gamma CDF; for containers, the product.
pub fn gamma_cdf<S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    Ok(gamma_lcdf(y, alpha, beta)?.exp())
}

/// A draw from the gamma distribution with shape `alpha` and rate `beta`.
pub fn gamma_rng(alpha: f64, beta: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "gamma_rng";
    positive_finite_f64(F, "Shape parameter", alpha)?;
    positive_finite_f64(F, "Inverse scale parameter", beta)?;
    let g = rand_distr::Gamma::new(alpha, 1.0 / beta).map_err(|e| rng_error(F, e))?;
    Ok(g.sample(rng))
}

/// The inverse gamma log density with shape `alpha` and scale `beta`, summed; `-inf` for
/// `y <= 0`.
pub fn inv_gamma_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "inv_gamma_lpdf";
    let n = common_len(F, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::positive_finite(F, "Shape parameter", &alpha)?;
    check::positive_finite(F, "Scale parameter", &beta)?;
    if (0..n).any(|i| y.value_at(i) <= 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    let (cy, ca, cb) = (is_const(&y), is_const(&alpha), is_const(&beta));
    if PROPTO && cy && ca && cb {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, a, b) = (y.at(i), alpha.at(i), beta.at(i));
        if !PROPTO || !ca {
            lp -= lgamma(a);
        }
        if !PROPTO || !ca || !cb {
            lp += a * b.ln();
        }
        if !PROPTO || !ca || !cy {
            lp -= (a + 1.0) * yi.ln();
        }
        if !PROPTO || !cb || !cy {
            lp -= b / yi;
        }
    }
    Ok(lp)
}

/// A draw from the inverse gamma distribution.
pub fn inv_gamma_rng(alpha: f64, beta: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "inv_gamma_rng";
    positive_finite_f64(F, "Shape parameter", alpha)?;
    positive_finite_f64(F, "Scale parameter", beta)?;
    let g = rand_distr::Gamma::new(alpha, 1.0 / beta).map_err(|e| rng_error(F, e))?;
    Ok(1.0 / g.sample(rng))
}

/// The exponential log density with rate `beta`, summed.
pub fn exponential_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "exponential_lpdf";
    let n = common_len(F, &[("y", y.len()), ("beta", beta.len())])?;
    check::nonnegative(F, "Random variable", &y)?;
    check::positive_finite(F, "Inverse scale parameter", &beta)?;
    let (cy, cb) = (is_const(&y), is_const(&beta));
    if PROPTO && cy && cb {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let b = beta.at(i);
        if !PROPTO || !cb {
            lp += b.ln();
        }
        lp -= b * y.at(i);
    }
    Ok(lp)
}

fn exponential_checks<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("beta", beta.len())])?;
    check::nonnegative(f, "Random variable", y)?;
    check::positive_finite(f, "Inverse scale parameter", beta)?;
    Ok(n)
}

/// The exponential log CDF, summed.
pub fn exponential_lcdf<S: Scalar>(y: impl Arg<S>, beta: impl Arg<S>) -> Result<S, ModelError> {
    let n = exponential_checks("exponential_lcdf", &y, &beta)?;
    Ok((0..n).fold(S::zero(), |lp, i| lp + crate::math::log1m_exp(-(beta.at(i) * y.at(i)))))
}

/// The exponential log complementary CDF, summed.
pub fn exponential_lccdf<S: Scalar>(y: impl Arg<S>, beta: impl Arg<S>) -> Result<S, ModelError> {
    let n = exponential_checks("exponential_lccdf", &y, &beta)?;
    Ok((0..n).fold(S::zero(), |lp, i| lp - beta.at(i) * y.at(i)))
}

/// The exponential CDF; for containers, the product.
pub fn exponential_cdf<S: Scalar>(y: impl Arg<S>, beta: impl Arg<S>) -> Result<S, ModelError> {
    Ok(exponential_lcdf(y, beta)?.exp())
}

/// A draw from the exponential distribution with rate `beta`.
pub fn exponential_rng(beta: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    positive_finite_f64("exponential_rng", "Inverse scale parameter", beta)?;
    let e: f64 = rand_distr::Exp1.sample(rng);
    Ok(e / beta)
}

/// The chi-square log density, summed; `-inf` for `y < 0`.
pub fn chi_square_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "chi_square_lpdf";
    let n = common_len(F, &[("y", y.len()), ("nu", nu.len())])?;
    check::nonnegative(F, "Random variable", &y)?;
    check::positive_finite(F, "Degrees of freedom parameter", &nu)?;
    let (cy, cn) = (is_const(&y), is_const(&nu));
    if PROPTO && cy && cn {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, h) = (y.at(i), nu.at(i) * 0.5);
        if !PROPTO || !cn {
            lp -= h * LN2 + lgamma(h);
        }
        lp += multiply_log(h - 1.0, yi);
        if !PROPTO || !cy {
            lp -= yi * 0.5;
        }
    }
    Ok(lp)
}

/// A draw from the chi-square distribution.
pub fn chi_square_rng(nu: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    positive_finite_f64("chi_square_rng", "Degrees of freedom parameter", nu)?;
    gamma_rng(0.5 * nu, 0.5, rng)
}

/// The inverse chi-square log density, summed; `-inf` for `y <= 0`.
pub fn inv_chi_square_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "inv_chi_square_lpdf";
    let n = common_len(F, &[("y", y.len()), ("nu", nu.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::positive_finite(F, "Degrees of freedom parameter", &nu)?;
    if (0..n).any(|i| y.value_at(i) <= 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    let (cy, cn) = (is_const(&y), is_const(&nu));
    if PROPTO && cy && cn {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, h) = (y.at(i), nu.at(i) * 0.5);
        if !PROPTO || !cn {
            lp -= h * LN2 + lgamma(h);
        }
        lp -= (h + 1.0) * yi.ln();
        if !PROPTO || !cy {
            lp -= yi.powi(-1) * 0.5;
        }
    }
    Ok(lp)
}

/// A draw from the inverse chi-square distribution.
pub fn inv_chi_square_rng(nu: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    positive_finite_f64("inv_chi_square_rng", "Degrees of freedom parameter", nu)?;
    Ok(1.0 / gamma_rng(0.5 * nu, 0.5, rng)?)
}

/// The scaled inverse chi-square log density, summed; `-inf` for `y <= 0`.
pub fn scaled_inv_chi_square_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    nu: impl Arg<S>,
    s: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "scaled_inv_chi_square_lpdf";
    let n = common_len(F, &[("y", y.len()), ("nu", nu.len()), ("s", s.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::positive_finite(F, "Degrees of freedom parameter", &nu)?;
    check::positive_finite(F, "Scale parameter", &s)?;
    if (0..n).any(|i| y.value_at(i) <= 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    let (cy, cn, cs) = (is_const(&y), is_const(&nu), is_const(&s));
    if PROPTO && cy && cn && cs {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, h, si) = (y.at(i), nu.at(i) * 0.5, s.at(i));
        if !PROPTO || !cn {
            lp += h * h.ln() - lgamma(h);
        }
        if !PROPTO || !cn || !cs {
            lp += h * 2.0 * si.ln();
        }
        if !PROPTO || !cn || !cy {
            lp -= (h + 1.0) * yi.ln();
        }
        lp -= h * si * si / yi;
    }
    Ok(lp)
}

/// A draw from the scaled inverse chi-square distribution.
pub fn scaled_inv_chi_square_rng(nu: f64, s: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "scaled_inv_chi_square_rng";
    positive_finite_f64(F, "Degrees of freedom parameter", nu)?;
    positive_finite_f64(F, "Scale parameter", s)?;
    Ok(nu * s * s / chi_square_rng(nu, rng)?)
}

/// The Weibull log density with shape `alpha` and scale `sigma`, summed; `-inf` for `y < 0`.
pub fn weibull_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "weibull_lpdf";
    let n = common_len(F, &[("y", y.len()), ("alpha", alpha.len()), ("sigma", sigma.len())])?;
    check::finite(F, "Random variable", &y)?;
    check::positive_finite(F, "Shape parameter", &alpha)?;
    check::positive_finite(F, "Scale parameter", &sigma)?;
    if (0..n).any(|i| y.value_at(i) < 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    let (cy, ca, cs) = (is_const(&y), is_const(&alpha), is_const(&sigma));
    if PROPTO && cy && ca && cs {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, a, s) = (y.at(i), alpha.at(i), sigma.at(i));
        if !PROPTO || !ca {
            lp += a.ln();
        }
        if !PROPTO || !ca || !cy {
            lp += multiply_log(a - 1.0, yi);
        }
        if !PROPTO || !ca || !cs {
            lp -= a * s.ln();
        }
        lp -= (yi / s).pow(a);
    }
    Ok(lp)
}

/// A draw from the Weibull distribution.
pub fn weibull_rng(alpha: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "weibull_rng";
    positive_finite_f64(F, "Shape parameter", alpha)?;
    positive_finite_f64(F, "Scale parameter", sigma)?;
    let e: f64 = rand_distr::Exp1.sample(rng);
    Ok(sigma * e.powf(1.0 / alpha))
}

/// The Fréchet log density with shape `alpha` and scale `sigma`, summed.
pub fn frechet_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "frechet_lpdf";
    let n = common_len(F, &[("y", y.len()), ("alpha", alpha.len()), ("sigma", sigma.len())])?;
    check::positive(F, "Random variable", &y)?;
    check::positive_finite(F, "Shape parameter", &alpha)?;
    check::positive_finite(F, "Scale parameter", &sigma)?;
    let (cy, ca, cs) = (is_const(&y), is_const(&alpha), is_const(&sigma));
    if PROPTO && cy && ca && cs {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, a, s) = (y.at(i), alpha.at(i), sigma.at(i));
        if !PROPTO || !ca {
            lp += a.ln();
        }
        if !PROPTO || !ca || !cy {
            lp -= (a + 1.0) * yi.ln();
        }
        if !PROPTO || !ca || !cs {
            lp += a * s.ln();
        }
        lp -= (s / yi).pow(a);
    }
    Ok(lp)
}

/// A draw from the Fréchet distribution.
pub fn frechet_rng(alpha: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "frechet_rng";
    positive_finite_f64(F, "Shape parameter", alpha)?;
    positive_finite_f64(F, "Scale parameter", sigma)?;
    let e: f64 = rand_distr::Exp1.sample(rng);
    Ok(sigma * e.powf(-1.0 / alpha))
}

/// The Pareto log density with minimum `y_min` and shape `alpha`, summed; `-inf` below
/// `y_min`.
pub fn pareto_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    y_min: impl Arg<S>,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "pareto_lpdf";
    let n = common_len(F, &[("y", y.len()), ("y_min", y_min.len()), ("alpha", alpha.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::positive_finite(F, "Scale parameter", &y_min)?;
    check::positive_finite(F, "Shape parameter", &alpha)?;
    if (0..n).any(|i| y.value_at(i) < y_min.value_at(i)) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    let (cy, cm, ca) = (is_const(&y), is_const(&y_min), is_const(&alpha));
    if PROPTO && cy && cm && ca {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, m, a) = (y.at(i), y_min.at(i), alpha.at(i));
        if !PROPTO || !ca {
            lp += a.ln();
        }
        if !PROPTO || !ca || !cm {
            lp += a * m.ln();
        }
        if !PROPTO || !ca || !cy {
            lp -= (a + 1.0) * yi.ln();
        }
    }
    Ok(lp)
}

/// A draw from the Pareto distribution.
pub fn pareto_rng(y_min: f64, alpha: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "pareto_rng";
    positive_finite_f64(F, "Scale parameter", y_min)?;
    positive_finite_f64(F, "Shape parameter", alpha)?;
    let e: f64 = rand_distr::Exp1.sample(rng);
    Ok(y_min * (e / alpha).exp())
}

fn shape_scale_cdf_checks<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    alpha: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("alpha", alpha.len()), ("sigma", sigma.len())])?;
    check::nonnegative(f, "Random variable", y)?;
    check::positive_finite(f, "Shape parameter", alpha)?;
    check::positive_finite(f, "Scale parameter", sigma)?;
    Ok(n)
}

/// The Weibull log CDF: `ln(1 - exp(-(y / sigma)^alpha))`, its complement `-(y / sigma)^alpha`.
fn weibull_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = shape_scale_cdf_checks(f, &y, &alpha, &sigma)?;
    let mut lp = S::zero();
    for i in 0..n {
        let yi = y.at(i);
        if yi.value() == 0.0 {
            if upper {
                continue;
            }
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
        let t = -(yi / sigma.at(i)).pow(alpha.at(i));
        lp += if upper { t } else { log1m_exp(t) };
    }
    Ok(lp)
}

cdf_functions!(
    "weibull",
    weibull_log_cdf,
    weibull_cdf,
    weibull_lcdf,
    weibull_lccdf,
    (y: impl Arg<S>, alpha: impl Arg<S>, sigma: impl Arg<S>)
);

/// The Fréchet log CDF: `-(y / sigma)^-alpha`, its complement `ln(1 - exp(...))`.
fn frechet_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = shape_scale_cdf_checks(f, &y, &alpha, &sigma)?;
    let mut lp = S::zero();
    for i in 0..n {
        let yi = y.at(i);
        if yi.value() == 0.0 {
            if upper {
                continue;
            }
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
        let t = -(sigma.at(i) / yi).pow(alpha.at(i));
        lp += if upper { log1m_exp(t) } else { t };
    }
    Ok(lp)
}

cdf_functions!(
    "frechet",
    frechet_log_cdf,
    frechet_cdf,
    frechet_lcdf,
    frechet_lccdf,
    (y: impl Arg<S>, alpha: impl Arg<S>, sigma: impl Arg<S>)
);

/// The Pareto log CDF: the complement is `alpha ln(y_min / y)` above `y_min`.
fn pareto_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    y_min: impl Arg<S>,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("y_min", y_min.len()), ("alpha", alpha.len())])?;
    check::nonnegative(f, "Random variable", &y)?;
    check::positive_finite(f, "Scale parameter", &y_min)?;
    check::positive_finite(f, "Shape parameter", &alpha)?;
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, m) = (y.at(i), y_min.at(i));
        if yi.value() <= m.value() {
            if upper {
                continue;
            }
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
        let t = alpha.at(i) * (m / yi).ln();
        lp += if upper { t } else { log1m_exp(t) };
    }
    Ok(lp)
}

cdf_functions!(
    "pareto",
    pareto_log_cdf,
    pareto_cdf,
    pareto_lcdf,
    pareto_lccdf,
    (y: impl Arg<S>, y_min: impl Arg<S>, alpha: impl Arg<S>)
);

/// The inverse gamma log CDF: `Q(alpha, beta / y)`, its complement `P(alpha, beta / y)`.
fn inv_gamma_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::nonnegative(f, "Random variable", &y)?;
    check::positive_finite(f, "Shape parameter", &alpha)?;
    check::positive_finite(f, "Scale parameter", &beta)?;
    let varies = !is_const(&alpha);
    let mut lp = S::zero();
    for i in 0..n {
        let yi = y.at(i);
        let z = if yi.value() == 0.0 { S::from_f64(f64::INFINITY) } else { beta.at(i) / yi };
        lp += log_gamma_inc(alpha.at(i), z, !upper, varies);
    }
    Ok(lp)
}

cdf_functions!(
    "inv_gamma",
    inv_gamma_log_cdf,
    inv_gamma_cdf,
    inv_gamma_lcdf,
    inv_gamma_lccdf,
    (y: impl Arg<S>, alpha: impl Arg<S>, beta: impl Arg<S>)
);

/// The chi-square log CDF: `P(nu / 2, y / 2)`.
fn chi_square_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    nu: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("nu", nu.len())])?;
    check::nonnegative(f, "Random variable", &y)?;
    check::positive_finite(f, "Degrees of freedom parameter", &nu)?;
    let varies = !is_const(&nu);
    Ok((0..n)
        .fold(S::zero(), |lp, i| lp + log_gamma_inc(nu.at(i) * 0.5, y.at(i) * 0.5, upper, varies)))
}

cdf_functions!(
    "chi_square",
    chi_square_log_cdf,
    chi_square_cdf,
    chi_square_lcdf,
    chi_square_lccdf,
    (y: impl Arg<S>, nu: impl Arg<S>)
);

/// The inverse chi-square log CDF: `Q(nu / 2, 1 / (2 y))`, its complement `P(nu / 2, 1 / (2 y))`.
fn inv_chi_square_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    nu: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("nu", nu.len())])?;
    check::nonnegative(f, "Random variable", &y)?;
    check::positive_finite(f, "Degrees of freedom parameter", &nu)?;
    let varies = !is_const(&nu);
    let mut lp = S::zero();
    for i in 0..n {
        let yi = y.at(i);
        // y = 0 is the lower end of the support, where 1 / (2 y) is infinite and Q vanishes.
        let z = if yi.value() == 0.0 { S::from_f64(f64::INFINITY) } else { yi.powi(-1) * 0.5 };
        lp += log_gamma_inc(nu.at(i) * 0.5, z, !upper, varies);
    }
    Ok(lp)
}

cdf_functions!(
    "inv_chi_square",
    inv_chi_square_log_cdf,
    inv_chi_square_cdf,
    inv_chi_square_lcdf,
    inv_chi_square_lccdf,
    (y: impl Arg<S>, nu: impl Arg<S>)
);

/// The scaled inverse chi-square log CDF: `Q(nu / 2, nu s^2 / (2 y))`, its complement
/// `P(nu / 2, nu s^2 / (2 y))`.
fn scaled_inv_chi_square_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    nu: impl Arg<S>,
    s: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("nu", nu.len()), ("s", s.len())])?;
    check::nonnegative(f, "Random variable", &y)?;
    check::positive_finite(f, "Degrees of freedom parameter", &nu)?;
    check::positive_finite(f, "Scale parameter", &s)?;
    let varies = !is_const(&nu);
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, h, si) = (y.at(i), nu.at(i) * 0.5, s.at(i));
        // The shape h enters z too; that path of its derivative is exact, through z.
        let z = if yi.value() == 0.0 { S::from_f64(f64::INFINITY) } else { h * si * si / yi };
        lp += log_gamma_inc(h, z, !upper, varies);
    }
    Ok(lp)
}

cdf_functions!(
    "scaled_inv_chi_square",
    scaled_inv_chi_square_log_cdf,
    scaled_inv_chi_square_cdf,
    scaled_inv_chi_square_lcdf,
    scaled_inv_chi_square_lccdf,
    (y: impl Arg<S>, nu: impl Arg<S>, s: impl Arg<S>)
);
