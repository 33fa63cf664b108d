//! The reverse-mode gradients of the functions that supply analytic partial derivatives,
//! against dual numbers, which take the chain rule through every scalar operation instead.
//!
//! Each case is one generic function of a few inputs, called with every mix of argument kinds
//! the generated code passes: a broadcast scalar parameter, a vector of parameters, data, and
//! a lazily evaluated elementwise expression.

use num_dual::Dual64;
use tilde_runtime::Scalar;
use tilde_runtime::dist::*;
use tilde_runtime::math::*;
use tilde_runtime::reverse::{self, Rev};

/// A function of the inputs, generic over the scalar type.
trait Case {
    fn eval<S: Scalar>(&self, x: &[S]) -> S;
}

/// Declares a case as a unit struct whose `eval` is the given body over `x`.
macro_rules! case {
    ($name:ident, |$x:ident| $body:expr) => {
        struct $name;
        impl Case for $name {
            fn eval<S: Scalar>(&self, $x: &[S]) -> S {
                $body
            }
        }
    };
}

/// Compares the two gradients of `case` at `x`, to a relative 1e-9.
fn check(label: &str, case: &impl Case, x: &[f64]) {
    let mut rev = vec![0.0; x.len()];
    let value = reverse::gradient(|v: &[Rev]| case.eval(v), x, &mut rev);
    let plain: f64 = case.eval(x);
    assert!((value - plain).abs() <= 1e-12 * plain.abs().max(1.0), "{label}: {value} vs {plain}");
    for (i, &r) in rev.iter().enumerate() {
        let duals: Vec<Dual64> = x
            .iter()
            .enumerate()
            .map(|(j, &v)| if i == j { Dual64::from(v).derivative() } else { Dual64::from(v) })
            .collect();
        let dual = case.eval(&duals);
        // The dual path computes the value by plain arithmetic, apart from the analytic one.
        assert!(
            (dual.re - plain).abs() <= 1e-11 * plain.abs().max(1.0),
            "{label}: {dual} vs {plain}"
        );
        let d = dual.eps;
        assert!(
            (r - d).abs() <= 1e-9 * r.abs().max(d.abs()).max(1.0),
            "{label}: d/dx[{i}] reverse {r}, dual {d} at {x:?}"
        );
    }
}

/// The inputs of every case: three vector elements, then three scalars.
const POINTS: [[f64; 6]; 3] = [
    [0.3, -1.2, 2.5, 0.7, 1.4, -0.4],
    [-3.0, 0.05, 8.0, -2.2, 0.3, 1.9],
    [12.0, -7.5, 0.0, 5.0, 2.5, -6.0],
];

case!(NormalVectors, |x| {
    let (v, s) = (&x[..3], x[4].exp());
    normal_lpdf::<false, S>(Var(v), Var(x[3]), Var(s)).unwrap()
        + normal_lpdf::<true, S>(Data(&[1.0, 2.0, 3.0][..]), Var(v), Var(s)).unwrap()
});
case!(NormalLazyAndData, |x| {
    let mu = Lazy { len: 3, f: |i: usize| x[3] + x[5] * (i as f64) };
    let sigma = Lazy { len: 3, f: |i: usize| (x[i] * 0.1).exp() };
    normal_lpdf::<true, S>(Data(&[0.5, -1.0, 4.0][..]), mu, sigma).unwrap()
        + normal_lpdf::<false, S>(Var(x[5]), Data(0.2), Var(x[4].exp())).unwrap()
});
case!(StdNormal, |x| {
    std_normal_lpdf::<false, S>(Var(&x[..3])).unwrap()
        + std_normal_lpdf::<true, S>(Var(x[4])).unwrap()
});
case!(Cauchy, |x| {
    cauchy_lpdf::<false, S>(Var(&x[..3]), Var(x[3]), Var(x[4].exp())).unwrap()
        + cauchy_lpdf::<true, S>(Var(x[5]), Data(0.0), Data(2.5)).unwrap()
});
case!(BernoulliLogit, |x| {
    bernoulli_logit_lpmf::<false, S>(Data(&[1, 0, 1][..]), Var(&x[..3])).unwrap()
        + bernoulli_logit_lpmf::<true, S>(Data(&[0, 0, 1][..]), Var(x[3])).unwrap()
});
case!(PoissonLog, |x| {
    poisson_log_lpmf::<false, S>(Data(&[0, 3, 11][..]), Var(&x[..3])).unwrap()
        + poisson_log_lpmf::<true, S>(Data(&[2, 5, 1][..]), Var(x[4])).unwrap()
});
case!(Reductions, |x| {
    let v = &x[..3];
    let lazy = Lazy { len: 3, f: |i: usize| v[i] * x[3] };
    sum(Var(v)) * x[5]
        + dot_product(Var(v), Data(&[0.5, 2.0, -1.0][..])).unwrap()
        + dot_product(Var(v), lazy).unwrap()
        + dot_self(Var(v)) * 0.1
        + log_sum_exp_of(Var(v))
        + log_sum_exp_of(lazy)
});

