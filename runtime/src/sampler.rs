//! Running several NUTS chains on OS threads, each on its own random stream, so that the draws
//! are the same whatever the number of threads (Stan's `hmc_nuts_diag_e_adapt` service).

use crate::data::{DataErrorKind, DataSource};
use crate::error::Error;
use crate::fit::{ChainFit, Fit, RunConfig, SamplerStats, WarmupChain};
use crate::gradient::{GradientEvaluator, Method};
use crate::model::Model;
use crate::nuts::{Chain, MetricAdaptation, MetricKind, Settings, Transition};
use crate::output::progress::{self, Counters, Totals};
use crate::rejections::{Phase, Recording, Rejections, Source};
use crate::rng::{Stream, chain_rng};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

/// Settings of a sampling run, as a builder. Chains are numbered from 1 in messages, as in
/// Stan, and from 0 in [`Fit`] accessors.
///
/// The defaults are Stan's: 4 chains, 1000 warm-up iterations, 1000 draws, maximum tree depth
/// 10, `adapt_delta` 0.8, initial values uniform in (-2, 2), and a diagonal metric; the seed
/// is 0, so a run is reproducible unless another seed is given.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampler {
    chains: usize,
    warmup: usize,
    draws: usize,
    seed: u64,
    max_depth: u32,
    adapt_delta: f64,
    init_radius: f64,
    threads: Option<usize>,
    adapt_metric: bool,
    metric: MetricKind,
    metric_adaptation: MetricAdaptation,
    inits: Inits,
    save_warmup: bool,
    progress: bool,
    gradient: Option<Method>,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler {
            chains: 4,
            warmup: 1000,
            draws: 1000,
            seed: 0,
            max_depth: 10,
            adapt_delta: 0.8,
            init_radius: 2.0,
            threads: None,
            adapt_metric: true,
            metric: MetricKind::default(),
            metric_adaptation: MetricAdaptation::default(),
            inits: Inits::Random,
            save_warmup: false,
            progress: true,
            gradient: None,
        }
    }
}

impl Sampler {
    /// Stan's defaults; see [`Sampler`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of chains.
    pub fn chains(mut self, n: usize) -> Self {
        self.chains = n;
        self
    }

    /// The number of warm-up (adaptation) iterations per chain.
    pub fn warmup(mut self, n: usize) -> Self {
        self.warmup = n;
        self
    }

    /// The number of kept draws per chain.
    pub fn draws(mut self, n: usize) -> Self {
        self.draws = n;
        self
    }

    /// The seed all random streams derive from.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// The maximum tree depth (at least 1).
    pub fn max_depth(mut self, d: u32) -> Self {
        self.max_depth = d;
        self
    }

    /// The target acceptance statistic of step size adaptation, in (0, 1).
    pub fn adapt_delta(mut self, d: f64) -> Self {
        self.adapt_delta = d;
        self
    }

    /// Random initial values are uniform in `(-r, r)` on the unconstrained scale; 0 starts
    /// every chain at the origin.
    pub fn init_radius(mut self, r: f64) -> Self {
        self.init_radius = r;
        self
    }

    /// How gradients are computed. By default the model's dimension decides
    /// ([`Method::for_dim`]); forcing dual numbers is useful to rule out the reverse-mode tape
    /// when a gradient looks wrong. The draws depend on the method in the last bits.
    pub fn gradient(mut self, method: Method) -> Self {
        self.gradient = Some(method);
        self
    }

    /// The number of OS threads; the default is `min(chains, available cores)`.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Whether to adapt the diagonal inverse metric; when off it stays the identity and only
    /// the step size is adapted.
    pub fn adapt_metric(mut self, on: bool) -> Self {
        self.adapt_metric = on;
        self
    }

    /// The metric: [`MetricKind::Diagonal`] (Stan's `diag_e`, the default) or
    /// [`MetricKind::Dense`] (`dense_e`), which learns the whole covariance during warm-up
    /// and suits posteriors with strongly correlated parameters: where a diagonal metric keeps
    /// hitting the maximum tree depth, a dense one often needs a few leapfrog steps.
    pub fn metric(mut self, kind: MetricKind) -> Self {
        self.metric = kind;
        self
    }

    /// How warm-up learns the diagonal inverse metric: nutpie's estimate from draws and
    /// gradients together (the default), or Stan's windows.
    pub fn metric_adaptation(mut self, how: MetricAdaptation) -> Self {
        self.metric_adaptation = how;
        self
    }

