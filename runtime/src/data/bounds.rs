//! Checks of declared data bounds and sizes (Stan reference manual, "Program blocks: data"):
//! Stan validates `<lower, upper>` on data once, after reading, with inclusive bounds.

use super::error::{DataError, DataErrorKind, format_real};

/// Checks `lower <= x <= upper` for every element of a real data variable (bounds inclusive,
/// as Stan's). `dims` (outermost first) turns the failing element's row-major position into
/// its 1-based multi-index: `sigma[3] is -1, but must be >= 0`. NaN fails any bound.
pub fn check_bounds_real(
    name: &str,
    values: &[f64],
    dims: &[usize],
    lower: Option<f64>,
    upper: Option<f64>,
) -> Result<(), DataError> {
    for (position, &x) in values.iter().enumerate() {
        let violated = match (lower, upper) {
            (Some(lo), _) if x.is_nan() || x < lo => Some(format!(">= {}", format_real(lo))),
            (_, Some(hi)) if x.is_nan() || x > hi => Some(format!("<= {}", format_real(hi))),
            _ => None,
        };
        if let Some(expected) = violated {
            let error = DataError::new(DataErrorKind::Bound, name, expected, format_real(x));
            return Err(error.at(&multi_index(position, values.len(), dims)));
        }
    }
    Ok(())
}

/// Checks `lower <= x <= upper` for every element of an int data variable; the twin of
/// [`check_bounds_real`].
pub fn check_bounds_int(
    name: &str,
    values: &[i64],
    dims: &[usize],
    lower: Option<i64>,
    upper: Option<i64>,
) -> Result<(), DataError> {
    for (position, &x) in values.iter().enumerate() {
        let violated = match (lower, upper) {
            (Some(lo), _) if x < lo => Some(format!(">= {lo}")),
            (_, Some(hi)) if x > hi => Some(format!("<= {hi}")),
            _ => None,
        };
        if let Some(expected) = violated {
            let error = DataError::new(DataErrorKind::Bound, name, expected, x.to_string());
            return Err(error.at(&multi_index(position, values.len(), dims)));
        }
    }
    Ok(())
}

/// Turns a size expression's value into a length: negative sizes are an error naming the
/// size (Stan refuses them where it declares the variable).
pub fn check_size(name: &str, value: i64) -> Result<usize, DataError> {
    usize::try_from(value).map_err(|_| {
        DataError::new(DataErrorKind::Size, name, ">= 0".to_string(), value.to_string())
    })
}

/// The 1-based multi-index of a row-major position. If `dims` do not describe `len` values
/// the position itself is reported, still 1-based.
pub(super) fn multi_index(position: usize, len: usize, dims: &[usize]) -> Vec<usize> {
    if dims.iter().product::<usize>() != len {
        return vec![position + 1];
    }
    let mut index = vec![0; dims.len()];
    let mut rest = position;
    for (slot, &d) in index.iter_mut().zip(dims).rev() {
        *slot = rest % d + 1;
        rest /= d;
    }
    index
}

/// Checks a constrained vector type (`simplex`, `ordered`, ...) read as data: `values` holds
/// rows of `dims.last()` elements, and `validate` refuses a row that breaks the constraint,
/// saying why. The error names the variable, the row (1-based) for arrays, and that reason.
pub fn check_constrained(
    name: &str,
    values: &[f64],
    dims: &[usize],
    type_name: &str,
    validate: impl Fn(&[f64]) -> Result<(), String>,
) -> Result<(), DataError> {
    let k = dims.last().copied().unwrap_or(0);
    for (row, chunk) in values.chunks(k.max(1)).enumerate() {
        if let Err(found) = validate(chunk) {
            let error = DataError::new(DataErrorKind::Value, name, a_value_of(type_name), found);
            return Err(error.at(&row_index(row, dims)));
        }
    }
    Ok(())
}

