//! Bad input and hostile models: each ends in a message that says what is wrong and where, never
//! in a panic, a hang or silent nonsense.

mod common;

use tilde::Model;
use tilde::data::DataSource;
use tilde::gradient::Method;
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

tilde::model! {
    /// One parameter of each kind of constraint, for initial values on the constrained scale.
    pub struct Constrained;

    data {
        int K;
    }
    parameters {
        real mu;
        real<lower=0> sigma;
        real<lower=mu, upper=mu + 1> inner;
        array[2] real<offset=1, multiplier=2> z;
        simplex[K] theta;
        cov_matrix[2] Sigma;
    }
    model {
        mu ~ normal(0, 1);
        sigma ~ lognormal(0, 1);
        inner ~ normal(mu, 1);
        z ~ normal(1, 2);
        theta ~ dirichlet(rep_vector(2, K));
        Sigma ~ wishart(4, identity_matrix(2));
    }
}

const GOOD_INITS: &str = r#"{
    "mu": 0.5, "sigma": 2, "inner": 1.25, "z": [-1, 3], "theta": [0.2, 0.3, 0.5],
    "Sigma": [[2, 0.5], [0.5, 1]]
}"#;

fn constrained_model() -> Constrained {
    Constrained::from_json_str(r#"{"K": 3}"#).unwrap()
}

#[test]
fn constrained_inits_map_back_to_themselves() {
    let m = constrained_model();
    let free = m.unconstrain(&DataSource::from_json_str(GOOD_INITS).unwrap()).unwrap();
    assert_eq!(free.len(), m.dim());
    let names = m.output_names();
    let mut out = vec![0.0; names.len()];
    let mut ws = m.new_workspace::<f64>();
    let mut rng = tilde::rng::chain_rng(1, 0, tilde::rng::Stream::Generated);
    m.write_outputs(&free, &mut ws, &mut rng, true, &mut out).unwrap();
    let expected = [
        ("mu", 0.5),
        ("sigma", 2.0),
        ("inner", 1.25),
        ("z[1]", -1.0),
        ("z[2]", 3.0),
        ("theta[1]", 0.2),
        ("theta[2]", 0.3),
        ("theta[3]", 0.5),
        ("Sigma[1,1]", 2.0),
        ("Sigma[2,1]", 0.5),
        ("Sigma[1,2]", 0.5),
        ("Sigma[2,2]", 1.0),
    ];
    for (name, want) in expected {
        let i = names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no {name}"));
        assert!((out[i] - want).abs() < 1e-12, "{name}: {} instead of {want}", out[i]);
    }
    let fit = quick().inits(vec![DataSource::from_json_str(GOOD_INITS).unwrap()]).sample(&m);
    assert!(fit.unwrap().config().inits_given);
}

/// The error of sampling with `GOOD_INITS` changed by `edit`.
fn init_error(edit: &[(&str, &str)]) -> String {
    let mut json: serde_json::Value = serde_json::from_str(GOOD_INITS).unwrap();
    for (name, value) in edit {
        match *value {
            "" => json.as_object_mut().unwrap().remove(*name),
            v => json
                .as_object_mut()
                .unwrap()
                .insert(name.to_string(), serde_json::from_str(v).unwrap()),
        };
    }
    let source = DataSource::from_json_str(&json.to_string()).unwrap();
    let err = quick().inits(vec![source]).sample(&constrained_model()).unwrap_err();
    err.to_string()
}

#[test]
fn constrained_inits_that_break_a_constraint_are_named() {
    assert_eq!(init_error(&[("sigma", "-1")]), "initial values: sigma is -1, but must be > 0");
    assert_eq!(init_error(&[("sigma", "0")]), "initial values: sigma is 0, but must be > 0");
    // The bounds of `inner` are mu and mu + 1, computed from the given mu.
    assert_eq!(init_error(&[("inner", "1.5")]), "initial values: inner is 1.5, but must be < 1.5");
    assert_eq!(
        init_error(&[("inner", "0.25")]),
        "initial values: inner is 0.25, but must be > 0.5"
    );
    assert_eq!(
        init_error(&[("z", r#"[1, "NaN"]"#)]),
        "initial values: z[2] is NaN, but must be finite"
    );
    assert_eq!(
        init_error(&[("theta", "[0.2, 0.3, 0.4]")]),
        "initial values: theta: expected a simplex, found elements that sum to 0.9, but must sum \
         to 1"
    );
    let err = init_error(&[("Sigma", "[[1, 2], [2, 1]]")]);
    assert!(err.starts_with("initial values: Sigma: expected a cov_matrix, found "), "{err}");
    assert_eq!(init_error(&[("mu", "")]), "initial values: parameter `mu` is missing");
    assert_eq!(
        init_error(&[("z", "[1, 2, 3]")]),
        "initial values: z: dimension 1 has size 3, expected 2"
    );
}

#[test]
fn inits_per_chain_name_the_chain() {
    let good = DataSource::from_json_str(GOOD_INITS).unwrap();
    let bad =
        DataSource::from_json_str(&GOOD_INITS.replace("\"sigma\": 2", "\"sigma\": -2")).unwrap();
    let m = constrained_model();
    let err = quick().inits(vec![good.clone(), bad]).sample(&m).unwrap_err().to_string();
    assert_eq!(err, "initial values of chain 2: sigma is -2, but must be > 0");
    let err = quick().inits(vec![good.clone(); 3]).sample(&m).unwrap_err().to_string();
    assert_eq!(err, "3 sets of initial values were given for 2 chains; give one or one per chain");
    let err = quick().unconstrained_inits(vec![vec![0.0; 2]]).sample(&m).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "initial values have length 2, but the model has {} unconstrained parameters",
            m.dim()
        )
    );
    let mut nan_second = vec![0.5; m.dim()];
    nan_second[1] = f64::NAN;
    let err = quick().unconstrained_inits(vec![nan_second]).sample(&m).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unconstrained initial values: element 2 is NaN, but must be finite"
    );
}

tilde::model! {
    /// A log density that is NaN everywhere.
    pub struct NanDensity;

    parameters {
        real x;
    }
    model {
        target += not_a_number();
    }
}

tilde::model! {
    /// A log density that is +inf everywhere: not a valid density, never a mode.
    pub struct InfiniteDensity;

    parameters {
        real x;
    }
    model {
        target += positive_infinity();
    }
}

#[test]
fn a_density_that_is_nan_or_infinite_everywhere_fails_initialisation_by_name() {
    let err = quick().sample(&NanDensity::from_json_str("{}").unwrap()).unwrap_err().to_string();
    assert!(
        err.contains("last problem: the log density is nan (in `target += not_a_number()`, line "),
        "{err}"
    );
    let m = InfiniteDensity::from_json_str("{}").unwrap();
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(
        err.contains("last problem: the log density is inf (in `target += positive_infinity()`"),
        "{err}"
    );
}

tilde::model! {
    /// A standard normal whose density is +inf above 1: those points must be rejected, not
    /// taken as an infinitely good mode.
    pub struct InfiniteAboveOne;

    parameters {
        real x;
    }
    model {
        x ~ normal(0, 1);
        if (x > 1) {
            target += positive_infinity();
        }
    }
}

#[test]
fn an_infinite_density_is_a_rejected_proposal_and_counted() {
    let fit = quick().sample(&InfiniteAboveOne::from_json_str("{}").unwrap()).unwrap();
    let x = fit.draws("x").unwrap();
    assert!(x.iter().all(|x| *x <= 1.0), "a draw lies where the density is +inf");
    let all = fit.all_rejections();
    let inf = all
        .entries()
        .iter()
        .find(|e| {
            e.example.to_string() == "the log density is +inf, which is never a valid log density"
        })
        .unwrap_or_else(|| panic!("not counted: {all}"));
    assert!(inf.sampling > 0, "{all}");
}

tilde::model! {
    /// A parameter vector whose size comes from the data.
    pub struct SizedByData;

    data {
        int N;
    }
    parameters {
        vector[N] theta;
    }
    model {
        theta ~ normal(0, 1);
    }
}

tilde::model! {
    /// Transformed data whose size comes from the data.
    pub struct TransformedDataSized;

    data {
        int N;
    }
    transformed data {
        vector[N] z = rep_vector(0, N);
    }
    parameters {
        real x;
    }
    model {
        x ~ normal(0, 1);
    }
}

#[test]
fn huge_sizes_in_the_data_are_errors_not_a_killed_process() {
    let err = SizedByData::from_json_str(r#"{"N": 1000000000000}"#).unwrap_err().to_string();
    assert_eq!(
        err,
        "`theta` is declared with size `N` = 1000000000000, but a size must be at most 2147483647, \
         the largest int of Stan"
    );
    let err =
        TransformedDataSized::from_json_str(r#"{"N": 1000000000000}"#).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "`z` is declared with size `N` = 1000000000000, but a size must be at most"
        ),
        "{err}"
    );
    let err = SizedByData::from_json_str(r#"{"N": -5}"#).unwrap_err().to_string();
    assert_eq!(err, "`theta` is declared with size `N` = -5, but a size must be non-negative");
}

tilde::model! {
    /// Transformed data of legal sizes whose product is more than any machine has.
    pub struct HugeTransformedData;

    data {
        int N;
        int which;
    }
    transformed data {
        real total = 0;
        if (which == 1) {
            matrix[N, N] big;
        } else if (which == 2) {
            total = sum(to_vector(identity_matrix(N)));
        } else if (which == 3) {
            total = sum(to_vector(rep_matrix(1.5, N, N)));
        } else {
            vector[N] a = rep_vector(1, N);
            total = sum(to_vector(a * transpose(a)));
        }
    }
    parameters {
        real x;
    }
    model {
        x ~ normal(total, 1);
    }
}

/// Each size is a legal int, but the container needs about 32 EiB: the process would be killed
/// or abort on allocating it, so it is an error naming the variable or the function.
#[cfg(target_os = "linux")]
#[test]
fn legal_sizes_too_large_for_memory_are_errors_not_a_killed_process() {
    let data = |which: i32| format!(r#"{{"N": 2000000000, "which": {which}}}"#);
    let err = HugeTransformedData::from_json_str(&data(1)).unwrap_err().to_string();
    assert!(err.starts_with("`big` of size 2000000000 x 2000000000 needs "), "{err}");
    assert!(err.contains("GiB of memory is available; check the sizes in the data"), "{err}");
    let err = HugeTransformedData::from_json_str(&data(2)).unwrap_err().to_string();
    assert!(err.starts_with("`identity_matrix` of size 2000000000 x 2000000000 needs"), "{err}");
    let err = HugeTransformedData::from_json_str(&data(3)).unwrap_err().to_string();
    assert!(err.starts_with("`rep_matrix` of size 2000000000 x 2000000000 needs"), "{err}");
    // The vector itself (16 GB) may or may not fit this machine; the outer product cannot.
    let small = HugeTransformedData::from_json_str(r#"{"N": 3, "which": 4}"#).unwrap();
    let mut ws = small.new_workspace::<f64>();
    // The outer product of three ones sums to 9, the mean of `x`.
    assert_eq!(small.log_density(&[9.0], &mut ws).unwrap(), 0.0);
}

tilde::model! {
    /// A recursive function whose recursion ends only for non-negative arguments.
    pub struct Runaway;

    functions {
        real countdown(real n) {
            if (n == 0) {
                return 0;
            }
            return 1 + countdown(n - 1);
        }
    }
    data {
        real start;
    }
    transformed data {
        real depth = countdown(start);
    }
    parameters {
        real x;
    }
    model {
        x ~ normal(depth, 1);
    }
}

#[test]
fn runaway_recursion_is_an_error_naming_the_function_not_a_stack_overflow() {
    let m = Runaway::from_json_str(r#"{"start": 100}"#).unwrap();
    let mut ws = m.new_workspace::<f64>();
    assert_eq!(m.log_density(&[100.0], &mut ws).unwrap(), 0.0);
    let err = Runaway::from_json_str(r#"{"start": -1}"#).unwrap_err().to_string();
    assert!(err.contains("`countdown` called functions too deeply nested"), "{err}");
    assert!(err.contains("check that its recursion ends"), "{err}");
}

/// A run that cannot fit in memory is refused before anything is allocated. The check reads
/// Linux's `/proc/meminfo`; the sizes here need terabytes.
#[cfg(target_os = "linux")]
#[test]
fn a_run_too_large_for_memory_is_refused_up_front() {
    let m = SizedByData::from_json_str(r#"{"N": 2000000000}"#).unwrap();
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(err.starts_with("this run needs about "), "{err}");
    assert!(err.contains("(2 chains of 100 draws of 2000000000 outputs, 2000000000 unconstrained"));
    assert!(err.contains("GiB of memory is available; check the sizes in the data"), "{err}");
    let small = SizedByData::from_json_str(r#"{"N": 1}"#).unwrap();
    let err = quick().draws(1 << 62).sample(&small).unwrap_err().to_string();
    assert!(err.starts_with("this run needs about "), "{err}");
    let err = quick().chains(1 << 40).sample(&small).unwrap_err().to_string();
    assert!(err.contains("(1099511627776 chains of 100 draws"), "{err}");
    // One of each is singular.
    let err = quick().chains(1).draws(1 << 62).sample(&small).unwrap_err().to_string();
    assert!(
        err.contains(
            "(1 chain of 4611686018427387904 draws of 1 output, 1 unconstrained parameter)"
        ),
        "{err}"
    );
}

tilde::model! {
    /// A scale read as data, with a bound.
    pub struct BoundedData;

    data {
        real<lower=0> s;
    }
    parameters {
        real x;
    }
    model {
        x ~ normal(0, s);
    }
}

#[test]
fn nan_in_bounded_data_is_named() {
    let err = BoundedData::from_json_str(r#"{"s": "NaN"}"#).unwrap_err().to_string();
    assert_eq!(err, "s is NaN, but must be >= 0");
    let err = BoundedData::from_json_str("").unwrap_err().to_string();
    assert_eq!(
        err,
        "line 1, column 1: expected `{` opening the data object, found the end of the input"
    );
    // Deep nesting is refused, not a stack overflow.
    let deep = format!(r#"{{"s": 1, "t": {}1{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let err = BoundedData::from_json_str(&deep).unwrap_err().to_string();
    assert!(err.starts_with("line 1, column "), "{err}");
    let err = BoundedData::from_json_file("/nonexistent/data.json").unwrap_err().to_string();
    assert_eq!(err, "/nonexistent/data.json: No such file or directory (os error 2)");
}

tilde::model! {
    /// No parameters at all: only generated quantities, as Stan's `fixed_param` runs them.
    pub struct NoParameters;

    generated quantities {
        real y = normal_rng(0, 1);
    }
}

#[test]
fn a_model_without_parameters_only_generates() {
    let fit = quick().sample(&NoParameters::from_json_str("{}").unwrap()).unwrap();
    let y = fit.draws("y").unwrap();
    assert_eq!(y.len(), 200);
    assert!(y.iter().all(|y| y.is_finite()));
    assert!(y.windows(2).any(|w| w[0] != w[1]), "the draws do not change");
    assert!(fit.lp_chains().iter().all(|c| c.iter().all(|lp| *lp == 0.0)));
}

#[test]
fn zero_draws_or_warmup_run_and_bad_settings_are_named() {
    let m = InfiniteAboveOne::from_json_str("{}").unwrap();
    let fit = quick().draws(0).sample(&m).unwrap();
    assert_eq!(fit.num_draws(), 0);
    assert!(fit.summary().to_string().starts_with("2 chains of 0 draws each (0 in total)"));
    assert_eq!(quick().warmup(0).sample(&m).unwrap().num_draws(), 100);
    let cases = [
        (quick().chains(0), "the number of chains must be at least 1"),
        (quick().max_depth(0), "max_depth must be between 1 and 62, got 0"),
        (quick().max_depth(u32::MAX), "max_depth must be between 1 and 62, got 4294967295"),
        (quick().adapt_delta(1.0), "adapt_delta must be in (0, 1), got 1"),
        (quick().adapt_delta(1.5), "adapt_delta must be in (0, 1), got 1.5"),
        (quick().adapt_delta(f64::NAN), "adapt_delta must be in (0, 1), got NaN"),
        (quick().init_radius(f64::NAN), "init_radius must be finite and >= 0, got NaN"),
        (quick().init_radius(f64::INFINITY), "init_radius must be finite and >= 0, got inf"),
        (quick().threads(0), "the number of threads must be at least 1"),
        (
            quick().gradient(Method::Forward { width: 0 }),
            "the gradient's width must be 4 or 8, got 0",
        ),
        (quick().gradient(Method::Dual { width: 5 }), "the gradient's width must be 4 or 8, got 5"),
    ];
    for (sampler, want) in cases {
        assert_eq!(sampler.sample(&m).unwrap_err().to_string(), want);
    }
    assert!(quick().threads(64).sample(&m).is_ok(), "more threads than chains");
}

#[test]
fn writing_to_a_missing_folder_is_an_error_naming_the_file_and_the_fit_is_kept() {
    let m = InfiniteAboveOne::from_json_str("{}").unwrap();
    let fit = quick().sample(&m).unwrap();
    let err = fit.write_csv("/nonexistent/folder/out").unwrap_err().to_string();
    assert_eq!(err, "/nonexistent/folder/out_1.csv: No such file or directory (os error 2)");
    let err = fit.write_json("/nonexistent/folder/out.json").unwrap_err().to_string();
    assert_eq!(err, "/nonexistent/folder/out.json: No such file or directory (os error 2)");
    assert_eq!(fit.draws("x").unwrap().len(), 200);
    let folder = std::env::temp_dir();
    let err = fit.write_csv(&folder).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: this is a folder", folder.display())), "{err}");
    assert!(err.contains("such as `folder/fit`"), "{err}");
    assert!(fit.write_csv("some/folder/").unwrap_err().to_string().contains("this is a folder"));
}

tilde::model! {
    /// The constrained vector and matrix types, and arrays of them, for the inverse transforms.
    pub struct ManyConstraints;

    parameters {
        array[2] simplex[3] a;
        ordered[3] o;
        positive_ordered[2] po;
        unit_vector[2] u;
        sum_to_zero_vector[3] s0;
        cholesky_factor_corr[2] L;
        cholesky_factor_cov[3, 2] C;
        corr_matrix[2] R;
        matrix<lower=-1, upper=1>[2, 3] M;
        array[2] vector<lower=0>[2] pos;
    }
    model {
    }
}

/// The value that output `name` (`M[2,3]`) must have in `json`, reading Stan's 1-based indices
/// into the nested lists.
fn value_in(json: &serde_json::Value, name: &str) -> f64 {
    let (var, rest) = name.split_once('[').unwrap_or((name, ""));
    let mut v = &json[var];
    for i in rest.trim_end_matches(']').split(',').filter(|s| !s.is_empty()) {
        v = &v[i.parse::<usize>().unwrap() - 1];
    }
    v.as_f64().unwrap_or_else(|| panic!("{name} not in the inits"))
}

#[test]
fn every_constrained_type_maps_back_to_itself() {
    let c = 0.6_f64;
    let inits = serde_json::json!({
        "a": [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]],
        "o": [-1.0, 0.5, 2.0],
        "po": [0.5, 3.0],
        "u": [0.6, -0.8],
        "s0": [1.0, -3.0, 2.0],
        "L": [[1.0, 0.0], [c, (1.0 - c * c).sqrt()]],
        "C": [[2.0, 0.0], [0.5, 1.5], [-1.0, 0.25]],
        "R": [[1.0, -0.3], [-0.3, 1.0]],
        "M": [[0.5, -0.5, 0.0], [0.9, -0.9, 0.1]],
        "pos": [[1.0, 2.0], [0.5, 4.0]],
    });
    let m = ManyConstraints::from_json_str("{}").unwrap();
    let free = m.unconstrain(&DataSource::from_json_str(&inits.to_string()).unwrap()).unwrap();
    assert_eq!(free.len(), m.dim());
    let names = m.output_names();
    let mut out = vec![0.0; names.len()];
    let mut ws = m.new_workspace::<f64>();
    let mut rng = tilde::rng::chain_rng(1, 0, tilde::rng::Stream::Generated);
    m.write_outputs(&free, &mut ws, &mut rng, true, &mut out).unwrap();
    for (name, got) in names.iter().zip(&out) {
        let want = value_in(&inits, name);
        assert!((got - want).abs() < 1e-12, "{name}: {got} instead of {want}");
    }
    let mut bad = inits.clone();
    bad["L"] = serde_json::json!([[1.0, 0.0], [0.6, 0.6]]);
    let err = m.unconstrain(&DataSource::from_json_str(&bad.to_string()).unwrap()).unwrap_err();
    assert!(err.to_string().starts_with("L: expected a cholesky_factor_corr, found "), "{err}");
    let mut bad = inits.clone();
    bad["o"] = serde_json::json!([1.0, 0.5, 2.0]);
    let err = m.unconstrain(&DataSource::from_json_str(&bad.to_string()).unwrap()).unwrap_err();
    assert!(err.to_string().starts_with("o: expected an ordered vector, found "), "{err}");
    let mut bad = inits.clone();
    bad["u"] = serde_json::json!([0.6, 0.6]);
    let err = m.unconstrain(&DataSource::from_json_str(&bad.to_string()).unwrap()).unwrap_err();
    assert!(err.to_string().starts_with("u: expected a unit_vector, found "), "{err}");
    let mut bad = inits;
    bad["pos"] = serde_json::json!([[1.0, 2.0], [0.5, -4.0]]);
    let err = m.unconstrain(&DataSource::from_json_str(&bad.to_string()).unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "pos[2, 2] is -4, but must be > 0");
}

tilde::model! {
    /// Recursion as deep as the data says, inside the log density.
    pub struct DeepRecursion;

    functions {
        real f(real x, int n) {
            if (n <= 0) {
                return x;
            }
            return f(x, n - 1) + 0;
        }
    }
    data {
        int n;
    }
    parameters {
        real mu;
    }
    model {
        target += normal_lpdf(f(mu, n) | 0, 1);
    }
}

#[test]
fn deep_recursion_runs_on_a_chain_and_runaway_recursion_stops_it_with_a_message() {
    let sampler = Sampler::new().chains(1).warmup(10).draws(10).seed(1).progress(false);
    let deep = DeepRecursion::from_json_str(r#"{"n": 10000}"#).unwrap();
    assert!(sampler.clone().sample(&deep).is_ok());
    let runaway = DeepRecursion::from_json_str(r#"{"n": 100000000}"#).unwrap();
    let err = sampler.sample(&runaway).unwrap_err().to_string();
    assert!(err.contains("`f` called functions too deeply nested"), "{err}");
}

tilde::model! {
    /// Constrained vectors sized by the data.
    pub struct SizedSimplex;

    data {
        int K;
        int D;
    }
    parameters {
        simplex[K] theta;
        unit_vector[D] u;
    }
    model {
        theta ~ dirichlet(rep_vector(1, K));
    }
}

#[test]
fn constrained_vectors_too_small_to_have_a_value_are_named() {
    let err = SizedSimplex::from_json_str(r#"{"K": 0, "D": 2}"#).unwrap_err().to_string();
    assert_eq!(err, "theta: found dimension size less than one in simplex declaration; found=0");
    let err = SizedSimplex::from_json_str(r#"{"K": 3, "D": 1}"#).unwrap_err().to_string();
    assert_eq!(err, "u: found dimension size less than 2 in unit_vector declaration; found=1");
    assert!(SizedSimplex::from_json_str(r#"{"K": 1, "D": 2}"#).is_ok());
}

tilde::model! {
    /// A lower-bounded scale near its bound and a scale on the log scale far out.
    pub struct ExtremeScales;

    data {
        real y;
        real z;
    }
    parameters {
        real<lower=0> sigma;
        real log_scale;
    }
    model {
        y ~ normal(0, sigma);
        z ~ normal(0, exp(log_scale));
    }
}

#[test]
fn gradients_at_extreme_but_valid_points_are_finite_and_right() {
    use tilde::LogDensity;
    use tilde::gradient::{GradientEvaluator, Method};
    // sigma = e^-700, about 1e-304, next to its bound; exp(log_scale) = e^700, about 1e304.
    // (With `y` far from 0 in units of sigma, the partial derivative in sigma itself overflows
    // a double in reverse mode, as in Stan's; dual numbers still get it.)
    let m = ExtremeScales::from_json_str(r#"{"y": 1e-304, "z": 1e300}"#).unwrap();
    let x = [-700.0, 700.0];
    let (a, b) = (1e-304 * 700f64.exp(), 1e300 / 700f64.exp());
    let want = [a * a, b * b - 1.0];
    // The sampler's choice for two parameters is a forward pass; where a forward pass's own
    // arithmetic overflows (the dual numbers' quotient rule squares the scale), the evaluator
    // takes the reverse-mode gradient instead.
    assert_eq!(GradientEvaluator::new(&m).method(), Method::Forward { width: 4 });
    let methods = [
        Method::Reverse,
        Method::Forward { width: 4 },
        Method::Dual { width: 4 },
        Method::Dual { width: 8 },
    ];
    for method in methods {
        let mut eval = GradientEvaluator::with_method(&m, method);
        let mut grad = [0.0; 2];
        let lp = eval.logp_and_grad(&x, &mut grad).unwrap();
        assert!(lp.is_finite(), "{method:?}: lp {lp}");
        for (g, w) in grad.iter().zip(want) {
            assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{method:?}: {grad:?} vs {want:?}");
        }
    }
}

/// The line of this file that holds `text`, 1-based, as the messages of `model!` count lines.
fn line_of(text: &str) -> usize {
    common::line_of(include_str!("bad_input.rs"), text)
}

tilde::model! {
    /// An index that is in range where chains start and out of range where sampling soon goes.
    pub struct IndexOutOfRangeLater;

    data {
        int N;
        vector[N] y;
    }
    parameters {
        real mu;
    }
    model {
        int k = mu > 3 ? N + 1 : 1;
        mu ~ normal(y[k], 1);
    }
}

#[test]
fn a_fatal_error_while_sampling_names_the_statement_and_its_line() {
    use tilde::LogDensity;
    use tilde::gradient::{GradientEvaluator, Method};
    let m = IndexOutOfRangeLater::from_json_str(r#"{"N": 3, "y": [3, 0, 0]}"#).unwrap();
    let line = line_of("mu ~ normal(y[k], 1);");
    let want = format!(
        "index 4 out of range for `y`, which has size 3 (in `mu ~ normal(y[k], 1)`, line {line})"
    );
    // Where the chain meets it (the step size search or a transition) depends on the seed;
    // the message is the same.
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(err.ends_with(&want), "{err}");
    // The sampler's evaluator names the statement at any point, by every method.
    for method in [Method::Reverse, Method::Forward { width: 4 }, Method::Dual { width: 8 }] {
        let mut eval = GradientEvaluator::with_method(&m, method);
        let mut grad = [0.0];
        let err = eval.logp_and_grad(&[5.0], &mut grad).unwrap_err();
        assert!(!err.is_recoverable(), "{method:?}");
        assert_eq!(err.to_string(), want, "{method:?}");
        assert!(eval.logp_and_grad(&[1.0], &mut grad).unwrap().is_finite(), "{method:?}");
    }
}

tilde::model! {
    /// A location of the wrong size for its outcome, which fails wherever a chain starts.
    pub struct MismatchedSizes;

    data {
        vector[3] y;
    }
    parameters {
        vector[2] z;
    }
    model {
        z ~ normal(0, 1);
        y ~ normal(z, 1);
    }
}

#[test]
fn a_size_mismatch_names_the_arguments_and_the_statement() {
    let m = MismatchedSizes::from_json_str(r#"{"y": [1, 2, 3]}"#).unwrap();
    let err = quick().sample(&m).unwrap_err().to_string();
    let line = line_of("y ~ normal(z, 1);");
    assert_eq!(
        err,
        format!(
            "normal_lpdf: size of argument mu (2) does not match size of argument y (3) \
             (in `y ~ normal(z, 1)`, line {line})"
        )
    );
}

tilde::model! {
    /// A generated quantity written before a `reject` in generated quantities, and one after.
    pub struct RejectsAfterWriting;

    parameters {
        real x;
    }
    transformed parameters {
        real twice = 2 * x;
    }
    model {
        x ~ normal(0, 1);
    }
    generated quantities {
        real before = x;
        real after;
        if (x < 0) {
            reject("x is negative");
        }
        after = x;
    }
}

#[test]
fn a_rejection_in_generated_quantities_makes_all_of_them_nan_and_keeps_the_parameters() {
    let m = RejectsAfterWriting::from_json_str("{}").unwrap();
    let fit = quick().sample(&m).unwrap();
    let get = |name: &str| fit.draws(name).unwrap();
    let (x, twice, before, after) = (get("x"), get("twice"), get("before"), get("after"));
    let mut rejected = 0;
    for i in 0..x.len() {
        assert!(x[i].is_finite() && twice[i] == 2.0 * x[i], "draw {i}");
        if x[i] < 0.0 {
            rejected += 1;
            // `before` had its value when `reject` ran, and is NaN all the same, as in CmdStan.
            assert!(before[i].is_nan() && after[i].is_nan(), "draw {i}");
        } else {
            assert!(before[i] == x[i] && after[i] == x[i], "draw {i}");
        }
    }
    assert!(rejected > 0);
}

tilde::model! {
    /// A covariance matrix computed from a parameter, asymmetric by a huge amount.
    pub struct HugeAsymmetry;

    parameters {
        real<lower=0> s;
    }
    transformed parameters {
        cov_matrix[2] S = [[1, -1e45], [0, 1]];
    }
    model {
        s ~ normal(0, 1);
    }
}

#[test]
fn huge_values_in_messages_are_shown_with_an_exponent() {
    let m = HugeAsymmetry::from_json_str("{}").unwrap();
    let err = quick().sample(&m).unwrap_err().to_string();
    assert!(err.contains("element [1, 2] is -1e45 but element [2, 1] is 0"), "{err}");
}
