//! Stan's vector and matrix functions added beside the matrix algebra (`softmax`,
//! `log_softmax`, `prod`, the row and column dot products, `cumulative_sum`, `append_row`,
//! `append_col`, `head`, `tail`, `segment` and the quadratic forms) through the whole pipeline:
//! values against hand-computed ones, gradients against dual numbers and finite differences,
//! and the text of each size error.

mod common;

use common::{get, outputs};

use tilde::LogDensity;
use tilde::Model;
use tilde::gradient::GradientEvaluator;

fn vector(outs: &[(String, f64)], name: &str, n: usize) -> Vec<f64> {
    (1..=n).map(|i| get(outs, &format!("{name}[{i}]"))).collect()
}

fn matrix(outs: &[(String, f64)], name: &str, r: usize, c: usize) -> Vec<Vec<f64>> {
    (1..=r).map(|i| (1..=c).map(|j| get(outs, &format!("{name}[{i},{j}]"))).collect()).collect()
}

fn assert_close(found: &[f64], want: &[f64], what: &str) {
    assert_eq!(found.len(), want.len(), "{what}: length");
    for (i, (x, y)) in found.iter().zip(want).enumerate() {
        assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{what}[{i}]: {x} vs {y}");
    }
}

fn assert_close2(found: &[Vec<f64>], want: &[Vec<f64>], what: &str) {
    assert_eq!(found.len(), want.len(), "{what}: rows");
    for (i, (f, w)) in found.iter().zip(want).enumerate() {
        assert_close(f, w, &format!("{what}[{i}]"));
    }
}

tilde::model! {
    /// Each new function, evaluated in generated quantities.
    pub struct FunctionValues;

    data {
        vector[3] v;
        row_vector[3] rv;
        array[3] real x;
        array[3] int k;
        matrix[3, 3] A;
        matrix[3, 3] S;
        matrix[3, 2] B;
    }
    generated quantities {
        vector[3] sm = softmax(v);
        vector[3] lsm = log_softmax(v);
        vector[2] big = softmax(transpose([1000, 1001]));
        vector[2] lbig = log_softmax(transpose([1000, 1001]));
        real pv = prod(v);
        real prv = prod(rv);
        real px = prod(x);
        int pk = prod(k);
        real pA = prod(B);
        vector[3] rdp = rows_dot_product(v, transpose(rv));
        vector[1] rdpr = rows_dot_product(rv, rv);
        vector[3] rdpm = rows_dot_product(A, S);
        row_vector[1] cdp = columns_dot_product(v, v);
        row_vector[3] cdpr = columns_dot_product(rv, rv);
        row_vector[3] cdpm = columns_dot_product(A, S);
        row_vector[3] cds = columns_dot_self(A);
        row_vector[1] cdsv = columns_dot_self(v);
        row_vector[3] cdsr = columns_dot_self(rv);
        vector[3] cs = cumulative_sum(v);
        row_vector[3] csr = cumulative_sum(rv);
        array[3] real csx = cumulative_sum(x);
        array[3] int csk = cumulative_sum(k);
        vector[4] ar1 = append_row(v, 7);
        vector[4] ar2 = append_row(2.5, v);
        vector[6] ar3 = append_row(v, v * 2);
        matrix[4, 3] arm = append_row(A, rv);
        matrix[4, 3] arm2 = append_row(rv, A);
        matrix[2, 3] arr = append_row(rv, rv);
        matrix[3, 5] acm = append_col(A, B);
        matrix[3, 4] acv = append_col(v, A);
        matrix[3, 2] acvv = append_col(v, v);
        row_vector[4] acr = append_col(rv, 2.5);
        row_vector[6] acrr = append_col(rv, rv);
        vector[2] hv = head(v, 2);
        row_vector[2] tr = tail(rv, 2);
        array[2] int hk = head(k, 2);
        array[2] int tk = tail(k, 2);
        array[1] int sk = segment(k, 2, 1);
        array[2] real sx = segment(x, 2, 2);
        vector[3] sv = segment(v, 1, 3);
        int n0 = size(head(v, 0));
        int n1 = size(segment(v, 3, 0));
        matrix[2, 2] qf = quad_form(A, B);
        real qfv = quad_form(A, v);
        matrix[2, 2] qfs = quad_form_sym(S, B);
        real qfsv = quad_form_sym(S, v);
        matrix[3, 3] qfd = quad_form_diag(A, v);
        matrix[3, 3] qfdr = quad_form_diag(A, rv);
    }
}

