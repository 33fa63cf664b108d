//! Support for generated code: Stan's integer arithmetic, checked 1-based indexing, sizes,
//! constraint checks, printing and output layout.
//!
//! Everything here returns an error where Stan throws, so that generated code never panics.

use crate::model::{ModelError, Real};
use crate::scalar::Scalar;
use std::fmt::Write;

fn overflow(op: &str, a: i64, b: i64) -> ModelError {
    ModelError::fatal(format!("integer overflow in {a} {op} {b}"))
}

/// `a + b` on Stan ints: overflow is an error, not wrap-around.
pub fn iadd(a: i64, b: i64) -> Result<i64, ModelError> {
    a.checked_add(b).ok_or_else(|| overflow("+", a, b))
}

/// Stan's `max` of two ints.
pub fn imax2(a: i64, b: i64) -> Result<i64, ModelError> {
    Ok(a.max(b))
}

/// Stan's `min` of two ints.
pub fn imin2(a: i64, b: i64) -> Result<i64, ModelError> {
    Ok(a.min(b))
}

/// Stan's `abs` of an int.
pub fn iabs(a: i64) -> Result<i64, ModelError> {
    a.checked_abs().ok_or_else(|| ModelError::fatal(format!("integer overflow in abs({a})")))
}

/// Stan's `sum` of an `array[] int`: overflow is an error.
pub fn isum(xs: &[i64]) -> Result<i64, ModelError> {
    xs.iter().try_fold(0i64, |acc, &x| iadd(acc, x))
}

/// Stan's `prod` of an `array[] int`: overflow is an error.
pub fn iprod(xs: &[i64]) -> Result<i64, ModelError> {
    xs.iter().try_fold(1i64, |acc, &x| {
        acc.checked_mul(x)
            .ok_or_else(|| ModelError::fatal(format!("prod: integer overflow in {acc} * {x}")))
    })
}

/// Stan's `max` of an `array[] int`; an empty array has none.
pub fn imax(xs: &[i64]) -> Result<i64, ModelError> {
    xs.iter().copied().max().ok_or_else(|| ModelError::fatal("max of an empty int array"))
}

/// Stan's `min` of an `array[] int`; an empty array has none.
pub fn imin(xs: &[i64]) -> Result<i64, ModelError> {
    xs.iter().copied().min().ok_or_else(|| ModelError::fatal("min of an empty int array"))
}

/// `a - b` on Stan ints.
pub fn isub(a: i64, b: i64) -> Result<i64, ModelError> {
    a.checked_sub(b).ok_or_else(|| overflow("-", a, b))
}

/// `a * b` on Stan ints.
pub fn imul(a: i64, b: i64) -> Result<i64, ModelError> {
    a.checked_mul(b).ok_or_else(|| overflow("*", a, b))
}

/// `a / b` on Stan ints: truncates towards zero; division by zero is an error.
pub fn idiv(a: i64, b: i64) -> Result<i64, ModelError> {
    if b == 0 {
        return Err(ModelError::fatal(format!("integer division by zero: {a} divided by 0")));
    }
    a.checked_div(b).ok_or_else(|| overflow("/", a, b))
}

/// `a % b` on Stan ints, with the sign of `a`, as in C++.
pub fn imod(a: i64, b: i64) -> Result<i64, ModelError> {
    if b == 0 {
        return Err(ModelError::fatal(format!("integer modulus by zero in {a} % 0")));
    }
    a.checked_rem(b).ok_or_else(|| overflow("%", a, b))
}

/// `-a` on Stan ints.
pub fn ineg(a: i64) -> Result<i64, ModelError> {
    a.checked_neg().ok_or_else(|| ModelError::fatal(format!("integer overflow in -({a})")))
}

fn index_error(name: &str, i: i64, len: usize) -> ModelError {
    ModelError::fatal(format!("index {i} out of range for `{name}`, which has size {len}"))
}

#[inline]
fn zero_based(name: &str, i: i64, len: usize) -> Result<usize, ModelError> {
    if i >= 1 && (i as u64) <= len as u64 {
        Ok((i - 1) as usize)
    } else {
        Err(index_error(name, i, len))
    }
}

/// `xs[lo:hi]` (1-based, inclusive) as a slice; `hi < lo` gives an empty slice, as in Stan.
#[inline]
pub fn range<'a, T>(xs: &'a [T], lo: i64, hi: i64, name: &str) -> Result<&'a [T], ModelError> {
    if hi < lo {
        return Ok(&xs[0..0]);
    }
    let start = zero_based(name, lo, xs.len())?;
    let end = zero_based(name, hi, xs.len())?;
    Ok(&xs[start..=end])
}

