//! The posteriordb reference reader against the summaries posteriordb ships with its draws.

use tilde_runtime::reference::{ParamStats, PosteriorDb, PosteriorEntry};

const NONCENTERED: &str = "eight_schools-eight_schools_noncentered";
const CENTERED: &str = "eight_schools-eight_schools_centered";

fn db() -> PosteriorDb {
    PosteriorDb::locate().unwrap_or_else(|e| panic!("{e}"))
}

fn entry(db: &PosteriorDb, name: &str) -> PosteriorEntry {
    let index = db.index().unwrap();
    index.into_iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} not indexed"))
}

fn all_params(db: &PosteriorDb, name: &str) -> Vec<ParamStats> {
    let entry = entry(db, name);
    let params: Vec<&str> = entry.param_names.iter().map(String::as_str).collect();
    db.reference_draws(name, &params).unwrap()
}

#[test]
fn index_lists_every_posterior_with_its_parameters() {
    let index = db().index().unwrap();
    assert_eq!(index.len(), 47);
    assert_eq!(index.iter().filter(|e| !e.has_draws).count(), 1);
    let eight = index.iter().find(|e| e.name == NONCENTERED).unwrap();
    assert_eq!(eight.data_name, "eight_schools");
    assert_eq!(eight.model_name, "eight_schools_noncentered");
    let names: Vec<&str> = eight.param_names.iter().map(String::as_str).collect();
    assert_eq!(names[..2], ["theta[1]", "theta[2]"]);
    assert_eq!(names[8..], ["mu", "tau"]);
}

#[test]
fn streamed_eight_schools_means_match_mean_value_json() {
    let db = db();
    let stats = all_params(&db, NONCENTERED);
    let means = db.reference_means(NONCENTERED).unwrap();
    assert_eq!(stats.len(), means.len());
    for (s, (name, mean, _, sd)) in stats.iter().zip(&means) {
        assert_eq!(&s.name, name);
        assert_eq!(s.n, 10_000);
        assert!((s.mean - mean).abs() < 1e-10, "{name}: {} vs {mean}", s.mean);
        // The files' sd = sqrt(E[x^2] - E[x]^2) divides by n, ours by n - 1; and
        // mean_squared_value.json rounds E[x^2] to 7 significant digits.
        let ours = s.sd * s.sd * 9_999.0 / 10_000.0;
        let mean_square = sd * sd + mean * mean;
        let rounding = 5e-7 * mean_square;
        assert!((ours - sd * sd).abs() < rounding, "{name}: var {ours} vs {}", sd * sd);
    }
}

/// The MCSE from the lag-1 autocorrelation against posteriordb's `mcse_mean`, for every
/// posterior with draws. Measured: the ratio lies in [0.966, 1.006]. Ours is never much
/// larger, which suggests that posteriordb's ESS is capped at the number of draws whereas
/// Stan's (and ours) exceeds it when the lag-1 autocorrelation is negative.
#[test]
fn mcse_agrees_with_posteriordb_within_20_percent() {
    let db = db();
    for entry in db.index().unwrap().iter().filter(|e| e.has_draws) {
        let stats = all_params(&db, &entry.name);
        let means = db.reference_means(&entry.name).unwrap();
        for s in &stats {
            let (_, _, mcse, _) = means.iter().find(|m| m.0 == s.name).unwrap();
            let ratio = s.mcse / mcse;
            assert!((0.8..1.2).contains(&ratio), "{} {}: ratio {ratio}", entry.name, s.name);
        }
    }
}

#[test]
fn centered_reference_reads_the_member_named_after_the_noncentered_one() {
    let db = db();
    assert_eq!(all_params(&db, CENTERED), all_params(&db, NONCENTERED));
}

#[test]
fn results_follow_the_order_asked() {
    let stats = db().reference_draws(NONCENTERED, &["tau", "theta[3]", "mu"]).unwrap();
    let names: Vec<&str> = stats.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["tau", "theta[3]", "mu"]);
    assert!(stats[0].mean > 0.0 && stats[0].sd > 0.0);
}

#[test]
fn an_absent_parameter_is_named() {
    let db = db();
    let err = db.reference_draws(NONCENTERED, &["mu", "theta_trans[1]"]).unwrap_err();
    assert!(err.ends_with("parameter `theta_trans[1]` is not in the draws"), "{err}");
    assert!(err.contains(&format!("{NONCENTERED}.json.zip")), "{err}");
}

#[test]
fn mcycle_has_reference_means_but_no_draws() {
    let db = db();
    let name = "mcycle_gp-accel_gp";
    let entry = entry(&db, name);
    assert!(!entry.has_draws);
    let means = db.reference_means(name).unwrap();
    let names: Vec<&String> = means.iter().map(|m| &m.0).collect();
    assert_eq!(names, entry.param_names.iter().collect::<Vec<_>>());
    assert!(means.iter().all(|(_, mean, mcse, sd)| mean.is_finite() && *mcse > 0.0 && *sd > 0.0));
    let err = db.reference_draws(name, &["sigma"]).unwrap_err();
    assert!(err.contains(&format!("{name}.json.zip")), "{err}");
}

#[test]
fn a_missing_posterior_names_the_file() {
    let err = db().reference_means("no_such-posterior").unwrap_err();
    assert!(err.contains("no_such-posterior.mean_value.json"), "{err}");
}
