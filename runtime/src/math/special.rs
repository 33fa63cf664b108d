//! Gamma, beta, error-function and normal-CDF families (Stan functions reference, "Special
//! functions"), evaluated in `f64` and lifted to dual numbers through [`Scalar::chain`].

use crate::scalar::Scalar;
use std::f64::consts::{FRAC_1_SQRT_2, LN_2, PI};

/// `0.5 * ln(2 pi)`.
pub(crate) const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// `f(x)` with derivative `df`, given in `f64`.
///
/// An infinite input or derivative cannot pass through `chain` (the value part would become
/// `0 * inf`), so the derivative is dropped there: such a value is rejected by the sampler.
#[inline]
pub(crate) fn lift<S: Scalar>(x: S, f: f64, df: f64) -> S {
    if x.value().is_finite() && df.is_finite() { x.chain(f, df) } else { S::from_f64(f) }
}

/// `f(a, b)` with partial derivatives `da` and `db`.
#[inline]
pub(crate) fn lift2<S: Scalar>(a: S, b: S, f: f64, da: f64, db: f64) -> S {
    lift(a, f, da) + lift(b, 0.0, db)
}

/// The log of the absolute value of the gamma function; `+inf` at the poles 0, -1, -2, ...
pub fn lgamma<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, lgamma_f64(v), digamma_f64(v))
}

pub(crate) fn lgamma_f64(x: f64) -> f64 {
    if x <= 0.0 && x == x.floor() {
        return f64::INFINITY;
    }
    libm::lgamma(x)
}

pub(crate) fn digamma_f64(x: f64) -> f64 {
    if x <= 0.0 && x == x.floor() {
        return f64::NAN;
    }
    statrs::function::gamma::digamma(x)
}

/// The digamma function, the derivative of [`lgamma`].
pub fn digamma<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, digamma_f64(v), trigamma_f64(v))
}

/// The trigamma function, the derivative of [`digamma`].
pub fn trigamma<S: Scalar>(x: S) -> S {
    let v = x.value();
    // The derivative (tetragamma) is not needed by any density; it is left out.
    lift(x, trigamma_f64(v), f64::NAN)
}

pub(crate) fn trigamma_f64(x: f64) -> f64 {
    if x.is_nan() || (x <= 0.0 && x == x.floor()) {
        return f64::NAN;
    }
    if x < 0.0 {
        // Reflection: psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x).
        let s = (PI * x).sin();
        return PI * PI / (s * s) - trigamma_f64(1.0 - x);
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    // Asymptotic series with Bernoulli numbers B_2k / x^(2k+1).
    let z = 1.0 / (x * x);
    let series = 1.0 / x
        + z / 2.0
        + z / x
            * (1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z * (1.0 / 30.0 - z * 5.0 / 66.0))));
    acc + series
}

/// `lgamma(x) - ((x - 1/2) ln x - x + ln(2 pi)/2)`, the Stirling remainder, for `x >= 10`.
fn stirling_remainder(x: f64) -> f64 {
    let z = 1.0 / (x * x);
    (1.0 / 12.0
        - z * (1.0 / 360.0
            - z * (1.0 / 1260.0 - z * (1.0 / 1680.0 - z * (1.0 / 1188.0 - z * 691.0 / 360360.0)))))
        / x
}

/// `digamma(x) - ln x`, for `x >= 10`.
fn digamma_minus_log(x: f64) -> f64 {
    let z = 1.0 / (x * x);
    -0.5 / x
        - z * (1.0 / 12.0
            - z * (1.0 / 120.0
                - z * (1.0 / 252.0 - z * (1.0 / 240.0 - z * (1.0 / 132.0 - z * 691.0 / 32760.0)))))
}

/// `lgamma(x + a) - lgamma(x) - a ln x` and its derivative in `x`, for `x > 0`, `a >= 0`.
///
/// The difference of two huge log-gammas loses every digit when `x` is large (student_t with a
/// large `nu`, neg_binomial_2 with a large `phi`); Stirling's series written as a difference
/// keeps the error at `a * eps` absolute.
pub(crate) fn lgamma_shift_excess_f64(x: f64, a: f64) -> (f64, f64) {
    if a == 0.0 {
        return (0.0, 0.0);
    }
    if x >= 10.0 {
        let r = a / x;
        let f = (x + a - 0.5) * r.ln_1p() - a + stirling_remainder(x + a) - stirling_remainder(x);
        let df = r.ln_1p() - r + digamma_minus_log(x + a) - digamma_minus_log(x);
        (f, df)
    } else {
        let f = lgamma_f64(x + a) - lgamma_f64(x) - a * x.ln();
        let df = digamma_f64(x + a) - digamma_f64(x) - a / x;
        (f, df)
    }
}

