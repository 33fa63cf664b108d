//! Inlined `exp` and `ln_1p` for the hot loops of the vectorised densities.
//!
//! The C library's `log1p` and `exp` are calls into a shared object with argument checks and
//! table lookups; in a logistic regression's one-pass gradient they took over half the time.
//! These versions cover only the ranges those loops need (`exp` of a non-positive number,
//! `ln_1p` of a number in `[0, 1]`), have no calls and few branches, and stay within a couple
//! of units in the last place of the correctly rounded result. They use plain multiplies and
//! adds, not fused ones, so every processor computes the same bits.

use std::f64::consts::{LN_2, LOG2_E, SQRT_2};

/// `ln 2` split so that `k * LN2_HI` is exact for any `|k| < 2^21`: the low 20 bits of its
/// significand are zero. `LN2_LO` is `ln 2 - LN2_HI`, rounded.
const LN2_HI: f64 = 0.693_147_180_485_539_1;
const LN2_LO: f64 = 7.440_617_110_012_397e-11;

/// Below this `e^x` is under half the smallest subnormal and rounds to zero.
const EXP_UNDERFLOW: f64 = -745.2;

/// Adding this rounds a number below `2^51` in magnitude to the nearest integer, which then
/// sits in the low bits of the sum's significand.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// `e^x` for `x <= 0` (and NaN, which it returns).
///
/// With `x = k ln 2 + r` and `|r| <= ln 2 / 2`, `e^r` is its Taylor polynomial of degree 13,
/// whose remainder is below `4e-18`, and `2^k` is put into the exponent bits in two halves, so
/// that results down to the subnormals need no branch. Without branches, a loop of calls
/// compiles to vector instructions.
#[inline(always)]
pub fn exp_nonpositive(x: f64) -> f64 {
    exp_nonpositive_with::<false>(x)
}

/// `a * b + c`, rounded once if `FUSED`.
#[inline(always)]
fn madd<const FUSED: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FUSED { a.mul_add(b, c) } else { a * b + c }
}

/// [`exp_nonpositive`], with fused multiply-adds in the polynomial if `FUSED`.
#[inline(always)]
fn exp_nonpositive_with<const FUSED: bool>(x: f64) -> f64 {
    debug_assert!(x <= 0.0 || x.is_nan(), "exp_nonpositive({x})");
    let shifted = x * LOG2_E + ROUNDER;
    let k = shifted - ROUNDER;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Horner's rule on 1 + r + r^2/2! + ... + r^13/13!.
    let mut p = INV_FACT[13];
    for c in INV_FACT[..13].iter().rev() {
        p = madd::<FUSED>(p, r, *c);
    }
    // k = bits(shifted) - bits(ROUNDER), in [-1075, 0]; halve it with a logical shift of a
    // positive number, as vector units have no arithmetic shift of 64-bit lanes.
    let k = shifted.to_bits().wrapping_sub(ROUNDER.to_bits()).wrapping_add(2048);
    let k1 = k >> 1;
    let k2 = k - k1;
    let scale = |h: u64| f64::from_bits(h.wrapping_sub(1) << 52);
    let value = p * scale(k1) * scale(k2);
    if x < EXP_UNDERFLOW { 0.0 } else { value }
}

/// `1 / n!` for `n` from 0 to 13.
const INV_FACT: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `ln(1 + e)` for `e` in `[0, 1]`.
#[inline(always)]
pub fn ln_1p_unit(e: f64) -> f64 {
    let u = 1.0 + e;
    ln_1p_unit_given::<false>(e, u, 1.0 / u)
}

/// `ln(1 + e)` for `e` in `[0, 1]`, given `u = 1 + e` rounded and `inv_u = 1 / u`, which a
/// caller may need as well.
///
/// `c = (u - 1) - e` is the rounding error of `u` exactly, and `ln(1 + e) = ln u - c / u` to
/// first order. `ln u` is `k ln 2 + ln m` with `m` in `[sqrt(2)/2, sqrt(2)]`, and `ln m = 2
/// atanh(s)` with `s = (m - 1) / (m + 1)`, `|s| < 0.172`, from its series up to `s^25`, whose
/// remainder is below `1e-20` relative.
#[inline(always)]
fn ln_1p_unit_given<const FUSED: bool>(e: f64, u: f64, inv_u: f64) -> f64 {
    debug_assert!((0.0..=1.0).contains(&e) || e.is_nan(), "ln_1p_unit({e})");
    let c = (u - 1.0) - e;
    let big = u > SQRT_2;
    let m = if big { 0.5 * u } else { u };
    let k = if big { LN_2 } else { 0.0 };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let s2 = s * s;
    // 1/3 + s^2/5 + ... + s^22/25, by Horner's rule in s^2.
    let mut p = 1.0 / 25.0;
    for d in (3..=23).rev().step_by(2) {
        p = madd::<FUSED>(p, s2, 1.0 / d as f64);
    }
    let ln_m = madd::<FUSED>(2.0 * s, s2 * p, 2.0 * s);
    k + ln_m - c * inv_u
}

