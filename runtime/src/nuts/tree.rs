//! Multinomial NUTS trajectories with the generalised no-U-turn criterion, as Stan's
//! `base_nuts` builds them (Betancourt 2017, appendix A; Stan reference manual, "NUTS").
//!
//! The trajectory doubles in a random direction. A new subtree is merged with biased
//! progressive sampling; inside a subtree states are chosen multinomially by weight
//! `exp(H0 - H)`. The criterion is checked on the summed momentum `rho` with `p_sharp` at both
//! ends, and (Stan 2.26+) also across the boundary between two merged subtrees.

use super::Transition;
use super::integrator::Point;
use super::metric::Metric;
use crate::model::{LogDensity, ModelError};
use rand::Rng;

/// Scratch buffers used by one level of the recursion.
#[derive(Debug, Clone)]
struct Level {
    p_init_end: Vec<f64>,
    p_sharp_init_end: Vec<f64>,
    rho_init: Vec<f64>,
    p_final_beg: Vec<f64>,
    p_sharp_final_beg: Vec<f64>,
    rho_final: Vec<f64>,
    rho_subtree: Vec<f64>,
    z_propose_final: Point,
}

impl Level {
    fn new(dim: usize) -> Self {
        let v = vec![0.0; dim];
        Level {
            p_init_end: v.clone(),
            p_sharp_init_end: v.clone(),
            rho_init: v.clone(),
            p_final_beg: v.clone(),
            p_sharp_final_beg: v.clone(),
            rho_final: v.clone(),
            rho_subtree: v,
            z_propose_final: Point::new(dim),
        }
    }
}

/// The outputs of a subtree, written into the caller's buffers: momentum and `p_sharp` at the
/// first (`beg`) and last (`end`) state in integration order, the summed momentum and the
/// state proposed from the subtree.
struct Ends<'a> {
    p_sharp_beg: &'a mut [f64],
    p_sharp_end: &'a mut [f64],
    p_beg: &'a mut [f64],
    p_end: &'a mut [f64],
    rho: &'a mut [f64],
    z_propose: &'a mut Point,
}

/// What every leaf of one transition shares.
struct Walk<'a, D: ?Sized, R: ?Sized> {
    density: &'a mut D,
    rng: &'a mut R,
    z: &'a mut Point,
    metric: &'a Metric,
    step: f64,
    h0: f64,
    max_energy_error: f64,
    n_leapfrog: u32,
    sum_metro_prob: f64,
    sum_sym_prob: f64,
    divergent: bool,
}

/// All buffers of a trajectory, allocated once per chain.
#[derive(Debug, Clone)]
pub(crate) struct Trajectory {
    levels: Vec<Level>,
    z: Point,
    z_fwd: Point,
    z_bck: Point,
    z_propose: Point,
    p_fwd_fwd: Vec<f64>,
    p_sharp_fwd_fwd: Vec<f64>,
    p_fwd_bck: Vec<f64>,
    p_sharp_fwd_bck: Vec<f64>,
    p_bck_fwd: Vec<f64>,
    p_sharp_bck_fwd: Vec<f64>,
    p_bck_bck: Vec<f64>,
    p_sharp_bck_bck: Vec<f64>,
    rho: Vec<f64>,
    rho_fwd: Vec<f64>,
    rho_bck: Vec<f64>,
    rho_extended: Vec<f64>,
    /// The symmetric acceptance statistic of the last transition (see [`sym_accept_prob`]).
    pub accept_sym: f64,
}

/// The limits of one transition.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TreeLimits {
    pub max_depth: u32,
    pub max_energy_error: f64,
}

impl Trajectory {
    pub fn new(dim: usize, max_depth: u32) -> Self {
        let v = vec![0.0; dim];
        let levels = (0..max_depth.max(1)).map(|_| Level::new(dim)).collect();
        Trajectory {
            levels,
            z: Point::new(dim),
            z_fwd: Point::new(dim),
            z_bck: Point::new(dim),
            z_propose: Point::new(dim),
            p_fwd_fwd: v.clone(),
            p_sharp_fwd_fwd: v.clone(),
            p_fwd_bck: v.clone(),
            p_sharp_fwd_bck: v.clone(),
            p_bck_fwd: v.clone(),
            p_sharp_bck_fwd: v.clone(),
            p_bck_bck: v.clone(),
            p_sharp_bck_bck: v.clone(),
            rho: v.clone(),
            rho_fwd: v.clone(),
            rho_bck: v.clone(),
            rho_extended: v,
            accept_sym: 0.0,
        }
    }

