//! Matrix algebra through the whole pipeline: operators and functions against naive reference
//! loops written here, gradients against finite differences, size and domain errors, and
//! constrained matrix data.

mod common;

use common::{get, outputs};

use tilde::LogDensity;
use tilde::Model;
use tilde::gradient::GradientEvaluator;

/// The output matrix `name` with `r` rows and `c` columns, as rows.
fn matrix(outs: &[(String, f64)], name: &str, r: usize, c: usize) -> Vec<Vec<f64>> {
    (1..=r).map(|i| (1..=c).map(|j| get(outs, &format!("{name}[{i},{j}]"))).collect()).collect()
}

fn vector(outs: &[(String, f64)], name: &str, n: usize) -> Vec<f64> {
    (1..=n).map(|i| get(outs, &format!("{name}[{i}]"))).collect()
}

fn product(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let (n, k, m) = (a.len(), b.len(), b[0].len());
    (0..n).map(|i| (0..m).map(|j| (0..k).map(|l| a[i][l] * b[l][j]).sum()).collect()).collect()
}

fn transposed(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    (0..a[0].len()).map(|j| a.iter().map(|row| row[j]).collect()).collect()
}

fn assert_close(found: &[Vec<f64>], want: &[Vec<f64>], what: &str) {
    assert_eq!(found.len(), want.len(), "{what}: rows");
    for (i, (f, w)) in found.iter().zip(want).enumerate() {
        for (j, (x, y)) in f.iter().zip(w).enumerate() {
            assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{what}[{i},{j}]: {x} vs {y}");
        }
    }
}

const A: [[f64; 3]; 3] = [[2.0, -1.0, 0.5], [0.0, 3.0, 1.0], [1.5, 0.25, -2.0]];
const B: [[f64; 2]; 3] = [[1.0, 2.0], [-0.5, 0.0], [3.0, 1.0]];
const SPD: [[f64; 3]; 3] = [[4.0, 1.2, -0.6], [1.2, 3.0, 0.4], [-0.6, 0.4, 2.0]];

fn rows<const C: usize>(m: &[[f64; C]]) -> Vec<Vec<f64>> {
    m.iter().map(|r| r.to_vec()).collect()
}

fn ops_data() -> String {
    format!(
        r#"{{"A": {:?}, "B": {:?}, "S": {:?}, "v": [1.0, -2.0, 0.5], "x": [0.0, 1.0, 3.0]}}"#,
        rows(&A),
        rows(&B),
        rows(&SPD)
    )
}