/// `ln(1 + e^t)` and `inv_logit(t)` for every `t` of a block, sharing one exponential: the
/// terms and derivatives of Bernoulli log masses on the logit scale.
///
/// Written lane by lane without branches, so that the block is computed in vector registers;
/// on x86-64 processors with AVX2 it is compiled for four lanes per register instead of two.
/// The polynomials use fused multiply-adds, which AVX2 processors have in hardware (elsewhere
/// the C library computes them), so every processor computes the same bits.
#[inline]
pub fn log1p_exp_and_inv_logit_block<const B: usize>(t: &[f64; B]) -> ([f64; B], [f64; B]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the processor has AVX2 and FMA, the features the function is compiled for.
        return unsafe { log1p_exp_and_inv_logit_avx2(t) };
    }
    log1p_exp_and_inv_logit_lanes(t)
}

/// [`log1p_exp_and_inv_logit_lanes`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn log1p_exp_and_inv_logit_avx2<const B: usize>(t: &[f64; B]) -> ([f64; B], [f64; B]) {
    log1p_exp_and_inv_logit_lanes(t)
}

/// [`log1p_exp_and_inv_logit_with`] with fused multiply-adds, each step taken over every lane
/// before the next: the compiler then keeps several vectors in flight and loads each constant
/// once per block rather than once per vector. The operations, and so the bits, are those of
/// the lane-by-lane version.
#[inline(always)]
fn log1p_exp_and_inv_logit_lanes<const B: usize>(t: &[f64; B]) -> ([f64; B], [f64; B]) {
    // e = exp(-|t|), as exp_nonpositive_with::<true>.
    let (mut shifted, mut r) = ([0.0; B], [0.0; B]);
    for i in 0..B {
        let x = -t[i].abs();
        shifted[i] = x * LOG2_E + ROUNDER;
        let k = shifted[i] - ROUNDER;
        r[i] = (x - k * LN2_HI) - k * LN2_LO;
    }
    let mut p = [INV_FACT[13]; B];
    for c in INV_FACT[..13].iter().rev() {
        for i in 0..B {
            p[i] = p[i].mul_add(r[i], *c);
        }
    }
    let mut e = [0.0; B];
    for i in 0..B {
        let k = shifted[i].to_bits().wrapping_sub(ROUNDER.to_bits()).wrapping_add(2048);
        let k1 = k >> 1;
        let k2 = k - k1;
        let scale = |h: u64| f64::from_bits(h.wrapping_sub(1) << 52);
        let value = p[i] * scale(k1) * scale(k2);
        e[i] = if -t[i].abs() < EXP_UNDERFLOW { 0.0 } else { value };
    }
    // ln(1 + e), as ln_1p_unit_given::<true>, and the logistic from the same 1 / (1 + e).
    let (mut inv_u, mut s, mut s2, mut big) = ([0.0; B], [0.0; B], [0.0; B], [false; B]);
    for i in 0..B {
        let u = 1.0 + e[i];
        inv_u[i] = 1.0 / u;
        big[i] = u > SQRT_2;
        let m = if big[i] { 0.5 * u } else { u };
        let f = m - 1.0;
        s[i] = f / (2.0 + f);
        s2[i] = s[i] * s[i];
    }
    let mut q = [1.0_f64 / 25.0; B];
    for d in (3..=23).rev().step_by(2) {
        let c = 1.0 / d as f64;
        for i in 0..B {
            q[i] = q[i].mul_add(s2[i], c);
        }
    }
    let (mut softplus, mut logistic) = ([0.0; B], [0.0; B]);
    for i in 0..B {
        let u = 1.0 + e[i];
        let c = (u - 1.0) - e[i];
        let k = if big[i] { LN_2 } else { 0.0 };
        let ln_m = (2.0 * s[i]).mul_add(s2[i] * q[i], 2.0 * s[i]);
        let l = k + ln_m - c * inv_u[i];
        logistic[i] = if t[i] >= 0.0 { inv_u[i] } else { e[i] * inv_u[i] };
        softplus[i] = t[i].max(0.0) + l;
    }
    (softplus, logistic)
}

