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
        if S::PARTIALS {
            cholesky_column_partials(F, out, &m, j)?;
            continue;
        }
        let mut d = m.entry(j, j);
        for c in 0..j {
            d -= out[j][c] * out[j][c];
        }
        check_pivot(F, j, d.value())?;
        let djj = d.sqrt();
        out[j][j] = djj;
        for i in (j + 1)..k {
            let mut s = m.entry(i, j);
            for c in 0..j {
                s -= out[i][c] * out[j][c];
            }
            out[i][j] = s / djj;
        }
    }
    Ok(())
}

/// The error for a pivot `d` of column `j` that is not positive.
fn check_pivot(function: &str, j: usize, d: f64) -> Result<(), ModelError> {
    if d > 0.0 {
        return Ok(());
    }
    Err(ModelError::recoverable(format!(
        "{function}: Matrix m is not positive definite (pivot {} is {d})",
        j + 1
    )))
}

/// Column `j` of the Cholesky factor from its partial derivatives: each entry is one node
/// whose parents are the entry of `m` and the earlier entries of `out` it is computed from,
/// instead of a multiply and a subtraction per term of its sum, then a square root or a
/// division.
fn cholesky_column_partials<S: Scalar>(
    function: &str,
    out: &mut [Vec<S>],
    m: &impl MatArg<S>,
    j: usize,
) -> Result<(), ModelError> {
    // L_jj = sqrt(d) with d = m_jj - sum_c L_jc^2.
    let mut d = m.entry_value(j, j);
    for c in 0..j {
        let lv = out[j][c].value();
        d -= lv * lv;
    }
    check_pivot(function, j, d)?;
    let ljj = d.sqrt();
    let half = 0.5 / ljj;
    let mut p = S::partials_new();
    S::partials_push(&mut p, m.entry(j, j), half);
    for c in 0..j {
        let l = out[j][c];
        S::partials_push(&mut p, l, -2.0 * l.value() * half);
    }
    let djj = S::partials_finish(p, ljj);
    out[j][j] = djj;
    // L_ij = s / L_jj with s = m_ij - sum_c L_ic L_jc.
    let inv = 1.0 / ljj;
    for i in (j + 1)..out.len() {
        let mut p = S::partials_new();
        S::partials_push(&mut p, m.entry(i, j), inv);
        let mut s = m.entry_value(i, j);
        for c in 0..j {
            let (a, b) = (out[i][c], out[j][c]);
            let (av, bv) = (a.value(), b.value());
            s -= av * bv;
            S::partials_push(&mut p, a, -bv * inv);
            S::partials_push(&mut p, b, -av * inv);
        }
        let lij = s / ljj;
        S::partials_push(&mut p, djj, -lij * inv);
        out[i][j] = S::partials_finish(p, lij);
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
    lu_solve_vector("mdivide_left", out, &a, &b, false)
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
    lu_solve_vector("mdivide_right", out, &a, &b, true)
}

/// Copies the vector `b` into `out`, where a solve with `A` (called `A` in errors of
/// `function`) overwrites it, after checking their sizes; the size.
fn start_vector_solve<S: Scalar>(
    function: &'static str,
    out: &mut Vec<S>,
    a: &impl MatArg<S>,
    b: &impl Arg<S>,
) -> Result<usize, ModelError> {
    let k = check_system(function, "A", a, "b", n_of(b))?;
    resize(out, k, S::zero());
    for (i, x) in out.iter_mut().enumerate() {
        *x = b.at(i);
    }
    Ok(k)
}

/// `out = A \ b`, or `b / A` when `transposed`, for a vector `b`, by Gaussian elimination.
fn lu_solve_vector<S: Scalar>(
    function: &'static str,
    out: &mut Vec<S>,
    a: &impl MatArg<S>,
    b: &impl Arg<S>,
    transposed: bool,
) -> Result<(), ModelError> {
    let k = start_vector_solve(function, out, a, b)?;
    with_scratch(k * k, |s: &mut [S]| {
        copy_flat(s, a, k, transposed);
        lu_solve(function, "A", s, k, out)
    })
}

/// `out = A \ b` for a symmetric positive definite `A` and a vector `b`, through the Cholesky
/// factor of `A`; `b / A` is the same solve, as `A` is symmetric.
fn spd_solve_vector<S: Scalar>(
    function: &'static str,
    out: &mut Vec<S>,
    a: &impl MatArg<S>,
    b: &impl Arg<S>,
) -> Result<(), ModelError> {
    let k = start_vector_solve(function, out, a, b)?;
    with_scratch(k * k, |l: &mut [S]| {
        spd_factor(function, a, l, k)?;
        cholesky_solve(l, k, out);
        Ok(())
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
    spd_solve_vector("mdivide_left_spd", out, &a, &b)
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
    spd_solve_vector("mdivide_right_spd", out, &a, &b)
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

fn nonzero<S: Scalar>(function: &str, name: &str, x: &impl Arg<S>) -> Result<usize, ModelError> {
    match n_of(x) {
        0 => Err(size_error(function, format!("{name} has size 0, but must have a non-zero size"))),
        n => Ok(n),
    }
}

/// `softmax(v)`: `exp(v) / sum(exp(v))`, with the maximum subtracted first so that large
/// entries do not overflow; an empty vector is an error, as in Stan.
pub fn softmax<S: Scalar>(out: &mut Vec<S>, v: impl Arg<S>) -> Result<(), ModelError> {
    let n = nonzero("softmax", "v", &v)?;
    let top = (0..n).map(|i| v.value_at(i)).fold(f64::NEG_INFINITY, f64::max);
    resize(out, n, S::zero());
    let mut total = S::zero();
    for (i, y) in out.iter_mut().enumerate() {
        *y = (v.at(i) - top).exp();
        total += *y;
    }
    for y in out.iter_mut() {
        *y /= total;
    }
    Ok(())
}

/// `log_softmax(v)`: `v - log_sum_exp(v)`, stable for large entries; an empty vector is an
/// error, as in Stan.
pub fn log_softmax<S: Scalar>(out: &mut Vec<S>, v: impl Arg<S>) -> Result<(), ModelError> {
    nonzero("log_softmax", "v", &v)?;
    let lse = super::log_sum_exp_of(&v);
    to_vector_of(out, &v)?;
    for y in out.iter_mut() {
        *y -= lse;
    }
    Ok(())
}

/// The running sums of a vector, row vector or array (`cumulative_sum`).
pub fn cumulative_sum<S: Scalar>(out: &mut Vec<S>, x: impl Arg<S>) -> Result<(), ModelError> {
    resize(out, n_of(&x), S::zero());
    let mut acc = S::zero();
    for (i, y) in out.iter_mut().enumerate() {
        acc = if i == 0 { x.at(0) } else { acc + x.at(i) };
        *y = acc;
    }
    Ok(())
}

/// Products of corresponding entries, for the `rows_dot_product` of two vectors and the
/// `columns_dot_product` of two row vectors (each row, or column, has one entry).
fn products<S: Scalar>(
    function: &str,
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    let (n, m) = (n_of(&a), n_of(&b));
    if n != m {
        return Err(size_error(function, format!("x has {n} elements but y has {m}")));
    }
    resize(out, n, S::zero());
    for (i, y) in out.iter_mut().enumerate() {
        *y = a.at(i) * b.at(i);
    }
    Ok(())
}

/// The dot product of two vectors as a one-element vector, for the `rows_dot_product` of two
/// row vectors and the `columns_dot_product` of two vectors.
fn whole_dot<S: Scalar>(
    function: &str,
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    let (n, m) = (n_of(&a), n_of(&b));
    if n != m {
        return Err(size_error(function, format!("x has {n} elements but y has {m}")));
    }
    let d = super::dot_product(&a, &b)?;
    resize(out, 1, d);
    Ok(())
}

/// `rows_dot_product` of two vectors: the products of their entries.
pub fn rows_dot_product<S: Scalar>(
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    products("rows_dot_product", out, a, b)
}

/// `rows_dot_product` of two row vectors: their dot product, as a one-element vector.
pub fn rows_dot_product_row<S: Scalar>(
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    whole_dot("rows_dot_product", out, a, b)
}

/// `columns_dot_product` of two row vectors: the products of their entries.
pub fn columns_dot_product_row<S: Scalar>(
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    products("columns_dot_product", out, a, b)
}

/// `columns_dot_product` of two vectors: their dot product, as a one-element row vector.
pub fn columns_dot_product<S: Scalar>(
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    whole_dot("columns_dot_product", out, a, b)
}

fn same_dims<S: Scalar>(
    function: &str,
    a: &impl MatArg<S>,
    b: &impl MatArg<S>,
) -> Result<(usize, usize), ModelError> {
    let (da, db) = ((a.rows(), a.cols()), (b.rows(), b.cols()));
    if da != db {
        return Err(size_error(
            function,
            format!("x is {} but y is {}", shape(da.0, da.1), shape(db.0, db.1)),
        ));
    }
    Ok(da)
}

/// `rows_dot_product` of two matrices: the dot product of each row of `a` with the same row
/// of `b`.
pub fn rows_dot_product_matrix<S: Scalar>(
    out: &mut Vec<S>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    let (r, c) = same_dims("rows_dot_product", &a, &b)?;
    resize(out, r, S::zero());
    for (i, y) in out.iter_mut().enumerate() {
        *y = (0..c).fold(S::zero(), |acc, j| acc + a.entry(i, j) * b.entry(i, j));
    }
    Ok(())
}

/// `columns_dot_product` of two matrices: the dot product of each column of `a` with the same
/// column of `b`.
pub fn columns_dot_product_matrix<S: Scalar>(
    out: &mut Vec<S>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    let (r, c) = same_dims("columns_dot_product", &a, &b)?;
    resize(out, c, S::zero());
    for (j, y) in out.iter_mut().enumerate() {
        *y = (0..r).fold(S::zero(), |acc, i| acc + a.entry(i, j) * b.entry(i, j));
    }
    Ok(())
}

/// `columns_dot_self` of a matrix: the squared norm of each column.
pub fn columns_dot_self<S: Scalar>(out: &mut Vec<S>, m: impl MatArg<S>) -> Result<(), ModelError> {
    let (r, c) = (m.rows(), m.cols());
    resize(out, c, S::zero());
    for (j, y) in out.iter_mut().enumerate() {
        *y = (0..r).fold(S::zero(), |acc, i| acc + m.entry(i, j).square());
    }
    Ok(())
}

/// `columns_dot_self` of a vector (one column): its squared norm, as a one-element row vector.
pub fn columns_dot_self_vector<S: Scalar>(
    out: &mut Vec<S>,
    v: impl Arg<S>,
) -> Result<(), ModelError> {
    let d = super::dot_self(&v);
    resize(out, 1, d);
    Ok(())
}

/// `columns_dot_self` of a row vector (columns of one entry): the squares of its entries.
pub fn columns_dot_self_row<S: Scalar>(out: &mut Vec<S>, v: impl Arg<S>) -> Result<(), ModelError> {
    resize(out, n_of(&v), S::zero());
    for (i, y) in out.iter_mut().enumerate() {
        *y = v.at(i).square();
    }
    Ok(())
}

/// The entries of `a` followed by those of `b`, where a scalar counts as one entry: the
/// `append_row` of vectors and reals, and the `append_col` of row vectors and reals.
pub fn append_vectors<S: Scalar>(
    out: &mut Vec<S>,
    a: impl Arg<S>,
    b: impl Arg<S>,
) -> Result<(), ModelError> {
    let n = n_of(&a);
    resize(out, n + n_of(&b), S::zero());
    for (i, y) in out.iter_mut().enumerate() {
        *y = if i < n { a.at(i) } else { b.at(i - n) };
    }
    Ok(())
}

/// `append_row` of matrices and row vectors (row vectors as one-row matrices): the rows of
/// `a` above those of `b`, which must have as many columns.
pub fn append_row_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    let (ra, ca, rb, cb) = (a.rows(), a.cols(), b.rows(), b.cols());
    if ca != cb {
        return Err(size_error(
            "append_row",
            format!(
                "x has {ca} columns but y has {cb} (x is {}, y is {})",
                shape(ra, ca),
                shape(rb, cb)
            ),
        ));
    }
    resize2(out, ra + rb, ca, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        for (j, y) in row.iter_mut().enumerate() {
            *y = if i < ra { a.entry(i, j) } else { b.entry(i - ra, j) };
        }
    }
    Ok(())
}

/// `append_col` of matrices and vectors (vectors as one-column matrices): the columns of `a`
/// left of those of `b`, which must have as many rows.
pub fn append_col_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    let (ra, ca, rb, cb) = (a.rows(), a.cols(), b.rows(), b.cols());
    if ra != rb {
        return Err(size_error(
            "append_col",
            format!(
                "x has {ra} rows but y has {rb} (x is {}, y is {})",
                shape(ra, ca),
                shape(rb, cb)
            ),
        ));
    }
    resize2(out, ra, ca + cb, S::zero());
    for (i, row) in out.iter_mut().enumerate() {
        for (j, y) in row.iter_mut().enumerate() {
            *y = if j < ca { a.entry(i, j) } else { b.entry(i, j - ca) };
        }
    }
    Ok(())
}

/// Checks the count `n` of `head` or `tail` of a container of `len` elements.
fn check_count(function: &str, len: usize, n: i64) -> Result<usize, ModelError> {
    if (0..=len as i64).contains(&n) {
        Ok(n as usize)
    } else {
        Err(size_error(
            function,
            format!("n is {n}, but must be between 0 and {len}, the size of v"),
        ))
    }
}

/// The 0-based start and the length of `segment(v, i, n)` in a container of `len` elements.
/// As in Stan, `i` must index an element even when `n` is 0.
fn segment_range(len: usize, i: i64, n: i64) -> Result<(usize, usize), ModelError> {
    let len_i = len as i64;
    if !(1..=len_i).contains(&i) {
        let what = format!("i is {i}, but must be between 1 and {len}, the size of v");
        return Err(size_error("segment", what));
    }
    if n < 0 {
        return Err(size_error("segment", format!("n is {n}, but must be non-negative")));
    }
    if i - 1 + n > len_i {
        let what = format!("i + n - 1 is {}, but must be at most {len}, the size of v", i - 1 + n);
        return Err(size_error("segment", what));
    }
    Ok(((i - 1) as usize, n as usize))
}

fn copy_range<S: Scalar>(out: &mut Vec<S>, x: &impl Arg<S>, start: usize, n: usize) {
    resize(out, n, S::zero());
    for (k, y) in out.iter_mut().enumerate() {
        *y = x.at(start + k);
    }
}

/// `head(v, n)`: the first `n` entries.
pub fn head<S: Scalar>(out: &mut Vec<S>, x: impl Arg<S>, n: i64) -> Result<(), ModelError> {
    let n = check_count("head", n_of(&x), n)?;
    copy_range(out, &x, 0, n);
    Ok(())
}

/// `tail(v, n)`: the last `n` entries.
pub fn tail<S: Scalar>(out: &mut Vec<S>, x: impl Arg<S>, n: i64) -> Result<(), ModelError> {
    let len = n_of(&x);
    let n = check_count("tail", len, n)?;
    copy_range(out, &x, len - n, n);
    Ok(())
}

/// `segment(v, i, n)`: the `n` entries from entry `i` (1-based).
pub fn segment<S: Scalar>(
    out: &mut Vec<S>,
    x: impl Arg<S>,
    i: i64,
    n: i64,
) -> Result<(), ModelError> {
    let (start, n) = segment_range(n_of(&x), i, n)?;
    copy_range(out, &x, start, n);
    Ok(())
}

/// `head` of an `array[] int`.
pub fn head_int(out: &mut Vec<i64>, x: &[i64], n: i64) -> Result<(), ModelError> {
    let n = check_count("head", x.len(), n)?;
    out.clear();
    out.extend_from_slice(&x[..n]);
    Ok(())
}

/// `tail` of an `array[] int`.
pub fn tail_int(out: &mut Vec<i64>, x: &[i64], n: i64) -> Result<(), ModelError> {
    let n = check_count("tail", x.len(), n)?;
    out.clear();
    out.extend_from_slice(&x[x.len() - n..]);
    Ok(())
}

/// `segment` of an `array[] int`.
pub fn segment_int(out: &mut Vec<i64>, x: &[i64], i: i64, n: i64) -> Result<(), ModelError> {
    let (start, n) = segment_range(x.len(), i, n)?;
    out.clear();
    out.extend_from_slice(&x[start..start + n]);
    Ok(())
}

/// `cumulative_sum` of an `array[] int`: overflow is an error, as for `sum`.
pub fn cumulative_sum_int(out: &mut Vec<i64>, x: &[i64]) -> Result<(), ModelError> {
    out.clear();
    let mut acc = 0i64;
    for &v in x {
        acc = acc.checked_add(v).ok_or_else(|| {
            ModelError::fatal(format!("cumulative_sum: integer overflow in {acc} + {v}"))
        })?;
        out.push(acc);
    }
    Ok(())
}

fn quad_form_dims<S: Scalar>(
    function: &str,
    a: &impl MatArg<S>,
    rows_b: usize,
) -> Result<usize, ModelError> {
    let k = check_square(function, "A", a)?;
    if k != rows_b {
        return Err(size_error(
            function,
            format!("A is {} but B has {rows_b} rows", shape(a.rows(), a.cols())),
        ));
    }
    Ok(k)
}

/// `quad_form(A, B)`: `B' A B`. `scratch` holds `A B`.
fn quad_form_into<S: Scalar>(
    function: &str,
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
    symmetric: bool,
) -> Result<(), ModelError> {
    let k = quad_form_dims(function, &a, b.rows())?;
    if symmetric {
        check_symmetric(function, "A", &a)?;
    }
    let c = b.cols();
    // A B, then B' (A B): two products of k x k by k x c and c x k by k x c.
    let mut ab = vec![vec![S::zero(); c]; k];
    for i in 0..k {
        for l in 0..k {
            let x = a.entry(i, l);
            for j in 0..c {
                ab[i][j] += x * b.entry(l, j);
            }
        }
    }
    resize2(out, c, c, S::zero());
    for p in 0..c {
        for q in 0..c {
            out[p][q] = (0..k).fold(S::zero(), |acc, i| acc + b.entry(i, p) * ab[i][q]);
        }
    }
    if symmetric {
        // Stan symmetrises the result of `quad_form_sym`, which rounding may have broken.
        for p in 0..c {
            for q in (p + 1)..c {
                let m = (out[p][q] + out[q][p]) * 0.5;
                out[p][q] = m;
                out[q][p] = m;
            }
        }
    }
    Ok(())
}

/// `quad_form(A, B)` of two matrices: `B' A B`.
pub fn quad_form_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    quad_form_into("quad_form", out, a, b, false)
}

/// `quad_form_sym(A, B)`: `B' A B` for a symmetric `A`, itself symmetric.
pub fn quad_form_sym_matrix<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    a: impl MatArg<S>,
    b: impl MatArg<S>,
) -> Result<(), ModelError> {
    quad_form_into("quad_form_sym", out, a, b, true)
}

