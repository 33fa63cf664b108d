//! Micro-benchmarks of the log density of posteriordb models: the plain `f64` value, and the
//! gradient by dual numbers at each monomorphised width and by the reverse tape. After the
//! measurements it prints, per model, how many times a gradient costs a value.
//!
//! `cargo bench` runs them; `cargo bench -- arK` runs one model. The data come from posteriordb
//! (`POSTERIORDB`, or `../shared/posteriordb` beside the repository).

use criterion::{Criterion, black_box};
use std::path::{Path, PathBuf};
use tilde::gradient::{DualGradient, ForwardGradient, Method};
use tilde::reference::PosteriorDb;
use tilde::reverse::ReverseGradient;
use tilde::{LogDensity, Model};

// The models are those of the posteriordb suite and of the peer benchmark, not copies of them.
#[path = "../tests/posteriordb/models/diamonds.rs"]
#[allow(dead_code)]
mod diamonds;
#[path = "../tests/posteriordb/models/eight_schools.rs"]
#[allow(dead_code)]
mod eight_schools;
#[path = "../tests/posteriordb/models/gp.rs"]
#[allow(dead_code)]
mod gp;
#[path = "../tests/posteriordb/models/hmm.rs"]
#[allow(dead_code)]
mod hmm;
#[path = "../tests/posteriordb/models/kidiq.rs"]
#[allow(dead_code)]
mod kidiq;
#[path = "../tests/posteriordb/models/mcycle.rs"]
#[allow(dead_code)]
mod mcycle;
#[path = "../tests/posteriordb/models/mixture.rs"]
#[allow(dead_code)]
mod mixture;
#[path = "../examples/peers/models.rs"]
#[allow(dead_code)]
mod peers;
#[path = "../tests/posteriordb/models/time_series.rs"]
#[allow(dead_code)]
mod time_series;

use diamonds::Diamonds;
use eight_schools::EightSchoolsNoncentered;
use gp::GpPoisRegr;
use hmm::HmmDrive0;
use kidiq::KidscoreMomhs;
use mcycle::AccelGp;
use mixture::LowDimGaussMix;
use peers::{Hier, Logistic};
use time_series::ArK;

/// Widths measured for the gradient; each is a separate monomorphisation of the model.
const WIDTHS: [usize; 2] = [4, 8];

/// The point the densities are measured at. Any point with a finite density costs the same, as
/// these densities have no branches that depend on the parameters.
fn point(dim: usize) -> Vec<f64> {
    (0..dim).map(|i| 0.1 + 0.05 * i as f64).collect()
}

fn bench_model<M: Model>(c: &mut Criterion, posterior: &str, model: &M) {
    let x = point(model.dim());
    let mut ws = model.new_workspace::<f64>();
    model.log_density(&x, &mut ws).expect("the benchmark point has a finite density");
    let mut group = c.benchmark_group(posterior);
    group.bench_function("value", |b| {
        b.iter(|| model.log_density(black_box(&x), &mut ws).unwrap());
    });
    let mut grad = vec![0.0; model.dim()];
    bench_width::<M, 4>(&mut group, model, &x, &mut grad);
    bench_width::<M, 8>(&mut group, model, &x, &mut grad);
    bench_forward::<M, 4>(&mut group, model, &x, &mut grad);
    bench_forward::<M, 8>(&mut group, model, &x, &mut grad);
    let mut reverse = ReverseGradient::new(model);
    group.bench_function("gradient_reverse", |b| {
        b.iter(|| reverse.logp_and_grad(black_box(&x), &mut grad).unwrap());
    });
    group.finish();
}

fn bench_width<M: Model, const W: usize>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    model: &M,
    x: &[f64],
    grad: &mut [f64],
) {
    let mut evaluator = DualGradient::<M, W>::with_width(model);
    group.bench_function(format!("gradient_w{W}"), |b| {
        b.iter(|| evaluator.logp_and_grad(black_box(x), grad).unwrap());
    });
}