tilde::model! {
    /// Every matrix operator and function, evaluated in generated quantities.
    pub struct MatrixOps;

    data {
        matrix[3, 3] A;
        matrix[3, 2] B;
        matrix[3, 3] S;
        vector[3] v;
        array[3] real x;
    }
    generated quantities {
        matrix[3, 2] AB = A * B;
        row_vector[3] vA = transpose(v) * A;
        vector[3] Av = A * v;
        matrix[3, 3] lin = 2 * A - A * 0.5 + S / 4 + (-A);
        matrix[3, 3] elt = A .* S ./ (S + 1);
        matrix[3, 3] outer = v * transpose(v);
        matrix[2, 3] Bt = transpose(B);
        matrix[3, 3] L = cholesky_decompose(S);
        matrix[3, 3] K = gp_exp_quad_cov(x, 1.5, 0.8);
        matrix[3, 3] K_old = cov_exp_quad(x, 1.5, 0.8);
        matrix[3, 3] Sd = add_diag(S, v);
        matrix[3, 3] Ss = add_diag(S, 2);
        matrix[3, 3] D = diag_matrix(v);
        vector[3] dA = diagonal(A);
        matrix[3, 3] pre = diag_pre_multiply(v, A);
        matrix[3, 3] post = diag_post_multiply(A, v);
        matrix[3, 3] I = identity_matrix(3);
        matrix[2, 3] R = rep_matrix(1.5, 2, 3);
        matrix[3, 2] Rc = rep_matrix(v, 2);
        matrix[2, 3] Rr = rep_matrix(transpose(v), 2);
        matrix[2, 2] cp = crossprod(B);
        matrix[3, 3] tcp = tcrossprod(B);
        matrix[3, 3] llt = multiply_lower_tri_self_transpose(A);
        vector[3] left = mdivide_left_tri_low(L, v);
        matrix[3, 2] leftm = mdivide_left_tri_low(L, B);
        row_vector[3] right = mdivide_right_tri_low(transpose(v), L);
        matrix[2, 3] rightm = mdivide_right_tri_low(transpose(B), L);
        matrix[3, 3] Ainv = inverse(A);
        vector[3] sl = mdivide_left(A, v);
        matrix[3, 2] slm = mdivide_left(A, B);
        row_vector[3] sr = mdivide_right(transpose(v), A);
        matrix[2, 3] srm = mdivide_right(transpose(B), A);
        row_vector[3] div = transpose(v) / A;
        matrix[2, 3] divm = transpose(B) / A;
        vector[3] spdl = mdivide_left_spd(S, v);
        matrix[3, 2] spdlm = mdivide_left_spd(S, B);
        row_vector[3] spdr = mdivide_right_spd(transpose(v), S);
        matrix[2, 3] spdrm = mdivide_right_spd(transpose(B), S);
        real logdet = log_determinant(A);
        vector[6] flat = to_vector(B);
        matrix[2, 3] reshaped = to_matrix(flat, 2, 3);
        matrix[3, 3] copy = to_matrix(A);
        vector[3] col2 = A[:, 2];
        row_vector[3] row3 = A[3];
        int nr = rows(B);
        int nc = cols(B);
        matrix[3, 3] acc = A;
        acc += S;
        acc .*= S;
        acc -= 1;
        acc /= 2;
    }
}

