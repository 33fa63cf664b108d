//! Values of special functions and densities against mpmath fixtures
//! (`scripts/make_math_fixtures.py`), and dual-number gradients against finite differences.

use num_dual::Dual64;
use tilde_runtime::dist::*;
use tilde_runtime::math::*;

fn fixture_value(name: &str, a: &[f64]) -> f64 {
    match name {
        "lgamma" => lgamma(a[0]),
        "digamma" => digamma(a[0]),
        "lbeta" => lbeta(a[0], a[1]),
        "erfc" => erfc(a[0]),
        "log_phi" => std_normal_lcdf::<f64>(Data(a[0])).unwrap(),
        "inv_phi" => inv_Phi(a[0]),
        "log1p_exp" => log1p_exp(a[0]),
        "log1m_exp" => log1m_exp(a[0]),
        "normal_lpdf" => normal_lpdf::<false, f64>(Data(a[0]), Data(a[1]), Data(a[2])).unwrap(),
        "student_t_lpdf" => {
            student_t_lpdf::<false, f64>(Data(a[0]), Data(a[1]), Data(a[2]), Data(a[3])).unwrap()
        }
        "gamma_lpdf" => gamma_lpdf::<false, f64>(Data(a[0]), Data(a[1]), Data(a[2])).unwrap(),
        "beta_lpdf" => beta_lpdf::<false, f64>(Data(a[0]), Data(a[1]), Data(a[2])).unwrap(),
        "neg_binomial_2_lpmf" => {
            neg_binomial_2_lpmf::<false, f64>(Data(a[0] as i64), Data(a[1]), Data(a[2])).unwrap()
        }
        "von_mises_lpdf" => {
            von_mises_lpdf::<false, f64>(Data(a[0]), Data(a[1]), Data(a[2])).unwrap()
        }
        other => new_family_value(other, a),
    }
}

/// A 2 x 2 symmetric matrix from its entries (1,1), (1,2) and (2,2).
fn sym(e: &[f64]) -> Vec<Vec<f64>> {
    vec![vec![e[0], e[1]], vec![e[1], e[2]]]
}

