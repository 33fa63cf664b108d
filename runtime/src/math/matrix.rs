//! Matrix functions (Stan functions reference, "Matrix operations"), generic over
//! [`crate::Scalar`] so that derivatives flow through every entry.
//!
//! Matrices are stored as rows, `Vec<Vec<S>>`, the layout of generated code. Each function
//! writes its result into a caller's buffer, reusing its allocation, so that a model's
//! workspace makes repeated evaluations allocation-free. Size mismatches are fatal errors that
//! name the function and both sizes, as Stan's `invalid_argument`; values outside a function's
//! domain (a matrix that is not positive definite) are recoverable, as Stan's `domain_error`.

// Negated comparisons (`!(d > 0.0)`) are deliberate: they reject NaN with the out-of-range
// values. Linear algebra reads best with the textbook's index loops.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::args::{Arg, MatArg};
use crate::model::ModelError;
use crate::ops::{resize, resize2};
use crate::scalar::Scalar;

/// Tolerance of the symmetry check, as Stan's `CONSTRAINT_TOLERANCE`.
const SYMMETRY_TOLERANCE: f64 = 1e-8;

fn size_error(function: &str, what: String) -> ModelError {
    ModelError::fatal(format!("{function}: {what}"))
}

fn shape(rows: usize, cols: usize) -> String {
    format!("{rows} x {cols}")
}

fn n_of<S: Scalar>(x: &impl Arg<S>) -> usize {
    x.len().unwrap_or(1)
}

/// The rows and columns of a matrix stored as rows.
pub fn dims<T>(m: &[Vec<T>]) -> (usize, usize) {
    (m.len(), m.first().map_or(0, Vec::len))
}

/// Checks that two matrices combined elementwise by `op` have the same shape.
pub fn same_shape(op: &str, a: (usize, usize), b: (usize, usize)) -> Result<(), ModelError> {
    if a == b {
        return Ok(());
    }
    Err(ModelError::fatal(format!(
        "`{op}`: the left operand is {} but the right operand is {}",
        shape(a.0, a.1),
        shape(b.0, b.1)
    )))
}

fn check_square<S: Scalar>(
    function: &str,
    name: &str,
    m: &impl MatArg<S>,
) -> Result<usize, ModelError> {
    let (r, c) = (m.rows(), m.cols());
    if r == c || (r == 0) {
        Ok(r)
    } else {
        Err(size_error(function, format!("{name} must be square, but is {}", shape(r, c))))
    }
}

fn check_symmetric<S: Scalar>(
    function: &str,
    name: &str,
    m: &impl MatArg<S>,
) -> Result<(), ModelError> {
    let k = m.rows();
    for i in 0..k {
        for j in (i + 1)..k {
            let (a, b) = (m.entry_value(i, j), m.entry_value(j, i));
            if !((a - b).abs() <= SYMMETRY_TOLERANCE) {
                return Err(ModelError::recoverable(format!(
                    "{function}: {name} is not symmetric. {name}[{},{}] = {a}, but \
                     {name}[{},{}] = {b}",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1
                )));
            }
        }
    }
    Ok(())
}

/// `out = a * b`, the matrix product.
pub fn multiply<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    let (n, k) = (a.rows(), a.cols());
    if b.rows() != k {
        return Err(size_error(
            "matrix * matrix",
            format!(
                "the left operand is {} but the right operand is {}: the columns of the left \
                 must match the rows of the right",
                shape(n, k),
                shape(b.rows(), b.cols())
            ),
        ));
    }
    let m = b.cols();
    crate::ops::check_alloc("matrix * matrix", &[n, m], std::mem::size_of::<S>())?;
    resize2(out, n, m, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            let mut acc = S::zero();
            for l in 0..k {
                acc += a.entry(i, l) * b.entry(l, j);
            }
            *x = acc;
        }
    }
    Ok(())
}

/// `out = a * b` for a vector `a` and a row vector `b`: the outer product.
pub fn outer<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    let (n, m) = (n_of(&a), n_of(&b));
    crate::ops::check_alloc("vector * row_vector", &[n, m], std::mem::size_of::<S>())?;
    resize2(out, n, m, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        let x = a.at(i);
        for (j, y) in row.iter_mut().enumerate() {
            *y = x * b.at(j);
        }
    }
    Ok(())
}

