//! The ordinal, count, skewed and matrix families and the CDFs added beside them: dual-number
//! gradients against central differences at ordinary and extreme arguments, CDFs against the
//! integrated or summed density, `_rng` moments, and the errors naming their argument.
//! Values against mpmath are in `math_fixtures.rs`.

use num_dual::Dual64;
use tilde_runtime::dist::*;
use tilde_runtime::math::{AsRow, Data, Var};
use tilde_runtime::rng::{ChainRng, Stream, chain_rng};

/// The dual-number derivative of `f` at `x` against a central difference.
fn check_gradient(label: &str, x: f64, f: impl Fn(Dual64) -> Dual64) {
    let d = f(Dual64::from(x).derivative()).eps;
    let h = 1e-6 * x.abs().max(1.0);
    let fd = (f(Dual64::from(x + h)).re - f(Dual64::from(x - h)).re) / (2.0 * h);
    // Central differences are accurate to about 1e-9 relative at this step; the CDFs whose
    // shape derivative is itself a central difference of the f64 function get 1e-5.
    assert!((d - fd).abs() <= 1e-5 * fd.abs().max(1.0), "{label} at {x}: dual {d}, fd {fd}");
}

#[test]
fn densities_gradients_match_finite_differences() {
    let cuts = [-1.0, 0.5, 2.0];
    for x in [0.3, 1.7, 6.0, 40.0] {
        check_gradient("beta_binomial alpha", x, |v| {
            beta_binomial_lpmf::<false, _>(Data(4), Data(12), Var(v), Data(2.0)).unwrap()
        });
        check_gradient("neg_binomial alpha", x, |v| {
            neg_binomial_lpmf::<false, _>(Data(7), Var(v), Data(0.4)).unwrap()
        });
        check_gradient("neg_binomial beta", x, |v| {
            neg_binomial_lpmf::<false, _>(Data(7), Data(3.0), Var(v)).unwrap()
        });
        check_gradient("skew_normal alpha", x, |v| {
            skew_normal_lpdf::<false, _>(Data(-1.0), Data(0.5), Data(1.5), Var(v)).unwrap()
        });
        check_gradient("exp_mod_normal lambda", x, |v| {
            exp_mod_normal_lpdf::<false, _>(Data(-3.0), Data(0.0), Data(1.0), Var(v)).unwrap()
        });
        check_gradient("gumbel beta", x, |v| {
            gumbel_lpdf::<false, _>(Data(-2.0), Data(0.5), Var(v)).unwrap()
        });
        check_gradient("multi_student_t nu", x, |v| {
            let y = [Dual64::from(1.0), Dual64::from(-2.0)];
            let s = [vec![2.0, 0.5], vec![0.5, 1.0]];
            multi_student_t_lpdf::<false, _>(
                AsRow(Var(&y[..])),
                Var(v),
                AsRow(Data(&[0.0; 2][..])),
                Data(&s[..]),
            )
            .unwrap()
        });
        check_gradient("wishart nu", x + 1.0, |v| {
            let w = [vec![2.0, 0.5], vec![0.5, 1.5]];
            let s = [vec![1.0, 0.3], vec![0.3, 0.8]];
            wishart_lpdf::<false, _>(Data(&w[..]), Var(v), Data(&s[..])).unwrap()
        });
        check_gradient("inv_wishart W[1,1]", x + 1.0, |v| {
            let w = [vec![v, Dual64::from(0.5)], vec![Dual64::from(0.5), Dual64::from(1.5)]];
            let s = [vec![1.0, 0.3], vec![0.3, 0.8]];
            inv_wishart_lpdf::<false, _>(Var(&w[..]), Data(4.0), Data(&s[..])).unwrap()
        });
    }
    // Linear predictors from the middle to far beyond the cut-points, where the band
    // probabilities underflow unless taken in log space.
    for x in [-30.0, -2.0, 0.7, 3.0, 30.0] {
        for k in 1..=4 {
            check_gradient("ordered_logistic eta", x, |v| {
                ordered_logistic_lpmf::<false, _>(Data(k), Var(v), AsRow(Data(&cuts[..]))).unwrap()
            });
            check_gradient("ordered_probit eta", x / 3.0, |v| {
                ordered_probit_lpmf::<false, _>(Data(k), Var(v), AsRow(Data(&cuts[..]))).unwrap()
            });
        }
        check_gradient("skew_normal y far tail", x, |v| {
            skew_normal_lpdf::<false, _>(Var(v), Data(0.0), Data(1.0), Data(4.0)).unwrap()
        });
    }
}

