//! Convergence diagnostics and posterior statistics: rank-normalised split R-hat, bulk and tail
//! ESS, MCSE, quantiles and E-BFMI, following Vehtari, Gelman, Simpson, Carpenter and Bürkner
//! (2021), "Rank-normalization, folding, and localization", as the `posterior` R package and
//! ArviZ compute them.
//!
//! Every function takes the draws of one scalar quantity as `chains: &[&[f64]]`, one slice per
//! chain, all of the same length. The arithmetic is ArviZ's (so results agree with it to
//! rounding); the guards are `posterior`'s: a non-finite draw, constant draws, chains of unequal
//! length or fewer than four draws per chain give NaN rather than a misleading number. The one
//! place this differs from ArviZ is constant input, where ArviZ reports the number of draws as
//! the ESS and `posterior` (and Tilde) report NaN.
//!
//! None of this runs per transition, so it allocates freely.

mod ess;
mod rhat;

pub use ess::{ess_bulk, ess_mean, ess_tail};
pub use rhat::rhat;

/// Fewest draws per chain for R-hat and ESS, as in ArviZ (split chains of two draws).
const MIN_DRAWS: usize = 4;

/// Draws of several chains of equal length, stored chain after chain.
#[derive(Debug, Clone)]
pub(crate) struct Draws {
    chains: usize,
    draws: usize,
    values: Vec<f64>,
}

impl Draws {
    /// Copies `chains` if they are non-empty and of equal length.
    fn new(chains: &[&[f64]]) -> Option<Draws> {
        let draws = chains.first()?.len();
        if draws == 0 || chains.iter().any(|c| c.len() != draws) {
            return None;
        }
        let values = chains.iter().flat_map(|c| c.iter().copied()).collect();
        Some(Draws { chains: chains.len(), draws, values })
    }

    /// Checks the input as every R-hat and ESS function does before computing anything.
    fn checked(chains: &[&[f64]]) -> Option<Draws> {
        let draws = Draws::new(chains)?;
        let usable = draws.draws >= MIN_DRAWS
            && draws.values.iter().all(|v| v.is_finite())
            && !is_constant(&draws.values);
        usable.then_some(draws)
    }

    fn chain(&self, i: usize) -> &[f64] {
        &self.values[i * self.draws..(i + 1) * self.draws]
    }

    /// Splits every chain into its first and last halves; the middle draw of an odd-length
    /// chain is dropped, so both halves have the same length.
    fn split(&self) -> Draws {
        let half = self.draws / 2;
        let mut values = Vec::with_capacity(2 * half * self.chains);
        for i in 0..self.chains {
            let chain = self.chain(i);
            values.extend_from_slice(&chain[..half]);
            values.extend_from_slice(&chain[self.draws - half..]);
        }
        Draws { chains: 2 * self.chains, draws: half, values }
    }

    fn map(&self, f: impl Fn(f64) -> f64) -> Draws {
        let values = self.values.iter().map(|&v| f(v)).collect();
        Draws { values, ..*self }
    }

    /// Rank-normalisation: pooled average ranks mapped through Blom's (1958) offset
    /// `(r - 3/8) / (S + 1/4)` to normal scores.
    fn z_scale(&self) -> Draws {
        let size = self.values.len() as f64;
        let values = average_ranks(&self.values)
            .into_iter()
            .map(|r| inv_normal_cdf((r - 0.375) / (size + 0.25)))
            .collect();
        Draws { values, ..*self }
    }
}

/// Constant in `posterior`'s sense: the range is below machine epsilon.
fn is_constant(values: &[f64]) -> bool {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    (hi - lo).abs() < f64::EPSILON
}

