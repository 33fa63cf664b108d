//! Tilde against its peers on the three benchmark models of `shared/bench`: the same data,
//! 4 chains of 1000 warm-up iterations and 1000 draws, seed 1, the median of 3 runs. It prints
//! wall time, gradient evaluations, minimum bulk ESS and ESS per second next to the figures in
//! `PEERS.md`, and the posterior means next to the peers' means, to show the runs sampled the
//! same posterior.
//!
//! ```sh
//! cargo run --release --example bench_peers            # all three models
//! cargo run --release --example bench_peers -- eight_schools hier   # some of them
//! ```
//!
//! The folder is `$TILDE_BENCH`, else `../shared/bench` beside the repository or the current
//! directory. `TILDE_BENCH_RUNS` changes the number of runs. `TILDE_METRIC=windowed` learns the
//! metric in Stan's windows instead of from draws and gradients (nutpie's way, the default).

use std::path::{Path, PathBuf};
use std::time::Instant;
use tilde::Model;
use tilde::diagnostics::ess_bulk;
use tilde::fit::Fit;
use tilde::nuts::MetricAdaptation;
use tilde::sampler::Sampler;

#[path = "peers/models.rs"]
mod models;

use models::{EightSchools, Hier, Logistic};

/// One benchmark: its name in PEERS.md, data file, sampled parameters (the ESS is their
/// minimum, as the peers measured it) and the means PEERS.md quotes.
struct Case {
    name: &'static str,
    file: &'static str,
    parameters: &'static [&'static str],
    peer_means: &'static [(&'static str, f64)],
}

// The means are the ones PEERS.md quotes ("all peers agree within Monte Carlo error").
const CASES: [Case; 3] = [
    Case {
        name: "eight schools",
        file: "eight_schools.json",
        parameters: &["mu", "tau", "theta_tilde"],
        peer_means: &[("mu", 4.4), ("tau", 3.6)],
    },
    Case {
        name: "logistic",
        file: "logistic.json",
        parameters: &["alpha", "beta"],
        peer_means: &[("alpha", 0.496), ("beta[1]", -1.165), ("beta[2]", -1.126)],
    },
    Case {
        name: "hier",
        file: "hier.json",
        parameters: &["mu_a", "sigma_a", "a_raw", "b", "sigma_y"],
        peer_means: &[("mu_a", 1.475), ("sigma_a", 0.346), ("b", -0.647), ("sigma_y", 0.717)],
    },
];

/// One row of PEERS.md's table.
struct Peer {
    model: String,
    peer: String,
    wall: f64,
    gradients: f64,
    ess: f64,
    ess_per_s: f64,
}

/// What one run of Tilde measured.
struct Measured {
    wall: f64,
    gradients: u64,
    min_ess: f64,
    means: Vec<(String, f64)>,
}

fn bench_dir() -> Result<PathBuf, String> {
    let mut looked = Vec::new();
    if let Some(dir) = std::env::var_os("TILDE_BENCH") {
        looked.push(PathBuf::from(dir));
    }
    let relative = Path::new("..").join("shared").join("bench");
    looked.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(&relative));
    if let Ok(cwd) = std::env::current_dir() {
        looked.push(cwd.join(&relative));
    }
    looked.iter().find(|p| p.join("PEERS.md").is_file()).cloned().ok_or_else(|| {
        let places: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
        format!("no folder with PEERS.md found; looked in {}; set $TILDE_BENCH", places.join(", "))
    })
}

/// The rows of the markdown table in PEERS.md: `| model | peer | wall s | grad evals |
/// grad evals/s | min bulk ESS | ESS/s |`.
fn read_peers(path: &Path) -> Result<Vec<Peer>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let number = |s: &str| s.trim().replace(',', "").parse::<f64>().ok();
    let mut peers = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 7 {
            continue;
        }
        let (Some(wall), Some(gradients), Some(ess), Some(ess_per_s)) =
            (number(cells[2]), number(cells[3]), number(cells[5]), number(cells[6]))
        else {
            continue; // the header and the separator
        };
        let (model, peer) = (cells[0].to_string(), cells[1].to_string());
        peers.push(Peer { model, peer, wall, gradients, ess, ess_per_s });
    }
    if peers.is_empty() {
        return Err(format!("{}: no table rows found", path.display()));
    }
    Ok(peers)
}

/// The metric adaptation that `TILDE_METRIC` names (`draws_gradients`, the default, or
/// `windowed`).
fn metric_adaptation() -> Result<MetricAdaptation, String> {
    match std::env::var("TILDE_METRIC").as_deref() {
        Ok("windowed") => Ok(MetricAdaptation::Windowed),
        Err(_) | Ok("draws_gradients") => Ok(MetricAdaptation::DrawsAndGradients),
        Ok(other) => Err(format!("TILDE_METRIC={other}: expected windowed or draws_gradients")),
    }
}