#[test]
fn cdf_gradients_match_finite_differences() {
    for x in [0.4, 2.0, 7.5] {
        check_gradient("beta_lcdf y", x / 10.0, |v| {
            beta_lcdf(Var(v), Data(2.0), Data(3.0)).unwrap()
        });
        check_gradient("beta_lccdf alpha", x, |v| {
            beta_lccdf(Data(0.3), Var(v), Data(3.0)).unwrap()
        });
        check_gradient("inv_gamma_lcdf alpha", x, |v| {
            inv_gamma_lcdf(Data(1.5), Var(v), Data(2.0)).unwrap()
        });
        check_gradient("chi_square_lccdf y", x, |v| chi_square_lccdf(Var(v), Data(3.0)).unwrap());
        check_gradient("poisson_lcdf lambda", x, |v| poisson_lcdf(Data(3), Var(v)).unwrap());
        check_gradient("binomial_lccdf theta", x / 10.0, |v| {
            binomial_lccdf(Data(3), Data(10), Var(v)).unwrap()
        });
        check_gradient("neg_binomial_2_lcdf phi", x, |v| {
            neg_binomial_2_lcdf(Data(4), Data(3.0), Var(v)).unwrap()
        });
        check_gradient("neg_binomial_lccdf beta", x, |v| {
            neg_binomial_lccdf(Data(4), Data(3.0), Var(v)).unwrap()
        });
        check_gradient("beta_binomial_lcdf beta", x, |v| {
            beta_binomial_lcdf(Data(4), Data(12), Data(2.0), Var(v)).unwrap()
        });
        check_gradient("weibull_lcdf alpha", x, |v| {
            weibull_lcdf(Data(1.3), Var(v), Data(2.0)).unwrap()
        });
        check_gradient("frechet_lccdf sigma", x, |v| {
            frechet_lccdf(Data(1.3), Data(2.0), Var(v)).unwrap()
        });
        check_gradient("pareto_lcdf alpha", x, |v| {
            pareto_lcdf(Data(3.0), Data(1.0), Var(v)).unwrap()
        });
        check_gradient("uniform_lccdf beta", x + 1.0, |v| {
            uniform_lccdf(Data(0.5), Data(-1.0), Var(v)).unwrap()
        });
    }
    for x in [-25.0, -3.0, 0.4, 5.0, 25.0] {
        check_gradient("logistic_lcdf", x, |v| {
            logistic_lcdf(Var(v), Data(0.0), Data(1.0)).unwrap()
        });
        check_gradient("double_exponential_lccdf", x, |v| {
            double_exponential_lccdf(Var(v), Data(0.0), Data(1.0)).unwrap()
        });
        check_gradient("gumbel_lccdf", x / 5.0, |v| {
            gumbel_lccdf(Var(v), Data(0.0), Data(1.0)).unwrap()
        });
        check_gradient("exp_mod_normal_lcdf", x / 3.0, |v| {
            exp_mod_normal_lcdf(Var(v), Data(0.0), Data(1.0), Data(1.5)).unwrap()
        });
        check_gradient("exp_mod_normal_lccdf", x / 3.0, |v| {
            exp_mod_normal_lccdf(Var(v), Data(0.0), Data(1.0), Data(1.5)).unwrap()
        });
    }
}

