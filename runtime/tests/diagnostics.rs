//! Diagnostics against ArviZ's values on committed draws (made by
//! `scripts/make_diagnostics_fixtures.py`), and the edge cases Stan users run into.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde_json::Value;
use tilde_runtime::diagnostics::{
    ebfmi, ess_bulk, ess_mean, ess_tail, mcse_mean, mean, quantile, rhat, sd,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diagnostics");

/// The computations are deterministic; only FFT and normal-quantile rounding separate us.
const RELATIVE: f64 = 1e-8;

struct Fixture {
    name: String,
    chains: Vec<Vec<f64>>,
    energy: Vec<Vec<f64>>,
    json: Value,
}

impl Fixture {
    fn chains(&self) -> Vec<&[f64]> {
        self.chains.iter().map(Vec::as_slice).collect()
    }

    fn arviz(&self, key: &str) -> f64 {
        self.json["arviz"][key].as_f64().unwrap_or(f64::NAN)
    }

    fn is_constant(&self) -> bool {
        self.chains.iter().flatten().all(|&v| v == self.chains[0][0])
    }
}

fn matrix(value: &Value) -> Vec<Vec<f64>> {
    let rows = value.as_array().expect("a list of chains");
    rows.iter()
        .map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect())
        .collect()
}

fn fixtures() -> Vec<Fixture> {
    let mut paths: Vec<_> = std::fs::read_dir(FIXTURES)
        .expect("fixture directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 6, "expected the committed fixtures in {FIXTURES}");
    paths
        .into_iter()
        .map(|path| {
            let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .expect("fixture JSON");
            Fixture {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                chains: matrix(&json["chains"]),
                energy: matrix(&json["energy"]),
                json,
            }
        })
        .collect()
}

fn assert_close(what: &str, fixture: &str, actual: f64, expected: f64) {
    if expected.is_nan() {
        assert!(actual.is_nan(), "{fixture}: {what} = {actual}, ArviZ NaN");
        return;
    }
    let error = (actual - expected).abs() / expected.abs().max(1e-300);
    assert!(
        error < RELATIVE,
        "{fixture}: {what} = {actual}, ArviZ {expected} (relative error {error:e})"
    );
}

#[test]
fn rhat_matches_arviz() {
    for f in fixtures() {
        let expected = match f.json.get("rhat_one_chain") {
            Some(v) => v.as_f64().unwrap(),
            None => f.arviz("rhat"),
        };
        assert_close("rhat", &f.name, rhat(&f.chains()), expected);
    }
}

#[test]
fn ess_matches_arviz_except_on_constant_draws() {
    for f in fixtures().iter().filter(|f| !f.is_constant()) {
        let chains = f.chains();
        assert_close("ess_bulk", &f.name, ess_bulk(&chains), f.arviz("ess_bulk"));
        assert_close("ess_tail", &f.name, ess_tail(&chains), f.arviz("ess_tail"));
        assert_close("ess_mean", &f.name, ess_mean(&chains), f.arviz("ess_mean"));
        assert_close("mcse_mean", &f.name, mcse_mean(&chains), f.arviz("mcse_mean"));
    }
}

#[test]
fn constant_draws_give_nan_where_arviz_counts_draws() {
    let f = fixtures().into_iter().find(|f| f.is_constant()).expect("a constant fixture");
    // ArviZ reports the number of draws; `posterior` reports NA, which is what we follow.
    assert_eq!(f.arviz("ess_bulk"), 400.0);
    let chains = f.chains();
    for (what, value) in [
        ("rhat", rhat(&chains)),
        ("ess_bulk", ess_bulk(&chains)),
        ("ess_tail", ess_tail(&chains)),
        ("ess_mean", ess_mean(&chains)),
        ("mcse_mean", mcse_mean(&chains)),
    ] {
        assert!(value.is_nan(), "{what} of constant draws = {value}");
    }
}

#[test]
fn mean_sd_and_quantiles_match_numpy() {
    for f in fixtures() {
        let chains = f.chains();
        assert_close("mean", &f.name, mean(&chains), f.arviz("mean"));
        assert_close("sd", &f.name, sd(&chains), f.arviz("sd"));
        for pair in f.json["arviz"]["quantiles"].as_array().unwrap() {
            let (p, q) = (pair[0].as_f64().unwrap(), pair[1].as_f64().unwrap());
            assert_close(&format!("quantile {p}"), &f.name, quantile(&chains, p), q);
        }
    }
}

#[test]
fn ebfmi_matches_arviz() {
    for f in fixtures() {
        for (energy, expected) in f.energy.iter().zip(f.json["ebfmi"].as_array().unwrap()) {
            assert_close("ebfmi", &f.name, ebfmi(energy), expected.as_f64().unwrap());
        }
    }
}

fn normal_chains(seed: u64, chains: usize, draws: usize) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..chains).map(|_| (0..draws).map(|_| StandardNormal.sample(&mut rng)).collect()).collect()
}

