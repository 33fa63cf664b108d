//! Arrays of matrices and containers nested more than two levels (`array[K] matrix[N, M]`,
//! `array[I, J] vector[N]`, `array[I, J, K] real`): data, parameters with their transforms,
//! locals and outputs, indexing down to any level, assignment, loops, printing and sampling.

mod common;

use common::{get, outputs};

use tilde::Model;
use tilde::gradient::fast_gradients_agree_with_dual;
use tilde::rng::{Stream, chain_rng};

tilde::model! {
    /// Nested data read from JSON, indexed at every level and copied to outputs.
    pub struct NestedData;

    data {
        int K;
        array[K] matrix[2, 3] a;
        array[2, 2, 3] real b;
        array[2, 2] vector[3] c;
        array[2] cholesky_factor_corr[2] L;
        array[2, 2, 2] int<lower=0> n;
    }
    transformed data {
        array[K] matrix[2, 3] a2 = a;
        a2[1, 2, 3] = 100;
        a2[2, 1] = [7, 8, 9];
        a2[K] = a2[1];
    }
    generated quantities {
        array[K] matrix[2, 3] a_out = a;
        array[2, 2, 3] real b_out = b;
        array[2, 2] vector[3] c_out = c;
        array[K] matrix[2, 3] a2_out = a2;
        real a_123 = a[1, 2, 3];
        real b_213 = b[2, 1, 3];
        real c_223 = c[2, 2, 3];
        real row_sum = sum(a[2, 1]);
        real col_sum = sum(to_vector(a[2]));
        real lz = sum(L[2] * transpose([1, 2]));
        int n_222 = n[2, 2, 2];
        int sizes = size(a) * 100 + size(b[1]) * 10 + size(c[1, 2]);
        int count = num_elements(b) + num_elements(a[1]) * 100;
    }
}

fn nested_data_json() -> &'static str {
    r#"{
        "K": 2,
        "a": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        "b": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        "c": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        "L": [[[1, 0], [0, 1]], [[1, 0], [0.6, 0.8]]],
        "n": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    }"#
}

#[test]
fn nested_data_is_read_indexed_and_written_like_stan() {
    let m = NestedData::from_json_str(nested_data_json()).unwrap();
    let outs = outputs(&m, &[]);
    assert_eq!(get(&outs, "a_out[1,2,3]"), 6.0);
    assert_eq!(get(&outs, "a_out[2,1,2]"), 8.0);
    assert_eq!(get(&outs, "b_out[2,2,1]"), 10.0);
    assert_eq!(get(&outs, "c_out[1,2,3]"), 6.0);
    assert_eq!(get(&outs, "a_123"), 6.0);
    assert_eq!(get(&outs, "b_213"), 9.0);
    assert_eq!(get(&outs, "c_223"), 12.0);
    assert_eq!(get(&outs, "row_sum"), 24.0);
    assert_eq!(get(&outs, "col_sum"), 57.0);
    // L[2] * [1, 2]' = [1, 0.6 + 1.6].
    assert!((get(&outs, "lz") - 3.2).abs() < 1e-12);
    assert_eq!(get(&outs, "n_222"), 8.0);
    assert_eq!(get(&outs, "sizes"), 223.0);
    assert_eq!(get(&outs, "count"), 612.0);
    // Transformed data: a2[1] with its [2, 3] entry set, copied into a2[2].
    for k in 1..=2 {
        assert_eq!(get(&outs, &format!("a2_out[{k},2,3]")), 100.0);
        assert_eq!(get(&outs, &format!("a2_out[{k},1,1]")), 1.0);
        assert_eq!(get(&outs, &format!("a2_out[{k},2,2]")), 5.0);
    }
    // Columns are Stan's: column-major over all indices, the first fastest.
    let names = m.output_names();
    let first: Vec<&str> = names.iter().take(4).map(String::as_str).collect();
    assert_eq!(first, ["a_out[1,1,1]", "a_out[2,1,1]", "a_out[1,2,1]", "a_out[2,2,1]"]);
    let values: Vec<f64> = outs.iter().take(4).map(|(_, v)| *v).collect();
    assert_eq!(values, [1.0, 7.0, 4.0, 10.0]);
}