/// `xs[lo:hi]` (1-based, inclusive) as a mutable slice, for assignment to a range.
#[inline]
pub fn range_mut<'a, T>(
    xs: &'a mut [T],
    lo: i64,
    hi: i64,
    name: &str,
) -> Result<&'a mut [T], ModelError> {
    if hi < lo {
        return Ok(&mut xs[0..0]);
    }
    let start = zero_based(name, lo, xs.len())?;
    let end = zero_based(name, hi, xs.len())?;
    Ok(&mut xs[start..=end])
}

/// Checks that a value assigned to a part of `name` (a `range`, `multi-index` or `column`)
/// has as many elements as the part.
#[inline]
pub fn assign_part_len(
    part: &str,
    name: &str,
    part_len: usize,
    found: usize,
) -> Result<(), ModelError> {
    if part_len == found {
        Ok(())
    } else {
        Err(ModelError::fatal(format!(
            "size mismatch in assignment to a {part} of `{name}`: the {part} has {part_len} \
             element(s), the value {found}"
        )))
    }
}

/// Checks that every index of a multi-index is in range for a container of `len` elements.
pub fn check_indices(idx: &[i64], len: usize, name: &str) -> Result<(), ModelError> {
    for &i in idx {
        zero_based(name, i, len)?;
    }
    Ok(())
}

/// Element `i` (1-based) of `xs`.
#[inline]
pub fn at<T: Copy>(xs: &[T], i: i64, name: &str) -> Result<T, ModelError> {
    Ok(xs[zero_based(name, i, xs.len())?])
}

/// A reference to element `i` (1-based) of `xs`.
#[inline]
pub fn at_ref<'a, T>(xs: &'a [T], i: i64, name: &str) -> Result<&'a T, ModelError> {
    Ok(&xs[zero_based(name, i, xs.len())?])
}

/// A mutable reference to element `i` (1-based) of `xs`.
#[inline]
pub fn at_mut<'a, T>(xs: &'a mut [T], i: i64, name: &str) -> Result<&'a mut T, ModelError> {
    let k = zero_based(name, i, xs.len())?;
    Ok(&mut xs[k])
}

/// A size that `name` is given: a negative one, or one above [`MAX_SIZE`], is an error naming
/// the variable.
///
/// The message says plainly that `name` is the variable declared with that size, lest it be
/// read as the variable holding the bad value.
pub fn size(name: &str, n: i64) -> Result<usize, ModelError> {
    declared_size(name, "", n)
}

/// A size that `name` is declared with, written `expr` in the model (empty where unknown): as
/// [`size`], with the expression named unless it is a number, so that the message points at
/// the value to fix: `` `am` is declared with size `K` = -1, ... ``.
pub fn declared_size(name: &str, expr: &str, n: i64) -> Result<usize, ModelError> {
    if (0..=MAX_SIZE).contains(&n) {
        return Ok(n as usize);
    }
    Err(bad_size(name, expr, n))
}

#[cold]
fn bad_size(name: &str, expr: &str, n: i64) -> ModelError {
    let size = if expr.is_empty() || expr.trim_start_matches('-').parse::<i64>().is_ok() {
        format!("a size of {n}")
    } else {
        format!("size `{expr}` = {n}")
    };
    let rule = if n < 0 {
        "non-negative".to_string()
    } else {
        format!("at most {MAX_SIZE}, the largest int of Stan")
    };
    ModelError::fatal(format!("`{name}` is declared with {size}, but a size must be {rule}"))
}

/// The largest size a container may be declared with: Stan's ints, and so its sizes, are 32
/// bits. A larger size is almost always a wrong value in the data, and trying to allocate it
/// would end the process rather than return an error.
pub const MAX_SIZE: i64 = i32::MAX as i64;

/// The bytes the system reports as available for new allocations (Linux's `MemAvailable`), or
/// `None` where it cannot be read.
pub(crate) fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Checks that a container `name` with the sizes `dims` (outermost first) of values of
/// `bytes_each` bytes fits in memory. Allocating more than the machine has would end the process
/// (or bring in the out-of-memory killer) instead of returning an error, so a size that cannot
/// fit is an error naming the variable. The available memory is read once per process.
pub fn check_alloc(name: &str, dims: &[usize], bytes_each: usize) -> Result<(), ModelError> {
    static LIMIT: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let elements = dims.iter().try_fold(1u64, |n, &d| n.checked_mul(d as u64));
    // Each row of a two-level container is a vector with its own header.
    let headers = dims.split_last().map_or(0, |(_, outer)| outer.iter().product::<usize>());
    let bytes = elements
        .and_then(|n| n.checked_mul(bytes_each as u64))
        .and_then(|b| b.checked_add(headers as u64 * 24));
    let limit = *LIMIT.get_or_init(available_memory);
    let fits = match (bytes, limit) {
        (None, _) => false,
        (Some(b), Some(l)) => b <= l,
        (Some(_), None) => true,
    };
    if fits {
        return Ok(());
    }
    let shape: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    let need = bytes.map_or("more than 2^64 bytes".to_string(), |b| {
        format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30))
    });
    let have = limit.map_or(String::new(), |l| {
        format!(", but only {:.1} GiB of memory is available", l as f64 / f64::from(1u32 << 30))
    });
    Err(ModelError::fatal(format!(
        "`{name}` of size {} needs {need}{have}; check the sizes in the data",
        shape.join(" x ")
    )))
}