/// The families added with the ordinal, count, skewed and matrix distributions and the CDFs.
fn new_family_value(name: &str, a: &[f64]) -> f64 {
    let i = |k: usize| Data(a[k] as i64);
    let d = |k: usize| Data(a[k]);
    let r = match name {
        "beta_binomial_lpmf" => beta_binomial_lpmf::<false, f64>(i(0), i(1), d(2), d(3)),
        "beta_binomial_lcdf" => beta_binomial_lcdf::<f64>(i(0), i(1), d(2), d(3)),
        "beta_binomial_lccdf" => beta_binomial_lccdf::<f64>(i(0), i(1), d(2), d(3)),
        "neg_binomial_lpmf" => neg_binomial_lpmf::<false, f64>(i(0), d(1), d(2)),
        "neg_binomial_lcdf" => neg_binomial_lcdf::<f64>(i(0), d(1), d(2)),
        "neg_binomial_lccdf" => neg_binomial_lccdf::<f64>(i(0), d(1), d(2)),
        "neg_binomial_2_lcdf" => neg_binomial_2_lcdf::<f64>(i(0), d(1), d(2)),
        "neg_binomial_2_lccdf" => neg_binomial_2_lccdf::<f64>(i(0), d(1), d(2)),
        "ordered_logistic_lpmf" => {
            ordered_logistic_lpmf::<false, f64>(i(0), d(1), AsRow(Data(&a[2..5])))
        }
        "ordered_probit_lpmf" => {
            ordered_probit_lpmf::<false, f64>(i(0), d(1), AsRow(Data(&a[2..5])))
        }
        "multinomial_lpmf" => {
            let y: Vec<i64> = a[0..3].iter().map(|v| *v as i64).collect();
            multinomial_lpmf::<false, f64>(Data(&y[..]), Data(&a[3..6]))
        }
        "skew_normal_lpdf" => skew_normal_lpdf::<false, f64>(d(0), d(1), d(2), d(3)),
        "gumbel_lpdf" => gumbel_lpdf::<false, f64>(d(0), d(1), d(2)),
        "gumbel_lcdf" => gumbel_lcdf::<f64>(d(0), d(1), d(2)),
        "gumbel_lccdf" => gumbel_lccdf::<f64>(d(0), d(1), d(2)),
        "exp_mod_normal_lpdf" => exp_mod_normal_lpdf::<false, f64>(d(0), d(1), d(2), d(3)),
        "exp_mod_normal_lcdf" => exp_mod_normal_lcdf::<f64>(d(0), d(1), d(2), d(3)),
        "exp_mod_normal_lccdf" => exp_mod_normal_lccdf::<f64>(d(0), d(1), d(2), d(3)),
        "logistic_lcdf" => logistic_lcdf::<f64>(d(0), d(1), d(2)),
        "logistic_lccdf" => logistic_lccdf::<f64>(d(0), d(1), d(2)),
        "double_exponential_lcdf" => double_exponential_lcdf::<f64>(d(0), d(1), d(2)),
        "double_exponential_lccdf" => double_exponential_lccdf::<f64>(d(0), d(1), d(2)),
        "weibull_lcdf" => weibull_lcdf::<f64>(d(0), d(1), d(2)),
        "weibull_lccdf" => weibull_lccdf::<f64>(d(0), d(1), d(2)),
        "frechet_lcdf" => frechet_lcdf::<f64>(d(0), d(1), d(2)),
        "frechet_lccdf" => frechet_lccdf::<f64>(d(0), d(1), d(2)),
        "pareto_lcdf" => pareto_lcdf::<f64>(d(0), d(1), d(2)),
        "pareto_lccdf" => pareto_lccdf::<f64>(d(0), d(1), d(2)),
        "beta_lcdf" => beta_lcdf::<f64>(d(0), d(1), d(2)),
        "beta_lccdf" => beta_lccdf::<f64>(d(0), d(1), d(2)),
        "uniform_lcdf" => uniform_lcdf::<f64>(d(0), d(1), d(2)),
        "uniform_lccdf" => uniform_lccdf::<f64>(d(0), d(1), d(2)),
        "inv_gamma_lcdf" => inv_gamma_lcdf::<f64>(d(0), d(1), d(2)),
        "inv_gamma_lccdf" => inv_gamma_lccdf::<f64>(d(0), d(1), d(2)),
        "chi_square_lcdf" => chi_square_lcdf::<f64>(d(0), d(1)),
        "chi_square_lccdf" => chi_square_lccdf::<f64>(d(0), d(1)),
        "poisson_lcdf" => poisson_lcdf::<f64>(i(0), d(1)),
        "poisson_lccdf" => poisson_lccdf::<f64>(i(0), d(1)),
        "binomial_lcdf" => binomial_lcdf::<f64>(i(0), i(1), d(2)),
        "binomial_lccdf" => binomial_lccdf::<f64>(i(0), i(1), d(2)),
        "bernoulli_lcdf" => bernoulli_lcdf::<f64>(i(0), d(1)),
        "bernoulli_lccdf" => bernoulli_lccdf::<f64>(i(0), d(1)),
        "multi_student_t_lpdf" => multi_student_t_lpdf::<false, f64>(
            AsRow(Data(&a[0..2])),
            d(2),
            AsRow(Data(&a[3..5])),
            Data(&sym(&a[5..8])[..]),
        ),
        "multi_normal_prec_lpdf" => multi_normal_prec_lpdf::<false, f64>(
            AsRow(Data(&a[0..2])),
            AsRow(Data(&a[2..4])),
            Data(&sym(&a[4..7])[..]),
        ),
        "wishart_lpdf" => {
            wishart_lpdf::<false, f64>(Data(&sym(&a[0..3])[..]), d(3), Data(&sym(&a[4..7])[..]))
        }
        "inv_wishart_lpdf" => {
            inv_wishart_lpdf::<false, f64>(Data(&sym(&a[0..3])[..]), d(3), Data(&sym(&a[4..7])[..]))
        }
        other => panic!("no function {other} in the fixture table"),
    };
    r.unwrap_or_else(|e| panic!("{name}{a:?}: {}", e.message()))
}

