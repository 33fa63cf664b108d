//! One model per distribution family added with the ordinal, count, skewed and matrix
//! families, sampled end to end: priors alone against their known means, conjugate
//! posteriors against their closed forms, and simulated data against the simulation
//! parameters. The CDFs added later are called from a model and checked against the runtime.

use tilde::diagnostics;
use tilde::dist::{beta_binomial_rng, normal_rng};
use tilde::fit::Fit;
use tilde::rng::{Stream, chain_rng};
use tilde::sampler::Sampler;

/// Asserts that the sampled mean of `name` is within 5 Monte Carlo standard errors of
/// `expected`.
fn assert_mean(fit: &Fit, name: &str, expected: f64) {
    let chains = fit.chain_draws(name).unwrap_or_else(|| panic!("no output {name}"));
    let (mean, mcse) = (diagnostics::mean(&chains), diagnostics::mcse_mean(&chains));
    let z = (mean - expected) / mcse;
    assert!(z.abs() < 5.0, "{name}: mean {mean} (MCSE {mcse}), expected {expected}, z = {z}");
}

/// Asserts that the posterior mean of `name` is within `sds` posterior standard deviations of
/// the simulation's `truth`.
fn assert_recovers(fit: &Fit, name: &str, truth: f64, sds: f64) {
    let draws = fit.draws(name).unwrap_or_else(|| panic!("no output {name}"));
    let n = draws.len() as f64;
    let m = draws.iter().sum::<f64>() / n;
    let sd = (draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!((m - truth).abs() <= sds * sd, "{name}: mean {m} (sd {sd}), truth {truth}");
}

tilde::model! {
    /// Priors alone: each parameter's posterior is its prior, with a known mean.
    pub struct Priors;

    data {
        vector[2] mu;
        matrix[2, 2] S;
    }
    parameters {
        real g;
        real s;
        real e;
        vector[2] t;
        vector[2] tc;
        vector[2] p;
        cov_matrix[2] W;
        cov_matrix[2] IW;
    }
    model {
        g ~ gumbel(1, 2);
        s ~ skew_normal(1, 2, 3);
        e ~ exp_mod_normal(1, 0.5, 2);
        t ~ multi_student_t(5, mu, S);
        tc ~ multi_student_t_cholesky(5, mu, cholesky_decompose(S));
        p ~ multi_normal_prec(mu, S);
        W ~ wishart(6, S);
        IW ~ inv_wishart(7, S);
    }
}

#[test]
fn priors_have_their_known_means() {
    use std::f64::consts::PI;
    let m = Priors::from_json_str(r#"{"mu": [1, -2], "S": [[1, 0.3], [0.3, 0.5]]}"#).unwrap();
    let fit = Sampler::new().chains(4).seed(11).progress(false).sample(&m).unwrap();
    assert_mean(&fit, "g", 1.0 + 2.0 * 0.577_215_664_901_532_9);
    let delta = 3.0 / 10f64.sqrt();
    assert_mean(&fit, "s", 1.0 + 2.0 * delta * (2.0 / PI).sqrt());
    assert_mean(&fit, "e", 1.5);
    for v in ["t", "tc", "p"] {
        assert_mean(&fit, &format!("{v}[1]"), 1.0);
        assert_mean(&fit, &format!("{v}[2]"), -2.0);
    }
    // E[W] = nu S; E[IW] = S / (nu - K - 1).
    assert_mean(&fit, "W[1,1]", 6.0);
    assert_mean(&fit, "W[2,1]", 1.8);
    assert_mean(&fit, "IW[1,1]", 0.25);
    assert_mean(&fit, "IW[2,2]", 0.125);
}

tilde::model! {
    /// Conjugate count models: a multinomial with a Dirichlet prior, and a negative binomial
    /// of known shape whose success probability has a beta prior.
    pub struct Conjugate;

    data {
        array[3] int y;
        int<lower=1> N;
        array[N] int counts;
        real<lower=0> shape;
    }
    parameters {
        simplex[3] theta;
        real<lower=0, upper=1> q;
    }
    model {
        theta ~ dirichlet(rep_vector(1, 3));
        y ~ multinomial(theta);
        q ~ beta(2, 2);
        counts ~ neg_binomial(shape, q / (1 - q));
    }
}

#[test]
fn conjugate_counts_have_their_closed_form_posteriors() {
    let data = r#"{"y": [3, 9, 4], "N": 6, "counts": [2, 0, 5, 3, 1, 4], "shape": 2.5}"#;
    let fit = Sampler::new()
        .chains(4)
        .seed(5)
        .progress(false)
        .sample(&Conjugate::from_json_str(data).unwrap())
        .unwrap();
    // theta | y ~ dirichlet(1 + y).
    for (k, y) in [3.0, 9.0, 4.0].into_iter().enumerate() {
        assert_mean(&fit, &format!("theta[{}]", k + 1), (1.0 + y) / 19.0);
    }
    // With beta = q / (1 - q), q is the success probability: q | counts ~ beta(2 + N shape,
    // 2 + sum counts).
    let (a, b) = (2.0 + 6.0 * 2.5, 2.0 + 15.0);
    assert_mean(&fit, "q", a / (a + b));
}

tilde::model! {
    /// Ordinal regression with logistic and probit links on the same predictor, and a
    /// beta-binomial with unknown prior sample sizes.
    pub struct Ordinal;

    data {
        int<lower=1> N;
        vector[N] x;
        array[N] int<lower=1, upper=4> k;
        array[N] int<lower=1, upper=4> kp;
        int<lower=1> M;
        int<lower=0> trials;
        array[M] int<lower=0> hits;
    }
    parameters {
        real b;
        ordered[3] c;
        real bp;
        ordered[3] cp;
        real<lower=0> a1;
        real<lower=0> a2;
    }
    model {
        b ~ normal(0, 5);
        bp ~ normal(0, 5);
        c ~ normal(0, 5);
        cp ~ normal(0, 5);
        k ~ ordered_logistic(x * b, c);
        kp ~ ordered_probit(x * bp, cp);
        a1 ~ gamma(2, 0.2);
        a2 ~ gamma(2, 0.2);
        hits ~ beta_binomial(trials, a1, a2);
    }
}

#[test]
fn ordinal_and_beta_binomial_recover_their_simulation_parameters() {
    let (beta, cuts) = (1.2, [-1.0, 0.3, 1.5]);
    let mut rng = chain_rng(20260103, 0, Stream::TransformedData);
    let n = 1000;
    let (mut x, mut k, mut kp) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let xi = normal_rng(0.0, 1.0, &mut rng).unwrap();
        // A latent logistic or normal variable around x beta, cut at the cut-points.
        let u: f64 = normal_rng(0.0, 1.0, &mut rng).unwrap();
        let v = tilde::dist::logistic_rng(0.0, 1.0, &mut rng).unwrap();
        let band = |z: f64| 1 + cuts.iter().filter(|c| z > **c).count();
        x.push(xi);
        k.push(band(xi * beta + v));
        kp.push(band(xi * beta + u));
    }
    let hits: Vec<i64> =
        (0..300).map(|_| beta_binomial_rng(20, 2.0, 3.0, &mut rng).unwrap()).collect();
    let data = format!(
        r#"{{"N": {n}, "x": {x:?}, "k": {k:?}, "kp": {kp:?}, "M": {}, "trials": 20,
            "hits": {hits:?}}}"#,
        hits.len()
    );
    let fit = Sampler::new()
        .chains(4)
        .seed(9)
        .progress(false)
        .sample(&Ordinal::from_json_str(&data).unwrap())
        .unwrap();
    assert_recovers(&fit, "b", beta, 3.0);
    assert_recovers(&fit, "bp", beta, 3.0);
    for (i, c) in cuts.iter().enumerate() {
        assert_recovers(&fit, &format!("c[{}]", i + 1), *c, 3.0);
        assert_recovers(&fit, &format!("cp[{}]", i + 1), *c, 3.0);
    }
    assert_recovers(&fit, "a1", 2.0, 3.0);
    assert_recovers(&fit, "a2", 3.0, 3.0);
}

