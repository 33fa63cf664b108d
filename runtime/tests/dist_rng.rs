//! `_rng` functions: sample means and variances against the known moments, with a fixed seed
//! and tolerances of five Monte Carlo standard errors.

use tilde_runtime::dist::*;
use tilde_runtime::rng::{ChainRng, Stream, chain_rng};

const N: usize = 20_000;

/// Checks the sample mean of `draw` against `mean`, given the true variance `var`.
fn check_mean(label: &str, mean: f64, var: f64, mut draw: impl FnMut(&mut ChainRng) -> f64) {
    let mut rng = chain_rng(20240611, 0, Stream::Generated);
    let xs: Vec<f64> = (0..N).map(|_| draw(&mut rng)).collect();
    let m = xs.iter().sum::<f64>() / N as f64;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (N - 1) as f64;
    let se_mean = (var / N as f64).sqrt();
    assert!((m - mean).abs() <= 5.0 * se_mean, "{label}: mean {m}, want {mean}");
    // For near-normal draws the variance's standard error is var * sqrt(2 / N); the
    // skewed ones get a wider band from their larger fourth moment.
    assert!((v - var).abs() <= 5.0 * var * (8.0 / N as f64).sqrt(), "{label}: var {v}, want {var}");
}

#[test]
fn continuous_moments() {
    check_mean("normal", 1.5, 4.0, |r| normal_rng(1.5, 2.0, r).unwrap());
    check_mean("gamma", 2.5 / 0.5, 2.5 / 0.25, |r| gamma_rng(2.5, 0.5, r).unwrap());
    check_mean("beta", 2.0 / 7.0, 10.0 / (49.0 * 8.0), |r| beta_rng(2.0, 5.0, r).unwrap());
    check_mean("exponential", 0.5, 0.25, |r| exponential_rng(2.0, r).unwrap());
    check_mean("student_t", 0.0, 5.0 / 3.0, |r| student_t_rng(5.0, 0.0, 1.0, r).unwrap());
    check_mean("double_exponential", 1.0, 2.0, |r| double_exponential_rng(1.0, 1.0, r).unwrap());
    check_mean("logistic", 0.0, std::f64::consts::PI.powi(2) / 3.0, |r| {
        logistic_rng(0.0, 1.0, r).unwrap()
    });
    // E[y^2] under von_mises(0, 5) on [-pi, pi], by mpmath quadrature.
    check_mean("von_mises", 0.0, 0.22723016281473, |r| von_mises_rng(0.0, 5.0, r).unwrap());
}

#[test]
fn discrete_moments() {
    check_mean("poisson", 3.5, 3.5, |r| poisson_rng(3.5, r).unwrap() as f64);
    check_mean("binomial", 3.0, 2.1, |r| binomial_rng(10, 0.3, r).unwrap() as f64);
    check_mean("neg_binomial_2", 4.0, 4.0 + 16.0 / 3.0, |r| {
        neg_binomial_2_rng(4.0, 3.0, r).unwrap() as f64
    });
    check_mean("bernoulli", 0.3, 0.21, |r| bernoulli_rng(0.3, r).unwrap() as f64);
}

#[test]
fn rng_rejects_invalid_parameters() {
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = normal_rng(0.0, -1.0, &mut rng).unwrap_err();
    assert_eq!(err.message(), "normal_rng: Scale parameter is -1, but must be positive finite!");
}
