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
        let d = case.eval(&duals).eps;
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
