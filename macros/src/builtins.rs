//! The library that `model!` knows: distributions and functions with their signatures.
//!
//! Contract: every name this module accepts has a runtime counterpart that code generation
//! calls. Adding a function here without one would surface as a rustc error inside generated
//! code, which Tilde promises never to produce.

use crate::ir::{Elementwise, Reduction};

/// A distribution family: whether its outcome is discrete, and its parameters' names.
pub struct DistSig {
    pub discrete: bool,
    pub params: &'static [&'static str],
}

/// The families Tilde compiles, with their parameters in Stan's order.
const DISTRIBUTIONS: &[(&str, bool, &[&str])] = &[
    ("normal", false, &["mu", "sigma"]),
    ("std_normal", false, &[]),
    ("cauchy", false, &["mu", "sigma"]),
    ("student_t", false, &["nu", "mu", "sigma"]),
    ("double_exponential", false, &["mu", "sigma"]),
    ("logistic", false, &["mu", "sigma"]),
    ("lognormal", false, &["mu", "sigma"]),
    ("exponential", false, &["beta"]),
    ("gamma", false, &["alpha", "beta"]),
    ("inv_gamma", false, &["alpha", "beta"]),
    ("beta", false, &["alpha", "beta"]),
    ("uniform", false, &["alpha", "beta"]),
    ("poisson", true, &["lambda"]),
    ("poisson_log", true, &["alpha"]),
    ("bernoulli", true, &["theta"]),
    ("bernoulli_logit", true, &["alpha"]),
    ("binomial", true, &["N", "theta"]),
    ("binomial_logit", true, &["N", "alpha"]),
    ("neg_binomial_2", true, &["mu", "phi"]),
    ("neg_binomial_2_log", true, &["eta", "phi"]),
];

pub fn distribution(family: &str) -> Option<DistSig> {
    DISTRIBUTIONS
        .iter()
        .find(|(name, _, _)| *name == family)
        .map(|&(_, discrete, params)| DistSig { discrete, params })
}

/// What a function name denotes.
pub enum Builtin {
    Constant(f64),
    Elementwise(Elementwise),
    Reduce(Reduction),
    Density { family: String, propto: bool },
    Rng { family: String },
    Size(&'static str),
    Rep(&'static str),
}

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
        "size" | "num_elements" | "rows" | "cols" => {
            let which = match name {
                "size" => "size",
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
        && distribution(family).is_some()
    {
        return Some(Builtin::Rng { family: family.to_string() });
    }
    None
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
