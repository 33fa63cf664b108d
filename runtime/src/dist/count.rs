//! Distributions of counts and binary outcomes: poisson, binomial, bernoulli and
//! neg_binomial_2, with their log and logit parameterisations (Stan functions reference,
//! "Binary distributions", "Bounded discrete distributions" and "Unbounded discrete
//! distributions").

use super::check::{self, is_const};
use crate::math::logexp::{inv_logit_f64, log1p_exp_f64};
use crate::math::partials::Terms;
use crate::math::{
    Arg, IntArg, common_len, lchoose_f64, lgamma_f64, lgamma_shift_excess, log_inv_logit,
    log1m_inv_logit, log1p_exp,
};
use crate::model::ModelError;
use crate::rng::ChainRng;
use crate::scalar::Scalar;
use rand::Rng;
use rand_distr::Distribution;

fn log_factorial(n: i64) -> f64 {
    lgamma_f64(n as f64 + 1.0)
}

/// `k ln x`, taken as 0 when `k = 0` whatever `x` (a zero count contributes nothing).
fn count_log<S: Scalar>(k: i64, x: S) -> S {
    if k == 0 { S::zero() } else { x.ln() * k as f64 }
}

/// The Poisson log mass with rate `lambda`, summed.
pub fn poisson_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    lambda: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "poisson_lpmf";
    let len = common_len(F, &[("n", n.len()), ("lambda", lambda.len())])?;
    check::nonnegative_int(F, "Random variable", &n)?;
    check::nonnegative(F, "Rate parameter", &lambda)?;
    for i in 0..len {
        let l = lambda.value_at(i);
        if l == f64::INFINITY || (l == 0.0 && n.int_at(i) > 0) {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
    }
    if PROPTO && is_const(&lambda) {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, l) = (n.int_at(i), lambda.at(i));
        lp += count_log(k, l) - l;
        if !PROPTO {
            lp -= log_factorial(k);
        }
    }
    Ok(lp)
}

/// The Poisson log mass with log rate `alpha`, summed.
pub fn poisson_log_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    if S::PARTIALS {
        return poisson_log_lpmf_analytic::<PROPTO, S>(n, alpha);
    }
    const F: &str = "poisson_log_lpmf";
    let len = common_len(F, &[("n", n.len()), ("alpha", alpha.len())])?;
    check::nonnegative_int(F, "Random variable", &n)?;
    check::not_nan(F, "Log rate parameter", &alpha)?;
    for i in 0..len {
        let a = alpha.value_at(i);
        if a == f64::INFINITY || (a == f64::NEG_INFINITY && n.int_at(i) > 0) {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
    }
    if PROPTO && is_const(&alpha) {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, a) = (n.int_at(i), alpha.at(i));
        if a.value() == f64::NEG_INFINITY {
            continue;
        }
        lp += a * k as f64 - a.exp();
        if !PROPTO {
            lp -= log_factorial(k);
        }
    }
    Ok(lp)
}

/// `poisson_log_lpmf` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn poisson_log_lpmf_analytic<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "poisson_log_lpmf";
    let len = common_len(F, &[("n", n.len()), ("alpha", alpha.len())])?;
    check::nonnegative_int(F, "Random variable", &n)?;
    check::not_nan(F, "Log rate parameter", &alpha)?;
    for i in 0..len {
        let a = alpha.value_at(i);
        if a == f64::INFINITY || (a == f64::NEG_INFINITY && n.int_at(i) > 0) {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
    }
    if PROPTO && is_const(&alpha) {
        return Ok(S::zero());
    }
    let mut terms = Terms::<S, 1>::new();
    let mut lp = 0.0;
    for i in 0..len {
        let (k, a) = (n.int_at(i), alpha.at(i));
        let av = a.value();
        if av == f64::NEG_INFINITY {
            continue;
        }
        let rate = av.exp();
        lp += av * k as f64 - rate;
        if !PROPTO {
            lp -= log_factorial(k);
        }
        terms.push(0, &alpha, a, k as f64 - rate);
    }
    terms.finish_arg(0, &alpha);
    Ok(terms.finish(lp))
}

fn poisson_rate_f64(f: &str, lambda: f64) -> Result<(), ModelError> {
    // Beyond 2^30 the draw no longer fits Stan's int.
    check::scalar(f, "Rate parameter", lambda, "less than 1073741824", lambda < 1073741824.0)?;
    check::scalar(f, "Rate parameter", lambda, "nonnegative", lambda >= 0.0)
}

/// A Poisson draw with rate `lambda`.
pub fn poisson_rng(lambda: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "poisson_rng";
    poisson_rate_f64(F, lambda)?;
    if lambda == 0.0 {
        return Ok(0);
    }
    let d = rand_distr::Poisson::new(lambda)
        .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    Ok(d.sample(rng) as i64)
}