#[test]
fn matrix_operators_and_functions_match_reference_loops() {
    let m = MatrixOps::from_json_str(&ops_data()).unwrap();
    let o = outputs(&m, &[]);
    let (a, b, s) = (rows(&A), rows(&B), rows(&SPD));
    let v = [1.0, -2.0, 0.5];
    let vcol: Vec<Vec<f64>> = v.iter().map(|x| vec![*x]).collect();
    let map2 = |f: &dyn Fn(usize, usize) -> f64, r: usize, c: usize| -> Vec<Vec<f64>> {
        (0..r).map(|i| (0..c).map(|j| f(i, j)).collect()).collect()
    };
    assert_close(&matrix(&o, "AB", 3, 2), &product(&a, &b), "A * B");
    assert_close(&[vector(&o, "vA", 3)], &product(&transposed(&vcol), &a), "v' * A");
    assert_close(&[vector(&o, "Av", 3)], &transposed(&product(&a, &vcol)), "A * v");
    let lin = map2(&|i, j| 2.0 * a[i][j] - a[i][j] * 0.5 + s[i][j] / 4.0 - a[i][j], 3, 3);
    assert_close(&matrix(&o, "lin", 3, 3), &lin, "linear combination");
    let elt = map2(&|i, j| a[i][j] * s[i][j] / (s[i][j] + 1.0), 3, 3);
    assert_close(&matrix(&o, "elt", 3, 3), &elt, "elementwise");
    assert_close(&matrix(&o, "outer", 3, 3), &product(&vcol, &transposed(&vcol)), "outer");
    assert_close(&matrix(&o, "Bt", 2, 3), &transposed(&b), "transpose");

    // The Cholesky factor is lower triangular with a positive diagonal and reproduces S.
    let l = matrix(&o, "L", 3, 3);
    assert!(l[0][1] == 0.0 && l[0][2] == 0.0 && l[1][2] == 0.0);
    assert!((0..3).all(|i| l[i][i] > 0.0));
    assert_close(&product(&l, &transposed(&l)), &s, "L L'");

    let xs = [0.0f64, 1.0, 3.0];
    let k = map2(&|i, j| 2.25 * (-(xs[i] - xs[j]).powi(2) / (2.0 * 0.64)).exp(), 3, 3);
    assert_close(&matrix(&o, "K", 3, 3), &k, "gp_exp_quad_cov");
    assert_close(&matrix(&o, "K_old", 3, 3), &k, "cov_exp_quad");
    let sd = map2(&|i, j| s[i][j] + if i == j { v[i] } else { 0.0 }, 3, 3);
    assert_close(&matrix(&o, "Sd", 3, 3), &sd, "add_diag vector");
    let ss = map2(&|i, j| s[i][j] + if i == j { 2.0 } else { 0.0 }, 3, 3);
    assert_close(&matrix(&o, "Ss", 3, 3), &ss, "add_diag scalar");
    let d = map2(&|i, j| if i == j { v[i] } else { 0.0 }, 3, 3);
    assert_close(&matrix(&o, "D", 3, 3), &d, "diag_matrix");
    assert_eq!(vector(&o, "dA", 3), [2.0, 3.0, -2.0]);
    assert_close(&matrix(&o, "pre", 3, 3), &product(&d, &a), "diag_pre_multiply");
    assert_close(&matrix(&o, "post", 3, 3), &product(&a, &d), "diag_post_multiply");
    assert_close(&matrix(&o, "I", 3, 3), &map2(&|i, j| (i == j) as u8 as f64, 3, 3), "identity");
    assert_close(&matrix(&o, "R", 2, 3), &map2(&|_, _| 1.5, 2, 3), "rep_matrix");
    assert_close(&matrix(&o, "Rc", 3, 2), &map2(&|i, _| v[i], 3, 2), "rep_matrix(v, n)");
    assert_close(&matrix(&o, "Rr", 2, 3), &map2(&|_, j| v[j], 2, 3), "rep_matrix(rv, m)");
    assert_close(&matrix(&o, "cp", 2, 2), &product(&transposed(&b), &b), "crossprod");
    assert_close(&matrix(&o, "tcp", 3, 3), &product(&b, &transposed(&b)), "tcrossprod");
    let lower_a = map2(&|i, j| if j <= i { a[i][j] } else { 0.0 }, 3, 3);
    let llt = product(&lower_a, &transposed(&lower_a));
    assert_close(&matrix(&o, "llt", 3, 3), &llt, "multiply_lower_tri_self_transpose");

    // Triangular solves: L * left = v, L * leftm = B, right * L = v', rightm * L = B'.
    let left: Vec<Vec<f64>> = vector(&o, "left", 3).into_iter().map(|x| vec![x]).collect();
    assert_close(&product(&l, &left), &vcol, "mdivide_left_tri_low");
    assert_close(&product(&l, &matrix(&o, "leftm", 3, 2)), &b, "mdivide_left_tri_low matrix");
    let right = vec![vector(&o, "right", 3)];
    assert_close(&product(&right, &l), &transposed(&vcol), "mdivide_right_tri_low");
    let rightm = matrix(&o, "rightm", 2, 3);
    assert_close(&product(&rightm, &l), &transposed(&b), "mdivide_right_tri_low matrix");

    // General and spd solves: A * Ainv = I, A * sl = v, sr * A = v', and so on.
    let id = map2(&|i, j| (i == j) as u8 as f64, 3, 3);
    assert_close(&product(&a, &matrix(&o, "Ainv", 3, 3)), &id, "inverse");
    let col = |name: &str| -> Vec<Vec<f64>> {
        vector(&o, name, 3).into_iter().map(|x| vec![x]).collect()
    };
    assert_close(&product(&a, &col("sl")), &vcol, "mdivide_left");
    assert_close(&product(&a, &matrix(&o, "slm", 3, 2)), &b, "mdivide_left matrix");
    assert_close(&product(&[vector(&o, "sr", 3)], &a), &transposed(&vcol), "mdivide_right");
    let srm = matrix(&o, "srm", 2, 3);
    assert_close(&product(&srm, &a), &transposed(&b), "mdivide_right matrix");
    assert_eq!(vector(&o, "div", 3), vector(&o, "sr", 3), "`/` is mdivide_right");
    assert_eq!(matrix(&o, "divm", 2, 3), srm, "`/` is mdivide_right");
    assert_close(&product(&s, &col("spdl")), &vcol, "mdivide_left_spd");
    assert_close(&product(&s, &matrix(&o, "spdlm", 3, 2)), &b, "mdivide_left_spd matrix");
    let spdr = vec![vector(&o, "spdr", 3)];
    assert_close(&product(&spdr, &s), &transposed(&vcol), "mdivide_right_spd");
    let spdrm = matrix(&o, "spdrm", 2, 3);
    assert_close(&product(&spdrm, &s), &transposed(&b), "mdivide_right_spd matrix");

    // det A by cofactor expansion along the first row.
    let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    assert!((get(&o, "logdet") - det.abs().ln()).abs() < 1e-13);
    assert_eq!(vector(&o, "flat", 6), [1.0, -0.5, 3.0, 2.0, 0.0, 1.0]);
    assert_close(
        &matrix(&o, "reshaped", 2, 3),
        &[vec![1.0, 3.0, 0.0], vec![-0.5, 2.0, 1.0]],
        "to_matrix",
    );
    assert_close(&matrix(&o, "copy", 3, 3), &a, "to_matrix(A)");
    assert_eq!(vector(&o, "col2", 3), [-1.0, 3.0, 0.25]);
    assert_eq!(vector(&o, "row3", 3), [1.5, 0.25, -2.0]);
    assert_eq!((get(&o, "nr"), get(&o, "nc")), (3.0, 2.0));
    let acc = map2(&|i, j| ((a[i][j] + s[i][j]) * s[i][j] - 1.0) / 2.0, 3, 3);
    assert_close(&matrix(&o, "acc", 3, 3), &acc, "compound assignment");
}