tilde::model! {
    /// The CDFs of inv_chi_square, scaled_inv_chi_square, beta_proportion and von_mises,
    /// called directly and through truncation. The parameters are unconstrained, so the log
    /// density is the sum of the terms written, with no Jacobian.
    pub struct Cdfs;

    data {
        real y;
        real z;
        real w;
    }
    parameters {
        real log_nu;
        real log_s;
        real logit_mu;
        real log_kappa;
        real loc;
    }
    model {
        real nu = exp(log_nu);
        real s = exp(log_s);
        real mu = inv_logit(logit_mu);
        real kappa = exp(log_kappa);
        target += inv_chi_square_lcdf(0.7 | nu) + inv_chi_square_lccdf(0.3 | nu);
        target += scaled_inv_chi_square_lcdf(1.2 | nu, s);
        target += scaled_inv_chi_square_lccdf(0.4 | nu, s);
        target += beta_proportion_lcdf(0.6 | mu, kappa) + beta_proportion_lccdf(0.2 | mu, kappa);
        target += von_mises_lcdf(1.0 | loc, kappa) + von_mises_lccdf(-0.5 | loc, kappa);
        target += log(inv_chi_square_cdf(2.0 | nu) * scaled_inv_chi_square_cdf(0.9 | nu, s));
        target += log(von_mises_cdf(0.1 | loc, kappa));
        y ~ von_mises(loc, kappa) T[-2, 2];
        z ~ beta_proportion(mu, kappa) T[0.1, 0.9];
        w ~ inv_chi_square(nu) T[, 3];
        w ~ scaled_inv_chi_square(nu, s) T[0.2, ];
    }
}

const CDFS_DATA: &str = r#"{"y": 0.4, "z": 0.35, "w": 1.1}"#;