/// A Poisson draw with log rate `alpha`.
pub fn poisson_log_rng(alpha: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    poisson_rate_f64("poisson_log_rng", alpha.exp())?;
    poisson_rng(alpha.exp(), rng)
}

fn binomial_checks(
    f: &str,
    n: &impl IntArg,
    trials: &impl IntArg,
    len: usize,
) -> Result<(), ModelError> {
    check::nonnegative_int(f, "Population size parameter", trials)?;
    for i in 0..len {
        let (k, m) = (n.int_at(i), trials.int_at(i));
        if k < 0 || k > m {
            let at = n.len().map_or(String::new(), |_| format!("[{}]", i + 1));
            return Err(ModelError::recoverable(format!(
                "{f}: Successes variable{at} is {k}, but must be in the interval [0, {m}]"
            )));
        }
    }
    Ok(())
}

/// The binomial log mass of `n` successes in `trials` with probability `theta`, summed.
pub fn binomial_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    trials: impl IntArg,
    theta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "binomial_lpmf";
    let len = common_len(F, &[("n", n.len()), ("N", trials.len()), ("theta", theta.len())])?;
    binomial_checks(F, &n, &trials, len)?;
    check::unit_interval(F, "Probability parameter", &theta)?;
    if PROPTO && is_const(&theta) {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m, p) = (n.int_at(i), trials.int_at(i), theta.at(i));
        lp += count_log(k, p) + count_log(m - k, S::one() - p);
        if !PROPTO {
            lp += lchoose_f64(m as f64, k as f64);
        }
    }
    Ok(lp)
}

/// The binomial log mass with log-odds `alpha`, summed; finite for any finite `alpha`.
pub fn binomial_logit_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    trials: impl IntArg,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "binomial_logit_lpmf";
    let len = common_len(F, &[("n", n.len()), ("N", trials.len()), ("alpha", alpha.len())])?;
    binomial_checks(F, &n, &trials, len)?;
    check::finite(F, "Probability parameter", &alpha)?;
    if PROPTO && is_const(&alpha) {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m, a) = (n.int_at(i), trials.int_at(i), alpha.at(i));
        if k > 0 {
            lp += log_inv_logit(a) * k as f64;
        }
        if m > k {
            lp += log1m_inv_logit(a) * (m - k) as f64;
        }
        if !PROPTO {
            lp += lchoose_f64(m as f64, k as f64);
        }
    }
    Ok(lp)
}

/// A binomial draw.
pub fn binomial_rng(trials: i64, theta: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "binomial_rng";
    if trials < 0 {
        return Err(ModelError::recoverable(format!(
            "{F}: Population size parameter is {trials}, but must be nonnegative!"
        )));
    }
    check::scalar(
        F,
        "Probability parameter",
        theta,
        "in the interval [0, 1]",
        (0.0..=1.0).contains(&theta),
    )?;
    let d = rand_distr::Binomial::new(trials as u64, theta)
        .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    Ok(d.sample(rng) as i64)
}

/// The Bernoulli log mass with probability `theta`, summed.
pub fn bernoulli_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    theta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "bernoulli_lpmf";
    let len = common_len(F, &[("n", n.len()), ("theta", theta.len())])?;
    check::each_int(F, "n", &n, "in the interval [0, 1]", |k| k == 0 || k == 1)?;
    check::unit_interval(F, "Probability parameter", &theta)?;
    if PROPTO && is_const(&theta) {
        return Ok(S::zero());
    }
    Ok((0..len).fold(S::zero(), |lp, i| {
        let p = theta.at(i);
        lp + if n.int_at(i) == 1 { p.ln() } else { (-p).ln_1p() }
    }))
}

/// The Bernoulli log mass with log-odds `alpha`, summed.
pub fn bernoulli_logit_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    if S::PARTIALS {
        return bernoulli_logit_lpmf_analytic::<PROPTO, S>(n, alpha);
    }
    const F: &str = "bernoulli_logit_lpmf";
    let len = common_len(F, &[("n", n.len()), ("alpha", alpha.len())])?;
    check::each_int(F, "n", &n, "in the interval [0, 1]", |k| k == 0 || k == 1)?;
    check::not_nan(F, "Logit transformed probability parameter", &alpha)?;
    if PROPTO && is_const(&alpha) {
        return Ok(S::zero());
    }
    Ok((0..len).fold(S::zero(), |lp, i| {
        let a = alpha.at(i);
        lp + if n.int_at(i) == 1 { log_inv_logit(a) } else { log1m_inv_logit(a) }
    }))
}