/// Stops a user-defined function before it overflows its thread's stack: called on entry to a
/// function that calls functions, it is an error naming `function` when less than
/// [`STACK_RESERVE`] bytes of stack are left. Overflowing the stack would abort the process.
#[inline]
pub fn enter_function(function: &'static str) -> Result<(), ModelError> {
    match stacker::remaining_stack() {
        Some(left) if left < STACK_RESERVE => Err(ModelError::fatal(format!(
            "`{function}` called functions too deeply nested: the thread's stack is nearly \
             exhausted (less than {} KiB left); check that its recursion ends",
            STACK_RESERVE / 1024
        ))),
        _ => Ok(()),
    }
}

/// The stack a user-defined function leaves for whatever it calls (see [`enter_function`]).
pub const STACK_RESERVE: usize = 256 * 1024;

/// The common length of two containers combined elementwise by `op`.
#[inline]
pub fn same_len(op: &str, a: usize, b: usize) -> Result<usize, ModelError> {
    if a == b {
        Ok(a)
    } else {
        Err(ModelError::fatal(format!(
            "`{op}`: size of the left operand ({a}) does not match the right ({b})"
        )))
    }
}

/// One index of a part picked out of a two-level container (see [`pick`]), 1-based as in Stan.
#[derive(Clone, Copy, Debug)]
pub enum Sel<'a> {
    /// Every row or column: `:`.
    All,
    /// `a:b`, `a:` or `:b`.
    Range(Option<i64>, Option<i64>),
    /// An index array: `m[idx]`.
    Multi(&'a [i64]),
    /// One row or column.
    Single(i64),
}

impl Sel<'_> {
    /// How many rows or columns this index selects among `n`.
    fn len(self, n: usize) -> usize {
        match self {
            Sel::All => n,
            Sel::Range(lo, hi) => {
                let (lo, hi) = (lo.unwrap_or(1), hi.unwrap_or(n as i64));
                usize::try_from(hi.saturating_sub(lo).saturating_add(1)).unwrap_or(0)
            }
            Sel::Multi(idx) => idx.len(),
            Sel::Single(_) => 1,
        }
    }

    /// The 0-based position of the `k`-th selected row or column (after [`Sel::check`]).
    pub fn at(self, k: usize) -> usize {
        match self {
            Sel::All => k,
            Sel::Range(lo, _) => (lo.unwrap_or(1) - 1) as usize + k,
            Sel::Multi(idx) => (idx[k] - 1) as usize,
            Sel::Single(i) => (i - 1) as usize,
        }
    }

    /// Checks that every selected position lies in `1..=n`; `what` names rows or columns.
    fn check(self, n: usize, name: &str, what: &str) -> Result<(), ModelError> {
        let bad = |i: i64| {
            ModelError::fatal(format!(
                "{what} index {i} out of range for `{name}`, which has {n} {what}s"
            ))
        };
        let ok = |i: i64| i >= 1 && i as u64 <= n as u64;
        match self {
            Sel::All => Ok(()),
            Sel::Range(lo, hi) if self.len(n) > 0 => {
                let (lo, hi) = (lo.unwrap_or(1), hi.unwrap_or(n as i64));
                match (ok(lo), ok(hi)) {
                    (true, true) => Ok(()),
                    (false, _) => Err(bad(lo)),
                    (_, false) => Err(bad(hi)),
                }
            }
            Sel::Range(..) => Ok(()),
            Sel::Multi(idx) => idx.iter().find(|&&i| !ok(i)).map_or(Ok(()), |&i| Err(bad(i))),
            Sel::Single(i) => {
                if ok(i) {
                    Ok(())
                } else {
                    Err(bad(i))
                }
            }
        }
    }
}

