//! Step size: Stan's initial heuristic (`base_hmc::init_stepsize`) and Nesterov dual averaging
//! of log(step size) (Hoffman & Gelman 2014, section 3.2; Stan reference manual, "Step size
//! adaptation").

use crate::model::{LogDensity, ModelError};
use crate::nuts::integrator::Point;
use crate::nuts::metric::Metric;
use rand::Rng;

/// Dual averaging of `log(step_size)` towards a target mean acceptance statistic `delta`.
#[derive(Debug, Clone)]
pub(crate) struct DualAveraging {
    mu: f64,
    delta: f64,
    gamma: f64,
    kappa: f64,
    t0: f64,
    counter: f64,
    s_bar: f64,
    x_bar: f64,
}

impl DualAveraging {
    pub fn new(delta: f64, gamma: f64, kappa: f64, t0: f64) -> Self {
        DualAveraging {
            mu: 10f64.ln(),
            delta,
            gamma,
            kappa,
            t0,
            counter: 0.0,
            s_bar: 0.0,
            x_bar: 0.0,
        }
    }

    /// Sets the shrinkage target `mu`; Stan uses `log(10 * step_size)`.
    pub fn set_mu(&mut self, mu: f64) {
        self.mu = mu;
    }

    pub fn restart(&mut self) {
        self.counter = 0.0;
        self.s_bar = 0.0;
        self.x_bar = 0.0;
    }

    /// Updates with one transition's acceptance statistic; returns the next step size.
    pub fn learn(&mut self, accept_stat: f64) -> f64 {
        self.counter += 1.0;
        let accept_stat = accept_stat.min(1.0);
        let eta = 1.0 / (self.counter + self.t0);
        self.s_bar = (1.0 - eta) * self.s_bar + eta * (self.delta - accept_stat);
        let x = self.mu - self.s_bar * self.counter.sqrt() / self.gamma;
        let x_eta = self.counter.powf(-self.kappa);
        self.x_bar = (1.0 - x_eta) * self.x_bar + x_eta * x;
        x.exp()
    }

    /// The step size used after warm-up: the exponentiated average `x_bar`.
    pub fn final_step_size(&self) -> f64 {
        self.x_bar.exp()
    }
}

/// Stan's heuristic: from `step_size`, double (or halve) until the acceptance probability of
/// one leapfrog step from `start` with fresh momentum crosses 0.8. `trial` is scratch space.
pub(crate) fn init_step_size<D, R>(
    start: &Point,
    trial: &mut Point,
    metric: &Metric,
    mut step_size: f64,
    density: &mut D,
    rng: &mut R,
) -> Result<f64, ModelError>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    // Stan skips the search for degenerate starting values, which could loop forever.
    if step_size == 0.0 || step_size > 1e7 || step_size.is_nan() {
        return Ok(step_size);
    }
    let log_target = 0.8f64.ln();
    let mut one_step = |eps: f64, trial: &mut Point| -> Result<f64, ModelError> {
        trial.copy_from(start);
        trial.sample_momentum(metric, rng);
        let h0 = trial.hamiltonian(metric);
        trial.leapfrog(density, metric, eps)?;
        Ok(h0 - trial.hamiltonian(metric))
    };
    let direction = if one_step(step_size, trial)? > log_target { 1 } else { -1 };
    loop {
        let delta_h = one_step(step_size, trial)?;
        let crossed = if direction == 1 { delta_h <= log_target } else { delta_h >= log_target };
        if crossed {
            return Ok(step_size);
        }
        step_size = if direction == 1 { 2.0 * step_size } else { 0.5 * step_size };
        if step_size > 1e7 {
            return Err(ModelError::fatal(
                "the step size grew without bound while searching for an initial step size: \
                 the posterior is improper; check the model",
            ));
        }
        if step_size == 0.0 {
            return Err(ModelError::fatal(
                "no acceptably small step size could be found; perhaps the posterior is not \
                 continuous",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_averaging_shrinks_step_after_low_acceptance_and_grows_after_high() {
        let mut da = DualAveraging::new(0.8, 0.05, 0.75, 10.0);
        da.set_mu((10.0f64).ln());
        let low = da.learn(0.1);
        da.restart();
        let high = da.learn(1.0);
        // First update: x = mu - (delta - a) / (gamma (1 + t0)) * 1.
        let expect_low = (10f64.ln() - (0.8 - 0.1) / (0.05 * 11.0)).exp();
        let expect_high = (10f64.ln() - (0.8 - 1.0) / (0.05 * 11.0)).exp();
        assert!((low - expect_low).abs() < 1e-12);
        assert!((high - expect_high).abs() < 1e-12);
        // After one update x_bar equals x, since the weight counter^-kappa is 1.
        assert!((da.final_step_size() - expect_high).abs() < 1e-12);
    }

    #[test]
    fn dual_averaging_converges_to_the_target_acceptance() {
        // A toy acceptance curve a(eps) = exp(-eps): the fixed point is eps = -ln(0.8).
        let mut da = DualAveraging::new(0.8, 0.05, 0.75, 10.0);
        let mut eps: f64 = 1.0;
        for _ in 0..2000 {
            eps = da.learn((-eps).exp());
        }
        assert!((da.final_step_size() - (-(0.8f64).ln())).abs() < 0.01);
    }
}
