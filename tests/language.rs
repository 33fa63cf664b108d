//! The language through the whole pipeline: constructs whose results are known exactly, and
//! constrained types whose posteriors are known in closed form.

mod common;

use common::{get, outputs};

use tilde::Model;
use tilde::diagnostics;
use tilde::rng::{Stream, chain_rng};
use tilde::sampler::Sampler;

/// `message` as an error at run time gives it: naming `statement` of a model in this file and
/// its line (the statement is written there with its `;`).
fn in_statement(message: &str, statement: &str) -> String {
    common::in_statement(include_str!("language.rs"), message, statement)
}

tilde::model! {
    /// Operators, precedence and integer arithmetic, evaluated in generated quantities.
    pub struct Operators;

    generated quantities {
        real neg_pow = -2^2;
        real paren_pow = (-2)^2;
        real right_assoc = 2^3^2;
        real neg_exp = -2^-2;
        real mul_pow = 2*3^2;
        int int_div = 7 / 2;
        int int_div_neg = -7 / 2;
        int modulus = -7 % 3;
        real ternary = 1 > 0 ? 1 : 2.5;
        int logic = (1 < 2) && !(3 == 4) || 0;
        real elt = 6 ./ 3;
        int type = 3;
        int match = type * 2;
        vector[3] v = to_vector({1, 2, 3});
        vector[3] squares = v .^ 2;
        vector[3] selves = v .^ v;
        real elt_pow = -3 .^ 2;
    }
}

#[test]
fn operators_follow_stan() {
    let outs = outputs(&Operators::from_json_str("{}").unwrap(), &[]);
    assert_eq!(get(&outs, "neg_pow"), -4.0);
    assert_eq!(get(&outs, "paren_pow"), 4.0);
    assert_eq!(get(&outs, "right_assoc"), 512.0);
    assert_eq!(get(&outs, "neg_exp"), -0.25);
    assert_eq!(get(&outs, "mul_pow"), 18.0);
    assert_eq!(get(&outs, "int_div"), 3.0);
    assert_eq!(get(&outs, "int_div_neg"), -3.0);
    assert_eq!(get(&outs, "modulus"), -1.0);
    assert_eq!(get(&outs, "ternary"), 1.0);
    assert_eq!(get(&outs, "logic"), 1.0);
    assert_eq!(get(&outs, "elt"), 2.0);
    assert_eq!(get(&outs, "match"), 6.0);
    assert_eq!(get(&outs, "squares[3]"), 9.0);
    assert_eq!(get(&outs, "selves[2]"), 4.0);
    assert_eq!(get(&outs, "selves[3]"), 27.0);
    // `.^` binds tighter than unary minus, as `^` does.
    assert_eq!(get(&outs, "elt_pow"), -9.0);
}

tilde::model! {
    /// Loops, while, break and continue, local containers and element assignment.
    pub struct Loops;

    data {
        int<lower=1> N;
    }
    generated quantities {
        int evens = 0;
        real total = 0;
        vector[N] squares;
        array[N, 2] real table;
        int steps = 0;
        for (i in 1:N) {
            squares[i] = i^2;
            table[i, 1] = i;
            table[i, 2] = -i;
            if (i % 2 == 1) continue;
            evens += 1;
        }
        for (x in squares) {
            total += x;
        }
        while (1) {
            steps += 1;
            if (steps >= 5) break;
        }
    }
}

