//! The result of sampling: draws, sampler statistics (Stan's `lp__`, `accept_stat__`, ...),
//! the adapted step sizes and metrics, and timing, per chain.

use crate::error::Error;
use std::time::Duration;

/// Stan's sampler statistics of one chain, one entry per kept draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SamplerStats {
    /// `lp__`: the log density (with Jacobians, without constants) at each draw.
    pub lp: Vec<f64>,
    /// `accept_stat__`: mean acceptance probability over the tree's leapfrog steps.
    pub accept_stat: Vec<f64>,
    /// `stepsize__`: the step size, constant after warm-up.
    pub stepsize: Vec<f64>,
    /// `treedepth__`: the number of completed tree doublings.
    pub treedepth: Vec<u32>,
    /// `n_leapfrog__`: the number of leapfrog steps.
    pub n_leapfrog: Vec<u32>,
    /// `divergent__`: whether the trajectory diverged.
    pub divergent: Vec<bool>,
    /// `energy__`: the Hamiltonian at each draw.
    pub energy: Vec<f64>,
}

impl SamplerStats {
    /// Empty statistics with room for `n` draws.
    pub fn with_capacity(n: usize) -> Self {
        SamplerStats {
            lp: Vec::with_capacity(n),
            accept_stat: Vec::with_capacity(n),
            stepsize: Vec::with_capacity(n),
            treedepth: Vec::with_capacity(n),
            n_leapfrog: Vec::with_capacity(n),
            divergent: Vec::with_capacity(n),
            energy: Vec::with_capacity(n),
        }
    }

    /// Appends one transition's statistics.
    pub fn push(&mut self, t: &crate::nuts::Transition) {
        self.lp.push(t.lp);
        self.accept_stat.push(t.accept_stat);
        self.stepsize.push(t.step_size);
        self.treedepth.push(t.depth);
        self.n_leapfrog.push(t.n_leapfrog);
        self.divergent.push(t.divergent);
        self.energy.push(t.energy);
    }

    /// The number of draws recorded.
    pub fn len(&self) -> usize {
        self.lp.len()
    }

    /// Whether no draw was recorded.
    pub fn is_empty(&self) -> bool {
        self.lp.is_empty()
    }
}

/// Everything one chain produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainFit {
    /// Draws, variable-major: the `num_draws` draws of output 0, then of output 1, ...
    pub draws: Vec<f64>,
    /// Sampler statistics per draw.
    pub stats: SamplerStats,
    /// The step size after warm-up.
    pub step_size: f64,
    /// The inverse metric after warm-up: its diagonal, or for a dense metric the whole
    /// matrix row by row.
    pub inv_metric: Vec<f64>,
    /// Gradient evaluations, warm-up and initialisation included.
    pub gradient_evaluations: u64,
    /// Wall time of initialisation and warm-up.
    pub warmup_time: Duration,
    /// Wall time of the kept draws.
    pub sampling_time: Duration,
    /// The messages of rejected proposals and failed generated quantities, counted.
    pub rejections: crate::rejections::Rejections,
}

/// The warm-up iterations of one chain, kept when [`crate::sampler::Sampler::save_warmup`] is
/// on: draws in the same variable-major layout as [`ChainFit::draws`], and their statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarmupChain {
    /// Draws, variable-major: the warm-up draws of output 0, then of output 1, ...
    pub draws: Vec<f64>,
    /// Sampler statistics per warm-up iteration.
    pub stats: SamplerStats,
}

/// The settings a fit was sampled with, as the CSV header reports them (CmdStan's argument
/// names in the comments).
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// The model's name, as written in `model!`.
    pub model: String,
    /// The number of chains.
    pub chains: usize,
    /// Warm-up iterations per chain (`num_warmup`).
    pub num_warmup: usize,
    /// Kept draws per chain (`num_samples`).
    pub num_samples: usize,
    /// Whether the warm-up draws were kept (`save_warmup`).
    pub save_warmup: bool,
    /// The seed every random stream derives from (`random seed`).
    pub seed: u64,
    /// Maximum tree depth (`max_depth`).
    pub max_depth: u32,
    /// Target acceptance statistic (`adapt delta`).
    pub adapt_delta: f64,
    /// Whether the metric was adapted; when not, the metric is the identity
    /// (`metric = unit_e`).
    pub adapt_metric: bool,
    /// Diagonal (`diag_e`) or dense (`dense_e`) metric.
    pub metric: crate::nuts::MetricKind,
    /// How the metric was learned, when it was adapted.
    pub metric_adaptation: crate::nuts::MetricAdaptation,
    /// Dual averaging regularisation scale (`adapt gamma`).
    pub gamma: f64,
    /// Dual averaging relaxation exponent (`adapt kappa`).
    pub kappa: f64,
    /// Dual averaging iteration offset (`adapt t0`).
    pub t0: f64,
    /// Iterations before the first metric window (`adapt init_buffer`).
    pub init_buffer: usize,
    /// Iterations after the last metric window (`adapt term_buffer`).
    pub term_buffer: usize,
    /// Length of the first metric window (`adapt window`).
    pub window: usize,
    /// Radius of the random initial values on the unconstrained scale (`init`).
    pub init_radius: f64,
    /// Whether initial values were given instead of drawn.
    pub inits_given: bool,
    /// The number of OS threads the chains ran on (`num_threads`).
    pub threads: usize,
}

