//! Distributions of counts and binary outcomes: poisson, binomial, beta_binomial, bernoulli,
//! neg_binomial and neg_binomial_2, with their log and logit parameterisations (Stan
//! functions reference, "Binary distributions", "Bounded discrete distributions" and
//! "Unbounded discrete distributions").

use super::check::{self, is_const};
use super::incomplete::{log_beta_inc, log_gamma_inc};
use crate::math::logexp::{inv_logit_f64, log1p_exp_and_inv_logit};
use crate::math::partials::Terms;
use crate::math::{
    Arg, IntArg, common_len, lbeta, lchoose_f64, lgamma_f64, lgamma_shift_excess, log_inv_logit,
    log_sum_exp, log1m_inv_logit, log1p_exp,
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

/// The largest rate whose draws still fit Stan's int, `2^30`.
const POISSON_RATE_LIMIT: f64 = 1073741824.0;

fn poisson_rate_f64(f: &'static str, name: &'static str, lambda: f64) -> Result<(), ModelError> {
    check::scalar(f, name, lambda, "not nan", !lambda.is_nan())?;
    check::scalar(f, name, lambda, "nonnegative", lambda >= 0.0)?;
    check::scalar(f, name, lambda, "less than 1073741824", lambda < POISSON_RATE_LIMIT)
}

/// A Poisson draw with a checked rate `lambda`, reporting a failure of the generator as `f`.
fn poisson_draw(f: &'static str, lambda: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    if lambda == 0.0 {
        return Ok(0);
    }
    let d = rand_distr::Poisson::new(lambda)
        .map_err(|e| ModelError::recoverable(format!("{f}: {e}")))?;
    Ok(d.sample(rng) as i64)
}

/// A Poisson draw with rate `lambda`.
pub fn poisson_rng(lambda: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "poisson_rng";
    poisson_rate_f64(F, "Rate parameter", lambda)?;
    poisson_draw(F, lambda, rng)
}

/// A Poisson draw with log rate `alpha`.
pub fn poisson_log_rng(alpha: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "poisson_log_rng";
    check::scalar(F, "Log rate parameter", alpha, "not nan", !alpha.is_nan())?;
    let limit = POISSON_RATE_LIMIT.ln();
    check::scalar(F, "Log rate parameter", alpha, "less than 30 log(2)", alpha < limit)?;
    poisson_draw(F, alpha.exp(), rng)
}

fn binomial_checks(
    f: &'static str,
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
        let (softplus, p) = log1p_exp_and_inv_logit(-sa);
        lp -= softplus;
        terms.push(0, &alpha, a, sign * p);
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
    let rate = g.sample(rng);
    poisson_rate_f64(F, "Random number that came from gamma distribution", rate)?;
    poisson_draw(F, rate, rng)
}

/// A negative binomial draw with log mean `eta` and precision `phi`.
pub fn neg_binomial_2_log_rng(eta: f64, phi: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "neg_binomial_2_log_rng";
    check::scalar(F, "Log-location parameter", eta, "finite", eta.is_finite())?;
    check::scalar(F, "Precision parameter", phi, "positive finite", phi > 0.0 && phi.is_finite())?;
    let mu = eta.exp();
    let g = rand_distr::Gamma::new(phi, mu / phi)
        .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    let rate = g.sample(rng);
    poisson_rate_f64(F, "Random number that came from gamma distribution", rate)?;
    poisson_draw(F, rate, rng)
}

/// A binomial draw with log-odds `alpha`.
pub fn binomial_logit_rng(trials: i64, alpha: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    let ok = alpha.is_finite();
    check::scalar("binomial_logit_rng", "Probability parameter", alpha, "finite", ok)?;
    binomial_rng(trials, inv_logit_f64(alpha), rng)
}

