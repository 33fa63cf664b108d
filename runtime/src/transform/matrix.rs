//! Transforms of matrices: Cholesky factors of correlation and covariance matrices, and
//! covariance matrices (Stan reference manual, "Cholesky factors of correlation matrices",
//! "Cholesky factors of covariance matrices" and "Covariance matrices"). Matrices are
//! column-major: entry (i, j) of an `m`-row matrix is `out[i + j * m]`.

// Negated comparisons (`!(y >= lb)`) are deliberate: they reject NaN with the out-of-range
// values. Linear algebra reads best with the textbook's index loops.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use crate::math::log1m;
use crate::model::Real;
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
                    "{name}: element [{}, {}] is {}, but must be 0 above the diagonal",
                    i + 1,
                    j + 1,
                    Real(v)
                ));
            }
            if i == j && !(v > 0.0) {
                return Err(format!(
                    "{name}: diagonal element [{}, {}] is {}, but must be positive",
                    i + 1,
                    j + 1,
                    Real(v)
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

/// Number of free coordinates of `corr_matrix[k]`.
pub fn corr_matrix_free_dim(k: usize) -> usize {
    cholesky_factor_corr_free_dim(k)
}

/// The `k x k` correlation matrix `L L^T` from `y`, where `L` is built as by
/// [`cholesky_factor_corr`]. `lp` gets that transform's Jacobian plus the one of `L -> L L^T`
/// on correlation matrices, `sum_i (k - i) ln L_ii` (1-based `i`; the LKJ paper's identity
/// between the densities of a correlation matrix and of its Cholesky factor).
pub fn corr_matrix<S: Scalar>(y: &[S], k: usize, out: &mut [S], lp: &mut S) {
    cholesky_factor_corr(y, k, out, lp);
    for i in 1..k {
        *lp += out[i + i * k].ln() * (k - 1 - i) as f64;
    }
    multiply_lower_tri_self_transpose_in_place(out, k);
}

/// The inverse of [`corr_matrix`]; fails unless `omega` is a valid correlation matrix.
pub fn corr_matrix_unconstrain(omega: &[f64], k: usize, out: &mut [f64]) -> Result<(), String> {
    check_square("corr_matrix", omega, k)?;
    let rows: Vec<Vec<f64>> = (0..k).map(|i| (0..k).map(|j| omega[i + j * k]).collect()).collect();
    matrix_constraint("corr_matrix", &rows).map_err(|why| format!("corr_matrix: {why}"))?;
    let mut l = vec![0.0; k * k];
    lower_cholesky(&rows, &mut l).map_err(|why| format!("corr_matrix: {why}"))?;
    cholesky_factor_corr_unconstrain(&l, k, out)
}

/// The column-major lower Cholesky factor of a symmetric matrix stored as rows.
fn lower_cholesky(rows: &[Vec<f64>], l: &mut [f64]) -> Result<(), String> {
    let k = rows.len();
    for j in 0..k {
        for i in j..k {
            let mut s = rows[i][j];
            for c in 0..j {
                s -= l[i + c * k] * l[j + c * k];
            }
            if i == j {
                if !(s > 0.0) {
                    return Err("a matrix that is not positive definite".to_string());
                }
                l[i + j * k] = s.sqrt();
            } else {
                l[i + j * k] = s / l[j + j * k];
            }
        }
    }
    Ok(())
}

/// Whether `rows` (a matrix stored as rows) is a valid value of the constrained matrix type
/// `which` (`cov_matrix`, `corr_matrix`, `cholesky_factor_cov` or `cholesky_factor_corr`);
/// the error describes what the matrix is instead: "a matrix that is not symmetric ...".
pub fn matrix_constraint(which: &str, rows: &[Vec<f64>]) -> Result<(), String> {
    let m = rows.len();
    let n = rows.first().map_or(0, Vec::len);
    let at = |i: usize, j: usize| format!("[{}, {}]", i + 1, j + 1);
    if let Some((i, j)) =
        (0..m).flat_map(|i| (0..n).map(move |j| (i, j))).find(|&(i, j)| !rows[i][j].is_finite())
    {
        return Err(format!("a matrix whose element {} is {}", at(i, j), Real(rows[i][j])));
    }
    match which {
        "cov_matrix" | "corr_matrix" => {
            if m != n {
                return Err(format!("a {m} x {n} matrix, which is not square"));
            }
            for i in 0..m {
                for j in (i + 1)..m {
                    let (a, b) = (rows[i][j], rows[j][i]);
                    if !((a - b).abs() <= 1e-8) {
                        return Err(format!(
                            "a matrix that is not symmetric: element {} is {} but element {} \
                             is {}",
                            at(i, j),
                            Real(a),
                            at(j, i),
                            Real(b)
                        ));
                    }
                }
            }
            if which == "corr_matrix"
                && let Some(i) = (0..m).find(|&i| !((rows[i][i] - 1.0).abs() <= 1e-8))
            {
                return Err(format!(
                    "a matrix whose diagonal element {} is {}, not 1",
                    at(i, i),
                    Real(rows[i][i])
                ));
            }
            lower_cholesky(rows, &mut vec![0.0; m * m])
        }
        "cholesky_factor_cov" | "cholesky_factor_corr" => {
            if m < n || (which == "cholesky_factor_corr" && m != n) {
                return Err(format!("a {m} x {n} matrix, which has fewer rows than columns"));
            }
            for i in 0..m {
                for j in 0..n {
                    let v = rows[i][j];
                    if j > i && v != 0.0 {
                        return Err(format!(
                            "a matrix whose element {} above the diagonal is {}, not 0",
                            at(i, j),
                            Real(v)
                        ));
                    }
                    if j == i && !(v > 0.0) {
                        return Err(format!(
                            "a matrix whose diagonal element {} is {}, not positive",
                            at(i, j),
                            Real(v)
                        ));
                    }
                }
            }
            if which == "cholesky_factor_corr" {
                for (i, row) in rows.iter().enumerate() {
                    let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
                    if !((norm - 1.0).abs() <= 1e-8) {
                        return Err(format!(
                            "a matrix whose row {} has norm {}, not 1",
                            i + 1,
                            Real(norm)
                        ));
                    }
                }
            }
            Ok(())
        }
        _ => Err(format!("`{which}` is not a constrained matrix type")),
    }
}

/// Number of free coordinates of the constrained matrix type `which` with `m` rows and `n`
/// columns.
pub fn matrix_free_dim(which: &str, m: usize, n: usize) -> usize {
    match which {
        "cholesky_factor_corr" => cholesky_factor_corr_free_dim(m),
        "cholesky_factor_cov" => cholesky_factor_cov_free_dim(m, n),
        "corr_matrix" => corr_matrix_free_dim(m),
        _ => cov_matrix_free_dim(m),
    }
}

/// Constrains the free coordinates `y` of the matrix type `which` into `out`, an `m x n`
/// matrix stored as rows, adding the log Jacobian to `lp`. `scratch` holds the column-major
/// result of the transform. Returns the number of coordinates read.
pub fn constrain_matrix<S: Scalar>(
    which: &str,
    y: &[S],
    m: usize,
    n: usize,
    scratch: &mut Vec<S>,
    out: &mut Vec<Vec<S>>,
    lp: &mut S,
) -> usize {
    let free = matrix_free_dim(which, m, n);
    let y = &y[..free];
    scratch.clear();
    scratch.resize(m * n, S::zero());
    match which {
        "cholesky_factor_corr" => cholesky_factor_corr(y, m, scratch, lp),
        "cholesky_factor_cov" => cholesky_factor_cov(y, m, n, scratch, lp),
        "corr_matrix" => corr_matrix(y, m, scratch, lp),
        _ => cov_matrix(y, m, scratch, lp),
    }
    crate::ops::resize2(out, m, n, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = scratch[i + j * m];
        }
    }
    free
}