    /// One NUTS transition from `sample` (position, log density and gradient set; momentum is
    /// drawn here). On return `sample` holds the selected state.
    pub fn transition<D, R>(
        &mut self,
        sample: &mut Point,
        metric: &Metric,
        step_size: f64,
        limits: TreeLimits,
        density: &mut D,
        rng: &mut R,
    ) -> Result<Transition, ModelError>
    where
        D: LogDensity + ?Sized,
        R: Rng + ?Sized,
    {
        let t = self;
        sample.sample_momentum(metric, rng);
        sample.index = 0;
        let h0 = sample.hamiltonian(metric);
        t.z_fwd.copy_from(sample);
        t.z_bck.copy_from(sample);
        for v in [&mut t.p_fwd_fwd, &mut t.p_fwd_bck, &mut t.p_bck_fwd, &mut t.p_bck_bck] {
            v.copy_from_slice(&sample.p);
        }
        sample.p_sharp_into(metric, &mut t.p_sharp_fwd_fwd);
        t.p_sharp_fwd_bck.copy_from_slice(&t.p_sharp_fwd_fwd);
        t.p_sharp_bck_fwd.copy_from_slice(&t.p_sharp_fwd_fwd);
        t.p_sharp_bck_bck.copy_from_slice(&t.p_sharp_fwd_fwd);
        t.rho.copy_from_slice(&sample.p);

        // The initial state has weight exp(H0 - H0) = 1.
        let mut log_sum_weight = 0.0;
        let mut depth = 0;
        let mut walk = Walk {
            density,
            rng,
            z: &mut t.z,
            metric,
            step: step_size,
            h0,
            max_energy_error: limits.max_energy_error,
            n_leapfrog: 0,
            sum_metro_prob: 0.0,
            sum_sym_prob: 0.0,
            divergent: false,
        };
        while depth < limits.max_depth {
            t.rho_fwd.fill(0.0);
            t.rho_bck.fill(0.0);
            let mut log_sum_weight_subtree = f64::NEG_INFINITY;
            let valid_subtree = if walk.rng.random::<f64>() > 0.5 {
                // Extend forward: the old trajectory becomes the backward part.
                walk.z.copy_from(&t.z_fwd);
                t.rho_bck.copy_from_slice(&t.rho);
                t.p_bck_fwd.copy_from_slice(&t.p_fwd_fwd);
                t.p_sharp_bck_fwd.copy_from_slice(&t.p_sharp_fwd_fwd);
                walk.step = step_size;
                let ends = Ends {
                    p_sharp_beg: &mut t.p_sharp_fwd_bck,
                    p_sharp_end: &mut t.p_sharp_fwd_fwd,
                    p_beg: &mut t.p_fwd_bck,
                    p_end: &mut t.p_fwd_fwd,
                    rho: &mut t.rho_fwd,
                    z_propose: &mut t.z_propose,
                };
                let valid =
                    build_tree(&mut walk, &mut t.levels, depth, ends, &mut log_sum_weight_subtree)?;
                t.z_fwd.copy_from(walk.z);
                valid
            } else {
                walk.z.copy_from(&t.z_bck);
                t.rho_fwd.copy_from_slice(&t.rho);
                t.p_fwd_bck.copy_from_slice(&t.p_bck_bck);
                t.p_sharp_fwd_bck.copy_from_slice(&t.p_sharp_bck_bck);
                walk.step = -step_size;
                let ends = Ends {
                    p_sharp_beg: &mut t.p_sharp_bck_fwd,
                    p_sharp_end: &mut t.p_sharp_bck_bck,
                    p_beg: &mut t.p_bck_fwd,
                    p_end: &mut t.p_bck_bck,
                    rho: &mut t.rho_bck,
                    z_propose: &mut t.z_propose,
                };
                let valid =
                    build_tree(&mut walk, &mut t.levels, depth, ends, &mut log_sum_weight_subtree)?;
                t.z_bck.copy_from(walk.z);
                valid
            };
            if !valid_subtree {
                break;
            }
            depth += 1;

            // Biased progressive sampling: favour the new subtree.
            if log_sum_weight_subtree > log_sum_weight
                || walk.rng.random::<f64>() < (log_sum_weight_subtree - log_sum_weight).exp()
            {
                sample.copy_from(&t.z_propose);
            }
            log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);

            for ((r, b), f) in t.rho.iter_mut().zip(&t.rho_bck).zip(&t.rho_fwd) {
                *r = b + f;
            }
            let mut turning = is_turning(&t.p_sharp_bck_bck, &t.p_sharp_fwd_fwd, &t.rho);
            add_into(&mut t.rho_extended, &t.rho_bck, &t.p_fwd_bck);
            turning |= is_turning(&t.p_sharp_bck_bck, &t.p_sharp_fwd_bck, &t.rho_extended);
            add_into(&mut t.rho_extended, &t.rho_fwd, &t.p_bck_fwd);
            turning |= is_turning(&t.p_sharp_bck_fwd, &t.p_sharp_fwd_fwd, &t.rho_extended);
            if turning {
                break;
            }
        }
        let n_leapfrog = walk.n_leapfrog;
        t.accept_sym = walk.sum_sym_prob / f64::from(n_leapfrog);
        Ok(Transition {
            lp: sample.lp,
            accept_stat: walk.sum_metro_prob / f64::from(n_leapfrog),
            step_size,
            depth,
            n_leapfrog,
            divergent: walk.divergent,
            energy: sample.hamiltonian(metric),
        })
    }
}