/// Sets `out` to the rows `rows` and columns `cols` of the two-level container `m` (a matrix,
/// an array of vectors or a two-dimensional array) called `name`: `m[2:3]`, `m[idx, 1:2]`.
/// It reuses `out`'s rows, so that a part taken in every evaluation allocates only once.
pub fn pick<T: Copy>(
    out: &mut Vec<Vec<T>>,
    m: &[Vec<T>],
    rows: Sel<'_>,
    cols: Sel<'_>,
    name: &str,
) -> Result<(), ModelError> {
    let n_cols = m.first().map_or(0, Vec::len);
    rows.check(m.len(), name, "row")?;
    cols.check(n_cols, name, "column")?;
    let (r, c) = (rows.len(m.len()), cols.len(n_cols));
    out.truncate(r);
    out.resize_with(r, Vec::new);
    for (k, dst) in out.iter_mut().enumerate() {
        let src = &m[rows.at(k)];
        dst.clear();
        dst.extend((0..c).map(|l| src[cols.at(l)]));
    }
    Ok(())
}

/// Checks an assignment to the rows `rows` and columns `cols` of the two-level container `m`
/// called `name` (`m[2:3] = ...`, `m[idx, j] = ...`): every index in range, and a value of
/// `value` rows and columns (a one-level value, for a single column, is `(len, 1)`; a scalar,
/// which applies to every entry, has no shape) of the part's shape, which is returned.
pub fn pick_shape<T>(
    m: &[Vec<T>],
    rows: Sel<'_>,
    cols: Sel<'_>,
    name: &str,
    value: Option<(usize, usize)>,
    one_level: bool,
) -> Result<(usize, usize), ModelError> {
    let n_cols = m.first().map_or(0, Vec::len);
    rows.check(m.len(), name, "row")?;
    cols.check(n_cols, name, "column")?;
    let (r, c) = (rows.len(m.len()), cols.len(n_cols));
    let Some(value) = value else {
        return Ok((r, c));
    };
    if one_level && value.0 != r {
        return Err(ModelError::fatal(format!(
            "size mismatch in assignment to a part of `{name}`: the part has {r} element(s), \
             the value {}",
            value.0
        )));
    }
    // An empty value has no columns to compare.
    if !one_level && (value.0 != r || (r > 0 && value.1 != c)) {
        return Err(ModelError::fatal(format!(
            "size mismatch in assignment to a part of `{name}`: the part is {r} x {c}, the \
             value {} x {}",
            value.0, value.1
        )));
    }
    Ok((r, c))
}

/// Sets `out` to column `j` of the rows `rows` of the two-level container `m` called `name`:
/// `m[2:3, j]`, `m[idx, j]`.
pub fn pick_column<T: Copy>(
    out: &mut Vec<T>,
    m: &[Vec<T>],
    rows: Sel<'_>,
    j: i64,
    name: &str,
) -> Result<(), ModelError> {
    let n_cols = m.first().map_or(0, Vec::len);
    rows.check(m.len(), name, "row")?;
    Sel::Single(j).check(n_cols, name, "column")?;
    let j = (j - 1) as usize;
    out.clear();
    out.extend((0..rows.len(m.len())).map(|k| m[rows.at(k)][j]));
    Ok(())
}

/// Checks that the rows of a container built from a literal (`what`: "the rows of a matrix
/// literal") all have the size of the first.
pub fn check_rectangular<T>(rows: &[Vec<T>], what: &str) -> Result<(), ModelError> {
    let first = rows.first().map_or(0, Vec::len);
    match rows.iter().find(|r| r.len() != first) {
        None => Ok(()),
        Some(r) => Err(ModelError::fatal(format!(
            "{what} must have one size, found sizes {first} and {}",
            r.len()
        ))),
    }
}

/// Checks that a value assigned to `name` has the declared length.
#[inline]
pub fn assign_len(name: &str, declared: usize, found: usize) -> Result<(), ModelError> {
    if declared == found {
        Ok(())
    } else {
        Err(ModelError::fatal(format!(
            "size mismatch in assignment to `{name}`: declared {declared}, found {found}"
        )))
    }
}

/// Sets `v` to `n` copies of `fill`, reusing its allocation.
#[inline]
pub fn resize<T: Copy>(v: &mut Vec<T>, n: usize, fill: T) {
    v.clear();
    v.resize(n, fill);
}

/// Sets `v` to `n` rows of `m` copies of `fill`, reusing the allocations of existing rows.
pub fn resize2<T: Copy>(v: &mut Vec<Vec<T>>, n: usize, m: usize, fill: T) {
    v.truncate(n);
    while v.len() < n {
        v.push(Vec::new());
    }
    for row in v.iter_mut() {
        resize(row, m, fill);
    }
}

/// Checks `lower <= x <= upper` for every element; the error names the first element (1-based)
/// that breaks it. Sampling treats the error as a rejected proposal, as Stan does.
pub fn check_bounds<T: Scalar>(
    name: &'static str,
    xs: &[T],
    lower: f64,
    upper: f64,
) -> Result<(), ModelError> {
    for (k, x) in xs.iter().enumerate() {
        let v = x.value();
        // NaN breaks both rules; it is reported against the lower bound.
        let above_lower = v >= lower;
        if !above_lower || v > upper || v.is_nan() {
            let bound = if above_lower { upper } else { lower };
            let index = (xs.len() > 1).then_some(k);
            return Err(ModelError::bound(name, index, v, !above_lower, bound));
        }
    }
    Ok(())
}