tilde::model! {
    /// Matrix functions of parameters, for gradients: every function's derivative reaches
    /// the log density.
    pub struct MatrixGradients;

    data {
        array[4] real x;
        vector[4] y;
        matrix[4, 2] X;
    }
    parameters {
        real<lower=0> rho;
        real<lower=0> alpha;
        vector[4] z;
        matrix[2, 2] W;
    }
    model {
        matrix[4, 4] K = add_diag(gp_exp_quad_cov(x, alpha, rho), 0.5);
        matrix[4, 4] L = cholesky_decompose(K);
        matrix[4, 2] XW = X * W - 0.3 * X .* X;
        vector[4] f = L * z;
        target += normal_lpdf(z | 0, 1);
        target += -0.5 * dot_self(mdivide_left_tri_low(L, y - f));
        target += sum(diagonal(crossprod(XW))) * 0.01 + log_determinant(add_diag(tcrossprod(W), 1));
        target += sum(mdivide_right_tri_low(transpose(y), L)) * 0.1;
        matrix[4, 4] KK = multiply_lower_tri_self_transpose(K);
        target += -sum(to_vector(diag_pre_multiply(z, KK))) * 0.01;
        target += sum(diag_post_multiply(W, [1, 2]) * transpose(W[1])) * 0.01;
        matrix[2, 2] Wd = add_diag(W, 3);
        target += sum(to_vector(inverse(Wd))) * 0.1 + sum(mdivide_left(Wd, z[1:2])) * 0.1;
        target += sum(mdivide_right(transpose(z[3:4]), Wd)) * 0.1;
        target += sum(transpose(z[1:2]) / Wd) * 0.05;
        target += sum(mdivide_left_spd(add_diag(tcrossprod(W), 1), z[2:3])) * 0.1;
        target += sum(to_vector(mdivide_right_spd(W, add_diag(crossprod(W), 1)))) * 0.01;
    }
}

