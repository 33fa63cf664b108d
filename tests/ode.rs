//! ODE solvers through the whole pipeline: a decay model whose solution, log density and
//! gradient are known in closed form, solved in every place a model can call a solver.

use tilde::gradient::GradientEvaluator;
use tilde::rng::{Stream, chain_rng};
use tilde::{LogDensity, Model};

tilde::model! {
    /// Exponential decay towards a level, observed with normal noise.
    pub struct Decay;

    functions {
        vector decay(real t, vector y, real k, array[] real level) {
            return -k * (y - level[1]);
        }
        real decayed(real k, real t) {
            array[1] vector[1] s = ode_rk45(decay, rep_vector(1.0, 1), 0, {t}, k, {0.0});
            return s[1, 1];
        }
    }
    data {
        int<lower=1> N;
        array[N] real ts;
        array[N] real obs;
    }
    transformed data {
        array[N] vector[1] fixed =
            ode_bdf_tol(decay, rep_vector(1.0, 1), 0, ts, 1e-8, 1e-10, 100000, 0.5, {0.0});
    }
    parameters {
        real<lower=0> k;
        real<lower=0> y0;
    }
    transformed parameters {
        array[N] vector[1] y =
            ode_rk45_tol(decay, rep_vector(y0, 1), 0.0, ts, 1e-10, 1e-10, 100000, k, {0.0});
    }
    model {
        for (n in 1:N) {
            obs[n] ~ normal(y[n, 1], 0.5);
        }
    }
    generated quantities {
        real fixed_last = fixed[N, 1];
        real via_function = decayed(k, 2.0);
        array[N] vector[1] stiff = ode_bdf(decay, rep_vector(y0, 1), 0.0, ts, k, {0.0});
    }
}

const DATA: &str = r#"{"N": 3, "ts": [0.5, 1, 3], "obs": [1.8, 1.2, 0.5]}"#;
const TS: [f64; 3] = [0.5, 1.0, 3.0];
const OBS: [f64; 3] = [1.8, 1.2, 0.5];

/// The log density in closed form at unconstrained `(log k, log y0)`, with its gradient.
fn closed_form(u: [f64; 2]) -> (f64, [f64; 2]) {
    let (k, y0) = (u[0].exp(), u[1].exp());
    let mut lp = u[0] + u[1];
    let mut grad = [1.0, 1.0];
    for (t, obs) in TS.iter().zip(OBS) {
        let mu = y0 * (-k * t).exp();
        let r = (obs - mu) / 0.5;
        lp -= 0.5 * r * r;
        // d lp / d mu = r / 0.5; d mu / d log k = -t k mu; d mu / d log y0 = mu.
        grad[0] += r / 0.5 * (-t * k * mu);
        grad[1] += r / 0.5 * mu;
    }
    (lp, grad)
}

#[test]
fn log_density_and_gradient_match_the_closed_form() {
    let model = Decay::from_json_str(DATA).unwrap();
    let mut evaluator = GradientEvaluator::new(&model);
    for u in [[0.3f64, 0.7], [-1.0, 0.1], [1.2, -0.4]] {
        let mut grad = [0.0; 2];
        let lp = evaluator.logp_and_grad(&u, &mut grad).unwrap();
        let (want, want_grad) = closed_form(u);
        assert!((lp - want).abs() < 1e-7 * want.abs().max(1.0), "lp {lp} vs {want}");
        for i in 0..2 {
            let tol = 1e-6 * want_grad[i].abs().max(1.0);
            assert!((grad[i] - want_grad[i]).abs() < tol, "grad {grad:?} vs {want_grad:?}");
        }
    }
}

#[test]
fn solutions_in_every_block_and_in_functions() {
    let model = Decay::from_json_str(DATA).unwrap();
    let names = model.output_names();
    let mut out = vec![0.0; names.len()];
    let mut ws = model.new_workspace::<f64>();
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let (k, y0) = (0.8f64, 2.5f64);
    model.write_outputs(&[k.ln(), y0.ln()], &mut ws, &mut rng, true, &mut out).unwrap();
    let get = |name: &str| out[names.iter().position(|n| n == name).expect(name)];
    for (n, t) in TS.iter().enumerate() {
        let exact = y0 * (-k * t).exp();
        let i = n + 1;
        assert!((get(&format!("y[{i},1]")) - exact).abs() < 1e-8, "y at {t}");
        assert!((get(&format!("stiff[{i},1]")) - exact).abs() < 1e-5, "stiff at {t}");
    }
    assert!((get("fixed_last") - (-0.5f64 * 3.0).exp()).abs() < 1e-7);
    assert!((get("via_function") - (-k * 2.0).exp()).abs() < 1e-5);
}
