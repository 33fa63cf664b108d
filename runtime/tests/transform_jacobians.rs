//! Every constraining transform against a finite-difference Jacobian: `ln |J|` added to `lp`
//! must equal `ln |det|` of the numerical Jacobian of the map onto the free coordinates of
//! the constrained value, and `_unconstrain` must invert `constrain`.

use tilde_runtime::transform::*;

/// `ln |det A|` of a square row-major matrix, by LU with partial pivoting.
fn log_abs_det(mut a: Vec<f64>, n: usize) -> f64 {
    let mut total = 0.0;
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs())).unwrap();
        for k in 0..n {
            a.swap(c * n + k, p * n + k);
        }
        let d = a[c * n + c];
        total += d.abs().ln();
        for r in (c + 1)..n {
            let f = a[r * n + c] / d;
            for k in c..n {
                a[r * n + k] -= f * a[c * n + k];
            }
        }
    }
    total
}

/// Checks `lp` against the numerical Jacobian of `map` (free coordinates to the free entries of
/// the constrained value) at `y`.
fn check_jacobian(y: &[f64], map: impl Fn(&[f64], &mut f64) -> Vec<f64>) {
    let n = y.len();
    let mut lp = 0.0;
    let base = map(y, &mut lp);
    assert_eq!(base.len(), n);
    let mut jac = vec![0.0; n * n];
    let h = 1e-6;
    for j in 0..n {
        let (mut up, mut down) = (y.to_vec(), y.to_vec());
        up[j] += h;
        down[j] -= h;
        let (fu, fd) = (map(&up, &mut 0.0), map(&down, &mut 0.0));
        for i in 0..n {
            jac[i * n + j] = (fu[i] - fd[i]) / (2.0 * h);
        }
    }
    let want = log_abs_det(jac, n);
    // Central differences with h = 1e-6 carry about 1e-8 relative error per entry.
    assert!((lp - want).abs() <= 1e-6 * want.abs().max(1.0), "lp {lp}, numerical {want}");
}

const Y: [f64; 6] = [0.3, -1.2, 0.7, 2.1, -0.4, 0.05];

#[test]
fn scalar_bounds() {
    for x in [-3.0, 0.2, 4.0] {
        check_jacobian(&[x], |v, lp| vec![lower_bound(v[0], 1.5, lp)]);
        check_jacobian(&[x], |v, lp| vec![upper_bound(v[0], -2.0, lp)]);
        check_jacobian(&[x], |v, lp| vec![lower_upper_bound(v[0], -1.0, 3.0, lp)]);
        check_jacobian(&[x], |v, lp| vec![offset_multiplier(v[0], 2.0, 0.3, lp)]);
        let c = lower_upper_bound(x, -1.0, 3.0, &mut 0.0);
        assert!((lower_upper_bound_unconstrain(c, -1.0, 3.0).unwrap() - x).abs() < 1e-12);
        let c = lower_bound(x, 1.5, &mut 0.0);
        assert!((lower_bound_unconstrain(c, 1.5).unwrap() - x).abs() < 1e-12);
        let c = upper_bound(x, -2.0, &mut 0.0);
        assert!((upper_bound_unconstrain(c, -2.0).unwrap() - x).abs() < 1e-12);
    }
    let mut lp = 0.0f64;
    assert!(lower_upper_bound(800.0, 0.0, 1.0, &mut lp) == 1.0 && lp.is_finite());
    let err = lower_upper_bound_unconstrain(2.0, 0.0, 1.0).unwrap_err();
    assert_eq!(err, "lower_upper_bound: value is 2, but must be in the interval [0, 1]");
}

#[test]
fn ordered_vectors() {
    check_jacobian(&Y[..4], |v, lp| {
        let mut out = vec![0.0; 4];
        ordered(v, &mut out, lp);
        out
    });
    check_jacobian(&Y[..4], |v, lp| {
        let mut out = vec![0.0; 4];
        positive_ordered(v, &mut out, lp);
        out
    });
    let mut out = [0.0; 4];
    ordered(&Y[..4], &mut out, &mut 0.0);
    let mut back = [0.0; 4];
    ordered_unconstrain(&out, &mut back).unwrap();
    assert!(back.iter().zip(&Y).all(|(a, b)| (a - b).abs() < 1e-12));
    let err = ordered_unconstrain(&[1.0, 0.5], &mut back[..2]).unwrap_err();
    assert_eq!(err, "ordered: element 2 (0.5) must be greater than element 1 (1)");
}