#[test]
fn matrix_gradients_match_finite_differences() {
    let data = r#"{"x": [0, 0.5, 1.5, 3], "y": [0.2, -0.4, 1.0, 0.3],
        "X": [[1, 0.5], [0.2, -1], [1.5, 0.3], [-0.7, 0.8]]}"#;
    let m = MatrixGradients::from_json_str(data).unwrap();
    assert_eq!(m.dim(), 10);
    let mut eval = GradientEvaluator::new(&m);
    let theta = [0.1, -0.3, 0.5, -1.0, 0.2, 0.8, 0.3, -0.6, 0.9, 0.4];
    let mut grad = vec![0.0; 10];
    let lp = eval.logp_and_grad(&theta, &mut grad).unwrap();
    assert!((lp - eval.logp(&theta).unwrap()).abs() < 1e-12);
    let h = 1e-6;
    for i in 0..10 {
        let (mut up, mut down) = (theta, theta);
        up[i] += h;
        down[i] -= h;
        let fd = (eval.logp(&up).unwrap() - eval.logp(&down).unwrap()) / (2.0 * h);
        assert!((grad[i] - fd).abs() < 1e-6 * fd.abs().max(1.0), "d/dx{i}: {} vs {fd}", grad[i]);
    }
}

tilde::model! {
    /// Operations whose sizes come from the data, to meet size errors at run time.
    pub struct MatrixSizes;

    data {
        int N;
        int M;
        int which;
        matrix[N, M] A;
        matrix[N, M] B;
        matrix[N, N] C;
    }
    transformed data {
        if (which == 1) {
            matrix[N, N] AB = A * B;
        }
        if (which == 2) {
            matrix[N, M] AB = A + transpose(B);
        }
        if (which == 3) {
            matrix[N, N] L = cholesky_decompose(C);
        }
    }
}

#[test]
fn size_and_domain_errors_name_the_operation() {
    let data = |which: i32, c: &str| {
        format!(
            r#"{{"N": 2, "M": 3, "which": {which}, "A": [[1,2,3],[4,5,6]],
                "B": [[1,0,1],[0,1,1]], "C": {c}}}"#
        )
    };
    let pd = "[[2,1],[1,2]]";
    let err = MatrixSizes::from_json_str(&data(1, pd)).unwrap_err().to_string();
    assert!(
        err.contains("matrix * matrix: the left operand is 2 x 3 but the right operand is 2 x 3"),
        "{err}"
    );
    let err = MatrixSizes::from_json_str(&data(2, pd)).unwrap_err().to_string();
    assert!(err.contains("`+`: the left operand is 2 x 3 but the right operand is 3 x 2"), "{err}");
    MatrixSizes::from_json_str(&data(3, pd)).unwrap();
    let err = MatrixSizes::from_json_str(&data(3, "[[1,2],[2,1]]")).unwrap_err().to_string();
    assert!(err.contains("cholesky_decompose: Matrix m is not positive definite"), "{err}");
}

tilde::model! {
    /// A correlation matrix built from a parameter: positive definite only for |r| < 1.
    pub struct CholeskyOfParameter;

    parameters {
        real r;
    }
    model {
        matrix[2, 2] L = cholesky_decompose(add_diag(rep_matrix(r, 2, 2), 1 - r));
        target += log(L[2, 2]);
    }
}

#[test]
fn a_matrix_that_is_not_positive_definite_rejects_the_proposal() {
    let m = CholeskyOfParameter::from_json_str("{}").unwrap();
    let mut ws = m.new_workspace::<f64>();
    let lp = m.log_density(&[0.6], &mut ws).unwrap();
    assert!((lp - 0.8f64.ln()).abs() < 1e-15);
    let err = m.log_density(&[1.5], &mut ws).unwrap_err();
    assert!(err.is_recoverable(), "{err:?}");
    assert!(err.message().contains("cholesky_decompose: Matrix m is not positive definite"));
}