/// A 4 x 3 design matrix for the GLM cases.
fn design() -> Vec<Vec<f64>> {
    vec![vec![1.0, -0.5, 2.0], vec![0.3, 1.2, -1.0], vec![-2.0, 0.0, 0.7], vec![0.9, -1.4, 0.2]]
}

case!(NormalIdGlm, |x| {
    let xm = design();
    let beta = &x[..3];
    let y = [0.5, -1.0, 2.0, 0.1];
    let sigma = Var(x[4].exp());
    let plain =
        normal_id_glm_lpdf::<false, S>(Data(&y[..]), Data(&xm[..]), Var(x[3]), Var(beta), sigma);
    // A parameter design matrix, per-row intercepts and scales, and a parameter outcome.
    let xv: Vec<Vec<S>> = xm.iter().map(|r| r.iter().map(|&v| x[5] * v).collect()).collect();
    let alpha = [x[0], x[1], x[2], x[3]];
    let sigma = Lazy { len: 4, f: |i: usize| (x[i % 3] * 0.2).exp() };
    let (xv, alpha) = (Var(&xv[..]), Var(&alpha[..]));
    let all = normal_id_glm_lpdf::<true, S>(Var(x[4]), xv, alpha, Var(beta), sigma);
    plain.unwrap() + all.unwrap()
});
case!(BernoulliLogitGlm, |x| {
    let xm = design();
    bernoulli_logit_glm_lpmf::<false, S>(
        Data(&[1, 0, 0, 1][..]),
        Data(&xm[..]),
        Var(x[3]),
        Var(&x[..3]),
    )
    .unwrap()
        + bernoulli_logit_glm_lpmf::<true, S>(Data(1), Data(&xm[..]), Data(0.5), Var(&x[..3]))
            .unwrap()
});
case!(PoissonLogGlm, |x| {
    let xm = design();
    poisson_log_glm_lpmf::<false, S>(
        Data(&[0, 3, 1, 7][..]),
        Data(&xm[..]),
        Var(x[3]),
        Var(&x[..3]),
    )
    .unwrap()
        + poisson_log_glm_lpmf::<true, S>(
            Data(&[2, 0, 4, 1][..]),
            Data(&xm[..]),
            Var(x[5]),
            Var(&x[..3]),
        )
        .unwrap()
});

#[test]
fn analytic_partials_match_the_dual_chain_rule() {
    for x in POINTS {
        check("normal, vectors", &NormalVectors, &x);
        check("normal, lazy and data", &NormalLazyAndData, &x);
        check("std_normal", &StdNormal, &x);
        check("cauchy", &Cauchy, &x);
        check("bernoulli_logit", &BernoulliLogit, &x);
        check("poisson_log", &PoissonLog, &x);
        check("reductions", &Reductions, &x);
        check("normal_id_glm", &NormalIdGlm, &x);
        check("bernoulli_logit_glm", &BernoulliLogitGlm, &x);
        check("poisson_log_glm", &PoissonLogGlm, &x);
    }
}

#[test]
fn the_tape_is_reused_across_calls() {
    let x = POINTS[0];
    let mut g = vec![0.0; 6];
    reverse::gradient(|v: &[Rev]| NormalLazyAndData.eval(v), &x, &mut g);
    let first = reverse::tape_capacity();
    for _ in 0..100 {
        reverse::gradient(|v: &[Rev]| NormalLazyAndData.eval(v), &x, &mut g);
    }
    assert_eq!(reverse::tape_capacity(), first);
}

/// A square root of a value that underflowed to zero: the derivative is zero (the value does
/// not move with its operand), where the plain chain rule gives 0 * inf = NaN.
#[test]
fn an_underflowed_value_under_a_square_root_has_a_zero_derivative() {
    case!(Underflow, |x| (x[0].exp() * (x[1] * x[1] * -800.0).exp()).sqrt() + x[0]);
    check("sqrt of an underflowed value", &Underflow, &[0.5, 1.0, 0.0, 0.0, 0.0, 0.0]);
    let mut rev = vec![0.0; 6];
    reverse::gradient(|v: &[Rev]| Underflow.eval(v), &[0.5, 1.0, 0.0, 0.0, 0.0, 0.0], &mut rev);
    assert_eq!(rev[..2], [1.0, 0.0]);
}