/// `lgamma(x + a) - lgamma(x) - a ln x` for a constant shift `a`, stable for large `x`.
pub(crate) fn lgamma_shift_excess<S: Scalar>(x: S, a: f64) -> S {
    let (f, df) = lgamma_shift_excess_f64(x.value(), a);
    lift(x, f, df)
}

/// The log of the beta function, `lgamma(a) + lgamma(b) - lgamma(a + b)`, without the
/// cancellation of that formula for large arguments.
pub fn lbeta<S: Scalar>(a: S, b: S) -> S {
    let (x, y) = (a.value(), b.value());
    let f = lbeta_f64(x, y);
    let psi_ab = digamma_f64(x + y);
    lift2(a, b, f, digamma_f64(x) - psi_ab, digamma_f64(y) - psi_ab)
}

pub(crate) fn lbeta_f64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    let (small, large) = if a < b { (a, b) } else { (b, a) };
    if small >= 10.0 {
        // Stirling's series for all three terms, with the logs written as ratios.
        let corr =
            stirling_remainder(small) + stirling_remainder(large) - stirling_remainder(a + b);
        HALF_LN_2PI
            - 0.5 * large.ln()
            - (small - 0.5) * (large / small).ln_1p()
            - large * (small / large).ln_1p()
            + corr
    } else if large >= 10.0 {
        let (d, _) = lgamma_shift_excess_f64(large, small);
        lgamma_f64(small) - small * large.ln() - d
    } else {
        lgamma_f64(a) + lgamma_f64(b) - lgamma_f64(a + b)
    }
}

/// The log of the binomial coefficient `n choose k`, for real `n` and `k` (Stan's
/// `binomial_coefficient_log`).
pub fn lchoose<S: Scalar>(n: S, k: S) -> S {
    if k.value() == 0.0 || k.value() == n.value() {
        return S::zero();
    }
    -(n + 1.0).ln() - lbeta(n - k + 1.0, k + 1.0)
}

/// Alias of [`lchoose`] under Stan's longer name.
pub fn binomial_coefficient_log<S: Scalar>(n: S, k: S) -> S {
    lchoose(n, k)
}

pub(crate) fn lchoose_f64(n: f64, k: f64) -> f64 {
    if k == 0.0 || k == n {
        return 0.0;
    }
    -(n + 1.0).ln() - lbeta_f64(n - k + 1.0, k + 1.0)
}

/// The error function.
pub fn erf<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, libm::erf(v), 2.0 / PI.sqrt() * (-v * v).exp())
}

/// The complementary error function, `1 - erf(x)`, accurate where `erf(x)` is near 1.
pub fn erfc<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, libm::erfc(v), -2.0 / PI.sqrt() * (-v * v).exp())
}

/// The standard normal density at `x`.
pub(crate) fn std_normal_pdf_f64(x: f64) -> f64 {
    (-0.5 * x * x - HALF_LN_2PI).exp()
}

pub(crate) fn phi_f64(x: f64) -> f64 {
    if x < -37.5 {
        0.0
    } else if x < -5.0 {
        0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
    } else if x > 8.25 {
        1.0
    } else {
        0.5 * (1.0 + libm::erf(x * FRAC_1_SQRT_2))
    }
}

/// The standard normal CDF; 0 below -37.5 and 1 above 8.25, as in Stan.
#[allow(non_snake_case)]
pub fn Phi<S: Scalar>(x: S) -> S {
    let v = x.value();
    lift(x, phi_f64(v), std_normal_pdf_f64(v))
}

/// The logistic approximation to [`Phi`]: `inv_logit(0.07056 x^3 + 1.5976 x)`.
#[allow(non_snake_case)]
pub fn Phi_approx<S: Scalar>(x: S) -> S {
    super::inv_logit(x * x * x * 0.07056 + x * 1.5976)
}

