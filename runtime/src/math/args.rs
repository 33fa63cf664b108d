//! Arguments of vectorised functions and distributions.
//!
//! Stan lets any argument of a distribution be a scalar or a container, mixed freely. Generated
//! code wraps each argument so that one generic function serves every mix: [`Data`] for values
//! that hold no parameters (data, transformed data, literals) and [`Var`] for values that may,
//! [`Lazy`] for an elementwise expression evaluated on demand without a temporary.
//!
//! A scalar broadcasts against containers; containers must agree in length.

use crate::model::ModelError;
use crate::scalar::Scalar;

/// One argument of a vectorised function.
pub trait Arg<S: Scalar> {
    /// True when the argument holds no parameters, so that terms depending only on constant
    /// arguments may be dropped by `~`.
    const CONSTANT: bool;

    /// `None` for a scalar, which broadcasts; the number of elements for a container.
    fn len(&self) -> Option<usize>;

    /// Whether the argument is a container with no elements.
    fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Element `i` (0-based); a scalar ignores `i`.
    fn at(&self, i: usize) -> S;

    /// The value of element `i`, without derivatives.
    fn value_at(&self, i: usize) -> f64 {
        self.at(i).value()
    }
}

/// A constant argument: data, transformed data or a literal.
#[derive(Debug, Clone, Copy)]
pub struct Data<T>(pub T);

/// An argument that may depend on parameters.
#[derive(Debug, Clone, Copy)]
pub struct Var<T>(pub T);

/// An elementwise expression of `len` elements, evaluated element by element.
#[derive(Debug, Clone, Copy)]
pub struct Lazy<F> {
    /// Number of elements.
    pub len: usize,
    /// Element `i` of the expression.
    pub f: F,
}

impl<S: Scalar> Arg<S> for Data<f64> {
    const CONSTANT: bool = true;
    fn len(&self) -> Option<usize> {
        None
    }
    fn at(&self, _: usize) -> S {
        S::from_f64(self.0)
    }
    fn value_at(&self, _: usize) -> f64 {
        self.0
    }
}

impl<S: Scalar> Arg<S> for Data<i64> {
    const CONSTANT: bool = true;
    fn len(&self) -> Option<usize> {
        None
    }
    fn at(&self, _: usize) -> S {
        S::from_f64(self.0 as f64)
    }
    fn value_at(&self, _: usize) -> f64 {
        self.0 as f64
    }
}

impl<S: Scalar> Arg<S> for Data<&[f64]> {
    const CONSTANT: bool = true;
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn at(&self, i: usize) -> S {
        S::from_f64(self.0[i])
    }
    fn value_at(&self, i: usize) -> f64 {
        self.0[i]
    }
}

impl<S: Scalar> Arg<S> for Data<&[i64]> {
    const CONSTANT: bool = true;
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn at(&self, i: usize) -> S {
        S::from_f64(self.0[i] as f64)
    }
    fn value_at(&self, i: usize) -> f64 {
        self.0[i] as f64
    }
}

impl<S: Scalar> Arg<S> for Var<S> {
    const CONSTANT: bool = false;
    fn len(&self) -> Option<usize> {
        None
    }
    fn at(&self, _: usize) -> S {
        self.0
    }
}

impl<S: Scalar> Arg<S> for Var<&[S]> {
    const CONSTANT: bool = false;
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn at(&self, i: usize) -> S {
        self.0[i]
    }
}

impl<S: Scalar, F: Fn(usize) -> S> Arg<S> for Lazy<F> {
    const CONSTANT: bool = false;
    fn len(&self) -> Option<usize> {
        Some(self.len)
    }
    fn at(&self, i: usize) -> S {
        (self.f)(i)
    }
}

impl<S: Scalar, A: Arg<S>> Arg<S> for &A {
    const CONSTANT: bool = A::CONSTANT;
    fn len(&self) -> Option<usize> {
        (**self).len()
    }
    fn at(&self, i: usize) -> S {
        (**self).at(i)
    }
    fn value_at(&self, i: usize) -> f64 {
        (**self).value_at(i)
    }
}

/// An integer argument of a vectorised function: the outcome of a discrete distribution, or
/// an integer parameter such as a binomial's population size. Integers are always data.
pub trait IntArg {
    /// `None` for a scalar, which broadcasts; the number of elements for a container.
    fn len(&self) -> Option<usize>;

    /// Whether the argument is a container with no elements.
    fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Element `i` (0-based); a scalar ignores `i`.
    fn int_at(&self, i: usize) -> i64;
}

impl IntArg for Data<i64> {
    fn len(&self) -> Option<usize> {
        None
    }
    fn int_at(&self, _: usize) -> i64 {
        self.0
    }
}

impl IntArg for Data<&[i64]> {
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn int_at(&self, i: usize) -> i64 {
        self.0[i]
    }
}

impl<A: IntArg> IntArg for &A {
    fn len(&self) -> Option<usize> {
        (**self).len()
    }
    fn int_at(&self, i: usize) -> i64 {
        (**self).int_at(i)
    }
}

/// A matrix argument stored as rows (`Vec<Vec<_>>`, row `i` holding entries `(i, j)`), the
/// layout of generated code. An `array[] vector` has the same layout, one vector per row, so
/// the multivariate distributions take arrays of vectors through this trait too.
pub trait MatArg<S: Scalar> {
    /// True when the argument holds no parameters.
    const CONSTANT: bool;

    /// Number of rows.
    fn rows(&self) -> usize;

    /// Number of columns (0 for a matrix without rows).
    fn cols(&self) -> usize;

