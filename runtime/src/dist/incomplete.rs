//! Logs of the regularised incomplete gamma and beta functions with their partial
//! derivatives, the building blocks of the CDFs of the gamma, beta and count families.
//!
//! The derivative in the integration limit is the density divided by the CDF, exact; the
//! derivatives in the shape parameters have no closed form and are central differences of the
//! `f64` function, taken only when the caller says the shape carries derivatives.

use crate::math::{lgamma_f64, lift};
use crate::scalar::Scalar;

fn gamma_p_f64(a: f64, z: f64) -> f64 {
    statrs::function::gamma::checked_gamma_lr(a, z).unwrap_or(f64::NAN)
}

fn gamma_q_f64(a: f64, z: f64) -> f64 {
    statrs::function::gamma::checked_gamma_ur(a, z).unwrap_or(f64::NAN)
}

/// `ln P(a, z)` for small `z` by its series `z^a e^-z / Gamma(a + 1) * sum_k z^k / ((a + 1)
/// ... (a + k))`, accurate where `P` itself underflows.
fn log_gamma_p_series(a: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..500 {
        term *= z / (a + k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    a * z.ln() - z - lgamma_f64(a + 1.0) + sum.ln()
}

/// `ln P(a, z)` (lower) or `ln Q(a, z)` (upper) in `f64`.
pub(crate) fn log_gamma_inc_f64(a: f64, z: f64, upper: bool) -> f64 {
    if z <= 0.0 {
        return if upper { 0.0 } else { f64::NEG_INFINITY };
    }
    if z == f64::INFINITY {
        return if upper { f64::NEG_INFINITY } else { 0.0 };
    }
    if upper {
        let q = gamma_q_f64(a, z);
        // Q near 1 is better taken as 1 - P.
        if q > 0.9 { (-gamma_p_f64(a, z)).ln_1p() } else { q.ln() }
    } else if z < 1e-2 || z < 0.5 * a {
        log_gamma_p_series(a, z)
    } else {
        let p = gamma_p_f64(a, z);
        if p > 0.9 { (-gamma_q_f64(a, z)).ln_1p() } else { p.ln() }
    }
}

/// `ln P(a, z)` or `ln Q(a, z)` with derivatives in `z` and, when `shape_varies`, in `a`.
pub(crate) fn log_gamma_inc<S: Scalar>(a: S, z: S, upper: bool, shape_varies: bool) -> S {
    let (av, zv) = (a.value(), z.value());
    let f = log_gamma_inc_f64(av, zv, upper);
    if !f.is_finite() || zv <= 0.0 || zv == f64::INFINITY {
        return S::from_f64(f);
    }
    let log_dens = (av - 1.0) * zv.ln() - zv - lgamma_f64(av);
    let sign = if upper { -1.0 } else { 1.0 };
    let dz = sign * (log_dens - f).exp();
    let da = if shape_varies {
        let h = 1e-6 * av.max(1e-3);
        (log_gamma_inc_f64(av + h, zv, upper) - log_gamma_inc_f64(av - h, zv, upper)) / (2.0 * h)
    } else {
        0.0
    };
    lift(z, f, dz) + lift(a, 0.0, da)
}

fn beta_reg_f64(a: f64, b: f64, x: f64) -> f64 {
    statrs::function::beta::checked_beta_reg(a, b, x).unwrap_or(f64::NAN)
}

/// `ln I_x(a, b)` in `f64`, accurate when `I` is small; near 1 it is taken as
/// `ln(1 - I_{1-x}(b, a))`.
pub(crate) fn log_beta_inc_f64(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if x >= 1.0 {
        return 0.0;
    }
    let i = beta_reg_f64(a, b, x);
    if i > 0.9 { (-beta_reg_f64(b, a, 1.0 - x)).ln_1p() } else { i.ln() }
}

/// `ln I_x(a, b)` with its derivative in `x` and, when `shapes_vary`, in `a` and `b`.
pub(crate) fn log_beta_inc<S: Scalar>(a: S, b: S, x: S, shapes_vary: bool) -> S {
    let (av, bv, xv) = (a.value(), b.value(), x.value());
    let f = log_beta_inc_f64(av, bv, xv);
    if !f.is_finite() || xv <= 0.0 || xv >= 1.0 {
        return S::from_f64(f);
    }
    let log_dens =
        (av - 1.0) * xv.ln() + (bv - 1.0) * (-xv).ln_1p() - crate::math::lbeta::<f64>(av, bv);
    let dx = (log_dens - f).exp();
    let (da, db) = if shapes_vary {
        let (ha, hb) = (1e-6 * av.max(1e-3), 1e-6 * bv.max(1e-3));
        let g = |a: f64, b: f64| log_beta_inc_f64(a, b, xv);
        (
            (g(av + ha, bv) - g(av - ha, bv)) / (2.0 * ha),
            (g(av, bv + hb) - g(av, bv - hb)) / (2.0 * hb),
        )
    } else {
        (0.0, 0.0)
    };
    lift(x, f, dx) + lift(a, 0.0, da) + lift(b, 0.0, db)
}