/// What a value of the constrained type `type_name` is called in a message: "a simplex", "an
/// ordered vector", "a unit_vector".
pub(super) fn a_value_of(type_name: &str) -> String {
    match type_name {
        "ordered" => "an ordered vector".to_string(),
        "positive_ordered" => "a positive_ordered vector".to_string(),
        _ if type_name.starts_with(['a', 'e', 'i', 'o']) => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

/// The 1-based array index of row `row` (row-major) of a container whose rows are its last
/// dimension: empty for a lone vector, `[i, j]` for the rows of `array[I, J] simplex[K]`.
pub(super) fn row_index(row: usize, dims: &[usize]) -> Vec<usize> {
    let outer = &dims[..dims.len().saturating_sub(1)];
    multi_index(row, outer.iter().product(), outer)
}

/// Checks a constrained matrix type (`cov_matrix`, `corr_matrix`, `cholesky_factor_cov`,
/// `cholesky_factor_corr`) read as data, stored as rows: the error names the variable, the
/// type and what the matrix is instead, for example `Sigma: expected a cov_matrix, found a
/// matrix that is not positive definite`.
pub fn check_matrix_constrained(
    name: &str,
    type_name: &str,
    rows: &[Vec<f64>],
) -> Result<(), DataError> {
    crate::transform::matrix_constraint(type_name, rows).map_err(|found| {
        DataError::new(DataErrorKind::Value, name, format!("a {type_name}"), found)
    })
}

/// Checks an array of constrained matrices read as data: `values` holds the matrices one
/// after another, each row by row, and `dims` are the array's dimensions followed by the rows
/// and columns of one matrix. The error names the matrix's 1-based index: `L[2]: expected a
/// cholesky_factor_corr, found ...`.
pub fn check_matrices_constrained(
    name: &str,
    type_name: &str,
    values: &[f64],
    dims: &[usize],
) -> Result<(), DataError> {
    let (outer, [m, n]) = dims.split_at(dims.len() - 2) else {
        unreachable!("a matrix has two dimensions")
    };
    let (m, n) = (*m, *n);
    let count: usize = outer.iter().product();
    for k in 0..count {
        let start = k * m * n;
        let rows: Vec<Vec<f64>> =
            (0..m).map(|i| values[start + i * n..start + (i + 1) * n].to_vec()).collect();
        check_matrix_constrained(name, type_name, &rows)
            .map_err(|e| e.at(&multi_index(k, count, outer)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_index_is_row_major_and_one_based() {
        assert_eq!(multi_index(0, 6, &[2, 3]), [1, 1]);
        assert_eq!(multi_index(4, 6, &[2, 3]), [2, 2]);
        assert_eq!(multi_index(5, 6, &[2, 3]), [2, 3]);
        assert_eq!(multi_index(2, 3, &[3]), [3]);
        assert_eq!(multi_index(0, 1, &[]), Vec::<usize>::new());
        assert_eq!(multi_index(4, 6, &[4]), [5]);
    }

    #[test]
    fn rows_of_nested_arrays_have_full_indices() {
        assert_eq!(row_index(0, &[3]), Vec::<usize>::new());
        assert_eq!(row_index(2, &[3, 4]), [3]);
        assert_eq!(row_index(4, &[2, 3, 5]), [2, 2]);
    }

    #[test]
    fn arrays_of_constrained_matrices_name_the_matrix() {
        let identity = [1.0, 0.0, 0.0, 1.0];
        let bad = [1.0, 0.0, 0.5, 1.0];
        let values: Vec<f64> = [identity, identity, identity, bad].concat();
        let err = check_matrices_constrained("L", "corr_matrix", &values, &[2, 2, 2, 2]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "L[2, 2]: expected a corr_matrix, found a matrix that is not symmetric: element \
             [1, 2] is 0 but element [2, 1] is 0.5"
        );
        assert!(check_matrices_constrained("L", "corr_matrix", &values[..8], &[2, 2, 2]).is_ok());
    }
}