tilde::model! {
    /// Constrained matrices read as data.
    pub struct ConstrainedData;

    data {
        cov_matrix[2] S;
        corr_matrix[2] R;
        cholesky_factor_cov[3, 2] Lv;
        cholesky_factor_corr[2] Lr;
    }
}

#[test]
fn constrained_matrix_data_are_validated() {
    let with = |s: &str, r: &str, lv: &str, lr: &str| {
        ConstrainedData::from_json_str(&format!(
            r#"{{"S": {s}, "R": {r}, "Lv": {lv}, "Lr": {lr}}}"#
        ))
    };
    let (s, r) = ("[[2, 0.5], [0.5, 1]]", "[[1, -0.3], [-0.3, 1]]");
    let (lv, lr) = ("[[1, 0], [0.5, 2], [3, -1]]", "[[1, 0], [0.6, 0.8]]");
    with(s, r, lv, lr).unwrap();
    let err = |s: &str, r: &str, lv: &str, lr: &str| with(s, r, lv, lr).unwrap_err().to_string();
    assert_eq!(
        err("[[2, 0.5], [0.4, 1]]", r, lv, lr),
        "S: expected a cov_matrix, found a matrix that is not symmetric: element [1, 2] is 0.5 \
         but element [2, 1] is 0.4"
    );
    assert_eq!(
        err("[[1, 2], [2, 1]]", r, lv, lr),
        "S: expected a cov_matrix, found a matrix that is not positive definite"
    );
    assert_eq!(
        err(s, "[[1, 0.3], [0.3, 2]]", lv, lr),
        "R: expected a corr_matrix, found a matrix whose diagonal element [2, 2] is 2, not 1"
    );
    assert_eq!(
        err(s, r, "[[1, 0.1], [0.5, 2], [3, -1]]", lr),
        "Lv: expected a cholesky_factor_cov, found a matrix whose element [1, 2] above the \
         diagonal is 0.1, not 0"
    );
    assert_eq!(
        err(s, r, lv, "[[1, 0], [0.6, 0.7]]"),
        "Lr: expected a cholesky_factor_corr, found a matrix whose row 2 has norm \
         0.9219544457292886, not 1"
    );
}

tilde::model! {
    /// Multivariate densities of data, evaluated in generated quantities.
    pub struct MultiDensities;

    data {
        vector[3] y;
        array[2] vector[3] ys;
        vector[3] mu;
        cov_matrix[3] Sigma;
        corr_matrix[3] Omega;
        real r;
    }
    generated quantities {
        real mn = multi_normal_lpdf(y | mu, Sigma);
        real mn2 = multi_normal_lpdf(ys | mu, Sigma);
        real mnc = multi_normal_cholesky_lpdf(y | mu, cholesky_decompose(Sigma));
        real mnc2 = multi_normal_cholesky_lpdf(ys | mu, cholesky_decompose(Sigma));
        real lkj_identity_1 = lkj_corr_lpdf(identity_matrix(3) | 1);
        real lkj_identity_2 = lkj_corr_lpdf(identity_matrix(3) | 2);
        real lkj2_1 = lkj_corr_lpdf(add_diag(rep_matrix(r, 2, 2), 1 - r) | 1);
        real lkj2_2 = lkj_corr_lpdf(add_diag(rep_matrix(r, 2, 2), 1 - r) | 2);
        real lkj2_35 = lkj_corr_lpdf(add_diag(rep_matrix(r, 2, 2), 1 - r) | 3.5);
        real lkj_omega = lkj_corr_lpdf(Omega | 2.5);
        real lkj_chol = lkj_corr_cholesky_lpdf(cholesky_decompose(Omega) | 2.5);
        matrix[3, 3] L_Omega = cholesky_decompose(Omega);
        real log_l22 = log(L_Omega[2, 2]);
    }
}

