//! Compares a sampled posterior with posteriordb's reference draws.
//!
//! For each reference parameter the test computes
//! `z = (our mean - reference mean) / sqrt(our MCSE^2 + reference MCSE^2)` and fails when
//! `|z|` exceeds a threshold chosen so that a correct sampler fails less than once in a
//! thousand runs of the whole suite (a Bonferroni bound over every reference parameter of
//! every posterior in the folder).

use tilde::Model;
use tilde::diagnostics;
use tilde::gradient::fast_gradients_agree_with_dual;
use tilde::reference::{ParamStats, PosteriorDb};
use tilde::sampler::Sampler;

/// The chance that a correct sampler fails somewhere in one run of the whole suite.
const SUITE_FALSE_ALARM: f64 = 1e-3;

/// One parameter's comparison.
pub struct Comparison {
    pub name: String,
    pub ours: f64,
    pub our_mcse: f64,
    pub reference: f64,
    pub reference_mcse: f64,
    pub z: f64,
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<16} ours {:>11.5} (MCSE {:.5})  reference {:>11.5} (MCSE {:.5})  z = {:+.2}",
            self.name, self.ours, self.our_mcse, self.reference, self.reference_mcse, self.z
        )
    }
}

/// The outcome of checking one posterior, with what the run cost.
pub struct Report {
    pub posterior: String,
    pub threshold: f64,
    pub comparisons: Vec<Comparison>,
    pub divergences: usize,
    /// Number of unconstrained parameters.
    pub dim: usize,
    /// Wall time of sampling alone (not of reading the data or the reference).
    pub wall: std::time::Duration,
    /// Gradient evaluations over all chains, warm-up included.
    pub gradient_evaluations: u64,
    /// The smallest bulk ESS among the compared parameters.
    pub min_ess_bulk: f64,
}

impl Report {
    /// The comparisons beyond the threshold; a NaN z (a degenerate chain) counts as one.
    pub fn failures(&self) -> Vec<&Comparison> {
        self.comparisons.iter().filter(|c| c.z.is_nan() || c.z.abs() > self.threshold).collect()
    }

    /// The largest |z| over the compared parameters; NaN if any z is NaN.
    pub fn max_abs_z(&self) -> f64 {
        self.comparisons
            .iter()
            .map(|c| c.z.abs())
            .fold(0.0, |m, z| if z.is_nan() { z } else { m.max(z) })
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} (dim {}): max |z| {:.2} (threshold {:.2}), {} divergences, {:.2} s, {} gradients, \
             min bulk ESS {:.0}",
            self.posterior,
            self.dim,
            self.max_abs_z(),
            self.threshold,
            self.divergences,
            self.wall.as_secs_f64(),
            self.gradient_evaluations,
            self.min_ess_bulk
        )?;
        for c in &self.comparisons {
            let fails = c.z.is_nan() || c.z.abs() > self.threshold;
            let mark = if fails { "!" } else { " " };
            writeln!(f, "{mark} {c}")?;
        }
        Ok(())
    }
}

pub fn db() -> PosteriorDb {
    PosteriorDb::locate().unwrap_or_else(|e| panic!("{e}"))
}

/// The two-sided normal quantile for `p`, by bisection on erfc (exact enough for a threshold).
fn two_sided_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if libm_erfc(mid / std::f64::consts::SQRT_2) > p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn libm_erfc(x: f64) -> f64 {
    tilde::math::erfc(x)
}

/// The |z| threshold: the suite's false-alarm budget split over every reference parameter.
pub fn threshold(db: &PosteriorDb) -> f64 {
    let index = db.index().unwrap_or_else(|e| panic!("{e}"));
    let comparisons: usize = index.iter().map(|p| p.param_names.len()).sum();
    two_sided_quantile(SUITE_FALSE_ALARM / comparisons as f64)
}

