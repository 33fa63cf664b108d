//! The multi-chain `Sampler` on hand-written models: moments, reproducibility across thread
//! counts and seeds, generated quantities, and failing chains.

use std::sync::atomic::{AtomicUsize, Ordering};
use tilde_runtime::rng::ChainRng;
use tilde_runtime::sampler::Sampler;
use tilde_runtime::{Model, ModelError, Scalar};

/// `theta ~ normal(0, 1)` in `dim` dimensions, with `generated quantities { real u =
/// uniform_rng(0, 1); }`. With `panic_at_call` it panics on that log density evaluation, counted
/// over all chains; with `reject_above` it rejects `theta[1]` above the bound.
struct StdNormal {
    dim: usize,
    panic_at_call: Option<usize>,
    reject_above: Option<f64>,
    calls: AtomicUsize,
}

impl StdNormal {
    fn new(dim: usize) -> Self {
        StdNormal { dim, panic_at_call: None, reject_above: None, calls: AtomicUsize::new(0) }
    }
}

impl Model for StdNormal {
    type Workspace<S: Scalar> = ();

    fn name(&self) -> &'static str {
        "std_normal"
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn output_names(&self) -> Vec<String> {
        let mut names: Vec<String> = (1..=self.dim).map(|i| format!("theta[{i}]")).collect();
        names.push("u".into());
        names
    }
    fn output_shapes(&self) -> Vec<(String, Vec<usize>)> {
        vec![("theta".into(), vec![self.dim]), ("u".into(), vec![])]
    }
    fn new_workspace<S: Scalar>(&self) -> Self::Workspace<S> {}

    fn log_density<S: Scalar>(&self, theta: &[S], _: &mut ()) -> Result<S, ModelError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if self.panic_at_call == Some(call) {
            panic!("index 7 out of bounds");
        }
        if let Some(bound) = self.reject_above
            && theta[0].value() > bound
        {
            return Err(ModelError::recoverable("theta[1] is above its upper bound"));
        }
        let mut lp = S::zero();
        for t in theta {
            lp -= t.square() * 0.5;
        }
        Ok(lp)
    }

    fn write_outputs(
        &self,
        theta: &[f64],
        _: &mut (),
        rng: &mut ChainRng,
        generated: bool,
        out: &mut [f64],
    ) -> Result<(), ModelError> {
        out[..self.dim].copy_from_slice(theta);
        out[self.dim] = if generated { rand::Rng::random::<f64>(rng) } else { f64::NAN };
        Ok(())
    }
}

#[test]
fn ten_dimensional_normal_through_the_sampler() {
    let model = StdNormal::new(10);
    let fit = Sampler::new().chains(2).warmup(400).draws(1000).seed(8).sample(&model).unwrap();
    assert_eq!(fit.num_chains(), 2);
    assert_eq!(fit.num_draws(), 1000);
    let n = 2000.0;
    // Allow an ESS down to n/2, as in the chain tests; 5 MCSE bounds.
    let mcse_mean = (2.0 / n).sqrt();
    let mcse_var = (4.0 / n).sqrt();
    for j in 1..=10 {
        let xs = fit.draws(&format!("theta[{j}]")).unwrap();
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        assert!(m.abs() < 5.0 * mcse_mean, "mean of theta[{j}] = {m}");
        assert!((v - 1.0).abs() < 5.0 * mcse_var, "variance of theta[{j}] = {v}");
    }
    // u ~ uniform(0, 1) from the generated stream: mean 1/2 with sd sqrt(1/12 / n).
    let u = fit.draws("u").unwrap();
    let mean_u = u.iter().sum::<f64>() / n;
    assert!((mean_u - 0.5).abs() < 5.0 * (1.0 / 12.0 / n).sqrt());
    for (chain, evals) in fit.gradient_evaluations().iter().enumerate() {
        let leapfrogs: u64 = fit.stats(chain).n_leapfrog.iter().map(|&l| u64::from(l)).sum();
        // Warm-up costs about as much per iteration as sampling, plus a few step size searches.
        assert!(*evals > leapfrogs && *evals < 3 * leapfrogs, "{evals} vs {leapfrogs}");
    }
    assert_eq!(fit.divergences(), vec![0, 0]);
}

#[test]
fn stepsize_stat_equals_the_adapted_step_size() {
    let model = StdNormal::new(3);
    let fit = Sampler::new().chains(2).warmup(150).draws(100).seed(1).sample(&model).unwrap();
    for (chain, step) in fit.step_sizes().iter().enumerate() {
        assert!(fit.stats(chain).stepsize.iter().all(|s| s == step));
    }
}