/// `∫ det(Ω)^(eta - 1) dΩ` over the 3 x 3 correlation matrices, by the midpoint rule on the
/// cube of the three correlations (outside the elliptope the determinant is not positive).
fn lkj_normaliser_3(eta: f64) -> f64 {
    let n = 400;
    let h = 2.0 / n as f64;
    let mid = |k: usize| -1.0 + (k as f64 + 0.5) * h;
    let mut total = 0.0;
    for i in 0..n {
        let a = mid(i);
        for j in 0..n {
            let b = mid(j);
            for k in 0..n {
                let c = mid(k);
                let det = 1.0 - a * a - b * b - c * c + 2.0 * a * b * c;
                if det > 0.0 {
                    total += det.powf(eta - 1.0);
                }
            }
        }
    }
    total * h * h * h
}

#[test]
fn multivariate_densities_match_independent_references() {
    let data = r#"{"y": [1.0, -0.5, 2.0], "ys": [[1.0, -0.5, 2.0], [0.0, 0.4, -1.0]],
        "mu": [0.3, 0.1, 1.5], "Sigma": [[2.0, 0.3, 0.5], [0.3, 1.0, -0.2], [0.5, -0.2, 1.5]],
        "Omega": [[1, 0.3, -0.2], [0.3, 1, 0.4], [-0.2, 0.4, 1]], "r": 0.35}"#;
    let o = outputs(&MultiDensities::from_json_str(data).unwrap(), &[]);
    // From scripts/make_multivariate_fixtures.py (exact rational elimination).
    let (one, two) = (-3.5984004440889916, -8.980134221511316);
    for (name, want) in [("mn", one), ("mn2", two), ("mnc", one), ("mnc2", two)] {
        let found = get(&o, name);
        assert!((found - want).abs() < 1e-13, "{name}: {found} vs {want}");
    }
    // K = 2: the density of r is (1 - r^2)^(eta - 1) / (2^(2 eta - 1) B(eta, eta)).
    let r2 = 1.0 - 0.35f64 * 0.35;
    let pi = std::f64::consts::PI;
    for (name, want) in [
        ("lkj2_1", -(2.0f64.ln())),
        ("lkj2_2", r2.ln() - (4.0f64 / 3.0).ln()),
        ("lkj2_35", 2.5 * r2.ln() - (5.0 * pi / 16.0).ln()),
    ] {
        let found = get(&o, name);
        assert!((found - want).abs() < 1e-13, "{name}: {found} vs {want}");
    }
    // K = 3, eta = 1: the volume of the 3 x 3 correlation matrices is pi^2 / 2.
    let found = get(&o, "lkj_identity_1");
    assert!((found + (pi * pi / 2.0).ln()).abs() < 1e-13, "{found}");
    let want = -lkj_normaliser_3(2.0).ln();
    let found = get(&o, "lkj_identity_2");
    assert!((found - want).abs() < 1e-4, "{found} vs numerical {want}");
    // The Cholesky form differs by the Jacobian of L -> L L': sum_i (K - i) ln L_ii.
    let diff = get(&o, "lkj_chol") - get(&o, "lkj_omega");
    assert!((diff - get(&o, "log_l22")).abs() < 1e-13, "{diff}");
}

tilde::model! {
    /// Elementwise functions of matrices and arrays, and reductions of matrices.
    pub struct MatrixElementwise;

    data {
        matrix[3, 3] A;
        array[3] real x;
        array[2] int k;
    }
    parameters {
        matrix[2, 2] W;
    }
    model {
        target += -0.5 * sum(square(W)) + 0.1 * sum(exp(W)) - log_sum_exp(W);
        target += 0.05 * mean(inv_logit(W)) + 0.01 * sd(W) + 0.02 * max(W);
    }
    generated quantities {
        matrix[3, 3] expA = exp(A);
        matrix[3, 3] absA = abs(A);
        array[3] real logx = log(x);
        array[2] real sqrtk = sqrt(k);
        real sumA = sum(A);
        real meanA = mean(A);
        real sdA = sd(A);
        real varA = variance(A);
        real maxA = max(A);
        real minA = min(A);
        real lseA = log_sum_exp(A);
        real sumexp = sum(exp(A * 0.5));
    }
}

