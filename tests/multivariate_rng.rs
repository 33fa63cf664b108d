//! The `_rng` of the multivariate and ordinal families through the whole pipeline: a model
//! whose generated quantities (and transformed data, and a `_rng` function) call each of them,
//! with the shapes of its outputs, the invariants of each draw (a Dirichlet draw sums to 1, an
//! LKJ draw has a unit diagonal), the averages of many draws, and Stan's argument errors.

mod common;

use tilde::Model;
use tilde::rng::{Stream, chain_rng};

tilde::model! {
    /// Every multivariate and ordinal draw.
    pub struct Draws;

    functions {
        vector correlated_rng(vector mu, matrix L) {
            return multi_normal_cholesky_rng(mu, L);
        }
    }
    data {
        simplex[3] theta;
        matrix[2, 2] Sigma;
        array[2] vector[2] locs;
    }
    transformed data {
        vector[3] td_draw = dirichlet_rng(rep_vector(1, 3));
    }
    parameters {
        vector[2] mu;
    }
    model {
        mu ~ normal(0, 1);
    }
    generated quantities {
        int cat = categorical_rng(theta);
        int cat_logit = categorical_logit_rng(log(theta) + 2);
        int ol = ordered_logistic_rng(0.5, transpose([-1, 1]));
        int op = ordered_probit_rng(mu[1], transpose([-1, 0, 1]));
        array[3] int counts = multinomial_rng(theta, 20);
        vector[3] dir = dirichlet_rng(theta * 10);
        real dir_sum = sum(dirichlet_rng(rep_vector(0.5, 4)));
        vector[2] mvn = multi_normal_rng(mu, Sigma);
        vector[2] mvn_row = multi_normal_rng(transpose(mu), Sigma);
        vector[2] mvnc = multi_normal_cholesky_rng(mu, cholesky_decompose(Sigma));
        vector[2] mvnc_fn = correlated_rng(mu, cholesky_decompose(Sigma));
        vector[2] mst = multi_student_t_rng(5, mu, Sigma);
        matrix[3, 3] R = lkj_corr_rng(3, 2.0);
        matrix[3, 3] LR = lkj_corr_cholesky_rng(3, 1);
        matrix[2, 2] W = wishart_rng(4.0, Sigma);
        matrix[2, 2] IW = inv_wishart_rng(6, Sigma);
        vector[3] td = td_draw;
        array[2] vector[2] mvn_arr = multi_normal_rng(locs, Sigma);
        array[2] vector[2] mvnc_arr = multi_normal_cholesky_rng(locs, cholesky_decompose(Sigma));
        array[2] vector[2] mst_arr = multi_student_t_rng(5, locs, Sigma);
    }
}

const DATA: &str = r#"{"theta": [0.2, 0.5, 0.3], "Sigma": [[2, 0.6], [0.6, 1]],
    "locs": [[1, -0.5], [-3, 2]]}"#;
const LOCS: [[f64; 2]; 2] = [[1.0, -0.5], [-3.0, 2.0]];
const MU: [f64; 2] = [1.0, -0.5];
const SIGMA: [[f64; 2]; 2] = [[2.0, 0.6], [0.6, 1.0]];

/// Runs `write_outputs` `n` times at `mu = MU` with one generator, returning each run's
/// outputs by name.
fn runs(model: &Draws, n: usize) -> (Vec<String>, Vec<Vec<f64>>) {
    let names = model.output_names();
    let mut ws = model.new_workspace::<f64>();
    let mut rng = chain_rng(7, 0, Stream::Generated);
    let runs = (0..n)
        .map(|_| {
            let mut out = vec![0.0; names.len()];
            model.write_outputs(&MU, &mut ws, &mut rng, true, &mut out).unwrap();
            out
        })
        .collect();
    (names, runs)
}

fn at(names: &[String], out: &[f64], name: &str) -> f64 {
    let i = names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no output {name}"));
    out[i]
}

