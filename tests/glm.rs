//! The generalised linear models through `model!`: each GLM density against the same density
//! written out with `alpha + x * beta`, in value and gradient, by both gradient methods; and
//! the size errors.

use tilde::LogDensity;
use tilde::Model;
use tilde::gradient::{GradientEvaluator, Method};

tilde::model! {
    /// The three GLMs, each beside its written-out form, weighted by `which`.
    pub struct Glms;

    data {
        int N;
        int K;
        matrix[N, K] X;
        vector[N] y;
        array[N] int b;
        array[N] int c;
        int written;
    }
    parameters {
        real alpha;
        vector[K] beta;
        real<lower=0> sigma;
    }
    model {
        if (written) {
            target += normal_lpdf(y | alpha + X * beta, sigma);
            target += bernoulli_logit_lpmf(b | alpha + X * beta);
            target += poisson_log_lpmf(c | alpha + X * beta);
            y ~ normal(alpha + X * beta, sigma);
            b ~ bernoulli_logit(alpha + X * beta);
            c ~ poisson_log(alpha + X * beta);
        } else {
            target += normal_id_glm_lpdf(y | X, alpha, beta, sigma);
            target += bernoulli_logit_glm_lpmf(b | X, alpha, beta);
            target += poisson_log_glm_lpmf(c | X, alpha, beta);
            y ~ normal_id_glm(X, alpha, beta, sigma);
            b ~ bernoulli_logit_glm(X, alpha, beta);
            c ~ poisson_log_glm(X, alpha, beta);
        }
    }
}

fn data(written: bool, n: usize, k: usize) -> String {
    let x: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..k).map(|j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0).collect())
        .collect();
    let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let b: Vec<i64> = (0..n).map(|i| (i % 3 == 0) as i64).collect();
    let c: Vec<i64> = (0..n).map(|i| (i % 5) as i64).collect();
    format!(
        r#"{{"N": {n}, "K": {k}, "X": {x:?}, "y": {y:?}, "b": {b:?}, "c": {c:?},
            "written": {}}}"#,
        written as i32
    )
}

#[test]
fn each_glm_equals_its_written_out_form_in_value_and_gradient() {
    // The passes take rows sixteen at a time and columns sixteen, four and one at a time:
    // these sizes have partial blocks of rows and every width of columns.
    for (n, k) in [(9, 3), (37, 21), (16, 16)] {
        let glm = Glms::from_json_str(&data(false, n, k)).unwrap();
        let written = Glms::from_json_str(&data(true, n, k)).unwrap();
        for method in [Method::Reverse, Method::Dual { width: 4 }] {
            let mut a = GradientEvaluator::with_method(&glm, method);
            let mut b = GradientEvaluator::with_method(&written, method);
            for scale in [0.1, 0.4] {
                let theta: Vec<f64> =
                    (0..k + 2).map(|i| scale * (((i * 5) % 7) as f64 - 3.0) / 3.0).collect();
                let (mut ga, mut gb) = (vec![0.0; k + 2], vec![0.0; k + 2]);
                let la = a.logp_and_grad(&theta, &mut ga).unwrap();
                let lb = b.logp_and_grad(&theta, &mut gb).unwrap();
                assert!((la - lb).abs() < 1e-10 * lb.abs(), "{method:?}: lp {la} vs {lb}");
                for i in 0..k + 2 {
                    let close = (ga[i] - gb[i]).abs() < 1e-10 * gb[i].abs().max(1.0);
                    assert!(close, "{n}x{k} {method:?} d/dx{i}: {} vs {}", ga[i], gb[i]);
                }
            }
        }
    }
}

tilde::model! {
    /// A GLM whose weight vector has the wrong size for the design matrix.
    pub struct GlmSizes;

    data {
        int N;
        int K;
        matrix[N, K] X;
        vector[N] y;
        int J;
    }
    parameters {
        vector[J] beta;
    }
    model {
        y ~ normal_id_glm(X, 0, beta, 1);
    }
}

#[test]
fn a_weight_vector_of_the_wrong_size_is_an_error_naming_both_sizes() {
    let m = GlmSizes::from_json_str(
        r#"{"N": 2, "K": 3, "X": [[1, 2, 3], [4, 5, 6]], "y": [1, 2], "J": 2}"#,
    )
    .unwrap();
    let mut ws = m.new_workspace::<f64>();
    let err = m.log_density(&[0.0, 0.0], &mut ws).unwrap_err();
    assert_eq!(
        err.message(),
        "normal_id_glm_lpdf: size of weight vector beta (2) does not match the number of \
         columns of x (3)"
    );
}
