//! Field cases K01, K02, K05, K08, K10, K11, K13 and K15 (FIELD-CASES.md): distributions at
//! extreme arguments, values and gradients against mpmath or closed forms.

// Reference values are quoted digit for digit as FIELD-CASES.md gives them.
#![allow(clippy::excessive_precision)]

use num_dual::Dual64;
use tilde_runtime::dist::*;
use tilde_runtime::math::{Data, Var};

fn close(got: f64, want: f64, rel: f64) {
    let tol = rel * want.abs().max(1.0e-300);
    assert!((got - want).abs() <= tol.max(1e-300), "got {got:e}, want {want:e}");
}

fn var(x: f64) -> Dual64 {
    Dual64::from(x).derivative()
}

#[test]
fn k01_binomial_logit_large_alpha() {
    let cases = [(1, 1, 1221.56, 0.0, 0.0), (0, 1, 820.362, -820.362, -1.0)];
    for (n, trials, a, value, grad) in cases {
        let lp = binomial_logit_lpmf::<false, _>(Data(n), Data(trials), Var(var(a))).unwrap();
        assert!((lp.re - value).abs() <= 1e-12 * value.abs().max(1.0), "{lp:?}");
        assert!((lp.eps - grad).abs() <= 1e-8, "{lp:?}");
    }
    for (a, grad) in [(-800.0, 5.0), (800.0, -5.0)] {
        let lp = binomial_logit_lpmf::<false, _>(Data(5), Data(10), Var(var(a))).unwrap();
        close(lp.re, -3994.4705709124886, 1e-12);
        close(lp.eps, grad, 1e-8);
    }
    let b = bernoulli_logit_lpmf::<false, _>(Data(1), Var(var(1221.56))).unwrap();
    assert!(b.re.is_finite() && b.eps.is_finite());
}

#[test]
fn k02_neg_binomial_2_tends_to_poisson() {
    let lp = neg_binomial_2_log_lpmf::<false, f64>(Data(39), Data(4.0), Data(6e16)).unwrap();
    close(lp, -5.2299102937877, 1e-12);
    let want = [
        -163.7952213871617,
        -163.7952213875381,
        -163.7952213875757,
        -163.7952213875795,
        -163.7952213875799,
    ];
    let poisson = -163.7952213875799;
    let mut last = f64::NEG_INFINITY;
    for (phi, w) in [1e13, 1e14, 1e15, 1e16, 1e17].into_iter().zip(want) {
        let lp = neg_binomial_2_lpmf::<false, f64>(Data(100), Data(8.0), Data(phi)).unwrap();
        close(lp, w, 1e-12);
        // Each larger phi is at least as close to the Poisson limit (up to rounding).
        assert!(lp <= 0.0 && (lp - poisson).abs() <= (last - poisson).abs() + 1e-13);
        last = lp;
    }
    close(poisson_lpmf::<false, f64>(Data(100), Data(8.0)).unwrap(), poisson, 1e-12);
}

#[test]
fn k05_phi_and_log_phi_in_the_tails() {
    use tilde_runtime::math::Phi;
    close(Phi(-37.0), 5.7255712225245768e-300, 1e-12);
    let p: f64 = Phi(-37.5);
    assert!(p == 0.0 || (p - 4.6053530095819548e-308).abs() <= 1e-12 * 4.6e-308);
    assert_eq!(Phi(-40.0), 0.0);
    close(std_normal_lcdf::<f64>(Data(-40.0)).unwrap(), -804.6084420137538, 1e-12);
    close(normal_lcdf::<f64>(Data(0.0), Data(40.0), Data(1.0)).unwrap(), -804.6084420137538, 1e-12);
    close(std_normal_lcdf::<f64>(Data(-100.0)).unwrap(), -5005.524208694205, 1e-12);
    close(std_normal_lcdf::<f64>(Data(9.0)).unwrap(), -1.1285884059538406e-19, 1e-12);
}

#[test]
fn k08_von_mises_large_kappa() {
    use std::f64::consts::PI;
    let vm = |y: f64, k: f64| von_mises_lpdf::<false, f64>(Data(y), Data(0.0), Data(k)).unwrap();
    close(vm(PI, 700.0), -1397.6435770648528, 1e-12);
    close(vm(0.0, 700.0), 2.3564229351472054, 1e-12);
    close(vm(0.0, 1e4), 3.6862191521583535, 1e-12);
    close(vm(0.01, 1e4), 3.1862233188111313, 1e-12);
    let g =
        |y: f64, k: f64| von_mises_lpdf::<false, _>(Data(y), Data(0.0), Var(var(k))).unwrap().eps;
    close(g(0.0, 1e4), 5.0001250125019535e-5, 1e-8);
    close(g(PI, 700.0), -1.9992854588184261, 1e-8);
}

