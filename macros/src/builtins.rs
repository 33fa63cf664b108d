//! The library that `model!` knows: distributions and functions with their signatures.
//!
//! Contract: every name this module accepts has a runtime counterpart that code generation
//! calls. Adding a function here without one would surface as a rustc error inside generated
//! code, which Tilde promises never to produce.

use crate::ir::{Elementwise, Reduction};

/// A distribution family: whether its outcome is discrete, its parameters' names (a name
/// starting with `#` is an int parameter, such as binomial's number of trials), whether the
/// runtime has its `_rng`, and whether it has `_lcdf` and `_lccdf` (and `_cdf`, unless
/// [`has_only_log_cdfs`]).
pub struct DistSig {
    pub discrete: bool,
    pub params: &'static [&'static str],
    pub rng: bool,
    pub cdfs: bool,
    /// For a multivariate family, the shape of the outcome and of each parameter; `None` for
    /// the families whose arguments are each a real or a container of reals.
    pub shapes: Option<&'static [Shape]>,
}

/// What a multivariate family's argument must be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// A `real`.
    Real,
    /// A `vector` or `row_vector`, or an array of them (one outcome per element).
    Vectors,
    /// A `matrix`.
    Matrix,
    /// A `vector`.
    Vector,
    /// A real or a container of reals (one term per element, scalars broadcast).
    Reals,
    /// An int or an array of ints.
    Ints,
}

/// The multivariate families whose arguments have shapes: outcome first, then parameters.
const SHAPES: &[(&str, &[Shape])] = &[
    ("multi_normal", &[Shape::Vectors, Shape::Vectors, Shape::Matrix]),
    ("multi_normal_cholesky", &[Shape::Vectors, Shape::Vectors, Shape::Matrix]),
    ("lkj_corr", &[Shape::Matrix, Shape::Real]),
    ("lkj_corr_cholesky", &[Shape::Matrix, Shape::Real]),
    ("normal_id_glm", &[Shape::Reals, Shape::Matrix, Shape::Reals, Shape::Vector, Shape::Reals]),
    ("bernoulli_logit_glm", &[Shape::Ints, Shape::Matrix, Shape::Reals, Shape::Vector]),
    ("poisson_log_glm", &[Shape::Ints, Shape::Matrix, Shape::Reals, Shape::Vector]),
    ("ordered_logistic", &[Shape::Ints, Shape::Reals, Shape::Vectors]),
    ("ordered_probit", &[Shape::Ints, Shape::Reals, Shape::Vectors]),
    ("multinomial", &[Shape::Ints, Shape::Vector]),
    ("multi_normal_prec", &[Shape::Vectors, Shape::Vectors, Shape::Matrix]),
    ("multi_student_t", &[Shape::Vectors, Shape::Real, Shape::Vectors, Shape::Matrix]),
    ("multi_student_t_cholesky", &[Shape::Vectors, Shape::Real, Shape::Vectors, Shape::Matrix]),
    ("wishart", &[Shape::Matrix, Shape::Real, Shape::Matrix]),
    ("inv_wishart", &[Shape::Matrix, Shape::Real, Shape::Matrix]),
];

impl DistSig {
    /// The parameter names as Stan writes them.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.params.iter().map(|p| p.trim_start_matches('#')).collect()
    }

    /// Whether parameter `k` is an int.
    pub fn int_param(&self, k: usize) -> bool {
        self.params[k].starts_with('#')
    }
}