    /// Initial values on the constrained scale, by parameter name as in a CmdStan init file
    /// (`DataSource::from_json_str(r#"{"mu": 1, "sigma": 0.5}"#)`): one for all chains, or
    /// one per chain. Every parameter must be given; each value is checked against its declared
    /// constraint (strictly inside its bounds) before sampling starts, and an error names the
    /// parameter, the element and the bound.
    pub fn inits(mut self, inits: Vec<DataSource>) -> Self {
        self.inits = Inits::Constrained(inits);
        self
    }

    /// Initial values on the unconstrained scale, in the order of the model's unconstrained
    /// coordinates: one vector for all chains, or one per chain.
    pub fn unconstrained_inits(mut self, inits: Vec<Vec<f64>>) -> Self {
        self.inits = Inits::Unconstrained(inits);
        self
    }

    /// Whether to keep the warm-up draws and their sampler statistics (CmdStan's
    /// `save_warmup`); they are stored apart from the kept draws, see
    /// [`Fit::warmup_draws`], and do not enter the summary.
    pub fn save_warmup(mut self, on: bool) -> Self {
        self.save_warmup = on;
        self
    }

    /// Whether to show a progress bar on stderr (the default); it is shown only when stderr is
    /// a terminal.
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// Whether [`Sampler::sample`] will draw a progress bar: asked for, and stderr is a
    /// terminal.
    pub fn shows_progress(&self) -> bool {
        progress::shows_progress(self.progress, progress::stderr_is_terminal())
    }

