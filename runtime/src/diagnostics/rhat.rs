//! Rank-normalised split R-hat (Vehtari et al. 2021, section 4.2): the larger of the bulk
//! R-hat of the rank-normalised split chains and the tail R-hat of the folded draws.

use super::{Draws, mean_of, quantile_sorted, sorted, var_of};

/// Rank-normalised split R-hat: the maximum of the bulk and the folded (tail) versions.
///
/// Values near 1 mean the split chains agree; above 1.01 is Stan's threshold for concern.
/// A single chain is split into two, as in `posterior` and CmdStan (ArviZ instead declines to
/// compute R-hat for one chain). NaN for non-finite or constant draws, chains of unequal
/// length, or fewer than four draws per chain.
pub fn rhat(chains: &[&[f64]]) -> f64 {
    let Some(draws) = Draws::checked(chains) else {
        return f64::NAN;
    };
    let split = draws.split();
    let bulk = rhat_basic(&split.z_scale());
    // Folding around the pooled median turns differences in scale into differences in location.
    let median = quantile_sorted(&sorted(&split.values), 0.5);
    let tail = rhat_basic(&split.map(|v| (v - median).abs()).z_scale());
    if bulk.is_nan() || tail.is_nan() { f64::NAN } else { bulk.max(tail) }
}

/// Gelman and Rubin's potential scale reduction of chains taken as they are.
fn rhat_basic(draws: &Draws) -> f64 {
    let n = draws.draws as f64;
    let means: Vec<f64> = (0..draws.chains).map(|i| mean_of(draws.chain(i))).collect();
    let within =
        (0..draws.chains).map(|i| var_of(draws.chain(i))).sum::<f64>() / means.len() as f64;
    let between = n * var_of(&means);
    ((between / within + n - 1.0) / n).sqrt()
}