/// `ln(1 + e^t)` and `inv_logit(t)` from one exponential.
#[inline(always)]
pub fn log1p_exp_and_inv_logit(t: f64) -> (f64, f64) {
    log1p_exp_and_inv_logit_with::<false>(t)
}

/// [`log1p_exp_and_inv_logit`], with fused multiply-adds in the polynomials if `FUSED`.
#[inline(always)]
fn log1p_exp_and_inv_logit_with<const FUSED: bool>(t: f64) -> (f64, f64) {
    let e = exp_nonpositive_with::<FUSED>(-t.abs());
    let u = 1.0 + e;
    let inv_u = 1.0 / u;
    let l = ln_1p_unit_given::<FUSED>(e, u, inv_u);
    let p = if t >= 0.0 { inv_u } else { e * inv_u };
    (t.max(0.0) + l, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two positive finite numbers.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn exp_is_within_two_ulps_of_the_c_library() {
        let mut worst = 0;
        for i in 0..200_000 {
            let x = -745.0 * (i as f64 / 200_000.0).powi(3) - 1e-300 * (i % 3) as f64;
            let (ours, libm) = (exp_nonpositive(x), x.exp());
            if libm > f64::MIN_POSITIVE {
                worst = worst.max(ulps(ours, libm));
            } else {
                // Subnormal results carry fewer digits; compare absolutely.
                assert!((ours - libm).abs() <= 2.0 * 4.9e-324, "exp({x}) {ours} vs {libm}");
            }
        }
        assert!(worst <= 2, "worst {worst} ulps");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-0.0), 1.0);
        assert_eq!(exp_nonpositive(-746.0), 0.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
        assert!(exp_nonpositive(f64::NAN).is_nan());
        assert_eq!(exp_nonpositive(-745.0), (-745.0f64).exp());
    }

    #[test]
    fn ln_1p_is_within_two_ulps_of_the_c_library() {
        let mut worst = 0;
        for i in 1..=200_000 {
            let t = i as f64 / 200_000.0;
            for e in [t, t.powi(8), t.powi(40), 1e-300 * t] {
                worst = worst.max(ulps(ln_1p_unit(e), e.ln_1p()));
            }
        }
        assert!(worst <= 2, "worst {worst} ulps");
        assert_eq!(ln_1p_unit(0.0), 0.0);
        assert_eq!(ln_1p_unit(1.0), LN_2);
        assert!(ln_1p_unit(f64::NAN).is_nan());
    }

    #[test]
    fn blocks_agree_with_the_c_library_and_the_scalar_version() {
        let mut worst = (0, 0);
        for i in 0..40_000 {
            let base = -800.0 + 1600.0 * i as f64 / 40_000.0;
            let t: [f64; 16] = std::array::from_fn(|j| base * (1.0 + j as f64 * 1e-3));
            let (softplus, logistic) = log1p_exp_and_inv_logit_block(&t);
            for j in 0..16 {
                let e = (-t[j].abs()).exp();
                let p = if t[j] >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
                let l = t[j].max(0.0) + e.ln_1p();
                let scalar = log1p_exp_and_inv_logit(t[j]);
                // The block computes the fused version's operations step by step over its
                // lanes: the same bits.
                let fused = log1p_exp_and_inv_logit_with::<true>(t[j]);
                assert_eq!(fused.0.to_bits(), softplus[j].to_bits(), "log1p_exp({})", t[j]);
                assert_eq!(fused.1.to_bits(), logistic[j].to_bits(), "inv_logit({})", t[j]);
                if p > f64::MIN_POSITIVE {
                    assert!(ulps(scalar.1, logistic[j]) <= 3, "inv_logit({})", t[j]);
                    worst.0 = worst.0.max(ulps(logistic[j], p));
                }
                if l > f64::MIN_POSITIVE {
                    assert!(ulps(scalar.0, softplus[j]) <= 3, "log1p_exp({})", t[j]);
                    worst.1 = worst.1.max(ulps(softplus[j], l));
                }
            }
        }
        assert!(worst.0 <= 3 && worst.1 <= 3, "worst ulps {worst:?}");
        let (softplus, logistic) = log1p_exp_and_inv_logit_block(&[f64::NAN, 0.0, 800.0, -800.0]);
        assert!(softplus[0].is_nan() && logistic[0].is_nan());
        assert_eq!((softplus[1], logistic[1]), (LN_2, 0.5));
        assert_eq!((softplus[2], logistic[2]), (800.0, 1.0));
        assert_eq!((softplus[3], logistic[3]), (0.0, 0.0));
    }
}