/// Checks `lower <= x <= upper` for the elements `xs` of a nested container with dimensions
/// `dims`, `xs` being its `k`-th run of `xs.len()` elements in row-major order (a row, or a
/// single element); the error names the element by its full index, `u[2,1,2] is 1.5, but must
/// be <= 1`.
pub fn check_bounds_at<T: Scalar>(
    name: &str,
    k: usize,
    dims: &[usize],
    xs: &[T],
    lower: f64,
    upper: f64,
) -> Result<(), ModelError> {
    for (j, x) in xs.iter().enumerate() {
        let v = x.value();
        let above_lower = v >= lower;
        if !above_lower || v > upper || v.is_nan() {
            let (rule, bound) = if above_lower { ("<=", upper) } else { (">=", lower) };
            let at = element_name(name, k * xs.len() + j, dims);
            return Err(ModelError::recoverable(format!(
                "{at} is {v}, but must be {rule} {bound}"
            )));
        }
    }
    Ok(())
}

/// Checks that a parameter's lower bound is below its upper bound (NaN fails), as Stan does
/// before applying the transform.
pub fn check_bound_order<T: Scalar>(name: &str, lower: T, upper: T) -> Result<(), ModelError> {
    let (l, u) = (lower.value(), upper.value());
    if l < u {
        Ok(())
    } else {
        Err(ModelError::recoverable(format!(
            "{name}: the lower bound ({}) must be less than the upper bound ({})",
            Real(l),
            Real(u)
        )))
    }
}

/// Checks that a parameter's multiplier is positive and finite and its offset finite.
pub fn check_affine<T: Scalar>(name: &str, offset: T, multiplier: T) -> Result<(), ModelError> {
    let (o, m) = (offset.value(), multiplier.value());
    if !o.is_finite() {
        return Err(ModelError::recoverable(format!(
            "{name}: the offset is {}, but must be finite",
            Real(o)
        )));
    }
    if m > 0.0 && m.is_finite() {
        Ok(())
    } else {
        Err(ModelError::recoverable(format!(
            "{name}: the multiplier is {}, but must be positive and finite",
            Real(m)
        )))
    }
}

/// Tolerance of the sum and norm checks of constrained vectors, as Stan's `CONSTRAINT_TOLERANCE`.
const CONSTRAINT_TOLERANCE: f64 = 1e-8;

/// Whether `xs` is a valid value of the constrained vector type `which` (`simplex`, `ordered`,
/// `positive_ordered`, `sum_to_zero_vector` or `unit_vector`); the error says what is wrong.
pub fn vector_constraint<T: Scalar>(which: &str, xs: &[T]) -> Result<(), String> {
    let v = |k: usize| xs[k].value();
    let n = xs.len();
    match which {
        "simplex" => {
            if let Some(k) = (0..n).find(|&k| v(k).is_nan() || v(k) < 0.0) {
                return Err(format!("element {} is {}, but must be >= 0", k + 1, Real(v(k))));
            }
            let sum: f64 = (0..n).map(v).sum();
            if (sum - 1.0).abs() > CONSTRAINT_TOLERANCE {
                return Err(format!("elements that sum to {}, but must sum to 1", Real(sum)));
            }
        }
        "ordered" | "positive_ordered" => {
            if which == "positive_ordered" && n > 0 && (v(0).is_nan() || v(0) < 0.0) {
                return Err(format!("element 1 is {}, but must be >= 0", Real(v(0))));
            }
            if let Some(k) =
                (1..n).find(|&k| v(k).is_nan() || v(k - 1).is_nan() || v(k) <= v(k - 1))
            {
                return Err(format!(
                    "element {} is {}, but must be greater than element {} ({})",
                    k + 1,
                    Real(v(k)),
                    k,
                    Real(v(k - 1))
                ));
            }
        }
        "sum_to_zero_vector" => {
            let sum: f64 = (0..n).map(v).sum();
            if sum.is_nan() || sum.abs() > CONSTRAINT_TOLERANCE {
                return Err(format!("elements that sum to {}, but must sum to 0", Real(sum)));
            }
        }
        "unit_vector" => {
            let norm2: f64 = (0..n).map(|k| v(k) * v(k)).sum();
            if norm2.is_nan() || (norm2 - 1.0).abs() > CONSTRAINT_TOLERANCE {
                return Err(format!("a squared norm of {}, but it must be 1", Real(norm2)));
            }
        }
        _ => return Err(format!("`{which}` is not a constrained vector type")),
    }
    Ok(())
}

