//! Proof that sampling allocates nothing once a chain is running: a counting global allocator
//! watches NUTS transitions (warm-up adaptation included), gradients, plain log densities and
//! `write_outputs` from the second transition to the last.
//!
//! The counter only counts on the thread that switched it on, so the test harness running other
//! tests on other threads cannot disturb a measurement.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use tilde::data::DataSource;
use tilde::gradient::GradientEvaluator;
use tilde::nuts::{Chain, Settings};
use tilde::rejections::{Phase, Recording, Rejections};
use tilde::rng::{Stream, chain_rng};
use tilde::{LogDensity, Model, ModelError};

/// The system allocator, counting the allocations made on threads that asked for counting.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with` rather than `with`: during thread teardown the slots may already be gone.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches only const-initialised
// thread locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap allocations made on this thread while `f` runs.
fn allocations_in(f: impl FnOnce()) -> u64 {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    COUNT.with(Cell::get)
}

/// Transitions measured in all: enough for the whole warm-up below and 50 draws after it.
const TRANSITIONS: usize = 200;

/// Stan's windows squeezed into 150 warm-up transitions (75 + 25 + 50), so one metric update,
/// the step size restart after it, and the switch to sampling all fall inside the measurement.
const WARMUP: usize = 150;

/// What a measured run did, so each test can check that the interesting paths really ran.
#[derive(Debug, Default)]
struct Run {
    /// Allocations in transitions (with their log density and outputs) in which the model
    /// accepted every point it was asked about.
    allocations: u64,
    /// Allocations in transitions in which the model rejected a point.
    allocations_when_rejecting: u64,
    /// Transitions in which the model rejected a point.
    rejecting_transitions: u64,
    /// Distinct messages the sampler's record counted.
    messages: usize,
    gradients: u64,
    metric_changed: bool,
    sampled_after_warmup: bool,
}

/// A log density that counts the points its model rejected.
struct Watched<'a, D: ?Sized> {
    inner: &'a mut D,
    rejections: u64,
}

impl<D: LogDensity + ?Sized> LogDensity for Watched<'_, D> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        let result = self.inner.logp_and_grad(x, grad);
        self.rejections += u64::from(result.is_err());
        result
    }
}

/// Initialises a chain and makes its first transition, log density and outputs outside the
/// measurement, then counts the allocations of transitions 2 to `TRANSITIONS`, each followed by
/// a plain log density and the outputs of the draw (generated quantities included).
fn run<M: Model>(model: &M) -> Run {
    let mut rng = chain_rng(11, 0, Stream::Sampler);
    let mut gq_rng = chain_rng(11, 0, Stream::Generated);
    let mut evaluator: GradientEvaluator<'_, M> = GradientEvaluator::new(model);
    let settings = Settings { num_warmup: WARMUP, ..Settings::default() };
    let mut chain = Chain::new(settings, model.dim());
    let mut row = vec![f64::NAN; model.output_names().len()];
    let mut q = vec![0.0; model.dim()];
    chain.initialize(&mut evaluator, &mut rng, None, 2.0).expect("initialisation");
    chain.transition(&mut evaluator, &mut rng).expect("first transition");
    // The generated workspaces start empty and each local is sized when its declaration first
    // runs, so the first plain log density and the first outputs size theirs, as the first
    // transition sized the dual one.
    q.copy_from_slice(chain.position());
    evaluator.logp(&q).expect("first log density");
    model.write_outputs(&q, evaluator.value_workspace(), &mut gq_rng, true, &mut row).unwrap();
    let metric_before = chain.inv_metric().to_vec();
    let gradients_before = chain.gradient_evaluations();
    let mut report = Run::default();
    let mut sink = 0.0;
    // The sampler counts the messages of rejected points as below; its first record was made
    // with room for a few distinct ones.
    let mut messages = Rejections::new();
    for _ in 1..TRANSITIONS {
        let mut recording =
            Recording { density: &mut evaluator, rejections: &mut messages, phase: Phase::Warmup };
        let mut watched = Watched { inner: &mut recording, rejections: 0 };
        let allocations = allocations_in(|| {
            let t = chain.transition(&mut watched, &mut rng).expect("transition");
            sink += t.lp;
            q.copy_from_slice(chain.position());
            sink += watched.inner.density.logp(&q).expect("log density");
            let ws = watched.inner.density.value_workspace();
            model.write_outputs(&q, ws, &mut gq_rng, true, &mut row).expect("outputs");
            sink += row[0];
        });
        if watched.rejections == 0 {
            report.allocations += allocations;
        } else {
            report.rejecting_transitions += 1;
            report.allocations_when_rejecting += allocations;
        }
    }
    assert!(sink.is_finite(), "the chain produced a non-finite log density or output");
    report.messages = messages.entries().len();
    report.gradients = chain.gradient_evaluations() - gradients_before;
    report.metric_changed = chain.inv_metric() != metric_before.as_slice();
    report.sampled_after_warmup = !chain.is_warmup();
    report
}

