//! The normalising term of a truncated distribution, `y ~ normal(mu, sigma) T[L, U]` (Stan
//! reference manual, "Truncated distributions"): the log of the probability the untruncated
//! distribution puts between the bounds, which the truncated density divides by.

use crate::math::log_diff_exp;
use crate::model::ModelError;
use crate::scalar::Scalar;

/// `log(CDF(U) - CDF(L))`, from whichever tail keeps the difference accurate.
///
/// Both bounds in the upper tail make `CDF(U) - CDF(L)` a difference of two numbers close to
/// one, which loses every digit; there `CCDF(L) - CCDF(U)` is the same quantity with no
/// cancellation. The CDFs are passed as closures so that only the two that are used are
/// evaluated.
pub fn log_mass_between<S: Scalar>(
    family: &str,
    lcdf_lower: impl FnOnce() -> Result<S, ModelError>,
    lcdf_upper: impl FnOnce() -> Result<S, ModelError>,
    lccdf_lower: impl FnOnce() -> Result<S, ModelError>,
    lccdf_upper: impl FnOnce() -> Result<S, ModelError>,
) -> Result<S, ModelError> {
    let lower = lcdf_lower()?;
    let mass = if lower.value() > -std::f64::consts::LN_2 {
        log_diff_exp(lccdf_lower()?, lccdf_upper()?)
    } else {
        log_diff_exp(lcdf_upper()?, lower)
    };
    log_mass(family, mass)
}

/// Checks a truncation's log probability mass: an interval the distribution gives no
/// probability (or bounds in the wrong order) rejects the proposal rather than dividing by
/// zero.
pub fn log_mass<S: Scalar>(family: &str, mass: S) -> Result<S, ModelError> {
    let v = mass.value();
    if v.is_finite() {
        Ok(mass)
    } else {
        Err(ModelError::recoverable(format!(
            "truncated {family}: the distribution puts no probability between the truncation \
             bounds (log probability {v})"
        )))
    }
}
