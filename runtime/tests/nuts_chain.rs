//! NUTS on hand-written densities through `nuts::Chain`: correctness of the draws, tree depth
//! bookkeeping, the frozen step size after warm-up, and rejected proposals.

use tilde_runtime::nuts::{Chain, Settings, Transition};
use tilde_runtime::rng::{Stream, chain_rng};
use tilde_runtime::{LogDensity, ModelError};

/// Independent normals with means 0 and standard deviations `sd`.
struct Gaussian {
    sd: Vec<f64>,
}

impl LogDensity for Gaussian {
    fn dim(&self) -> usize {
        self.sd.len()
    }
    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let mut lp = 0.0;
        for ((g, xi), s) in grad.iter_mut().zip(x).zip(&self.sd) {
            *g = -xi / (s * s);
            lp -= 0.5 * (xi / s) * (xi / s);
        }
        Ok(lp)
    }
}

struct Run {
    draws: Vec<Vec<f64>>,
    stats: Vec<Transition>,
    chain: Chain,
}

fn run<D: LogDensity>(density: &mut D, settings: Settings, draws: usize, seed: u64) -> Run {
    let mut rng = chain_rng(seed, 0, Stream::Sampler);
    let mut chain = Chain::new(settings, density.dim());
    chain.initialize(density, &mut rng, None, 2.0).unwrap();
    while chain.is_warmup() {
        chain.transition(density, &mut rng).unwrap();
    }
    let mut out = Run { draws: Vec::new(), stats: Vec::new(), chain: chain.clone() };
    for _ in 0..draws {
        let t = *chain.transition(density, &mut rng).unwrap();
        out.stats.push(t);
        out.draws.push(chain.position().to_vec());
    }
    out.chain = chain;
    out
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn standard_normal_10d_moments_are_right() {
    let mut density = Gaussian { sd: vec![1.0; 10] };
    let settings = Settings { num_warmup: 500, ..Settings::default() };
    let r = run(&mut density, settings, 2000, 11);
    let n = r.draws.len() as f64;
    // NUTS on a standard normal is close to independent sampling (ESS ~ n or more), so the
    // MCSE of a mean is at most about 1/sqrt(n/2) allowing for ESS down to n/2; 5 MCSE bounds.
    let mcse_mean = (2.0 / n).sqrt();
    // Var of the sample variance of N(0,1) is 2/n; same ESS allowance.
    let mcse_var = (4.0 / n).sqrt();
    for j in 0..10 {
        let xs: Vec<f64> = r.draws.iter().map(|d| d[j]).collect();
        let m = mean(&xs);
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        assert!(m.abs() < 5.0 * mcse_mean, "mean of x[{j}] = {m}");
        assert!((v - 1.0).abs() < 5.0 * mcse_var, "variance of x[{j}] = {v}");
    }
    // A 10-d standard normal takes trees of depth 2-3 at Stan's adapted step size.
    let leapfrogs: u64 = r.stats.iter().map(|t| u64::from(t.n_leapfrog)).sum();
    let per_draw = leapfrogs as f64 / n;
    assert!((3.0..=15.0).contains(&per_draw), "{per_draw} leapfrog steps per draw");
    let accept = mean(&r.stats.iter().map(|t| t.accept_stat).collect::<Vec<_>>());
    assert!((0.7..0.95).contains(&accept), "mean accept_stat {accept}");
    assert!(r.chain.gradient_evaluations() >= leapfrogs);
}

#[test]
fn metric_adaptation_recovers_anisotropic_variances() {
    let sd: Vec<f64> = vec![1.0, 3.0, 10.0, 30.0, 100.0];
    let mut density = Gaussian { sd: sd.clone() };
    let r = run(&mut density, Settings::default(), 10, 3);
    for (m, s) in r.chain.inv_metric().iter().zip(&sd) {
        let ratio = m / (s * s);
        assert!((1.0 / 1.5..1.5).contains(&ratio), "inv_metric {m} vs variance {}", s * s);
    }
}

#[test]
fn tree_depth_and_leapfrog_counts_are_consistent() {
    let mut density = Gaussian { sd: vec![1.0; 10] };
    let settings = Settings { num_warmup: 200, ..Settings::default() };
    let r = run(&mut density, settings, 500, 5);
    for t in &r.stats {
        // `depth` doublings completed (2^d - 1 steps), plus possibly a rejected last subtree
        // of up to 2^d steps.
        let d = t.depth;
        assert!((1..=10).contains(&d));
        assert!(t.n_leapfrog >= (1 << d) - 1 && t.n_leapfrog < (1 << (d + 1)), "{t:?}");
    }
}

#[test]
fn max_depth_is_hit_on_a_badly_scaled_gaussian_with_unit_metric() {
    let mut density = Gaussian { sd: vec![1.0, 1e-3] };
    let settings =
        Settings { num_warmup: 200, max_depth: 5, adapt_metric: false, ..Settings::default() };
    let r = run(&mut density, settings, 200, 9);
    assert!(r.stats.iter().all(|t| t.depth <= 5 && t.n_leapfrog <= 31));
    // The step size is held near 1e-3 by the narrow coordinate, so the wide one needs ~2000
    // steps to turn; only draws whose wide momentum is near zero can stop earlier.
    let at_max = r.stats.iter().filter(|t| t.depth == 5).count();
    assert!(at_max > 100, "{at_max} of 200 draws at the maximum depth");
    assert!(r.stats.iter().filter(|t| t.depth == 5).all(|t| t.n_leapfrog == 31));
}

#[test]
fn step_size_is_frozen_after_warmup() {
    let mut density = Gaussian { sd: vec![1.0, 2.0, 3.0] };
    let settings = Settings { num_warmup: 150, ..Settings::default() };
    let r = run(&mut density, settings, 100, 21);
    let adapted = r.chain.step_size();
    assert!(adapted > 0.1 && adapted < 3.0);
    assert!(r.stats.iter().all(|t| t.step_size == adapted));
}

/// A standard normal that rejects every point with x[0] > 1.
struct Truncated;

impl LogDensity for Truncated {
    fn dim(&self) -> usize {
        2
    }
    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        if x[0] > 1.0 {
            return Err(ModelError::recoverable("x[0] is above its upper bound 1"));
        }
        grad[0] = -x[0];
        grad[1] = -x[1];
        Ok(-0.5 * (x[0] * x[0] + x[1] * x[1]))
    }
}