/// Checks a constrained vector declared in `transformed parameters` or `generated
/// quantities`; a violation rejects the proposal, as Stan does.
pub fn check_vector_constraint<T: Scalar>(
    name: &str,
    which: &str,
    xs: &[T],
) -> Result<(), ModelError> {
    vector_constraint(which, xs)
        .map_err(|why| ModelError::recoverable(format!("{name} is not a valid {which}: {why}")))
}

/// Checks a constrained matrix declared in `transformed parameters` or `generated
/// quantities`; a violation rejects the proposal, as Stan does.
pub fn check_matrix_constraint<T: Scalar>(
    name: &str,
    which: &str,
    rows: &[Vec<T>],
) -> Result<(), ModelError> {
    let values: Vec<Vec<f64>> =
        rows.iter().map(|r| r.iter().map(Scalar::value).collect()).collect();
    crate::transform::matrix_constraint(which, &values).map_err(|why| {
        ModelError::recoverable(format!("{name} is not a valid {which}: it is {why}"))
    })
}

/// The name of element `k` (counted in row-major order from 0) of the array `name` with
/// dimensions `dims`, for messages: `L[2]`, `Sigma[1,3]`.
pub fn element_name(name: &str, k: usize, dims: &[usize]) -> String {
    let mut index = vec![0; dims.len()];
    let mut rest = k;
    for (slot, &d) in index.iter_mut().zip(dims).rev() {
        *slot = rest % d.max(1) + 1;
        rest /= d.max(1);
    }
    let index: Vec<String> = index.iter().map(usize::to_string).collect();
    format!("{name}[{}]", index.join(","))
}

/// Checks the sizes of a constrained matrix parameter: a Cholesky factor of a covariance
/// matrix needs at least as many rows as columns.
pub fn check_matrix_param_dims(
    name: &str,
    which: &str,
    m: usize,
    n: usize,
) -> Result<(), ModelError> {
    if which == "cholesky_factor_cov" && m < n {
        return Err(ModelError::fatal(format!(
            "{name}: a cholesky_factor_cov needs at least as many rows as columns, found {m} x {n}"
        )));
    }
    Ok(())
}

/// Checks the size of a constrained vector parameter as Stan does: a simplex needs at least one
/// element and a unit vector at least two, or they have no valid value.
pub fn check_vector_param_dim(name: &str, which: &str, k: usize) -> Result<usize, ModelError> {
    let least = match which {
        "simplex" => 1,
        "unit_vector" => 2,
        _ => 0,
    };
    if k < least {
        let words = if least == 1 { "one" } else { "2" };
        return Err(ModelError::fatal(format!(
            "{name}: found dimension size less than {words} in {which} declaration; found={k}"
        )));
    }
    Ok(k)
}

/// The value of a bound, or an infinity when it is absent.
#[inline]
pub fn bound_value<T: Scalar>(b: T) -> f64 {
    b.value()
}

/// `out = m v` for a matrix stored as rows, with `lift_a` and `lift_b` bringing an element of
/// `m` and of `v` into the result's scalar type. The sizes must agree, as Stan checks them.
///
/// For a scalar type that takes analytic partials ([`Scalar::PARTIALS`]) each entry of the
/// result is one dot product with its partials, a single node on the reverse tape.
pub fn matvec<A: Copy, B: Copy, S: Scalar>(
    out: &mut Vec<S>,
    m: &[Vec<A>],
    v: &[B],
    lift_a: impl Fn(A) -> S,
    lift_b: impl Fn(B) -> S,
) -> Result<(), ModelError> {
    let cols = m.first().map_or(v.len(), Vec::len);
    if cols != v.len() {
        return Err(ModelError::fatal(format!(
            "matrix times vector: the matrix has {cols} columns but the vector has {} rows",
            v.len()
        )));
    }
    out.clear();
    for row in m {
        let entry = if S::PARTIALS {
            let mut partials = S::partials_new();
            let mut total = 0.0;
            for (a, b) in row.iter().zip(v) {
                let (a, b) = (lift_a(*a), lift_b(*b));
                let (av, bv) = (a.value(), b.value());
                total += av * bv;
                S::partials_push(&mut partials, a, bv);
                S::partials_push(&mut partials, b, av);
            }
            S::partials_finish(partials, total)
        } else {
            let mut acc = S::zero();
            for (a, b) in row.iter().zip(v) {
                acc += lift_a(*a) * lift_b(*b);
            }
            acc
        };
        out.push(entry);
    }
    Ok(())
}