#[test]
fn values_match_mpmath() {
    let text = include_str!("fixtures/math/values.csv");
    let mut failures = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let nums: Vec<f64> = fields[1..].iter().map(|s| s.parse().unwrap()).collect();
        let (args, want) = nums.split_at(nums.len() - 1);
        let got = fixture_value(fields[0], args);
        let want = want[0];
        if (got - want).abs() > 1e-12 * want.abs().max(1.0) {
            failures.push(format!("{line}: got {got:e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The dual-number derivative of `f` at `x` against a central difference.
fn check_gradient(label: &str, x: f64, f: impl Fn(Dual64) -> Dual64) {
    let d = f(Dual64::from(x).derivative()).eps;
    let h = 1e-6 * x.abs().max(1.0);
    let fd = (f(Dual64::from(x + h)).re - f(Dual64::from(x - h)).re) / (2.0 * h);
    // Central differences are accurate to about 1e-9 relative at this step.
    assert!((d - fd).abs() <= 1e-6 * fd.abs().max(1.0), "{label} at {x}: dual {d}, fd {fd}");
}

#[test]
fn gradients_match_finite_differences() {
    for x in [0.3, 2.5, 17.0, 250.0] {
        check_gradient("lgamma", x, lgamma);
        check_gradient("digamma", x, digamma);
        check_gradient("lbeta", x, |v| lbeta(v, Dual64::from(3.5)));
        check_gradient("student_t nu", x, |v| {
            student_t_lpdf::<false, _>(Data(1.3), Var(v), Data(0.2), Data(1.1)).unwrap()
        });
        check_gradient("gamma alpha", x, |v| {
            gamma_lpdf::<false, _>(Data(2.0), Var(v), Data(0.7)).unwrap()
        });
        check_gradient("neg_binomial_2 phi", x, |v| {
            neg_binomial_2_lpmf::<false, _>(Data(7), Data(4.0), Var(v)).unwrap()
        });
        check_gradient("von_mises kappa", x, |v| {
            von_mises_lpdf::<false, _>(Data(0.4), Data(0.0), Var(v)).unwrap()
        });
        check_gradient("student_t_lccdf y", x, |v| {
            student_t_lccdf(Var(v), Data(3.0), Data(0.0), Data(2.5)).unwrap()
        });
        check_gradient("student_t_lcdf nu", x, |v| {
            student_t_lcdf(Data(-1.5), Var(v), Data(0.0), Data(1.0)).unwrap()
        });
    }
    for x in [-30.0, -3.0, 0.4, 6.0] {
        check_gradient("log_phi", x, |v| std_normal_lcdf(Var(v)).unwrap());
        check_gradient("cauchy_lcdf", x, |v| cauchy_lcdf(Var(v), Data(0.0), Data(1.0)).unwrap());
        check_gradient("log1p_exp", x, log1p_exp);
    }
    for p in [0.02, 0.3, 0.7, 0.97] {
        check_gradient("inv_Phi", p, inv_Phi);
    }
}

#[test]
fn cdf_agrees_with_integrated_density() {
    // Simpson's rule on [a, b] of exp(lpdf), against lcdf(b) - lcdf(a) in probability terms.
    let dens = |y: f64| {
        student_t_lpdf::<false, f64>(Data(y), Data(4.0), Data(0.5), Data(1.5)).unwrap().exp()
    };
    let (a, b, n) = (-2.0, 3.0, 2000);
    let h = (b - a) / n as f64;
    let mut s = dens(a) + dens(b);
    for i in 1..n {
        s += dens(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    let integral = s * h / 3.0;
    let cdf = |y: f64| student_t_cdf::<f64>(Data(y), Data(4.0), Data(0.5), Data(1.5)).unwrap();
    assert!((integral - (cdf(b) - cdf(a))).abs() < 1e-10);
    let g = |y: f64| gamma_cdf::<f64>(Data(y), Data(2.5), Data(0.8)).unwrap();
    let gd = |y: f64| gamma_lpdf::<false, f64>(Data(y), Data(2.5), Data(0.8)).unwrap().exp();
    let (a, b) = (0.5, 4.0);
    let h = (b - a) / n as f64;
    let mut s = gd(a) + gd(b);
    for i in 1..n {
        s += gd(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    assert!((s * h / 3.0 - (g(b) - g(a))).abs() < 1e-10);
}