fn quad_form_vector_into<S: Scalar>(
    function: &str,
    a: impl MatArg<S>,
    v: impl Arg<S>,
) -> Result<S, ModelError> {
    let k = quad_form_dims(function, &a, n_of(&v))?;
    let mut total = S::zero();
    for i in 0..k {
        let row = (0..k).fold(S::zero(), |acc, j| acc + a.entry(i, j) * v.at(j));
        total += v.at(i) * row;
    }
    Ok(total)
}

/// `quad_form(A, v)`: `v' A v`. `_scratch` is the matrix buffer every real-valued matrix
/// function receives; this one needs none.
pub fn quad_form<S: Scalar>(
    a: impl MatArg<S>,
    v: impl Arg<S>,
    _scratch: &mut Vec<Vec<S>>,
) -> Result<S, ModelError> {
    quad_form_vector_into("quad_form", a, v)
}

/// `quad_form_sym(A, v)`: `v' A v` for a symmetric `A`.
pub fn quad_form_sym<S: Scalar>(
    a: impl MatArg<S>,
    v: impl Arg<S>,
    _scratch: &mut Vec<Vec<S>>,
) -> Result<S, ModelError> {
    check_symmetric("quad_form_sym", "A", &a)?;
    quad_form_vector_into("quad_form_sym", a, v)
}

/// `quad_form_diag(m, v)`: `diag_matrix(v) * m * diag_matrix(v)`.
pub fn quad_form_diag<S: Scalar>(
    out: &mut Vec<Vec<S>>,
    m: impl MatArg<S>,
    v: impl Arg<S>,
) -> Result<(), ModelError> {
    let k = check_square("quad_form_diag", "m", &m)?;
    let n = n_of(&v);
    if n != k {
        return Err(size_error(
            "quad_form_diag",
            format!("v has {n} elements but m is {}", shape(m.rows(), m.cols())),
        ));
    }
    resize2(out, k, k, S::zero());
    for i in 0..k {
        let vi = v.at(i);
        for j in 0..k {
            out[i][j] = vi * m.entry(i, j) * v.at(j);
        }
    }
    Ok(())
}