/// The log density of `Cdfs`, from the runtime's functions: `~` drops the constant terms of
/// the densities but keeps the truncations' log probabilities.
fn cdfs_by_hand(theta: &[f64]) -> f64 {
    use tilde::dist::*;
    use tilde::math::{Data, Var};
    let (y, z, w) = (Data(0.4), Data(0.35), Data(1.1));
    let nu = Var(theta[0].exp());
    let s = Var(theta[1].exp());
    let mu = Var(1.0 / (1.0 + (-theta[2]).exp()));
    let kappa = Var(theta[3].exp());
    let loc = Var(theta[4]);
    let d = |x: f64| Data(x);
    let terms: Vec<f64> = vec![
        inv_chi_square_lcdf(d(0.7), nu).unwrap(),
        inv_chi_square_lccdf(d(0.3), nu).unwrap(),
        scaled_inv_chi_square_lcdf(d(1.2), nu, s).unwrap(),
        scaled_inv_chi_square_lccdf(d(0.4), nu, s).unwrap(),
        beta_proportion_lcdf(d(0.6), mu, kappa).unwrap(),
        beta_proportion_lccdf(d(0.2), mu, kappa).unwrap(),
        von_mises_lcdf(d(1.0), loc, kappa).unwrap(),
        von_mises_lccdf(d(-0.5), loc, kappa).unwrap(),
        inv_chi_square_cdf::<f64>(d(2.0), nu).unwrap().ln(),
        scaled_inv_chi_square_cdf::<f64>(d(0.9), nu, s).unwrap().ln(),
        von_mises_cdf::<f64>(d(0.1), loc, kappa).unwrap().ln(),
        von_mises_lpdf::<true, f64>(y, loc, kappa).unwrap(),
        -(von_mises_cdf::<f64>(d(2.0), loc, kappa).unwrap()
            - von_mises_cdf::<f64>(d(-2.0), loc, kappa).unwrap())
        .ln(),
        beta_proportion_lpdf::<true, f64>(z, mu, kappa).unwrap(),
        -(beta_proportion_lcdf::<f64>(d(0.9), mu, kappa).unwrap().exp()
            - beta_proportion_lcdf::<f64>(d(0.1), mu, kappa).unwrap().exp())
        .ln(),
        inv_chi_square_lpdf::<true, f64>(w, nu).unwrap(),
        -inv_chi_square_lcdf::<f64>(d(3.0), nu).unwrap(),
        scaled_inv_chi_square_lpdf::<true, f64>(w, nu, s).unwrap(),
        -scaled_inv_chi_square_lccdf::<f64>(d(0.2), nu, s).unwrap(),
    ];
    terms.iter().sum()
}

#[test]
fn cdfs_called_from_a_model_match_the_runtime() {
    use tilde::Model;
    let m = Cdfs::from_json_str(CDFS_DATA).unwrap();
    let mut ws = m.new_workspace::<f64>();
    for theta in
        [[0.5, -0.2, 0.3, 1.0, 0.2], [1.5, 0.4, -1.0, 2.5, -2.9], [-0.3, 0.1, 2.0, -1.0, 5.0]]
    {
        let lp = m.log_density(&theta, &mut ws).unwrap();
        let want = cdfs_by_hand(&theta);
        assert!((lp - want).abs() < 1e-10 * want.abs().max(1.0), "{theta:?}: {lp} vs {want}");
    }
}

/// Reverse-mode gradients of the models above agree with the dual-number oracle at
/// points spread over the unconstrained space.
#[test]
fn reverse_gradients_of_the_family_models_match_dual_numbers() {
    use tilde::Model;
    use tilde::gradient::fast_gradients_agree_with_dual;
    fn check<M: Model>(name: &str, model: &M) {
        let mut compared = 0;
        for point in 0..5 {
            let x: Vec<f64> =
                (0..model.dim()).map(|i| ((i * 7 + point * 3) % 11) as f64 / 5.5 - 1.0).collect();
            match fast_gradients_agree_with_dual(model, &x) {
                Ok(true) => compared += 1,
                Ok(false) => {}
                Err(why) => panic!("{name} at point {point}: {why}"),
            }
        }
        assert!(compared >= 3, "{name}: only {compared} points had a finite density");
    }
    let priors = Priors::from_json_str(r#"{"mu": [1, -2], "S": [[1, 0.3], [0.3, 0.5]]}"#);
    check("priors", &priors.unwrap());
    let data = r#"{"y": [3, 9, 4], "N": 6, "counts": [2, 0, 5, 3, 1, 4], "shape": 2.5}"#;
    check("conjugate", &Conjugate::from_json_str(data).unwrap());
    let data = r#"{"N": 4, "x": [0.5, -1.0, 2.0, 0.1], "k": [1, 2, 4, 3], "kp": [2, 1, 4, 3],
        "M": 3, "trials": 20, "hits": [4, 11, 20]}"#;
    check("ordinal", &Ordinal::from_json_str(data).unwrap());
    check("cdfs", &Cdfs::from_json_str(CDFS_DATA).unwrap());
}