/// Checks that the run exercised warm-up, the metric update and sampling, and that its
/// transitions without a rejected point allocated nothing.
fn assert_allocation_free(run: &Run) {
    assert!(run.gradients >= TRANSITIONS as u64, "too few gradients to mean anything: {run:?}");
    assert!(run.metric_changed, "the metric adaptation did not run: {run:?}");
    assert!(run.sampled_after_warmup, "the chain never left warm-up: {run:?}");
    assert!(
        run.rejecting_transitions < TRANSITIONS as u64 / 4,
        "too few transitions free of rejections to mean anything: {run:?}"
    );
    assert_eq!(run.allocations, 0, "sampling allocated: {run:?}");
}

tilde::model! {
    /// Non-centred eight schools.
    pub struct EightSchools;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real<lower=0> tau;
        vector[J] theta_tilde;
    }
    transformed parameters {
        vector[J] theta = mu + tau * theta_tilde;
    }
    model {
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
        theta_tilde ~ std_normal();
        y ~ normal(theta, sigma);
    }
    generated quantities {
        array[J] real y_rep;
        for (j in 1:J) {
            y_rep[j] = normal_rng(theta[j], sigma[j]);
        }
    }
}

const EIGHT_SCHOOLS: &str = r#"{
    "J": 8,
    "y": [28, 8, -3, 7, -1, 1, 18, 12],
    "sigma": [15, 10, 16, 11, 9, 11, 10, 18]
}"#;

#[test]
fn eight_schools_samples_without_allocating() {
    let model = EightSchools::from_json_str(EIGHT_SCHOOLS).unwrap();
    let run = run(&model);
    assert_allocation_free(&run);
    // This seed meets no rejection on eight schools, so here the proof covers every transition.
    assert_eq!(run.rejecting_transitions, 0, "{run:?}");
}

tilde::model! {
    /// An autoregressive model of order K whose mean is built in local variables inside loops:
    /// a local vector of lagged values per time step, and local reals summed over it.
    pub struct AutoRegressive;

    data {
        int<lower=0> K;
        int<lower=0> T;
        array[T] real y;
    }
    parameters {
        real alpha;
        array[K] real beta;
        real<lower=0> sigma;
    }
    model {
        vector[K] lags;
        alpha ~ normal(0, 10);
        beta ~ normal(0, 10);
        sigma ~ cauchy(0, 2.5);
        for (t in (K + 1):T) {
            real mu = alpha;
            for (k in 1:K) {
                lags[k] = y[t - k];
            }
            for (k in 1:K) {
                real term = beta[k] * lags[k];
                mu += term;
            }
            y[t] ~ normal(mu, sigma);
        }
    }
    generated quantities {
        real last_mean = alpha;
        for (k in 1:K) {
            last_mean += beta[k] * y[T + 1 - k];
        }
    }
}