/// Builds a subtree of `2^depth` leapfrog steps from `walk.z`; false if it diverged or turned.
fn build_tree<D, R>(
    walk: &mut Walk<'_, D, R>,
    levels: &mut [Level],
    depth: u32,
    out: Ends<'_>,
    log_sum_weight: &mut f64,
) -> Result<bool, ModelError>
where
    D: LogDensity + ?Sized,
    R: Rng + ?Sized,
{
    if depth == 0 {
        return walk.leaf(out, log_sum_weight);
    }
    let (children, rest) = levels.split_at_mut(depth as usize - 1);
    let level = &mut rest[0];
    let Ends { p_sharp_beg, p_sharp_end, p_beg, p_end, rho, z_propose } = out;

    let mut log_sum_weight_init = f64::NEG_INFINITY;
    level.rho_init.fill(0.0);
    let init = Ends {
        p_sharp_beg: &mut *p_sharp_beg,
        p_sharp_end: &mut level.p_sharp_init_end,
        p_beg: &mut *p_beg,
        p_end: &mut level.p_init_end,
        rho: &mut level.rho_init,
        z_propose: &mut *z_propose,
    };
    if !build_tree(walk, children, depth - 1, init, &mut log_sum_weight_init)? {
        return Ok(false);
    }

    let mut log_sum_weight_final = f64::NEG_INFINITY;
    level.rho_final.fill(0.0);
    let last = Ends {
        p_sharp_beg: &mut level.p_sharp_final_beg,
        p_sharp_end: &mut *p_sharp_end,
        p_beg: &mut level.p_final_beg,
        p_end: &mut *p_end,
        rho: &mut level.rho_final,
        z_propose: &mut level.z_propose_final,
    };
    if !build_tree(walk, children, depth - 1, last, &mut log_sum_weight_final)? {
        return Ok(false);
    }

    // Multinomial sampling between the two halves.
    let log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
    *log_sum_weight = log_sum_exp(*log_sum_weight, log_sum_weight_subtree);
    if log_sum_weight_final > log_sum_weight_subtree
        || walk.rng.random::<f64>() < (log_sum_weight_final - log_sum_weight_subtree).exp()
    {
        z_propose.copy_from(&level.z_propose_final);
    }

    add_into(&mut level.rho_subtree, &level.rho_init, &level.rho_final);
    for (r, s) in rho.iter_mut().zip(&level.rho_subtree) {
        *r += s;
    }
    let mut turning = is_turning(p_sharp_beg, p_sharp_end, &level.rho_subtree);
    add_into(&mut level.rho_subtree, &level.rho_init, &level.p_final_beg);
    turning |= is_turning(p_sharp_beg, &level.p_sharp_final_beg, &level.rho_subtree);
    add_into(&mut level.rho_subtree, &level.rho_final, &level.p_init_end);
    turning |= is_turning(&level.p_sharp_init_end, p_sharp_end, &level.rho_subtree);
    Ok(!turning)
}