/// Samples `model` and compares it with the reference of `posterior`.
pub fn compare<M: Model>(posterior: &str, model: &M, sampler: &Sampler) -> Report {
    let db = db();
    let entry = db
        .index()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|p| p.name == posterior)
        .unwrap_or_else(|| panic!("{posterior} is not in posteriordb's index.json"));
    let names: Vec<&str> = entry.param_names.iter().map(String::as_str).collect();
    let reference: Vec<ParamStats> = if entry.has_draws {
        db.reference_draws(posterior, &names).unwrap_or_else(|e| panic!("{e}"))
    } else {
        // Only the summary files exist: the reference means with their Monte Carlo errors.
        let means = db.reference_means(posterior).unwrap_or_else(|e| panic!("{e}"));
        means
            .into_iter()
            .map(|(name, mean, mcse, sd)| ParamStats { name, n: 0, mean, sd, mcse })
            .collect()
    };
    let start = std::time::Instant::now();
    let fit = sampler.sample(model).unwrap_or_else(|e| panic!("{posterior}: sampling failed: {e}"));
    let wall = start.elapsed();
    if std::env::var_os("TILDE_POSTERIORDB_CHAINS").is_some() {
        let stats: Vec<_> = (0..fit.num_chains()).map(|c| fit.stats(c)).collect();
        for (c, ((evals, step), st)) in
            fit.gradient_evaluations().iter().zip(fit.step_sizes()).zip(&stats).enumerate()
        {
            let depth = st.treedepth.iter().map(|&d| f64::from(d)).sum::<f64>()
                / st.treedepth.len().max(1) as f64;
            eprintln!(
                "{posterior} chain {}: {evals} gradients, step {step:.4}, depth {depth:.2}",
                c + 1
            );
        }
    }
    let mut min_ess_bulk = f64::INFINITY;
    let comparisons = reference
        .iter()
        .map(|r| {
            let chains = fit
                .chain_draws(&r.name)
                .unwrap_or_else(|| panic!("{posterior}: the model has no output `{}`", r.name));
            min_ess_bulk = min_ess_bulk.min(diagnostics::ess_bulk(&chains));
            let ours = diagnostics::mean(&chains);
            let our_mcse = diagnostics::mcse_mean(&chains);
            let z = (ours - r.mean) / (our_mcse.powi(2) + r.mcse.powi(2)).sqrt();
            Comparison {
                name: r.name.clone(),
                ours,
                our_mcse,
                reference: r.mean,
                reference_mcse: r.mcse,
                z,
            }
        })
        .collect();
    Report {
        posterior: posterior.to_string(),
        threshold: threshold(&db),
        comparisons,
        divergences: fit.divergences().iter().sum(),
        dim: model.dim(),
        wall,
        gradient_evaluations: fit.total_gradient_evaluations(),
        min_ess_bulk,
    }
}

/// Asserts that every reference mean is matched; the failure message shows every comparison.
pub fn assert_matches(report: &Report) {
    let failures = report.failures();
    assert!(
        failures.is_empty(),
        "{} of {} parameters differ from the reference:\n{report}",
        failures.len(),
        report.comparisons.len()
    );
}

/// Compares the sampler's reverse-mode gradient with the dual-number gradient, the oracle, at a
/// few points of the unconstrained space; returns one line per disagreement.
///
/// The points are fixed (a small deterministic sequence in (-2, 2), Stan's initialisation box),
/// so a failure reproduces. Both methods must agree on whether the density is finite there, and
/// each partial derivative must match to a relative 1e-9.
pub fn gradient_disagreements<M: Model>(posterior: &str, model: &M) -> Vec<String> {
    let dim = model.dim();
    let mut failures = Vec::new();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut compared = 0;
    for point in 0..4 {
        let x: Vec<f64> = (0..dim)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
            })
            .collect();
        match fast_gradients_agree_with_dual(model, &x) {
            Ok(true) => compared += 1,
            Ok(false) => {}
            Err(why) => failures.push(format!("{posterior} point {point}: {why}")),
        }
    }
    if compared == 0 {
        failures.push(format!("{posterior}: no point had a finite density to compare at"));
    }
    failures
}
