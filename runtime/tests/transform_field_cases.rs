//! Field cases K16 and K21 (FIELD-CASES.md): infinite bounds and the simplex at extreme
//! unconstrained values.

use tilde_runtime::transform::*;

#[test]
fn k16_infinite_bound_is_no_bound() {
    let inf = f64::INFINITY;
    let mut lp = 0.0;
    assert_eq!(lower_bound(1.5, -inf, &mut lp), 1.5);
    assert_eq!(lower_upper_bound(-2.0, -inf, inf, &mut lp), -2.0);
    assert_eq!(upper_bound(0.25, inf, &mut lp), 0.25);
    assert_eq!(lp, 0.0);
    let c = lower_upper_bound(0.5, 0.0, inf, &mut lp);
    assert_eq!(c, 0.5f64.exp());
    assert_eq!(lp, 0.5);
    assert_eq!(lower_bound_unconstrain(3.0, -inf).unwrap(), 3.0);
    assert_eq!(lower_upper_bound_unconstrain(3.0, -inf, inf).unwrap(), 3.0);
}

fn simplex_at(y: [f64; 2]) -> ([f64; 3], f64) {
    let mut x = [0.0; 3];
    let mut lp = 0.0;
    simplex(&y, &mut x, &mut lp);
    (x, lp)
}

#[test]
fn k21_simplex_at_extreme_values() {
    for y in [[800.0, 0.0], [-800.0, 0.0], [0.0, 0.0], [0.0, 800.0], [-800.0, 800.0]] {
        let (x, lp) = simplex_at(y);
        assert!(x.iter().all(|v| !v.is_nan() && *v >= 0.0), "{x:?}");
        assert!((x.iter().sum::<f64>() - 1.0).abs() <= 1e-15, "{x:?}");
        assert!(lp.is_finite(), "{lp}");
    }
    let (x, _) = simplex_at([0.0, 0.0]);
    for v in x {
        assert!((v - 1.0 / 3.0).abs() <= 1e-15);
    }
}
