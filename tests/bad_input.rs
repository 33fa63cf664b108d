//! Bad input and hostile models: each ends in a message that says what is wrong and where, never
//! in a panic, a hang or silent nonsense.

use tilde::rejections::Source;
use tilde::sampler::Sampler;

/// A short run: enough to reach sampling, quick enough for many cases.
fn quick() -> Sampler {
    Sampler::new().chains(2).warmup(100).draws(100).seed(1).progress(false)
}

tilde::model! {
    /// A scale that is negative wherever the sampler looks.
    pub struct NegativeScale;

    data {
        real y;
    }
    parameters {
        real<upper=0> s;
    }
    model {
        y ~ normal(0, s);
    }
}

#[test]
fn failed_initialisation_names_the_statement_and_the_argument() {
    let m = NegativeScale::from_json_str(r#"{"y": 1}"#).unwrap();
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(err.starts_with("chain 1: initialization failed"), "{err}");
    assert!(err.contains("after 100 attempts"), "{err}");
    assert!(err.contains("last problem: normal_lpdf: Scale parameter is -"), "{err}");
    assert!(err.contains("but must be positive! (in `y ~ normal(0, s)`, line "), "{err}");
}

tilde::model! {
    /// Rejects a part of the space outright and fails its generated quantity on another part.
    pub struct SometimesRejects;

    parameters {
        real x;
    }
    model {
        x ~ normal(0, 1);
        if (x > 1.5) {
            reject("x is above 1.5");
        }
    }
    generated quantities {
        real<lower=0> g = x;
    }
}

#[test]
fn rejections_are_counted_per_chain_and_shown_under_the_summary() {
    let m = SometimesRejects::from_json_str("{}").unwrap();
    let fit = quick().sample(&m).unwrap();
    for chain in 0..2 {
        let messages = fit.rejections(chain);
        let reject = messages
            .entries()
            .iter()
            .find(|e| e.example.to_string() == "x is above 1.5")
            .unwrap_or_else(|| panic!("chain {chain}: no reject message in {messages}"));
        assert_eq!(reject.source, Source::LogDensity);
        assert!(reject.warmup > 0 && reject.sampling > 0, "{messages}");
        // Every kept draw with a negative x failed its generated quantity, and was counted.
        let negative = fit.chain_draws("x").unwrap()[chain].iter().filter(|x| **x < 0.0).count();
        let gq: Vec<_> =
            messages.entries().iter().filter(|e| e.source == Source::GeneratedQuantities).collect();
        assert_eq!(gq.len(), 1, "{messages}");
        assert!(gq[0].example.to_string().starts_with("g is -"), "{messages}");
        assert!(gq[0].example.to_string().ends_with(", but must be >= 0"), "{messages}");
        assert_eq!(gq[0].sampling, negative as u64, "{messages}");
        assert!(negative > 0);
    }
    let shown = fit.summary().to_string();
    assert!(
        shown.contains("Rejected proposals and failed generated quantities, all chains"),
        "{shown}"
    );
    let all = fit.all_rejections();
    let total: u64 = (0..2).map(|c| fit.rejections(c).entries()[0].sampling).sum();
    assert_eq!(all.entries()[0].sampling, total);
    assert!(shown.contains("generated quantities: g is -"), "{shown}");
}