/// `out = v * m` for a row vector `v`.
pub fn multiply_row_vector<S: Scalar>(
    out: &mut Vec<S>,
    v: impl Arg<S>,
    m: impl MatArg<S>,
) -> Result<(), ModelError> {
    let n = n_of(&v);
    if m.rows() != n {
        return Err(size_error(
            "row_vector * matrix",
            format!(
                "the row vector has {n} columns but the matrix is {}",
                shape(m.rows(), m.cols())
            ),
        ));
    }
    resize(out, m.cols(), S::zero());
    for (j, x) in out.iter_mut().enumerate() {
        let mut acc = S::zero();
        for i in 0..n {
            acc += v.at(i) * m.entry(i, j);
        }
        *x = acc;
    }
    Ok(())
}

/// `out = m'`.
pub fn transpose<S: Scalar>(out: &mut Vec<Vec<S>>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let (r, c) = (m.rows(), m.cols());
    resize2(out, c, r, S::zero());
    for (j, row) in out.iter_mut().enumerate() {
        for (i, x) in row.iter_mut().enumerate() {
            *x = m.entry(i, j);
        }
    }
    Ok(())
}

/// `out = L` with `L L' = m`, the lower-triangular Cholesky factor of a symmetric positive
/// definite matrix. A matrix that is not symmetric or not positive definite is a recoverable
/// error, as in Stan.
pub fn cholesky_decompose<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    m: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "cholesky_decompose";
    let k = check_square(F, "m", &m)?;
    check_symmetric(F, "m", &m)?;
    resize2(out, k, k, S::zero());
    for j in 0..k {
        let d = if S::PARTIALS {
            // One node per entry, with its partials, instead of a multiply and a subtraction
            // per term of the sum.
            let mjj = m.entry(j, j);
            let mut p = S::partials_new();
            S::partials_push(&mut p, mjj, 1.0);
            let mut v = mjj.value();
            for c in 0..j {
                let l = out[j][c];
                let lv = l.value();
                v -= lv * lv;
                S::partials_push(&mut p, l, -2.0 * lv);
            }
            S::partials_finish(p, v)
        } else {
            let mut d = m.entry(j, j);
            for c in 0..j {
                d -= out[j][c] * out[j][c];
            }
            d
        };
        if !(d.value() > 0.0) {
            return Err(ModelError::recoverable(format!(
                "{F}: Matrix m is not positive definite (pivot {} is {})",
                j + 1,
                d.value()
            )));
        }
        let djj = d.sqrt();
        out[j][j] = djj;
        for i in (j + 1)..k {
            let s = if S::PARTIALS {
                let mij = m.entry(i, j);
                let mut p = S::partials_new();
                S::partials_push(&mut p, mij, 1.0);
                let mut v = mij.value();
                for c in 0..j {
                    let (a, b) = (out[i][c], out[j][c]);
                    let (av, bv) = (a.value(), b.value());
                    v -= av * bv;
                    S::partials_push(&mut p, a, -bv);
                    S::partials_push(&mut p, b, -av);
                }
                S::partials_finish(p, v)
            } else {
                let mut s = m.entry(i, j);
                for c in 0..j {
                    s -= out[i][c] * out[j][c];
                }
                s
            };
            out[i][j] = s / djj;
        }
    }
    Ok(())
}

