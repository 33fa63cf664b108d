//! Transforms of matrices: Cholesky factors of correlation and covariance matrices, and
//! covariance matrices (Stan reference manual, "Cholesky factors of correlation matrices",
//! "Cholesky factors of covariance matrices" and "Covariance matrices"). Matrices are
//! column-major: entry (i, j) of an `m`-row matrix is `out[i + j * m]`.

// Negated comparisons (`!(y >= lb)`) are deliberate: they reject NaN with the out-of-range
// values.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::math::log1m;
use crate::scalar::Scalar;

/// Number of free coordinates of `cholesky_factor_corr[k]`.
pub fn cholesky_factor_corr_free_dim(k: usize) -> usize {
    k * k.saturating_sub(1) / 2
}

/// The `k x k` lower-triangular Cholesky factor of a correlation matrix from `y`.
///
/// The free coordinates are canonical partial correlations `z = tanh(y)`, read row by row
/// below the diagonal; each row is scaled to unit length. `lp` gets
/// `sum ln(1 - z^2) + sum over rows of ln(1 - (row's sum of squares so far)) / 2`.
pub fn cholesky_factor_corr<S: Scalar>(y: &[S], k: usize, out: &mut [S], lp: &mut S) {
    for v in out.iter_mut() {
        *v = S::zero();
    }
    if k == 0 {
        return;
    }
    out[0] = S::one();
    let mut pos = 0;
    for i in 1..k {
        let mut sum_sqs = S::zero();
        for j in 0..i {
            let z = y[pos].tanh();
            pos += 1;
            *lp += log1m(z * z);
            let x = if j == 0 {
                z
            } else {
                *lp += log1m(sum_sqs) * 0.5;
                z * (S::one() - sum_sqs).sqrt()
            };
            out[i + j * k] = x;
            sum_sqs += x * x;
        }
        out[i + i * k] = (S::one() - sum_sqs).sqrt();
    }
}

/// The inverse of [`cholesky_factor_corr`]; fails unless `l` is lower triangular with a
/// positive diagonal and rows of unit length (to 1e-8).
pub fn cholesky_factor_corr_unconstrain(
    l: &[f64],
    k: usize,
    out: &mut [f64],
) -> Result<(), String> {
    check_square("cholesky_factor_corr", l, k)?;
    for i in 0..k {
        let norm: f64 = (0..=i).map(|j| l[i + j * k] * l[i + j * k]).sum();
        if !((norm - 1.0).abs() <= 1e-8) {
            return Err(format!(
                "cholesky_factor_corr: row {} has norm {}, but must have norm 1",
                i + 1,
                norm.sqrt()
            ));
        }
    }
    check_lower_triangular("cholesky_factor_corr", l, k, k)?;
    let mut pos = 0;
    for i in 1..k {
        let mut sum_sqs = 0.0;
        for j in 0..i {
            let x = l[i + j * k];
            let z = if j == 0 { x } else { x / (1.0 - sum_sqs).sqrt() };
            out[pos] = z.atanh();
            pos += 1;
            sum_sqs += x * x;
        }
    }
    Ok(())
}

fn check_square(name: &str, l: &[f64], k: usize) -> Result<(), String> {
    if l.len() != k * k {
        return Err(format!(
            "{name}: expected {} elements for a {k} x {k} matrix, found {}",
            k * k,
            l.len()
        ));
    }
    Ok(())
}

fn check_lower_triangular(name: &str, l: &[f64], m: usize, n: usize) -> Result<(), String> {
    for j in 0..n {
        for i in 0..m {
            let v = l[i + j * m];
            if i < j && v != 0.0 {
                return Err(format!(
                    "{name}: element [{}, {}] is {v}, but must be 0 above the diagonal",
                    i + 1,
                    j + 1
                ));
            }
            if i == j && !(v > 0.0) {
                return Err(format!(
                    "{name}: diagonal element [{}, {}] is {v}, but must be positive",
                    i + 1,
                    j + 1
                ));
            }
            if !v.is_finite() {
                return Err(format!(
                    "{name}: element [{}, {}] is {v}, but must be finite",
                    i + 1,
                    j + 1
                ));
            }
        }
    }
    Ok(())
}

/// Number of free coordinates of `cholesky_factor_cov[m, n]` (`m >= n`).
pub fn cholesky_factor_cov_free_dim(m: usize, n: usize) -> usize {
    n * (n + 1) / 2 + m.saturating_sub(n) * n
}

