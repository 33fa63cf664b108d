//! The summary table: its layout, and when each warning appears and what it says.

use tilde_runtime::diagnostics;
use tilde_runtime::summary::{SamplerFacts, Summary, SummaryRow};

fn row(name: &str, stats: [f64; 9]) -> SummaryRow {
    let [mean, mcse, sd, q5, q50, q95, ess_bulk, ess_tail, rhat] = stats;
    SummaryRow { name: name.into(), mean, mcse, sd, q5, q50, q95, ess_bulk, ess_tail, rhat }
}

/// A healthy row: nothing in it should trigger a warning with four chains.
fn good(name: &str) -> SummaryRow {
    row(name, [0.0, 0.01, 1.0, -1.6, 0.0, 1.6, 3000.0, 2800.0, 1.002])
}

fn healthy_facts() -> SamplerFacts {
    SamplerFacts {
        chains: 4,
        draws_per_chain: 1000,
        divergent_per_chain: vec![0; 4],
        max_depth: 10,
        max_depth_hits_per_chain: vec![0; 4],
        ebfmi_per_chain: vec![1.1, 0.9, 1.0, 0.8],
        rejections: Default::default(),
    }
}

fn warnings_with(rows: Vec<SummaryRow>, facts: &SamplerFacts) -> Vec<String> {
    Summary::new(rows, facts).warnings
}

#[test]
fn table_is_aligned_under_stansummary_headers() {
    let rows = vec![
        row(
            "lp__",
            [-7.2761, 0.018234, 0.75071, -8.8423, -6.9951, -6.7503, 1783.4, 2011.2, 1.0012],
        ),
        row(
            "theta",
            [0.25143, 0.0028661, 0.12134, 0.079031, 0.23651, 0.46238, 1687.0, 1950.0, 1.0023],
        ),
    ];
    let text = Summary::new(rows, &healthy_facts()).to_string();
    let expected = "\
4 chains of 1000 draws each (4000 in total)

         Mean      MCSE  StdDev       5%     50%     95%  ESS_bulk  ESS_tail  R_hat
lp__   -7.276   0.01823  0.7507   -8.842  -6.995  -6.750      1783      2011  1.001
theta  0.2514  0.002866  0.1213  0.07903  0.2365  0.4624      1687      1950  1.002
";
    assert_eq!(text, expected);
}

#[test]
fn nan_and_extreme_values_keep_the_columns_aligned() {
    let rows = vec![
        row("x", [f64::NAN, f64::NAN, 0.0, 1.0, 1.0, 1.0, f64::NAN, f64::NAN, f64::NAN]),
        row("big[1,2]", [123456.7, 0.000012345, 98765.4, -1.0, 2.0, 3.0, 12.4, 9.6, 1.23456]),
    ];
    let text = Summary::new(rows, &SamplerFacts::default()).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "             Mean      MCSE  StdDev      5%    50%    95%  ESS_bulk  ESS_tail  R_hat",
            "x             NaN       NaN       0   1.000  1.000  1.000       NaN       NaN    NaN",
            "big[1,2]  1.235e5  1.234e-5   98765  -1.000  2.000  3.000        12        10  1.235",
        ]
    );
    // Every line of the table has the same width, so right edges line up.
    assert!(lines[..3].iter().all(|l| l.len() == lines[0].len()), "{text}");
}

#[test]
fn a_healthy_run_has_no_warnings() {
    let summary = Summary::new(vec![good("mu"), good("tau")], &healthy_facts());
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    assert!(!summary.to_string().contains("Warning"));
}

#[test]
fn divergences_are_counted_per_chain_and_in_total() {
    let facts = SamplerFacts { divergent_per_chain: vec![3, 9, 0, 0], ..healthy_facts() };
    let warnings = warnings_with(vec![good("mu")], &facts);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with(
            "12 of 4000 transitions (0.3%) ended with a divergence \
             (chain 1: 3, chain 2: 9, chain 3: 0, chain 4: 0). "
        ),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("adapt_delta") && warnings[0].contains("reparameterise"));
}

#[test]
fn one_divergence_in_one_chain_is_reported_without_a_chain_list() {
    let facts = SamplerFacts {
        chains: 1,
        draws_per_chain: 1000,
        divergent_per_chain: vec![1],
        max_depth_hits_per_chain: vec![0],
        ebfmi_per_chain: vec![1.0],
        ..healthy_facts()
    };
    let rows = vec![row("mu", [0.0, 0.02, 1.0, -1.6, 0.0, 1.6, 900.0, 800.0, 1.0])];
    let warnings = warnings_with(rows, &facts);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("1 of 1000 transitions (0.1%) ended with a divergence. "));
}

#[test]
fn tree_depth_warning_names_the_limit_the_sampler_used() {
    let facts = SamplerFacts {
        max_depth: 12,
        max_depth_hits_per_chain: vec![0, 0, 5, 0],
        ..healthy_facts()
    };
    let warnings = warnings_with(vec![good("mu")], &facts);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with(
            "5 of 4000 transitions (0.12%) reached the maximum tree depth of 12 \
             (chain 1: 0, chain 2: 0, chain 3: 5, chain 4: 0). "
        ),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("max_depth"));
}

