//! The CDFs of inv_chi_square, scaled_inv_chi_square, beta_proportion and von_mises: values
//! against mpmath fixtures (`scripts/make_cdf_fixtures.py`), against the integrated density,
//! the log forms against each other, dual-number gradients in every argument against finite
//! differences, the ends of the supports and the argument errors.

use num_dual::Dual64;
use std::f64::consts::PI;
use tilde_runtime::Scalar;
use tilde_runtime::dist::*;
use tilde_runtime::math::{Data, Var, log1m_exp};

/// `name` (a family's `_lcdf` or `_lccdf`, or `_lpdf` for the density) at `a`, every argument
/// passed as a parameter so that derivatives reach each of them.
fn call<S: Scalar>(name: &str, a: &[S]) -> S {
    let v = |k: usize| Var(a[k]);
    let r = match name {
        "inv_chi_square_lcdf" => inv_chi_square_lcdf(v(0), v(1)),
        "inv_chi_square_lccdf" => inv_chi_square_lccdf(v(0), v(1)),
        "inv_chi_square_lpdf" => inv_chi_square_lpdf::<false, S>(v(0), v(1)),
        "scaled_inv_chi_square_lcdf" => scaled_inv_chi_square_lcdf(v(0), v(1), v(2)),
        "scaled_inv_chi_square_lccdf" => scaled_inv_chi_square_lccdf(v(0), v(1), v(2)),
        "scaled_inv_chi_square_lpdf" => scaled_inv_chi_square_lpdf::<false, S>(v(0), v(1), v(2)),
        "beta_proportion_lcdf" => beta_proportion_lcdf(v(0), v(1), v(2)),
        "beta_proportion_lccdf" => beta_proportion_lccdf(v(0), v(1), v(2)),
        "beta_proportion_lpdf" => beta_proportion_lpdf::<false, S>(v(0), v(1), v(2)),
        "von_mises_lcdf" => von_mises_lcdf(v(0), v(1), v(2)),
        "von_mises_lccdf" => von_mises_lccdf(v(0), v(1), v(2)),
        "von_mises_lpdf" => von_mises_lpdf::<false, S>(v(0), v(1), v(2)),
        other => panic!("no function {other}"),
    };
    r.unwrap_or_else(|e| panic!("{name}: {}", e.message()))
}

fn value(name: &str, a: &[f64]) -> f64 {
    call::<f64>(name, a)
}