/// The exponentiated quadratic covariance of the points `x`:
/// `out[i][j] = alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2))`.
pub fn gp_exp_quad_cov<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    x: impl Arg<S>,
    alpha: impl Arg<S>,
    rho: impl Arg<S>,
) -> Result<(), ModelError> {
    const F: &str = "gp_exp_quad_cov";
    let (alpha, rho) = (alpha.at(0), rho.at(0));
    let n = n_of(&x);
    for i in 0..n {
        if x.value_at(i).is_nan() {
            return Err(ModelError::recoverable(format!(
                "{F}: x[{}] is nan, but must not be nan!",
                i + 1
            )));
        }
    }
    for (name, v) in [("magnitude", alpha.value()), ("length scale", rho.value())] {
        if !(v > 0.0 && v.is_finite()) {
            return Err(ModelError::recoverable(format!(
                "{F}: {name} is {v}, but must be positive finite!"
            )));
        }
    }
    resize2(out, n, n, S::zero());
    if S::PARTIALS {
        // Each entry is one node with its partials in alpha, rho and the two points.
        let (a, r) = (alpha.value(), rho.value());
        let inv_sq_rho = 1.0 / (r * r);
        let diag = {
            let mut p = S::partials_new();
            S::partials_push(&mut p, alpha, 2.0 * a);
            S::partials_finish(p, a * a)
        };
        for i in 0..n {
            out[i][i] = diag;
            let xi = x.at(i);
            for j in 0..i {
                let xj = x.at(j);
                let d = xi.value() - xj.value();
                let k = a * a * (-0.5 * d * d * inv_sq_rho).exp();
                let mut p = S::partials_new();
                S::partials_push(&mut p, alpha, 2.0 * k / a);
                S::partials_push(&mut p, rho, k * d * d * inv_sq_rho / r);
                S::partials_push(&mut p, xi, -k * d * inv_sq_rho);
                S::partials_push(&mut p, xj, k * d * inv_sq_rho);
                let k = S::partials_finish(p, k);
                out[i][j] = k;
                out[j][i] = k;
            }
        }
        return Ok(());
    }
    let sq_alpha = alpha * alpha;
    let neg_half_inv_sq_rho = -(rho * rho * 2.0).powi(-1);
    for i in 0..n {
        out[i][i] = sq_alpha;
        for j in 0..i {
            let d = x.at(i) - x.at(j);
            let k = sq_alpha * (d * d * neg_half_inv_sq_rho).exp();
            out[i][j] = k;
            out[j][i] = k;
        }
    }
    Ok(())
}

fn diagonal_len<S: Scalar>(m: &impl MatArg<S>) -> usize {
    m.rows().min(m.cols())
}

/// `out = m` with `d` added to its diagonal (`d` a scalar or a vector).
pub fn add_diag<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    m: impl MatArg<S>,
    d: impl Arg<S>,
) -> Result<(), ModelError> {
    let k = diagonal_len(&m);
    if let Some(n) = d.len()
        && n != k
    {
        return Err(size_error(
            "add_diag",
            format!(
                "the diagonal of the {} matrix has {k} entries, but d has {n}",
                shape(m.rows(), m.cols())
            ),
        ));
    }
    copy(out, &m);
    for i in 0..k {
        out[i][i] += d.at(i);
    }
    Ok(())
}

fn copy<S: Scalar>(out: &mut Vec<Vec<S>>, m: &impl MatArg<S>) {
    resize2(out, m.rows(), m.cols(), S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = m.entry(i, j);
        }
    }
}

/// `out = m`, a copy (`to_matrix` of a matrix or of a two-dimensional array).
pub fn to_matrix<S: Scalar>(out: &mut Vec<Vec<S>>, m: impl MatArg<S>) -> Result<(), ModelError> {
    copy(out, &m);
    Ok(())
}

/// The `m x n` matrix filled column by column from `v`, as Stan's `to_matrix(v, m, n)`.
pub fn to_matrix_sized<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    v: impl Arg<S>,
    m: i64,
    n: i64,
) -> Result<(), ModelError> {
    let len = n_of(&v);
    let (rows, cols) = (crate::ops::size("to_matrix", m)?, crate::ops::size("to_matrix", n)?);
    if rows.checked_mul(cols) != Some(len) {
        return Err(size_error(
            "to_matrix",
            format!("a container of {len} elements cannot fill a {} matrix", shape(rows, cols)),
        ));
    }
    resize2(out, rows, cols, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = v.at(i + j * rows);
        }
    }
    Ok(())
}

/// The entries of `m` column by column, as Stan's `to_vector(m)`.
pub fn to_vector<S: Scalar>(out: &mut Vec<S>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let (r, c) = (m.rows(), m.cols());
    resize(out, r * c, S::zero());
    for j in 0..c {
        for i in 0..r {
            out[i + j * r] = m.entry(i, j);
        }
    }
    Ok(())
}

/// The diagonal matrix with diagonal `v`.
pub fn diag_matrix<S: Scalar>(out: &mut Vec<Vec<S>>, v: impl Arg<S>) -> Result<(), ModelError> {
    let n = n_of(&v);
    resize2(out, n, n, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        row[i] = v.at(i);
    }
    Ok(())
}

/// The diagonal of `m`.
pub fn diagonal<S: Scalar>(out: &mut Vec<S>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let k = diagonal_len(&m);
    resize(out, k, S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = m.entry(i, i);
    }
    Ok(())
}

