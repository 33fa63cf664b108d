//! Stan's distributions, vectorised as Stan vectorises them (Stan functions reference,
//! "Discrete distributions" and "Continuous distributions").
//!
//! Every density takes its arguments as [`crate::math::Arg`]s (integers as
//! [`crate::math::IntArg`]s): scalars broadcast, containers must agree in length, and the
//! result is the sum over elements. `PROPTO = true` is Stan's `~` and `_lupdf`: terms whose
//! arguments are all constants are dropped. Invalid parameters give a recoverable
//! [`crate::ModelError`] worded as Stan words it.

/// Defines a family's `_cdf`, `_lcdf` and `_lccdf` from one function
/// `log_cdf(function_name, upper, args...)` that checks the arguments and sums the log CDF
/// (`upper = false`) or the log complementary CDF (`upper = true`) over elements. With
/// `log_only`, only `_lcdf` and `_lccdf`, for the families for which Stan has no `_cdf`.
macro_rules! cdf_functions {
    (log_only $family:literal, $log_cdf:ident, $lcdf:ident, $lccdf:ident,
     ($($a:ident: $t:ty),*)) => {
        #[doc = concat!("The ", $family, " log CDF, summed over elements.")]
        pub fn $lcdf<S: Scalar>($($a: $t),*) -> Result<S, ModelError> {
            $log_cdf(concat!($family, "_lcdf"), false, $($a),*)
        }

        #[doc = concat!("The ", $family, " log complementary CDF, summed over elements.")]
        pub fn $lccdf<S: Scalar>($($a: $t),*) -> Result<S, ModelError> {
            $log_cdf(concat!($family, "_lccdf"), true, $($a),*)
        }
    };
    ($family:literal, $log_cdf:ident, $cdf:ident, $lcdf:ident, $lccdf:ident,
     ($($a:ident: $t:ty),*)) => {
        cdf_functions!(log_only $family, $log_cdf, $lcdf, $lccdf, ($($a: $t),*));

        #[doc = concat!("The ", $family, " CDF; for containers, the product.")]
        pub fn $cdf<S: Scalar>($($a: $t),*) -> Result<S, ModelError> {
            Ok($log_cdf(concat!($family, "_cdf"), false, $($a),*)?.exp())
        }
    };
}

mod bounded;
mod check;
mod circular;
mod count;
mod glm;
mod incomplete;
mod location;
mod multi;
mod multi_rng;
mod normal;
mod ordinal;
mod positive;
mod truncation;

pub use bounded::*;
pub use circular::*;
pub use count::*;
pub use glm::*;
pub use location::*;
pub use multi::*;
pub use multi_rng::*;
pub use normal::*;
pub use ordinal::*;
pub use positive::*;
pub use truncation::*;