#[test]
fn elementwise_functions_and_reductions_of_matrices_and_arrays() {
    let data = format!(
        r#"{{"A": {:?}, "x": [0.5, 1, 4], "k": [4, 9]}}"#,
        rows(&A).iter().map(|r| r.to_vec()).collect::<Vec<_>>()
    );
    let m = MatrixElementwise::from_json_str(&data).unwrap();
    let o = outputs(&m, &[0.1, -0.2, 0.3, 0.4]);
    let a = rows(&A);
    let map = |f: &dyn Fn(f64) -> f64| -> Vec<Vec<f64>> {
        a.iter().map(|r| r.iter().map(|&v| f(v)).collect()).collect()
    };
    assert_close(&matrix(&o, "expA", 3, 3), &map(&f64::exp), "exp(A)");
    assert_close(&matrix(&o, "absA", 3, 3), &map(&f64::abs), "abs(A)");
    let logx = vector(&o, "logx", 3);
    assert_eq!(logx, vec![0.5f64.ln(), 0.0, 4.0f64.ln()]);
    assert_eq!(vector(&o, "sqrtk", 2), vec![2.0, 3.0]);
    let all: Vec<f64> = a.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let sum: f64 = all.iter().sum();
    let mean = sum / n;
    let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let close = |name: &str, want: f64| {
        let found = get(&o, name);
        assert!((found - want).abs() <= 1e-12 * want.abs().max(1.0), "{name}: {found} vs {want}");
    };
    close("sumA", sum);
    close("meanA", mean);
    close("varA", var);
    close("sdA", var.sqrt());
    close("maxA", 3.0);
    close("minA", -2.0);
    close("lseA", all.iter().map(|v| v.exp()).sum::<f64>().ln());
    close("sumexp", all.iter().map(|v| (0.5 * v).exp()).sum());

    // The gradient of the matrix functions of the parameter against finite differences.
    let mut eval = GradientEvaluator::new(&m);
    let theta = [0.1, -0.2, 0.3, 0.4];
    let mut grad = vec![0.0; 4];
    eval.logp_and_grad(&theta, &mut grad).unwrap();
    let h = 1e-6;
    for i in 0..4 {
        let (mut up, mut down) = (theta, theta);
        up[i] += h;
        down[i] -= h;
        let fd = (eval.logp(&up).unwrap() - eval.logp(&down).unwrap()) / (2.0 * h);
        assert!((grad[i] - fd).abs() < 1e-6 * fd.abs().max(1.0), "d/dW{i}: {} vs {fd}", grad[i]);
    }
}

/// The reverse tape's analytic paths for matrices (Cholesky factors, covariance functions, data
/// matrices times vectors) agree with dual numbers, which take the chain rule through every
/// scalar operation.
#[test]
fn reverse_gradients_of_matrix_functions_match_dual_numbers() {
    use tilde::gradient::fast_gradients_agree_with_dual;
    let data = r#"{"x": [0, 0.5, 1.5, 3], "y": [0.2, -0.4, 1.0, 0.3],
        "X": [[1, 0.5], [0.2, -1], [1.5, 0.3], [-0.7, 0.8]]}"#;
    let m = MatrixGradients::from_json_str(data).unwrap();
    let elementwise = MatrixElementwise::from_json_str(&format!(
        r#"{{"A": {:?}, "x": [0.5, 1, 4], "k": [4, 9]}}"#,
        rows(&A)
    ))
    .unwrap();
    for point in 0..4 {
        let x: Vec<f64> =
            (0..m.dim()).map(|i| ((i * 5 + point * 3) % 9) as f64 / 4.5 - 1.0).collect();
        assert_eq!(fast_gradients_agree_with_dual(&m, &x), Ok(true), "matrix functions at {x:?}");
        let x = &x[..elementwise.dim()];
        assert_eq!(
            fast_gradients_agree_with_dual(&elementwise, x),
            Ok(true),
            "elementwise at {x:?}"
        );
    }
}
