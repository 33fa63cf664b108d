//! `inverse`, `mdivide_left`, `mdivide_right` and their `_spd` forms against values computed
//! by hand (cofactors), derivatives through dual numbers against the analytic ones, and the
//! errors of singular and non-positive-definite matrices.

use num_dual::Dual64;
use tilde_runtime::math::matrix::{
    inverse, mdivide_left, mdivide_left_matrix, mdivide_left_spd, mdivide_left_spd_matrix,
    mdivide_right, mdivide_right_matrix, mdivide_right_spd, mdivide_right_spd_matrix,
};
use tilde_runtime::math::{Data, Var};

/// Needs a row exchange: its first pivot is 0. Determinant -5.
const A: [[f64; 3]; 3] = [[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]];
/// The adjugate of `A` over its determinant.
const A_INV: [[f64; 3]; 3] = [[-0.2, 0.4, 0.2], [0.2, 0.6, -0.2], [0.6, -1.2, 0.4]];

fn rows<const C: usize>(m: &[[f64; C]]) -> Vec<Vec<f64>> {
    m.iter().map(|r| r.to_vec()).collect()
}

fn assert_close(found: &[f64], want: &[f64], what: &str) {
    assert_eq!(found.len(), want.len(), "{what}: size");
    for (i, (x, y)) in found.iter().zip(want).enumerate() {
        assert!((x - y).abs() <= 1e-14, "{what}[{i}]: {x}, want {y}");
    }
}

#[test]
fn solves_match_hand_computed_values() {
    let a = rows(&A);
    let mut out = Vec::new();
    inverse::<f64>(&mut out, Data(&a[..])).unwrap();
    assert_close(&out.concat(), &rows(&A_INV).concat(), "inverse");

    let b = [1.0, 2.0, 3.0];
    let mut x = Vec::new();
    mdivide_left::<f64>(&mut x, Data(&a[..]), Data(&b[..])).unwrap();
    assert_close(&x, &[1.2, 0.8, -0.6], "mdivide_left");
    mdivide_right::<f64>(&mut x, Data(&b[..]), Data(&a[..])).unwrap();
    assert_close(&x, &[2.0, -2.0, 1.0], "mdivide_right");

    let bm = [vec![1.0, 0.0], vec![2.0, 1.0], vec![3.0, -1.0]];
    mdivide_left_matrix::<f64>(&mut out, Data(&a[..]), Data(&bm[..])).unwrap();
    assert_close(&out.concat(), &[1.2, 0.2, 0.8, 0.8, -0.6, -1.6], "mdivide_left matrix");
    let bt = [vec![1.0, 2.0, 3.0], vec![0.0, 1.0, -1.0]];
    mdivide_right_matrix::<f64>(&mut out, Data(&bt[..]), Data(&a[..])).unwrap();
    assert_close(&out.concat(), &[2.0, -2.0, 1.0, -0.4, 1.8, -0.6], "mdivide_right matrix");

    // [[4, 2], [2, 3]]^-1 = [[3, -2], [-2, 4]] / 8.
    let s = [vec![4.0, 2.0], vec![2.0, 3.0]];
    let b2 = [1.0, 2.0];
    mdivide_left_spd::<f64>(&mut x, Data(&s[..]), Data(&b2[..])).unwrap();
    assert_close(&x, &[-0.125, 0.75], "mdivide_left_spd");
    mdivide_right_spd::<f64>(&mut x, Data(&b2[..]), Data(&s[..])).unwrap();
    assert_close(&x, &[-0.125, 0.75], "mdivide_right_spd");
    let i2 = [vec![1.0, 0.0], vec![0.0, 1.0]];
    mdivide_left_spd_matrix::<f64>(&mut out, Data(&s[..]), Data(&i2[..])).unwrap();
    assert_close(&out.concat(), &[0.375, -0.25, -0.25, 0.5], "mdivide_left_spd matrix");
    let b2m = [vec![1.0, 2.0], vec![0.0, 8.0]];
    mdivide_right_spd_matrix::<f64>(&mut out, Data(&b2m[..]), Data(&s[..])).unwrap();
    assert_close(&out.concat(), &[-0.125, 0.75, -2.0, 4.0], "mdivide_right_spd matrix");
}

/// `A` with `t` added to entry (1, 2), as dual numbers with derivative 1 in `t`.
fn a_of_t() -> Vec<Vec<Dual64>> {
    let mut a: Vec<Vec<Dual64>> =
        A.iter().map(|r| r.iter().map(|&x| Dual64::from(x)).collect()).collect();
    a[0][1] = a[0][1].derivative();
    a
}