/// 1-based ranks; tied values share the average of their ranks. The input holds no NaN.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1..=end, whose average is this.
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// The standard normal quantile function.
fn inv_normal_cdf(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

fn mean_of(values: &[f64]) -> f64 {
    // A constant is its own mean; the rounding of the sum would make it differ in the last
    // digits.
    if let Some(&first) = values.first()
        && values.iter().all(|&v| v == first)
    {
        return first;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample variance with the `n - 1` denominator.
fn var_of(values: &[f64]) -> f64 {
    let m = mean_of(values);
    if values.iter().all(|&v| v == m) {
        return 0.0;
    }
    values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() as f64 - 1.0)
}

/// Quantile of sorted values by linear interpolation between order statistics (Hyndman and
/// Fan's type 7, the default of R, NumPy, `posterior` and ArviZ).
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// All draws of all chains in one vector, or `None` if there are none.
fn pooled(chains: &[&[f64]]) -> Option<Vec<f64>> {
    let values: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
    (!values.is_empty()).then_some(values)
}

/// Mean of all draws of all chains; NaN if there are none.
pub fn mean(chains: &[&[f64]]) -> f64 {
    pooled(chains).map_or(f64::NAN, |v| mean_of(&v))
}

/// Standard deviation of all draws of all chains (denominator `n - 1`); NaN for fewer than
/// two draws.
pub fn sd(chains: &[&[f64]]) -> f64 {
    match pooled(chains) {
        Some(v) if v.len() >= 2 => var_of(&v).sqrt(),
        _ => f64::NAN,
    }
}

/// The `p` quantile of all draws of all chains, by linear interpolation between order
/// statistics (type 7, the default of `posterior`'s `quantile2` and of ArviZ). NaN if there are
/// no draws, a draw is NaN, or `p` is outside `[0, 1]`.
pub fn quantile(chains: &[&[f64]], p: f64) -> f64 {
    match pooled(chains) {
        Some(v) if (0.0..=1.0).contains(&p) && !v.iter().any(|x| x.is_nan()) => {
            quantile_sorted(&sorted(&v), p)
        }
        _ => f64::NAN,
    }
}

/// Monte Carlo standard error of the mean: `sd / sqrt(ess_mean)`.
pub fn mcse_mean(chains: &[&[f64]]) -> f64 {
    sd(chains) / ess_mean(chains).sqrt()
}

/// Estimated Bayesian fraction of missing information of one chain (Betancourt 2016):
/// the mean squared change in energy between transitions over the variance of the energy.
/// Values below 0.3 suggest the momentum resampling cannot move the chain across the energy
/// levels of the posterior. NaN for fewer than two draws or constant energy.
pub fn ebfmi(energy: &[f64]) -> f64 {
    if energy.len() < 2 {
        return f64::NAN;
    }
    let m = mean_of(energy);
    let jumps: f64 = energy.windows(2).map(|w| (w[1] - w[0]) * (w[1] - w[0])).sum();
    let spread: f64 = energy.iter().map(|e| (e - m) * (e - m)).sum();
    jumps / spread
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_has_itself_as_mean_and_no_spread() {
        let chain = vec![1.894; 4000];
        let chains = [chain.as_slice(), chain.as_slice()];
        assert_eq!(mean(&chains), 1.894);
        assert_eq!(sd(&chains), 0.0);
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]), vec![4.0, 1.0, 4.0, 2.0, 4.0]);
    }

    #[test]
    fn split_drops_the_middle_draw_of_odd_chains() {
        let draws = Draws::new(&[&[1.0, 2.0, 3.0, 4.0, 5.0]]).unwrap().split();
        assert_eq!((draws.chains, draws.draws), (2, 2));
        assert_eq!(draws.values, vec![1.0, 2.0, 4.0, 5.0]);
    }

    #[test]
    fn inv_normal_cdf_matches_known_quantiles() {
        assert!((inv_normal_cdf(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((inv_normal_cdf(0.5)).abs() < 1e-15);
        assert!((inv_normal_cdf(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
    }

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let chains: [&[f64]; 2] = [&[4.0, 1.0], &[3.0, 2.0]];
        assert_eq!(quantile(&chains, 0.0), 1.0);
        assert_eq!(quantile(&chains, 1.0), 4.0);
        // h = 3 * 0.5 = 1.5: halfway between 2 and 3.
        assert_eq!(quantile(&chains, 0.5), 2.5);
        assert!((quantile(&chains, 0.05) - 1.15).abs() < 1e-15);
        assert!(quantile(&chains, 1.5).is_nan());
        assert!(quantile(&[&[1.0, f64::NAN]], 0.5).is_nan());
    }

    #[test]
    fn ebfmi_of_alternating_energy() {
        // Four jumps of 2 give 16; around the mean 0.2 the squared deviations sum to
        // 3 * 0.8^2 + 2 * 1.2^2 = 4.8.
        let value = ebfmi(&[1.0, -1.0, 1.0, -1.0, 1.0]);
        assert!((value - 16.0 / 4.8).abs() < 1e-14, "{value}");
        assert!(ebfmi(&[1.0]).is_nan());
    }
}
