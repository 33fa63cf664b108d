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
    let err = poisson_log_rng(f64::NAN, &mut rng).unwrap_err();
    assert_eq!(err.message(), "poisson_log_rng: Log rate parameter is nan, but must be not nan!");
    let err = poisson_log_rng(25.0, &mut rng).unwrap_err();
    assert_eq!(
        err.message(),
        "poisson_log_rng: Log rate parameter is 25, but must be less than 30 log(2)!"
    );
    let err = poisson_rng(f64::NAN, &mut rng).unwrap_err();
    assert_eq!(err.message(), "poisson_rng: Rate parameter is nan, but must be not nan!");
    // A gamma draw too large for an int is named by the generator that drew it.
    let err = neg_binomial_2_rng(1e12, 1e6, &mut rng).unwrap_err();
    assert!(
        err.message().starts_with(
            "neg_binomial_2_rng: Random number that came from gamma distribution is 1"
        ),
        "{}",
        err.message()
    );
    let err = neg_binomial_2_log_rng(40.0, 1e6, &mut rng).unwrap_err();
    assert!(err.message().starts_with("neg_binomial_2_log_rng: Random number"), "{err}");
}

// Multivariate and ordinal draws: the sample mean and covariance of `N` draws against the
// known moments, each within five Monte Carlo standard errors estimated from the draws (the
// standard deviation of the products that make a covariance, over `sqrt(N)`).

use tilde_runtime::math::{Data, Phi, inv_logit};

/// `N` draws of a vector from `draw`, with a fixed seed.
fn draws(mut draw: impl FnMut(&mut ChainRng) -> Vec<f64>) -> Vec<Vec<f64>> {
    let mut rng = chain_rng(20240612, 0, Stream::Generated);
    (0..N).map(|_| draw(&mut rng)).collect()
}

/// Checks the sample mean and covariance of `xs` against `mean` and `cov`.
fn check_moments(label: &str, xs: &[Vec<f64>], mean: &[f64], cov: &[Vec<f64>]) {
    let k = mean.len();
    let n = xs.len() as f64;
    let m: Vec<f64> = (0..k).map(|i| xs.iter().map(|x| x[i]).sum::<f64>() / n).collect();
    for i in 0..k {
        let se = (cov[i][i] / n).sqrt();
        assert!(
            (m[i] - mean[i]).abs() <= 5.0 * se,
            "{label}: mean[{i}] {}, want {}",
            m[i],
            mean[i]
        );
    }
    for i in 0..k {
        for j in 0..=i {
            let p: Vec<f64> = xs.iter().map(|x| (x[i] - m[i]) * (x[j] - m[j])).collect();
            let c = p.iter().sum::<f64>() / (n - 1.0);
            let sd = (p.iter().map(|v| (v - c) * (v - c)).sum::<f64>() / (n - 1.0)).sqrt();
            let se = sd / n.sqrt();
            assert!(
                (c - cov[i][j]).abs() <= 5.0 * se,
                "{label}: cov[{i},{j}] {c}, want {} (se {se})",
                cov[i][j]
            );
        }
    }
}

/// The covariance of one draw of a categorical variable with probabilities `p`, as indicators.
fn indicator_cov(p: &[f64], trials: f64) -> Vec<Vec<f64>> {
    let k = p.len();
    (0..k)
        .map(|i| {
            (0..k)
                .map(|j| trials * if i == j { p[i] * (1.0 - p[i]) } else { -p[i] * p[j] })
                .collect()
        })
        .collect()
}

/// A category (1-based) as a vector of indicators.
fn one_hot(k: i64, n: usize) -> Vec<f64> {
    (1..=n).map(|c| if c as i64 == k { 1.0 } else { 0.0 }).collect()
}

