//! Samples every posterior of the posteriordb suite (`tests/posteriordb/`) and prints one row
//! per posterior: dimension, wall time, gradient evaluations, smallest bulk ESS, largest |z|
//! against the reference means, and divergences.
//!
//! ```sh
//! cargo run --release --example posteriordb_report            # every posterior
//! cargo run --release --example posteriordb_report -- nes     # those whose name contains "nes"
//! ```
//!
//! posteriordb is found as in the tests (`POSTERIORDB`, else `../shared/posteriordb`), and
//! `TILDE_POSTERIORDB_SEED` changes the seed.

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
    let filters: Vec<String> = std::env::args().skip(1).collect();
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
    if let Some(first) = failed.first() {
        println!("|z| threshold {:.2}; beyond it (marked !):", first.threshold);
        for report in &failed {
            print!("{report}");
        }
    }
}
