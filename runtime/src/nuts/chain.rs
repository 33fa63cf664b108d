//! One Markov chain: initialisation, NUTS transitions, and warm-up adaptation as Stan's
//! `run_adaptive_sampler` and `adapt_diag_e_nuts` sequence them.

use super::adapt::step_size::init_step_size;
use super::adapt::{Adaptation, Seen};
use super::integrator::{Counted, Point};
use super::metric::Metric;
use super::tree::{Trajectory, TreeLimits};
use super::{Settings, Transition};
use crate::error::Error;
use crate::model::{LogDensity, ModelError};
use rand::Rng;

/// How many random initial points are tried before giving up, as in Stan.
pub const MAX_INIT_TRIES: usize = 100;

/// A NUTS chain over a [`LogDensity`], with every buffer allocated by [`Chain::new`].
///
/// Call [`Chain::initialize`] once, then [`Chain::transition`]: the first
/// `settings.num_warmup` transitions adapt the step size and inverse metric; afterwards both
/// are fixed.
#[derive(Debug, Clone)]
pub struct Chain {
    settings: Settings,
    state: Point,
    scratch: Point,
    trajectory: Trajectory,
    metric: Metric,
    step_size: f64,
    adaptation: Adaptation,
    iteration: usize,
    initialized: bool,
    last: Transition,
    gradient_evaluations: u64,
}

impl Chain {
    /// A chain of dimension `dim`, with a unit inverse metric of the kind the settings name.
    pub fn new(settings: Settings, dim: usize) -> Self {
        Chain {
            state: Point::new(dim),
            scratch: Point::new(dim),
            trajectory: Trajectory::new(dim, settings.max_depth),
            metric: Metric::identity(settings.metric, dim),
            step_size: settings.init_step_size,
            adaptation: Adaptation::new(dim, &settings, settings.num_warmup),
            iteration: 0,
            initialized: false,
            last: Transition::default(),
            gradient_evaluations: 0,
            settings,
        }
    }