#[test]
fn simplex_and_sum_to_zero() {
    for k in 2..=5 {
        let y = &Y[..k - 1];
        check_jacobian(y, |v, lp| {
            let mut out = vec![0.0; k];
            simplex(v, &mut out, lp);
            out.truncate(k - 1);
            out
        });
        let mut x = vec![0.0; k];
        simplex(y, &mut x, &mut 0.0);
        let mut back = vec![0.0; k - 1];
        simplex_unconstrain(&x, &mut back).unwrap();
        assert!(back.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-12), "{back:?} {y:?}");
        let mut z = vec![0.0; k];
        sum_to_zero(y, &mut z, &mut 0.0);
        assert!(z.iter().sum::<f64>().abs() < 1e-14);
        // The isometric basis keeps lengths.
        let (nz, ny) = (z.iter().map(|v| v * v).sum::<f64>(), y.iter().map(|v| v * v).sum::<f64>());
        assert!((nz - ny).abs() < 1e-12);
        sum_to_zero_unconstrain(&z, &mut back).unwrap();
        assert!(back.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-12));
    }
    assert_eq!(simplex_free_dim(4), 3);
    let err = simplex_unconstrain(&[0.5, 0.6], &mut [0.0]).unwrap_err();
    assert_eq!(err, "simplex: elements that sum to 1.1, but must sum to 1");
}

fn strict_lower(m: &[f64], k: usize, with_diag: bool) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..k {
        for j in 0..k {
            if j < i || (with_diag && j == i) {
                out.push(m[i + j * k]);
            }
        }
    }
    out
}

#[test]
fn cholesky_factor_corr_matches_numerical_jacobian() {
    for k in 2..=4 {
        let n = cholesky_factor_corr_free_dim(k);
        check_jacobian(&Y[..n], |v, lp| {
            let mut l = vec![0.0; k * k];
            cholesky_factor_corr(v, k, &mut l, lp);
            strict_lower(&l, k, false)
        });
        let mut l = vec![0.0; k * k];
        cholesky_factor_corr(&Y[..n], k, &mut l, &mut 0.0);
        for i in 0..k {
            let norm: f64 = (0..k).map(|j| l[i + j * k] * l[i + j * k]).sum();
            assert!((norm - 1.0).abs() < 1e-14);
        }
        let mut back = vec![0.0; n];
        cholesky_factor_corr_unconstrain(&l, k, &mut back).unwrap();
        assert!(back.iter().zip(&Y).all(|(a, b)| (a - b).abs() < 1e-10));
    }
}

#[test]
fn covariance_transforms() {
    let k = 3;
    let n = cov_matrix_free_dim(k);
    check_jacobian(&Y[..n], |v, lp| {
        let mut s = vec![0.0; k * k];
        cov_matrix(v, k, &mut s, lp);
        strict_lower(&s, k, true)
    });
    check_jacobian(&Y[..n], |v, lp| {
        let mut l = vec![0.0; k * k];
        cholesky_factor_cov(v, k, k, &mut l, lp);
        strict_lower(&l, k, true)
    });
    let mut s = vec![0.0; k * k];
    cov_matrix(&Y[..n], k, &mut s, &mut 0.0);
    let mut back = vec![0.0; n];
    cov_matrix_unconstrain(&s, k, &mut back).unwrap();
    assert!(back.iter().zip(&Y).all(|(a, b)| (a - b).abs() < 1e-10));
    assert_eq!(cholesky_factor_cov_free_dim(4, 2), 3 + 4);
}

#[test]
fn corr_matrix_matches_numerical_jacobian() {
    for k in 2..=4 {
        let n = corr_matrix_free_dim(k);
        check_jacobian(&Y[..n], |v, lp| {
            let mut omega = vec![0.0; k * k];
            corr_matrix(v, k, &mut omega, lp);
            strict_lower(&omega, k, false)
        });
        let mut omega = vec![0.0; k * k];
        corr_matrix(&Y[..n], k, &mut omega, &mut 0.0);
        assert!((0..k).all(|i| (omega[i + i * k] - 1.0).abs() < 1e-14));
        let mut back = vec![0.0; n];
        corr_matrix_unconstrain(&omega, k, &mut back).unwrap();
        assert!(back.iter().zip(&Y).all(|(a, b)| (a - b).abs() < 1e-10));
    }
}

#[test]
fn constrain_matrix_lays_out_rows() {
    let (k, n) = (3, cov_matrix_free_dim(3));
    let mut flat = vec![0.0; k * k];
    let mut lp_flat = 0.0;
    cov_matrix(&Y[..n], k, &mut flat, &mut lp_flat);
    let (mut rows, mut scratch, mut lp) = (Vec::new(), Vec::new(), 0.0);
    let read = constrain_matrix("cov_matrix", &Y, k, k, &mut scratch, &mut rows, &mut lp);
    assert_eq!((read, lp), (n, lp_flat));
    for i in 0..k {
        for j in 0..k {
            assert_eq!(rows[i][j], flat[i + j * k]);
        }
    }
    assert!(matrix_constraint("cov_matrix", &rows).is_ok());
    assert!(matrix_constraint("corr_matrix", &rows).is_err());
}