#[test]
fn low_ebfmi_names_only_the_chains_below_the_threshold() {
    let facts = SamplerFacts { ebfmi_per_chain: vec![0.5, 0.21, 0.3, 0.29], ..healthy_facts() };
    let warnings = warnings_with(vec![good("mu")], &facts);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .starts_with("E-BFMI is below 0.3 in 2 of 4 chains (chain 2: 0.21, chain 4: 0.29). "),
        "{}",
        warnings[0]
    );
}

#[test]
fn rhat_warning_names_the_worst_variables_first() {
    let mut a = good("a");
    a.rhat = 1.05;
    let mut b = good("b");
    b.rhat = 1.2;
    let mut at_limit = good("c");
    at_limit.rhat = 1.01;
    let mut constant = good("d");
    constant.rhat = f64::NAN;
    let warnings = warnings_with(vec![a, at_limit, b, constant], &healthy_facts());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .starts_with("R-hat is above 1.01 for 2 variables (worst first: b 1.200, a 1.050). "),
        "{}",
        warnings[0]
    );
}

#[test]
fn rhat_warning_shortens_long_lists() {
    let rows: Vec<SummaryRow> = (1..=7)
        .map(|i| {
            let mut r = good(&format!("theta[{i}]"));
            r.rhat = 1.0 + 0.01 * i as f64 + 0.001;
            r
        })
        .collect();
    let warnings = warnings_with(rows, &healthy_facts());
    assert!(
        warnings[0].starts_with(
            "R-hat is above 1.01 for 7 variables (worst first: theta[7] 1.071, theta[6] 1.061, \
             theta[5] 1.051, theta[4] 1.041, theta[3] 1.031, and 2 more). "
        ),
        "{}",
        warnings[0]
    );
}

#[test]
fn ess_warnings_use_100_per_chain() {
    let mut bulk = good("mu");
    bulk.ess_bulk = 399.4;
    let mut tail = good("sigma");
    tail.ess_tail = 120.0;
    let mut enough = good("tau");
    enough.ess_bulk = 400.0;
    enough.ess_tail = 400.0;
    let warnings = warnings_with(vec![bulk, tail, enough], &healthy_facts());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "Bulk ESS is below 100 per chain (400 in total) for 1 variable (mu 399). "
        ),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("means and medians"));
    assert!(
        warnings[1].starts_with(
            "Tail ESS is below 100 per chain (400 in total) for 1 variable (sigma 120). "
        ),
        "{}",
        warnings[1]
    );
    assert!(warnings[1].contains("5% and 95% quantiles"));
}

#[test]
fn warnings_follow_the_table() {
    let facts = SamplerFacts { divergent_per_chain: vec![1, 0, 0, 0], ..healthy_facts() };
    let text = Summary::new(vec![good("mu")], &facts).to_string();
    let table_end = text.find("mu ").unwrap();
    let warning = text.find("\nWarning: 1 of 4000 transitions (0.03%)").expect(&text);
    assert!(warning > table_end);
}

#[test]
fn select_expands_variables_to_their_elements() {
    let rows =
        vec![good("lp__"), good("theta[1]"), good("theta[2]"), good("theta_raw"), good("mu")];
    let summary = Summary::new(rows, &healthy_facts());
    let names = |s: &Summary| s.rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&summary.select(&["mu", "theta"])), ["mu", "theta[1]", "theta[2]"]);
    assert_eq!(names(&summary.select(&["theta[2]"])), ["theta[2]"]);
    assert!(summary.select(&["sigma"]).rows.is_empty());
    assert_eq!(summary.row("theta[1]").map(|r| r.name.as_str()), Some("theta[1]"));
    assert!(summary.row("theta").is_none());
}

#[test]
fn select_keeps_sampler_warnings_and_recomputes_variable_warnings() {
    let mut bad = good("tau");
    bad.rhat = 1.1;
    let facts = SamplerFacts { divergent_per_chain: vec![2, 0, 0, 0], ..healthy_facts() };
    let summary = Summary::new(vec![good("mu"), bad], &facts);
    assert_eq!(summary.warnings.len(), 2);
    let selected = summary.select(&["mu"]);
    assert_eq!(selected.warnings.len(), 1);
    assert!(selected.warnings[0].contains("divergence"));
}

#[test]
fn computed_row_uses_the_diagnostics() {
    let chains: Vec<Vec<f64>> =
        (0..4).map(|c| (0..200).map(|i| ((i * 37 + c * 11) % 101) as f64).collect()).collect();
    let slices: Vec<&[f64]> = chains.iter().map(Vec::as_slice).collect();
    let r = SummaryRow::compute("x", &slices);
    assert_eq!(r.name, "x");
    assert_eq!(r.mean, diagnostics::mean(&slices));
    assert_eq!(r.q5, diagnostics::quantile(&slices, 0.05));
    assert_eq!(r.q95, diagnostics::quantile(&slices, 0.95));
    assert_eq!(r.ess_tail, diagnostics::ess_tail(&slices));
    assert_eq!(r.rhat, diagnostics::rhat(&slices));
    assert!(r.q5 < r.q50 && r.q50 < r.q95);
}