impl RunConfig {
    /// Stan's defaults for a run of `chains` chains with `num_samples` draws each, as assumed
    /// for a fit that was assembled by hand rather than sampled.
    pub fn defaults(chains: usize, num_samples: usize, max_depth: u32) -> RunConfig {
        let nuts = crate::nuts::Settings::default();
        RunConfig {
            model: "model".into(),
            chains,
            num_warmup: nuts.num_warmup,
            num_samples,
            save_warmup: false,
            seed: 0,
            max_depth,
            adapt_delta: nuts.adapt_delta,
            adapt_metric: nuts.adapt_metric,
            metric: nuts.metric,
            metric_adaptation: nuts.metric_adaptation,
            gamma: nuts.gamma,
            kappa: nuts.kappa,
            t0: nuts.t0,
            init_buffer: nuts.init_buffer,
            term_buffer: nuts.term_buffer,
            window: nuts.base_window,
            init_radius: 2.0,
            inits_given: false,
            threads: 1,
        }
    }
}

/// Draws and diagnostics of all chains of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    names: Vec<String>,
    shapes: Vec<(String, Vec<usize>)>,
    num_draws: usize,
    max_depth: u32,
    chains: Vec<ChainFit>,
    warmup: Vec<WarmupChain>,
    config: RunConfig,
}

impl Fit {
    /// Assembles a fit, checking that every chain has `names.len()` outputs of equally many
    /// draws, and statistics for each draw.
    pub fn new(
        names: Vec<String>,
        shapes: Vec<(String, Vec<usize>)>,
        max_depth: u32,
        chains: Vec<ChainFit>,
    ) -> Result<Fit, Error> {
        let num_draws = chains.first().map_or(0, |c| c.stats.len());
        for (i, c) in chains.iter().enumerate() {
            if c.stats.len() != num_draws || c.draws.len() != num_draws * names.len() {
                return Err(Error::Sampling(format!(
                    "chain {} has {} draws of {} values, expected {num_draws} draws of {} outputs",
                    i + 1,
                    c.stats.len(),
                    c.draws.len(),
                    names.len()
                )));
            }
        }
        let config = RunConfig::defaults(chains.len(), num_draws, max_depth);
        Ok(Fit { names, shapes, num_draws, max_depth, chains, warmup: Vec::new(), config })
    }

    /// The fit with the settings it was sampled with; the sampler records them.
    pub fn with_config(mut self, config: RunConfig) -> Fit {
        self.config = config;
        self
    }

    /// The fit with each chain's warm-up draws, checking that there is one entry per chain,
    /// every one with equally many iterations, each with a value for every output.
    pub fn with_warmup(mut self, warmup: Vec<WarmupChain>) -> Result<Fit, Error> {
        if warmup.len() != self.chains.len() {
            return Err(Error::Sampling(format!(
                "warm-up draws of {} chains were given for a fit of {} chains",
                warmup.len(),
                self.chains.len()
            )));
        }
        let n = warmup.first().map_or(0, |w| w.stats.len());
        for (i, w) in warmup.iter().enumerate() {
            if w.stats.len() != n || w.draws.len() != n * self.names.len() {
                return Err(Error::Sampling(format!(
                    "chain {} has {} warm-up iterations of {} values, expected {n} of {} outputs",
                    i + 1,
                    w.stats.len(),
                    w.draws.len(),
                    self.names.len()
                )));
            }
        }
        self.warmup = warmup;
        Ok(self)
    }

    /// The settings of the run.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Output names in Stan's order and spelling (`theta[1]`, ...).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Output variables with their dimensions (empty for scalars).
    pub fn shapes(&self) -> &[(String, Vec<usize>)] {
        &self.shapes
    }

    /// The number of chains.
    pub fn num_chains(&self) -> usize {
        self.chains.len()
    }

    /// The number of kept draws per chain.
    pub fn num_draws(&self) -> usize {
        self.num_draws
    }