/// `out = diag_matrix(v) * m`: row `i` of `m` scaled by `v[i]`.
pub fn diag_pre_multiply<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    v: impl Arg<S>,
    m: impl MatArg<S>,
) -> Result<(), ModelError> {
    let n = n_of(&v);
    if n != m.rows() {
        return Err(size_error(
            "diag_pre_multiply",
            format!("v has {n} elements but m is {}", shape(m.rows(), m.cols())),
        ));
    }
    copy(out, &m);
    for (i, row) in out.iter_mut().enumerate() {
        let s = v.at(i);
        for x in row.iter_mut() {
            *x = s * *x;
        }
    }
    Ok(())
}

/// `out = m * diag_matrix(v)`: column `j` of `m` scaled by `v[j]`.
pub fn diag_post_multiply<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    m: impl MatArg<S>,
    v: impl Arg<S>,
) -> Result<(), ModelError> {
    let n = n_of(&v);
    if n != m.cols() {
        return Err(size_error(
            "diag_post_multiply",
            format!("m is {} but v has {n} elements", shape(m.rows(), m.cols())),
        ));
    }
    copy(out, &m);
    for row in out.iter_mut() {
        for (j, x) in row.iter_mut().enumerate() {
            *x *= v.at(j);
        }
    }
    Ok(())
}

/// The `n x n` identity matrix.
pub fn identity_matrix<S: Scalar>(out: &mut Vec<Vec<S>>, n: i64) -> Result<(), ModelError> {
    let n = crate::ops::size("identity_matrix", n)?;
    crate::ops::check_alloc("identity_matrix", &[n, n], std::mem::size_of::<S>())?;
    resize2(out, n, n, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        row[i] = S::one();
    }
    Ok(())
}

/// The `m x n` matrix whose every entry is `x`.
pub fn rep_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    x: impl Arg<S>,
    m: i64,
    n: i64,
) -> Result<(), ModelError> {
    let (m, n) = (crate::ops::size("rep_matrix", m)?, crate::ops::size("rep_matrix", n)?);
    crate::ops::check_alloc("rep_matrix", &[m, n], std::mem::size_of::<S>())?;
    resize2(out, m, n, x.at(0));
    Ok(())
}

/// The matrix of `n` columns, each equal to the vector `v`.
pub fn rep_matrix_columns<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    v: impl Arg<S>,
    n: i64,
) -> Result<(), ModelError> {
    let n = crate::ops::size("rep_matrix", n)?;
    crate::ops::check_alloc("rep_matrix", &[n_of(&v), n], std::mem::size_of::<S>())?;
    resize2(out, n_of(&v), n, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        let x = v.at(i);
        row.iter_mut().for_each(|y| *y = x);
    }
    Ok(())
}

/// The matrix of `m` rows, each equal to the row vector `v`.
pub fn rep_matrix_rows<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    v: impl Arg<S>,
    m: i64,
) -> Result<(), ModelError> {
    let m = crate::ops::size("rep_matrix", m)?;
    crate::ops::check_alloc("rep_matrix", &[m, n_of(&v)], std::mem::size_of::<S>())?;
    resize2(out, m, n_of(&v), S::zero());
    for row in out.iter_mut() {
        for (j, y) in row.iter_mut().enumerate() {
            *y = v.at(j);
        }
    }
    Ok(())
}

/// `out = m' m`.
pub fn crossprod<S: Scalar>(out: &mut Vec<Vec<S>>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let (r, c) = (m.rows(), m.cols());
    resize2(out, c, c, S::zero());
    for i in 0..c {
        for j in 0..=i {
            let mut acc = S::zero();
            for l in 0..r {
                acc += m.entry(l, i) * m.entry(l, j);
            }
            out[i][j] = acc;
            out[j][i] = acc;
        }
    }
    Ok(())
}

/// `out = m m'`.
pub fn tcrossprod<S: Scalar>(out: &mut Vec<Vec<S>>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let (r, c) = (m.rows(), m.cols());
    resize2(out, r, r, S::zero());
    for i in 0..r {
        for j in 0..=i {
            let mut acc = S::zero();
            for l in 0..c {
                acc += m.entry(i, l) * m.entry(j, l);
            }
            out[i][j] = acc;
            out[j][i] = acc;
        }
    }
    Ok(())
}

