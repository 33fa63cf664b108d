//! Stan's functions, generic over [`crate::Scalar`] (Stan functions reference): special
//! functions, log-scale arithmetic, elementary functions and reductions, re-exported flat.

pub mod args;
mod basic;
pub(crate) mod kernels;
pub(crate) mod logexp;
pub mod matrix;
pub(crate) mod partials;
mod reduce;
mod special;

pub use args::{Arg, AsCol, AsRow, Data, IntArg, Lazy, MatArg, Var, common_len};
pub use basic::*;
pub use logexp::*;
pub use reduce::*;
pub use special::{
    Phi, Phi_approx, binomial_coefficient_log, digamma, erf, erfc, inv_Phi, lbeta, lchoose, lgamma,
    trigamma,
};

pub(crate) use special::{
    HALF_LN_2PI, LN2, lchoose_f64, lgamma_f64, lgamma_shift_excess, lgamma_shift_excess_f64, lift,
    log_bessel_i0_and_ratio, log_phi, phi_f64, std_normal_pdf_f64,
};
