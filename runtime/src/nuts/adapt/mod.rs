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

    /// Learns from one warm-up transition with acceptance statistic `accept_stat` ending at `q`
    /// with gradient `grad`; `divergent` says whether the transition diverged.
    pub fn learn(
        &mut self,
        accept_stat: f64,
        divergent: bool,
        q: &[f64],
        grad: &[f64],
        metric: &mut Metric,
    ) -> Learned {
        let step_size = self.step_size.learn(accept_stat);
        if !self.adapt_metric {
            return Learned { step_size, search_step_size: false };
        }
        if let Some(dg) = &mut self.draws_gradients {
            let change = dg.learn(q, grad, !divergent, metric.diagonal_mut());
            let search_step_size = matches!(change, MetricChange::First | MetricChange::Frozen);
            return Learned { step_size, search_step_size };
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
