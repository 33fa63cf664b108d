//! The output writers on a small fit assembled by hand, so that every value is known: the
//! CmdStan CSV layout line by line, the JSON round trip, whole-variable draws, and plots.

use std::path::PathBuf;
use std::time::Duration;
use tilde_runtime::fit::{ChainFit, Fit, RunConfig, SamplerStats, WarmupChain};
use tilde_runtime::nuts::Transition;

/// A fresh, empty directory for one test's files.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tilde-output-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stats(n: usize, offset: f64) -> SamplerStats {
    let mut s = SamplerStats::with_capacity(n);
    for i in 0..n {
        s.push(&Transition {
            lp: -1.5 - i as f64 - offset,
            accept_stat: 0.25,
            step_size: 0.5,
            depth: 2,
            n_leapfrog: 3,
            divergent: i == 1,
            energy: 2.0 + offset,
        });
    }
    s
}

/// Two chains of three draws of `mu`, `z[1,1]`, `z[2,1]`, `z[1,2]`, `z[2,2]` (a 2x2 matrix,
/// column-major) and `y_rep`, with two saved warm-up iterations.
fn fit() -> Fit {
    let names: Vec<String> = ["mu", "z[1,1]", "z[2,1]", "z[1,2]", "z[2,2]", "y_rep"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let shapes = vec![
        ("mu".to_string(), vec![]),
        ("z".to_string(), vec![2, 2]),
        ("y_rep".to_string(), vec![]),
    ];
    let chain = |c: f64| ChainFit {
        // Output v, draw d of chain c holds 100 c + 10 v + d.
        draws: (0..6)
            .flat_map(|v| (0..3).map(move |d| 100.0 * c + 10.0 * v as f64 + d as f64))
            .collect(),
        stats: stats(3, c),
        step_size: 0.5,
        inv_metric: vec![1.25, 0.75],
        gradient_evaluations: 10,
        warmup_time: Duration::from_millis(1500),
        sampling_time: Duration::from_millis(250),
        rejections: Default::default(),
    };
    let warmup = |c: f64| WarmupChain {
        draws: (0..6).flat_map(|v| (0..2).map(move |d| -(c + v as f64 + d as f64))).collect(),
        stats: stats(2, 10.0 + c),
    };
    let config = RunConfig {
        model: "test_model".into(),
        num_warmup: 2,
        num_samples: 3,
        save_warmup: true,
        seed: 42,
        adapt_delta: 0.9,
        ..RunConfig::defaults(2, 3, 10)
    };
    Fit::new(names, shapes, 10, vec![chain(1.0), chain(2.0)])
        .unwrap()
        .with_config(config)
        .with_warmup(vec![warmup(1.0), warmup(2.0)])
        .unwrap()
}

#[test]
fn csv_has_cmdstans_layout() {
    let dir = scratch_dir("csv");
    let paths = fit().write_csv(dir.join("run")).unwrap();
    assert_eq!(paths, vec![dir.join("run_1.csv"), dir.join("run_2.csv")]);
    let text = std::fs::read_to_string(&paths[1]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "# stan_version_major = 2",
        "# model = test_model",
        "# method = sample (Default)",
        "#     num_samples = 3",
        "#     num_warmup = 2",
        "#     save_warmup = true",
        "#     thin = 1 (Default)",
        "#       engaged = true (Default)",
        "#       delta = 0.9",
        "#       gamma = 0.05 (Default)",
        "#             max_depth = 10 (Default)",
        "#         metric = diag_e (Default)",
        "#     num_chains = 2",
        "# id = 2",
        "#   seed = 42",
        "#   file = run_2.csv",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{text}");
    }
    let header = lines.iter().position(|l| !l.starts_with('#')).unwrap();
    assert_eq!(
        lines[header],
        "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,\
         mu,z.1.1,z.2.1,z.1.2,z.2.2,y_rep"
    );
    // Two warm-up rows, then the adaptation block, then three draws, then the timing.
    assert_eq!(lines[header + 1], "-13.5,0.25,0.5,2,3,0,14,-2,-3,-4,-5,-6,-7");
    assert_eq!(lines[header + 2], "-14.5,0.25,0.5,2,3,1,14,-3,-4,-5,-6,-7,-8");
    assert_eq!(
        lines[header + 3..header + 7],
        [
            "# Adaptation terminated",
            "# Step size = 0.5",
            "# Diagonal elements of inverse mass matrix:",
            "# 1.25, 0.75",
        ]
    );
    assert_eq!(lines[header + 7], "-3.5,0.25,0.5,2,3,0,4,200,210,220,230,240,250");
    assert_eq!(lines[header + 8], "-4.5,0.25,0.5,2,3,1,4,201,211,221,231,241,251");
    assert_eq!(lines[header + 9], "-5.5,0.25,0.5,2,3,0,4,202,212,222,232,242,252");
    assert_eq!(
        lines[header + 10..],
        [
            "# ",
            "#  Elapsed Time: 1.500 seconds (Warm-up)",
            "#                0.250 seconds (Sampling)",
            "#                1.750 seconds (Total)",
            "# ",
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn csv_without_adapted_metric_says_unit_metric() {
    let dir = scratch_dir("unit");
    let config = RunConfig { adapt_metric: false, ..fit().config().clone() };
    let paths = fit().with_config(config).write_csv(dir.join("u")).unwrap();
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(text.contains("#         metric = unit_e\n"), "{text}");
    assert!(text.contains("# Step size = 0.5\n# No free parameters for unit metric\n"), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn writing_into_a_missing_folder_names_the_file() {
    let dir = scratch_dir("missing").join("no-such-folder");
    let err = fit().write_csv(dir.join("run")).unwrap_err().to_string();
    let path = dir.join("run_1.csv").display().to_string();
    assert!(err.starts_with(&format!("{path}: ")), "{err}");
    let err = fit().write_json(dir.join("draws.json")).unwrap_err().to_string();
    assert!(err.starts_with(&dir.join("draws.json").display().to_string()), "{err}");
    let err = fit().plot_trace(dir.join("t.svg"), &["mu"]).unwrap_err().to_string();
    assert!(err.starts_with(&dir.join("t.svg").display().to_string()), "{err}");
}

#[test]
fn json_round_trips() {
    let dir = scratch_dir("json");
    let f = fit();
    let path = dir.join("draws.json");
    f.write_json(&path).unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), 7 + f.names().len());
    for name in f.names() {
        let chains: Vec<Vec<f64>> = serde_json::from_value(object[name.as_str()].clone()).unwrap();
        let expected: Vec<Vec<f64>> =
            f.chain_draws(name).unwrap().iter().map(|c| c.to_vec()).collect();
        assert_eq!(chains, expected, "{name}");
    }
    assert_eq!(object["divergent__"], serde_json::json!([[0, 1, 0], [0, 1, 0]]));
    assert_eq!(object["lp__"], serde_json::json!([[-2.5, -3.5, -4.5], [-3.5, -4.5, -5.5]]));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn json_writes_non_finite_values_as_stan_does() {
    let names = vec!["a".to_string()];
    let mut s = SamplerStats::with_capacity(3);
    for _ in 0..3 {
        s.push(&Transition::default());
    }
    let chain = ChainFit {
        draws: vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
        stats: s,
        step_size: 1.0,
        inv_metric: vec![1.0],
        gradient_evaluations: 0,
        warmup_time: Duration::ZERO,
        sampling_time: Duration::ZERO,
        rejections: Default::default(),
    };
    let f = Fit::new(names, vec![("a".into(), vec![])], 10, vec![chain]).unwrap();
    assert!(f.to_json().contains("\"a\": [[\"NaN\", \"Inf\", \"-Inf\"]]"), "{}", f.to_json());
}

#[test]
fn whole_variables_with_their_shape() {
    let f = fit();
    let (dims, values) = f.draws_shaped("z").unwrap();
    assert_eq!(dims, vec![2, 2]);
    // Draw 0 of chain 1: z[1,1], z[2,1], z[1,2], z[2,2] are outputs 1 to 4.
    assert_eq!(values[..4], [110.0, 120.0, 130.0, 140.0]);
    // Draw 1 of chain 2 is draw 4 overall.
    assert_eq!(values[16..20], [211.0, 221.0, 231.0, 241.0]);
    assert_eq!(values.len(), 4 * 6);
    let (dims, values) = f.draws_shaped("mu").unwrap();
    assert!(dims.is_empty());
    assert_eq!(values, vec![100.0, 101.0, 102.0, 200.0, 201.0, 202.0]);
    assert!(f.draws_shaped("z[1,1]").is_none());
    assert!(f.draws_shaped("nothing").is_none());
}

#[test]
fn warmup_draws_are_kept_apart() {
    let f = fit();
    assert_eq!(f.num_warmup_draws(), 2);
    assert_eq!(f.warmup_draws("mu").unwrap(), vec![-1.0, -2.0, -2.0, -3.0]);
    assert_eq!(f.draws("mu").unwrap().len(), 6);
    assert!(f.warmup_draws("nothing").is_none());
    let err = f.clone().with_warmup(vec![WarmupChain::default()]).unwrap_err();
    assert_eq!(err.to_string(), "warm-up draws of 1 chains were given for a fit of 2 chains");
}

#[test]
fn plots_are_written() {
    let dir = scratch_dir("plot");
    let f = fit();
    let trace = dir.join("trace.svg");
    f.plot_trace(&trace, &["mu", "z"]).unwrap();
    let svg = std::fs::read_to_string(&trace).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
    // One row per output: mu and the four elements of z, each with a trace and a density.
    for title in ["mu (trace)", "mu (density)", "z[2,1] (trace)", "z[2,2] (density)"] {
        assert!(svg.contains(title), "no {title} in the plot");
    }
    assert!(!svg.contains("y_rep"));
    let density = dir.join("density.svg");
    f.plot_density(&density, &["y_rep"]).unwrap();
    let svg = std::fs::read_to_string(&density).unwrap();
    assert!(svg.contains("y_rep (density)") && !svg.contains("(trace)"));
    let err = f.plot_trace(dir.join("bad.svg"), &["sigma"]).unwrap_err().to_string();
    assert!(err.ends_with("cannot plot `sigma`: the fit has no output of that name"), "{err}");
    assert!(!dir.join("bad.svg").exists());
    std::fs::remove_dir_all(dir).unwrap();
}