/// `out = L L'` where `L` is the lower triangle of `m` (entries above the diagonal are
/// ignored, as in Stan).
pub fn multiply_lower_tri_self_transpose<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    m: impl MatArg<S>,
) -> Result<(), ModelError> {
    let (r, c) = (m.rows(), m.cols());
    resize2(out, r, r, S::zero());
    for i in 0..r {
        for j in 0..=i {
            let mut acc = S::zero();
            // Row j of the lower triangle ends at column min(j, c - 1).
            for l in 0..c.min(j + 1) {
                acc += m.entry(i, l) * m.entry(j, l);
            }
            out[i][j] = acc;
            out[j][i] = acc;
        }
    }
    Ok(())
}

/// Checks that `l` is square with `n` rows, for the triangular solves.
fn check_solve<S: Scalar>(
    function: &str,
    l: &impl MatArg<S>,
    what: &str,
    n: usize,
) -> Result<usize, ModelError> {
    let k = check_square(function, "L", l)?;
    if k != n {
        return Err(size_error(function, format!("L is {} but {what} has size {n}", shape(k, k))));
    }
    Ok(k)
}

/// `out = L \ b` for a vector `b`, using the lower triangle of `L` (forward substitution).
pub fn mdivide_left_tri_low<S: Scalar>(
    out: &mut Vec<S>,
    l: impl MatArg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    let k = check_solve("mdivide_left_tri_low", &l, "b", n_of(&b))?;
    resize(out, k, S::zero());
    for i in 0..k {
        let mut r = b.at(i);
        for j in 0..i {
            r -= l.entry(i, j) * out[j];
        }
        out[i] = r / l.entry(i, i);
    }
    Ok(())
}

/// `out = L \ B` for a matrix `B`, column by column.
pub fn mdivide_left_tri_low_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    l: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    let k = check_solve("mdivide_left_tri_low", &l, "the rows of B", b.rows())?;
    let c = b.cols();
    resize2(out, k, c, S::zero());
    for j in 0..c {
        for i in 0..k {
            let mut r = b.entry(i, j);
            for p in 0..i {
                r -= l.entry(i, p) * out[p][j];
            }
            out[i][j] = r / l.entry(i, i);
        }
    }
    Ok(())
}

/// `out = b / L` for a row vector `b`: the `x` with `x L = b`, using the lower triangle of
/// `L` (backward substitution on `L' x' = b'`).
pub fn mdivide_right_tri_low<S: Scalar>(
    out: &mut Vec<S>,
    b: impl Arg<S>,
    l: impl MatArg<S>,
) -> Result<(), ModelError> {
    let k = check_solve("mdivide_right_tri_low", &l, "b", n_of(&b))?;
    resize(out, k, S::zero());
    for j in (0..k).rev() {
        let mut r = b.at(j);
        for i in (j + 1)..k {
            r -= out[i] * l.entry(i, j);
        }
        out[j] = r / l.entry(j, j);
    }
    Ok(())
}

/// `out = B / L` for a matrix `B`, row by row.
pub fn mdivide_right_tri_low_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    b: impl MatArg<S>,
    l: impl MatArg<S>,
) -> Result<(), ModelError> {
    let k = check_solve("mdivide_right_tri_low", &l, "the columns of B", b.cols())?;
    let r = b.rows();
    resize2(out, r, k, S::zero());
    for (row, x) in out.iter_mut().enumerate() {
        for j in (0..k).rev() {
            let mut acc = b.entry(row, j);
            for i in (j + 1)..k {
                acc -= x[i] * l.entry(i, j);
            }
            x[j] = acc / l.entry(j, j);
        }
    }
    Ok(())
}

