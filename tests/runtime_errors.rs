//! Errors at run time name the statement that raised them, whatever its kind and block: the
//! exact texts users see when a run stops or a draw's generated quantities are lost.

mod common;

use tilde::gradient::{GradientEvaluator, Method};
use tilde::rejections::Source;
use tilde::sampler::Sampler;
use tilde::{LogDensity, Model};

/// A short run: enough to reach sampling, quick enough for many cases.
fn quick() -> Sampler {
    Sampler::new().chains(2).warmup(100).draws(100).seed(1).progress(false)
}

/// The line of this file that holds `text`, 1-based, as the messages of `model!` count lines.
fn line_of(text: &str) -> usize {
    common::line_of(include_str!("runtime_errors.rs"), text)
}

/// The error of the log density at unconstrained `x`, by every gradient method: each must stop
/// the run with the same message.
fn fatal_error_at<M: Model>(m: &M, x: &[f64]) -> String {
    let mut messages = Vec::new();
    for method in [Method::Reverse, Method::Forward { width: 4 }, Method::Dual { width: 8 }] {
        let mut eval = GradientEvaluator::with_method(m, method);
        let mut grad = vec![0.0; x.len()];
        let err = eval.logp_and_grad(x, &mut grad).unwrap_err();
        assert!(!err.is_recoverable(), "{method:?}: {err}");
        messages.push(err.to_string());
    }
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:?}");
    messages.swap_remove(0)
}

tilde::model! {
    /// An index, computed from a parameter, that leaves its array far from the origin.
    pub struct IndexInTransformedParameters;

    data {
        array[3] real y;
    }
    parameters {
        real mu;
    }
    transformed parameters {
        int k = mu > 3 ? 4 : 1;
        real picked;
        picked = y[k] + mu;
    }
    model {
        mu ~ normal(0, 1);
    }
}