/// `out = m v` for a data matrix `m` stored as rows and a vector `v` that may carry
/// derivatives: [`matvec`] with the product recorded as one unit on the reverse tape (see
/// [`Scalar::data_matvec`]).
pub fn matvec_data<S: Scalar>(out: &mut Vec<S>, m: &[Vec<f64>], v: &[S]) -> Result<(), ModelError> {
    let cols = m.first().map_or(v.len(), Vec::len);
    if cols != v.len() {
        return Err(ModelError::fatal(format!(
            "matrix times vector: the matrix has {cols} columns but the vector has {} rows",
            v.len()
        )));
    }
    S::data_matvec(out, m, v);
    Ok(())
}

/// Rows of data lifted to the scalar type, for a function argument that carries derivatives.
pub fn lift_rows<S: Scalar>(rows: &[Vec<f64>]) -> Vec<Vec<S>> {
    rows.iter().map(|r| r.iter().map(|&x| S::from_f64(x)).collect()).collect()
}

/// Appends an int as Stan prints it.
pub fn print_int(out: &mut String, x: i64) {
    let _ = write!(out, "{x}");
}

/// Appends a real as messages show it ([`Real`]): in exponent form at extreme magnitudes,
/// as Stan prints them.
pub fn print_real<T: Scalar>(out: &mut String, x: T) {
    let _ = write!(out, "{}", Real(x.value()));
}

/// Appends a container of reals as `[a,b,c]`.
pub fn print_reals<T: Scalar>(out: &mut String, xs: &[T]) {
    out.push('[');
    for (k, x) in xs.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        print_real(out, *x);
    }
    out.push(']');
}

/// Appends a container of ints as `[a,b,c]`.
pub fn print_ints(out: &mut String, xs: &[i64]) {
    out.push('[');
    for (k, x) in xs.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        print_int(out, *x);
    }
    out.push(']');
}

/// Appends a two-level container of reals (a matrix by rows, or an array of vectors) as
/// `[[a,b],[c,d]]`.
pub fn print_reals2<T: Scalar>(out: &mut String, rows: &[Vec<T>]) {
    out.push('[');
    for (k, row) in rows.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        print_reals(out, row);
    }
    out.push(']');
}

/// Appends a two-level container of ints as `[[a,b],[c,d]]`.
pub fn print_ints2(out: &mut String, rows: &[Vec<i64>]) {
    out.push('[');
    for (k, row) in rows.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        print_ints(out, row);
    }
    out.push(']');
}

/// Writes a scalar output at `out[*pos]` and advances `pos`.
#[inline]
pub fn write_scalar(out: &mut [f64], pos: &mut usize, x: f64) {
    out[*pos] = x;
    *pos += 1;
}

/// Writes a flat container of outputs and advances `pos`.
#[inline]
pub fn write_slice<T: Scalar>(out: &mut [f64], pos: &mut usize, xs: &[T]) {
    for (o, x) in out[*pos..*pos + xs.len()].iter_mut().zip(xs) {
        *o = x.value();
    }
    *pos += xs.len();
}

/// Writes a container of ints as outputs and advances `pos`.
#[inline]
pub fn write_ints(out: &mut [f64], pos: &mut usize, xs: &[i64]) {
    for (o, x) in out[*pos..*pos + xs.len()].iter_mut().zip(xs) {
        *o = *x as f64;
    }
    *pos += xs.len();
}

/// Writes a two-level container column-major (the first index changes fastest), as CmdStan
/// lays out `x[i,j]`, and advances `pos`.
pub fn write_nested<T: Scalar>(out: &mut [f64], pos: &mut usize, rows: &[Vec<T>], cols: usize) {
    let n = rows.len();
    for (i, row) in rows.iter().enumerate() {
        for (j, x) in row.iter().enumerate().take(cols) {
            out[*pos + j * n + i] = x.value();
        }
    }
    *pos += n * cols;
}

/// Writes a container of three or more levels, given its dimensions (outermost first) and its
/// values in row-major order, into `out` at `pos` in column-major order (the first index
/// varying fastest), as Stan's output does, and advances `pos`.
pub fn write_row_major(
    out: &mut [f64],
    pos: &mut usize,
    dims: &[usize],
    values: impl Iterator<Item = f64>,
) {
    let total: usize = dims.iter().product();
    for (k, x) in values.enumerate().take(total) {
        // Index `j` of the row-major position `k` is `k / (product of the later dims) %
        // dims[j]`; in column-major order it counts in units of the product of the earlier dims.
        let (mut later, mut earlier, mut at) = (total, 1, 0);
        for &d in dims {
            later /= d;
            at += (k / later) % d * earlier;
            earlier *= d;
        }
        out[*pos + at] = x;
    }
    *pos += total;
}