/// The families Tilde compiles: name, discrete, parameters, `_rng`, CDFs.
const DISTRIBUTIONS: &[(&str, bool, &[&str], bool, bool)] = &[
    ("normal", false, &["mu", "sigma"], true, true),
    ("std_normal", false, &[], true, true),
    ("cauchy", false, &["mu", "sigma"], true, true),
    ("student_t", false, &["nu", "mu", "sigma"], true, true),
    ("double_exponential", false, &["mu", "sigma"], true, true),
    ("logistic", false, &["mu", "sigma"], true, true),
    ("lognormal", false, &["mu", "sigma"], true, true),
    ("exponential", false, &["beta"], true, true),
    ("gamma", false, &["alpha", "beta"], true, true),
    ("inv_gamma", false, &["alpha", "beta"], true, true),
    ("chi_square", false, &["nu"], true, true),
    ("inv_chi_square", false, &["nu"], true, true),
    ("scaled_inv_chi_square", false, &["nu", "s"], true, true),
    ("weibull", false, &["alpha", "sigma"], true, true),
    ("frechet", false, &["alpha", "sigma"], true, true),
    ("pareto", false, &["y_min", "alpha"], true, true),
    ("beta", false, &["alpha", "beta"], true, true),
    ("beta_proportion", false, &["mu", "kappa"], true, true),
    ("uniform", false, &["alpha", "beta"], true, true),
    ("von_mises", false, &["mu", "kappa"], true, true),
    ("gumbel", false, &["mu", "beta"], true, true),
    ("skew_normal", false, &["xi", "omega", "alpha"], true, false),
    ("exp_mod_normal", false, &["mu", "sigma", "lambda"], true, true),
    ("dirichlet", false, &["alpha"], false, false),
    ("multi_normal", false, &["mu", "Sigma"], false, false),
    ("multi_normal_cholesky", false, &["mu", "L"], false, false),
    ("multi_normal_prec", false, &["mu", "Omega"], false, false),
    ("multi_student_t", false, &["nu", "mu", "Sigma"], false, false),
    ("multi_student_t_cholesky", false, &["nu", "mu", "L"], false, false),
    ("wishart", false, &["nu", "Sigma"], false, false),
    ("inv_wishart", false, &["nu", "Sigma"], false, false),
    ("lkj_corr", false, &["eta"], false, false),
    ("lkj_corr_cholesky", false, &["eta"], false, false),
    ("normal_id_glm", false, &["x", "alpha", "beta", "sigma"], false, false),
    ("poisson", true, &["lambda"], true, true),
    ("poisson_log", true, &["alpha"], true, false),
    ("bernoulli", true, &["theta"], true, true),
    ("bernoulli_logit", true, &["alpha"], true, false),
    ("binomial", true, &["#N", "theta"], true, true),
    ("binomial_logit", true, &["#N", "alpha"], true, false),
    ("beta_binomial", true, &["#N", "alpha", "beta"], true, true),
    ("neg_binomial", true, &["alpha", "beta"], true, true),
    ("neg_binomial_2", true, &["mu", "phi"], true, true),
    ("neg_binomial_2_log", true, &["eta", "phi"], true, false),
    ("categorical", true, &["theta"], false, false),
    ("categorical_logit", true, &["beta"], false, false),
    ("ordered_logistic", true, &["eta", "c"], false, false),
    ("ordered_probit", true, &["eta", "c"], false, false),
    ("multinomial", true, &["theta"], false, false),
    ("bernoulli_logit_glm", true, &["x", "alpha", "beta"], false, false),
    ("poisson_log_glm", true, &["x", "alpha", "beta"], false, false),
];

pub fn distribution(family: &str) -> Option<DistSig> {
    DISTRIBUTIONS.iter().find(|(name, ..)| *name == family).map(
        |&(_, discrete, params, rng, cdfs)| DistSig {
            discrete,
            params,
            rng,
            cdfs,
            shapes: SHAPES.iter().find(|(name, _)| *name == family).map(|(_, s)| *s),
        },
    )
}

/// The families with `_lcdf` and `_lccdf` but, as in Stan, no `_cdf`.
const WITHOUT_PLAIN_CDF: &[&str] = &["beta_proportion"];

/// Whether `family` has `_lcdf` and `_lccdf` but no `_cdf`, for the message that says so.
pub fn has_only_log_cdfs(family: &str) -> bool {
    WITHOUT_PLAIN_CDF.contains(&family)
}

/// The families that have `_lcdf` and `_lccdf` (and, but for [`has_only_log_cdfs`], `_cdf`),
/// for messages.
pub fn distributions_with_cdfs() -> impl Iterator<Item = &'static str> {
    DISTRIBUTIONS.iter().filter(|d| d.4).map(|(name, ..)| *name)
}

