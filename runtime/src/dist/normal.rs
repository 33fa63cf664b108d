//! The normal family: normal, std_normal and lognormal (Stan functions reference,
//! "Unbounded continuous distributions" and "Positive continuous distributions").

use super::check::{self, is_const};
use crate::math::partials::Terms;
use crate::math::{Arg, HALF_LN_2PI, common_len, lift, log_phi, phi_f64, std_normal_pdf_f64};
use crate::model::ModelError;
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand_distr::Distribution;

/// The normal log density `N(y | mu, sigma)`, summed over the vectorised arguments.
pub fn normal_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    if S::PARTIALS {
        return normal_lpdf_analytic::<PROPTO, S>(y, mu, sigma);
    }
    const F: &str = "normal_lpdf";
    let n = common_len(F, &[("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::finite(F, "Location parameter", &mu)?;
    check::positive(F, "Scale parameter", &sigma)?;
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let log_sigma = !PROPTO || !is_const(&sigma);
    let mut lp = S::zero();
    for i in 0..n {
        let s = sigma.at(i);
        let z = (y.at(i) - mu.at(i)) / s;
        lp -= z * z * 0.5;
        if log_sigma {
            lp -= s.ln();
        }
    }
    if !PROPTO {
        lp -= HALF_LN_2PI * n as f64;
    }
    Ok(lp)
}

/// `normal_lpdf` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
///
/// One pass over the elements computes the value and the partial derivatives in `f64`, and
/// checks the arguments as it goes, so that a lazily evaluated argument is evaluated once.
fn normal_lpdf_analytic<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "normal_lpdf";
    let n = common_len(F, &[("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len())])?;
    let all_const = is_const(&y) && is_const(&mu) && is_const(&sigma);
    let log_sigma = !PROPTO || !is_const(&sigma);
    let (y_many, mu_many, sigma_many) =
        (y.len().is_some(), mu.len().is_some(), sigma.len().is_some());
    let mut terms = Terms::<S, 3>::new();
    let mut lp = 0.0;
    for i in 0..n {
        let (ys, ms, ss) = (y.at(i), mu.at(i), sigma.at(i));
        let (yv, mv, sv) = (ys.value(), ms.value(), ss.value());
        check::element(F, "Random variable", y_many, i, yv, "not nan", !yv.is_nan())?;
        check::element(F, "Location parameter", mu_many, i, mv, "finite", mv.is_finite())?;
        check::element(F, "Scale parameter", sigma_many, i, sv, "positive", sv > 0.0)?;
        if PROPTO && all_const {
            continue;
        }
        let inv = 1.0 / sv;
        let z = (yv - mv) * inv;
        lp -= 0.5 * z * z;
        if log_sigma {
            lp -= sv.ln();
        }
        let dz = z * inv;
        terms.push(0, &y, ys, -dz);
        terms.push(1, &mu, ms, dz);
        terms.push(2, &sigma, ss, z * dz - inv);
    }
    if PROPTO && all_const {
        return Ok(S::zero());
    }
    if !PROPTO {
        lp -= HALF_LN_2PI * n as f64;
    }
    terms.finish_arg(0, &y);
    terms.finish_arg(1, &mu);
    terms.finish_arg(2, &sigma);
    Ok(terms.finish(lp))
}

fn normal_z<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len())])?;
    check::not_nan(f, "Random variable", y)?;
    check::finite(f, "Location parameter", mu)?;
    check::positive(f, "Scale parameter", sigma)?;
    Ok(n)
}

/// The normal log CDF, summed; finite far into the lower tail.
pub fn normal_lcdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = normal_z("normal_lcdf", &y, &mu, &sigma)?;
    Ok((0..n).fold(S::zero(), |lp, i| lp + log_phi((y.at(i) - mu.at(i)) / sigma.at(i))))
}

/// The normal log complementary CDF, summed.
pub fn normal_lccdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = normal_z("normal_lccdf", &y, &mu, &sigma)?;
    Ok((0..n).fold(S::zero(), |lp, i| lp + log_phi((mu.at(i) - y.at(i)) / sigma.at(i))))
}

/// The normal CDF; for containers, the product of the elementwise CDFs.
pub fn normal_cdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = normal_z("normal_cdf", &y, &mu, &sigma)?;
    Ok((0..n).fold(S::one(), |p, i| {
        let z = (y.at(i) - mu.at(i)) / sigma.at(i);
        let v = z.value();
        p * lift(z, phi_f64(v), std_normal_pdf_f64(v))
    }))
}

/// A draw from `N(mu, sigma)`.
pub fn normal_rng(mu: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "normal_rng";
    check::scalar(F, "Location parameter", mu, "finite", mu.is_finite())?;
    check::scalar(
        F,
        "Scale parameter",
        sigma,
        "positive finite",
        sigma > 0.0 && sigma.is_finite(),
    )?;
    let z: f64 = rand_distr::StandardNormal.sample(rng);
    Ok(mu + sigma * z)
}