fn bench_forward<M: Model, const W: usize>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    model: &M,
    x: &[f64],
    grad: &mut [f64],
) {
    let mut evaluator = ForwardGradient::<M, W>::with_width(model);
    group.bench_function(format!("gradient_fwd{W}"), |b| {
        b.iter(|| evaluator.logp_and_grad(black_box(x), grad).unwrap());
    });
}

/// Where criterion keeps its results: the place it would pick itself, made explicit so that
/// the summary below can read them back.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    target.join("criterion")
}

/// Criterion's mean time in nanoseconds of one benchmark, if it was measured in this run or an
/// earlier one.
fn mean_ns(dir: &Path, group: &str, function: &str) -> Option<f64> {
    let path = dir.join(group).join(function).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn summarise(dir: &Path, models: &[(&str, usize)]) {
    println!();
    println!("gradient time / value time (criterion means); * marks the method the sampler picks");
    println!(
        "{:<40} {:>4} {:>10}  {:>8} {:>8} {:>8} {:>8} {:>8}",
        "posterior", "dim", "value ns", "dual 4", "dual 8", "fwd 4", "fwd 8", "reverse"
    );
    for &(posterior, dim) in models {
        let Some(value) = mean_ns(dir, posterior, "value") else {
            println!("{posterior:<40} {dim:>4}  not measured");
            continue;
        };
        let picked = Method::for_dim(dim);
        let methods = WIDTHS
            .iter()
            .map(|&width| (format!("gradient_w{width}"), Method::Dual { width }))
            .chain(
                WIDTHS
                    .iter()
                    .map(|&width| (format!("gradient_fwd{width}"), Method::Forward { width })),
            )
            .chain([("gradient_reverse".to_string(), Method::Reverse)]);
        let ratios: Vec<String> = methods
            .map(|(function, method)| {
                let mark = if method == picked { "*" } else { "" };
                match mean_ns(dir, posterior, &function) {
                    Some(g) => format!("{:>8}", format!("{:.1}{mark}", g / value)),
                    None => format!("{:>8}", "-"),
                }
            })
            .collect();
        println!("{posterior:<40} {dim:>4} {value:>10.0}  {}", ratios.join(" "));
    }
}

fn main() {
    let db = PosteriorDb::locate().unwrap_or_else(|e| panic!("{e}"));
    let data = |name: &str| db.data(name).unwrap_or_else(|e| panic!("data {name}: {e}"));
    let dir = criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .configure_from_args();
    let mut measured = Vec::new();
    macro_rules! posterior {
        ($name:literal, $data:literal, $model:ident) => {{
            let model = $model::new(&data($data)).unwrap();
            bench_model(&mut c, $name, &model);
            measured.push(($name, model.dim()));
        }};
    }
    posterior!("kidiq-kidscore_momhs", "kidiq", KidscoreMomhs);
    posterior!("low_dim_gauss_mix-low_dim_gauss_mix", "low_dim_gauss_mix", LowDimGaussMix);
    posterior!("arK-arK", "arK", ArK);
    posterior!("bball_drive_event_0-hmm_drive_0", "bball_drive_event_0", HmmDrive0);
    posterior!("eight_schools-eight_schools_noncentered", "eight_schools", EightSchoolsNoncentered);
    posterior!("gp_pois_regr-gp_pois_regr", "gp_pois_regr", GpPoisRegr);
    posterior!("diamonds-diamonds", "diamonds", Diamonds);
    posterior!("mcycle_gp-accel_gp", "mcycle_gp", AccelGp);
    // The peer benchmark's larger models, when its folder is beside the repository.
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench");
    let bench = std::env::var_os("TILDE_BENCH").map_or(bench, PathBuf::from);
    if let Ok(logistic) = Logistic::from_json_file(bench.join("logistic.json")) {
        bench_model(&mut c, "bench-logistic", &logistic);
        measured.push(("bench-logistic", logistic.dim()));
    }
    if let Ok(hier) = Hier::from_json_file(bench.join("hier.json")) {
        bench_model(&mut c, "bench-hier", &hier);
        measured.push(("bench-hier", hier.dim()));
    }
    c.final_summary();
    summarise(&dir, &measured);
}