const A: [[f64; 3]; 3] = [[2.0, -1.0, 0.5], [0.0, 3.0, 1.0], [1.5, 0.25, -2.0]];
const S: [[f64; 3]; 3] = [[4.0, 1.2, -0.6], [1.2, 3.0, 0.4], [-0.6, 0.4, 2.0]];
const B: [[f64; 2]; 3] = [[1.0, 2.0], [-0.5, 0.0], [3.0, 1.0]];

fn rows<const C: usize>(m: &[[f64; C]]) -> Vec<Vec<f64>> {
    m.iter().map(|r| r.to_vec()).collect()
}

#[test]
fn function_values_match_hand_computed_ones() {
    let data = format!(
        r#"{{"v": [1, -2, 0.5], "rv": [0.5, 2, -1], "x": [1.5, -2, 4], "k": [2, 3, 4],
            "A": {:?}, "S": {:?}, "B": {:?}}}"#,
        rows(&A),
        rows(&S),
        rows(&B)
    );
    let m = FunctionValues::from_json_str(&data).unwrap();
    let o = outputs(&m, &[]);
    let v = [1.0f64, -2.0, 0.5];
    let rv = [0.5f64, 2.0, -1.0];
    let (a, s, b) = (rows(&A), rows(&S), rows(&B));

    let z: f64 = v.iter().map(|x| x.exp()).sum();
    let sm: Vec<f64> = v.iter().map(|x| x.exp() / z).collect();
    assert_close(&vector(&o, "sm", 3), &sm, "softmax");
    let lsm: Vec<f64> = v.iter().map(|x| x - z.ln()).collect();
    assert_close(&vector(&o, "lsm", 3), &lsm, "log_softmax");
    // Without subtracting the maximum, exp(1000) would overflow to infinity.
    let e = std::f64::consts::E;
    assert_close(&vector(&o, "big", 2), &[1.0 / (1.0 + e), e / (1.0 + e)], "softmax big");
    let l1 = (1.0 + e).ln();
    assert_close(&vector(&o, "lbig", 2), &[-l1, 1.0 - l1], "log_softmax big");

    assert_eq!(get(&o, "pv"), -1.0);
    assert_eq!(get(&o, "prv"), -1.0);
    assert_eq!(get(&o, "px"), -12.0);
    assert_eq!(get(&o, "pk"), 24.0);
    assert_eq!(get(&o, "pA"), 0.0);

    assert_close(&vector(&o, "rdp", 3), &[0.5, -4.0, -0.5], "rows_dot_product vectors");
    assert_close(&vector(&o, "rdpr", 1), &[5.25], "rows_dot_product row vectors");
    let rdpm: Vec<f64> = (0..3).map(|i| (0..3).map(|j| a[i][j] * s[i][j]).sum()).collect();
    assert_close(&vector(&o, "rdpm", 3), &rdpm, "rows_dot_product matrices");
    assert_close(&vector(&o, "cdp", 1), &[5.25], "columns_dot_product vectors");
    assert_close(&vector(&o, "cdpr", 3), &[0.25, 4.0, 1.0], "columns_dot_product row vectors");
    let cdpm: Vec<f64> = (0..3).map(|j| (0..3).map(|i| a[i][j] * s[i][j]).sum()).collect();
    assert_close(&vector(&o, "cdpm", 3), &cdpm, "columns_dot_product matrices");
    assert_close(&vector(&o, "cds", 3), &[6.25, 10.0625, 5.25], "columns_dot_self");
    assert_close(&vector(&o, "cdsv", 1), &[5.25], "columns_dot_self vector");
    assert_close(&vector(&o, "cdsr", 3), &[0.25, 4.0, 1.0], "columns_dot_self row vector");

    assert_eq!(vector(&o, "cs", 3), [1.0, -1.0, -0.5]);
    assert_eq!(vector(&o, "csr", 3), [0.5, 2.5, 1.5]);
    assert_eq!(vector(&o, "csx", 3), [1.5, -0.5, 3.5]);
    assert_eq!(vector(&o, "csk", 3), [2.0, 5.0, 9.0]);

    assert_eq!(vector(&o, "ar1", 4), [1.0, -2.0, 0.5, 7.0]);
    assert_eq!(vector(&o, "ar2", 4), [2.5, 1.0, -2.0, 0.5]);
    assert_eq!(vector(&o, "ar3", 6), [1.0, -2.0, 0.5, 2.0, -4.0, 1.0]);
    let mut arm = a.clone();
    arm.push(rv.to_vec());
    assert_eq!(matrix(&o, "arm", 4, 3), arm);
    let mut arm2 = vec![rv.to_vec()];
    arm2.extend(a.clone());
    assert_eq!(matrix(&o, "arm2", 4, 3), arm2);
    assert_eq!(matrix(&o, "arr", 2, 3), [rv.to_vec(), rv.to_vec()]);
    let acm: Vec<Vec<f64>> = (0..3).map(|i| [&a[i][..], &b[i][..]].concat()).collect();
    assert_eq!(matrix(&o, "acm", 3, 5), acm);
    let acv: Vec<Vec<f64>> = (0..3).map(|i| [&[v[i]][..], &a[i][..]].concat()).collect();
    assert_eq!(matrix(&o, "acv", 3, 4), acv);
    assert_eq!(matrix(&o, "acvv", 3, 2), [[1.0, 1.0], [-2.0, -2.0], [0.5, 0.5]]);
    assert_eq!(vector(&o, "acr", 4), [0.5, 2.0, -1.0, 2.5]);
    assert_eq!(vector(&o, "acrr", 6), [0.5, 2.0, -1.0, 0.5, 2.0, -1.0]);

    assert_eq!(vector(&o, "hv", 2), [1.0, -2.0]);
    assert_eq!(vector(&o, "tr", 2), [2.0, -1.0]);
    assert_eq!(vector(&o, "hk", 2), [2.0, 3.0]);
    assert_eq!(vector(&o, "tk", 2), [3.0, 4.0]);
    assert_eq!(vector(&o, "sk", 1), [3.0]);
    assert_eq!(vector(&o, "sx", 2), [-2.0, 4.0]);
    assert_eq!(vector(&o, "sv", 3), v);
    assert_eq!((get(&o, "n0"), get(&o, "n1")), (0.0, 0.0));

    // B' A B and v' A v by explicit sums.
    let bab = |m: &[Vec<f64>]| -> Vec<Vec<f64>> {
        (0..2)
            .map(|p| {
                (0..2)
                    .map(|q| {
                        let mut t = 0.0;
                        for i in 0..3 {
                            for j in 0..3 {
                                t += b[i][p] * m[i][j] * b[j][q];
                            }
                        }
                        t
                    })
                    .collect()
            })
            .collect()
    };
    let vav = |m: &[Vec<f64>]| -> f64 {
        (0..3).map(|i| (0..3).map(|j| v[i] * m[i][j] * v[j]).sum::<f64>()).sum()
    };
    assert_close2(&matrix(&o, "qf", 2, 2), &bab(&a), "quad_form");
    assert_close(&[get(&o, "qfv")], &[vav(&a)], "quad_form vector");
    let qfs = matrix(&o, "qfs", 2, 2);
    assert_close2(&qfs, &bab(&s), "quad_form_sym");
    assert_eq!(qfs[0][1], qfs[1][0], "quad_form_sym is symmetric");
    assert_close(&[get(&o, "qfsv")], &[vav(&s)], "quad_form_sym vector");
    let qfd: Vec<Vec<f64>> =
        (0..3).map(|i| (0..3).map(|j| v[i] * a[i][j] * v[j]).collect()).collect();
    assert_close2(&matrix(&o, "qfd", 3, 3), &qfd, "quad_form_diag");
    let qfdr: Vec<Vec<f64>> =
        (0..3).map(|i| (0..3).map(|j| rv[i] * a[i][j] * rv[j]).collect()).collect();
    assert_close2(&matrix(&o, "qfdr", 3, 3), &qfdr, "quad_form_diag row vector");
}