#[test]
fn draws_do_not_depend_on_the_number_of_threads() {
    let run = |threads: usize, seed: u64| {
        let model = StdNormal::new(4);
        let sampler = Sampler::new().chains(4).warmup(100).draws(50).seed(seed).threads(threads);
        sampler.sample(&model).unwrap()
    };
    let one = run(1, 42);
    let four = run(4, 42);
    for v in 0..one.names().len() {
        assert_eq!(one.variable_chains(v), four.variable_chains(v));
    }
    assert_eq!(one.lp_chains(), four.lp_chains());
    let other = run(2, 43);
    assert_ne!(one.variable_chains(0), other.variable_chains(0));
    // Chains have their own streams.
    assert_ne!(one.variable_chains(0)[0], one.variable_chains(0)[1]);
}

#[test]
fn recoverable_rejections_are_divergences_not_failures() {
    let mut model = StdNormal::new(2);
    model.reject_above = Some(0.5);
    let fit = Sampler::new().chains(2).warmup(150).draws(200).seed(3).sample(&model).unwrap();
    assert!(fit.divergences().iter().sum::<usize>() > 0);
    assert!(fit.draws("theta[1]").unwrap().iter().all(|&x| x <= 0.5));
}

#[test]
fn a_panicking_chain_is_reported_and_does_not_hang() {
    let mut model = StdNormal::new(2);
    model.panic_at_call = Some(5000);
    let sampler = Sampler::new().chains(4).warmup(1000).draws(1000).threads(2);
    let err = sampler.sample(&model).unwrap_err().to_string();
    let prefix = err.split(" panicked: ").next().unwrap();
    assert!(prefix.starts_with("chain ") && prefix[6..].parse::<usize>().is_ok(), "{err}");
    assert!(err.ends_with("panicked: index 7 out of bounds"), "{err}");
}

#[test]
fn bad_settings_are_errors() {
    let model = StdNormal::new(2);
    let err = Sampler::new().adapt_delta(1.5).sample(&model).unwrap_err();
    assert_eq!(err.to_string(), "adapt_delta must be in (0, 1), got 1.5");
    let err = Sampler::new().unconstrained_inits(vec![vec![0.0; 3]]).sample(&model).unwrap_err();
    assert_eq!(
        err.to_string(),
        "initial values have length 3, but the model has 2 unconstrained parameters"
    );
}

#[test]
fn user_inits_start_the_chain() {
    let model = StdNormal::new(2);
    let fit = Sampler::new()
        .chains(1)
        .warmup(0)
        .draws(1)
        .unconstrained_inits(vec![vec![30.0, -30.0]])
        .sample(&model)
        .unwrap();
    // One transition from (30, -30) on a standard normal cannot reach the bulk.
    assert!(fit.draws("theta[1]").unwrap()[0] > 10.0);
}

#[test]
fn a_dense_metric_run_is_right_and_writes_its_matrix() {
    use tilde_runtime::nuts::MetricKind;
    let model = StdNormal::new(3);
    let sampler = Sampler::new().chains(2).warmup(400).draws(1000).seed(4);
    let fit = sampler.metric(MetricKind::Dense).sample(&model).unwrap();
    let n = 2000.0;
    for j in 1..=3 {
        let xs = fit.draws(&format!("theta[{j}]")).unwrap();
        let m = xs.iter().sum::<f64>() / n;
        assert!(m.abs() < 5.0 * (2.0 / n).sqrt(), "mean of theta[{j}] = {m}");
    }
    // The learned covariance of independent standard normals: near the identity.
    for inv_metric in fit.inv_metrics() {
        assert_eq!(inv_metric.len(), 9);
        for (k, v) in inv_metric.iter().enumerate() {
            let want = if k % 4 == 0 { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 0.3, "inverse metric {inv_metric:?}");
        }
    }
    let dir = std::env::temp_dir().join(format!("tilde-dense-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths = fit.write_csv(dir.join("run")).unwrap();
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(text.contains("#         metric = dense_e\n"), "{text}");
    // CmdStan's layout: the title, then one comment line per row of the matrix.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| *l == "# Elements of inverse mass matrix:").unwrap();
    for row in &lines[at + 1..at + 4] {
        let values: Vec<f64> =
            row.trim_start_matches("# ").split(", ").map(|v| v.parse().unwrap()).collect();
        assert_eq!(values.len(), 3, "{row}");
    }
    assert!(!lines[at + 4].starts_with("# "), "{}", lines[at + 4]);
}