/// The names of every distribution family, for the documentation test.
#[cfg(test)]
pub fn distribution_names() -> impl Iterator<Item = &'static str> {
    DISTRIBUTIONS.iter().map(|(name, ..)| *name)
}

/// What a function name denotes.
pub enum Builtin {
    Constant(f64),
    Elementwise(Elementwise),
    Reduce(Reduction),
    Density {
        family: String,
        propto: bool,
    },
    Rng {
        family: String,
    },
    /// A real function of a fixed number of scalar arguments, in the runtime's `math` module.
    ScalarFn {
        runtime: &'static str,
        arity: usize,
    },
    /// `transpose` of a vector or row vector.
    Transpose,
    /// `_cdf`, `_lcdf` or `_lccdf` of a family.
    Cdf {
        family: String,
        which: &'static str,
    },
    Size(&'static str),
    Rep(&'static str),
    /// A matrix function; checking picks the runtime function from the argument types.
    Matrix(&'static str),
    /// The `_rng` of a multivariate or ordinal family, by Stan's name; checked like a matrix
    /// function (its signature picks the result type) and placed like any `_rng`.
    MultiRng(&'static str),
}

/// The `_rng` functions of the multivariate and ordinal families, whose arguments or results
/// are vectors and matrices (see `check::rng_function` for their signatures).
const MULTI_RNGS: &[&str] = &[
    "categorical_rng",
    "categorical_logit_rng",
    "ordered_logistic_rng",
    "ordered_probit_rng",
    "multinomial_rng",
    "dirichlet_rng",
    "multi_normal_rng",
    "multi_normal_cholesky_rng",
    "multi_student_t_rng",
    "lkj_corr_rng",
    "lkj_corr_cholesky_rng",
    "wishart_rng",
    "inv_wishart_rng",
];

/// The matrix functions, by Stan's name.
const MATRIX_FUNCTIONS: &[&str] = &[
    "cholesky_decompose",
    "gp_exp_quad_cov",
    "cov_exp_quad",
    "add_diag",
    "diag_matrix",
    "diagonal",
    "diag_pre_multiply",
    "diag_post_multiply",
    "identity_matrix",
    "rep_matrix",
    "crossprod",
    "tcrossprod",
    "multiply_lower_tri_self_transpose",
    "mdivide_left_tri_low",
    "mdivide_right_tri_low",
    "inverse",
    "mdivide_left",
    "mdivide_right",
    "mdivide_left_spd",
    "mdivide_right_spd",
    "log_determinant",
    "to_vector",
    "to_matrix",
    "softmax",
    "log_softmax",
    "rows_dot_product",
    "columns_dot_product",
    "columns_dot_self",
    "cumulative_sum",
    "append_row",
    "append_col",
    "head",
    "tail",
    "segment",
    "quad_form",
    "quad_form_sym",
    "quad_form_diag",
];

const METHODS: &[&str] =
    &["exp", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "square"];

const MATH: &[&str] = &[
    "inv_logit",
    "logit",
    "log_inv_logit",
    "log1m_inv_logit",
    "log1m",
    "log1p_exp",
    "log1m_exp",
    "lgamma",
    "digamma",
    "Phi",
    "Phi_approx",
    "inv",
    "inv_sqrt",
    "inv_square",
    "erf",
    "erfc",
    "cbrt",
];

/// Real functions of several scalars: Stan's name, the runtime's name, the number of arguments.
const SCALAR_FUNCTIONS: &[(&str, &str, usize)] = &[
    ("fmax", "fmax", 2),
    ("fmin", "fmin", 2),
    ("pow", "pow", 2),
    ("hypot", "hypot", 2),
    ("fdim", "fdim", 2),
    ("lbeta", "lbeta", 2),
    ("lchoose", "lchoose", 2),
    ("binomial_coefficient_log", "binomial_coefficient_log", 2),
    ("log_diff_exp", "log_diff_exp", 2),
    ("multiply_log", "multiply_log", 2),
    ("lmultiply", "lmultiply", 2),
    ("log_mix", "log_mix", 3),
    ("fma", "fma", 3),
    ("inv_Phi", "inv_Phi", 1),
    ("trigamma", "trigamma", 1),
    ("floor", "floor", 1),
    ("ceil", "ceil", 1),
    ("round", "round", 1),
    ("trunc", "trunc", 1),
    ("exp2", "exp2", 1),
];

/// The builtin for `name` called with `nargs` arguments, where the arity decides (Stan's
/// `log10()` is a constant and `log10(x)` a function; `max(a, b)` is scalar, `max(v)` a
/// reduction).
pub fn lookup_with_arity(name: &str, nargs: usize) -> Option<Builtin> {
    match (name, nargs) {
        ("log10" | "log2", 1) => {
            let runtime = if name == "log10" { "log10" } else { "log2" };
            return Some(Builtin::ScalarFn { runtime, arity: 1 });
        }
        ("max" | "min", 2) => {
            let runtime = if name == "max" { "fmax" } else { "fmin" };
            return Some(Builtin::ScalarFn { runtime, arity: 2 });
        }
        ("log_sum_exp", 2) => return Some(Builtin::ScalarFn { runtime: "log_sum_exp", arity: 2 }),
        _ => {}
    }
    if let Some(&(_, runtime, arity)) = SCALAR_FUNCTIONS.iter().find(|(n, ..)| *n == name) {
        return Some(Builtin::ScalarFn { runtime, arity });
    }
    if name == "transpose" {
        return Some(Builtin::Transpose);
    }
    if let Some(m) = MATRIX_FUNCTIONS.iter().find(|m| **m == name) {
        return Some(Builtin::Matrix(m));
    }
    if let Some(r) = MULTI_RNGS.iter().find(|r| **r == name) {
        return Some(Builtin::MultiRng(r));
    }
    lookup(name)
}

pub fn lookup(name: &str) -> Option<Builtin> {
    let constant = match name {
        "pi" => Some(std::f64::consts::PI),
        "e" => Some(std::f64::consts::E),
        "sqrt2" => Some(std::f64::consts::SQRT_2),
        "log2" => Some(std::f64::consts::LN_2),
        "log10" => Some(std::f64::consts::LN_10),
        "not_a_number" => Some(f64::NAN),
        "positive_infinity" => Some(f64::INFINITY),
        "negative_infinity" => Some(f64::NEG_INFINITY),
        "machine_precision" => Some(f64::EPSILON),
        _ => None,
    };
    if let Some(v) = constant {
        return Some(Builtin::Constant(v));
    }
    if name == "log" {
        return Some(Builtin::Elementwise(Elementwise::Method("ln")));
    }
    if name == "log1p" {
        return Some(Builtin::Elementwise(Elementwise::Method("ln_1p")));
    }
    if name == "expm1" {
        return Some(Builtin::Elementwise(Elementwise::Method("exp_m1")));
    }
    if name == "fabs" || name == "abs" {
        return Some(Builtin::Elementwise(Elementwise::Method("abs")));
    }
    if let Some(m) = METHODS.iter().find(|m| **m == name) {
        return Some(Builtin::Elementwise(Elementwise::Method(m)));
    }
    if let Some(m) = MATH.iter().find(|m| **m == name) {
        return Some(Builtin::Elementwise(Elementwise::Math(m)));
    }
    let reduction = match name {
        "sum" => Some(Reduction::Sum),
        "prod" => Some(Reduction::Prod),
        "mean" => Some(Reduction::Mean),
        "sd" => Some(Reduction::Sd),
        "variance" => Some(Reduction::Variance),
        "log_sum_exp" => Some(Reduction::LogSumExp),
        "dot_product" => Some(Reduction::DotProduct),
        "dot_self" => Some(Reduction::DotSelf),
        "max" => Some(Reduction::Max),
        "min" => Some(Reduction::Min),
        _ => None,
    };
    if let Some(r) = reduction {
        return Some(Builtin::Reduce(r));
    }
    match name {
        "size" | "num_elements" | "rows" | "cols" | "dims" => {
            let which = match name {
                "size" => "size",
                "dims" => "dims",
                "num_elements" => "num_elements",
                "rows" => "rows",
                _ => "cols",
            };
            return Some(Builtin::Size(which));
        }
        "rep_vector" => return Some(Builtin::Rep("rep_vector")),
        "rep_row_vector" => return Some(Builtin::Rep("rep_row_vector")),
        "rep_array" => return Some(Builtin::Rep("rep_array")),
        _ => {}
    }
    for (suffix, propto) in [("_lpdf", false), ("_lpmf", false), ("_lupdf", true), ("_lupmf", true)]
    {
        if let Some(family) = name.strip_suffix(suffix)
            && distribution(family).is_some()
        {
            return Some(Builtin::Density { family: family.to_string(), propto });
        }
    }
    if let Some(family) = name.strip_suffix("_rng")
        && distribution(family).is_some_and(|d| d.rng)
    {
        return Some(Builtin::Rng { family: family.to_string() });
    }
    for which in ["lcdf", "lccdf", "cdf"] {
        if let Some(family) = name.strip_suffix(which).and_then(|f| f.strip_suffix('_'))
            && distribution(family).is_some_and(|d| d.cdfs)
            && !(which == "cdf" && has_only_log_cdfs(family))
        {
            return Some(Builtin::Cdf { family: family.to_string(), which });
        }
    }
    None
}

/// Stan's ODE solvers: the name, the runtime function that implements it, and whether it
/// takes the tolerance arguments.
const ODE_SOLVERS: &[(&str, &str, bool)] = &[
    ("ode_rk45", "ode_rk45", false),
    ("ode_rk45_tol", "ode_rk45", true),
    ("ode_bdf", "ode_bdf", false),
    ("ode_bdf_tol", "ode_bdf", true),
];

/// The ODE solver called `name`: its runtime function and whether it takes tolerances.
pub fn ode_solver(name: &str) -> Option<(&'static str, bool)> {
    ODE_SOLVERS.iter().find(|(n, ..)| *n == name).map(|&(_, runtime, tol)| (runtime, tol))
}

/// Functions of Stan's library that Tilde does not have yet. A call of one is reported as
/// unsupported before its arguments are checked: several take a function's name, which would
/// otherwise be reported as an undeclared variable.
const NOT_YET: &[&str] = &[
    "ode_adams",
    "ode_adams_tol",
    "ode_ckrk",
    "ode_ckrk_tol",
    "ode_adjoint_tol_ctl",
    "integrate_ode_rk45",
    "integrate_ode_bdf",
    "integrate_ode_adams",
    "dae",
    "dae_tol",
    "integrate_1d",
    "algebra_solver",
    "algebra_solver_newton",
    "solve_newton",
    "solve_newton_tol",
    "solve_powell",
    "solve_powell_tol",
    "map_rect",
    "reduce_sum",
    "reduce_sum_static",
    "matrix_exp",
    "matrix_exp_multiply",
    "scale_matrix_exp_multiply",
    "matrix_power",
    "eigenvalues_sym",
    "eigenvectors_sym",
    "eigendecompose_sym",
    "eigenvalues",
    "eigenvectors",
    "eigendecompose",
    "qr_Q",
    "qr_R",
    "qr_thin_Q",
    "qr_thin_R",
    "qr",
    "qr_thin",
    "svd_U",
    "svd_V",
    "svd",
    "singular_values",
    "generalized_inverse",
    "multi_student_t_cholesky_rng",
    "to_complex",
    "get_real",
    "get_imag",
    "fft",
    "inv_fft",
    "fft2",
    "inv_fft2",
];

/// Whether `name` is a function of Stan's library that Tilde does not have yet.
pub fn is_not_yet_supported(name: &str) -> bool {
    NOT_YET.contains(&name)
}

/// Words that Stan reserves and that cannot name a variable.
pub fn is_reserved(name: &str) -> bool {
    matches!(
        name,
        "for"
            | "in"
            | "while"
            | "repeat"
            | "until"
            | "if"
            | "then"
            | "else"
            | "true"
            | "false"
            | "target"
            | "functions"
            | "model"
            | "data"
            | "parameters"
            | "quantities"
            | "transformed"
            | "generated"
            | "return"
            | "break"
            | "continue"
            | "void"
            | "int"
            | "real"
            | "complex"
            | "vector"
            | "row_vector"
            | "matrix"
            | "array"
            | "simplex"
            | "ordered"
            | "positive_ordered"
            | "unit_vector"
            | "sum_to_zero_vector"
            | "cholesky_factor_corr"
            | "cholesky_factor_cov"
            | "corr_matrix"
            | "cov_matrix"
            | "print"
            | "reject"
            | "fatal_error"
            | "profile"
            | "tuple"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn functions_not_yet_supported_are_not_builtins() {
        for name in NOT_YET {
            for arity in 0..10 {
                assert!(lookup_with_arity(name, arity).is_none(), "{name}/{arity}");
            }
            assert!(ode_solver(name).is_none(), "{name}");
        }
    }

    use super::*;

    /// The README's language reference lists every distribution family the checker accepts,
    /// and no other.
    #[test]
    fn readme_lists_exactly_the_supported_distributions() {
        let readme = include_str!("../../README.md");
        let start = readme.find("- **Distributions**").expect("the README lists distributions");
        let end = start + readme[start..].find("\n- **Functions**").expect("functions follow");
        let listed: Vec<String> = readme[start..end]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| distribution(w).is_some())
            .map(String::from)
            .collect();
        for name in distribution_names() {
            assert!(listed.iter().any(|l| l == name), "README does not list `{name}`");
        }
        let section = &readme[start..end];
        assert!(!section.contains("gaussian_dlm"), "README lists a family the checker rejects");
    }

    /// The README's sentence on CDFs names, among the families with `_rng` (the univariate
    /// ones), exactly those the checker gives no `_cdf`, `_lcdf` and `_lccdf`, and those with
    /// only the log forms.
    #[test]
    fn readme_names_the_families_without_cdfs() {
        let readme = include_str!("../../README.md");
        let start = readme.find("`_cdf`, `_lcdf` and `_lccdf`\n  exist").expect("the sentence");
        let end = start + readme[start..].find("\n- **").expect("a next item");
        let named: Vec<&str> = readme[start..end]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| distribution(w).is_some())
            .collect();
        for &(name, _, _, rng, cdfs) in DISTRIBUTIONS {
            let partial = !cdfs || has_only_log_cdfs(name);
            if rng && partial {
                assert!(named.contains(&name), "README does not say that `{name}` lacks CDFs");
            }
            if named.contains(&name) {
                assert!(partial, "README says that `{name}` lacks CDFs, but it has them");
            }
        }
    }

    /// The README's list of functions names every matrix function the checker accepts.
    #[test]
    fn readme_lists_the_matrix_functions() {
        let readme = include_str!("../../README.md");
        let start =
            readme.find("\n- **Functions**: elementwise").expect("the README lists functions");
        let section = &readme[start..];
        for name in MATRIX_FUNCTIONS {
            assert!(section.contains(&format!("`{name}`")), "README does not list `{name}`");
        }
    }

    /// The README's language reference names every `_rng` of the multivariate and ordinal
    /// families.
    #[test]
    fn readme_lists_the_multivariate_rngs() {
        let readme = include_str!("../../README.md");
        let start = readme.find("- **Distributions**").expect("the README lists distributions");
        let end = start + readme[start..].find("\n- **Functions**").expect("functions follow");
        for name in MULTI_RNGS {
            assert!(readme[start..end].contains(&format!("`{name}`")), "README lacks `{name}`");
        }
    }

    /// The README's language reference names every ODE solver.
    #[test]
    fn readme_lists_the_ode_solvers() {
        let readme = include_str!("../../README.md");
        let start = readme.find("- **ODE solvers**").expect("the README lists ODE solvers");
        let end = start + readme[start..].find("\n- **").unwrap_or(readme.len() - start);
        for (name, ..) in ODE_SOLVERS {
            assert!(readme[start..end].contains(&format!("`{name}(")), "README lacks `{name}`");
        }
    }
}
