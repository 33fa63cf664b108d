//! Eight schools through the whole pipeline: the generated log density, its gradient, and
//! reproducible sampling.

use tilde::gradient::GradientEvaluator;
use tilde::sampler::Sampler;
use tilde::{LogDensity, Model};

tilde::model! {
    /// Non-centred eight schools.
    pub struct EightSchools;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real<lower=0> tau;
        vector[J] theta_tilde;
    }
    transformed parameters {
        vector[J] theta = mu + tau * theta_tilde;
    }
    model {
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
        theta_tilde ~ std_normal();
        y ~ normal(theta, sigma);
    }
}

const DATA: &str = r#"{"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12],
                       "sigma": [15, 10, 16, 11, 9, 11, 10, 18]}"#;

fn model() -> EightSchools {
    EightSchools::from_json_str(DATA).unwrap()
}

/// The log density written out by hand, with the constants that `~` drops left out.
fn by_hand(x: &[f64]) -> f64 {
    let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
    let sigma = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
    let (mu, log_tau) = (x[0], x[1]);
    let tau = log_tau.exp();
    let mut lp = -0.5 * (mu / 5.0).powi(2);
    lp += -(1.0 + (tau / 5.0).powi(2)).ln() + log_tau;
    for j in 0..8 {
        let t = x[2 + j];
        lp += -0.5 * t * t;
        let theta = mu + tau * t;
        lp += -0.5 * ((y[j] - theta) / sigma[j]).powi(2);
    }
    lp
}

fn point(k: usize) -> Vec<f64> {
    (0..10).map(|i| ((i * 7 + k * 3) % 11) as f64 / 5.0 - 1.0).collect()
}

#[test]
fn log_density_matches_the_hand_written_one() {
    let m = model();
    assert_eq!(m.dim(), 10);
    let mut ws = m.new_workspace::<f64>();
    for k in 0..5 {
        let x = point(k);
        let lp = m.log_density(&x, &mut ws).unwrap();
        assert!((lp - by_hand(&x)).abs() < 1e-12 * (1.0 + lp.abs()), "{lp} vs {}", by_hand(&x));
    }
}

#[test]
fn dual_number_gradient_matches_finite_differences() {
    let m = model();
    let mut eval = GradientEvaluator::new(&m);
    for k in 0..5 {
        let x = point(k);
        let mut grad = vec![0.0; 10];
        let lp = eval.logp_and_grad(&x, &mut grad).unwrap();
        assert!((lp - by_hand(&x)).abs() < 1e-12 * (1.0 + lp.abs()));
        for i in 0..10 {
            // A central difference of step h has error O(h^2); h = 1e-5 leaves ~1e-9.
            let h = 1e-5;
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (by_hand(&up) - by_hand(&down)) / (2.0 * h);
            assert!(
                (grad[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "d/dx{i} at point {k}: dual {} vs finite difference {fd}",
                grad[i]
            );
        }
    }
}

#[test]
fn outputs_are_named_and_constrained_as_stan_does() {
    let m = model();
    let names = m.output_names();
    assert_eq!(names.len(), 2 + 8 + 8);
    assert_eq!(names[0], "mu");
    assert_eq!(names[1], "tau");
    assert_eq!(names[2], "theta_tilde[1]");
    assert_eq!(names[10], "theta[1]");
    assert_eq!(names[17], "theta[8]");
    let x = point(1);
    let mut out = vec![0.0; names.len()];
    let mut ws = m.new_workspace::<f64>();
    let mut rng = tilde::rng::chain_rng(1, 0, tilde::rng::Stream::Generated);
    m.write_outputs(&x, &mut ws, &mut rng, true, &mut out).unwrap();
    let tau = x[1].exp();
    assert_eq!(out[0], x[0]);
    assert!((out[1] - tau).abs() < 1e-15 * tau);
    for j in 0..8 {
        assert!((out[10 + j] - (x[0] + tau * x[2 + j])).abs() < 1e-12);
    }
}

#[test]
fn same_seed_gives_the_same_draws_whatever_the_threads() {
    let m = model();
    let run = |threads: usize, seed: u64| {
        Sampler::new()
            .chains(4)
            .warmup(200)
            .draws(200)
            .seed(seed)
            .threads(threads)
            .sample(&m)
            .unwrap()
    };
    let one = run(1, 11);
    let four = run(4, 11);
    for name in ["mu", "tau", "theta[3]"] {
        assert_eq!(one.draws(name).unwrap(), four.draws(name).unwrap(), "{name}");
    }
    let other = run(4, 12);
    assert_ne!(one.draws("mu").unwrap(), other.draws("mu").unwrap());
}

#[test]
fn bad_data_is_an_error_naming_the_variable() {
    let err = EightSchools::from_json_str(r#"{"J": 2, "y": [1, 2], "sigma": [1, -1]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("sigma[2]"), "{err}");
    let err = EightSchools::from_json_str(r#"{"J": 3, "y": [1, 2], "sigma": [1, 1, 1]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("y"), "{err}");
    let err =
        EightSchools::from_json_str(r#"{"y": [1, 2], "sigma": [1, 1]}"#).unwrap_err().to_string();
    assert!(err.contains("`J` is missing"), "{err}");
}