#[test]
fn k10_student_t_huge_nu_is_normal() {
    let want = [
        (1e6, -1.4189390332045894),
        (1e10, -1.4189385332546727),
        (1e15, -1.4189385332046732),
        (1e20, -1.4189385332046727),
        (1e100, -1.4189385332046727),
        (1e300, -1.4189385332046727),
    ];
    for (nu, w) in want {
        let lp = student_t_lpdf::<false, f64>(Data(1.0), Data(nu), Data(0.0), Data(1.0)).unwrap();
        close(lp, w, 1e-12);
        if nu >= 1e10 {
            assert!((lp + 1.4189385332046727).abs() <= 1e-9);
        }
    }
}

#[test]
fn k11_cauchy_and_student_t_lower_tail() {
    let c = cauchy_lcdf::<f64>(Data(-1e16), Data(0.0), Data(1.0)).unwrap();
    close(c, -std::f64::consts::PI.ln() - 16.0 * 10f64.ln(), 1e-9);
    let t = student_t_lcdf::<f64>(Data(-1e8), Data(1.0), Data(0.0), Data(1.0)).unwrap();
    close(t, (1e-8f64).atan().ln() - std::f64::consts::PI.ln(), 1e-9);
    let p = student_t_cdf::<f64>(Data(-1e8), Data(0.1), Data(0.0), Data(1.0)).unwrap();
    close(p, 0.0661503218, 1e-8);
}

#[test]
fn k13_poisson_at_zero_rate() {
    let lp = poisson_lpmf::<false, _>(Data(0), Var(var(0.0))).unwrap();
    assert_eq!((lp.re, lp.eps), (0.0, -1.0));
    let m = tilde_runtime::math::multiply_log(Dual64::from(0.0), var(0.0));
    assert_eq!((m.re, m.eps), (0.0, 0.0));
}

#[test]
fn k15_lognormal_at_zero() {
    let ln = |y: f64| lognormal_lpdf::<false, f64>(Data(y), Data(0.0), Data(1.0));
    assert_eq!(ln(0.0).unwrap(), f64::NEG_INFINITY);
    let err = ln(-1.0).unwrap_err();
    assert_eq!(err.message(), "lognormal_lpdf: Random variable is -1, but must be nonnegative!");
    assert!(err.is_recoverable());
    close(ln(1e-300).unwrap(), -237895.5583821629, 1e-12);
}

#[test]
fn stan_wording_of_invalid_parameters() {
    let err = normal_lpdf::<false, f64>(Data(1.0), Data(0.0), Data(0.0)).unwrap_err();
    assert_eq!(err.message(), "normal_lpdf: Scale parameter is 0, but must be positive!");
    let sig = [1.0, -2.0];
    let err = normal_lpdf::<true, f64>(Data(1.0), Data(0.0), Data(&sig[..])).unwrap_err();
    assert_eq!(err.message(), "normal_lpdf: Scale parameter[2] is -2, but must be positive!");
    let y = [1.0, 2.0, 3.0];
    let mu = [0.0, 1.0];
    let err = normal_lpdf::<true, f64>(Data(&y[..]), Data(&mu[..]), Data(1.0)).unwrap_err();
    assert_eq!(
        err.message(),
        "normal_lpdf: size of argument mu (2) does not match size of argument y (3)"
    );
    assert!(!err.is_recoverable());
}

#[test]
fn propto_drops_constant_terms_only() {
    let (y, mu, s) = (0.3, 0.1, 2.0);
    let full = normal_lpdf::<false, f64>(Data(y), Var(mu), Data(s)).unwrap();
    let kept = normal_lpdf::<true, f64>(Data(y), Var(mu), Data(s)).unwrap();
    close(full - kept, -s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln(), 1e-14);
    assert_eq!(normal_lpdf::<true, f64>(Data(y), Data(mu), Data(s)).unwrap(), 0.0);
    let with_sigma = normal_lpdf::<true, f64>(Data(y), Var(mu), Var(s)).unwrap();
    close(full - with_sigma, -0.5 * (2.0 * std::f64::consts::PI).ln(), 1e-14);
}