#[test]
fn an_index_error_in_a_transformed_parameter_names_its_assignment() {
    let m = IndexInTransformedParameters::from_json_str(r#"{"y": [1, 2, 3]}"#).unwrap();
    let line = line_of("picked = y[k] + mu;");
    let want = format!(
        "index 4 out of range for `y`, which has size 3 (in `picked = y[k] + mu`, line {line})"
    );
    assert_eq!(fatal_error_at(&m, &[5.0]), want);
    // Writing the outputs of such a point fails the same way.
    let mut ws = m.new_workspace::<f64>();
    let mut rng = tilde::rng::chain_rng(1, 0, tilde::rng::Stream::Generated);
    let mut out = vec![0.0; m.output_names().len()];
    let err = m.write_outputs(&[5.0], &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(err.to_string(), want);
}

tilde::model! {
    /// A local declaration in the model block whose initial value indexes out of range.
    pub struct IndexInModelDeclaration;

    data {
        int N;
        vector[N] y;
    }
    parameters {
        real mu;
    }
    model {
        int k = mu > 3 ? N + 2 : 1;
        real centre = y[k] * 0.5;
        mu ~ normal(centre, 1);
    }
}

#[test]
fn an_index_error_in_a_local_declaration_names_the_declaration() {
    let m = IndexInModelDeclaration::from_json_str(r#"{"N": 3, "y": [3, 0, 0]}"#).unwrap();
    let line = line_of("real centre = y[k] * 0.5;");
    let want = format!(
        "index 5 out of range for `y`, which has size 3 (in `real centre = y[k] * 0.5`, line \
         {line})"
    );
    assert_eq!(fatal_error_at(&m, &[5.0]), want);
    // A chain meets it soon: `mu` wanders above 3 under a prior centred at `y[1] / 2`.
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(err.ends_with(&want), "{err}");
}

tilde::model! {
    /// A generated quantity that indexes out of range in some draws.
    pub struct IndexInGeneratedQuantities;

    data {
        array[2] int counts;
    }
    parameters {
        real x;
    }
    model {
        x ~ normal(0, 1);
    }
    generated quantities {
        int chosen = 0;
        if (x > 0) {
            for (i in 1:3) {
                chosen += counts[i];
            }
        }
    }
}

#[test]
fn an_index_error_in_generated_quantities_names_the_innermost_statement() {
    let m = IndexInGeneratedQuantities::from_json_str(r#"{"counts": [1, 2]}"#).unwrap();
    let line = line_of("chosen += counts[i];");
    let want = format!(
        "index 3 out of range for `counts`, which has size 2 (in `chosen += counts[i]`, line \
         {line})"
    );
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(err.ends_with(&want), "{err}");
    let mut ws = m.new_workspace::<f64>();
    let mut rng = tilde::rng::chain_rng(1, 0, tilde::rng::Stream::Generated);
    let mut out = vec![0.0; m.output_names().len()];
    let err = m.write_outputs(&[1.0], &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(err.to_string(), want);
    // Below zero nothing fails, and outputs are written.
    m.write_outputs(&[-1.0], &mut ws, &mut rng, true, &mut out).unwrap();
    assert_eq!(out, [-1.0, 0.0]);
}

tilde::model! {
    /// A product of data that overflows an int, in a compound assignment.
    pub struct OverflowInAssignment;

    data {
        int big;
    }
    parameters {
        real x;
    }
    model {
        int total = big * big;
        total *= big;
        x ~ normal(total, 1);
    }
}

#[test]
fn integer_overflow_in_an_assignment_names_it() {
    let m = OverflowInAssignment::from_json_str(r#"{"big": 2000000000}"#).unwrap();
    let line = line_of("total *= big;");
    let err = quick().sample(&m).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "integer overflow in 4000000000000000000 * 2000000000 (in `total *= big`, line {line})"
        )
    );
}

tilde::model! {
    /// A rejection with the user's own message, from the model block.
    pub struct RejectsInTheModel;

    parameters {
        real x;
    }
    model {
        if (x > 10) {
            reject("x is too large: ", x);
        }
        x ~ normal(0, 1);
    }
    generated quantities {
        real y = x;
        if (x < 0) {
            reject("negative x: ", x);
        }
    }
}

#[test]
fn a_rejection_keeps_its_message_and_names_its_statement() {
    let m = RejectsInTheModel::from_json_str("{}").unwrap();
    let model_line = line_of(r#"reject("x is too large: ", x);"#);
    let mut ws = m.new_workspace::<f64>();
    let err = m.log_density_explained(&[12.0], &mut ws).unwrap_err();
    assert!(err.is_recoverable());
    assert_eq!(
        err.to_string(),
        format!("x is too large: 12 (in `reject(\"x is too large: \", x)`, line {model_line})")
    );
    // The log density that sampling evaluates does not spend time naming it.
    let err = m.log_density(&[12.0], &mut ws).unwrap_err();
    assert_eq!(err.to_string(), "x is too large: 12");
    // Rejections in generated quantities are counted with the statement named.
    let gq_line = line_of(r#"reject("negative x: ", x);"#);
    let fit = quick().sample(&m).unwrap();
    let entries = fit.rejections(0);
    let gq: Vec<_> =
        entries.entries().iter().filter(|e| e.source == Source::GeneratedQuantities).collect();
    assert_eq!(gq.len(), 1, "{gq:?}");
    let message = gq[0].example.to_string();
    assert!(message.starts_with("negative x: -"), "{message}");
    assert!(
        message.ends_with(&format!("(in `reject(\"negative x: \", x)`, line {gq_line})")),
        "{message}"
    );
}

tilde::model! {
    /// Sizes given by data and by an expression of it.
    pub struct SizedByAnExpression;

    data {
        int K;
        array[K] real am;
    }
    transformed data {
        vector[K - 3] shorter = rep_vector(0, K - 3);
    }
    parameters {
        real x;
    }
    model {
        x ~ normal(0, 1);
    }
}

#[test]
fn a_negative_size_names_the_expression_that_gave_it() {
    let err = SizedByAnExpression::from_json_str(r#"{"K": -1, "am": []}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`am` is declared with size `K` = -1, but a size must be non-negative"
    );
    let err = SizedByAnExpression::from_json_str(r#"{"K": 2, "am": [1, 2]}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`shorter` is declared with size `K - 3` = -1, but a size must be non-negative"
    );
}