/// `ln |det m|`, by LU decomposition with partial pivoting (pivots chosen on values).
/// `scratch` holds the working copy.
pub fn log_determinant<S: Scalar>(
    m: impl MatArg<S>,
    scratch: &mut Vec<Vec<S>>,
) -> Result<S, ModelError> {
    let k = check_square("log_determinant", "m", &m)?;
    copy(scratch, &m);
    let a = scratch;
    let mut total = S::zero();
    for c in 0..k {
        let p = (c..k)
            .max_by(|&i, &j| a[i][c].value().abs().total_cmp(&a[j][c].value().abs()))
            .unwrap_or(c);
        a.swap(c, p);
        let d = a[c][c];
        if d.value() == 0.0 {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
        total += d.abs().ln();
        for r in (c + 1)..k {
            let f = a[r][c] / d;
            for q in c..k {
                let sub = f * a[c][q];
                a[r][q] -= sub;
            }
        }
    }
    Ok(total)
}

/// Column `j` (1-based) of `m`, as `m[:, j]`.
pub fn column<S: Scalar>(
    out: &mut Vec<S>,
    m: impl MatArg<S>,
    j: i64,
    name: &str,
) -> Result<(), ModelError> {
    let c = m.cols();
    if !(j >= 1 && j as u64 <= c as u64) {
        return Err(ModelError::fatal(format!(
            "column index {j} out of range for `{name}`, which has {c} columns"
        )));
    }
    let j = (j - 1) as usize;
    resize(out, m.rows(), S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = m.entry(i, j);
    }
    Ok(())
}

/// The elements of a vector, row vector or array, as a vector (`to_vector`).
pub fn to_vector_of<S: Scalar>(out: &mut Vec<S>, x: impl Arg<S>) -> Result<(), ModelError> {
    resize(out, n_of(&x), S::zero());
    for (i, y) in out.iter_mut().enumerate() {
        *y = x.at(i);
    }
    Ok(())
}

/// Largest dimension whose scratch space lives on the stack; larger ones allocate.
const STACK_DIM: usize = 16;

/// Scratch space of `n` scalars: on the stack when it fits, else on the heap, so that the
/// solves of small systems inside a log density allocate nothing.
pub(crate) fn with_scratch<S: Scalar, R>(n: usize, f: impl FnOnce(&mut [S]) -> R) -> R {
    if n <= STACK_DIM * STACK_DIM {
        let mut stack = [S::zero(); STACK_DIM * STACK_DIM];
        f(&mut stack[..n])
    } else {
        f(&mut vec![S::zero(); n])
    }
}

/// The right-hand side of a linear system being solved in place: `k` unknowns, each a row of
/// values (one per right-hand side). Elimination only ever combines whole rows.
trait Rhs<S: Scalar> {
    /// Exchanges unknowns `i` and `p`.
    fn swap(&mut self, i: usize, p: usize);
    /// Row `r` minus `f` times row `c`.
    fn sub_scaled(&mut self, r: usize, c: usize, f: S);
    /// Row `i` divided by `d`.
    fn divide(&mut self, i: usize, d: S);
}

/// One right-hand side: a vector, one value per unknown.
impl<S: Scalar> Rhs<S> for Vec<S> {
    fn swap(&mut self, i: usize, p: usize) {
        self.as_mut_slice().swap(i, p);
    }
    fn sub_scaled(&mut self, r: usize, c: usize, f: S) {
        let x = self[c];
        self[r] -= f * x;
    }
    fn divide(&mut self, i: usize, d: S) {
        self[i] /= d;
    }
}

/// Several right-hand sides stored as the rows of a matrix: unknown `i` is row `i`.
struct Rows<'a, S>(&'a mut Vec<Vec<S>>);

impl<S: Scalar> Rhs<S> for Rows<'_, S> {
    fn swap(&mut self, i: usize, p: usize) {
        self.0.swap(i, p);
    }
    fn sub_scaled(&mut self, r: usize, c: usize, f: S) {
        for j in 0..self.0[r].len() {
            let x = self.0[c][j];
            self.0[r][j] -= f * x;
        }
    }
    fn divide(&mut self, i: usize, d: S) {
        for x in &mut self.0[i] {
            *x /= d;
        }
    }
}

/// Several right-hand sides stored as the columns of a matrix (the transposed system of a
/// right division): unknown `i` is column `i`.
struct Columns<'a, S>(&'a mut Vec<Vec<S>>);

impl<S: Scalar> Rhs<S> for Columns<'_, S> {
    fn swap(&mut self, i: usize, p: usize) {
        for row in self.0.iter_mut() {
            row.swap(i, p);
        }
    }
    fn sub_scaled(&mut self, r: usize, c: usize, f: S) {
        for row in self.0.iter_mut() {
            let x = row[c];
            row[r] -= f * x;
        }
    }
    fn divide(&mut self, i: usize, d: S) {
        for row in self.0.iter_mut() {
            row[i] /= d;
        }
    }
}