    /// Finds the initial point and step size. With `init` the chain starts there (on the
    /// unconstrained scale); otherwise each coordinate is drawn uniformly from
    /// `(-radius, radius)`, up to [`MAX_INIT_TRIES`] times, until the log density and its
    /// gradient are finite. Then Stan's step size heuristic runs.
    pub fn initialize<D, R>(
        &mut self,
        density: &mut D,
        rng: &mut R,
        init: Option<&[f64]>,
        radius: f64,
    ) -> Result<(), Error>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        let mut density = Counted::new(density);
        let found = self.find_initial_point(&mut density, rng, init, radius);
        if found.is_ok() {
            self.adaptation.start(&self.state.q, &self.state.grad, &mut self.metric);
        }
        let step_size = found.and_then(|()| {
            init_step_size(
                &self.state,
                &mut self.scratch,
                &self.metric,
                self.step_size,
                &mut density,
                rng,
            )
            .map_err(|e| Error::Sampling(e.to_string()))
        });
        self.gradient_evaluations += density.count;
        self.step_size = step_size?;
        self.initialized = true;
        Ok(())
    }

    fn find_initial_point<D, R>(
        &mut self,
        density: &mut D,
        rng: &mut R,
        init: Option<&[f64]>,
        radius: f64,
    ) -> Result<(), Error>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        let dim = self.state.q.len();
        if let Some(init) = init {
            if init.len() != dim {
                return Err(Error::Sampling(format!(
                    "initial values have length {}, but the model has {dim} unconstrained \
                     parameters",
                    init.len()
                )));
            }
            self.state.q.copy_from_slice(init);
            return self.check_initial_point(density).map_err(|why| {
                Error::Sampling(format!("initialization at the given values failed: {why}"))
            });
        }
        let mut last_problem = String::new();
        for _ in 0..MAX_INIT_TRIES {
            for q in self.state.q.iter_mut() {
                *q = if radius > 0.0 { rng.random_range(-radius..radius) } else { 0.0 };
            }
            match self.check_initial_point(density) {
                Ok(()) => return Ok(()),
                Err(InitProblem::Fatal(e)) => return Err(Error::Model(e)),
                Err(InitProblem::Rejected(why)) => last_problem = why,
            }
        }
        Err(Error::Sampling(format!(
            "initialization failed: no point drawn uniformly from (-{radius}, {radius}) on the \
             unconstrained scale had a finite log density and gradient after {MAX_INIT_TRIES} \
             attempts; last problem: {last_problem}"
        )))
    }

    fn check_initial_point<D>(&mut self, density: &mut D) -> Result<(), InitProblem>
    where
        D: LogDensity + ?Sized,
    {
        let z = &mut self.state;
        let problem = match density.logp_and_grad(&z.q, &mut z.grad) {
            Err(e) if e.is_recoverable() => e.to_string(),
            Err(e) => return Err(InitProblem::Fatal(e)),
            Ok(lp) if !lp.is_finite() => format!("the log density is {lp}"),
            Ok(_) if z.grad.iter().any(|g| !g.is_finite()) => {
                let (i, g) = z.grad.iter().enumerate().find(|(_, g)| !g.is_finite()).unwrap();
                return Err(InitProblem::Rejected(format!(
                    "the gradient with respect to unconstrained coordinate {} is {g}",
                    i + 1
                )));
            }
            Ok(lp) => {
                z.lp = lp;
                return Ok(());
            }
        };
        // Say which statement failed, if the density can tell; the message it gave may only
        // name a distribution's argument, or nothing at all for an infinite density.
        Err(InitProblem::Rejected(density.explain(&z.q).unwrap_or(problem)))
    }

    /// One NUTS transition; during warm-up it also adapts. A recoverable model error inside the
    /// trajectory is a divergence; a fatal one is returned and the chain must stop.
    pub fn transition<D, R>(
        &mut self,
        density: &mut D,
        rng: &mut R,
    ) -> Result<&Transition, ModelError>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        if !self.initialized {
            return Err(ModelError::fatal("the chain was not initialized before sampling"));
        }
        let mut density = Counted::new(density);
        let limits = TreeLimits {
            max_depth: self.settings.max_depth,
            max_energy_error: self.settings.max_energy_error,
        };
        let result = self.trajectory.transition(
            &mut self.state,
            &self.metric,
            self.step_size,
            limits,
            &mut density,
            rng,
        );
        let outcome = result.and_then(|transition| {
            self.last = transition;
            self.iteration += 1;
            if self.iteration <= self.settings.num_warmup {
                self.adapt(&mut density, rng)
            } else {
                Ok(())
            }
        });
        self.gradient_evaluations += density.count;
        outcome.map(|()| &self.last)
    }

    fn adapt<D, R>(&mut self, density: &mut Counted<'_, D>, rng: &mut R) -> Result<(), ModelError>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        let seen = Seen {
            accept_stat: self.last.accept_stat,
            accept_sym: self.trajectory.accept_sym,
            divergent: self.last.divergent,
            index: self.state.index,
        };
        let learned =
            self.adaptation.learn(seen, &self.state.q, &self.state.grad, &mut self.metric);
        self.step_size = learned.step_size;
        if learned.search_step_size {
            self.step_size = init_step_size(
                &self.state,
                &mut self.scratch,
                &self.metric,
                self.step_size,
                density,
                rng,
            )?;
            self.adaptation.restart_step_size(self.step_size);
        }
        // Warm-up ends with the averaged step size. (With no warm-up this is never reached and
        // the heuristic's step size is kept, where Stan would fall back to exp(0) = 1.)
        if self.iteration == self.settings.num_warmup {
            self.step_size = self.adaptation.step_size.final_step_size();
        }
        Ok(())
    }

    /// Whether the next transition is a warm-up transition.
    pub fn is_warmup(&self) -> bool {
        self.iteration < self.settings.num_warmup
    }

    /// The current position, on the unconstrained scale.
    pub fn position(&self) -> &[f64] {
        &self.state.q
    }

    /// The step size of the next transition.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }

    /// The inverse metric: its diagonal, or for a dense metric the whole `d × d` matrix row
    /// by row.
    pub fn inv_metric(&self) -> &[f64] {
        self.metric.values()
    }

    /// Gradient evaluations so far: initialisation, step size searches and leapfrog steps.
    pub fn gradient_evaluations(&self) -> u64 {
        self.gradient_evaluations
    }

    /// The settings the chain was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// Why an initial point was not accepted.
enum InitProblem {
    Rejected(String),
    Fatal(ModelError),
}

impl std::fmt::Display for InitProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitProblem::Rejected(why) => f.write_str(why),
            InitProblem::Fatal(e) => write!(f, "{e}"),
        }
    }
}