tilde::model! {
    /// Each new function of parameters in the log density, for gradients.
    pub struct FunctionGradients;

    data {
        vector[3] y;
        matrix[2, 3] X;
    }
    parameters {
        vector[3] z;
        matrix[2, 2] W;
        real<lower=0> s;
    }
    model {
        target += normal_lpdf(z | 0, 1) + normal_lpdf(to_vector(W) | 0, 1);
        target += dot_product(softmax(z * 2), y) + sum(log_softmax(z .* y)) * 0.1;
        target += prod(z) * 0.1 + prod(W) * 0.2 + prod(transpose(z)) * 0.05;
        target += sum(rows_dot_product(z, z .* y)) * 0.1;
        target += sum(rows_dot_product(W, add_diag(W, s))) * 0.1;
        target += sum(rows_dot_product(transpose(z), transpose(y))) * 0.1;
        target += sum(columns_dot_product(W, add_diag(W, 1))) * 0.1;
        target += sum(columns_dot_product(z, y)) * 0.1;
        target += sum(columns_dot_product(transpose(z), transpose(z))) * 0.01;
        target += sum(columns_dot_self(W)) * 0.1 + sum(columns_dot_self(z)) * 0.01;
        target += sum(columns_dot_self(transpose(z))) * 0.01;
        target += dot_product(cumulative_sum(z), y) + sum(cumulative_sum(transpose(z) * s));
        target += -0.1 * dot_self(append_row(z, s)) - 0.1 * dot_self(append_row(s, z));
        target += 0.01 * sum(append_col(transpose(z), s));
        target += 0.01 * sum(to_vector(append_row(W, transpose(head(z, 2)))));
        target += 0.01 * sum(to_vector(append_col(W, tail(z, 2)) .* append_col(W, W[:, 1])));
        target += dot_self(segment(z, 2, 2)) * 0.1 + sum(tail(z, 2) .* y[1:2]);
        target += quad_form(add_diag(tcrossprod(W), 1), head(z, 2)) * 0.1;
        target += sum(to_vector(quad_form(W, X))) * 0.1;
        target += quad_form_sym(add_diag(crossprod(W), 1), segment(z, 1, 2)) * 0.1;
        target += sum(to_vector(quad_form_sym(add_diag(crossprod(W), s), X))) * 0.01;
        target += sum(to_vector(quad_form_diag(W, z[2:3]))) * 0.1;
    }
}