/// The Mills ratio `(1 - Phi(t)) / phi(t)` for `t >= 5`, by its continued fraction
/// `1 / (t + 1 / (t + 2 / (t + 3 / ...)))`.
fn mills_ratio(t: f64) -> f64 {
    let mut r = t;
    for k in (1..=60).rev() {
        r = t + k as f64 / r;
    }
    1.0 / r
}

/// `ln Phi(x)` and its derivative `phi(x) / Phi(x)`, accurate in both tails.
pub(crate) fn log_phi_f64(x: f64) -> (f64, f64) {
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    if x < -5.0 {
        // Phi(x) = phi(x) * M(-x), kept in log space so that it never underflows.
        let m = mills_ratio(-x);
        (-0.5 * x * x - HALF_LN_2PI + m.ln(), 1.0 / m)
    } else if x > 0.0 {
        let q = 0.5 * libm::erfc(x * FRAC_1_SQRT_2);
        ((-q).ln_1p(), std_normal_pdf_f64(x) / (1.0 - q))
    } else {
        let p = 0.5 * libm::erfc(-x * FRAC_1_SQRT_2);
        (p.ln(), std_normal_pdf_f64(x) / p)
    }
}

/// `ln Phi(x)` for a scalar, finite in the far lower tail.
pub(crate) fn log_phi<S: Scalar>(x: S) -> S {
    let (f, df) = log_phi_f64(x.value());
    lift(x, f, df)
}

/// The standard normal quantile function; `p` outside `[0, 1]` gives NaN.
#[allow(non_snake_case)]
pub fn inv_Phi<S: Scalar>(p: S) -> S {
    let x = inv_phi_f64(p.value());
    lift(p, x, 1.0 / std_normal_pdf_f64(x))
}

pub(crate) fn inv_phi_f64(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let mut x = acklam_initial(p);
    // Halley steps on Phi(x) - p, using the tail of smaller mass to keep relative accuracy.
    for _ in 0..2 {
        let e = if x < 0.0 {
            0.5 * libm::erfc(-x * FRAC_1_SQRT_2) - p
        } else {
            (1.0 - p) - 0.5 * libm::erfc(x * FRAC_1_SQRT_2)
        };
        let u = e / std_normal_pdf_f64(x);
        x -= u / (1.0 + 0.5 * x * u);
    }
    x
}

/// Acklam's rational approximation to the normal quantile (relative error about 1e-9).
fn acklam_initial(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] =
        [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    if p < 0.02425 {
        tail(p)
    } else if p > 1.0 - 0.02425 {
        -tail(1.0 - p)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// `ln I0(kappa)` and the ratio `I1(kappa) / I0(kappa)`, for `kappa >= 0`, without overflow.
pub(crate) fn log_bessel_i0_and_ratio(kappa: f64) -> (f64, f64) {
    if kappa < 20.0 {
        // Power series: I_nu(k) = sum (k/2)^(2j + nu) / (j! (j + nu)!), all terms positive.
        let q = 0.25 * kappa * kappa;
        let (mut t0, mut s0, mut t1, mut s1) = (1.0, 1.0, 0.5 * kappa, 0.5 * kappa);
        for j in 1..200 {
            let jf = j as f64;
            t0 *= q / (jf * jf);
            t1 *= q / (jf * (jf + 1.0));
            s0 += t0;
            s1 += t1;
            if t0 < s0 * 1e-17 && t1 <= s1 * 1e-17 {
                break;
            }
        }
        (s0.ln(), s1 / s0)
    } else {
        // Hankel's asymptotic expansion of e^-k sqrt(2 pi k) I_nu(k), nu = 0 and 1.
        let (mut t0, mut s0, mut t1, mut s1) = (1.0, 1.0, 1.0, 1.0);
        for k in 1..40 {
            let odd = (2 * k - 1) as f64;
            let denom = k as f64 * 8.0 * kappa;
            t0 *= odd * odd / denom;
            t1 *= -(4.0 - odd * odd) / denom;
            s0 += t0;
            s1 += t1;
            if t0.abs() < 1e-17 * s0 && t1.abs() < 1e-17 * s1.abs() {
                break;
            }
        }
        (kappa - 0.5 * (2.0 * PI * kappa).ln() + s0.ln(), s1 / s0)
    }
}

/// `ln(2)`, re-exported for the distributions' constants.
pub(crate) const LN2: f64 = LN_2;
