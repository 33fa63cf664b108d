//! The posteriordb suite: each test samples one posterior with Stan's default settings and
//! fixed seeds, and compares every reference mean (see `harness.rs`).
//!
//! The data come from posteriordb's folder, found through `POSTERIORDB` or at
//! `../shared/posteriordb` beside the repository.

mod harness;
mod models;

use harness::{assert_matches, compare};
use tilde::sampler::Sampler;

/// The committed seed; `TILDE_POSTERIORDB_SEED` overrides it, to check that a pass does not
/// hang on one lucky seed.
fn seed() -> u64 {
    match std::env::var("TILDE_POSTERIORDB_SEED") {
        Ok(s) => s.parse().unwrap_or_else(|_| panic!("TILDE_POSTERIORDB_SEED={s} is not a u64")),
        Err(_) => 20261203,
    }
}

/// Stan's defaults: 4 chains of 1000 warm-up iterations and 1000 draws.
fn stan_defaults() -> Sampler {
    Sampler::new().chains(4).warmup(1000).draws(1000).seed(seed())
}

#[test]
fn eight_schools_eight_schools_noncentered() {
    let db = harness::db();
    let model = models::EightSchoolsNoncentered::new(&db.data("eight_schools").unwrap()).unwrap();
    let report = compare("eight_schools-eight_schools_noncentered", &model, &stan_defaults());
    println!("{report}");
    assert_matches(&report);
}

/// The suite must be able to fail: the same posterior written without the log Jacobian of the
/// positive transform of `tau` is a different distribution, and the comparison must see it.
#[test]
fn eight_schools_without_jacobian_is_detected() {
    let db = harness::db();
    let model = models::EightSchoolsNoJacobian::new(&db.data("eight_schools").unwrap()).unwrap();
    let report = compare("eight_schools-eight_schools_noncentered", &model, &stan_defaults());
    println!("{report}");
    assert!(!report.failures().is_empty(), "dropping the Jacobian went unnoticed:\n{report}");
}