fn beta_binomial_checks<S: Scalar>(
    f: &'static str,
    n: &impl IntArg,
    trials: &impl IntArg,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let lens = [("n", n.len()), ("N", trials.len()), ("alpha", alpha.len()), ("beta", beta.len())];
    let len = common_len(f, &lens)?;
    check::nonnegative_int(f, "Population size parameter", trials)?;
    check::positive_finite(f, "First prior sample size parameter", alpha)?;
    check::positive_finite(f, "Second prior sample size parameter", beta)?;
    Ok(len)
}

/// The log mass of `k` successes in `m` trials under beta_binomial(`a`, `b`).
fn beta_binomial_term<S: Scalar>(k: i64, m: i64, a: S, b: S) -> S {
    lbeta(a + k as f64, b + (m - k) as f64) - lbeta(a, b) + lchoose_f64(m as f64, k as f64)
}

/// The beta-binomial log mass of `n` successes in `N` trials with prior sample sizes `alpha`
/// and `beta`, summed; `-inf` for `n` outside `[0, N]`.
pub fn beta_binomial_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    trials: impl IntArg,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = beta_binomial_checks("beta_binomial_lpmf", &n, &trials, &alpha, &beta)?;
    if (0..len).any(|i| n.int_at(i) < 0 || n.int_at(i) > trials.int_at(i)) {
        return Ok(S::from_f64(f64::NEG_INFINITY));
    }
    if PROPTO && is_const(&alpha) && is_const(&beta) {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m) = (n.int_at(i), trials.int_at(i));
        let (a, b) = (alpha.at(i), beta.at(i));
        lp += lbeta(a + k as f64, b + (m - k) as f64) - lbeta(a, b);
        if !PROPTO {
            lp += lchoose_f64(m as f64, k as f64);
        }
    }
    Ok(lp)
}

/// The beta-binomial log CDF (`upper = false`) or log complementary CDF, summed: each term
/// sums the masses of the tail it asks for, so both tails keep their relative accuracy.
fn beta_binomial_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    n: impl IntArg,
    trials: impl IntArg,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = beta_binomial_checks(f, &n, &trials, &alpha, &beta)?;
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m, a, b) = (n.int_at(i), trials.int_at(i), alpha.at(i), beta.at(i));
        let range = if upper { (k + 1).max(0)..=m } else { 0..=k.min(m) };
        if range.is_empty() {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
        if (upper && k < 0) || (!upper && k >= m) {
            continue;
        }
        let mut tail = S::from_f64(f64::NEG_INFINITY);
        for j in range {
            tail = log_sum_exp(tail, beta_binomial_term(j, m, a, b));
        }
        lp += tail;
    }
    Ok(lp)
}

cdf_functions!(
    "beta_binomial",
    beta_binomial_log_cdf,
    beta_binomial_cdf,
    beta_binomial_lcdf,
    beta_binomial_lccdf,
    (n: impl IntArg, trials: impl IntArg, alpha: impl Arg<S>, beta: impl Arg<S>)
);

/// A beta-binomial draw: a binomial draw whose probability is a beta draw.
pub fn beta_binomial_rng(
    trials: i64,
    alpha: f64,
    beta: f64,
    rng: &mut ChainRng,
) -> Result<i64, ModelError> {
    const F: &str = "beta_binomial_rng";
    let (a_ok, b_ok) = (alpha > 0.0 && alpha.is_finite(), beta > 0.0 && beta.is_finite());
    check::scalar(F, "First prior sample size parameter", alpha, "positive finite", a_ok)?;
    check::scalar(F, "Second prior sample size parameter", beta, "positive finite", b_ok)?;
    let p = crate::dist::beta_rng(alpha, beta, rng)?;
    binomial_rng(trials, p, rng)
}

fn neg_binomial_checks<S: Scalar>(
    f: &'static str,
    n: &impl IntArg,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let len = common_len(f, &[("n", n.len()), ("alpha", alpha.len()), ("beta", beta.len())])?;
    check::positive_finite(f, "Shape parameter", alpha)?;
    check::positive_finite(f, "Inverse scale parameter", beta)?;
    Ok(len)
}