tilde::model! {
    /// Arrays of constrained matrices and constrained vectors, and a three-level array of
    /// bounded reals, as parameters.
    pub struct NestedParams;

    parameters {
        array[2] cholesky_factor_corr[3] L;
        array[2] cov_matrix[2] S;
        array[2, 2] simplex[3] s;
        array[2, 2, 2] real<lower=0> w;
        array[2, 2] vector<offset=1, multiplier=2>[2] z;
    }
    model {
        for (k in 1:2) {
            L[k] ~ lkj_corr_cholesky(2 + k);
            S[k] ~ wishart(4, identity_matrix(2));
            for (j in 1:2) {
                s[k, j] ~ dirichlet(to_vector({1, 2, 3}));
            }
        }
        for (i in 1:2) {
            for (j in 1:2) {
                w[i, j] ~ exponential(1);
                z[i, j] ~ normal(0, 1);
            }
        }
    }
}

tilde::model! {
    /// The same model with each nested parameter spelled as separate or two-level ones, in the
    /// same order of unconstrained coordinates.
    pub struct FlatParams;

    parameters {
        cholesky_factor_corr[3] L1;
        cholesky_factor_corr[3] L2;
        cov_matrix[2] S1;
        cov_matrix[2] S2;
        array[4] simplex[3] s;
        array[4, 2] real<lower=0> w;
        array[4] vector<offset=1, multiplier=2>[2] z;
    }
    model {
        L1 ~ lkj_corr_cholesky(3);
        L2 ~ lkj_corr_cholesky(4);
        S1 ~ wishart(4, identity_matrix(2));
        S2 ~ wishart(4, identity_matrix(2));
        for (k in 1:4) {
            s[k] ~ dirichlet(to_vector({1, 2, 3}));
            w[k] ~ exponential(1);
            z[k] ~ normal(0, 1);
        }
    }
}

/// A point of `n` unconstrained coordinates, spread over (-1.2, 1.2).
fn point(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.23).collect()
}