    /// The maximum tree depth the chains ran with.
    pub fn max_depth(&self) -> u32 {
        self.max_depth
    }

    /// Each chain's data, in chain order.
    pub fn chains(&self) -> &[ChainFit] {
        &self.chains
    }

    /// The draws of output `name` (e.g. `"theta[2]"`), one slice per chain.
    pub fn chain_draws(&self, name: &str) -> Option<Vec<&[f64]>> {
        let index = self.names.iter().position(|n| n == name)?;
        Some(self.variable_chains(index))
    }

    /// The draws of output `name`, all chains concatenated in chain order.
    pub fn draws(&self, name: &str) -> Option<Vec<f64>> {
        self.chain_draws(name).map(|chains| chains.concat())
    }

    /// The draws of output number `index`, one slice per chain. Panics if `index` is not below
    /// `names().len()`.
    pub fn variable_chains(&self, index: usize) -> Vec<&[f64]> {
        let n = self.num_draws;
        self.chains.iter().map(|c| &c.draws[index * n..(index + 1) * n]).collect()
    }

    /// The draws of a whole variable (`"theta"`, or a scalar such as `"mu"`) with its
    /// dimensions: `(dims, values)`, where `values` holds one block of `dims.iter().product()`
    /// elements per draw, in Stan's column-major element order (the order of [`Fit::names`]),
    /// draws of chain 1 first, then of chain 2, and so on. So the element `k` of draw `d` is
    /// `values[d * len + k]`. `None` if there is no such variable.
    pub fn draws_shaped(&self, name: &str) -> Option<(Vec<usize>, Vec<f64>)> {
        let (first, dims) = self.variable_range(name)?;
        let len: usize = dims.iter().product();
        let mut values = Vec::with_capacity(len * self.num_draws * self.chains.len());
        for chain in &self.chains {
            for d in 0..self.num_draws {
                values.extend((first..first + len).map(|v| chain.draws[v * self.num_draws + d]));
            }
        }
        Some((dims, values))
    }

    /// Where variable `name`'s elements start among the outputs, and its dimensions.
    fn variable_range(&self, name: &str) -> Option<(usize, Vec<usize>)> {
        let mut first = 0;
        for (n, dims) in &self.shapes {
            if n == name {
                return Some((first, dims.clone()));
            }
            first += dims.iter().product::<usize>();
        }
        None
    }

    /// The number of warm-up iterations kept per chain: 0 unless the fit was sampled with
    /// [`crate::sampler::Sampler::save_warmup`].
    pub fn num_warmup_draws(&self) -> usize {
        self.warmup.first().map_or(0, |w| w.stats.len())
    }

    /// The kept warm-up draws and statistics of each chain (empty unless saved).
    pub fn warmup_chains(&self) -> &[WarmupChain] {
        &self.warmup
    }

    /// The warm-up draws of output `name`, one slice per chain; the slices are empty unless
    /// the warm-up was saved. `None` if there is no such output.
    pub fn warmup_chain_draws(&self, name: &str) -> Option<Vec<&[f64]>> {
        let index = self.names.iter().position(|n| n == name)?;
        let n = self.num_warmup_draws();
        if self.warmup.is_empty() {
            return Some(vec![&[][..]; self.chains.len()]);
        }
        Some(self.warmup.iter().map(|w| &w.draws[index * n..(index + 1) * n]).collect())
    }

    /// The warm-up draws of output `name`, all chains concatenated in chain order; empty
    /// unless the warm-up was saved. `None` if there is no such output.
    pub fn warmup_draws(&self, name: &str) -> Option<Vec<f64>> {
        self.warmup_chain_draws(name).map(|chains| chains.concat())
    }

    /// `lp__` of each chain.
    pub fn lp_chains(&self) -> Vec<&[f64]> {
        self.chains.iter().map(|c| c.stats.lp.as_slice()).collect()
    }

    /// The sampler statistics of chain `chain` (0-based). Panics if there is no such chain.
    pub fn stats(&self, chain: usize) -> &SamplerStats {
        &self.chains[chain].stats
    }

    /// The number of divergent draws of each chain.
    pub fn divergences(&self) -> Vec<usize> {
        self.chains.iter().map(|c| c.stats.divergent.iter().filter(|&&d| d).count()).collect()
    }

    /// The number of draws of each chain that stopped at the maximum tree depth.
    pub fn max_depth_hits(&self) -> Vec<usize> {
        let max = self.max_depth;
        self.chains
            .iter()
            .map(|c| c.stats.treedepth.iter().filter(|&&d| d >= max).count())
            .collect()
    }