/// The `m x n` lower-triangular Cholesky factor of a covariance matrix from `y`, read row by
/// row; diagonal entries are `exp` of their coordinate, which is added to `lp`.
pub fn cholesky_factor_cov<S: Scalar>(y: &[S], m: usize, n: usize, out: &mut [S], lp: &mut S) {
    for v in out.iter_mut() {
        *v = S::zero();
    }
    let mut pos = 0;
    for i in 0..m {
        for j in 0..n.min(i + 1) {
            let v = y[pos];
            pos += 1;
            out[i + j * m] = if i == j {
                *lp += v;
                v.exp()
            } else {
                v
            };
        }
    }
}

/// The inverse of [`cholesky_factor_cov`]; fails unless `l` is lower triangular with a
/// positive diagonal.
pub fn cholesky_factor_cov_unconstrain(
    l: &[f64],
    m: usize,
    n: usize,
    out: &mut [f64],
) -> Result<(), String> {
    if l.len() != m * n || m < n {
        return Err(format!("cholesky_factor_cov: expected an {m} x {n} matrix with m >= n"));
    }
    check_lower_triangular("cholesky_factor_cov", l, m, n)?;
    let mut pos = 0;
    for i in 0..m {
        for j in 0..n.min(i + 1) {
            let v = l[i + j * m];
            out[pos] = if i == j { v.ln() } else { v };
            pos += 1;
        }
    }
    Ok(())
}

/// Number of free coordinates of `cov_matrix[k]`.
pub fn cov_matrix_free_dim(k: usize) -> usize {
    k * (k + 1) / 2
}

/// The `k x k` covariance matrix `L L^T` from `y`, where `L` is built as by
/// [`cholesky_factor_cov`]; `lp` gets the Jacobian of both steps,
/// `k ln 2 + sum_i (k - i + 1) ln L_ii` (0-based `i`).
pub fn cov_matrix<S: Scalar>(y: &[S], k: usize, out: &mut [S], lp: &mut S) {
    let mut unused = S::zero();
    cholesky_factor_cov(y, k, k, out, &mut unused);
    *lp += std::f64::consts::LN_2 * k as f64;
    for i in 0..k {
        *lp += out[i + i * k].ln() * (k - i + 1) as f64;
    }
    multiply_lower_tri_self_transpose_in_place(out, k);
}

/// Replaces the lower-triangular `l` by `l l^T`, without scratch space: the strictly upper
/// triangle (zero in `l`) takes the off-diagonal products first, then the diagonal, then the
/// lower triangle is mirrored.
fn multiply_lower_tri_self_transpose_in_place<S: Scalar>(l: &mut [S], k: usize) {
    for i in 0..k {
        for j in (i + 1)..k {
            // (j, i) entry of L L^T, stored above the diagonal at (i, j).
            let mut s = S::zero();
            for c in 0..=i {
                s += l[j + c * k] * l[i + c * k];
            }
            l[i + j * k] = s;
        }
    }
    for i in 0..k {
        let mut s = S::zero();
        for c in 0..=i {
            s += l[i + c * k] * l[i + c * k];
        }
        l[i + i * k] = s;
    }
    for i in 0..k {
        for j in (i + 1)..k {
            l[j + i * k] = l[i + j * k];
        }
    }
}

/// The inverse of [`cov_matrix`]; fails unless `sigma` is symmetric positive definite.
pub fn cov_matrix_unconstrain(sigma: &[f64], k: usize, out: &mut [f64]) -> Result<(), String> {
    check_square("cov_matrix", sigma, k)?;
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        for i in j..k {
            let (a, b) = (sigma[i + j * k], sigma[j + i * k]);
            if (a - b).abs() > 1e-8 * a.abs().max(b.abs()).max(1.0) {
                return Err(format!("cov_matrix: not symmetric at [{}, {}]", i + 1, j + 1));
            }
            let mut s = a;
            for c in 0..j {
                s -= l[i + c * k] * l[j + c * k];
            }
            if i == j {
                if !(s > 0.0) {
                    return Err("cov_matrix: not positive definite".to_string());
                }
                l[i + j * k] = s.sqrt();
            } else {
                l[i + j * k] = s / l[j + j * k];
            }
        }
    }
    cholesky_factor_cov_unconstrain(&l, k, k, out)
}