/// The negative binomial log mass with shape `alpha` and inverse scale `beta` (mean
/// `alpha / beta`), summed: `lgamma(n + alpha) - lgamma(alpha) - ln n! + alpha ln beta
/// - (n + alpha) ln(1 + beta)`, the gamma ratio taken without cancellation.
pub fn neg_binomial_lpmf<const PROPTO: bool, S: Scalar>(
    n: impl IntArg,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "neg_binomial_lpmf";
    let len = neg_binomial_checks(F, &n, &alpha, &beta)?;
    check::nonnegative_int(F, "Failures variable", &n)?;
    let (ca, cb) = (is_const(&alpha), is_const(&beta));
    if PROPTO && ca && cb {
        return Ok(S::zero());
    }
    let mut lp = S::zero();
    for i in 0..len {
        let (k, a, b) = (n.int_at(i), alpha.at(i), beta.at(i));
        let kf = k as f64;
        if !PROPTO || !ca {
            lp += lgamma_shift_excess(a, kf) + count_log(k, a);
        }
        if !PROPTO {
            lp -= log_factorial(k);
        }
        // alpha ln(beta / (1 + beta)) as -alpha ln(1 + 1 / beta): the two logs it would
        // otherwise take are both of order alpha ln beta and cancel.
        lp -= a * b.powi(-1).ln_1p() + b.ln_1p() * kf;
    }
    Ok(lp)
}

/// The negative binomial log CDF or log complementary CDF: `P(N <= n) = I_p(alpha, n + 1)`
/// with `p = beta / (1 + beta)`.
fn neg_binomial_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    n: impl IntArg,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = neg_binomial_checks(f, &n, &alpha, &beta)?;
    let varies = !is_const(&alpha);
    let mut lp = S::zero();
    for i in 0..len {
        let (k, a, b) = (n.int_at(i), alpha.at(i), beta.at(i));
        let p = b / (b + 1.0);
        let q = S::one() / (b + 1.0);
        lp += count_tail(k, upper, |k1| {
            if upper { log_beta_inc(k1, a, q, varies) } else { log_beta_inc(a, k1, p, varies) }
        });
    }
    Ok(lp)
}

/// The log CDF term of a count at `k`: `-inf`/0 below the support, else `tail(k + 1)`.
fn count_tail<S: Scalar>(k: i64, upper: bool, tail: impl FnOnce(S) -> S) -> S {
    match (k < 0, upper) {
        (true, false) => S::from_f64(f64::NEG_INFINITY),
        (true, true) => S::zero(),
        _ => tail(S::from_f64(k as f64 + 1.0)),
    }
}

cdf_functions!(
    "neg_binomial",
    neg_binomial_log_cdf,
    neg_binomial_cdf,
    neg_binomial_lcdf,
    neg_binomial_lccdf,
    (n: impl IntArg, alpha: impl Arg<S>, beta: impl Arg<S>)
);

/// A negative binomial draw with shape `alpha` and inverse scale `beta` (a gamma-Poisson
/// mixture).
pub fn neg_binomial_rng(alpha: f64, beta: f64, rng: &mut ChainRng) -> Result<i64, ModelError> {
    const F: &str = "neg_binomial_rng";
    let (a_ok, b_ok) = (alpha > 0.0 && alpha.is_finite(), beta > 0.0 && beta.is_finite());
    check::scalar(F, "Shape parameter", alpha, "positive finite", a_ok)?;
    check::scalar(F, "Inverse scale parameter", beta, "positive finite", b_ok)?;
    let g = rand_distr::Gamma::new(alpha, 1.0 / beta)
        .map_err(|e| ModelError::recoverable(format!("{F}: {e}")))?;
    poisson_rng(g.sample(rng), rng)
}