/// Solves `a x = rhs` in place by Gaussian elimination with partial pivoting (pivots chosen on
/// values), `a` being `k x k` row-major and destroyed. A zero pivot means `a` is singular:
/// a recoverable error, as a proposal that makes the matrix singular is rejected.
fn lu_solve<S: Scalar>(
    function: &str,
    name: &str,
    a: &mut [S],
    k: usize,
    rhs: &mut impl Rhs<S>,
) -> Result<(), ModelError> {
    for c in 0..k {
        let p = (c..k)
            .max_by(|&i, &j| a[i * k + c].value().abs().total_cmp(&a[j * k + c].value().abs()))
            .unwrap_or(c);
        if p != c {
            for q in 0..k {
                a.swap(c * k + q, p * k + q);
            }
            rhs.swap(c, p);
        }
        let d = a[c * k + c];
        if d.value() == 0.0 {
            return Err(ModelError::recoverable(format!(
                "{function}: {name} is singular (pivot {} is 0)",
                c + 1
            )));
        }
        for r in (c + 1)..k {
            let f = a[r * k + c] / d;
            if f.value() == 0.0 {
                continue;
            }
            for q in (c + 1)..k {
                let sub = f * a[c * k + q];
                a[r * k + q] -= sub;
            }
            rhs.sub_scaled(r, c, f);
        }
    }
    for i in (0..k).rev() {
        for j in (i + 1)..k {
            rhs.sub_scaled(i, j, a[i * k + j]);
        }
        rhs.divide(i, a[i * k + i]);
    }
    Ok(())
}

/// Solves `l l' x = rhs` in place for the lower-triangular `l` (`k x k` row-major).
fn cholesky_solve<S: Scalar>(l: &[S], k: usize, rhs: &mut impl Rhs<S>) {
    for i in 0..k {
        for j in 0..i {
            rhs.sub_scaled(i, j, l[i * k + j]);
        }
        rhs.divide(i, l[i * k + i]);
    }
    for i in (0..k).rev() {
        for j in (i + 1)..k {
            rhs.sub_scaled(i, j, l[j * k + i]);
        }
        rhs.divide(i, l[i * k + i]);
    }
}

/// Checks that `m` (called `name`) is square and that the system's other side, `what`, has
/// `n` entries along the shared dimension; returns the size.
fn check_system<S: Scalar>(
    function: &str,
    name: &str,
    m: &impl MatArg<S>,
    what: &str,
    n: usize,
) -> Result<usize, ModelError> {
    let k = check_square(function, name, m)?;
    if k != n {
        return Err(size_error(
            function,
            format!("{name} is {} but {what} has size {n}", shape(k, k)),
        ));
    }
    Ok(k)
}

/// Copies `m` (or its transpose) into the row-major `a`.
fn copy_flat<S: Scalar>(a: &mut [S], m: &impl MatArg<S>, k: usize, transposed: bool) {
    for i in 0..k {
        for j in 0..k {
            a[i * k + j] = if transposed { m.entry(j, i) } else { m.entry(i, j) };
        }
    }
}

/// The lower Cholesky factor of the symmetric positive definite `m` into the row-major `l`,
/// with Stan's errors for `mdivide_left_spd` and `mdivide_right_spd`.
fn spd_factor<S: Scalar>(
    function: &str,
    m: &impl MatArg<S>,
    l: &mut [S],
    k: usize,
) -> Result<(), ModelError> {
    check_symmetric(function, "matrix A", m)?;
    for j in 0..k {
        let mut d = m.entry(j, j);
        for c in 0..j {
            d -= l[j * k + c] * l[j * k + c];
        }
        if !(d.value() > 0.0) {
            return Err(ModelError::recoverable(format!(
                "{function}: matrix A is not positive definite"
            )));
        }
        let djj = d.sqrt();
        l[j * k + j] = djj;
        for i in (j + 1)..k {
            let mut s = m.entry(i, j);
            for c in 0..j {
                s -= l[i * k + c] * l[j * k + c];
            }
            l[i * k + j] = s / djj;
        }
    }
    Ok(())
}

/// `out = m^-1`, by Gaussian elimination with partial pivoting on the identity. A singular
/// matrix is a recoverable error.
pub fn inverse<S: Scalar>(out: &mut Vec<Vec<S>>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let k = check_square("inverse", "m", &m)?;
    resize2(out, k, k, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        row[i] = S::one();
    }
    with_scratch(k * k, |a: &mut [S]| {
        copy_flat(a, &m, k, false);
        lu_solve("inverse", "m", a, k, &mut Rows(out))
    })
}