fn sample<M: Model>(model: &M, case: &Case) -> Result<Measured, tilde::Error> {
    let how = metric_adaptation().map_err(tilde::Error::Sampling)?;
    let start = Instant::now();
    let sampler = Sampler::new().chains(4).warmup(1000).draws(1000).seed(1);
    let fit = sampler.metric_adaptation(how).sample(model)?;
    let wall = start.elapsed().as_secs_f64();
    Ok(Measured {
        wall,
        gradients: fit.total_gradient_evaluations(),
        min_ess: min_bulk_ess(&fit, case.parameters),
        means: case
            .peer_means
            .iter()
            .map(|&(name, _)| {
                let draws = fit.draws(name).unwrap_or_default();
                (name.to_string(), draws.iter().sum::<f64>() / draws.len() as f64)
            })
            .collect(),
    })
}

/// The smallest bulk ESS over every element of the given parameters.
fn min_bulk_ess(fit: &Fit, parameters: &[&str]) -> f64 {
    let is_parameter = |name: &str| {
        let base = name.split('[').next().unwrap_or(name);
        parameters.contains(&base)
    };
    fit.names()
        .iter()
        .filter(|n| is_parameter(n))
        .filter_map(|n| fit.chain_draws(n))
        .map(|chains| ess_bulk(&chains))
        .fold(f64::INFINITY, f64::min)
}

/// Runs `case` `runs` times and keeps the run of median wall time. The seed is fixed, so the
/// runs differ only in their timing.
fn median_run<M: Model>(model: &M, case: &Case, runs: usize) -> Result<Measured, tilde::Error> {
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        all.push(sample(model, case)?);
    }
    all.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    Ok(all.swap_remove(runs / 2))
}

fn report(case: &Case, ours: &Measured, peers: &[Peer]) {
    let ess_per_s = ours.min_ess / ours.wall;
    println!("== {} ==", case.name);
    println!(
        "{:<48} {:>8} {:>10} {:>12} {:>9} {:>9} {:>12}",
        "sampler", "wall s", "grad evals", "grad evals/s", "min ESS", "ESS/s", "Tilde / peer"
    );
    println!(
        "{:<48} {:>8.3} {:>10} {:>12.0} {:>9.0} {:>9.0} {:>12}",
        "Tilde",
        ours.wall,
        ours.gradients,
        ours.gradients as f64 / ours.wall,
        ours.min_ess,
        ess_per_s,
        ""
    );
    for p in peers.iter().filter(|p| p.model == case.name) {
        println!(
            "{:<48} {:>8.3} {:>10.0} {:>12.0} {:>9.0} {:>9.0} {:>12.2}",
            p.peer,
            p.wall,
            p.gradients,
            p.gradients / p.wall,
            p.ess,
            p.ess_per_s,
            ess_per_s / p.ess_per_s
        );
    }
    println!("posterior means, Tilde vs peers:");
    for ((name, mean), (_, peer)) in ours.means.iter().zip(case.peer_means) {
        println!("  {name:<10} {mean:>9.3} {peer:>9.3}");
    }
    println!();
}

fn run_case(case: &Case, dir: &Path, runs: usize, peers: &[Peer]) -> Result<(), String> {
    let path = dir.join(case.file);
    let failed = |e: tilde::Error| format!("{}: {e}", case.name);
    let ours = match case.name {
        "eight schools" => {
            median_run(&EightSchools::from_json_file(&path).map_err(failed)?, case, runs)
        }
        "logistic" => median_run(&Logistic::from_json_file(&path).map_err(failed)?, case, runs),
        _ => median_run(&Hier::from_json_file(&path).map_err(failed)?, case, runs),
    }
    .map_err(failed)?;
    report(case, &ours, peers);
    Ok(())
}

fn main() -> Result<(), String> {
    let dir = bench_dir()?;
    let peers = read_peers(&dir.join("PEERS.md"))?;
    let runs = match std::env::var("TILDE_BENCH_RUNS") {
        Ok(n) => n.parse().map_err(|_| format!("TILDE_BENCH_RUNS={n} is not a count"))?,
        Err(_) => 3,
    };
    if runs == 0 {
        return Err("TILDE_BENCH_RUNS must be at least 1".into());
    }
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    println!(
        "4 chains x (1000 warm-up + 1000 draws), seed 1, median of {runs} runs by wall time; \
         gradient evaluations include initialisation and step size searches; ESS is the \
         minimum bulk ESS over the parameters; peers from {}",
        dir.join("PEERS.md").display()
    );
    println!();
    for case in CASES
        .iter()
        .filter(|c| wanted.is_empty() || wanted.iter().any(|w| c.name.replace(' ', "_") == *w))
    {
        run_case(case, &dir, runs, &peers)?;
    }
    Ok(())
}
