//! Multivariate models end to end: data simulated from known parameters with the runtime's
//! random number generators and a fixed seed, sampled, and the parameters recovered (posterior
//! means within a few posterior standard deviations of the truth); and LKJ priors sampled
//! alone, against the known moments of their correlations.

use tilde::dist::{gamma_rng, neg_binomial_2_log_rng, normal_rng};
use tilde::fit::Fit;
use tilde::rng::{Stream, chain_rng};
use tilde::sampler::Sampler;

tilde::model! {
    /// Counts in groups with correlated random intercepts and slopes, and compositions around
    /// a common simplex.
    pub struct GroupedCounts;

    data {
        int<lower=1> G;
        int<lower=1> N;
        array[N] int<lower=1, upper=G> group;
        vector[N] x;
        array[N] int<lower=0> y;
        int<lower=1> M;
        array[M] simplex[3] q;
        real<lower=0> kappa;
    }
    parameters {
        real mu0;
        vector<lower=0>[2] tau;
        cholesky_factor_corr[2] L_Omega;
        array[G] vector[2] b;
        real<lower=0> phi;
        simplex[3] theta;
    }
    model {
        vector[N] eta;
        matrix[2, 2] L = diag_pre_multiply(tau, L_Omega);
        mu0 ~ normal(0, 2);
        tau ~ normal(0, 1);
        L_Omega ~ lkj_corr_cholesky(2);
        b ~ multi_normal_cholesky(rep_vector(0, 2), L);
        phi ~ gamma(2, 0.2);
        for (n in 1:N) {
            eta[n] = mu0 + b[group[n], 1] + b[group[n], 2] * x[n];
        }
        y ~ neg_binomial_2_log(eta, phi);
        theta ~ dirichlet(rep_vector(2, 3));
        for (m in 1:M) {
            q[m] ~ dirichlet(kappa * theta);
        }
    }
    generated quantities {
        corr_matrix[2] Omega = multiply_lower_tri_self_transpose(L_Omega);
    }
}

/// The truth the data are simulated from.
const MU0: f64 = 1.0;
const TAU: [f64; 2] = [0.5, 0.3];
const RHO: f64 = 0.6;
const PHI: f64 = 8.0;
const THETA: [f64; 3] = [0.2, 0.3, 0.5];
const KAPPA: f64 = 30.0;

/// Simulates the data of [`GroupedCounts`] with the runtime's generators and a fixed seed.
fn simulate(groups: usize, per_group: usize, compositions: usize) -> String {
    let mut rng = chain_rng(20260101, 0, Stream::TransformedData);
    let mut std_normal = || normal_rng(0.0, 1.0, &mut rng).unwrap();
    let b: Vec<[f64; 2]> = (0..groups)
        .map(|_| {
            let (z1, z2) = (std_normal(), std_normal());
            [TAU[0] * z1, TAU[1] * (RHO * z1 + (1.0 - RHO * RHO).sqrt() * z2)]
        })
        .collect();
    let (mut group, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for (g, bg) in b.iter().enumerate() {
        for _ in 0..per_group {
            let xi = normal_rng(0.0, 1.0, &mut rng).unwrap();
            let eta = MU0 + bg[0] + bg[1] * xi;
            group.push(g + 1);
            x.push(xi);
            y.push(neg_binomial_2_log_rng(eta, PHI, &mut rng).unwrap());
        }
    }
    let q: Vec<Vec<f64>> = (0..compositions)
        .map(|_| {
            let g: Vec<f64> =
                THETA.iter().map(|t| gamma_rng(KAPPA * t, 1.0, &mut rng).unwrap()).collect();
            let total: f64 = g.iter().sum();
            g.iter().map(|v| v / total).collect()
        })
        .collect();
    format!(
        r#"{{"G": {groups}, "N": {}, "group": {group:?}, "x": {x:?}, "y": {y:?},
            "M": {compositions}, "q": {q:?}, "kappa": {KAPPA}}}"#,
        group.len()
    )
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (m, (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
}

fn assert_recovers(fit: &Fit, name: &str, truth: f64, sds: f64) {
    let draws = fit.draws(name).unwrap_or_else(|| panic!("no output {name}"));
    let (m, sd) = mean_sd(&draws);
    assert!(
        (m - truth).abs() <= sds * sd,
        "{name}: posterior mean {m} (sd {sd}) is more than {sds} sd from the truth {truth}"
    );
}

#[test]
fn grouped_counts_recover_their_parameters() {
    let model = GroupedCounts::from_json_str(&simulate(20, 15, 40)).unwrap();
    let fit = Sampler::new().chains(4).seed(7).progress(false).sample(&model).unwrap();
    let divergences: usize = fit.divergences().iter().sum();
    assert!(divergences < 40, "{divergences} divergences");
    for (name, truth) in [
        ("mu0", MU0),
        ("tau[1]", TAU[0]),
        ("tau[2]", TAU[1]),
        ("Omega[2,1]", RHO),
        ("Omega[1,2]", RHO),
        ("phi", PHI),
        ("theta[1]", THETA[0]),
        ("theta[2]", THETA[1]),
        ("theta[3]", THETA[2]),
    ] {
        assert_recovers(&fit, name, truth, 3.0);
    }
    // The estimates are informative, not just wide: the simplex and the intercept are sharp.
    let (_, sd) = mean_sd(&fit.draws("theta[3]").unwrap());
    assert!(sd < 0.03, "theta[3] sd {sd}");
    assert_eq!(fit.draws("Omega[1,1]").unwrap().iter().filter(|v| **v != 1.0).count(), 0);
}

tilde::model! {
    /// LKJ priors alone, on a correlation matrix and on a Cholesky factor.
    pub struct LkjPriors;

    parameters {
        corr_matrix[3] Omega;
        cholesky_factor_corr[3] L;
    }
    model {
        Omega ~ lkj_corr(1.5);
        L ~ lkj_corr_cholesky(3);
    }
    generated quantities {
        matrix[3, 3] Omega_L = multiply_lower_tri_self_transpose(L);
    }
}

#[test]
fn lkj_priors_have_the_known_correlation_moments() {
    // Under LKJ(eta) in dimension K, each correlation is 2 Beta(b, b) - 1 with
    // b = eta - 1 + K / 2: mean 0 and variance 1 / (2 eta + K - 1).
    let fit = Sampler::new()
        .chains(4)
        .seed(11)
        .progress(false)
        .sample(&LkjPriors::from_json_str("{}").unwrap())
        .unwrap();
    for (prefix, eta) in [("Omega", 1.5), ("Omega_L", 3.0)] {
        let var: f64 = 1.0 / (2.0 * eta + 2.0);
        for (i, j) in [(2, 1), (3, 1), (3, 2)] {
            let draws = fit.draws(&format!("{prefix}[{i},{j}]")).unwrap();
            let (m, _) = mean_sd(&draws);
            let sq: Vec<f64> = draws.iter().map(|r| r * r).collect();
            let (m2, sd2) = mean_sd(&sq);
            // 4000 draws with an effective size of at least 1000: 4 standard errors.
            let (se, se2) = (var.sqrt() / 1000f64.sqrt(), sd2 / 1000f64.sqrt());
            assert!(m.abs() < 4.0 * se, "{prefix}[{i},{j}] mean {m}");
            assert!((m2 - var).abs() < 4.0 * se2, "{prefix}[{i},{j}] E[r^2] {m2} vs {var}");
        }
    }
}