fn gradient_model() -> FunctionGradients {
    FunctionGradients::from_json_str(
        r#"{"y": [0.3, -1.2, 0.7], "X": [[1, 0.5, -2], [0.4, -1, 0.3]]}"#,
    )
    .unwrap()
}

#[test]
fn gradients_agree_with_dual_numbers_and_finite_differences() {
    use tilde::gradient::fast_gradients_agree_with_dual;
    let m = gradient_model();
    assert_eq!(m.dim(), 8);
    for point in 0..4 {
        let x: Vec<f64> =
            (0..m.dim()).map(|i| ((i * 5 + point * 3) % 9) as f64 / 4.5 - 1.0).collect();
        assert_eq!(fast_gradients_agree_with_dual(&m, &x), Ok(true), "at {x:?}");
    }
    let mut eval = GradientEvaluator::new(&m);
    let theta = [0.4, -0.7, 1.1, 0.3, -0.5, 0.8, 0.2, -0.3];
    let mut grad = vec![0.0; 8];
    let lp = eval.logp_and_grad(&theta, &mut grad).unwrap();
    assert!((lp - eval.logp(&theta).unwrap()).abs() < 1e-12);
    let h = 1e-6;
    for i in 0..8 {
        let (mut up, mut down) = (theta, theta);
        up[i] += h;
        down[i] -= h;
        let fd = (eval.logp(&up).unwrap() - eval.logp(&down).unwrap()) / (2.0 * h);
        assert!((grad[i] - fd).abs() < 1e-6 * fd.abs().max(1.0), "d/dx{i}: {} vs {fd}", grad[i]);
    }
}