/// The standard normal log density, summed.
pub fn std_normal_lpdf<const PROPTO: bool, S: Scalar>(y: impl Arg<S>) -> Result<S, ModelError> {
    const F: &str = "std_normal_lpdf";
    check::not_nan(F, "Random variable", &y)?;
    if PROPTO && is_const(&y) {
        return Ok(S::zero());
    }
    let n = y.len().unwrap_or(1);
    if S::PARTIALS {
        let mut terms = Terms::<S, 1>::new();
        let mut lp = 0.0;
        for i in 0..n {
            let ys = y.at(i);
            let v = ys.value();
            lp -= 0.5 * v * v;
            terms.push(0, &y, ys, -v);
        }
        if !PROPTO {
            lp -= HALF_LN_2PI * n as f64;
        }
        terms.finish_arg(0, &y);
        return Ok(terms.finish(lp));
    }
    let mut lp = (0..n).fold(S::zero(), |lp, i| {
        let v = y.at(i);
        lp - v * v * 0.5
    });
    if !PROPTO {
        lp -= HALF_LN_2PI * n as f64;
    }
    Ok(lp)
}

/// The standard normal log CDF, summed; finite far into the lower tail.
pub fn std_normal_lcdf<S: Scalar>(y: impl Arg<S>) -> Result<S, ModelError> {
    check::not_nan("std_normal_lcdf", "Random variable", &y)?;
    let n = y.len().unwrap_or(1);
    Ok((0..n).fold(S::zero(), |lp, i| lp + log_phi(y.at(i))))
}

/// The standard normal log complementary CDF, summed.
pub fn std_normal_lccdf<S: Scalar>(y: impl Arg<S>) -> Result<S, ModelError> {
    check::not_nan("std_normal_lccdf", "Random variable", &y)?;
    let n = y.len().unwrap_or(1);
    Ok((0..n).fold(S::zero(), |lp, i| lp + log_phi(-y.at(i))))
}

/// The standard normal CDF; for containers, the product.
pub fn std_normal_cdf<S: Scalar>(y: impl Arg<S>) -> Result<S, ModelError> {
    normal_cdf(y, crate::math::Data(0.0), crate::math::Data(1.0))
}

/// A draw from `N(0, 1)`.
pub fn std_normal_rng(rng: &mut ChainRng) -> Result<f64, ModelError> {
    Ok(rand_distr::StandardNormal.sample(rng))
}

/// The lognormal log density, summed; `-inf` at `y = 0`, an error for `y < 0`.
pub fn lognormal_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "lognormal_lpdf";
    let n = common_len(F, &[("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len())])?;
    check::nonnegative(F, "Random variable", &y)?;
    check::finite(F, "Location parameter", &mu)?;
    check::positive_finite(F, "Scale parameter", &sigma)?;
    if (0..n).any(|i| y.value_at(i) == 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    if PROPTO && is_const(&y) && is_const(&mu) && is_const(&sigma) {
        return Ok(S::zero());
    }
    let (log_sigma, log_y) = (!PROPTO || !is_const(&sigma), !PROPTO || !is_const(&y));
    let mut lp = S::zero();
    for i in 0..n {
        let (s, ly) = (sigma.at(i), y.at(i).ln());
        let z = (ly - mu.at(i)) / s;
        lp -= z * z * 0.5;
        if log_sigma {
            lp -= s.ln();
        }
        if log_y {
            lp -= ly;
        }
    }
    if !PROPTO {
        lp -= HALF_LN_2PI * n as f64;
    }
    Ok(lp)
}

fn lognormal_z<S: Scalar>(
    f: &'static str,
    y: &impl Arg<S>,
    mu: &impl Arg<S>,
    sigma: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("mu", mu.len()), ("sigma", sigma.len())])?;
    check::nonnegative(f, "Random variable", y)?;
    check::finite(f, "Location parameter", mu)?;
    check::positive_finite(f, "Scale parameter", sigma)?;
    Ok(n)
}

/// The lognormal log CDF, summed.
pub fn lognormal_lcdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = lognormal_z("lognormal_lcdf", &y, &mu, &sigma)?;
    if (0..n).any(|i| y.value_at(i) == 0.0) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    Ok((0..n).fold(S::zero(), |lp, i| lp + log_phi((y.at(i).ln() - mu.at(i)) / sigma.at(i))))
}

/// The lognormal log complementary CDF, summed.
pub fn lognormal_lccdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = lognormal_z("lognormal_lccdf", &y, &mu, &sigma)?;
    if (0..n).any(|i| y.value_at(i) == 0.0) {
        return Ok(S::zero());
    }
    Ok((0..n).fold(S::zero(), |lp, i| lp + log_phi((mu.at(i) - y.at(i).ln()) / sigma.at(i))))
}

/// The lognormal CDF; for containers, the product.
pub fn lognormal_cdf<S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    Ok(lognormal_lcdf(y, mu, sigma)?.exp())
}

/// A draw from the lognormal distribution.
pub fn lognormal_rng(mu: f64, sigma: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "lognormal_rng";
    check::scalar(F, "Location parameter", mu, "finite", mu.is_finite())?;
    check::scalar(
        F,
        "Scale parameter",
        sigma,
        "positive finite",
        sigma > 0.0 && sigma.is_finite(),
    )?;
    let z: f64 = rand_distr::StandardNormal.sample(rng);
    Ok((mu + sigma * z).exp())
}