#[test]
fn categorical_and_ordinal_frequencies() {
    let p = [0.2, 0.5, 0.3];
    let xs = draws(|r| one_hot(categorical_rng::<f64>(Data(&p[..]), r).unwrap(), 3));
    check_moments("categorical", &xs, &p, &indicator_cov(&p, 1.0));
    let beta: Vec<f64> = p.iter().map(|x| x.ln() + 3.0).collect();
    let xs = draws(|r| one_hot(categorical_logit_rng::<f64>(Data(&beta[..]), r).unwrap(), 3));
    check_moments("categorical_logit", &xs, &p, &indicator_cov(&p, 1.0));

    let (eta, c) = (0.5, [-1.0, 0.8]);
    let upper = |f: &dyn Fn(f64) -> f64| [1.0 - f(eta - c[0]), f(eta - c[0]) - f(eta - c[1])];
    let logistic = upper(&|x| inv_logit(x));
    let p = [logistic[0], logistic[1], 1.0 - logistic[0] - logistic[1]];
    let xs =
        draws(|r| one_hot(ordered_logistic_rng::<f64>(Data(eta), Data(&c[..]), r).unwrap(), 3));
    check_moments("ordered_logistic", &xs, &p, &indicator_cov(&p, 1.0));
    let probit = upper(&|x| Phi(x));
    let p = [probit[0], probit[1], 1.0 - probit[0] - probit[1]];
    let xs = draws(|r| one_hot(ordered_probit_rng::<f64>(Data(eta), Data(&c[..]), r).unwrap(), 3));
    check_moments("ordered_probit", &xs, &p, &indicator_cov(&p, 1.0));
}

#[test]
fn multinomial_and_dirichlet_moments() {
    let p = [0.2, 0.5, 0.3];
    let mut counts = Vec::new();
    let xs = draws(|r| {
        multinomial_rng::<f64>(&mut counts, Data(&p[..]), 10, r).unwrap();
        assert_eq!(counts.iter().sum::<i64>(), 10);
        counts.iter().map(|&c| c as f64).collect()
    });
    let mean: Vec<f64> = p.iter().map(|x| 10.0 * x).collect();
    check_moments("multinomial", &xs, &mean, &indicator_cov(&p, 10.0));

    for alpha in [[2.0, 3.0, 5.0], [0.1, 0.2, 0.3]] {
        let a0: f64 = alpha.iter().sum();
        let mut out = Vec::new();
        let xs = draws(|r| {
            dirichlet_rng::<f64>(&mut out, Data(&alpha[..]), r).unwrap();
            assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{out:?}");
            out.clone()
        });
        let mean: Vec<f64> = alpha.iter().map(|a| a / a0).collect();
        let cov: Vec<Vec<f64>> = (0..3)
            .map(|i| {
                (0..3)
                    .map(|j| {
                        let d = if i == j { mean[i] } else { 0.0 };
                        (d - mean[i] * mean[j]) / (a0 + 1.0)
                    })
                    .collect()
            })
            .collect();
        check_moments(&format!("dirichlet {alpha:?}"), &xs, &mean, &cov);
    }
}

const SIGMA: [[f64; 2]; 2] = [[2.0, 0.6], [0.6, 1.0]];

fn sigma() -> Vec<Vec<f64>> {
    SIGMA.iter().map(|r| r.to_vec()).collect()
}

#[test]
fn multi_normal_and_student_t_moments() {
    let (mu, s) = ([1.0, -1.0], sigma());
    let mut out = Vec::new();
    let xs = draws(|r| {
        multi_normal_rng::<f64>(&mut out, Data(&mu[..]), Data(&s[..]), r).unwrap();
        out.clone()
    });
    check_moments("multi_normal", &xs, &mu, &s);

    let l11 = 2.0f64.sqrt();
    let l = [vec![l11, 0.0], vec![0.6 / l11, (1.0 - 0.36 / 2.0f64).sqrt()]];
    let xs = draws(|r| {
        multi_normal_cholesky_rng::<f64>(&mut out, Data(&mu[..]), Data(&l[..]), r).unwrap();
        out.clone()
    });
    check_moments("multi_normal_cholesky", &xs, &mu, &s);

    let nu = 6.0;
    let xs = draws(|r| {
        multi_student_t_rng::<f64>(&mut out, Data(nu), Data(&mu[..]), Data(&s[..]), r).unwrap();
        out.clone()
    });
    let cov: Vec<Vec<f64>> =
        s.iter().map(|row| row.iter().map(|x| x * nu / (nu - 2.0)).collect()).collect();
    check_moments("multi_student_t", &xs, &mu, &cov);
}