#[test]
fn nested_parameters_have_the_density_of_the_same_parameters_unnested() {
    let nested = NestedParams::from_json_str("{}").unwrap();
    let flat = FlatParams::from_json_str("{}").unwrap();
    // 2 * 3 (cholesky_factor_corr[3]) + 2 * 3 (cov_matrix[2]) + 4 * 2 (simplex[3]) + 8 + 8.
    assert_eq!(nested.dim(), 36);
    assert_eq!(flat.dim(), 36);
    let theta = point(36);
    let mut wn = nested.new_workspace::<f64>();
    let mut wf = flat.new_workspace::<f64>();
    let a = nested.log_density(&theta, &mut wn).unwrap();
    let b = flat.log_density(&theta, &mut wf).unwrap();
    assert!(a.is_finite());
    assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
    assert_eq!(fast_gradients_agree_with_dual(&nested, &theta), Ok(true));

    // The constrained values are those of the flat model, under Stan's names.
    let on = outputs(&nested, &theta);
    let of = outputs(&flat, &theta);
    for (i, j) in [(1, 1), (2, 1), (2, 2), (3, 1), (3, 3)] {
        for k in 1..=2 {
            let n = get(&on, &format!("L[{k},{i},{j}]"));
            assert_eq!(n, get(&of, &format!("L{k}[{i},{j}]")));
        }
    }
    assert_eq!(get(&on, "L[2,3,3]"), get(&of, "L2[3,3]"));
    assert_eq!(get(&on, "S[2,1,2]"), get(&of, "S2[1,2]"));
    assert_eq!(get(&on, "s[2,1,3]"), get(&of, "s[3,3]"));
    assert_eq!(get(&on, "w[1,2,2]"), get(&of, "w[2,2]"));
    assert_eq!(get(&on, "z[2,2,1]"), get(&of, "z[4,1]"));
    // w[i,j,k] is exp of its coordinate (row-major after the 20 before it); z is 1 + 2 x.
    assert_eq!(get(&on, "w[2,1,2]"), theta[20 + 5].exp());
    assert_eq!(get(&on, "z[1,2,2]"), 1.0 + 2.0 * theta[28 + 3]);
    // Each simplex sums to one.
    let total: f64 = (1..=3).map(|k| get(&on, &format!("s[2,2,{k}]"))).sum();
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn nested_parameters_unconstrain_back_to_their_coordinates() {
    let nested = NestedParams::from_json_str("{}").unwrap();
    let theta = point(36);
    let names = nested.output_names();
    let values: Vec<f64> = outputs(&nested, &theta).into_iter().map(|(_, v)| v).collect();
    // Rebuild the constrained values as Stan JSON, nested lists outermost first.
    let at = |name: &str| values[names.iter().position(|n| n == name).unwrap()];
    let nest = |name: &str, dims: &[usize]| -> String {
        fn level(
            name: &str,
            dims: &[usize],
            idx: &mut Vec<usize>,
            at: &dyn Fn(&str) -> f64,
        ) -> String {
            if idx.len() == dims.len() {
                let i: Vec<String> = idx.iter().map(|i| i.to_string()).collect();
                return format!("{:e}", at(&format!("{name}[{}]", i.join(","))));
            }
            let mut parts = Vec::new();
            for i in 1..=dims[idx.len()] {
                idx.push(i);
                parts.push(level(name, dims, idx, at));
                idx.pop();
            }
            format!("[{}]", parts.join(","))
        }
        level(name, dims, &mut Vec::new(), &at)
    };
    let json = format!(
        r#"{{"L": {}, "S": {}, "s": {}, "w": {}, "z": {}}}"#,
        nest("L", &[2, 3, 3]),
        nest("S", &[2, 2, 2]),
        nest("s", &[2, 2, 3]),
        nest("w", &[2, 2, 2]),
        nest("z", &[2, 2, 2])
    );
    let src = tilde::data::DataSource::from_json_str(&json).unwrap();
    let back = nested.unconstrain(&src).unwrap();
    for (k, (a, b)) in back.iter().zip(&theta).enumerate() {
        assert!((a - b).abs() < 1e-9, "coordinate {k}: {a} vs {b}");
    }
    // A bad element is named by its full index.
    let bad = json.replacen("\"w\": [[[", "\"w\": [[[-", 1);
    let src = tilde::data::DataSource::from_json_str(&bad).unwrap();
    let err = nested.unconstrain(&src).unwrap_err().to_string();
    assert!(err.starts_with("w[1, 1, 1] is -"), "{err}");
    let bad = json.replacen("\"S\": [[[", "\"S\": [[[-", 1);
    let src = tilde::data::DataSource::from_json_str(&bad).unwrap();
    let err = nested.unconstrain(&src).unwrap_err().to_string();
    assert!(err.starts_with("S[1]: expected a cov_matrix, found "), "{err}");
}

#[test]
fn bad_nested_data_names_the_variable_and_full_index() {
    let json = nested_data_json();
    let err = |from: &str, to: &str| {
        let bad = json.replacen(from, to, 1);
        assert_ne!(bad, json);
        NestedData::from_json_str(&bad).unwrap_err().to_string()
    };
    // A wrong length deep inside, a value that is not a number, and broken constraints.
    assert_eq!(
        err(
            "\"a\": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]",
            "\"a\": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11]]]"
        ),
        "a: dimension 3 has size 2, expected 3 in a[2, 2]"
    );
    assert_eq!(
        err("\"c\": [[[1, 2, 3], [4, 5, 6]]", "\"c\": [[[1, 2, 3], [4, 5, true]]"),
        "c[1, 2, 3]: expected a real number, found true"
    );
    assert_eq!(
        err("[[5, 6], [7, 8]]]", "[[5, 6], [7, -8]]]"),
        "n[2, 2, 2] is -8, but must be >= 0"
    );
    assert_eq!(
        err("[[1, 0], [0.6, 0.8]]", "[[1, 0], [0.6, 0.7]]"),
        "L[2]: expected a cholesky_factor_corr, found a matrix whose row 2 has norm \
         0.9219544457292886, not 1"
    );
}

tilde::model! {
    /// Groups with their own correlation: arrays of Cholesky factors passed to distributions
    /// and functions by index, nested transformed parameters, locals and generated quantities,
    /// assignment at every level and loops over nested arrays.
    pub struct Groups;

    functions {
        real trace2(matrix m) {
            array[2] matrix[2, 2] parts;
            parts[1] = m;
            parts[2, 1] = [0, 0];
            parts[2, 2] = m[2];
            return parts[1, 1, 1] + parts[2, 2, 2];
        }
    }
    data {
        int K;
        array[K] vector[2] y;
    }
    parameters {
        array[K] cholesky_factor_corr[2] L;
        array[K] vector[2] mu;
    }
    transformed parameters {
        array[K] matrix[2, 2] Sigma;
        array[K, 2] vector[2] scaled;
        array[2, 2, 2] real<lower=0> sq;
        array[2] matrix[2, 2] mixed = {L[1], identity_matrix(2)};
        array[2] matrix[2, 2] exps;
        for (k in 1:K) {
            Sigma[k] = multiply_lower_tri_self_transpose(L[k]);
            scaled[k, 1] = L[k] * mu[k];
            scaled[k, 2] = 2 * mu[k];
        }
        exps = exp(Sigma);
        for (i in 1:2) {
            for (j in 1:2) {
                for (l in 1:2) {
                    sq[i, j, l] = square(scaled[1, i, l]) + j;
                }
            }
        }
    }
    model {
        array[K] matrix[2, 2] P = Sigma;
        for (k in 1:K) {
            y[k] ~ multi_normal_cholesky(mu[k], L[k]);
            mu[k] ~ normal(0, 1);
            L[k] ~ lkj_corr_cholesky(1);
            target += 0.05 * P[k, 2, 1];
        }
        target += 0.1 * trace2(Sigma[1]);
        target += 0.01 * exps[2, 1, 2];
    }
    generated quantities {
        array[K] matrix[2, 2] S2 = Sigma;
        array[2, 2, 2] real cube;
        real total = 0;
        int count = 0;
        for (i in 1:2) {
            for (j in 1:2) {
                for (l in 1:2) {
                    cube[i, j, l] = 100 * i + 10 * j + l;
                }
            }
        }
        for (m in S2) {
            total += trace2(m);
        }
        for (plane in cube) {
            for (row in plane) {
                for (x in row) {
                    count += 1;
                }
            }
        }
        S2[1, 1, 2] = 5;
        S2[2, 1] = [1, 2];
        cube[2] = cube[1];
        cube[1, 2] = {-1.0, -2.0};
    }
}

#[test]
fn groups_have_the_hand_computed_density_and_nested_outputs() {
    let data = r#"{"K": 2, "y": [[0.5, -1.0], [1.5, 0.25]]}"#;
    let m = Groups::from_json_str(data).unwrap();
    assert_eq!(m.dim(), 6);
    let theta = [0.3, -0.7, 0.2, -0.4, 1.1, 0.6];
    let ys = [[0.5, -1.0], [1.5, 0.25]];
    // By hand: L[k] = [[1, 0], [z, sqrt(1 - z^2)]] with z = tanh(theta[k]) and log Jacobian
    // log(1 - z^2); multi_normal_cholesky up to its constant; normal(0, 1) on mu[k] up to its
    // constant; lkj_corr_cholesky(1) in two dimensions is flat.
    let mut lp = 0.0;
    for k in 0..2 {
        let z: f64 = f64::tanh(theta[k]);
        let l22 = (1.0 - z * z).sqrt();
        let mu = [theta[2 + 2 * k], theta[3 + 2 * k]];
        let d = [ys[k][0] - mu[0], ys[k][1] - mu[1]];
        let w = [d[0], (d[1] - z * d[0]) / l22];
        lp += -l22.ln() - 0.5 * (w[0] * w[0] + w[1] * w[1]);
        lp += -0.5 * (mu[0] * mu[0] + mu[1] * mu[1]);
        lp += (1.0 - z * z).ln();
        lp += 0.05 * z;
    }
    lp += 0.01 * f64::tanh(theta[1]).exp();
    lp += 0.1 * 2.0;
    let mut ws = m.new_workspace::<f64>();
    let got = m.log_density(&theta, &mut ws).unwrap();
    assert!((got - lp).abs() < 1e-12, "{got} vs {lp}");
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));

    let outs = outputs(&m, &theta);
    let z2 = f64::tanh(theta[1]);
    assert!((get(&outs, "Sigma[2,1,2]") - z2).abs() < 1e-15);
    assert_eq!(get(&outs, "Sigma[2,2,2]"), 1.0);
    assert_eq!(get(&outs, "mixed[1,2,1]"), f64::tanh(theta[0]));
    assert_eq!(get(&outs, "mixed[2,1,1]"), 1.0);
    assert_eq!(get(&outs, "mixed[2,2,1]"), 0.0);
    // scaled[1, 2] = 2 mu[1]; scaled[2, 1] = L[2] * mu[2].
    assert_eq!(get(&outs, "scaled[1,2,2]"), 2.0 * theta[3]);
    let l22 = (1.0 - z2 * z2).sqrt();
    assert!((get(&outs, "scaled[2,1,2]") - (z2 * theta[4] + l22 * theta[5])).abs() < 1e-15);
    assert_eq!(get(&outs, "sq[2,2,1]"), (2.0 * theta[2]).powi(2) + 2.0);
    assert_eq!(get(&outs, "total"), 4.0);
    assert_eq!(get(&outs, "count"), 8.0);
    assert_eq!(get(&outs, "S2[1,1,2]"), 5.0);
    assert_eq!(get(&outs, "S2[1,2,2]"), 1.0);
    assert_eq!(get(&outs, "S2[2,1,1]"), 1.0);
    assert_eq!(get(&outs, "S2[2,1,2]"), 2.0);
    assert!((get(&outs, "S2[2,2,1]") - z2).abs() < 1e-15);
    assert_eq!(get(&outs, "cube[1,2,1]"), -1.0);
    assert_eq!(get(&outs, "cube[1,2,2]"), -2.0);
    assert_eq!(get(&outs, "cube[1,1,2]"), 112.0);
    assert_eq!(get(&outs, "cube[2,2,1]"), 121.0);
    assert_eq!(get(&outs, "cube[2,1,1]"), 111.0);
}