/// Simpson's rule for `f` on `[a, b]` with 4000 intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let n = 4000;
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// Checks `cdf(b) - cdf(a)` against the integrated density, and `cdf + ccdf = 1`.
fn check_continuous(
    label: &str,
    (a, b): (f64, f64),
    lpdf: impl Fn(f64) -> f64,
    lcdf: impl Fn(f64) -> f64,
    lccdf: impl Fn(f64) -> f64,
) {
    let integral = simpson(|y| lpdf(y).exp(), a, b);
    let diff = lcdf(b).exp() - lcdf(a).exp();
    assert!((integral - diff).abs() < 1e-9, "{label}: integral {integral}, cdf {diff}");
    for y in [a, b] {
        let total = lcdf(y).exp() + lccdf(y).exp();
        assert!((total - 1.0).abs() < 1e-12, "{label}: cdf + ccdf at {y} is {total}");
    }
}

#[test]
fn continuous_cdfs_agree_with_integrated_densities() {
    macro_rules! family {
        ($label:literal, $range:expr, $lpdf:ident, $lcdf:ident, $lccdf:ident, $($p:expr),*) => {
            check_continuous(
                $label,
                $range,
                |y| $lpdf::<false, f64>(Data(y), $(Data($p)),*).unwrap(),
                |y| $lcdf::<f64>(Data(y), $(Data($p)),*).unwrap(),
                |y| $lccdf::<f64>(Data(y), $(Data($p)),*).unwrap(),
            )
        };
    }
    family!("logistic", (-3.0, 4.0), logistic_lpdf, logistic_lcdf, logistic_lccdf, 0.5, 1.5);
    family!(
        "double_exponential",
        (0.5, 6.0),
        double_exponential_lpdf,
        double_exponential_lcdf,
        double_exponential_lccdf,
        0.5,
        1.5
    );
    family!("gumbel", (-2.0, 5.0), gumbel_lpdf, gumbel_lcdf, gumbel_lccdf, 0.5, 1.5);
    family!(
        "exp_mod_normal",
        (-2.0, 5.0),
        exp_mod_normal_lpdf,
        exp_mod_normal_lcdf,
        exp_mod_normal_lccdf,
        0.5,
        0.8,
        1.3
    );
    family!("weibull", (0.2, 3.0), weibull_lpdf, weibull_lcdf, weibull_lccdf, 1.7, 1.2);
    family!("frechet", (0.5, 6.0), frechet_lpdf, frechet_lcdf, frechet_lccdf, 2.5, 1.2);
    family!("pareto", (1.5, 8.0), pareto_lpdf, pareto_lcdf, pareto_lccdf, 1.2, 2.5);
    family!("beta", (0.1, 0.9), beta_lpdf, beta_lcdf, beta_lccdf, 2.5, 3.5);
    family!("uniform", (-0.5, 1.5), uniform_lpdf, uniform_lcdf, uniform_lccdf, -1.0, 2.0);
    family!("inv_gamma", (0.2, 5.0), inv_gamma_lpdf, inv_gamma_lcdf, inv_gamma_lccdf, 3.0, 2.0);
    family!("chi_square", (0.5, 9.0), chi_square_lpdf, chi_square_lcdf, chi_square_lccdf, 4.5);
}

/// Checks the log CDF and log complementary CDF at `n` against sums of the mass.
fn check_discrete(
    label: &str,
    n: i64,
    top: i64,
    lpmf: impl Fn(i64) -> f64,
    lcdf: impl Fn(i64) -> f64,
    lccdf: impl Fn(i64) -> f64,
) {
    let below: f64 = (0..=n).map(|k| lpmf(k).exp()).sum();
    let above: f64 = (n + 1..=top).map(|k| lpmf(k).exp()).sum();
    assert!((lcdf(n).exp() - below).abs() < 1e-12, "{label}: cdf {} vs {below}", lcdf(n).exp());
    assert!((lccdf(n) - above.ln()).abs() < 1e-9, "{label}: lccdf {} vs {}", lccdf(n), above.ln());
    assert_eq!(lcdf(-1), f64::NEG_INFINITY, "{label} below the support");
    assert_eq!(lccdf(-1), 0.0, "{label} below the support");
}

