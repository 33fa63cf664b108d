//! Distributions on bounded or circular supports: beta, beta_proportion, uniform and
//! von_mises (Stan functions reference, "Continuous distributions on [0, 1]", "Bounded
//! continuous distributions" and "Circular distributions").

use super::check::{self, is_const};
use super::incomplete::log_beta_inc;
use crate::math::{Arg, common_len, lbeta, lift, log_bessel_i0_and_ratio, multiply_log};
use crate::model::ModelError;
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand::Rng;
use rand_distr::Distribution;
use std::f64::consts::PI;

/// The beta log density, summed; an error for `y` outside `[0, 1]`.
pub fn beta_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "beta_lpdf";
    let n = common_len(F, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::positive_finite(F, "First shape parameter", &alpha)?;
    check::positive_finite(F, "Second shape parameter", &beta)?;
    check::unit_interval(F, "Random variable", &y)?;
    let (cy, ca, cb) = (is_const(&y), is_const(&alpha), is_const(&beta));
    if PROPTO && cy && ca && cb {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, a, b) = (y.at(i), alpha.at(i), beta.at(i));
        if !PROPTO || !ca || !cb {
            lp -= lbeta(a, b);
        }
        if !PROPTO || !ca || !cy {
            lp += multiply_log(a - 1.0, yi);
        }
        if !PROPTO || !cb || !cy {
            lp += multiply_log(b - 1.0, S::one() - yi);
        }
    }
    Ok(lp)
}

/// A draw from the beta distribution.
pub fn beta_rng(alpha: f64, beta: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "beta_rng";
    check::scalar(
        F,
        "First shape parameter",
        alpha,
        "positive finite",
        alpha > 0.0 && alpha.is_finite(),
    )?;
    check::scalar(
        F,
        "Second shape parameter",
        beta,
        "positive finite",
        beta > 0.0 && beta.is_finite(),
    )?;
    let d = rand_distr::Beta::new(alpha, beta)
        .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    Ok(d.sample(rng))
}

/// The beta log density parameterised by mean `mu` in (0, 1) and precision `kappa`, summed.
pub fn beta_proportion_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    kappa: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "beta_proportion_lpdf";
    let n = common_len(F, &[("y", y.len()), ("mu", mu.len()), ("kappa", kappa.len())])?;
    check::each(F, "Location parameter", &mu, "in the interval (0, 1)", |v| v > 0.0 && v < 1.0)?;
    check::positive_finite(F, "Precision parameter", &kappa)?;
    check::unit_interval(F, "Random variable", &y)?;
    let (cy, cm, ck) = (is_const(&y), is_const(&mu), is_const(&kappa));
    if PROPTO && cy && cm && ck {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, m, k) = (y.at(i), mu.at(i), kappa.at(i));
        let (a, b) = (m * k, (S::one() - m) * k);
        if !PROPTO || !cm || !ck {
            lp -= lbeta(a, b);
        }
        lp += multiply_log(a - 1.0, yi) + multiply_log(b - 1.0, S::one() - yi);
    }
    Ok(lp)
}

/// A draw from the beta_proportion distribution.
pub fn beta_proportion_rng(mu: f64, kappa: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "beta_proportion_rng";
    check::scalar(F, "Location parameter", mu, "in the interval (0, 1)", mu > 0.0 && mu < 1.0)?;
    check::scalar(
        F,
        "Precision parameter",
        kappa,
        "positive finite",
        kappa > 0.0 && kappa.is_finite(),
    )?;
    beta_rng(mu * kappa, (1.0 - mu) * kappa, rng)
}

