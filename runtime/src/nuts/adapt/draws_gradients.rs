//! A diagonal inverse metric learned from the draws and the gradients together, the way nutpie
//! adapts (Seyboldt et al., "Preconditioning Hamiltonian Monte Carlo by minimizing Fisher
//! divergence", and nuts-rs).
//!
//! For a Gaussian posterior, the variance of each coordinate over the draws is `sigma^2` and
//! that of the gradient is `1 / sigma^2`, so `sqrt(var(draws) / var(gradients))` estimates
//! `sigma^2` from both at once, and does so from fewer draws than the variance of the draws
//! alone: the gradient tells every draw how far it is from the centre. The metric starts at
//! `1 / |gradient|` of the initial point, changes after every warm-up draw, and comes from a
//! window that is replaced by a younger one every 10 draws early in warm-up and every 80
//! draws later, so that the transient of the first draws is forgotten. The last 15% of warm-up
//! adapts the step size alone.

use super::metric::WelfordVariance;

/// Bounds on the metric's entries, which keep a degenerate estimate (a coordinate whose
/// gradient does not vary) finite.
const MIN_VARIANCE: f64 = 1e-20;
const MAX_VARIANCE: f64 = 1e20;

/// Fraction of warm-up with the short window switches.
const EARLY_FRACTION: f64 = 0.3;
/// Fraction of warm-up, at its end, with a fixed metric.
const STEP_SIZE_FRACTION: f64 = 0.15;
/// Draws between window switches early in warm-up, and after.
const EARLY_SWITCH: usize = 10;
const LATE_SWITCH: usize = 80;

/// The running variances of draws and gradients in the current window and in the younger one
/// that will replace it.
#[derive(Debug, Clone)]
pub(crate) struct DrawsAndGradients {
    draws: WelfordVariance,
    grads: WelfordVariance,
    young_draws: WelfordVariance,
    young_grads: WelfordVariance,
    early_end: usize,
    metric_end: usize,
    iteration: usize,
    changed: bool,
}

/// What one warm-up draw did to the metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetricChange {
    /// The metric stayed as it was.
    None,
    /// The metric changed for the first time since the start: the step size, chosen for the
    /// starting metric, must be searched for again.
    First,
    /// The metric changed again.
    Again,
    /// The metric is now fixed for the rest of warm-up, which adapts the step size alone.
    Frozen,
}

impl DrawsAndGradients {
    pub fn new(dim: usize, num_warmup: usize) -> Self {
        let n = num_warmup as f64;
        DrawsAndGradients {
            draws: WelfordVariance::new(dim),
            grads: WelfordVariance::new(dim),
            young_draws: WelfordVariance::new(dim),
            young_grads: WelfordVariance::new(dim),
            early_end: (EARLY_FRACTION * n) as usize,
            metric_end: num_warmup - (STEP_SIZE_FRACTION * n) as usize,
            iteration: 0,
            changed: false,
        }
    }

    /// Starts from the initial point: the metric becomes `1 / |gradient|`, or 1 for a
    /// coordinate whose gradient is zero, which says nothing of its scale.
    pub fn start(&mut self, q: &[f64], grad: &[f64], inv_metric: &mut [f64]) {
        self.add(q, grad);
        for (v, g) in inv_metric.iter_mut().zip(grad) {
            let g = g.abs();
            *v = if g > 0.0 && g.is_finite() {
                g.clamp(1.0 / MAX_VARIANCE, 1.0 / MIN_VARIANCE).recip()
            } else {
                1.0
            };
        }
    }

    fn add(&mut self, q: &[f64], grad: &[f64]) {
        self.draws.add_sample(q);
        self.grads.add_sample(grad);
        self.young_draws.add_sample(q);
        self.young_grads.add_sample(grad);
    }

    /// Learns from the draw `q` with gradient `grad`; `usable` is false for a draw that ended
    /// a divergent transition, which is left out of the estimates.
    pub fn learn(
        &mut self,
        q: &[f64],
        grad: &[f64],
        usable: bool,
        inv_metric: &mut [f64],
    ) -> MetricChange {
        let it = self.iteration;
        self.iteration += 1;
        if it >= self.metric_end {
            return MetricChange::None;
        }
        if usable {
            self.add(q, grad);
        }
        let switch = if it < self.early_end { EARLY_SWITCH } else { LATE_SWITCH };
        if self.young_draws.count() >= switch && it + switch <= self.metric_end {
            std::mem::swap(&mut self.draws, &mut self.young_draws);
            std::mem::swap(&mut self.grads, &mut self.young_grads);
            self.young_draws.restart();
            self.young_grads.restart();
        }
        if self.draws.count() < 3 {
            return MetricChange::None;
        }
        for (j, v) in inv_metric.iter_mut().enumerate() {
            let estimate = (self.draws.variance(j) / self.grads.variance(j)).sqrt();
            if estimate.is_finite() && estimate > 0.0 {
                *v = estimate.clamp(MIN_VARIANCE, MAX_VARIANCE);
            }
        }
        if it + 1 == self.metric_end {
            MetricChange::Frozen
        } else if !self.changed {
            self.changed = true;
            MetricChange::First
        } else {
            MetricChange::Again
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws of a Gaussian with standard deviations 0.1 and 10, and their exact gradients.
    fn gaussian_draws(n: usize) -> Vec<([f64; 2], [f64; 2])> {
        let sd = [0.1, 10.0];
        let mut state = 12345_u64;
        let mut normal = || {
            // Box-Muller from a small linear congruential generator: enough for a test.
            let mut u = || {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
            };
            let (u1, u2) = (u(), u());
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        };
        (0..n)
            .map(|_| {
                let q = [sd[0] * normal(), sd[1] * normal()];
                (q, [-q[0] / (sd[0] * sd[0]), -q[1] / (sd[1] * sd[1])])
            })
            .collect()
    }

    #[test]
    fn the_metric_approaches_the_variances_of_a_gaussian() {
        let draws = gaussian_draws(1000);
        let mut adapt = DrawsAndGradients::new(2, 1000);
        let mut inv_metric = [1.0, 1.0];
        adapt.start(&draws[0].0, &draws[0].1, &mut inv_metric);
        let mut changes = Vec::new();
        for (q, g) in &draws[1..] {
            changes.push(adapt.learn(q, g, true, &mut inv_metric));
        }
        // Both ratios are within 20% of the true variances 0.01 and 100: 80 draws suffice.
        assert!((inv_metric[0] / 0.01 - 1.0).abs() < 0.2, "{inv_metric:?}");
        assert!((inv_metric[1] / 100.0 - 1.0).abs() < 0.2, "{inv_metric:?}");
        assert_eq!(changes.iter().filter(|c| **c == MetricChange::First).count(), 1);
        assert_eq!(changes.iter().filter(|c| **c == MetricChange::Frozen).count(), 1);
        // The last 150 draws leave the metric alone.
        assert!(changes[changes.len() - 149..].iter().all(|c| *c == MetricChange::None));
    }

    #[test]
    fn the_start_is_the_inverse_of_the_gradient() {
        let mut adapt = DrawsAndGradients::new(3, 100);
        let mut inv_metric = [0.0; 3];
        adapt.start(&[1.0, 2.0, 3.0], &[-4.0, 0.0, 0.5], &mut inv_metric);
        assert_eq!(inv_metric, [0.25, 1.0, 2.0]);
    }
}
