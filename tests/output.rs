//! Output of a sampled model: generated quantities reproduced by the seed and present in the
//! summary and the CSV, saved warm-up, and the progress switch.

use tilde::sampler::Sampler;

tilde::model! {
    /// A normal mean with a replicated observation.
    pub struct Replicated;

    data {
        int<lower=0> N;
        array[N] real y;
    }
    parameters {
        real mu;
    }
    model {
        mu ~ normal(0, 10);
        y ~ normal(mu, 1);
    }
    generated quantities {
        real y_rep = normal_rng(mu, 1);
    }
}

fn model() -> Replicated {
    Replicated::from_json_str(r#"{"N": 4, "y": [1.5, 2.0, 0.5, 1.0]}"#).unwrap()
}

fn sampler() -> Sampler {
    Sampler::new().chains(2).warmup(200).draws(150).seed(11).progress(false)
}

#[test]
fn generated_quantities_are_reproduced_by_the_seed() {
    let a = sampler().sample(&model()).unwrap();
    let b = sampler().threads(1).sample(&model()).unwrap();
    let y_rep = a.draws("y_rep").unwrap();
    assert_eq!(y_rep.len(), 300);
    assert_eq!(y_rep, b.draws("y_rep").unwrap());
    assert!(y_rep.iter().all(|x| x.is_finite()));
    // y_rep is mu plus independent unit noise, so it is not mu itself, and it spreads wider.
    let mu = a.draws("mu").unwrap();
    assert!(mu.iter().zip(&y_rep).all(|(m, y)| m != y));
    let c = sampler().seed(12).sample(&model()).unwrap();
    assert_ne!(y_rep, c.draws("y_rep").unwrap());
    let summary = a.summary();
    let row = summary.row("y_rep").expect("y_rep in the summary");
    // Posterior of mu: N(1.25, 1/4) roughly; y_rep adds unit variance: sd about 1.1.
    assert!((row.mean - 1.25).abs() < 0.3, "{}", row.mean);
    assert!((row.sd - 1.118).abs() < 0.15, "{}", row.sd);
    assert!(summary.to_string().lines().any(|l| l.starts_with("y_rep ")));
}

#[test]
fn generated_quantities_appear_in_the_csv() {
    let fit = sampler().sample(&model()).unwrap();
    let dir = std::env::temp_dir().join(format!("tilde-output-gq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths = fit.write_csv(dir.join("rep")).unwrap();
    assert_eq!(paths.len(), 2);
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(text.contains("\n# model = Replicated\n"));
    let header = text.lines().find(|l| !l.starts_with('#')).unwrap();
    assert_eq!(
        header,
        "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,y_rep"
    );
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 150);
    let y_rep: Vec<f64> = rows.iter().map(|r| r[8]).collect();
    assert_eq!(y_rep, fit.chain_draws("y_rep").unwrap()[0]);
    let lp: Vec<f64> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(lp, fit.stats(0).lp);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn saved_warmup_is_counted_and_leaves_the_draws_alone() {
    let plain = sampler().sample(&model()).unwrap();
    assert_eq!(plain.num_warmup_draws(), 0);
    assert!(plain.warmup_draws("mu").unwrap().is_empty());
    let fit = sampler().save_warmup(true).sample(&model()).unwrap();
    assert_eq!(fit.num_warmup_draws(), 200);
    assert_eq!(fit.warmup_draws("mu").unwrap().len(), 400);
    assert_eq!(fit.warmup_draws("y_rep").unwrap().len(), 400);
    assert!(fit.warmup_draws("y_rep").unwrap().iter().all(|x| x.is_finite()));
    for w in fit.warmup_chains() {
        assert_eq!(w.stats.len(), 200);
        // The step size moves during warm-up.
        assert!(w.stats.stepsize.iter().any(|&s| s != w.stats.stepsize[199]));
    }
    assert_eq!(fit.draws("mu"), plain.draws("mu"));
    assert_eq!(fit.draws("y_rep"), plain.draws("y_rep"));
    assert!(fit.config().save_warmup);
    let dir = std::env::temp_dir().join(format!("tilde-output-warmup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths = fit.write_csv(dir.join("w")).unwrap();
    let text = std::fs::read_to_string(&paths[1]).unwrap();
    assert!(text.contains("\n#     save_warmup = true\n"));
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("lp__")).unwrap();
    let adaptation = lines.iter().position(|l| *l == "# Adaptation terminated").unwrap();
    assert_eq!(adaptation - header - 1, 200);
    let draws = lines[adaptation..].iter().filter(|l| !l.starts_with('#')).count();
    assert_eq!(draws, 150);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn progress_bar_only_on_a_terminal_and_when_asked() {
    use std::io::IsTerminal;
    assert!(!Sampler::new().progress(false).shows_progress());
    assert_eq!(Sampler::new().shows_progress(), std::io::stderr().is_terminal());
    // With the bar on and stderr not a terminal, sampling runs as usual.
    let fit = sampler().progress(true).sample(&model()).unwrap();
    assert_eq!(fit.num_draws(), 150);
}