#[test]
fn discrete_cdfs_agree_with_summed_masses() {
    check_discrete(
        "beta_binomial",
        4,
        12,
        |k| beta_binomial_lpmf::<false, f64>(Data(k), Data(12), Data(2.0), Data(3.0)).unwrap(),
        |k| beta_binomial_lcdf::<f64>(Data(k), Data(12), Data(2.0), Data(3.0)).unwrap(),
        |k| beta_binomial_lccdf::<f64>(Data(k), Data(12), Data(2.0), Data(3.0)).unwrap(),
    );
    check_discrete(
        "neg_binomial",
        6,
        400,
        |k| neg_binomial_lpmf::<false, f64>(Data(k), Data(3.0), Data(0.5)).unwrap(),
        |k| neg_binomial_lcdf::<f64>(Data(k), Data(3.0), Data(0.5)).unwrap(),
        |k| neg_binomial_lccdf::<f64>(Data(k), Data(3.0), Data(0.5)).unwrap(),
    );
    check_discrete(
        "neg_binomial_2",
        6,
        400,
        |k| neg_binomial_2_lpmf::<false, f64>(Data(k), Data(5.0), Data(2.0)).unwrap(),
        |k| neg_binomial_2_lcdf::<f64>(Data(k), Data(5.0), Data(2.0)).unwrap(),
        |k| neg_binomial_2_lccdf::<f64>(Data(k), Data(5.0), Data(2.0)).unwrap(),
    );
    check_discrete(
        "poisson",
        3,
        200,
        |k| poisson_lpmf::<false, f64>(Data(k), Data(4.5)).unwrap(),
        |k| poisson_lcdf::<f64>(Data(k), Data(4.5)).unwrap(),
        |k| poisson_lccdf::<f64>(Data(k), Data(4.5)).unwrap(),
    );
    check_discrete(
        "binomial",
        3,
        15,
        |k| binomial_lpmf::<false, f64>(Data(k), Data(15), Data(0.35)).unwrap(),
        |k| binomial_lcdf::<f64>(Data(k), Data(15), Data(0.35)).unwrap(),
        |k| binomial_lccdf::<f64>(Data(k), Data(15), Data(0.35)).unwrap(),
    );
    check_discrete(
        "bernoulli",
        0,
        1,
        |k| bernoulli_lpmf::<false, f64>(Data(k), Data(0.35)).unwrap(),
        |k| bernoulli_lcdf::<f64>(Data(k), Data(0.35)).unwrap(),
        |k| bernoulli_lccdf::<f64>(Data(k), Data(0.35)).unwrap(),
    );
    // The ordinal masses sum to one over the categories.
    let cuts = [-1.0, 0.5, 2.0];
    for eta in [-3.0, 0.2, 4.0] {
        let total = |f: &dyn Fn(i64) -> f64| (1..=4).map(|k| f(k).exp()).sum::<f64>();
        let lo = total(&|k| {
            ordered_logistic_lpmf::<false, f64>(Data(k), Data(eta), AsRow(Data(&cuts[..]))).unwrap()
        });
        let pr = total(&|k| {
            ordered_probit_lpmf::<false, f64>(Data(k), Data(eta), AsRow(Data(&cuts[..]))).unwrap()
        });
        assert!((lo - 1.0).abs() < 1e-14 && (pr - 1.0).abs() < 1e-14, "{lo} {pr}");
    }
}

const N: usize = 20_000;

/// Checks the sample mean and variance of `draw` against the known moments, within five Monte
/// Carlo standard errors (the variance's band is that of a near-normal draw, widened 2x for
/// the skewed ones' larger fourth moment).
fn check_moments(label: &str, mean: f64, var: f64, mut draw: impl FnMut(&mut ChainRng) -> f64) {
    let mut rng = chain_rng(20260102, 0, Stream::Generated);
    let xs: Vec<f64> = (0..N).map(|_| draw(&mut rng)).collect();
    let m = xs.iter().sum::<f64>() / N as f64;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (N - 1) as f64;
    assert!((m - mean).abs() <= 5.0 * (var / N as f64).sqrt(), "{label}: mean {m}, want {mean}");
    assert!((v - var).abs() <= 5.0 * var * (8.0 / N as f64).sqrt(), "{label}: var {v}, want {var}");
}

