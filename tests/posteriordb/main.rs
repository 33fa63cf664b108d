//! The posteriordb suite: each test samples one posterior with Stan's default settings and
//! fixed seeds, and compares every reference mean (see `harness.rs`). The tests themselves are
//! declared with the list of posteriors in `suite.rs`.
//!
//! The data come from posteriordb's folder, found through `POSTERIORDB` or at
//! `../shared/posteriordb` beside the repository.

mod harness;
mod models;
mod suite;

use harness::compare;

/// The suite must be able to fail: the same posterior written without the log Jacobian of the
/// positive transform of `tau` is a different distribution, and the comparison must see it.
#[test]
fn eight_schools_without_jacobian_is_detected() {
    let db = harness::db();
    let model = models::EightSchoolsNoJacobian::new(&db.data("eight_schools").unwrap()).unwrap();
    let report =
        compare("eight_schools-eight_schools_noncentered", &model, &suite::stan_defaults());
    println!("{report}");
    assert!(!report.failures().is_empty(), "dropping the Jacobian went unnoticed:\n{report}");
}

/// The reverse-mode gradient, which the sampler uses from dimension 5 up, against the dual
/// numbers on every posterior of the suite.
#[test]
fn reverse_gradients_match_dual_numbers_on_every_posterior() {
    let db = harness::db();
    let failures: Vec<String> = suite::POSTERIORS.iter().flat_map(|p| (p.gradients)(&db)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