#[test]
fn recoverable_errors_are_divergences_and_draws_stay_in_support() {
    let settings = Settings { num_warmup: 200, ..Settings::default() };
    let r = run(&mut Truncated, settings, 500, 4);
    let divergent = r.stats.iter().filter(|t| t.divergent).count();
    assert!(divergent > 0);
    assert!(r.draws.iter().all(|d| d[0] <= 1.0));
    assert!(r.stats.iter().all(|t| t.lp.is_finite() && t.energy.is_finite()));
}

#[test]
fn initialization_failure_names_the_last_problem() {
    let mut rng = chain_rng(0, 0, Stream::Sampler);
    let mut chain = Chain::new(Settings::default(), 2);
    struct Nowhere;
    impl LogDensity for Nowhere {
        fn dim(&self) -> usize {
            2
        }
        fn logp_and_grad(&mut self, _: &[f64], _: &mut [f64]) -> Result<f64, ModelError> {
            Err(ModelError::recoverable("sigma must be positive"))
        }
    }
    let err = chain.initialize(&mut Nowhere, &mut rng, None, 2.0).unwrap_err().to_string();
    assert!(err.starts_with("initialization failed"), "{err}");
    assert!(err.ends_with("last problem: sigma must be positive"), "{err}");
    let err = chain.initialize(&mut Nowhere, &mut rng, Some(&[0.0]), 2.0).unwrap_err();
    assert!(err.to_string().contains("length 1"), "{err}");
}

/// A bivariate normal with unit variances and correlation `rho`.
struct Correlated {
    rho: f64,
    /// Scale of the second coordinate.
    scale: f64,
}

impl LogDensity for Correlated {
    fn dim(&self) -> usize {
        2
    }
    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let (a, b) = (x[0], x[1] / self.scale);
        let k = 1.0 / (1.0 - self.rho * self.rho);
        grad[0] = -k * (a - self.rho * b);
        grad[1] = -k * (b - self.rho * a) / self.scale;
        Ok(-0.5 * k * (a * a - 2.0 * self.rho * a * b + b * b))
    }
}

#[test]
fn dense_metric_learns_the_covariance_and_shortens_trajectories() {
    use tilde_runtime::nuts::MetricKind;
    let rho = 0.999;
    let scale = 10.0;
    let dense = Settings { metric: MetricKind::Dense, ..Settings::default() };
    let r = run(&mut Correlated { rho, scale }, dense, 1000, 21);
    // Covariance [[1, rho * scale], [rho * scale, scale^2]], row by row, within the spread of
    // the estimate from the last warm-up window (500 draws) and the shrinkage.
    let m = r.chain.inv_metric();
    assert_eq!(m.len(), 4);
    let expect = [1.0, rho * scale, rho * scale, scale * scale];
    for (got, want) in m.iter().zip(expect) {
        assert!((got / want - 1.0).abs() < 0.25, "inv_metric {m:?}, covariance {expect:?}");
    }
    // Whitened, the target is a standard normal: trees stay shallow. A diagonal metric cannot
    // undo a correlation of 0.999 and needs far longer trajectories.
    let dense_steps = mean(&r.stats.iter().map(|t| f64::from(t.n_leapfrog)).collect::<Vec<_>>());
    let diag = run(&mut Correlated { rho, scale }, Settings::default(), 1000, 21);
    let diag_steps = mean(&diag.stats.iter().map(|t| f64::from(t.n_leapfrog)).collect::<Vec<_>>());
    assert!(dense_steps < 8.0, "dense metric: {dense_steps} leapfrog steps per draw");
    assert!(diag_steps > 4.0 * dense_steps, "diagonal {diag_steps}, dense {dense_steps}");
    // And the draws are right: the second coordinate's variance is scale^2 and the
    // correlation rho.
    let x: Vec<f64> = r.draws.iter().map(|d| d[0]).collect();
    let y: Vec<f64> = r.draws.iter().map(|d| d[1]).collect();
    let (mx, my) = (mean(&x), mean(&y));
    let vx = x.iter().map(|v| (v - mx).powi(2)).sum::<f64>() / x.len() as f64;
    let vy = y.iter().map(|v| (v - my).powi(2)).sum::<f64>() / y.len() as f64;
    let cxy = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / x.len() as f64;
    assert!((vx - 1.0).abs() < 0.15, "var x {vx}");
    assert!((vy / (scale * scale) - 1.0).abs() < 0.15, "var y {vy}");
    assert!((cxy / (vx * vy).sqrt() - rho).abs() < 0.002, "correlation");
}