#[test]
fn derivatives_through_dual_numbers_match_the_analytic_ones() {
    // d(A^-1)/dt = -A^-1 E A^-1 with E the unit matrix at (1, 2): entry (i, j) is
    // -A^-1[i][0] A^-1[1][j].
    let a = a_of_t();
    let mut out = Vec::new();
    inverse::<Dual64>(&mut out, Var(&a[..])).unwrap();
    for i in 0..3 {
        for j in 0..3 {
            let want = -A_INV[i][0] * A_INV[1][j];
            assert!((out[i][j].eps - want).abs() < 1e-14, "d inverse[{i},{j}]: {}", out[i][j].eps);
            assert!((out[i][j].re - A_INV[i][j]).abs() < 1e-14);
        }
    }
    // x = A^-1 b: dx/dt = -A^-1 E x = -A^-1[:, 0] x[1].
    let b = [1.0, 2.0, 3.0];
    let x = [1.2, 0.8, -0.6];
    let mut y = Vec::new();
    mdivide_left::<Dual64>(&mut y, Var(&a[..]), Data(&b[..])).unwrap();
    for i in 0..3 {
        let want = -A_INV[i][0] * x[1];
        assert!((y[i].eps - want).abs() < 1e-14, "d mdivide_left[{i}]: {}", y[i].eps);
    }
    // x = b A^-1: dx/dt = -x E A^-1 = -x[0] A^-1[1, :].
    let xr = [2.0, -2.0, 1.0];
    mdivide_right::<Dual64>(&mut y, Data(&b[..]), Var(&a[..])).unwrap();
    for j in 0..3 {
        let want = -xr[0] * A_INV[1][j];
        assert!((y[j].eps - want).abs() < 1e-14, "d mdivide_right[{j}]: {}", y[j].eps);
    }
    // Through b: d(A^-1 b)/db_3 = A^-1[:, 2].
    let a0 = rows(&A);
    let bd = [Dual64::from(1.0), Dual64::from(2.0), Dual64::from(3.0).derivative()];
    mdivide_left::<Dual64>(&mut y, Data(&a0[..]), Var(&bd[..])).unwrap();
    for i in 0..3 {
        assert!((y[i].eps - A_INV[i][2]).abs() < 1e-14, "d mdivide_left / db[{i}]");
    }
    // The spd solve of S(t) = [[4 + t, 2], [2, 3]]: d(S^-1 b)/dt = -S^-1[:, 0] (S^-1 b)[0].
    let s = [
        vec![Dual64::from(4.0).derivative(), Dual64::from(2.0)],
        vec![Dual64::from(2.0), Dual64::from(3.0)],
    ];
    let b2 = [1.0, 2.0];
    mdivide_left_spd::<Dual64>(&mut y, Var(&s[..]), Data(&b2[..])).unwrap();
    let (s_inv_col0, x0) = ([0.375, -0.25], -0.125);
    for i in 0..2 {
        let want = -s_inv_col0[i] * x0;
        assert!((y[i].eps - want).abs() < 1e-14, "d mdivide_left_spd[{i}]: {}", y[i].eps);
    }
}

#[test]
fn singular_and_indefinite_matrices_are_recoverable_errors() {
    let singular = [vec![1.0, 2.0], vec![2.0, 4.0]];
    let mut out = Vec::new();
    let err = inverse::<f64>(&mut out, Data(&singular[..])).unwrap_err();
    assert!(err.is_recoverable());
    assert_eq!(err.message(), "inverse: m is singular (pivot 2 is 0)");
    let b = [1.0, 1.0];
    let mut x = Vec::new();
    let err = mdivide_left::<f64>(&mut x, Data(&singular[..]), Data(&b[..])).unwrap_err();
    assert_eq!(err.message(), "mdivide_left: A is singular (pivot 2 is 0)");
    let err = mdivide_right::<f64>(&mut x, Data(&b[..]), Data(&singular[..])).unwrap_err();
    assert_eq!(err.message(), "mdivide_right: A is singular (pivot 2 is 0)");

    let indefinite = [vec![1.0, 2.0], vec![2.0, 1.0]];
    let err = mdivide_left_spd::<f64>(&mut x, Data(&indefinite[..]), Data(&b[..])).unwrap_err();
    assert!(err.is_recoverable());
    assert_eq!(err.message(), "mdivide_left_spd: matrix A is not positive definite");
    let asym = [vec![2.0, 1.0], vec![0.0, 2.0]];
    let err = mdivide_right_spd::<f64>(&mut x, Data(&b[..]), Data(&asym[..])).unwrap_err();
    assert_eq!(
        err.message(),
        "mdivide_right_spd: matrix A is not symmetric. matrix A[1,2] = 1, but matrix A[2,1] = 0"
    );

    let three = [1.0, 2.0, 3.0];
    let err = mdivide_left::<f64>(&mut x, Data(&singular[..]), Data(&three[..])).unwrap_err();
    assert!(!err.is_recoverable());
    assert_eq!(err.message(), "mdivide_left: A is 2 x 2 but b has size 3");
}