fn slices(chains: &[Vec<f64>]) -> Vec<&[f64]> {
    chains.iter().map(Vec::as_slice).collect()
}

#[test]
fn all_equal_draws_give_nan_rhat_and_ess() {
    let chains = vec![vec![1.0; 1000]; 4];
    let chains = slices(&chains);
    assert!(rhat(&chains).is_nan());
    assert!(ess_bulk(&chains).is_nan());
    assert!(ess_tail(&chains).is_nan());
}

#[test]
fn one_chain_of_iid_draws_has_ess_near_its_length() {
    let chains = normal_chains(1, 1, 1000);
    let chains = slices(&chains);
    // For iid draws the ESS estimator's relative sd is roughly 5-10% at this length.
    for (what, ess) in [("bulk", ess_bulk(&chains)), ("tail", ess_tail(&chains))] {
        assert!(ess.is_finite() && (700.0..1300.0).contains(&ess), "ess_{what} = {ess}");
    }
    assert!(rhat(&chains).is_finite());
}

#[test]
fn a_nan_draw_makes_rhat_and_ess_nan() {
    let mut chains = normal_chains(2, 4, 1000);
    chains[2][517] = f64::NAN;
    let chains = slices(&chains);
    for value in [rhat(&chains), ess_bulk(&chains), ess_tail(&chains), ess_mean(&chains)] {
        assert!(value.is_nan(), "{value}");
    }
}

#[test]
fn iid_chains_have_rhat_near_one_and_full_bulk_ess() {
    let chains = normal_chains(3, 4, 1000);
    let chains = slices(&chains);
    let r = rhat(&chains);
    assert!((r - 1.0).abs() < 0.01, "rhat = {r}");
    let ess = ess_bulk(&chains);
    assert!((ess - 4000.0).abs() < 0.15 * 4000.0, "ess_bulk = {ess}");
}

#[test]
fn malformed_input_gives_nan_without_panicking() {
    let ragged: [&[f64]; 2] = [&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0]];
    let short: [&[f64]; 2] = [&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]];
    let empty: [&[f64]; 0] = [];
    for chains in [&ragged[..], &short[..], &empty[..]] {
        assert!(rhat(chains).is_nan());
        assert!(ess_bulk(chains).is_nan());
        assert!(ess_tail(chains).is_nan());
        assert!(mcse_mean(chains).is_nan());
    }
    assert!(mean(&empty).is_nan() && sd(&empty).is_nan() && quantile(&empty, 0.5).is_nan());
}

#[test]
fn chains_stuck_apart_have_large_rhat_and_small_ess() {
    let mut chains = normal_chains(4, 4, 500);
    chains[0].iter_mut().for_each(|v| *v += 5.0);
    let chains = slices(&chains);
    assert!(rhat(&chains) > 1.5);
    assert!(ess_bulk(&chains) < 100.0);
}