    /// Runs the chains on `model` and collects their draws. The first failing chain's error is
    /// returned; the other chains stop at their next iteration.
    pub fn sample<M: Model>(&self, model: &M) -> Result<Fit, Error> {
        self.validate()?;
        self.check_memory(model)?;
        let inits = self.unconstrained_init_values(model)?;
        let names = model.output_names();
        let threads = self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(self.chains)
        });
        let threads = threads.clamp(1, self.chains);
        let stop = AtomicBool::new(false);
        let next = AtomicUsize::new(0);
        let counters = Counters::default();
        let totals =
            Totals { warmup: self.warmup * self.chains, sampling: self.draws * self.chains };
        let show_progress = self.shows_progress();
        let results: Mutex<Vec<Option<ChainOutcome>>> =
            Mutex::new((0..self.chains).map(|_| None).collect());
        std::thread::scope(|scope| {
            if show_progress {
                scope.spawn(|| progress::draw_until_finished(&counters, totals));
            }
            let mut workers = Vec::with_capacity(threads);
            for _ in 0..threads {
                let work = || {
                    loop {
                        let chain = next.fetch_add(1, Ordering::SeqCst);
                        if chain >= self.chains || stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let init = match inits.len() {
                            0 => None,
                            1 => Some(inits[0].as_slice()),
                            _ => Some(inits[chain].as_slice()),
                        };
                        let outcome =
                            self.run_guarded(model, chain, init, names.len(), &stop, &counters);
                        if matches!(outcome, ChainOutcome::Failed(_)) {
                            stop.store(true, Ordering::SeqCst);
                        }
                        // A poisoned lock only means another thread panicked while holding
                        // it, which the guard above prevents; take the data regardless.
                        let mut slots = results.lock().unwrap_or_else(|e| e.into_inner());
                        slots[chain] = Some(outcome);
                    }
                };
                // A roomy stack, as a main thread has, so that recursive user functions go as
                // deep on a chain's thread as in transformed data; only the pages used are
                // ever committed.
                let worker = std::thread::Builder::new()
                    .stack_size(CHAIN_STACK)
                    .spawn_scoped(scope, work)
                    .unwrap_or_else(|_| scope.spawn(work));
                workers.push(worker);
            }
            for worker in workers {
                // Panics inside a chain are caught where they happen; nothing else can.
                let _ = worker.join();
            }
            counters.finish();
        });
        let outcomes = results.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut chains = Vec::with_capacity(self.chains);
        let mut warmup = Vec::with_capacity(self.chains);
        let mut stopped = false;
        for outcome in outcomes {
            match outcome {
                Some(ChainOutcome::Done(c)) => {
                    let (c, w) = *c;
                    chains.push(c);
                    warmup.push(w);
                }
                Some(ChainOutcome::Failed(e)) => return Err(e),
                Some(ChainOutcome::Stopped) | None => stopped = true,
            }
        }
        if stopped {
            return Err(Error::Sampling("sampling stopped before every chain finished".into()));
        }
        let fit = Fit::new(names, model.output_shapes(), self.max_depth, chains)?
            .with_config(self.config(model.name(), threads));
        if self.save_warmup { fit.with_warmup(warmup) } else { Ok(fit) }
    }

    /// The settings of this run, for the fit and its CSV header.
    fn config(&self, model: &str, threads: usize) -> RunConfig {
        let nuts = Settings::default();
        RunConfig {
            model: model.to_string(),
            chains: self.chains,
            num_warmup: self.warmup,
            num_samples: self.draws,
            save_warmup: self.save_warmup,
            seed: self.seed,
            max_depth: self.max_depth,
            adapt_delta: self.adapt_delta,
            adapt_metric: self.adapt_metric,
            metric: self.metric,
            metric_adaptation: self.metric_adaptation,
            gamma: nuts.gamma,
            kappa: nuts.kappa,
            t0: nuts.t0,
            init_buffer: nuts.init_buffer,
            term_buffer: nuts.term_buffer,
            window: nuts.base_window,
            init_radius: self.init_radius,
            inits_given: !matches!(self.inits, Inits::Random),
            threads,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let fail = |what: String| Err(Error::Sampling(what));
        if self.chains == 0 {
            return fail("the number of chains must be at least 1".into());
        }
        // The trajectory keeps one level of state per depth; a depth beyond 62 could never be
        // reached (2^62 leapfrog steps) and would only exhaust memory.
        if !(1..=MAX_DEPTH_LIMIT).contains(&self.max_depth) {
            return fail(format!(
                "max_depth must be between 1 and {MAX_DEPTH_LIMIT}, got {}",
                self.max_depth
            ));
        }
        if !(self.adapt_delta > 0.0 && self.adapt_delta < 1.0) {
            return fail(format!("adapt_delta must be in (0, 1), got {}", self.adapt_delta));
        }
        if !(self.init_radius >= 0.0 && self.init_radius.is_finite()) {
            return fail(format!("init_radius must be finite and >= 0, got {}", self.init_radius));
        }
        if self.threads == Some(0) {
            return fail("the number of threads must be at least 1".into());
        }
        if let Some(Method::Forward { width } | Method::Dual { width }) = self.gradient
            && width != 4
            && width != 8
        {
            return fail(format!("the gradient's width must be 4 or 8, got {width}"));
        }
        let given = match &self.inits {
            Inits::Random => 0,
            Inits::Unconstrained(v) => v.len(),
            Inits::Constrained(v) => v.len(),
        };
        if !matches!(self.inits, Inits::Random) && given != 1 && given != self.chains {
            return fail(format!(
                "{given} sets of initial values were given for {} chains; give one or one per \
                 chain",
                self.chains
            ));
        }
        Ok(())
    }

    /// Refuses a run whose draws and sampler state would not fit in memory, before anything
    /// is allocated: a size of 10^9 in the data would otherwise end the process (an aborted
    /// allocation, or the kernel's out-of-memory killer) instead of returning an error. The
    /// estimate counts 8 bytes per kept value and statistic and the chains' working vectors; it
    /// is compared with the memory the system reports as available, where it reports it.
    fn check_memory<M: Model>(&self, model: &M) -> Result<(), Error> {
        let shapes = model.output_shapes();
        let outputs = shapes.iter().try_fold(0usize, |total, (_, dims)| {
            total.checked_add(dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d))?)
        });
        let dim = model.dim() as u128;
        let kept = self.draws as u128 + if self.save_warmup { self.warmup as u128 } else { 0 };
        // Each chain holds about 40 vectors of the model's dimension (points of the trajectory,
        // metric, adaptation, gradient buffers); a dense metric adds a few d x d matrices.
        let dense = if self.metric == MetricKind::Dense { 4 * dim * dim } else { 0 };
        let state = 40 * dim + dense;
        let (values, bytes) = match outputs {
            Some(outputs) => {
                // Values and ten statistics per draw, and each output's name.
                let values = (outputs as u128 + 10) * kept * self.chains as u128;
                (values, 8 * (values + state * self.chains as u128) + 48 * outputs as u128)
            }
            None => (u128::MAX, u128::MAX),
        };
        let Some(available) = crate::ops::available_memory() else { return Ok(()) };
        if bytes <= u128::from(available) {
            return Ok(());
        }
        let gib = |b: u128| b as f64 / (1u64 << 30) as f64;
        let needs = if values == u128::MAX {
            "more memory than can be counted".to_string()
        } else {
            format!("about {:.1} GiB", gib(bytes))
        };
        Err(Error::Sampling(format!(
            "this run needs {needs} ({} of {} of {}, {}), but only {:.1} GiB of memory is \
             available; check the sizes in the data and the numbers of chains and draws",
            counted(self.chains as u128, "chain"),
            counted(kept, "draw"),
            outputs.map_or("too many outputs".to_string(), |n| counted(n as u128, "output")),
            counted(model.dim() as u128, "unconstrained parameter"),
            gib(u128::from(available))
        )))
    }

    /// The initial values on the unconstrained scale, one vector for all chains or one per
    /// chain, or none for random ones; constrained ones are checked and mapped here.
    fn unconstrained_init_values<M: Model>(&self, model: &M) -> Result<Vec<Vec<f64>>, Error> {
        let dim = model.dim();
        let inits = match &self.inits {
            Inits::Random => return Ok(Vec::new()),
            Inits::Unconstrained(v) => v.clone(),
            Inits::Constrained(sources) => {
                let mut out = Vec::with_capacity(sources.len());
                for (i, source) in sources.iter().enumerate() {
                    let which = initial_values(sources.len(), i);
                    let values = model.unconstrain(source).map_err(|e| match e {
                        Error::Data(d) if d.kind() == DataErrorKind::Missing => {
                            Error::Sampling(format!(
                                "{which}: parameter `{}` is missing",
                                d.variable().unwrap_or("?")
                            ))
                        }
                        other => Error::Sampling(format!("{which}: {other}")),
                    })?;
                    out.push(values);
                }
                out
            }
        };
        if let Some(bad) = inits.iter().find(|v| v.len() != dim) {
            return Err(Error::Sampling(format!(
                "initial values have length {}, but the model has {dim} unconstrained parameters",
                bad.len()
            )));
        }
        for (chain, values) in inits.iter().enumerate() {
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                let which = initial_values(inits.len(), chain);
                return Err(Error::Sampling(format!(
                    "unconstrained {which}: element {} is {}, but must be finite",
                    i + 1,
                    values[i]
                )));
            }
        }
        Ok(inits)
    }

    fn run_guarded<M: Model>(
        &self,
        model: &M,
        chain: usize,
        init: Option<&[f64]>,
        num_outputs: usize,
        stop: &AtomicBool,
        counters: &Counters,
    ) -> ChainOutcome {
        let run = catch_unwind(AssertUnwindSafe(|| {
            self.run_chain(model, chain, init, num_outputs, stop, counters)
        }));
        match run {
            Ok(Ok(Some(fit))) => ChainOutcome::Done(Box::new(fit)),
            Ok(Ok(None)) => ChainOutcome::Stopped,
            Ok(Err(e)) => ChainOutcome::Failed(e),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic payload".into());
                ChainOutcome::Failed(Error::Sampling(format!(
                    "chain {} panicked: {message}",
                    chain + 1
                )))
            }
        }
    }

    /// One chain from initialisation to its last draw; `None` if told to stop.
    fn run_chain<M: Model>(
        &self,
        model: &M,
        chain: usize,
        init: Option<&[f64]>,
        num_outputs: usize,
        stop: &AtomicBool,
        counters: &Counters,
    ) -> Result<Option<(ChainFit, WarmupChain)>, Error> {
        let start = Instant::now();
        let mut rng = chain_rng(self.seed, chain, Stream::Sampler);
        let mut gq_rng = chain_rng(self.seed, chain, Stream::Generated);
        let method = self.gradient.unwrap_or_else(|| Method::for_dim(model.dim()));
        let mut evaluator: GradientEvaluator<'_, M> = GradientEvaluator::with_method(model, method);
        let settings = Settings {
            num_warmup: self.warmup,
            max_depth: self.max_depth,
            adapt_delta: self.adapt_delta,
            adapt_metric: self.adapt_metric,
            metric: self.metric,
            metric_adaptation: self.metric_adaptation,
            ..Settings::default()
        };
        let mut nuts = Chain::new(settings, model.dim());
        let mut draws = vec![f64::NAN; num_outputs * self.draws];
        let mut row = vec![f64::NAN; num_outputs];
        let mut stats = SamplerStats::with_capacity(self.draws);
        // A model without parameters has nothing to sample: as Stan's `fixed_param` sampler,
        // every iteration only writes the outputs, with `lp__` 0.
        let fixed = model.dim() == 0;
        if !fixed {
            let init_radius = self.init_radius;
            nuts.initialize(&mut evaluator, &mut rng, init, init_radius).map_err(|e| match e {
                Error::Sampling(why) => Error::Sampling(format!("chain {}: {why}", chain + 1)),
                other => other,
            })?;
        }
        let kept_warmup = if self.save_warmup { self.warmup } else { 0 };
        let mut warmup = WarmupChain {
            draws: vec![f64::NAN; num_outputs * kept_warmup],
            stats: SamplerStats::with_capacity(kept_warmup),
        };
        // Warm-up generated quantities draw from the generated-quantities stream far ahead of
        // where the kept draws read it, so saving the warm-up leaves the kept draws unchanged.
        let mut warmup_gq_rng = chain_rng(self.seed, chain, Stream::Generated);
        warmup_gq_rng.set_word_pos(1 << 64);
        let mut rejections = Rejections::new();
        for i in 0..self.warmup {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let mut density = Recording {
                density: &mut evaluator,
                rejections: &mut rejections,
                phase: Phase::Warmup,
            };
            let transition = if fixed {
                Transition { lp: 0.0, ..Transition::default() }
            } else {
                *nuts.transition(&mut density, &mut rng)?
            };
            counters.warmup_step();
            if self.save_warmup {
                warmup.stats.push(&transition);
                let ws = evaluator.value_workspace();
                let gq_rng = &mut warmup_gq_rng;
                let failed = write_row(model, nuts.position(), ws, gq_rng, &mut row)?;
                if let Some(e) = failed {
                    rejections.record(&e, Source::GeneratedQuantities, Phase::Warmup);
                }
                for (v, x) in row.iter().enumerate() {
                    warmup.draws[v * kept_warmup + i] = *x;
                }
            }
        }
        let warmup_time = start.elapsed();
        let start = Instant::now();
        for i in 0..self.draws {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let mut density = Recording {
                density: &mut evaluator,
                rejections: &mut rejections,
                phase: Phase::Sampling,
            };
            let transition = if fixed {
                Transition { lp: 0.0, ..Transition::default() }
            } else {
                *nuts.transition(&mut density, &mut rng)?
            };
            counters.sampling_step(transition.divergent);
            stats.push(&transition);
            let ws = evaluator.value_workspace();
            if let Some(e) = write_row(model, nuts.position(), ws, &mut gq_rng, &mut row)? {
                rejections.record(&e, Source::GeneratedQuantities, Phase::Sampling);
            }
            for (v, x) in row.iter().enumerate() {
                draws[v * self.draws + i] = *x;
            }
        }
        let fit = ChainFit {
            draws,
            stats,
            step_size: nuts.step_size(),
            inv_metric: nuts.inv_metric().to_vec(),
            gradient_evaluations: nuts.gradient_evaluations(),
            warmup_time,
            sampling_time: start.elapsed(),
            rejections,
        };
        Ok(Some((fit, warmup)))
    }
}