#[test]
fn lkj_moments() {
    // Each correlation of an LKJ(eta) K x K draw is 2 Beta(b, b) - 1 with
    // b = eta - 1 + K / 2: mean 0, variance 1 / (2 b + 1).
    let (k, eta) = (3usize, 2.0);
    let var = 1.0 / (2.0 * (eta - 1.0 + k as f64 / 2.0) + 1.0);
    let mut out = Vec::new();
    let xs = draws(|r| {
        lkj_corr_rng::<f64>(&mut out, k as i64, Data(eta), r).unwrap();
        for (i, row) in out.iter().enumerate() {
            assert_eq!(row[i], 1.0);
            for (j, x) in row.iter().enumerate() {
                assert_eq!(*x, out[j][i]);
            }
        }
        vec![out[1][0], out[2][0], out[2][1]]
    });
    // The correlations are dependent, so only their means and variances are checked.
    for i in 0..3 {
        let one: Vec<Vec<f64>> = xs.iter().map(|x| vec![x[i]]).collect();
        check_moments("lkj_corr", &one, &[0.0], &[vec![var]]);
    }

    let xs = draws(|r| {
        lkj_corr_cholesky_rng::<f64>(&mut out, k as i64, Data(eta), r).unwrap();
        for i in 0..k {
            let len: f64 = out[i].iter().map(|x| x * x).sum();
            assert!((len - 1.0).abs() < 1e-12, "row {i} of L has squared length {len}");
            assert!(out[i][i] > 0.0 && out[i][i + 1..].iter().all(|&x| x == 0.0));
        }
        let dot = |a: usize, b: usize| (0..k).map(|c| out[a][c] * out[b][c]).sum::<f64>();
        vec![dot(1, 0), dot(2, 0), dot(2, 1)]
    });
    for i in 0..3 {
        let one: Vec<Vec<f64>> = xs.iter().map(|x| vec![x[i]]).collect();
        check_moments("lkj_corr_cholesky", &one, &[0.0], &[vec![var]]);
    }
}

#[test]
fn wishart_moments() {
    // Entries (1,1), (2,1), (2,2) of the draws.
    let pick = |w: &[Vec<f64>]| vec![w[0][0], w[1][0], w[1][1]];
    let s = sigma();
    let nu = 5.0;
    let mut out = Vec::new();
    let xs = draws(|r| {
        wishart_rng::<f64>(&mut out, Data(nu), Data(&s[..]), r).unwrap();
        assert_eq!(out[0][1], out[1][0]);
        pick(&out)
    });
    let mean: Vec<f64> = pick(&s).iter().map(|x| nu * x).collect();
    // Cov(W_ij, W_kl) = nu (S_ik S_jl + S_il S_jk).
    let idx = [(0, 0), (1, 0), (1, 1)];
    let cov: Vec<Vec<f64>> = idx
        .iter()
        .map(|&(i, j)| {
            idx.iter().map(|&(k, l)| nu * (s[i][k] * s[j][l] + s[i][l] * s[j][k])).collect()
        })
        .collect();
    check_moments("wishart", &xs, &mean, &cov);

    // Inverse Wishart, p = 2: mean S / (nu - p - 1) and the variances of its entries
    // ((nu - p + 1) S_ij^2 + (nu - p - 1) S_ii S_jj) / ((nu - p)(nu - p - 1)^2 (nu - p - 3)).
    let nu = 9.0;
    let xs = draws(|r| {
        inv_wishart_rng::<f64>(&mut out, Data(nu), Data(&s[..]), r).unwrap();
        assert_eq!(out[0][1], out[1][0]);
        pick(&out)
    });
    let d = nu - 2.0;
    let var = |i: usize, j: usize| {
        ((d + 1.0) * s[i][j] * s[i][j] + (d - 1.0) * s[i][i] * s[j][j])
            / (d * (d - 1.0) * (d - 1.0) * (d - 3.0))
    };
    for (c, &(i, j)) in idx.iter().enumerate() {
        let one: Vec<Vec<f64>> = xs.iter().map(|x| vec![x[c]]).collect();
        check_moments("inv_wishart", &one, &[s[i][j] / (d - 1.0)], &[vec![var(i, j)]]);
    }
}

