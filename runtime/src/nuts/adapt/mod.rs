//! Stan's warm-up adaptation of the metric and the step size (`stepsize_var_adapter`,
//! `stepsize_covar_adapter`; Stan reference manual, "HMC algorithm parameters").

pub(crate) mod draws_gradients;
pub(crate) mod metric;
pub(crate) mod step_size;
pub(crate) mod windows;

use super::MetricAdaptation;
use super::metric::{Metric, MetricKind};
use draws_gradients::{DrawsAndGradients, MetricChange};
use metric::{WelfordCovariance, WelfordVariance};
use step_size::DualAveraging;
use windows::Windows;

/// The adaptation state of one chain during warm-up.
#[derive(Debug, Clone)]
pub(crate) struct Adaptation {
    pub step_size: DualAveraging,
    windows: Windows,
    variance: WelfordVariance,
    /// Present for a dense metric, which Stan's windows learn from the draws' covariance.
    covariance: Option<WelfordCovariance>,
    adapt_metric: bool,
    /// Present when the metric is learned from draws and gradients instead of Stan's windows.
    draws_gradients: Option<DrawsAndGradients>,
}

/// What the adaptation sees of one warm-up transition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Seen {
    /// Stan's acceptance statistic, the mean of `min(1, exp(H0 - H))` over the leapfrog steps.
    pub accept_stat: f64,
    /// The symmetric acceptance statistic (`tree::sym_accept_prob`) averaged the same way.
    pub accept_sym: f64,
    /// Whether the transition diverged.
    pub divergent: bool,
    /// Leapfrog steps from the transition's start to the selected state, signed.
    pub index: i64,
}

/// What one warm-up iteration decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Learned {
    /// The step size for the next transition.
    pub step_size: f64,
    /// Whether the step size must be searched for again around the changed metric.
    pub search_step_size: bool,
}

impl Adaptation {
    pub fn new(dim: usize, settings: &super::Settings, num_warmup: usize) -> Self {
        let mut step_size =
            DualAveraging::new(settings.adapt_delta, settings.gamma, settings.kappa, settings.t0);
        step_size.set_mu((10.0 * settings.init_step_size).ln());
        Adaptation {
            step_size,
            windows: Windows::new(
                num_warmup,
                settings.init_buffer,
                settings.term_buffer,
                settings.base_window,
            ),
            variance: WelfordVariance::new(dim),
            covariance: (settings.adapt_metric && settings.metric == MetricKind::Dense)
                .then(|| WelfordCovariance::new(dim)),
            adapt_metric: settings.adapt_metric,
            draws_gradients: (settings.adapt_metric
                && settings.metric == MetricKind::Diagonal
                && settings.metric_adaptation == MetricAdaptation::DrawsAndGradients)
                .then(|| DrawsAndGradients::new(dim, num_warmup)),
        }
    }

    /// Sets the starting metric from the initial point `q` and its gradient, where the metric
    /// is learned from gradients; Stan's windows start from the identity.
    pub fn start(&mut self, q: &[f64], grad: &[f64], metric: &mut Metric) {
        if let Some(dg) = &mut self.draws_gradients {
            dg.start(q, grad, metric.diagonal_mut());
        }
    }

    /// Learns from one warm-up transition `seen`, whose end point is `q` with gradient `grad`.
    pub fn learn(&mut self, seen: Seen, q: &[f64], grad: &[f64], metric: &mut Metric) -> Learned {
        if let Some(dg) = &mut self.draws_gradients {
            // nuts-rs learns nothing from a transition that stayed where it began, which would
            // count its start twice, nor from a divergent one that ended within 4 steps of its
            // start, whose end point is chosen among too few states.
            let usable = if seen.divergent { seen.index.abs() > 4 } else { seen.index != 0 };
            let late = dg.is_late();
            let change = dg.learn(q, grad, usable, metric.diagonal_mut());
            // Late in warm-up the step size is set for the symmetric statistic, so that it is
            // not driven up by transitions that lose energy and look perfectly accepted.
            let accept = if late { seen.accept_sym } else { seen.accept_stat };
            let step_size = self.step_size.learn(accept);
            return Learned { step_size, search_step_size: change == MetricChange::Renewed };
        }
        let step_size = self.step_size.learn(seen.accept_stat);
        if !self.adapt_metric {
            return Learned { step_size, search_step_size: false };
        }
        let in_window = self.windows.in_window();
        let metric_updated = self.windows.is_window_end();
        if let Some(cov) = &mut self.covariance {
            if in_window {
                cov.add_sample(q);
            }
            if metric_updated {
                cov.regularized_covariance(metric);
                cov.restart();
            }
        } else {
            if in_window {
                self.variance.add_sample(q);
            }
            if metric_updated {
                self.variance.regularized_variance(metric.diagonal_mut());
                self.variance.restart();
            }
        }
        if metric_updated {
            self.windows.compute_next_window();
        }
        self.windows.advance();
        Learned { step_size, search_step_size: metric_updated }
    }

    /// Restarts dual averaging around a freshly initialised step size.
    pub fn restart_step_size(&mut self, step_size: f64) {
        self.step_size.set_mu((10.0 * step_size).ln());
        self.step_size.restart();
    }
}
