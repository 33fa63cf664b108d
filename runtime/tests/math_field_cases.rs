//! Field cases K04 and K09 (FIELD-CASES.md) and extreme inputs that must never give NaN.

use num_dual::Dual64;
use tilde_runtime::math::*;

const NEG_INF: f64 = f64::NEG_INFINITY;

#[test]
fn k04_log_sum_exp_and_log_diff_exp_boundaries() {
    assert_eq!(log_sum_exp(NEG_INF, NEG_INF), NEG_INF);
    let v = [NEG_INF; 3];
    assert_eq!(log_sum_exp_of::<f64>(Data(&v[..])), NEG_INF);
    assert_eq!(log_sum_exp(f64::INFINITY, 0.0), f64::INFINITY);
    let empty: [f64; 0] = [];
    assert_eq!(log_sum_exp_of::<f64>(Data(&empty[..])), NEG_INF);
    assert_eq!(log_diff_exp(NEG_INF, NEG_INF), NEG_INF);
    assert_eq!(log_diff_exp(0.0, 0.0), NEG_INF);
    assert!(log_diff_exp(-5.0f64, -4.9999).is_nan());
    let g = log_sum_exp(Dual64::from(1.0).derivative(), Dual64::from(NEG_INF));
    assert_eq!((g.re, g.eps), (1.0, 1.0));
}

#[test]
fn k09_lgamma_at_poles_and_overflow() {
    assert_eq!(lgamma(0.0), f64::INFINITY);
    assert_eq!(lgamma(-1.0), f64::INFINITY);
    assert!((lgamma(-2.5f64) - -0.05624371649767405).abs() <= 1e-13);
    assert_eq!(lgamma(1e308), f64::INFINITY);
    let d = lgamma(Dual64::from(0.0).derivative());
    assert_eq!(d.re, f64::INFINITY);
}

#[test]
fn extreme_inputs_are_never_nan() {
    assert!(lgamma(1e300f64).is_finite());
    assert_eq!(log1p_exp(800.0), 800.0);
    assert_eq!(inv_logit(-800.0), 0.0);
    assert_eq!(inv_logit(800.0), 1.0);
    assert_eq!(log_inv_logit(-800.0), -800.0);
    assert_eq!(log1m_inv_logit(800.0), -800.0);
    let d = inv_logit(Dual64::from(-800.0).derivative());
    assert!(!d.eps.is_nan());
    let d = log1p_exp(Dual64::from(800.0).derivative());
    assert_eq!((d.re, d.eps), (800.0, 1.0));
    assert!(log_mix(0.3, NEG_INF, -1.0).is_finite());
}

#[test]
fn reductions_and_length_errors() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(sum::<f64>(Data(&x[..])), 10.0);
    assert_eq!(mean::<f64>(Data(&x[..])).unwrap(), 2.5);
    assert!((variance::<f64>(Data(&x[..])).unwrap() - 5.0 / 3.0).abs() < 1e-15);
    assert!((sd::<f64>(Data(&x[..])).unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    assert_eq!(max::<f64>(Data(&x[..])), 4.0);
    assert_eq!(min::<f64>(Data(&x[..])), 1.0);
    assert_eq!(prod::<f64>(Data(&x[..])), 24.0);
    assert_eq!(dot_self::<f64>(Data(&x[..])), 30.0);
    let y = [1.0, 1.0];
    let err = dot_product::<f64>(Data(&x[..]), Data(&y[..])).unwrap_err();
    assert_eq!(
        err.message(),
        "dot_product: size of argument x2 (2) does not match size of argument x1 (4)"
    );
    let empty: [f64; 0] = [];
    assert!(mean::<f64>(Data(&empty[..])).is_err());
}