/// The neg_binomial_2 log CDF: `P(N <= n) = I_p(phi, n + 1)` with `p = phi / (mu + phi)`.
fn neg_binomial_2_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    n: impl IntArg,
    mu: impl Arg<S>,
    phi: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = common_len(f, &[("n", n.len()), ("mu", mu.len()), ("phi", phi.len())])?;
    check::positive_finite(f, "Location parameter", &mu)?;
    check::positive_finite(f, "Precision parameter", &phi)?;
    let varies = !is_const(&phi);
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m, p) = (n.int_at(i), mu.at(i), phi.at(i));
        let total = m + p;
        lp += count_tail(k, upper, |k1| {
            if upper {
                log_beta_inc(k1, p, m / total, varies)
            } else {
                log_beta_inc(p, k1, p / total, varies)
            }
        });
    }
    Ok(lp)
}

cdf_functions!(
    "neg_binomial_2",
    neg_binomial_2_log_cdf,
    neg_binomial_2_cdf,
    neg_binomial_2_lcdf,
    neg_binomial_2_lccdf,
    (n: impl IntArg, mu: impl Arg<S>, phi: impl Arg<S>)
);

/// The Poisson log CDF: `P(N <= n) = Q(n + 1, lambda)`.
fn poisson_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    n: impl IntArg,
    lambda: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = common_len(f, &[("n", n.len()), ("lambda", lambda.len())])?;
    check::nonnegative(f, "Rate parameter", &lambda)?;
    check::finite(f, "Rate parameter", &lambda)?;
    let mut lp = S::zero();
    for i in 0..len {
        let l = lambda.at(i);
        lp += count_tail(n.int_at(i), upper, |k1| log_gamma_inc(k1, l, !upper, false));
    }
    Ok(lp)
}

cdf_functions!(
    "poisson",
    poisson_log_cdf,
    poisson_cdf,
    poisson_lcdf,
    poisson_lccdf,
    (n: impl IntArg, lambda: impl Arg<S>)
);

/// The binomial log CDF: `P(N <= n) = I_{1 - theta}(N - n, n + 1)` for `0 <= n < N`.
fn binomial_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    n: impl IntArg,
    trials: impl IntArg,
    theta: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = common_len(f, &[("n", n.len()), ("N", trials.len()), ("theta", theta.len())])?;
    check::nonnegative_int(f, "Population size parameter", &trials)?;
    check::unit_interval(f, "Probability parameter", &theta)?;
    let mut lp = S::zero();
    for i in 0..len {
        let (k, m, p) = (n.int_at(i), trials.int_at(i), theta.at(i));
        if k >= m {
            if upper {
                return Ok(S::from_f64(f64::NEG_INFINITY));
            }
            continue;
        }
        lp += count_tail(k, upper, |k1| {
            let rest = S::from_f64((m - k) as f64);
            if upper {
                log_beta_inc(k1, rest, p, false)
            } else {
                log_beta_inc(rest, k1, S::one() - p, false)
            }
        });
    }
    Ok(lp)
}

cdf_functions!(
    "binomial",
    binomial_log_cdf,
    binomial_cdf,
    binomial_lcdf,
    binomial_lccdf,
    (n: impl IntArg, trials: impl IntArg, theta: impl Arg<S>)
);

/// The Bernoulli log CDF: `1 - theta` at 0, 1 from 1 on.
fn bernoulli_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    n: impl IntArg,
    theta: impl Arg<S>,
) -> Result<S, ModelError> {
    let len = common_len(f, &[("n", n.len()), ("theta", theta.len())])?;
    check::unit_interval(f, "Probability parameter", &theta)?;
    let mut lp = S::zero();
    for i in 0..len {
        let (k, p) = (n.int_at(i), theta.at(i));
        lp += match (k.signum(), upper) {
            (-1, false) | (1, true) => return Ok(S::from_f64(f64::NEG_INFINITY)),
            (-1, true) | (1, false) => S::zero(),
            (_, false) => (-p).ln_1p(),
            (_, true) => p.ln(),
        };
    }
    Ok(lp)
}

cdf_functions!(
    "bernoulli",
    bernoulli_log_cdf,
    bernoulli_cdf,
    bernoulli_lcdf,
    bernoulli_lccdf,
    (n: impl IntArg, theta: impl Arg<S>)
);