#[test]
fn loops_and_element_assignment() {
    let outs = outputs(&Loops::from_json_str(r#"{"N": 4}"#).unwrap(), &[]);
    assert_eq!(get(&outs, "evens"), 2.0);
    assert_eq!(get(&outs, "total"), 1.0 + 4.0 + 9.0 + 16.0);
    assert_eq!(get(&outs, "squares[3]"), 9.0);
    assert_eq!(get(&outs, "table[2,2]"), -2.0);
    assert_eq!(get(&outs, "steps"), 5.0);
}

tilde::model! {
    /// `profile` blocks run their statements as a nested block, with its own scope.
    pub struct Profiled;

    generated quantities {
        real total = 0;
        profile("sums") {
            real step = 2;
            total += step;
        }
        profile("more") {
            real step = 3;
            total += step;
        }
    }
}

#[test]
fn profile_blocks_run_as_nested_blocks() {
    let outs = outputs(&Profiled::from_json_str("{}").unwrap(), &[]);
    assert_eq!(get(&outs, "total"), 5.0);
}

tilde::model! {
    /// Integer overflow is an error, not a wrap-around.
    pub struct Overflow;

    data {
        int big;
    }
    generated quantities {
        int twice = big * 2;
    }
}

#[test]
fn integer_overflow_is_an_error() {
    let m = Overflow::from_json_str(r#"{"big": 9223372036854775807}"#).unwrap();
    let mut out = vec![0.0; 1];
    let mut ws = m.new_workspace::<f64>();
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = m.write_outputs(&[], &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert!(err.message().contains("integer overflow"), "{}", err.message());
}

tilde::model! {
    /// A uniform simplex and the order statistics of two standard normals.
    pub struct Constrained;

    parameters {
        simplex[3] p;
        ordered[2] x;
        positive_ordered[2] w;
    }
    model {
        x ~ normal(0, 1);
        w ~ exponential(1);
    }
}

/// Asserts that the sampled mean of `name` is within 5 Monte Carlo standard errors of `expected`.
fn assert_mean(fit: &tilde::fit::Fit, name: &str, expected: f64) {
    let chains = fit.chain_draws(name).unwrap();
    let (mean, mcse) = (diagnostics::mean(&chains), diagnostics::mcse_mean(&chains));
    let z = (mean - expected) / mcse;
    assert!(z.abs() < 5.0, "{name}: mean {mean} (MCSE {mcse}), expected {expected}, z = {z}");
}

#[test]
fn constrained_vectors_have_their_known_posteriors() {
    let m = Constrained::from_json_str("{}").unwrap();
    assert_eq!(m.dim(), 2 + 2 + 2);
    let fit = Sampler::new().seed(3).sample(&m).unwrap();
    // A flat simplex is Dirichlet(1, 1, 1): each component has mean 1/3.
    for k in 1..=3 {
        assert_mean(&fit, &format!("p[{k}]"), 1.0 / 3.0);
    }
    // The minimum and maximum of two standard normals: -+1/sqrt(pi).
    let order = 1.0 / std::f64::consts::PI.sqrt();
    assert_mean(&fit, "x[1]", -order);
    assert_mean(&fit, "x[2]", order);
    // The minimum and maximum of two Exp(1): 1/2 and 3/2.
    assert_mean(&fit, "w[1]", 0.5);
    assert_mean(&fit, "w[2]", 1.5);
    for d in 0..fit.num_draws() {
        let s: f64 = (1..=3).map(|k| fit.draws(&format!("p[{k}]")).unwrap()[d]).sum();
        assert!((s - 1.0).abs() < 1e-12);
    }
}

tilde::model! {
    /// Bounds that use another parameter, and infinite bounds that mean no bound.
    pub struct Bounds;

    parameters {
        real<lower=0> sigma;
        real<lower=-sigma, upper=sigma> u;
        real<lower=negative_infinity()> a;
    }
    model {
        sigma ~ exponential(1);
        a ~ normal(3, 2);
    }
}

#[test]
fn parameter_dependent_and_infinite_bounds() {
    let m = Bounds::from_json_str("{}").unwrap();
    let fit = Sampler::new().seed(5).sample(&m).unwrap();
    // u | sigma is uniform on (-sigma, sigma), and the Jacobian of its transform makes sigma's
    // marginal the Gamma(2, 1) that `exponential(1) * 2 sigma` gives: mean 2.
    assert_mean(&fit, "sigma", 2.0);
    assert_mean(&fit, "u", 0.0);
    assert_mean(&fit, "a", 3.0);
    let sigma = fit.draws("sigma").unwrap();
    let u = fit.draws("u").unwrap();
    assert!(sigma.iter().zip(&u).all(|(s, u)| u.abs() < *s));
}

tilde::model! {
    /// Data-side constraint checks for constrained vector types.
    pub struct SimplexData;

    data {
        int K;
        simplex[K] theta;
    }
}

#[test]
fn constrained_data_is_validated() {
    assert!(SimplexData::from_json_str(r#"{"K": 2, "theta": [0.25, 0.75]}"#).is_ok());
    let err = SimplexData::from_json_str(r#"{"K": 2, "theta": [0.5, 0.75]}"#).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("theta") && text.contains("simplex") && text.contains("1.25"), "{text}");
}

tilde::model! {
    /// `reject` rejects the proposal with its message.
    pub struct Reject;

    parameters {
        real x;
    }
    model {
        if (x > 10) reject("x is too large: ", x);
        x ~ normal(0, 1);
    }
}

#[test]
fn reject_is_a_recoverable_error_with_its_message() {
    let m = Reject::from_json_str("{}").unwrap();
    let mut ws = m.new_workspace::<f64>();
    let err = m.log_density(&[11.0], &mut ws).unwrap_err();
    assert!(err.is_recoverable());
    assert_eq!(err.message(), "x is too large: 11");
    assert!(m.log_density(&[1.0], &mut ws).is_ok());
}

tilde::model! {
    /// A regression through a data matrix, with matrix and row outputs.
    pub struct Regression;

    data {
        int N;
        int K;
        matrix[N, K] X;
        vector[N] y;
    }
    parameters {
        vector[K] beta;
    }
    model {
        y ~ normal(X * beta, 1);
    }
    generated quantities {
        matrix[N, K] Xc = X;
        real first = X[1] * beta;
        int r = rows(X);
        int c = cols(X);
    }
}

#[test]
fn matrix_times_vector_and_matrix_outputs() {
    let m = Regression::from_json_str(
        r#"{"N": 3, "K": 2, "X": [[1, 2], [3, 4], [5, 6]], "y": [1, 0, -1]}"#,
    )
    .unwrap();
    let beta = [0.5, -0.25];
    let mut ws = m.new_workspace::<f64>();
    let lp = m.log_density(&beta, &mut ws).unwrap();
    let mu = [0.5 - 0.5, 1.5 - 1.0, 2.5 - 1.5];
    let ys: [f64; 3] = [1.0, 0.0, -1.0];
    let expected: f64 = ys.iter().zip(mu).map(|(y, m)| -0.5 * (y - m).powi(2)).sum();
    assert!((lp - expected).abs() < 1e-14, "{lp} vs {expected}");
    let outs = outputs(&m, &beta);
    let names: Vec<&str> = outs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[2..8], ["Xc[1,1]", "Xc[2,1]", "Xc[3,1]", "Xc[1,2]", "Xc[2,2]", "Xc[3,2]"]);
    assert_eq!(get(&outs, "Xc[2,1]"), 3.0);
    assert_eq!(get(&outs, "Xc[1,2]"), 2.0);
    assert_eq!(get(&outs, "first"), 0.0);
    assert_eq!((get(&outs, "r"), get(&outs, "c")), (3.0, 2.0));
    let bad = Regression::from_json_str(r#"{"N": 1, "K": 2, "X": [[1, 2, 3]], "y": [1]}"#);
    assert!(bad.unwrap_err().to_string().contains("X"));
}

tilde::model! {
    /// Ranges and index arrays on one-level containers.
    pub struct Slices;

    data {
        int N;
        vector[N] x;
        array[3] int idx;
        array[2, 3] real grid;
    }
    generated quantities {
        real middle = sum(x[2:4]);
        real head2 = sum(x[:2]);
        real tail2 = sum(x[N - 1:]);
        real all = sum(x[:]);
        real picked = sum(x[idx]);
        int n = size(x[2:3]);
        real empty = sum(x[3:2]);
        real row_part = sum(grid[2, 2:3]);
    }
}

#[test]
fn ranges_and_index_arrays() {
    let m = Slices::from_json_str(
        r#"{"N": 5, "x": [1, 2, 3, 4, 5], "idx": [5, 5, 1], "grid": [[1, 2, 3], [4, 5, 6]]}"#,
    )
    .unwrap();
    let outs = outputs(&m, &[]);
    assert_eq!(get(&outs, "middle"), 9.0);
    assert_eq!(get(&outs, "head2"), 3.0);
    assert_eq!(get(&outs, "tail2"), 9.0);
    assert_eq!(get(&outs, "all"), 15.0);
    assert_eq!(get(&outs, "picked"), 11.0);
    assert_eq!(get(&outs, "n"), 2.0);
    assert_eq!(get(&outs, "empty"), 0.0);
    assert_eq!(get(&outs, "row_part"), 11.0);
    let bad = Slices::from_json_str(
        r#"{"N": 5, "x": [1, 2, 3, 4, 5], "idx": [6, 1, 1], "grid": [[1, 2, 3], [4, 5, 6]]}"#,
    )
    .unwrap();
    let mut out = vec![0.0; 8];
    let mut ws = bad.new_workspace::<f64>();
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = bad.write_outputs(&[], &mut ws, &mut rng, true, &mut out).unwrap_err();
    let want =
        in_statement("index 6 out of range for `x`, which has size 5", "real picked = sum(x[idx])");
    assert_eq!(err.message(), want);
}

tilde::model! {
    /// A varying-intercept model indexed by group, as in hierarchical regressions.
    pub struct Groups;

    data {
        int N;
        int G;
        array[N] int<lower=1, upper=G> g;
        vector[N] y;
    }
    parameters {
        vector[G] a;
    }
    model {
        y ~ normal(a[g], 1);
    }
}

#[test]
fn multi_indexed_parameters_have_the_right_gradient() {
    use tilde::LogDensity;
    let m =
        Groups::from_json_str(r#"{"N": 4, "G": 2, "g": [1, 2, 2, 1], "y": [1, 2, 3, 4]}"#).unwrap();
    let mut eval = tilde::gradient::GradientEvaluator::new(&m);
    let mut grad = [0.0; 2];
    let a = [0.5, 1.5];
    let lp = eval.logp_and_grad(&a, &mut grad).unwrap();
    // d/da1 = (1 - a1) + (4 - a1); d/da2 = (2 - a2) + (3 - a2).
    assert_eq!(grad, [4.0, 2.0]);
    let expected = -0.5 * (0.25 + 0.25 + 2.25 + 12.25);
    assert!((lp - expected).abs() < 1e-14);
    let err = Groups::from_json_str(r#"{"N": 1, "G": 2, "g": [3], "y": [1]}"#).unwrap_err();
    assert!(err.to_string().contains("g[1]"), "{err}");
}

tilde::model! {
    /// User-defined functions: recursion, a density used with `~` and `|`, an `_lp` function,
    /// an `_rng` function, vector arguments and results, and a `void` function.
    pub struct Functions;

    functions {
        int fib(int n) {
            if (n <= 2) return 1;
            return fib(n - 1) + fib(n - 2);
        }
        real my_normal_lpdf(real y, real mu, real sigma) {
            return -0.5 * square((y - mu) / sigma) - log(sigma);
        }
        vector shift(vector x, real by) {
            return x + by;
        }
        void add_prior_lp(real x) {
            target += -0.5 * x^2;
        }
        real draw_rng(real mu) {
            return normal_rng(mu, 1);
        }
        void check_positive(real x) {
            if (x < 0) reject("negative: ", x);
        }
    }
    data {
        int N;
        vector[N] y;
    }
    parameters {
        real mu;
    }
    model {
        add_prior_lp(mu);
        for (n in 1:N) y[n] ~ my_normal(mu, 1);
        target += my_normal_lpdf(0 | mu, 10);
    }
    generated quantities {
        int f10 = fib(10);
        vector[N] shifted = shift(y, mu);
        real draw = draw_rng(mu);
        check_positive(1);
    }
}

#[test]
fn user_functions_work_like_stan() {
    let m = Functions::from_json_str(r#"{"N": 2, "y": [1, 3]}"#).unwrap();
    let mut ws = m.new_workspace::<f64>();
    let mu = 0.5;
    let lp = m.log_density(&[mu], &mut ws).unwrap();
    let expected = -0.5 * mu * mu
        + -0.5 * ((1.0 - mu) * (1.0 - mu) + (3.0 - mu) * (3.0 - mu))
        + (-0.5 * (mu / 10.0) * (mu / 10.0) - 10f64.ln());
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    let outs = outputs(&m, &[mu]);
    assert_eq!(get(&outs, "f10"), 55.0);
    assert_eq!(get(&outs, "shifted[2]"), 3.5);
    assert!(get(&outs, "draw").is_finite());
    use tilde::LogDensity;
    let mut eval = tilde::gradient::GradientEvaluator::new(&m);
    let mut grad = [0.0];
    eval.logp_and_grad(&[mu], &mut grad).unwrap();
    let expected_grad = -mu + (1.0 - mu) + (3.0 - mu) - mu / 100.0;
    assert!((grad[0] - expected_grad).abs() < 1e-12);
}

tilde::model! {
    /// Scalar functions of several arguments, functions whose arity decides their meaning,
    /// and transpose.
    pub struct ScalarFunctions;

    generated quantities {
        real biggest = max(2, 3.5);
        real smallest = min(2, 3.5);
        real lse = log_sum_exp(0, 0);
        real mix = log_mix(0.5, 0, 0);
        real lg = log10(1000);
        real ln10 = log10();
        real p = pow(2, 10);
        real tiny = 10^-2;
        real dot = [1, 2] * transpose([3, 4]);
        print("ones: ", rep_vector(1, 2));
    }
}

#[test]
fn scalar_functions_and_transpose() {
    let outs = outputs(&ScalarFunctions::from_json_str("{}").unwrap(), &[]);
    assert_eq!(get(&outs, "biggest"), 3.5);
    assert_eq!(get(&outs, "smallest"), 2.0);
    assert!((get(&outs, "lse") - 2f64.ln()).abs() < 1e-15);
    assert!(get(&outs, "mix").abs() < 1e-15);
    assert!((get(&outs, "lg") - 3.0).abs() < 1e-15);
    assert_eq!(get(&outs, "ln10"), std::f64::consts::LN_10);
    assert_eq!(get(&outs, "p"), 1024.0);
    assert_eq!(get(&outs, "tiny"), 0.01);
    assert_eq!(get(&outs, "dot"), 11.0);
}

tilde::model! {
    /// Bounds taken from data, which may be inconsistent.
    pub struct DataBounds;

    data {
        real lo;
        real hi;
        real m;
    }
    parameters {
        real<lower=lo, upper=hi> x;
        real<multiplier=m> z;
    }
    model {
        z ~ normal(0, 1);
    }
}

#[test]
fn inconsistent_bounds_are_named() {
    let m = DataBounds::from_json_str(r#"{"lo": 2, "hi": 1, "m": 1}"#).unwrap();
    let mut ws = m.new_workspace::<f64>();
    let err = m.log_density(&[0.0, 0.0], &mut ws).unwrap_err();
    assert_eq!(err.message(), "x: the lower bound (2) must be less than the upper bound (1)");
    let m = DataBounds::from_json_str(r#"{"lo": 0, "hi": 1, "m": -1}"#).unwrap();
    let err = m.log_density(&[0.0, 0.0], &mut ws).unwrap_err();
    assert_eq!(err.message(), "z: the multiplier is -1, but must be positive and finite");
    let err = Sampler::new().sample(&m).unwrap_err().to_string();
    assert!(err.contains("multiplier is -1"), "{err}");
}

mod named_like_the_scalar {
    tilde::model! {
        /// A model whose name is the one generated code would use for its scalar type.
        pub struct S;

        parameters {
            real mu;
        }
        model {
            mu ~ normal(0, 1);
        }
    }
}

#[test]
fn any_model_name_works() {
    let m = named_like_the_scalar::S::from_json_str("{}").unwrap();
    let mut ws = m.new_workspace::<f64>();
    assert_eq!(m.log_density(&[1.0], &mut ws).unwrap(), -0.5);
}

tilde::model! {
    /// Two-level data used in transformed data, and a product with a zero-column matrix.
    pub struct NestedData;

    data {
        int N;
        int K;
        matrix[N, K] X;
        array[N, 2] real a;
    }
    transformed data {
        int r = rows(X);
        real corner = a[N, 2];
    }
    generated quantities {
        vector[N] p = X * rep_vector(1, K);
        real c = corner + r;
    }
}

#[test]
fn two_level_data_in_transformed_data_and_empty_columns() {
    let m = NestedData::from_json_str(r#"{"N": 2, "K": 0, "X": [[], []], "a": [[1, 2], [3, 4]]}"#)
        .unwrap();
    let outs = outputs(&m, &[]);
    assert_eq!(get(&outs, "p[1]"), 0.0);
    assert_eq!(get(&outs, "p[2]"), 0.0);
    assert_eq!(get(&outs, "c"), 6.0);
}

tilde::model! {
    /// A rejection in generated quantities keeps the parameters of the draw.
    pub struct FailingGenerated;

    parameters {
        real mu;
    }
    model {
        mu ~ normal(0, 1);
    }
    generated quantities {
        real<lower=0> g = mu;
    }
}

#[test]
fn a_failure_in_generated_quantities_keeps_the_parameters() {
    let m = FailingGenerated::from_json_str("{}").unwrap();
    let fit = Sampler::new().seed(9).sample(&m).unwrap();
    let mu = fit.draws("mu").unwrap();
    let g = fit.draws("g").unwrap();
    assert!(mu.iter().all(|x| x.is_finite()));
    for (m, g) in mu.iter().zip(&g) {
        if *m >= 0.0 { assert_eq!(g, m) } else { assert!(g.is_nan()) }
    }
}

tilde::model! {
    /// A user-defined function that keeps its argument in local variables before using it.
    pub struct FunctionLocals;

    functions {
        real cube(real x) {
            real y = x;
            vector[2] v = transpose([y, y * y]);
            return v[1] * v[2];
        }
    }
    parameters {
        real x;
    }
    model {
        target += cube(x);
    }
}

#[test]
fn local_variables_of_functions_carry_derivatives() {
    use tilde::LogDensity;
    let m = FunctionLocals::from_json_str("{}").unwrap();
    let mut eval = tilde::gradient::GradientEvaluator::new(&m);
    let mut grad = [0.0];
    let lp = eval.logp_and_grad(&[1.5], &mut grad).unwrap();
    assert_eq!(lp, 3.375);
    assert_eq!(grad, [3.0 * 1.5 * 1.5]);
}

tilde::model! {
    /// The same outcome truncated on both sides, below only and above only, with the location
    /// and scale parameters (so every normalising term depends on them).
    pub struct Truncated;

    data {
        real L;
        real U;
        real y;
    }
    parameters {
        real mu;
        real<lower=0> sigma;
    }
    model {
        y ~ normal(mu, sigma) T[L, U];
        y ~ normal(mu, sigma) T[L, ];
        y ~ normal(mu, sigma) T[, U];
    }
}

/// The log density `Truncated` should have at unconstrained `(mu, log sigma)`, from statrs's
/// normal CDF: three times the kernel `-z^2/2 - log sigma` (`~` drops `-log(2 pi)/2`), minus
/// the log probability of each truncation interval, plus the Jacobian `log sigma`.
fn truncated_lp(l: f64, u: f64, y: f64, theta: [f64; 2]) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let (mu, sigma) = (theta[0], theta[1].exp());
    let d = Normal::new(mu, sigma).unwrap();
    let z = (y - mu) / sigma;
    let kernel = -0.5 * z * z - sigma.ln();
    // Above the median, the difference of CDFs near one would lose the digits that the test
    // checks, so the oracle takes it from the upper tail.
    let between = if l > mu { d.sf(l) - d.sf(u) } else { d.cdf(u) - d.cdf(l) };
    3.0 * kernel - between.ln() - d.sf(l).ln() - d.cdf(u).ln() + theta[1]
}

#[test]
fn truncation_subtracts_the_log_probability_between_the_bounds() {
    use tilde::LogDensity;
    use tilde::gradient::{GradientEvaluator, Method};
    // The second case puts both bounds in the upper tail, where the mass is taken from the
    // complementary CDFs.
    for (l, u, y) in [(-1.0, 2.0, 0.5), (3.0, 4.5, 3.2)] {
        let json = format!(r#"{{"L": {l}, "U": {u}, "y": {y}}}"#);
        let m = Truncated::from_json_str(&json).unwrap();
        for method in [Method::Dual { width: 4 }, Method::Reverse] {
            let mut eval = GradientEvaluator::with_method(&m, method);
            for theta in [[0.3, 0.4], [-0.2, -0.5]] {
                let mut grad = [0.0; 2];
                let lp = eval.logp_and_grad(&theta, &mut grad).unwrap();
                let expected = truncated_lp(l, u, y, theta);
                assert!((lp - expected).abs() < 1e-10, "{json} at {theta:?}: {lp} vs {expected}");
                for k in 0..2 {
                    let h = 1e-6;
                    let (mut up, mut down) = (theta, theta);
                    up[k] += h;
                    down[k] -= h;
                    let fd = (truncated_lp(l, u, y, up) - truncated_lp(l, u, y, down)) / (2.0 * h);
                    assert!((grad[k] - fd).abs() < 1e-6, "{json} d{k}: {} vs {fd}", grad[k]);
                }
            }
        }
    }
}

#[test]
fn an_outcome_outside_the_truncation_has_zero_density() {
    use tilde::LogDensity;
    for y in [-1.5, 2.5] {
        let json = format!(r#"{{"L": -1, "U": 2, "y": {y}}}"#);
        let m = Truncated::from_json_str(&json).unwrap();
        let mut eval = tilde::gradient::GradientEvaluator::new(&m);
        let mut grad = [0.0; 2];
        let lp = eval.logp_and_grad(&[0.0, 0.0], &mut grad).unwrap();
        assert_eq!(lp, f64::NEG_INFINITY, "y = {y}");
    }
}

tilde::model! {
    /// A truncated normal parameter whose bounds are its declared bounds, and one whose lower
    /// bound is enforced by the truncation alone (proposals below it are rejected).
    pub struct TruncatedParameter;

    parameters {
        real<lower=-1, upper=2> x;
        real h;
    }
    model {
        x ~ normal(1, 2) T[-1, 2];
        h ~ std_normal() T[0, ];
    }
}

#[test]
fn truncated_parameters_have_the_truncated_normal_mean() {
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};
    let m = TruncatedParameter::from_json_str("{}").unwrap();
    let fit = Sampler::new().seed(11).sample(&m).unwrap();
    // The mean of N(mu, sigma) truncated to [a, b] is mu + sigma (phi(A) - phi(B)) / Z with A,
    // B the standardised bounds and Z = Phi(B) - Phi(A).
    let std = Normal::new(0.0, 1.0).unwrap();
    let (a, b) = ((-1.0 - 1.0) / 2.0, (2.0 - 1.0) / 2.0);
    let z = std.cdf(b) - std.cdf(a);
    assert_mean(&fit, "x", 1.0 + 2.0 * (std.pdf(a) - std.pdf(b)) / z);
    // The half-normal: sqrt(2 / pi).
    assert_mean(&fit, "h", (2.0 / std::f64::consts::PI).sqrt());
    assert!(fit.draws("h").unwrap().iter().all(|&h| h >= 0.0));
}

tilde::model! {
    /// A zero-truncated and a doubly truncated Poisson count, with `target +=` so that the
    /// constants stay and the log density can be compared with the sum of the masses.
    pub struct TruncatedCount;

    data {
        int n;
    }
    parameters {
        real<lower=0> lambda;
    }
    model {
        n ~ poisson(lambda) T[1, ];
        n ~ poisson(lambda) T[2, 6];
    }
}

#[test]
fn truncated_counts_include_their_lower_bound() {
    use tilde::Model;
    // For a count the mass of [L, U] is P(L <= Y <= U) = CDF(U) - CDF(L - 1): the lower bound
    // belongs to the support. The oracle sums the masses.
    let n = 3;
    let m = TruncatedCount::from_json_str(&format!(r#"{{"n": {n}}}"#)).unwrap();
    let log_lambda: f64 = 0.4;
    let lambda = log_lambda.exp();
    let pmf = |k: u32| {
        let fact: f64 = (1..=k).map(f64::from).product();
        (-lambda).exp() * lambda.powi(k as i32) / fact
    };
    let at_least_one = 1.0 - pmf(0);
    let two_to_six: f64 = (2..=6).map(pmf).sum();
    // `~` drops constants: log pmf without `-lgamma(n + 1)`, each term once.
    let kernel = f64::from(n) * lambda.ln() - lambda;
    let expected = 2.0 * kernel - at_least_one.ln() - two_to_six.ln() + log_lambda;
    let mut ws = m.new_workspace::<f64>();
    let lp = m.log_density(&[log_lambda], &mut ws).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    // A count below a bound has no mass.
    let zero = TruncatedCount::from_json_str(r#"{"n": 1}"#).unwrap();
    let mut ws = zero.new_workspace::<f64>();
    assert_eq!(zero.log_density(&[log_lambda], &mut ws).unwrap(), f64::NEG_INFINITY);
}

tilde::model! {
    /// Assignment to ranges, index arrays, part of a row and a matrix column, plain and
    /// compound, including values that read the target.
    pub struct SliceAssign;

    data {
        int N;
        array[2] int idx;
    }
    generated quantities {
        vector[5] x;
        array[5] int k = {1, 2, 3, 4, 5};
        matrix[2, 3] m = rep_matrix(0, 2, 3);
        vector[5] s;
        row_vector[4] r = rep_row_vector(1, 4);
        for (i in 1:5) {
            x[i] = i;
            s[i] = i;
        }
        x[2:4] = rep_vector(0, 3);
        x[:1] += rep_vector(10, 1);
        k[idx] = {20, 10};
        m[1, 2:3] = [7, 8];
        m[:, 1] = to_vector({-1, -2});
        m[:, 3] *= 2;
        s[2:] = s[:4];
        s[idx] += s[idx];
        r[3:N] = rep_row_vector(5, 2);
        r[:] -= r;
    }
}

#[test]
fn assignment_to_slices() {
    let m = SliceAssign::from_json_str(r#"{"N": 4, "idx": [5, 1]}"#).unwrap();
    let outs = outputs(&m, &[]);
    let values = |prefix: &str| -> Vec<f64> {
        outs.iter().filter(|(n, _)| n.starts_with(prefix)).map(|(_, v)| *v).collect()
    };
    assert_eq!(values("x["), [11.0, 0.0, 0.0, 0.0, 5.0]);
    assert_eq!(values("k["), [10.0, 2.0, 3.0, 4.0, 20.0]);
    // Outputs are column-major, as in Stan's CSV.
    assert_eq!(values("m["), [-1.0, -2.0, 7.0, 0.0, 16.0, 0.0]);
    // s[2:] = s[:4] reads the old elements: 1 1 2 3 4, then s[5] and s[1] double.
    assert_eq!(values("s["), [2.0, 1.0, 2.0, 3.0, 8.0]);
    assert_eq!(values("r["), [0.0; 4]);
}

#[test]
fn slice_assignment_checks_sizes_and_indices() {
    let run = |json: &str| {
        let m = SliceAssign::from_json_str(json).unwrap();
        let mut out = vec![0.0; m.output_names().len()];
        let mut ws = m.new_workspace::<f64>();
        let mut rng = chain_rng(1, 0, Stream::Generated);
        let result = m.write_outputs(&[], &mut ws, &mut rng, true, &mut out);
        result.expect_err(json).message().into_owned()
    };
    // r[3:5] does not exist: the range's end is out of bounds.
    let in_r = |message| in_statement(message, "r[3:N] = rep_row_vector(5, 2)");
    assert_eq!(
        run(r#"{"N": 5, "idx": [5, 1]}"#),
        in_r("index 5 out of range for `r`, which has size 4")
    );
    // r[3:3] has one element, the value two.
    assert_eq!(
        run(r#"{"N": 3, "idx": [5, 1]}"#),
        in_r(
            "size mismatch in assignment to a range of `r`: the range has 1 element(s), the value 2"
        )
    );
    assert_eq!(
        run(r#"{"N": 4, "idx": [6, 1]}"#),
        in_statement("index 6 out of range for `k`, which has size 5", "k[idx] = {20, 10}")
    );
}

tilde::model! {
    /// Parameters written into parts of a transformed parameter.
    pub struct SliceParameters;

    parameters {
        real a;
        real b;
    }
    transformed parameters {
        vector[3] v = rep_vector(0, 3);
        matrix[2, 2] w = rep_matrix(0, 2, 2);
        v[1:2] = rep_vector(a, 2);
        v[{3}] = rep_vector(b, 1);
        w[:, 2] = transpose([a, b]);
    }
    model {
        v ~ normal(0, 1);
        to_vector(w) ~ normal(1, 1);
    }
}

#[test]
fn slice_assigned_parameters_have_the_right_gradient() {
    use tilde::LogDensity;
    let m = SliceParameters::from_json_str("{}").unwrap();
    let (a, b) = (0.5, -1.5);
    let mut eval = tilde::gradient::GradientEvaluator::new(&m);
    let mut grad = [0.0; 2];
    let lp = eval.logp_and_grad(&[a, b], &mut grad).unwrap();
    // v = (a, a, b) ~ N(0, 1) and to_vector(w) = (0, 0, a, b) ~ N(1, 1), constants dropped.
    let expected =
        -0.5 * (2.0 * a * a + b * b) - 0.5 * (2.0 + (a - 1.0f64).powi(2) + (b - 1.0f64).powi(2));
    assert!((lp - expected).abs() < 1e-14, "{lp} vs {expected}");
    assert_eq!(grad, [-2.0 * a - (a - 1.0), -b - (b - 1.0)]);
}

tilde::model! {
    /// Vectorised random number generators: one draw per element, scalars broadcast.
    pub struct VectorRng;

    data {
        int N;
        vector[N] mu;
        array[N] int trials;
        int M;
        vector[M] sd;
    }
    generated quantities {
        array[N] real y = normal_rng(mu, 1e-12);
        array[N] int k = binomial_rng(trials, 1);
        real spread = mean(normal_rng(rep_vector(2, 4000), 1));
        array[N] real bad = normal_rng(mu, sd);
    }
}

#[test]
fn vectorised_rng_draws_one_value_per_element() {
    let json = |m: usize| {
        let sd = vec!["1"; m].join(", ");
        format!(r#"{{"N": 3, "mu": [1, -2, 30], "trials": [4, 0, 7], "M": {m}, "sd": [{sd}]}}"#)
    };
    let outs = outputs(&VectorRng::from_json_str(&json(3)).unwrap(), &[]);
    for (k, mu) in [1.0, -2.0, 30.0].iter().enumerate() {
        let y = get(&outs, &format!("y[{}]", k + 1));
        assert!((y - mu).abs() < 1e-9, "y[{}] = {y}", k + 1);
    }
    for (k, n) in [4.0, 0.0, 7.0].iter().enumerate() {
        assert_eq!(get(&outs, &format!("k[{}]", k + 1)), *n);
    }
    // The mean of 4000 standard normal draws around 2: within 4 standard errors.
    assert!((get(&outs, "spread") - 2.0).abs() < 4.0 / 4000f64.sqrt());
    let m = VectorRng::from_json_str(&json(2)).unwrap();
    let mut out = vec![0.0; m.output_names().len()];
    let mut ws = m.new_workspace::<f64>();
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = m.write_outputs(&[], &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(
        err.message(),
        in_statement(
            "normal_rng: size of argument sigma (2) does not match size of argument mu (3)",
            "array[N] real bad = normal_rng(mu, sd)"
        )
    );
}

tilde::model! {
    /// Reductions of data-only expressions inside the log density, int-valued `max`, `min`,
    /// `abs` and `sum`, and `reject` with two-level containers.
    pub struct DataExpressions;

    functions {
        vector ones(int n) {
            vector[n] r = rep_vector(1, n);
            return r;
        }
    }
    data {
        vector[3] x;
        array[2] vector[2] av;
        array[3] int counts;
    }
    transformed data {
        matrix[2, 2] X = rep_matrix(1.5, 2, 2);
    }
    parameters {
        real mu;
    }
    model {
        mu ~ normal(sum(rep_vector(1, 3)) + sum(x + 1) + mean(ones(3)) - dot_self(x), 1);
        target += normal_lpdf(x + 1 | mu, 10);
        if (mu > 1000) {
            reject("X is ", X, " and av is ", av);
        }
    }
    generated quantities {
        int big = max(3, 4);
        int small = min(3, -4);
        int a = abs(-3);
        int total = sum(counts);
        int most = max(counts);
        int least = min(counts);
        // Integer division: `max` of two ints is an int.
        int half = max(3, 5) / 2;
        real long_sum =
            1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
            + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
    }
}

#[test]
fn data_expressions_and_int_functions_follow_stan() {
    let data = r#"{"x": [1, 2, 3], "av": [[1, 2], [3, 4]], "counts": [4, -2, 7]}"#;
    let m = DataExpressions::from_json_str(data).unwrap();
    let mut ws = m.new_workspace::<f64>();
    // mu ~ normal(3 + 9 + 1 - 14, 1) drops its constant; the second term keeps its own.
    let lp = m.log_density(&[0.5], &mut ws).unwrap();
    let normal = |y: f64, mu: f64, s: f64| {
        -0.5 * ((y - mu) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
    };
    let want = -0.5 * (0.5f64 - -1.0).powi(2)
        + [2.0, 3.0, 4.0].iter().map(|&y| normal(y, 0.5, 10.0)).sum::<f64>();
    assert!((lp - want).abs() < 1e-12, "{lp} vs {want}");
    let err = m.log_density(&[2000.0], &mut ws).unwrap_err();
    assert_eq!(err.message(), "X is [[1.5,1.5],[1.5,1.5]] and av is [[1,2],[3,4]]");
    let o = outputs(&m, &[0.5]);
    let ints: Vec<f64> = ["big", "small", "a", "total", "most", "least", "half"]
        .iter()
        .map(|n| get(&o, n))
        .collect();
    assert_eq!(ints, [4.0, -4.0, 3.0, 9.0, 7.0, -2.0, 2.0]);
    assert_eq!(get(&o, "long_sum"), 1000.0);
}

tilde::model! {
    /// Functions of reals applied elementwise to containers, with scalars broadcast.
    pub struct VectorisedFunctions;

    data {
        vector[3] v;
        vector[3] w;
        array[3] int k;
        array[3] real a;
        matrix[2, 2] M;
        array[2] vector[2] av;
        array[2, 2] int ai;
    }
    parameters {
        vector[3] z;
        matrix[2, 2] W;
    }
    model {
        target += -0.5 * dot_self(z) + sum(pow(exp(z), 0.5)) * 0.01 + sum(fmax(z, w)) * 0.01;
        target += -0.5 * sum(pow(W, 2)) + 0.1 * sum(hypot(W, M));
    }
    generated quantities {
        vector[3] squares = pow(v, 2);
        vector[3] larger = fmax(v, w);
        vector[3] fused = fma(v, 2, w);
        array[3] real down = floor(a);
        array[3] real choose = lchoose(k, 2);
        vector[3] tens = log10(w);
        row_vector[3] hyp = hypot(transpose(v), 4);
        matrix[2, 2] mp = pow(M, 2);
        matrix[2, 2] mx = fmax(M, M * 0 + 1.5);
        array[2] vector[2] ea = exp(av);
        array[2, 2] real fl = sqrt(ai);
    }
}

#[test]
fn functions_of_reals_apply_elementwise_to_containers() {
    let data = r#"{"v": [1.5, -2, 3], "w": [1, 10, 100], "k": [2, 3, 5],
        "a": [1.5, -2, 3], "M": [[1, -2], [3, 0.5]], "av": [[0, 1], [2, -1]],
        "ai": [[4, 9], [16, 25]]}"#;
    let m = VectorisedFunctions::from_json_str(data).unwrap();
    let o = outputs(&m, &[0.1, 0.2, 0.3, 0.5, -0.5, 1.0, 2.0]);
    let vec3 =
        |name: &str| -> Vec<f64> { (1..=3).map(|i| get(&o, &format!("{name}[{i}]"))).collect() };
    assert_eq!(vec3("squares"), [2.25, 4.0, 9.0]);
    assert_eq!(vec3("larger"), [1.5, 10.0, 100.0]);
    assert_eq!(vec3("fused"), [4.0, 6.0, 106.0]);
    assert_eq!(vec3("down"), [1.0, -2.0, 3.0]);
    let choose = vec3("choose");
    for (c, want) in choose.iter().zip([1.0f64, 3.0, 10.0]) {
        assert!((c - want.ln()).abs() < 1e-12, "{c} vs ln {want}");
    }
    assert_eq!(vec3("tens"), [0.0, 1.0, 2.0]);
    assert_eq!(vec3("hyp"), [(1.5f64 * 1.5 + 16.0).sqrt(), (4.0f64 + 16.0).sqrt(), 5.0]);
    use tilde::gradient::fast_gradients_agree_with_dual;
    assert_eq!(
        fast_gradients_agree_with_dual(&m, &[0.1, 20.0, -0.3, 0.5, -0.5, 1.0, 2.0]),
        Ok(true)
    );
    let two = |name: &str| -> Vec<f64> {
        let at = |i: usize, j: usize| get(&o, &format!("{name}[{i},{j}]"));
        vec![at(1, 1), at(1, 2), at(2, 1), at(2, 2)]
    };
    assert_eq!(two("mp"), [1.0, 4.0, 9.0, 0.25]);
    assert_eq!(two("mx"), [1.5, 1.5, 3.0, 1.5]);
    assert_eq!(two("ea"), [1.0, 1f64.exp(), 2f64.exp(), (-1f64).exp()]);
    assert_eq!(two("fl"), [2.0, 3.0, 4.0, 5.0]);
}

tilde::model! {
    /// Rows and columns picked out of two-level containers, in expressions.
    pub struct TwoLevelParts;

    data {
        matrix[3, 3] M;
        array[3] vector[2] av;
        array[3, 2] int ai;
        array[2] int idx;
    }
    parameters {
        matrix[3, 2] W;
    }
    model {
        to_vector(W) ~ normal(0, 1);
        target += 0.1 * sum(W[2:3, 1]) + 0.2 * sum(to_vector(W[idx])) + 0.3 * sum(W[:, 2]);
    }
    generated quantities {
        vector[2] col_part = M[2:3, 1];
        vector[2] col_multi = M[idx, 3];
        matrix[2, 3] rows = M[2:];
        matrix[2, 2] block = M[idx, 1:2];
        matrix[3, 2] cols = M[:, 2:3];
        array[2] vector[2] arows = av[1:2];
        array[3] real acol = av[:, 2];
        array[2] int icol = ai[2:3, 2];
        array[2, 2] int irows = ai[idx];
        real elem = M[2, 3];
        row_vector[2] row_part = M[1, 2:3];
    }
}

#[test]
fn parts_of_two_level_containers() {
    let data = r#"{"M": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "av": [[1, 2], [3, 4], [5, 6]],
        "ai": [[1, 2], [3, 4], [5, 6]], "idx": [3, 1]}"#;
    let m = TwoLevelParts::from_json_str(data).unwrap();
    let o = outputs(&m, &[0.0; 6]);
    let v = |name: &str, n: usize| -> Vec<f64> {
        (1..=n).map(|i| get(&o, &format!("{name}[{i}]"))).collect()
    };
    let mat = |name: &str, r: usize, c: usize| -> Vec<f64> {
        (1..=r)
            .flat_map(|i| (1..=c).map(move |j| (i, j)))
            .map(|(i, j)| get(&o, &format!("{name}[{i},{j}]")))
            .collect()
    };
    assert_eq!(v("col_part", 2), [4.0, 7.0]);
    assert_eq!(v("col_multi", 2), [9.0, 3.0]);
    assert_eq!(mat("rows", 2, 3), [4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    assert_eq!(mat("block", 2, 2), [7.0, 8.0, 1.0, 2.0]);
    assert_eq!(mat("cols", 3, 2), [2.0, 3.0, 5.0, 6.0, 8.0, 9.0]);
    assert_eq!(mat("arows", 2, 2), [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(v("acol", 3), [2.0, 4.0, 6.0]);
    assert_eq!(v("icol", 2), [4.0, 6.0]);
    assert_eq!(mat("irows", 2, 2), [5.0, 6.0, 1.0, 2.0]);
    assert_eq!(get(&o, "elem"), 6.0);
    assert_eq!(v("row_part", 2), [2.0, 3.0]);
    use tilde::gradient::fast_gradients_agree_with_dual;
    let x = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6];
    assert_eq!(fast_gradients_agree_with_dual(&m, &x), Ok(true));
    // An index out of range names the variable and the dimension.
    let bad = TwoLevelParts::from_json_str(&data.replace("[3, 1]", "[4, 1]")).unwrap();
    let mut ws = bad.new_workspace::<f64>();
    let err = bad.log_density(&x, &mut ws).unwrap_err();
    assert_eq!(err.message(), "row index 4 out of range for `W`, which has 3 rows");
}