#[test]
fn every_draw_has_its_shape_and_invariants() {
    let model = Draws::from_json_str(DATA).unwrap();
    let (names, runs) = runs(&model, 200);
    for name in ["counts[3]", "dir[3]", "mvn_row[2]", "mst[2]", "R[3,3]", "LR[3,1]", "IW[2,2]"] {
        assert!(names.iter().any(|n| n == name), "no output {name}");
    }
    assert!(!names.iter().any(|n| n == "counts[4]" || n == "R[4,1]"));
    for out in &runs {
        let get = |name: &str| at(&names, out, name);
        for name in ["cat", "cat_logit", "ol"] {
            assert!([1.0, 2.0, 3.0].contains(&get(name)), "{name} = {}", get(name));
        }
        assert!((1.0..=4.0).contains(&get("op")) && get("op").fract() == 0.0);
        let counts: Vec<f64> = (1..=3).map(|i| get(&format!("counts[{i}]"))).collect();
        assert!(counts.iter().all(|&c| c >= 0.0 && c.fract() == 0.0));
        assert_eq!(counts.iter().sum::<f64>(), 20.0);
        let dir: f64 = (1..=3).map(|i| get(&format!("dir[{i}]"))).sum();
        assert!((dir - 1.0).abs() < 1e-12 && (get("dir_sum") - 1.0).abs() < 1e-12);
        let td: f64 = (1..=3).map(|i| get(&format!("td[{i}]"))).sum();
        assert!((td - 1.0).abs() < 1e-12);
        for i in 1..=3 {
            assert_eq!(get(&format!("R[{i},{i}]")), 1.0);
            let len: f64 = (1..=3).map(|j| get(&format!("LR[{i},{j}]")).powi(2)).sum();
            assert!((len - 1.0).abs() < 1e-12);
            for j in 1..=3 {
                let r = get(&format!("R[{i},{j}]"));
                assert!(r.abs() <= 1.0 && r == get(&format!("R[{j},{i}]")));
                if j > i {
                    assert_eq!(get(&format!("LR[{i},{j}]")), 0.0);
                }
            }
        }
        for m in ["W", "IW"] {
            let (a, b, d) =
                (get(&format!("{m}[1,1]")), get(&format!("{m}[1,2]")), get(&format!("{m}[2,2]")));
            assert_eq!(b, get(&format!("{m}[2,1]")));
            assert!(a > 0.0 && d > 0.0 && a * d - b * b > 0.0, "{m} is not positive definite");
        }
    }
    // The transformed data draw is made once: every run shows the same one.
    assert!(runs.iter().all(|o| at(&names, o, "td[1]") == at(&names, &runs[0], "td[1]")));
}

#[test]
fn averages_of_many_draws_match_the_means() {
    let model = Draws::from_json_str(DATA).unwrap();
    let n = 4000;
    let (names, runs) = runs(&model, n);
    let mean = |name: &str| runs.iter().map(|o| at(&names, o, name)).sum::<f64>() / n as f64;
    // Five standard errors of a mean of `n` draws with variance `var`.
    let close = |name: &str, want: f64, var: f64| {
        let m = mean(name);
        assert!((m - want).abs() <= 5.0 * (var / n as f64).sqrt(), "{name}: mean {m}, want {want}");
    };
    for (i, v) in [(1, 2.0), (2, 1.0)] {
        for name in ["mvn", "mvn_row", "mvnc", "mvnc_fn"] {
            close(&format!("{name}[{i}]"), MU[i - 1], v);
        }
        close(&format!("mst[{i}]"), MU[i - 1], v * 5.0 / 3.0);
        // One draw per location of the array forms.
        for (k, loc) in LOCS.iter().enumerate() {
            close(&format!("mvn_arr[{},{i}]", k + 1), loc[i - 1], v);
            close(&format!("mvnc_arr[{},{i}]", k + 1), loc[i - 1], v);
            close(&format!("mst_arr[{},{i}]", k + 1), loc[i - 1], v * 5.0 / 3.0);
        }
    }
    // Categories 1, 2, 3 with probabilities 0.2, 0.5, 0.3: mean 2.1, variance 0.49.
    close("cat", 2.1, 0.49);
    close("cat_logit", 2.1, 0.49);
    close("counts[2]", 10.0, 5.0);
    close("dir[1]", 0.2, 0.2 * 0.8 / 11.0);
    // W ~ Wishart(4, Sigma): E W = 4 Sigma, Var W_ij = 4 (Sigma_ij^2 + Sigma_ii Sigma_jj).
    let s = SIGMA;
    close("W[1,1]", 4.0 * s[0][0], 4.0 * 2.0 * s[0][0] * s[0][0]);
    close("W[1,2]", 4.0 * s[0][1], 4.0 * (s[0][1] * s[0][1] + s[0][0] * s[1][1]));
    // IW ~ inv_wishart(6, Sigma): E IW = Sigma / (6 - 2 - 1); the variance of entry (1, 1) is
    // (5 + 3) Sigma_11^2 / (4 3^2 1).
    close("IW[1,1]", s[0][0] / 3.0, 8.0 * s[0][0] * s[0][0] / 36.0);
}

#[test]
fn invalid_arguments_are_stan_errors() {
    let data = r#"{"theta": [0.2, 0.5, 0.3], "Sigma": [[1, 2], [2, 1]], "locs": [[0, 0], [0, 0]]}"#;
    let model = Draws::from_json_str(data).unwrap();
    let mut out = vec![0.0; model.output_names().len()];
    let mut ws = model.new_workspace::<f64>();
    let mut rng = chain_rng(7, 0, Stream::Generated);
    let err = model.write_outputs(&MU, &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(
        err.message(),
        common::in_statement(
            include_str!("multivariate_rng.rs"),
            "multi_normal_rng: Covariance matrix is not positive definite.",
            "vector[2] mvn = multi_normal_rng(mu, Sigma)"
        )
    );
}