    /// Entry `(i, j)`, 0-based.
    fn entry(&self, i: usize, j: usize) -> S;

    /// The value of entry `(i, j)`, without derivatives.
    fn entry_value(&self, i: usize, j: usize) -> f64 {
        self.entry(i, j).value()
    }

    /// Row `i` as a slice of values, where the argument stores it as one (data matrices), so
    /// that loops over a row can run on the slice; `None` otherwise.
    fn row_values(&self, _i: usize) -> Option<&[f64]> {
        None
    }
}

impl<S: Scalar> MatArg<S> for Data<&[Vec<f64>]> {
    const CONSTANT: bool = true;
    fn rows(&self) -> usize {
        self.0.len()
    }
    fn cols(&self) -> usize {
        self.0.first().map_or(0, Vec::len)
    }
    fn entry(&self, i: usize, j: usize) -> S {
        S::from_f64(self.0[i][j])
    }
    fn entry_value(&self, i: usize, j: usize) -> f64 {
        self.0[i][j]
    }
    fn row_values(&self, i: usize) -> Option<&[f64]> {
        Some(&self.0[i])
    }
}

impl<S: Scalar> MatArg<S> for Var<&[Vec<S>]> {
    const CONSTANT: bool = false;
    fn rows(&self) -> usize {
        self.0.len()
    }
    fn cols(&self) -> usize {
        self.0.first().map_or(0, Vec::len)
    }
    fn entry(&self, i: usize, j: usize) -> S {
        self.0[i][j]
    }
}

impl<S: Scalar, A: MatArg<S>> MatArg<S> for &A {
    const CONSTANT: bool = A::CONSTANT;
    fn rows(&self) -> usize {
        (**self).rows()
    }
    fn cols(&self) -> usize {
        (**self).cols()
    }
    fn entry(&self, i: usize, j: usize) -> S {
        (**self).entry(i, j)
    }
    fn entry_value(&self, i: usize, j: usize) -> f64 {
        (**self).entry_value(i, j)
    }
    fn row_values(&self, i: usize) -> Option<&[f64]> {
        (**self).row_values(i)
    }
}

/// A vector argument seen as a matrix of one row: how a single `vector` outcome or location
/// reaches the multivariate distributions, which also take arrays of vectors.
#[derive(Debug, Clone, Copy)]
pub struct AsRow<A>(pub A);

impl<S: Scalar, A: Arg<S>> MatArg<S> for AsRow<A> {
    const CONSTANT: bool = A::CONSTANT;
    fn rows(&self) -> usize {
        1
    }
    fn cols(&self) -> usize {
        self.0.len().unwrap_or(1)
    }
    fn entry(&self, _: usize, j: usize) -> S {
        self.0.at(j)
    }
    fn entry_value(&self, _: usize, j: usize) -> f64 {
        self.0.value_at(j)
    }
}

/// A vector argument seen as a one-column matrix (the vectors of `append_col`).
#[derive(Debug, Clone, Copy)]
pub struct AsCol<A>(pub A);

impl<S: Scalar, A: Arg<S>> MatArg<S> for AsCol<A> {
    const CONSTANT: bool = A::CONSTANT;
    fn rows(&self) -> usize {
        self.0.len().unwrap_or(1)
    }
    fn cols(&self) -> usize {
        1
    }
    fn entry(&self, i: usize, _: usize) -> S {
        self.0.at(i)
    }
    fn entry_value(&self, i: usize, _: usize) -> f64 {
        self.0.value_at(i)
    }
}

/// The common length of a call's arguments: `Some(1)`-like broadcasting of scalars, and an
/// error naming the argument whose length disagrees with the first container's.
///
/// The names are the function's own names for its arguments (`mu` of `normal_lpdf`), not the
/// expressions the user passed (`z` in `y ~ normal(z, 1)`), so the message calls them
/// arguments; sampling appends the statement that failed, which shows the user's names.
///
/// `args` pairs each argument's name with its length (`None` for a scalar). A call whose
/// arguments are all scalars has length 1.
pub fn common_len(function: &str, args: &[(&str, Option<usize>)]) -> Result<usize, ModelError> {
    let mut first: Option<(&str, usize)> = None;
    for &(name, len) in args {
        let Some(n) = len else { continue };
        match first {
            None => first = Some((name, n)),
            Some((first_name, m)) if m != n => {
                return Err(ModelError::fatal(format!(
                    "{function}: size of argument {name} ({n}) does not match size of argument \
                     {first_name} ({m})"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(first.map_or(1, |(_, n)| n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_broadcast_and_lengths_must_agree() {
        assert_eq!(common_len("f", &[("y", None), ("mu", None)]).unwrap(), 1);
        assert_eq!(common_len("f", &[("y", Some(3)), ("mu", None)]).unwrap(), 3);
        let err = common_len("normal_lpdf", &[("y", Some(3)), ("mu", Some(2))]).unwrap_err();
        assert_eq!(
            err.message(),
            "normal_lpdf: size of argument mu (2) does not match size of argument y (3)"
        );
        assert!(!err.is_recoverable());
    }

    #[test]
    fn data_lifts_to_the_scalar_type() {
        let ys = [1.0, 2.0];
        let a = Data(&ys[..]);
        let v: f64 = a.at(1);
        assert_eq!(v, 2.0);
        const { assert!(<Data<&[f64]> as Arg<f64>>::CONSTANT) };
        const { assert!(!<Var<f64> as Arg<f64>>::CONSTANT) };
    }
}