tilde::model! {
    /// Calls whose sizes come from the data, to meet each size error at run time.
    pub struct FunctionSizes;

    data {
        int which;
        int i;
        int n;
        vector[3] u;
        matrix[2, 3] A;
        matrix[3, 2] At;
        matrix[2, 2] C;
        array[3] int k;
    }
    transformed data {
        real r = 0;
        if (which == 1) {
            r = sum(softmax(head(u, n)));
        }
        if (which == 2) {
            r = sum(log_softmax(head(u, n)));
        }
        if (which == 3) {
            r = sum(head(u, n));
        }
        if (which == 4) {
            r = sum(tail(u, n));
        }
        if (which == 5) {
            r = sum(segment(u, i, n));
        }
        if (which == 6) {
            r = sum(rows_dot_product(u, head(u, n)));
        }
        if (which == 7) {
            r = sum(to_vector(append_row(A, At)));
        }
        if (which == 8) {
            r = sum(to_vector(append_col(A, u)));
        }
        if (which == 9) {
            r = quad_form(A, u);
        }
        if (which == 10) {
            r = quad_form(C, u);
        }
        if (which == 11) {
            r = sum(to_vector(quad_form_diag(C, u)));
        }
        if (which == 12) {
            r = sum(columns_dot_product(A, C));
        }
        if (which == 13) {
            r = prod(k);
        }
        if (which == 14) {
            r = sum(cumulative_sum(k));
        }
        if (which == 15) {
            r = quad_form_sym(C, head(u, 2));
        }
        if (which == 16) {
            r = sum(head(k, n));
        }
        if (which == 17) {
            r = sum(segment(k, i, n));
        }
        if (which == 18) {
            r = sum(columns_dot_product(u, head(u, n)));
        }
    }
}

fn size_error(which: i32, i: i64, n: i64, k: &str) -> String {
    let data = format!(
        r#"{{"which": {which}, "i": {i}, "n": {n}, "u": [1, 2, 3],
            "A": [[1, 2, 3], [4, 5, 6]], "At": [[1, 2], [3, 4], [5, 6]],
            "C": [[1, 2], [0, 1]], "k": {k}}}"#
    );
    match FunctionSizes::from_json_str(&data) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn size_errors_name_the_function_and_the_sizes() {
    let small = "[1, 2, 3]";
    let cases: &[(i32, i64, i64, &str, &str)] = &[
        (1, 1, 0, small, "softmax: v has size 0, but must have a non-zero size"),
        (2, 1, 0, small, "log_softmax: v has size 0, but must have a non-zero size"),
        (3, 1, 4, small, "head: n is 4, but must be between 0 and 3, the size of v"),
        (4, 1, -1, small, "tail: n is -1, but must be between 0 and 3, the size of v"),
        (5, 0, 1, small, "segment: i is 0, but must be between 1 and 3, the size of v"),
        (5, 4, 0, small, "segment: i is 4, but must be between 1 and 3, the size of v"),
        (5, 2, 3, small, "segment: i + n - 1 is 4, but must be at most 3, the size of v"),
        (5, 2, -1, small, "segment: n is -1, but must be non-negative"),
        (6, 1, 2, small, "rows_dot_product: x has 3 elements but y has 2"),
        (7, 1, 0, small, "append_row: x has 3 columns but y has 2 (x is 2 x 3, y is 3 x 2)"),
        (8, 1, 0, small, "append_col: x has 2 rows but y has 3 (x is 2 x 3, y is 3 x 1)"),
        (9, 1, 0, small, "quad_form: A must be square, but is 2 x 3"),
        (10, 1, 0, small, "quad_form: A is 2 x 2 but B has 3 rows"),
        (11, 1, 0, small, "quad_form_diag: v has 3 elements but m is 2 x 2"),
        (12, 1, 0, small, "columns_dot_product: x is 2 x 3 but y is 2 x 2"),
        (
            13,
            1,
            0,
            "[4000000000, 4000000000, 4000000000]",
            "prod: integer overflow in 4000000000 * 4000000000",
        ),
        (
            14,
            1,
            0,
            "[9223372036854775807, 1, 0]",
            "cumulative_sum: integer overflow in 9223372036854775807 + 1",
        ),
        (15, 1, 0, small, "quad_form_sym: A is not symmetric. A[1,2] = 2, but A[2,1] = 0"),
        (16, 1, 5, small, "head: n is 5, but must be between 0 and 3, the size of v"),
        (17, 3, 2, small, "segment: i + n - 1 is 4, but must be at most 3, the size of v"),
        (18, 1, 1, small, "columns_dot_product: x has 3 elements but y has 1"),
    ];
    for &(which, i, n, k, want) in cases {
        let err = size_error(which, i, n, k);
        assert!(err.contains(want), "case {which} ({i}, {n}): {err:?}");
    }
    // The same calls with fitting sizes succeed.
    assert_eq!(size_error(3, 1, 3, small), "");
    assert_eq!(size_error(5, 3, 1, small), "");
    assert_eq!(size_error(13, 1, 0, small), "");
}
