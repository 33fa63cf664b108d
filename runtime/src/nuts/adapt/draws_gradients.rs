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
//! adapts the step size alone. A draw is learned from unless its transition stayed where it
//! began, or diverged within 4 leapfrog steps of it.
//!
//! One departure from nuts-rs: its dual averaging of the step size runs through all of warm-up
//! and starts afresh only at the first estimate of the metric. Here it starts afresh, from a
//! new search, whenever a window is replaced, as Stan's does after each of its windows. A chain
//! that begins far out in the tails (a time series whose errors explode, an ODE whose solution
//! is noise) otherwise keeps the tiny step size of its first draws long after it has left
//! them: the average remembers every early divergence, and on arma11 and lotka_volterra one
//! chain in four still had a step size near 1e-12 at the end of warm-up.

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
    /// One more draw moved the estimate of the current window.
    Updated,
    /// The metric was estimated for the first time, or from a new window: the step size, set
    /// for the metric before, must be searched for again.
    Renewed,
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

    /// Draws between window switches at the next draw.
    fn switch_every(&self) -> usize {
        if self.iteration < self.early_end { EARLY_SWITCH } else { LATE_SWITCH }
    }

    /// Whether the next draw is late in warm-up: too close to the end of metric adaptation for
    /// another window switch, or after it.
    pub fn is_late(&self) -> bool {
        self.iteration + self.switch_every() > self.metric_end
    }

    /// Learns from the draw `q` with gradient `grad`; `usable` is false for a draw that is left
    /// out of the estimates.
    pub fn learn(
        &mut self,
        q: &[f64],
        grad: &[f64],
        usable: bool,
        inv_metric: &mut [f64],
    ) -> MetricChange {
        let it = self.iteration;
        let switch = self.switch_every();
        self.iteration += 1;
        if it >= self.metric_end {
            return MetricChange::None;
        }
        if usable {
            self.add(q, grad);
        }
        let mut switched = false;
        if self.young_draws.count() >= switch && it + switch <= self.metric_end {
            switched = true;
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
        if switched || !self.changed {
            self.changed = true;
            MetricChange::Renewed
        } else {
            MetricChange::Updated
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
        // `changes[i]` is draw `i`, counted from 0. The first estimate comes when the window
        // holds 3 draws: the start and two more. The first window, which began with the
        // start, is replaced at draw 8, and then every 10 draws up to draw 300; from there
        // every 80, as long as a whole window fits before draw 850.
        let renewed: Vec<usize> =
            (0..changes.len()).filter(|&i| changes[i] == MetricChange::Renewed).collect();
        let mut expected = vec![1];
        expected.extend((8..300).step_by(10));
        expected.extend([378, 458, 538, 618, 698]);
        assert_eq!(renewed, expected);
        assert_eq!(changes[0], MetricChange::None);
        // The last 150 of the 1000 warm-up draws leave the metric alone.
        assert_eq!(changes[849], MetricChange::Updated);
        assert!(changes[850..].iter().all(|c| *c == MetricChange::None));
    }

    #[test]
    fn warm_up_is_late_once_no_window_switch_fits_before_the_metric_is_fixed() {
        let draws = gaussian_draws(1000);
        let mut adapt = DrawsAndGradients::new(2, 1000);
        let mut inv_metric = [1.0, 1.0];
        adapt.start(&draws[0].0, &draws[0].1, &mut inv_metric);
        let mut late = Vec::new();
        for (q, g) in &draws[1..] {
            late.push(adapt.is_late());
            adapt.learn(q, g, true, &mut inv_metric);
        }
        // Windows of 80 from draw 300; the metric is fixed from draw 850: 770 + 80 = 850
        // still fits, 771 + 80 does not.
        assert!(!late[..=770].iter().any(|&l| l));
        assert!(late[771..].iter().all(|&l| l));
    }

    #[test]
    fn the_start_is_the_inverse_of_the_gradient() {
        let mut adapt = DrawsAndGradients::new(3, 100);
        let mut inv_metric = [0.0; 3];
        adapt.start(&[1.0, 2.0, 3.0], &[-4.0, 0.0, 0.5], &mut inv_metric);
        assert_eq!(inv_metric, [0.25, 1.0, 2.0]);
    }
}