tilde::model! {
    /// Constraints of nested transformed parameters, checked element by element, and nested
    /// values in messages.
    pub struct NestedChecks;

    data {
        real r;
        int which;
    }
    parameters {
        real x;
    }
    transformed parameters {
        array[2] cov_matrix[2] C;
        array[2, 2] simplex[2] s;
        array[2, 1, 2] real<upper=1> u;
        for (k in 1:2) {
            C[k] = identity_matrix(2);
            for (j in 1:2) {
                s[k, j] = rep_vector(0.5, 2);
                u[k, 1, j] = 0;
            }
        }
        if (which == 1) {
            C[2, 1, 2] = r;
        } else if (which == 2) {
            s[2, 1, 1] = r;
        } else if (which == 3) {
            u[2, 1, 2] = r;
        }
    }
    model {
        x ~ normal(0, 1);
    }
    generated quantities {
        array[2, 2, 2] int cube;
        for (i in 1:2) {
            for (j in 1:2) {
                for (l in 1:2) {
                    cube[i, j, l] = 100 * i + 10 * j + l;
                }
            }
        }
        if (which == 4) {
            reject("cube = ", cube, ", C[1] = ", C[1], ", u = ", u);
        }
    }
}

#[test]
fn nested_constraints_are_checked_and_nested_values_printed() {
    let run = |r: f64, which: i32| {
        let m = NestedChecks::from_json_str(&format!(r#"{{"r": {r}, "which": {which}}}"#)).unwrap();
        let mut ws = m.new_workspace::<f64>();
        let lp = m.log_density(&[0.5], &mut ws).map_err(|e| e.to_string());
        let names = m.output_names();
        let mut out = vec![0.0; names.len()];
        let mut rng = chain_rng(1, 0, Stream::Generated);
        let gq = m.write_outputs(&[0.5], &mut ws, &mut rng, true, &mut out);
        (lp, gq.map_err(|e| e.to_string()).map(|()| names.into_iter().zip(out).collect()))
    };
    let (lp, gq) = run(0.0, 0);
    assert!(lp.is_ok());
    let outs: Vec<(String, f64)> = gq.unwrap();
    assert_eq!(get(&outs, "cube[2,1,2]"), 212.0);
    assert_eq!(get(&outs, "C[2,2,2]"), 1.0);
    assert!(run(0.0, 1).0.is_ok());
    assert_eq!(
        run(0.5, 1).0.unwrap_err(),
        "C[2] is not a valid cov_matrix: it is a matrix that is not symmetric: element [1, 2] is \
         0.5 but element [2, 1] is 0"
    );
    assert_eq!(
        run(0.7, 2).0.unwrap_err(),
        "s[2,1] is not a valid simplex: elements that sum to 1.2, but must sum to 1"
    );
    assert_eq!(run(1.5, 3).0.unwrap_err(), "u[2,1,2] is 1.5, but must be <= 1");
    assert_eq!(
        run(0.0, 4).1.unwrap_err(),
        common::in_statement(
            include_str!("nested.rs"),
            "cube = [[[111,112],[121,122]],[[211,212],[221,222]]], C[1] = [[1,0],[0,1]], u = \
             [[[0,0]],[[0,0]]]",
            r#"reject("cube = ", cube, ", C[1] = ", C[1], ", u = ", u)"#
        )
    );
}

tilde::model! {
    /// Normal means in a three-level array, each with its own observations in a four-level one.
    pub struct Cells;

    data {
        int N;
        array[2, 2, 2] vector[N] y;
    }
    parameters {
        array[2, 2, 2] real mu;
    }
    model {
        for (i in 1:2) {
            for (j in 1:2) {
                mu[i, j] ~ normal(0, 10);
                for (k in 1:2) {
                    y[i, j, k] ~ normal(mu[i, j, k], 1);
                }
            }
        }
    }
}

#[test]
fn sampled_cell_means_match_the_conjugate_posterior() {
    use tilde::sampler::Sampler;
    let n = 5;
    let value = |i: usize, j: usize, k: usize, r: usize| {
        i as f64 + 2.0 * j as f64 - 3.0 * k as f64 + 0.4 * r as f64
    };
    let mut cells = Vec::new();
    for i in 1..=2 {
        let mut js = Vec::new();
        for j in 1..=2 {
            let mut ks = Vec::new();
            for k in 1..=2 {
                let ys: Vec<String> = (1..=n).map(|r| value(i, j, k, r).to_string()).collect();
                ks.push(format!("[{}]", ys.join(",")));
            }
            js.push(format!("[{}]", ks.join(",")));
        }
        cells.push(format!("[{}]", js.join(",")));
    }
    let json = format!(r#"{{"N": {n}, "y": [{}]}}"#, cells.join(","));
    let model = Cells::from_json_str(&json).unwrap();
    let fit = Sampler::new().chains(4).seed(3).progress(false).sample(&model).unwrap();
    // Normal prior (0, 10^2) and N observations of unit variance: precision N + 1/100.
    let precision = n as f64 + 0.01;
    let sd = precision.sqrt().recip();
    for i in 1..=2 {
        for j in 1..=2 {
            for k in 1..=2 {
                let sum: f64 = (1..=n).map(|r| value(i, j, k, r)).sum();
                let exact = sum / precision;
                let draws = fit.draws(&format!("mu[{i},{j},{k}]")).unwrap();
                let m = draws.iter().sum::<f64>() / draws.len() as f64;
                let s = (draws.iter().map(|x| (x - m).powi(2)).sum::<f64>()
                    / (draws.len() - 1) as f64)
                    .sqrt();
                // 4000 draws with an effective size of at least 1000: 4 standard errors.
                assert!((m - exact).abs() < 4.0 * sd / 1000f64.sqrt(), "mu[{i},{j},{k}] {m}");
                assert!((s / sd - 1.0).abs() < 0.1, "mu[{i},{j},{k}] sd {s} vs {sd}");
            }
        }
    }
}

tilde::model! {
    /// Ranges of the outer level of nested arrays, and rows, columns and blocks of the
    /// matrices in an array.
    pub struct NestedParts;

    data {
        array[3] matrix[2, 3] a;
        array[3, 2] vector[2] v;
    }
    generated quantities {
        array[2] matrix[2, 3] mid = a[2:3];
        array[3] matrix[2, 3] shifted = a;
        array[2, 2] vector[2] tail_v = v[2:];
        row_vector[2] part = a[1, 2, 2:3];
        vector[2] col = a[3, :, 2];
        matrix[2, 2] block = a[2, :, 2:3];
        real total = 0;
        int n = size(a[:2]);
        array[3] int da = dims(a);
        array[2] int dv1 = dims(v[1]);
        array[1] int dv11 = dims(v[1, 1]);
        int d0 = size(dims(1.5));
        array[2] matrix[2, 3] picked = a[{3, 1}];
        real picked_entry = a[{3, 1}][2, 1, 3];
        int picked_size = size(a[{1, 1, 2, 2}]);
        array[2] matrix[2, 3] lit = {a[3], a[1] * 2};
        array[1, 2] vector[2] lit2 = {{v[1, 1], v[3, 2]}};
        array[3] matrix[2, 3] chosen = n > 1 ? a[{3, 2, 1}] : a;
        array[3] matrix[2, 3] other = n > 5 ? a[{3, 2, 1}] : a;
        array[3] matrix[2, 3] logs = log(a);
        array[3, 2] vector[2] roots = sqrt(v);
        shifted[2:3] = a[1:2];
        shifted = shifted[1:3];
        for (m in a[2:3]) {
            total += sum(m[2]);
        }
    }
}

#[test]
fn ranges_of_nested_arrays_and_parts_of_their_matrices() {
    let a = "[[[1,2,3],[4,5,6]],[[7,8,9],[10,11,12]],[[13,14,15],[16,17,18]]]";
    let v = "[[[1,2],[3,4]],[[5,6],[7,8]],[[9,10],[11,12]]]";
    let m = NestedParts::from_json_str(&format!(r#"{{"a": {a}, "v": {v}}}"#)).unwrap();
    let outs = outputs(&m, &[]);
    assert_eq!(get(&outs, "mid[1,2,3]"), 12.0);
    assert_eq!(get(&outs, "mid[2,1,1]"), 13.0);
    assert_eq!(get(&outs, "tail_v[2,1,2]"), 10.0);
    assert_eq!(get(&outs, "part[1]"), 5.0);
    assert_eq!(get(&outs, "part[2]"), 6.0);
    assert_eq!(get(&outs, "col[1]"), 14.0);
    assert_eq!(get(&outs, "col[2]"), 17.0);
    assert_eq!(get(&outs, "block[1,1]"), 8.0);
    assert_eq!(get(&outs, "block[2,2]"), 12.0);
    assert_eq!(get(&outs, "n"), 2.0);
    let da: Vec<f64> = (1..=3).map(|i| get(&outs, &format!("da[{i}]"))).collect();
    assert_eq!(da, [3.0, 2.0, 3.0]);
    assert_eq!([get(&outs, "dv1[1]"), get(&outs, "dv1[2]")], [2.0, 2.0]);
    assert_eq!(get(&outs, "dv11[1]"), 2.0);
    assert_eq!(get(&outs, "d0"), 0.0);
    assert_eq!(get(&outs, "picked[1,2,1]"), 16.0);
    assert_eq!(get(&outs, "picked[2,1,3]"), 3.0);
    assert_eq!(get(&outs, "picked_entry"), 3.0);
    assert_eq!(get(&outs, "picked_size"), 4.0);
    assert_eq!(get(&outs, "lit[1,2,3]"), 18.0);
    assert_eq!(get(&outs, "lit[2,2,3]"), 12.0);
    assert_eq!(get(&outs, "lit2[1,2,1]"), 11.0);
    assert_eq!(get(&outs, "chosen[1,1,2]"), 14.0);
    assert_eq!(get(&outs, "other[1,1,2]"), 2.0);
    assert_eq!(get(&outs, "logs[3,2,1]"), 16f64.ln());
    assert_eq!(get(&outs, "roots[3,1,2]"), 10f64.sqrt());
    // shifted[2:3] = a[1:2] through a copy, then shifted assigned a view of itself.
    assert_eq!(get(&outs, "shifted[1,1,1]"), 1.0);
    assert_eq!(get(&outs, "shifted[2,1,1]"), 1.0);
    assert_eq!(get(&outs, "shifted[3,2,3]"), 12.0);
    assert_eq!(get(&outs, "total"), 10.0 + 11.0 + 12.0 + 16.0 + 17.0 + 18.0);
}

tilde::model! {
    /// User-defined functions taking and returning containers nested more than two levels,
    /// called with data and with parameters.
    pub struct NestedFunctions;

    functions {
        array[] matrix scaled(array[] matrix ms, real c) {
            array[size(ms)] matrix[2, 2] out;
            for (k in 1:size(ms)) {
                out[k] = c * ms[k];
            }
            return out;
        }
        real corner_sum(array[,] vector xs) {
            real total = 0;
            for (i in 1:size(xs)) {
                for (j in 1:size(xs[i])) {
                    total += xs[i, j, 1];
                }
            }
            return total;
        }
        array[,,] real cube(real x) {
            array[2, 1, 2] real out;
            out[1, 1] = {x, 2 * x};
            out[2, 1] = {3 * x, 4 * x};
            return out;
        }
    }
    data {
        array[2] matrix[2, 2] m;
        array[2, 2] vector[2] v;
    }
    parameters {
        real<lower=0> c;
    }
    transformed parameters {
        array[2] matrix[2, 2] sm = scaled(m, c);
        real corners = corner_sum(v);
        array[2, 1, 2] real cb = cube(c);
    }
    model {
        target += -c + sm[2, 1, 2] + cube(c)[2, 1, 2];
    }
}

#[test]
fn functions_take_and_return_nested_containers() {
    let data = r#"{"m": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
        "v": [[[1, 10], [2, 20]], [[3, 30], [4, 40]]]}"#;
    let m = NestedFunctions::from_json_str(data).unwrap();
    let theta = [0.4f64];
    let c = theta[0].exp();
    // -c + 6 c + 4 c, and the log Jacobian of the lower bound, theta.
    let mut ws = m.new_workspace::<f64>();
    let lp = m.log_density(&theta, &mut ws).unwrap();
    assert!((lp - (9.0 * c + theta[0])).abs() < 1e-12, "{lp}");
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));
    let outs = outputs(&m, &theta);
    assert!((get(&outs, "sm[2,2,1]") - 7.0 * c).abs() < 1e-12);
    assert_eq!(get(&outs, "corners"), 10.0);
    assert!((get(&outs, "cb[2,1,1]") - 3.0 * c).abs() < 1e-12);
}

tilde::model! {
    /// The nested program of the macro's fuzzing corpus, compiled for real.
    pub struct Corpus;

    functions {
        array[] matrix twice(array[] matrix a) {
            return a;
        }
    }
    data {
        int K;
        array[K] matrix[2, 2] a;
        array[2, 2, K] real b;
        array[K] int idx;
    }
    parameters {
        array[K] cholesky_factor_corr[2] L;
        array[2, K] vector[2] z;
    }
    transformed parameters {
        array[K] matrix[2, 2] S = twice(a);
        S[1] = L[1];
        S[2:] = a[2:];
        S[1, 2, 1] = 0;
        S[1, 2] = [1, 2];
    }
    model {
        for (k in 1:K) {
            z[1, k] ~ multi_normal_cholesky(z[2, k], L[k]);
        }
    }
    generated quantities {
        array[K] matrix[2, 2] c = {a[1], a[2] * 2};
        real t = 0;
        array[K] matrix[2, 2] d = K > 1 ? a[idx] : exp(a);
        array[3] int n = dims(a);
        for (m in a) {
            t += sum(m[1]);
        }
    }
}

#[test]
fn the_fuzzing_corpus_program_runs() {
    let data = r#"{"K": 2, "a": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
        "b": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], "idx": [2, 1]}"#;
    let m = Corpus::from_json_str(data).unwrap();
    assert_eq!(m.dim(), 2 + 8);
    let theta = point(10);
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));
    let outs = outputs(&m, &theta);
    assert_eq!(get(&outs, "S[1,2,1]"), 1.0);
    assert_eq!(get(&outs, "S[1,1,2]"), 0.0);
    assert_eq!(get(&outs, "S[2,2,1]"), 7.0);
    assert_eq!(get(&outs, "c[2,2,2]"), 16.0);
    assert_eq!(get(&outs, "d[1,1,1]"), 5.0);
    assert_eq!(get(&outs, "n[2]"), 2.0);
    assert_eq!(get(&outs, "t"), 1.0 + 2.0 + 5.0 + 6.0);
}