/// `out = A \ b` for a vector `b`: the `x` with `A x = b`. A singular `A` is a recoverable
/// error.
pub fn mdivide_left<S: Scalar>(
    out: &mut Vec<S>,
    a: impl MatArg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_left";
    let k = check_system(F, "A", &a, "b", n_of(&b))?;
    resize(out, k, S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = b.at(i);
    }
    with_scratch(k * k, |s: &mut [S]| {
        copy_flat(s, &a, k, false);
        lu_solve(F, "A", s, k, out)
    })
}

/// `out = A \ B` for a matrix `B`.
pub fn mdivide_left_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_left";
    let k = check_system(F, "A", &a, "the rows of B", b.rows())?;
    copy(out, &b);
    with_scratch(k * k, |s: &mut [S]| {
        copy_flat(s, &a, k, false);
        lu_solve(F, "A", s, k, &mut Rows(out))
    })
}

/// `out = b / A` for a row vector `b`: the `x` with `x A = b`, solved as `A' x' = b'`.
pub fn mdivide_right<S: Scalar>(
    out: &mut Vec<S>,
    b: impl Arg<S>,
    a: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_right";
    let k = check_system(F, "A", &a, "b", n_of(&b))?;
    resize(out, k, S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = b.at(i);
    }
    with_scratch(k * k, |s: &mut [S]| {
        copy_flat(s, &a, k, true);
        lu_solve(F, "A", s, k, out)
    })
}

/// `out = B / A` for a matrix `B`, each row solved as in [`mdivide_right`].
pub fn mdivide_right_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    b: impl MatArg<S>,
    a: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_right";
    let k = check_system(F, "A", &a, "the columns of B", b.cols())?;
    copy(out, &b);
    with_scratch(k * k, |s: &mut [S]| {
        copy_flat(s, &a, k, true);
        lu_solve(F, "A", s, k, &mut Columns(out))
    })
}

/// `out = A \ b` for a symmetric positive definite `A` and a vector `b`, through the Cholesky
/// factor of `A`. A matrix that is not symmetric positive definite is a recoverable error.
pub fn mdivide_left_spd<S: Scalar>(
    out: &mut Vec<S>,
    a: impl MatArg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_left_spd";
    let k = check_system(F, "A", &a, "b", n_of(&b))?;
    resize(out, k, S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = b.at(i);
    }
    with_scratch(k * k, |l: &mut [S]| {
        spd_factor(F, &a, l, k)?;
        cholesky_solve(l, k, out);
        Ok(())
    })
}

/// `out = A \ B` for a symmetric positive definite `A` and a matrix `B`.
pub fn mdivide_left_spd_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_left_spd";
    let k = check_system(F, "A", &a, "the rows of B", b.rows())?;
    copy(out, &b);
    with_scratch(k * k, |l: &mut [S]| {
        spd_factor(F, &a, l, k)?;
        cholesky_solve(l, k, &mut Rows(out));
        Ok(())
    })
}

/// `out = b / A` for a row vector `b` and a symmetric positive definite `A`.
pub fn mdivide_right_spd<S: Scalar>(
    out: &mut Vec<S>,
    b: impl Arg<S>,
    a: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_right_spd";
    let k = check_system(F, "A", &a, "b", n_of(&b))?;
    resize(out, k, S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = b.at(i);
    }
    // A is symmetric, so `x A = b` is `A x' = b'`.
    with_scratch(k * k, |l: &mut [S]| {
        spd_factor(F, &a, l, k)?;
        cholesky_solve(l, k, out);
        Ok(())
    })
}

/// `out = B / A` for a matrix `B` and a symmetric positive definite `A`.
pub fn mdivide_right_spd_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    b: impl MatArg<S>,
    a: impl MatArg<S>,
) -> Result<(), ModelError> {
    const F: &str = "mdivide_right_spd";
    let k = check_system(F, "A", &a, "the columns of B", b.cols())?;
    copy(out, &b);
    with_scratch(k * k, |l: &mut [S]| {
        spd_factor(F, &a, l, k)?;
        cholesky_solve(l, k, &mut Columns(out));
        Ok(())
    })
}