#[test]
fn values_match_mpmath_including_the_tails() {
    let text = include_str!("fixtures/cdf/values.csv");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in text.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let nums: Vec<f64> = fields[1..].iter().map(|s| s.parse().unwrap()).collect();
        let (args, want) = nums.split_at(nums.len() - 1);
        let (got, want) = (value(fields[0], args), want[0]);
        // Relative to the value itself: a log CDF of -1e-219 (a CDF within 1e-219 of one)
        // must be right in its own digits, not merely close to zero.
        if (got - want).abs() > 1e-12 * want.abs() {
            failures.push(format!("{line}: got {got:e}, relative error {:e}", (got - want) / want));
        }
        cases += 1;
    }
    assert!(cases >= 40, "only {cases} fixture lines");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The integral of `exp(lpdf)` over `[lo, hi]` by composite Gauss-Legendre (5 points on each
/// of `n` panels), accurate to about 1e-15 for the smooth densities here.
fn integrate(lo: f64, hi: f64, n: usize, density: impl Fn(f64) -> f64) -> f64 {
    let nodes = [
        (0.0, 128.0 / 225.0),
        (0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
        (-0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
        (0.906_179_845_938_664, 0.236_926_885_056_189_1),
        (-0.906_179_845_938_664, 0.236_926_885_056_189_1),
    ];
    let h = (hi - lo) / n as f64;
    let mut total = 0.0;
    for i in 0..n {
        let c = lo + (i as f64 + 0.5) * h;
        total += nodes.iter().map(|(x, w)| w * density(c + 0.5 * h * x)).sum::<f64>() * 0.5 * h;
    }
    total
}

#[test]
fn cdfs_match_the_integrated_density() {
    // (family, parameters, lower end of the support, points y): CDF(y) against the integral
    // of the density from the lower end, and the CCDF against the integral above y.
    let cases: &[(&str, &[f64], f64, &[f64])] = &[
        ("inv_chi_square", &[3.0], 0.0, &[0.1, 0.5, 2.0]),
        ("inv_chi_square", &[0.7], 0.0, &[0.05, 1.0, 30.0]),
        ("scaled_inv_chi_square", &[4.0, 0.6], 0.0, &[0.1, 0.4, 1.5]),
        // Integral shapes keep the density smooth at the ends of [0, 1], where a power with a
        // fractional exponent would defeat the quadrature (not the CDF).
        ("beta_proportion", &[0.3, 10.0], 0.0, &[0.05, 0.3, 0.8]),
        ("beta_proportion", &[0.8, 5.0], 0.0, &[0.2, 0.9, 0.99]),
        ("von_mises", &[0.4, 3.0], -PI, &[-2.0, 0.4, 2.5]),
        ("von_mises", &[-2.8, 0.5], -PI, &[-3.0, 0.0, 3.1]),
        ("von_mises", &[9.0, 40.0], -PI, &[-2.6, -0.3, 2.0]),
        ("von_mises", &[1.0, 1e-6], -PI, &[-1.0, 2.0]),
    ];
    for &(family, params, lo, points) in cases {
        let density = |y: f64| {
            let mut a = vec![y];
            a.extend_from_slice(params);
            value(&format!("{family}_lpdf"), &a).exp()
        };
        for &y in points {
            let mut a = vec![y];
            a.extend_from_slice(params);
            let cdf = value(&format!("{family}_lcdf"), &a).exp();
            let ccdf = value(&format!("{family}_lccdf"), &a).exp();
            let below = integrate(lo, y, 4000, density);
            assert!((cdf - below).abs() < 1e-12, "{family}{a:?}: cdf {cdf}, integral {below}");
            // The mass above y, up to the end of the support (or far enough into the tail).
            let hi = match family {
                "von_mises" => PI,
                "beta_proportion" => 1.0,
                _ => y + 1.0,
            };
            let mut above = integrate(y, hi, 4000, density);
            if hi == y + 1.0 {
                // The heavy right tail of the inverse chi-square families, past y + 1, by its
                // complement.
                let mut b = vec![hi];
                b.extend_from_slice(params);
                above += value(&format!("{family}_lccdf"), &b).exp();
            }
            assert!((ccdf - above).abs() < 1e-12, "{family}{a:?}: ccdf {ccdf}, integral {above}");
        }
    }
}

#[test]
fn log_forms_agree_with_each_other_and_with_the_cdf() {
    let cases: &[(&str, &[f64])] = &[
        ("inv_chi_square", &[0.8, 3.0]),
        ("inv_chi_square", &[0.05, 1.5]),
        ("scaled_inv_chi_square", &[0.8, 3.0, 0.7]),
        ("scaled_inv_chi_square", &[5.0, 2.0, 0.9]),
        ("beta_proportion", &[0.3, 0.4, 5.0]),
        ("beta_proportion", &[0.97, 0.2, 3.0]),
        ("von_mises", &[0.5, 0.2, 2.0]),
        ("von_mises", &[-2.5, 6.0, 0.3]),
        ("von_mises", &[0.01, 0.0, 3e4]),
    ];
    for &(family, a) in cases {
        let lcdf = value(&format!("{family}_lcdf"), a);
        let lccdf = value(&format!("{family}_lccdf"), a);
        // Each log form is log1m of the other's probability, taken from its log by
        // log1m_exp, which loses nothing when either probability is near zero.
        let p = lcdf.exp();
        assert!((lccdf - log1m_exp(lcdf)).abs() < 1e-13 * lccdf.abs(), "{family}{a:?}");
        assert!((lcdf - log1m_exp(lccdf)).abs() < 1e-13 * lcdf.abs(), "{family}{a:?}");
        assert!((p + lccdf.exp() - 1.0).abs() < 1e-15, "{family}{a:?}");
    }
    // The plain `_cdf` is the exponential of the `_lcdf`.
    let cdf = |y: f64| inv_chi_square_cdf::<f64>(Data(y), Data(3.0)).unwrap();
    assert!((cdf(0.8) - value("inv_chi_square_lcdf", &[0.8, 3.0]).exp()).abs() < 1e-16);
    let cdf = scaled_inv_chi_square_cdf::<f64>(Data(0.8), Data(3.0), Data(0.7)).unwrap();
    assert!((cdf - value("scaled_inv_chi_square_lcdf", &[0.8, 3.0, 0.7]).exp()).abs() < 1e-16);
    let cdf = von_mises_cdf::<f64>(Data(0.5), Data(0.2), Data(2.0)).unwrap();
    assert!((cdf - value("von_mises_lcdf", &[0.5, 0.2, 2.0]).exp()).abs() < 1e-16);
}

#[test]
fn von_mises_cdf_has_its_symmetries() {
    // Centred at 0 the distribution is symmetric: F(0) = 1/2 and F(-y) = 1 - F(y), for any
    // concentration, in the log forms to the last digits.
    for kappa in [1e-8, 0.3, 4.0, 60.0, 2e3, 1e7] {
        let half = value("von_mises_lcdf", &[0.0, 0.0, kappa]);
        assert!((half - (0.5f64).ln()).abs() < 1e-15, "kappa {kappa}: {half}");
        for y in [0.2, 1.5, 3.0] {
            let lower = value("von_mises_lcdf", &[-y, 0.0, kappa]);
            let upper = value("von_mises_lccdf", &[y, 0.0, kappa]);
            assert!((lower - upper).abs() <= 1e-13 * lower.abs(), "{kappa} {y}: {lower} {upper}");
        }
    }
    // A location a whole turn away is the same distribution.
    for (y, mu) in [(0.3, 1.0), (-2.0, -2.5), (3.0, 0.1)] {
        let here = value("von_mises_lcdf", &[y, mu, 2.5]);
        let turned = value("von_mises_lcdf", &[y, mu + 2.0 * PI, 2.5]);
        assert!((here - turned).abs() < 1e-13 * here.abs().max(1.0), "{y} {mu}");
    }
    // Nearly uniform for small kappa: F(y) = (y + pi) / (2 pi).
    let f = value("von_mises_lcdf", &[1.0, 0.7, 1e-12]).exp();
    assert!((f - (1.0 + PI) / (2.0 * PI)).abs() < 1e-11);
}

/// The dual-number derivative of `name` in argument `k` at `a` against a central difference.
fn check_gradient(name: &str, a: &[f64], k: usize) {
    let duals: Vec<Dual64> = a
        .iter()
        .enumerate()
        .map(|(i, &x)| if i == k { Dual64::from(x).derivative() } else { Dual64::from(x) })
        .collect();
    let d = call::<Dual64>(name, &duals).eps;
    let h = 1e-6 * a[k].abs().max(0.1);
    let (mut up, mut down) = (a.to_vec(), a.to_vec());
    up[k] += h;
    down[k] -= h;
    let fd = (value(name, &up) - value(name, &down)) / (2.0 * h);
    // Central differences are accurate to about 1e-9 relative at this step.
    assert!((d - fd).abs() <= 1e-6 * fd.abs().max(1.0), "{name}{a:?} d{k}: dual {d}, fd {fd}");
}

#[test]
fn gradients_in_every_argument_match_finite_differences() {
    let cases: &[(&str, &[f64])] = &[
        ("inv_chi_square", &[0.8, 3.0]),
        ("inv_chi_square", &[0.02, 4.0]),
        ("inv_chi_square", &[30.0, 1.2]),
        ("scaled_inv_chi_square", &[0.8, 3.0, 0.7]),
        ("scaled_inv_chi_square", &[0.02, 5.0, 1.2]),
        ("scaled_inv_chi_square", &[60.0, 2.0, 1.0]),
        ("beta_proportion", &[0.3, 0.4, 5.0]),
        ("beta_proportion", &[0.02, 0.6, 80.0]),
        ("beta_proportion", &[0.99, 0.3, 2.0]),
        ("von_mises", &[0.5, 0.2, 2.0]),
        ("von_mises", &[-2.0, 1.0, 25.0]),
        ("von_mises", &[2.9, -2.5, 4.0]),
        ("von_mises", &[-1.0, 7.5, 3.0]),
        ("von_mises", &[0.02, 0.0, 2e4]),
        ("von_mises", &[-3.0, 0.0, 300.0]),
        ("von_mises", &[1.0, 0.3, 1e-3]),
    ];
    for &(family, a) in cases {
        for which in ["lcdf", "lccdf"] {
            for k in 0..a.len() {
                check_gradient(&format!("{family}_{which}"), a, k);
            }
        }
    }
}

#[test]
fn cdfs_at_the_ends_of_the_supports() {
    let inf = f64::NEG_INFINITY;
    assert_eq!(value("inv_chi_square_lcdf", &[0.0, 3.0]), inf);
    assert_eq!(value("inv_chi_square_lccdf", &[0.0, 3.0]), 0.0);
    assert_eq!(value("inv_chi_square_lcdf", &[f64::INFINITY, 3.0]), 0.0);
    assert_eq!(value("scaled_inv_chi_square_lcdf", &[0.0, 3.0, 2.0]), inf);
    assert_eq!(value("scaled_inv_chi_square_lccdf", &[f64::INFINITY, 3.0, 2.0]), inf);
    assert_eq!(value("beta_proportion_lcdf", &[0.0, 0.3, 2.0]), inf);
    assert_eq!(value("beta_proportion_lcdf", &[1.0, 0.3, 2.0]), 0.0);
    assert_eq!(value("beta_proportion_lccdf", &[1.0, 0.3, 2.0]), inf);
    assert_eq!(value("von_mises_lcdf", &[-PI, 1.0, 2.0]), inf);
    assert_eq!(value("von_mises_lccdf", &[-PI, 1.0, 2.0]), 0.0);
    assert_eq!(value("von_mises_lcdf", &[PI, 1.0, 2.0]), 0.0);
    assert_eq!(value("von_mises_lccdf", &[PI, 1.0, 2.0]), inf);
    assert_eq!(von_mises_cdf::<f64>(Data(-PI), Data(0.0), Data(1.0)).unwrap(), 0.0);
    // Far in the tail the CDF underflows, but its log is finite.
    let deep = value("von_mises_lcdf", &[-3.0, 0.0, 1e6]);
    assert!(deep.is_finite() && deep < -1e6, "{deep}");
}

#[test]
fn containers_sum_the_log_cdfs() {
    let ys = [-1.0, 0.2, 2.5];
    let summed = von_mises_lcdf::<f64>(Data(&ys[..]), Data(0.3), Data(2.0)).unwrap();
    let each: f64 = ys.iter().map(|&y| value("von_mises_lcdf", &[y, 0.3, 2.0])).sum();
    assert!((summed - each).abs() < 1e-14 * each.abs());
    let kappas = [0.5, 5.0];
    let summed = beta_proportion_lccdf::<f64>(Data(0.4), Data(0.3), Data(&kappas[..])).unwrap();
    let each: f64 = kappas.iter().map(|&k| value("beta_proportion_lccdf", &[0.4, 0.3, k])).sum();
    assert!((summed - each).abs() < 1e-14 * each.abs());
}

#[test]
fn bad_arguments_are_rejected_in_stans_words() {
    let message = |r: Result<f64, tilde_runtime::ModelError>| r.unwrap_err().message().to_string();
    assert_eq!(
        message(von_mises_lcdf(Data(3.5), Data(0.0), Data(1.0))),
        "von_mises_lcdf: Random variable is 3.5, but must be in the interval [-pi, pi]!"
    );
    assert_eq!(
        message(von_mises_cdf(Data(0.5), Data(f64::INFINITY), Data(1.0))),
        "von_mises_cdf: Location parameter is inf, but must be finite!"
    );
    assert_eq!(
        message(von_mises_lccdf(Data(0.5), Data(0.0), Data(0.0))),
        "von_mises_lccdf: Scale parameter is 0, but must be positive finite!"
    );
    assert_eq!(
        message(beta_proportion_lcdf(Data(0.5), Data(1.0), Data(2.0))),
        "beta_proportion_lcdf: Location parameter is 1, but must be in the interval (0, 1)!"
    );
    assert_eq!(
        message(beta_proportion_lccdf(Data(1.5), Data(0.5), Data(2.0))),
        "beta_proportion_lccdf: Random variable is 1.5, but must be in the interval [0, 1]!"
    );
    assert_eq!(
        message(inv_chi_square_lcdf(Data(-1.0), Data(2.0))),
        "inv_chi_square_lcdf: Random variable is -1, but must be nonnegative!"
    );
    assert_eq!(
        message(scaled_inv_chi_square_cdf(Data(1.0), Data(2.0), Data(-0.5))),
        "scaled_inv_chi_square_cdf: Scale parameter is -0.5, but must be positive finite!"
    );
}