/// One draw's outputs into `row`. As in Stan, a rejection while writing them (in generated
/// quantities, say) loses the outputs not yet written (the model leaves them NaN: all the
/// generated quantities, which are written once their block has run), not the run; it is
/// returned so that its message can be counted.
fn write_row<M: Model>(
    model: &M,
    position: &[f64],
    ws: &mut M::Workspace<f64>,
    rng: &mut crate::rng::ChainRng,
    row: &mut [f64],
) -> Result<Option<crate::model::ModelError>, Error> {
    match model.write_outputs(position, ws, rng, true, row) {
        Ok(()) => Ok(None),
        Err(e) if e.is_recoverable() => Ok(Some(e)),
        Err(e) => Err(Error::Model(e)),
    }
}

/// `n` and `noun`, in the plural unless `n` is 1: `1 chain`, `4 chains`.
fn counted(n: u128, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// How messages name the initial values of `chain` (0-based) when `sets` were given: one set
/// serves every chain.
fn initial_values(sets: usize, chain: usize) -> String {
    if sets == 1 {
        "initial values".to_string()
    } else {
        format!("initial values of chain {}", chain + 1)
    }
}

/// The stack size of a chain's thread.
const CHAIN_STACK: usize = 64 << 20;

/// The largest tree depth the sampler accepts.
const MAX_DEPTH_LIMIT: u32 = 62;

/// Where the chains start.
#[derive(Debug, Clone, PartialEq)]
enum Inits {
    /// Uniform in `(-init_radius, init_radius)` on the unconstrained scale.
    Random,
    /// Given on the unconstrained scale.
    Unconstrained(Vec<Vec<f64>>),
    /// Given by name on the constrained scale.
    Constrained(Vec<DataSource>),
}

/// How one chain ended.
#[derive(Debug)]
enum ChainOutcome {
    Done(Box<(ChainFit, WarmupChain)>),
    Failed(Error),
    Stopped,
}