/// The flattened names of a variable with dimensions `dims`, column-major, in Stan's spelling:
/// `theta[1]`, `Sigma[2,1]`.
pub fn flat_names(name: &str, dims: &[usize], out: &mut Vec<String>) {
    if dims.is_empty() {
        out.push(name.to_string());
        return;
    }
    let total: usize = dims.iter().product();
    let mut idx = vec![0usize; dims.len()];
    for _ in 0..total {
        let inner: Vec<String> = idx.iter().map(|i| (i + 1).to_string()).collect();
        out.push(format!("{name}[{}]", inner.join(",")));
        for (k, d) in idx.iter_mut().zip(dims) {
            *k += 1;
            if *k < *d {
                break;
            }
            *k = 0;
        }
    }
}

/// After a statement that adds to the log density, in `log_density_explained`: its error, or
/// the log density it left non-finite, naming the statement.
pub fn explain_statement(
    outcome: Result<(), ModelError>,
    target: f64,
    text: &str,
    line: usize,
) -> Result<(), ModelError> {
    name_statement(outcome, text, line)?;
    if target.is_finite() {
        return Ok(());
    }
    let value = if target.is_nan() { "nan".to_string() } else { Real(target).to_string() };
    Err(ModelError::recoverable(format!("the log density is {value}")).in_statement(text, line))
}

/// After a statement in `log_density_explained` or `write_outputs`: its error, if any, saying
/// which statement it was.
#[inline]
pub fn name_statement(
    outcome: Result<(), ModelError>,
    text: &str,
    line: usize,
) -> Result<(), ModelError> {
    outcome.map_err(|e| e.in_statement(text, line))
}

/// After constraining parameter `name` in `log_density_explained`: an error if the log
/// Jacobian so far is not finite (an overflowing `exp` of a bound transform, say).
pub fn explain_jacobian(target: f64, name: &str) -> Result<(), ModelError> {
    if target.is_finite() {
        return Ok(());
    }
    Err(ModelError::recoverable(format!(
        "the log Jacobian of the constraining transforms is {} after parameter `{name}`",
        Real(target)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_output_is_column_major() {
        // x[i,j,k] of dims [2, 3, 2] holds 100 i + 10 j + k, given row-major.
        let mut values = Vec::new();
        for i in 1..=2 {
            for j in 1..=3 {
                for k in 1..=2 {
                    values.push(f64::from(100 * i + 10 * j + k));
                }
            }
        }
        let mut out = vec![0.0; 13];
        let mut pos = 1;
        write_row_major(&mut out, &mut pos, &[2, 3, 2], values.into_iter());
        assert_eq!(pos, 13);
        assert_eq!(element_name("L", 4, &[2, 3]), "L[2,2]");
        assert_eq!(element_name("L", 0, &[4]), "L[1]");
        let mut names = Vec::new();
        flat_names("x", &[2, 3, 2], &mut names);
        assert_eq!(names[1], "x[2,1,1]");
        assert_eq!(names[2], "x[1,2,1]");
        assert_eq!(out[1..5], [111.0, 211.0, 121.0, 221.0]);
        assert_eq!(out[7..9], [112.0, 212.0]);
        assert_eq!(out[12], 232.0);
    }

    #[test]
    fn int_arithmetic_follows_stan() {
        assert_eq!(idiv(7, 2).unwrap(), 3);
        assert_eq!(idiv(-7, 2).unwrap(), -3);
        assert_eq!(imod(-7, 2).unwrap(), -1);
        assert!(idiv(1, 0).unwrap_err().message().contains("division by zero"));
        assert!(iadd(i64::MAX, 1).unwrap_err().message().contains("integer overflow"));
    }

    #[test]
    fn indexing_is_one_based_and_checked() {
        let xs = [1.0, 2.0, 3.0];
        assert_eq!(at(&xs, 1, "x").unwrap(), 1.0);
        let err = at(&xs, 4, "x").unwrap_err();
        assert_eq!(err.message(), "index 4 out of range for `x`, which has size 3");
        assert!(at(&xs, 0, "x").is_err());
    }

    #[test]
    fn names_are_column_major() {
        let mut names = Vec::new();
        flat_names("z", &[2, 2], &mut names);
        assert_eq!(names, ["z[1,1]", "z[2,1]", "z[1,2]", "z[2,2]"]);
        let mut out = [0.0; 4];
        let mut pos = 0;
        write_nested(&mut out, &mut pos, &[vec![1.0, 2.0], vec![3.0, 4.0]], 2);
        assert_eq!(out, [1.0, 3.0, 2.0, 4.0]);
    }

    #[test]
    fn bounds_name_the_element() {
        let err = check_bounds("sigma", &[1.0, -1.0], 0.0, f64::INFINITY).unwrap_err();
        assert_eq!(err.message(), "sigma[2] is -1, but must be >= 0");
        assert!(err.is_recoverable());
    }
}
