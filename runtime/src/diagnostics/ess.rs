//! Effective sample size (Vehtari et al. 2021, section 3.2): the autocorrelations of split
//! chains, averaged over chains and truncated by Geyer's (1992) initial monotone sequence.
//! Bulk ESS applies it to rank-normalised draws, tail ESS to the 5% and 95% quantile
//! indicators, and the mean ESS to the raw draws.

use super::{Draws, mean_of, quantile_sorted, sorted, var_of};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// ESS of the rank-normalised split chains: how well the sampler explored the bulk.
///
/// NaN for non-finite or constant draws, chains of unequal length, or fewer than four draws
/// per chain.
pub fn ess_bulk(chains: &[&[f64]]) -> f64 {
    Draws::checked(chains).map_or(f64::NAN, |d| ess_split(&d.split().z_scale()))
}

/// ESS of the tails: the smaller of the ESS of the indicators `draw <= q05` and
/// `draw <= q95`, with the quantiles taken over all draws.
///
/// NaN where [`ess_bulk`] is, and also when an indicator is constant (a point mass above the
/// 95% quantile), as in `posterior`.
pub fn ess_tail(chains: &[&[f64]]) -> f64 {
    let Some(draws) = Draws::checked(chains) else {
        return f64::NAN;
    };
    let sorted = sorted(&draws.values);
    let low = ess_quantile(&draws, quantile_sorted(&sorted, 0.05));
    let high = ess_quantile(&draws, quantile_sorted(&sorted, 0.95));
    if low.is_nan() || high.is_nan() { f64::NAN } else { low.min(high) }
}

/// Basic ESS of the raw split chains: the ESS that governs the error of the posterior mean.
///
/// NaN where [`ess_bulk`] is.
pub fn ess_mean(chains: &[&[f64]]) -> f64 {
    Draws::checked(chains).map_or(f64::NAN, |d| ess_split(&d.split()))
}

fn ess_quantile(draws: &Draws, q: f64) -> f64 {
    ess_split(&draws.split().map(|v| if v <= q { 1.0 } else { 0.0 }))
}

/// ESS of chains already split (and transformed, if at all).
fn ess_split(draws: &Draws) -> f64 {
    if super::is_constant(&draws.values) {
        return f64::NAN;
    }
    let (m, n) = (draws.chains, draws.draws);
    let acov = mean_autocovariance(draws);
    let nf = n as f64;
    // Within-chain variance, and the pooled estimate of the marginal variance.
    let mean_var = acov[0] * nf / (nf - 1.0);
    let mut var_plus = mean_var * (nf - 1.0) / nf;
    if m > 1 {
        let means: Vec<f64> = (0..m).map(|i| mean_of(draws.chain(i))).collect();
        var_plus += var_of(&means);
    }
    let rho = |t: usize| 1.0 - (mean_var - acov[t]) / var_plus;
    let tau = geyer_tau(n, rho);
    let total = (m * n) as f64;
    // The lower bound on tau caps the ESS at S log10(S) for antithetic chains.
    let tau = tau.max(1.0 / total.log10());
    if tau.is_nan() { f64::NAN } else { total / tau }
}

/// Integrated autocorrelation time `tau = -1 + 2 sum rho_t` of `n` lags, summing pairs
/// `rho_{2k} + rho_{2k+1}` while they stay positive (initial positive sequence), then making
/// the pairs non-increasing (initial monotone sequence).
fn geyer_tau(n: usize, rho: impl Fn(usize) -> f64) -> f64 {
    let mut rho_hat = vec![0.0; n];
    let (mut even, mut odd) = (1.0, rho(1));
    rho_hat[0] = even;
    rho_hat[1] = odd;
    let mut t = 1;
    while t + 3 < n && even + odd > 0.0 {
        even = rho(t + 1);
        odd = rho(t + 2);
        if even + odd >= 0.0 {
            rho_hat[t + 1] = even;
            rho_hat[t + 2] = odd;
        }
        t += 2;
    }
    // `last` is the index after the last full pair kept (ArviZ's `max_t + 1`).
    let last = t - 1;
    // A positive even lag past the last pair still carries information; keep it.
    if even > 0.0 {
        rho_hat[last] = even;
    }
    let mut t = 1;
    while t + 3 <= last {
        let previous = rho_hat[t - 1] + rho_hat[t];
        if rho_hat[t + 1] + rho_hat[t + 2] > previous {
            rho_hat[t + 1] = previous / 2.0;
            rho_hat[t + 2] = previous / 2.0;
        }
        t += 2;
    }
    if rho_hat.iter().any(|r| r.is_nan()) {
        return f64::NAN;
    }
    -1.0 + 2.0 * rho_hat[..last].iter().sum::<f64>() + rho_hat[last]
}

/// Autocovariances of every chain at lags `0..n` (denominator `n`), averaged over chains.
/// Zero-padding to at least `2n` makes the circular correlation of the FFT a linear one.
fn mean_autocovariance(draws: &Draws) -> Vec<f64> {
    let n = draws.draws;
    let size = (2 * n).next_power_of_two();
    let mut planner = FftPlanner::new();
    let forward = planner.plan_fft_forward(size);
    let inverse = planner.plan_fft_inverse(size);
    let mut buffer = vec![Complex::new(0.0, 0.0); size];
    let mut sum = vec![0.0; n];
    for i in 0..draws.chains {
        let chain = draws.chain(i);
        let m = mean_of(chain);
        for (b, &v) in buffer.iter_mut().zip(chain) {
            *b = Complex::new(v - m, 0.0);
        }
        buffer[n..].fill(Complex::new(0.0, 0.0));
        forward.process(&mut buffer);
        for b in buffer.iter_mut() {
            *b = Complex::new(b.norm_sqr(), 0.0);
        }
        inverse.process(&mut buffer);
        for (s, b) in sum.iter_mut().zip(&buffer) {
            // rustfft leaves both transforms unnormalised, hence the extra 1/size.
            *s += b.re / (size as f64 * n as f64);
        }
    }
    let chains = draws.chains as f64;
    sum.iter_mut().for_each(|s| *s /= chains);
    sum
}