    /// The adapted step size of each chain.
    pub fn step_sizes(&self) -> Vec<f64> {
        self.chains.iter().map(|c| c.step_size).collect()
    }

    /// The adapted inverse metric of each chain: the diagonal, or a dense matrix row by row.
    pub fn inv_metrics(&self) -> Vec<&[f64]> {
        self.chains.iter().map(|c| c.inv_metric.as_slice()).collect()
    }

    /// Gradient evaluations of each chain, warm-up included.
    pub fn gradient_evaluations(&self) -> Vec<u64> {
        self.chains.iter().map(|c| c.gradient_evaluations).collect()
    }

    /// Wall time of initialisation and warm-up of each chain.
    pub fn warmup_times(&self) -> Vec<Duration> {
        self.chains.iter().map(|c| c.warmup_time).collect()
    }

    /// Wall time of the kept draws of each chain.
    pub fn sampling_times(&self) -> Vec<Duration> {
        self.chains.iter().map(|c| c.sampling_time).collect()
    }
}

impl Fit {
    /// The summary table of `lp__` and every output, with the sampler's warnings, as CmdStan's
    /// `stansummary` prints it.
    pub fn summary(&self) -> crate::summary::Summary {
        let mut rows = Vec::with_capacity(self.names.len() + 1);
        rows.push(crate::summary::SummaryRow::compute("lp__", &self.lp_chains()));
        for (i, name) in self.names.iter().enumerate() {
            rows.push(crate::summary::SummaryRow::compute(name, &self.variable_chains(i)));
        }
        let facts = crate::summary::SamplerFacts {
            chains: self.num_chains(),
            draws_per_chain: self.num_draws,
            divergent_per_chain: self.divergences(),
            max_depth: self.max_depth,
            max_depth_hits_per_chain: self.max_depth_hits(),
            ebfmi_per_chain: self
                .chains
                .iter()
                .map(|c| crate::diagnostics::ebfmi(&c.stats.energy))
                .collect(),
            rejections: self.all_rejections(),
        };
        crate::summary::Summary::new(rows, &facts)
    }

    /// The messages of rejected proposals and of failed generated quantities of chain `chain`
    /// (0-based), counted by problem, warm-up and sampling apart.
    pub fn rejections(&self, chain: usize) -> &crate::rejections::Rejections {
        &self.chains[chain].rejections
    }

    /// [`Fit::rejections`] summed over all chains.
    pub fn all_rejections(&self) -> crate::rejections::Rejections {
        let mut all = crate::rejections::Rejections::new();
        for c in &self.chains {
            all.merge(&c.rejections);
        }
        all
    }

    /// Gradient evaluations summed over all chains, warm-up included.
    pub fn total_gradient_evaluations(&self) -> u64 {
        self.chains.iter().map(|c| c.gradient_evaluations).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(draws: Vec<f64>, n: usize) -> ChainFit {
        let mut stats = SamplerStats::with_capacity(n);
        for i in 0..n {
            stats.push(&crate::nuts::Transition {
                lp: -(i as f64),
                divergent: i == 0,
                depth: 10,
                ..Default::default()
            });
        }
        ChainFit {
            draws,
            stats,
            step_size: 0.5,
            inv_metric: vec![1.0, 2.0],
            gradient_evaluations: 7,
            warmup_time: Duration::ZERO,
            sampling_time: Duration::ZERO,
            rejections: Default::default(),
        }
    }

    #[test]
    fn draws_are_variable_major_per_chain() {
        let names = vec!["a".to_string(), "b[1]".to_string()];
        let shapes = vec![("a".into(), vec![]), ("b".into(), vec![1])];
        let chains =
            vec![chain(vec![1.0, 2.0, 10.0, 20.0], 2), chain(vec![3.0, 4.0, 30.0, 40.0], 2)];
        let fit = Fit::new(names, shapes, 10, chains).unwrap();
        assert_eq!(fit.chain_draws("b[1]").unwrap(), vec![&[10.0, 20.0][..], &[30.0, 40.0][..]]);
        assert_eq!(fit.draws("a").unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
        assert!(fit.draws("c").is_none());
        assert_eq!(fit.divergences(), vec![1, 1]);
        assert_eq!(fit.max_depth_hits(), vec![2, 2]);
        assert_eq!(fit.lp_chains()[1], &[0.0, -1.0][..]);
    }

    #[test]
    fn mismatched_chain_lengths_are_an_error() {
        let names = vec!["a".to_string()];
        let chains = vec![chain(vec![1.0, 2.0], 2), chain(vec![1.0], 1)];
        let err = Fit::new(names, vec![], 10, chains).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chain 2 has 1 draws of 1 values, expected 2 draws of 1 outputs"
        );
    }
}