#[test]
fn multivariate_rngs_reject_invalid_arguments() {
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let r = &mut rng;
    let message = |e: tilde_runtime::ModelError| e.message().into_owned();
    let p = [0.5, 0.6];
    assert_eq!(
        message(categorical_rng::<f64>(Data(&p[..]), r).unwrap_err()),
        "categorical_rng: Probabilities parameter is not a valid simplex. \
         sum(Probabilities parameter) = 1.1, but should be 1"
    );
    let p = [1.2, -0.2];
    assert_eq!(
        message(multinomial_rng::<f64>(&mut Vec::new(), Data(&p[..]), 3, r).unwrap_err()),
        "multinomial_rng: Probabilities parameter is not a valid simplex. \
         Probabilities parameter[2] = -0.2, but should be greater than or equal to 0"
    );
    let c = [1.0, 0.5];
    assert_eq!(
        message(ordered_logistic_rng::<f64>(Data(0.0), Data(&c[..]), r).unwrap_err()),
        "ordered_logistic_rng: Cut-points is not a valid ordered vector. The element at 2 is \
         0.5, but should be greater than the previous element, 1"
    );
    let a = [1.0, 0.0];
    assert_eq!(
        message(dirichlet_rng::<f64>(&mut Vec::new(), Data(&a[..]), r).unwrap_err()),
        "dirichlet_rng: prior sample sizes[2] is 0, but must be positive finite!"
    );
    let mu = [0.0, 0.0];
    let asym = [vec![1.0, 0.5], vec![0.4, 1.0]];
    assert_eq!(
        message(
            multi_normal_rng::<f64>(&mut Vec::new(), Data(&mu[..]), Data(&asym[..]), r)
                .unwrap_err()
        ),
        "multi_normal_rng: Covariance matrix is not symmetric. Covariance matrix[1,2] = 0.5, \
         but Covariance matrix[2,1] = 0.4"
    );
    let indefinite = [vec![1.0, 2.0], vec![2.0, 1.0]];
    assert_eq!(
        message(
            multi_student_t_rng::<f64>(
                &mut Vec::new(),
                Data(3.0),
                Data(&mu[..]),
                Data(&indefinite[..]),
                r
            )
            .unwrap_err()
        ),
        "multi_student_t_rng: Scale parameter is not positive definite."
    );
    assert_eq!(
        message(lkj_corr_rng::<f64>(&mut Vec::new(), -1, Data(1.0), r).unwrap_err()),
        "lkj_corr_rng: Number of rows and columns K is -1, but must be nonnegative!"
    );
    assert_eq!(
        message(lkj_corr_cholesky_rng::<f64>(&mut Vec::new(), 3, Data(0.0), r).unwrap_err()),
        "lkj_corr_cholesky_rng: Shape parameter is 0, but must be positive!"
    );
    let s = sigma();
    assert_eq!(
        message(wishart_rng::<f64>(&mut Vec::new(), Data(1.0), Data(&s[..]), r).unwrap_err()),
        "wishart_rng: degrees of freedom > dims - 1 is 1, but must be greater than 1"
    );
    assert_eq!(
        message(
            inv_wishart_rng::<f64>(&mut Vec::new(), Data(4.0), Data(&indefinite[..]), r)
                .unwrap_err()
        ),
        "inv_wishart_rng: scale parameter is not positive definite."
    );
}