#[test]
fn rng_moments() {
    use std::f64::consts::PI;
    check_moments("beta_binomial", 4.0, 6.0, |r| {
        beta_binomial_rng(10, 2.0, 3.0, r).unwrap() as f64
    });
    check_moments("neg_binomial", 6.0, 18.0, |r| neg_binomial_rng(3.0, 0.5, r).unwrap() as f64);
    let p = 1.0 / (1.0 + (-0.4f64).exp());
    check_moments("binomial_logit", 10.0 * p, 10.0 * p * (1.0 - p), |r| {
        binomial_logit_rng(10, 0.4, r).unwrap() as f64
    });
    let euler = 0.577_215_664_901_532_9;
    check_moments("gumbel", 1.0 + 2.0 * euler, PI * PI * 4.0 / 6.0, |r| {
        gumbel_rng(1.0, 2.0, r).unwrap()
    });
    let delta = 3.0 / 10f64.sqrt();
    check_moments(
        "skew_normal",
        1.0 + 2.0 * delta * (2.0 / PI).sqrt(),
        4.0 * (1.0 - 2.0 * delta * delta / PI),
        |r| skew_normal_rng(1.0, 2.0, 3.0, r).unwrap(),
    );
    check_moments("exp_mod_normal", 1.5, 0.5, |r| exp_mod_normal_rng(1.0, 0.5, 2.0, r).unwrap());
}

#[test]
fn errors_name_the_argument() {
    let y = [1.0, 2.0, 3.0];
    let mu = [0.0, 1.0];
    let err = gumbel_lpdf::<false, f64>(Data(&y[..]), Data(&mu[..]), Data(1.0)).unwrap_err();
    assert_eq!(
        err.message(),
        "gumbel_lpdf: size of argument mu (2) does not match size of argument y (3)"
    );
    let k = [1i64, 2, 3];
    let err = beta_binomial_lpmf::<false, f64>(Data(&k[..]), Data(5), Data(&mu[..]), Data(1.0))
        .unwrap_err();
    assert_eq!(
        err.message(),
        "beta_binomial_lpmf: size of argument alpha (2) does not match size of argument n (3)"
    );
    let err =
        skew_normal_lpdf::<false, f64>(Data(0.0), Data(0.0), Data(-1.0), Data(1.0)).unwrap_err();
    assert_eq!(
        err.message(),
        "skew_normal_lpdf: Scale parameter is -1, but must be positive finite!"
    );
    let bad = [0.5, 0.2];
    let err =
        ordered_logistic_lpmf::<false, f64>(Data(1), Data(0.0), AsRow(Data(&bad[..]))).unwrap_err();
    assert_eq!(
        err.message(),
        "ordered_logistic_lpmf: Cut-points is not a valid ordered vector. The element at 2 is \
         0.2, but should be greater than the previous element, 0.5"
    );
    let err =
        ordered_probit_lpmf::<false, f64>(Data(4), Data(0.0), AsRow(Data(&bad[..1]))).unwrap_err();
    assert_eq!(
        err.message(),
        "ordered_probit_lpmf: Random variable is 4, but must be in the interval [1, 2]!"
    );
    let w = [vec![1.0, 0.0], vec![0.0, 1.0]];
    let err = wishart_lpdf::<false, f64>(Data(&w[..]), Data(0.5), Data(&w[..])).unwrap_err();
    assert_eq!(
        err.message(),
        "wishart_lpdf: Degrees of freedom parameter is 0.5, but must be greater than 1!"
    );
    let counts = [1i64, 2];
    let theta = [0.2, 0.3, 0.5];
    let err = multinomial_lpmf::<false, f64>(Data(&counts[..]), Data(&theta[..])).unwrap_err();
    assert_eq!(
        err.message(),
        "multinomial_lpmf: size of argument theta (3) does not match size of argument y (2)"
    );
}