/// `bernoulli_logit_lpmf` from the analytic partial derivatives (see [`Scalar::PARTIALS`]).
fn bernoulli_logit_lpmf_analytic<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    alpha: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "bernoulli_logit_lpmf";
    let len = common_len(F, &[("n", n.len()), ("alpha", alpha.len())])?;
    check::each_int(F, "n", &n, "in the interval [0, 1]", |k| k == 0 || k == 1)?;
    check::not_nan(F, "Logit transformed probability parameter", &alpha)?;
    if PROPTO && is_const(&alpha) {
        return Ok(S::zero());
    }
    let mut terms = Terms::<S, 1>::new();
    let mut lp = 0.0;
    for i in 0..len {
        let a = alpha.at(i);
        // ln inv_logit(s a) with s = +1 for a success and -1 for a failure; its derivative in
        // a is s inv_logit(-s a).
        let sign = if n.int_at(i) == 1 { 1.0 } else { -1.0 };
        let sa = sign * a.value();
        lp -= log1p_exp_f64(-sa);
        terms.push(0, &alpha, a, sign * inv_logit_f64(-sa));
    }
    terms.finish_arg(0, &alpha);
    Ok(terms.finish(lp))
}

/// A Bernoulli draw with probability `theta`.
pub fn bernoulli_rng(theta: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    let ok = (0.0..=1.0).contains(&theta);
    check::scalar("bernoulli_rng", "Probability parameter", theta, "in the interval [0, 1]", ok)?;
    let u: f64 = rng.random();
    Ok(i64::from(u < theta))
}

/// A Bernoulli draw with log-odds `alpha`.
pub fn bernoulli_logit_rng(alpha: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    check::scalar(
        "bernoulli_logit_rng",
        "Logit transformed probability parameter",
        alpha,
        "not nan",
        !alpha.is_nan(),
    )?;
    bernoulli_rng(crate::math::inv_logit(alpha), rng)
}

/// The negative binomial log mass with mean `mu` and precision `phi`, summed.
///
/// Written as `lgamma(n + phi) - lgamma(phi) - n ln phi` (evaluated without cancellation)
/// `+ n ln mu - (n + phi) ln(1 + mu / phi) - ln n!`, which tends to the Poisson mass as
/// `phi` grows, instead of drifting above 0.
pub fn neg_binomial_2_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    mu: impl Arg<S>,
    phi: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "neg_binomial_2_lpmf";
    let len = common_len(F, &[("n", n.len()), ("mu", mu.len()), ("phi", phi.len())])?;
    check::nonnegative_int(F, "Failures variable", &n)?;
    check::positive_finite(F, "Location parameter", &mu)?;
    check::positive_finite(F, "Precision parameter", &phi)?;
    let (cm, cp) = (is_const(&mu), is_const(&phi));
    if PROPTO && cm && cp {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m, p) = (n.int_at(i), mu.at(i), phi.at(i));
        let kf = k as f64;
        if !PROPTO || !cp {
            lp += lgamma_shift_excess(p, kf);
        }
        if !PROPTO {
            lp -= log_factorial(k);
        }
        if !PROPTO || !cm {
            lp += count_log(k, m);
        }
        lp -= (p + kf) * (m / p).ln_1p();
    }
    Ok(lp)
}

/// The negative binomial log mass with log mean `eta` and precision `phi`, summed.
pub fn neg_binomial_2_log_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    eta: impl Arg<S>,
    phi: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "neg_binomial_2_log_lpmf";
    let len = common_len(F, &[("n", n.len()), ("eta", eta.len()), ("phi", phi.len())])?;
    check::nonnegative_int(F, "Failures variable", &n)?;
    check::finite(F, "Log location parameter", &eta)?;
    check::positive_finite(F, "Precision parameter", &phi)?;
    let (ce, cp) = (is_const(&eta), is_const(&phi));
    if PROPTO && ce && cp {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, e, p) = (n.int_at(i), eta.at(i), phi.at(i));
        let kf = k as f64;
        if !PROPTO || !cp {
            lp += lgamma_shift_excess(p, kf);
        }
        if !PROPTO {
            lp -= log_factorial(k);
        }
        if !PROPTO || !ce {
            lp += e * kf;
        }
        // ln(1 + exp(eta) / phi), without overflow in exp(eta).
        lp -= (p + kf) * log1p_exp(e - p.ln());
    }
    Ok(lp)
}

/// A negative binomial draw with mean `mu` and precision `phi` (a gamma-Poisson mixture).
pub fn neg_binomial_2_rng(mu: f64, phi: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "neg_binomial_2_rng";
    check::scalar(F, "Location parameter", mu, "positive finite", mu > 0.0 && mu.is_finite())?;
    check::scalar(F, "Precision parameter", phi, "positive finite", phi > 0.0 && phi.is_finite())?;
    let g = rand_distr::Gamma::new(phi, mu / phi)
        .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    poisson_rng(g.sample(rng), rng)
}

/// A negative binomial draw with log mean `eta` and precision `phi`.
pub fn neg_binomial_2_log_rng(eta: f64, phi: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    neg_binomial_2_rng(eta.exp(), phi, rng)
}