/// A short AR(2) series: y_t = 0.3 + 0.5 y_{t-1} - 0.2 y_{t-2} + noise.
fn ar_data() -> String {
    let noise = [0.3, -1.1, 0.4, 0.9, -0.2, 0.05, -0.7, 1.3, -0.4, 0.6, 0.2, -0.9];
    let mut y = vec![0.1, -0.2];
    for (t, e) in (2..40).zip(noise.iter().cycle()) {
        let next = 0.3 + 0.5 * y[t - 1] - 0.2 * y[t - 2] + e;
        y.push(next);
    }
    let y: Vec<String> = y.iter().map(|v| format!("{v}")).collect();
    format!(r#"{{"K": 2, "T": {}, "y": [{}]}}"#, y.len(), y.join(", "))
}

#[test]
fn ar_model_with_local_vectors_in_loops_samples_without_allocating() {
    let model = AutoRegressive::new(&DataSource::from_json_str(&ar_data()).unwrap()).unwrap();
    assert_eq!(model.dim(), 4);
    let run = run(&model);
    assert_allocation_free(&run);
}

tilde::model! {
    /// A density whose scale `1 + x` is negative for `x < -1`: many trajectories reach there,
    /// outside the support of `normal`, whatever the seed and the adaptation.
    pub struct OftenRejects;

    parameters {
        real x;
    }
    model {
        x ~ normal(0, 1);
        0 ~ normal(0, 1 + x);
    }
}

#[test]
fn rejected_points_allocate_nothing() {
    let model = OftenRejects::from_json_str("{}").unwrap();
    let run = run(&model);
    assert_eq!(run.allocations, 0, "{run:?}");
    assert!(run.rejecting_transitions > 0, "{run:?}");
    assert!(run.messages > 0, "the rejections were not counted: {run:?}");
    assert_eq!(run.allocations_when_rejecting, 0, "{run:?}");
}

#[test]
fn the_counter_sees_allocations() {
    // Without this the tests above could pass on a counter that never counts.
    let n = allocations_in(|| {
        let v: Vec<u64> = std::hint::black_box(vec![1, 2, 3]);
        std::hint::black_box(v);
    });
    assert_eq!(n, 1);
}

// The suite's Gaussian-process models, not a copy of them.
#[path = "posteriordb/models/gp.rs"]
#[allow(dead_code)]
mod gp;

#[test]
fn gaussian_process_samples_without_allocating() {
    // posteriordb's gp_pois_regr: a 11 x 11 kernel matrix, its Cholesky factor and a
    // matrix-vector product per evaluation, through the reverse tape (dimension 13).
    let db = tilde::reference::PosteriorDb::locate().unwrap_or_else(|e| panic!("{e}"));
    let model = gp::GpPoisRegr::new(&db.data("gp_pois_regr").unwrap()).unwrap();
    assert_eq!(tilde::gradient::Method::for_dim(model.dim()), tilde::gradient::Method::Reverse);
    let run = run(&model);
    assert_allocation_free(&run);
}

tilde::model! {
    /// General and symmetric positive definite solves of a matrix built from a parameter:
    /// their scratch space must come from the stack or the workspace, not the heap.
    pub struct Solves;

    data {
        int N;
        matrix[N, N] A;
        vector[N] y;
    }
    parameters {
        vector[N] z;
        real<lower=0> s;
    }
    model {
        matrix[N, N] M = add_diag(A, s);
        z ~ normal(0, 1);
        s ~ lognormal(0, 0.5);
        y ~ normal(mdivide_left(M, z), 1);
        target += sum(to_vector(inverse(M))) * 0.01;
        target += sum(mdivide_left_spd(add_diag(crossprod(M), 1), z)) * 0.01;
        target += sum(transpose(z) / M) * 0.01;
    }
}

#[test]
fn matrix_solves_sample_without_allocating() {
    let data = r#"{"N": 3, "A": [[2, 0.5, 0], [0.3, 3, 1], [0, -1, 2.5]], "y": [0.4, -0.2, 1]}"#;
    let model = Solves::new(&DataSource::from_json_str(data).unwrap()).unwrap();
    let run = run(&model);
    assert_allocation_free(&run);
}
