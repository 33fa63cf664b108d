//! Samples every posterior of the posteriordb suite (`tests/posteriordb/`) and prints one row
//! per posterior: dimension, wall time, gradient evaluations, smallest bulk ESS, largest |z|
//! against the reference means, and divergences.
//!
//! ```sh
//! cargo run --release --example posteriordb_report            # every posterior
//! cargo run --release --example posteriordb_report -- nes     # those whose name contains "nes"
//! cargo run --release --example posteriordb_report -- --compare   # both metric adaptations
//! ```
//!
//! With `--compare` each posterior is sampled twice, learning the diagonal metric in Stan's
//! windows and from draws and gradients (nutpie's way), and the row gives the ratio of their
//! ESS per gradient evaluation (smallest bulk ESS over all gradients, warm-up included); the
//! summary gives the geometric mean and the worst ratios. A posterior whose settings choose
//! the dense metric samples the same both times and is left out of the summary.
//!
//! posteriordb is found as in the tests (`POSTERIORDB`, else `../shared/posteriordb`), and
//! `TILDE_POSTERIORDB_SEED` changes the seed.

use tilde::nuts::MetricAdaptation;

// The suite's files are shared with the test binary, which uses parts that this report does
// not (and the reverse).
#[allow(dead_code)]
#[path = "../tests/posteriordb/harness.rs"]
mod harness;
#[path = "../tests/posteriordb/models/mod.rs"]
mod models;
#[allow(dead_code)]
#[path = "../tests/posteriordb/suite.rs"]
mod suite;

fn main() {
    let mut filters: Vec<String> = std::env::args().skip(1).collect();
    let compare = filters.iter().any(|f| f == "--compare");
    filters.retain(|f| f != "--compare");
    let chosen: Vec<&suite::Posterior> = suite::POSTERIORS
        .iter()
        .filter(|p| filters.is_empty() || filters.iter().any(|f| p.name.contains(f.as_str())))
        .collect();
    if chosen.is_empty() {
        eprintln!("no posterior of the suite matches {filters:?}");
        std::process::exit(2);
    }
    println!("seed {}, 4 chains x (1000 warm-up + 1000 draws)", suite::seed());
    println!();
    if compare {
        compare_adaptations(&chosen);
    } else {
        report(&chosen);
    }
}

fn report(chosen: &[&suite::Posterior]) {
    println!(
        "| {:<44} | {:>3} | {:>8} | {:>10} | {:>8} | {:>6} | {:>4} |",
        "posterior", "dim", "wall (s)", "gradients", "min ESS", "max|z|", "div"
    );
    println!("|{:-<46}|{:->5}|{:->10}|{:->12}|{:->10}|{:->8}|{:->6}|", "", "", "", "", "", "", "");
    let mut failed = Vec::new();
    let (mut wall, mut gradients) = (0.0, 0);
    for posterior in chosen {
        let report = posterior.check();
        let fails = !report.failures().is_empty();
        let mark = if fails { " !" } else { "" };
        println!(
            "| {:<44} | {:>3} | {:>8.2} | {:>10} | {:>8.0} | {:>6.2} | {:>4} |",
            format!("{}{mark}", report.posterior),
            report.dim,
            report.wall.as_secs_f64(),
            report.gradient_evaluations,
            report.min_ess_bulk,
            report.max_abs_z(),
            report.divergences
        );
        wall += report.wall.as_secs_f64();
        gradients += report.gradient_evaluations;
        if fails {
            failed.push(report);
        }
    }
    println!();
    println!("total sampling wall time {wall:.1} s, {gradients} gradient evaluations");
    print_failures(&failed);
}

fn print_failures(failed: &[harness::Report]) {
    if let Some(first) = failed.first() {
        println!("|z| threshold {:.2}; beyond it (marked !):", first.threshold);
        for report in failed {
            print!("{report}");
        }
    }
}

/// ESS per gradient evaluation.
fn efficiency(report: &harness::Report) -> f64 {
    report.min_ess_bulk / report.gradient_evaluations as f64
}

fn compare_adaptations(chosen: &[&suite::Posterior]) {
    println!("W: Stan's windows; DG: draws and gradients; ratio: (ESS/grad DG) / (ESS/grad W)");
    println!();
    println!(
        "| {:<44} | {:>3} | {:>9} | {:>6} | {:>9} | {:>6} | {:>6} | {:>7} | {:>7} |",
        "posterior", "dim", "grads W", "ESS W", "grads DG", "ESS DG", "ratio", "div W", "div DG"
    );
    println!(
        "|{:-<46}|{:->5}|{:->11}|{:->8}|{:->11}|{:->8}|{:->8}|{:->9}|{:->9}|",
        "", "", "", "", "", "", "", "", ""
    );
    let mut ratios = Vec::new();
    let mut failed = Vec::new();
    let mut totals = [0u64; 2];
    for posterior in chosen {
        let windowed = posterior.check_adapting(MetricAdaptation::Windowed);
        let dg = posterior.check_adapting(MetricAdaptation::DrawsAndGradients);
        let same = windowed.gradient_evaluations == dg.gradient_evaluations
            && windowed.min_ess_bulk == dg.min_ess_bulk;
        let ratio = efficiency(&dg) / efficiency(&windowed);
        let mut mark = String::new();
        for (report, tag) in [(&windowed, " !W"), (&dg, " !DG")] {
            if !report.failures().is_empty() {
                mark.push_str(tag);
            }
        }
        println!(
            "| {:<44} | {:>3} | {:>9} | {:>6.0} | {:>9} | {:>6.0} | {:>6} | {:>7} | {:>7} |",
            format!("{}{mark}", posterior.name),
            dg.dim,
            windowed.gradient_evaluations,
            windowed.min_ess_bulk,
            dg.gradient_evaluations,
            dg.min_ess_bulk,
            if same { "dense".to_string() } else { format!("{ratio:.2}") },
            windowed.divergences,
            dg.divergences
        );
        if !same {
            ratios.push((posterior.name, ratio));
            totals[0] += windowed.gradient_evaluations;
            totals[1] += dg.gradient_evaluations;
        }
        failed.extend([windowed, dg].into_iter().filter(|r| !r.failures().is_empty()));
    }
    println!();
    if ratios.is_empty() {
        return;
    }
    let log_mean = ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64;
    let wins = ratios.iter().filter(|(_, r)| *r > 1.0).count();
    println!(
        "{} posteriors with a diagonal metric: DG better on {wins}; geometric mean of the ratio \
         {:.3}; gradients W {}, DG {}",
        ratios.len(),
        log_mean.exp(),
        totals[0],
        totals[1]
    );
    ratios.sort_by(|a, b| a.1.total_cmp(&b.1));
    let worst: Vec<String> =
        ratios.iter().take(5).map(|(name, r)| format!("{name} {r:.2}")).collect();
    println!("worst: {}", worst.join(", "));
    print_failures(&failed);
}