impl<D: LogDensity + ?Sized, R: Rng + ?Sized> Walk<'_, D, R> {
    /// One leapfrog step: the base case of the recursion.
    fn leaf(&mut self, out: Ends<'_>, log_sum_weight: &mut f64) -> Result<bool, ModelError> {
        self.z.leapfrog(self.density, self.metric, self.step)?;
        self.n_leapfrog += 1;
        self.z.index += if self.step > 0.0 { 1 } else { -1 };
        let h = self.z.hamiltonian(self.metric);
        let energy_error = h - self.h0;
        if energy_error > self.max_energy_error {
            self.divergent = true;
        }
        *log_sum_weight = log_sum_exp(*log_sum_weight, -energy_error);
        self.sum_metro_prob += if energy_error < 0.0 { 1.0 } else { (-energy_error).exp() };
        self.sum_sym_prob += if self.divergent { 0.0 } else { sym_accept_prob(energy_error) };
        out.z_propose.copy_from(self.z);
        self.z.p_sharp_into(self.metric, out.p_sharp_beg);
        out.p_sharp_end.copy_from_slice(out.p_sharp_beg);
        for (r, p) in out.rho.iter_mut().zip(&self.z.p) {
            *r += p;
        }
        out.p_beg.copy_from_slice(&self.z.p);
        out.p_end.copy_from_slice(&self.z.p);
        Ok(!self.divergent)
    }
}

/// `2 min(1, e^-x) / (1 + e^-x)` for the energy error `x = H - H0`: like the Metropolis
/// probability `min(1, e^-x)` for an energy gain, but below 1 for a loss of energy too, which a
/// step size too large for the metric also causes. nuts-rs adapts the step size to it at the end
/// of warm-up. Written with `e^-|x|`, which cannot overflow.
pub(crate) fn sym_accept_prob(energy_error: f64) -> f64 {
    if energy_error.is_nan() {
        return 0.0;
    }
    let e = (-energy_error.abs()).exp();
    2.0 * e / (1.0 + e)
}

/// The generalised no-U-turn criterion fails: the trajectory with summed momentum `rho` and
/// end velocities `p_sharp_minus`, `p_sharp_plus` has started to turn back on itself.
pub(crate) fn is_turning(p_sharp_minus: &[f64], p_sharp_plus: &[f64], rho: &[f64]) -> bool {
    !(dot(p_sharp_plus, rho) > 0.0 && dot(p_sharp_minus, rho) > 0.0)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn add_into(out: &mut [f64], a: &[f64], b: &[f64]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
}

/// `log(exp(a) + exp(b))`, exact when either is `-inf`.
pub(crate) fn log_sum_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sum_exp_handles_empty_weights() {
        assert_eq!(log_sum_exp(f64::NEG_INFINITY, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(f64::NEG_INFINITY, 1.5), 1.5);
        assert!((log_sum_exp(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn the_symmetric_acceptance_penalises_gains_and_losses_alike() {
        assert_eq!(sym_accept_prob(0.0), 1.0);
        // x = ln 3: 2 (1/3) / (4/3) = 0.5, whichever the sign.
        assert!((sym_accept_prob(3f64.ln()) - 0.5).abs() < 1e-15);
        assert!((sym_accept_prob(-(3f64.ln())) - 0.5).abs() < 1e-15);
        assert_eq!(sym_accept_prob(f64::INFINITY), 0.0);
        assert_eq!(sym_accept_prob(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn criterion_detects_opposed_ends() {
        assert!(!is_turning(&[1.0, 0.0], &[1.0, 0.0], &[2.0, 0.0]));
        assert!(is_turning(&[1.0, 0.0], &[-1.0, 0.0], &[0.5, 0.0]));
    }
}