/// The uniform log density on `[alpha, beta]`, summed; `-inf` outside.
pub fn uniform_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "uniform_lpdf";
    let n = common_len(F, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::not_nan(F, "Random variable", &y)?;
    check::finite(F, "Lower bound parameter", &alpha)?;
    check::finite(F, "Upper bound parameter", &beta)?;
    for i in 0..n {
        let (a, b) = (alpha.value_at(i), beta.value_at(i));
        if b <= a {
            return Err(ModelError::recoverable(format!(
                "{F}: Upper bound parameter is {}, but must be greater than {}",
                check::show(b),
                check::show(a)
            )));
        }
        let v = y.value_at(i);
        if v < a || v > b {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
    }
    if PROPTO && is_const(&alpha) && is_const(&beta) {
        return Ok(S::zero());
    }
    Ok((0..n).fold(S::zero(), |lp, i| lp - (beta.at(i) - alpha.at(i)).ln()))
}

/// A draw from the uniform distribution on `[alpha, beta]`.
pub fn uniform_rng(alpha: f64, beta: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "uniform_rng";
    check::scalar(F, "Lower bound parameter", alpha, "finite", alpha.is_finite())?;
    check::scalar(F, "Upper bound parameter", beta, "finite", beta.is_finite())?;
    if beta <= alpha {
        return Err(ModelError::recoverable(format!(
            "{F}: Upper bound parameter is {beta}, but must be greater than {alpha}"
        )));
    }
    let u: f64 = rng.random();
    Ok(alpha + (beta - alpha) * u)
}

/// `ln I0(kappa)`, with derivative `I1(kappa) / I0(kappa)`, finite for any `kappa`.
fn log_i0<S: Scalar>(kappa: S) -> S {
    let (f, ratio) = log_bessel_i0_and_ratio(kappa.value());
    lift(kappa, f, ratio)
}

/// The von Mises log density with location `mu` and concentration `kappa`, summed; stable
/// for large `kappa`, where `I0(kappa)` itself overflows.
pub fn von_mises_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    mu: impl Arg<S>,
    kappa: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "von_mises_lpdf";
    let n = common_len(F, &[("y", y.len()), ("mu", mu.len()), ("kappa", kappa.len())])?;
    check::finite(F, "Random variable", &y)?;
    check::finite(F, "Location parameter", &mu)?;
    check::each(F, "Scale parameter", &kappa, "nonnegative finite", |v| v >= 0.0 && v.is_finite())?;
    let (cy, cm, ck) = (is_const(&y), is_const(&mu), is_const(&kappa));
    if PROPTO && cy && cm && ck {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..n {
        let k = kappa.at(i);
        lp += k * (y.at(i) - mu.at(i)).cos();
        if !PROPTO || !ck {
            lp -= log_i0(k);
        }
    }
    if !PROPTO {
        lp -= (2.0 * PI).ln() * n as f64;
    }
    Ok(lp)
}

/// A draw from the von Mises distribution on `[mu - pi, mu + pi]` (Best and Fisher's
/// rejection sampler).
pub fn von_mises_rng(mu: f64, kappa: f64, rng: &mut ChainRng) -> Result<f64, ModelError> {
    const F: &str = "von_mises_rng";
    check::scalar(F, "Location parameter", mu, "finite", mu.is_finite())?;
    check::scalar(
        F,
        "Scale parameter",
        kappa,
        "nonnegative finite",
        kappa >= 0.0 && kappa.is_finite(),
    )?;
    if kappa < 1e-8 {
        let u: f64 = rng.random();
        return Ok(mu + PI * (2.0 * u - 1.0));
    }
    let tau = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
    let rho = (tau - (2.0 * tau).sqrt()) / (2.0 * kappa);
    let r = (1.0 + rho * rho) / (2.0 * rho);
    loop {
        let (u1, u2, u3): (f64, f64, f64) = (rng.random(), rng.random(), rng.random());
        let z = (PI * u1).cos();
        let f = (1.0 + r * z) / (r + z);
        let c = kappa * (r - f);
        if c * (2.0 - c) - u2 > 0.0 || (c / u2).ln() + 1.0 - c >= 0.0 {
            let sign = if u3 > 0.5 { 1.0 } else { -1.0 };
            return Ok(mu + sign * f.clamp(-1.0, 1.0).acos());
        }
    }
}

/// The beta log CDF: `ln I_y(alpha, beta)`, its complement `ln I_{1-y}(beta, alpha)`.
fn beta_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::positive_finite(f, "First shape parameter", &alpha)?;
    check::positive_finite(f, "Second shape parameter", &beta)?;
    check::unit_interval(f, "Random variable", &y)?;
    let varies = !is_const(&alpha) || !is_const(&beta);
    Ok((0..n).fold(S::zero(), |lp, i| {
        let (yi, a, b) = (y.at(i), alpha.at(i), beta.at(i));
        lp + if upper {
            log_beta_inc(b, a, S::one() - yi, varies)
        } else {
            log_beta_inc(a, b, yi, varies)
        }
    }))
}

cdf_functions!(
    "beta",
    beta_log_cdf,
    beta_cdf,
    beta_lcdf,
    beta_lccdf,
    (y: impl Arg<S>, alpha: impl Arg<S>, beta: impl Arg<S>)
);

/// The beta_proportion log CDF: the beta log CDF with shapes `mu kappa` and `(1 - mu) kappa`.
fn beta_proportion_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    mu: impl Arg<S>,
    kappa: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("mu", mu.len()), ("kappa", kappa.len())])?;
    check::each(f, "Location parameter", &mu, "in the interval (0, 1)", |v| v > 0.0 && v < 1.0)?;
    check::positive_finite(f, "Precision parameter", &kappa)?;
    check::unit_interval(f, "Random variable", &y)?;
    let varies = !is_const(&mu) || !is_const(&kappa);
    Ok((0..n).fold(S::zero(), |lp, i| {
        let (yi, m, k) = (y.at(i), mu.at(i), kappa.at(i));
        // The shapes are built as scalars so that their derivatives reach mu and kappa by
        // the chain rule.
        let (a, b) = (m * k, (S::one() - m) * k);
        lp + if upper {
            log_beta_inc(b, a, S::one() - yi, varies)
        } else {
            log_beta_inc(a, b, yi, varies)
        }
    }))
}

cdf_functions!(
    log_only "beta_proportion",
    beta_proportion_log_cdf,
    beta_proportion_lcdf,
    beta_proportion_lccdf,
    (y: impl Arg<S>, mu: impl Arg<S>, kappa: impl Arg<S>)
);

/// The uniform log CDF: `ln((y - alpha) / (beta - alpha))`, clamped to the support.
fn uniform_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::not_nan(f, "Random variable", &y)?;
    check::finite(f, "Lower bound parameter", &alpha)?;
    check::finite(f, "Upper bound parameter", &beta)?;
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, a, b) = (y.at(i), alpha.at(i), beta.at(i));
        if b.value() <= a.value() {
            return Err(ModelError::recoverable(format!(
                "{f}: Upper bound parameter is {}, but must be greater than {}",
                check::show(b.value()),
                check::show(a.value())
            )));
        }
        let (below, above) = (yi.value() <= a.value(), yi.value() >= b.value());
        match (upper, below, above) {
            (false, true, _) | (true, _, true) => return Ok(S::from_f64(f64::NEG_INFINITY)),
            (false, _, true) | (true, true, _) => continue,
            (false, ..) => lp += ((yi - a) / (b - a)).ln(),
            (true, ..) => lp += ((b - yi) / (b - a)).ln(),
        }
    }
    Ok(lp)
}

cdf_functions!(
    "uniform",
    uniform_log_cdf,
    uniform_cdf,
    uniform_lcdf,
    uniform_lccdf,
    (y: impl Arg<S>, alpha: impl Arg<S>, beta: impl Arg<S>)
);
