//! Stan's ODE solvers, `ode_rk45` and `ode_bdf` (Stan functions reference, "Ordinary
//! differential equation (ODE) solvers"), generic over [`Scalar`].
//!
//! Derivatives are those of the numerical solution itself: every arithmetic step of the solver
//! runs in the scalar type, so dual numbers (or any other carrier) see the exact derivative of
//! the discrete scheme that produced the values. Step sizes are chosen from the values alone
//! (error control on the `f64` parts) and enter as constants, which keeps the derivative of
//! each step exact and makes the values the same whatever the scalar type.
//!
//! Two methods share one driver ([`solve`]):
//!
//! - [`rk45`]: Dormand and Prince's explicit 5(4) pair, for non-stiff problems;
//! - [`sdirk`]: Hairer and Wanner's L-stable singly diagonally implicit Runge–Kutta method of
//!   order 4 with an embedded order-3 error estimate, for stiff problems. It stands where Stan
//!   has CVODES's variable-order BDF; its Newton iterations run in the scalar type, so the
//!   derivatives converge with the values.
//!
//! Times may carry derivatives too. The solver integrates on their values and adds the exact
//! first-order terms afterwards: `dy(t)/dt = f(t, y(t))` at an output time, and
//! `dy(t)/dt0 = -Φ(t, t0) f(t0, y0)` for the initial time, which shifting the initial state by
//! `-f(t0, y0) dt0` before integrating produces.

mod rk45;
mod sdirk;

#[cfg(test)]
mod tests;

use crate::model::ModelError;
use crate::scalar::Scalar;

/// Tolerances and the step limit of one solve: the trailing arguments of Stan's `_tol`
/// variants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OdeControl {
    /// Relative tolerance on each component of the state.
    pub rel_tol: f64,
    /// Absolute tolerance on each component of the state.
    pub abs_tol: f64,
    /// The most steps the solver may take between two consecutive output times.
    pub max_num_steps: i64,
}

impl OdeControl {
    /// Stan's defaults for `ode_rk45` and `ode_bdf`: relative and absolute tolerance 1e-6, at
    /// most a million steps.
    pub const DEFAULT: OdeControl =
        OdeControl { rel_tol: 1e-6, abs_tol: 1e-6, max_num_steps: 1_000_000 };
}

/// Solves `dy/dt = f(t, y)`, `y(t0) = y0` with the Dormand–Prince 5(4) method and returns the
/// state at each of `ts`. `function` names the Stan function in error messages.
///
/// `f` is called with the time and the state and returns the derivative, a vector of the
/// state's size. Errors are recoverable (the proposal is rejected) except a derivative of the
/// wrong size, which is fatal.
pub fn ode_rk45<S, F>(
    function: &str,
    f: F,
    y0: &[S],
    t0: S,
    ts: &[S],
    control: OdeControl,
) -> Result<Vec<Vec<S>>, ModelError>
where
    S: Scalar,
    F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
{
    let mut method = rk45::DormandPrince::new(y0.len());
    solve(function, &mut method, f, y0, t0, ts, control)
}

/// Solves `dy/dt = f(t, y)`, `y(t0) = y0` with an L-stable implicit method suited to stiff
/// problems and returns the state at each of `ts`; see [`ode_rk45`] for the arguments.
///
/// The method is the SDIRK4 of Hairer and Wanner (Solving ODEs II, table IV.6.5): five
/// implicit stages with diagonal 1/4, order 4, stiffly accurate, with an embedded order-3
/// estimate filtered through the Newton matrix as Shampine proposes, so that stiff components
/// do not inflate it. Each stage is solved by Newton's method with a finite-difference
/// Jacobian taken at the start of the step; the Jacobian only steers the iteration, whose
/// fixed point, and so the derivatives, do not depend on it.
pub fn ode_bdf<S, F>(
    function: &str,
    f: F,
    y0: &[S],
    t0: S,
    ts: &[S],
    control: OdeControl,
) -> Result<Vec<Vec<S>>, ModelError>
where
    S: Scalar,
    F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
{
    let mut method = sdirk::Sdirk4::new(y0.len());
    solve(function, &mut method, f, y0, t0, ts, control)
}

/// The right-hand side of an ODE, with the checks every call needs.
struct Rhs<'a, F> {
    function: &'a str,
    f: F,
}

impl<F> Rhs<'_, F> {
    /// Writes `f(t, y)` into `out`.
    fn eval<S: Scalar>(&mut self, t: f64, y: &[S], out: &mut [S]) -> Result<(), ModelError>
    where
        F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
    {
        let dydt = (self.f)(S::from_f64(t), y)?;
        if dydt.len() != y.len() {
            return Err(ModelError::fatal(format!(
                "{}: the ODE function returned a vector of size {}, but the state has size {}",
                self.function,
                dydt.len(),
                y.len()
            )));
        }
        out.copy_from_slice(&dydt);
        Ok(())
    }
}

/// What one attempted step found.
enum Attempt {
    /// The step was computed; its error norm, where at most 1 is within tolerance.
    Error(f64),
    /// The step could not be computed at this size (a Newton iteration that did not
    /// converge, a singular iteration matrix): retry with a much smaller one.
    Failed,
}

/// One method of the shared driver.
trait Method<S: Scalar> {
    /// The exponent of the step-size controller: one over the order of the error estimate
    /// plus one.
    const ERROR_EXPONENT: f64;
    /// The largest factor by which one step may grow the next.
    const MAX_GROWTH: f64;
    /// The order that the initial step size is chosen for.
    const START_ORDER: i32;

    /// Starts at a new state whose derivative is `f0`.
    fn start(&mut self, f0: &[S]);

    /// Attempts one step of size `h` from `(t, y)`, writing the new state into `y_new`.
    fn attempt<F>(
        &mut self,
        rhs: &mut Rhs<'_, F>,
        t: f64,
        y: &[S],
        h: f64,
        y_new: &mut [S],
        control: &OdeControl,
    ) -> Result<Attempt, ModelError>
    where
        F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>;

    /// Makes the last attempt the current state; its end derivative becomes the start.
    fn accept(&mut self);

    /// `f(t, y)` at the current state.
    fn derivative(&self) -> &[S];
}

/// The weighted max norm of an error estimate: `max_i |e_i| / (atol + rtol max(|y_i|,
/// |y_new_i|))`, on values.
fn error_norm<S: Scalar>(err: &[f64], y: &[S], y_new: &[S], control: &OdeControl) -> f64 {
    let mut norm = 0.0f64;
    for ((e, a), b) in err.iter().zip(y).zip(y_new) {
        let scale = control.abs_tol + control.rel_tol * a.value().abs().max(b.value().abs());
        let r = e.abs() / scale;
        // A NaN must survive the max so that the driver sees it.
        if r.is_nan() {
            return f64::NAN;
        }
        norm = norm.max(r);
    }
    norm
}

/// Checks the arguments as Stan does, each failure a recoverable error that names the argument.
fn verify_arguments<S: Scalar>(
    function: &str,
    y0: &[S],
    t0: f64,
    ts: &[S],
    control: &OdeControl,
) -> Result<(), ModelError> {
    let fail = |msg: String| Err(ModelError::recoverable(format!("{function}: {msg}")));
    if y0.is_empty() {
        return fail("the initial state has size 0, but must have a non-zero size".into());
    }
    if let Some(i) = y0.iter().position(|y| !y.is_finite()) {
        return fail(format!("initial state[{}] is {}, but must be finite", i + 1, y0[i].value()));
    }
    if !t0.is_finite() {
        return fail(format!("initial time is {t0}, but must be finite"));
    }
    if ts.is_empty() {
        return fail("times has size 0, but must have a non-zero size".into());
    }
    for (i, t) in ts.iter().enumerate() {
        let t = t.value();
        if !t.is_finite() {
            return fail(format!("times[{}] is {t}, but must be finite", i + 1));
        }
        if i > 0 && t < ts[i - 1].value() {
            return fail(format!(
                "times must be in non-decreasing order, but times[{}] = {t} comes after \
                 times[{i}] = {}",
                i + 1,
                ts[i - 1].value()
            ));
        }
    }
    if t0 >= ts[0].value() {
        return fail(format!(
            "the initial time ({t0}) must be before the first output time, times[1] = {}",
            ts[0].value()
        ));
    }
    let tol_ok = |x: f64| x.is_finite() && x > 0.0;
    if !tol_ok(control.rel_tol) {
        return fail(format!("relative_tolerance is {}, but must be positive", control.rel_tol));
    }
    if !tol_ok(control.abs_tol) {
        return fail(format!("absolute_tolerance is {}, but must be positive", control.abs_tol));
    }
    if control.max_num_steps <= 0 {
        return fail(format!("max_num_steps is {}, but must be positive", control.max_num_steps));
    }
    Ok(())
}

/// Hairer, Nørsett and Wanner's initial step size (Solving ODEs I, section II.4): a step on
/// which an explicit method of order `order` would make an error of about the tolerance,
/// estimated from `f` at the start and after one Euler step.
fn initial_step<S: Scalar, F>(
    rhs: &mut Rhs<'_, F>,
    t0: f64,
    y0: &[S],
    f0: &[S],
    span: f64,
    order: i32,
    control: &OdeControl,
) -> Result<f64, ModelError>
where
    F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
{
    let scale: Vec<f64> =
        y0.iter().map(|y| control.abs_tol + control.rel_tol * y.value().abs()).collect();
    let rms = |v: &mut dyn Iterator<Item = f64>| {
        let (sum, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x * x, n + 1));
        (sum / n as f64).sqrt()
    };
    let d0 = rms(&mut y0.iter().zip(&scale).map(|(y, s)| y.value() / s));
    let d1 = rms(&mut f0.iter().zip(&scale).map(|(f, s)| f.value() / s));
    let h0 = if d0 < 1e-5 || d1 < 1e-5 { 1e-6 } else { 0.01 * d0 / d1 }.min(span);
    let y1: Vec<S> =
        y0.iter().zip(f0).map(|(y, f)| S::from_f64(y.value() + h0 * f.value())).collect();
    let mut f1 = vec![S::zero(); y0.len()];
    rhs.eval(t0 + h0, &y1, &mut f1)?;
    let d2 =
        rms(&mut f1.iter().zip(f0).zip(&scale).map(|((a, b), s)| (a.value() - b.value()) / s)) / h0;
    let d = d1.max(d2);
    let h1 = if d <= 1e-15 || !d.is_finite() {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d).powf(1.0 / f64::from(order + 1))
    };
    Ok((100.0 * h0).min(h1).min(span))
}

/// The driver both methods share: checks the arguments, applies the initial-time term, steps
/// to every output time with adaptive step sizes, and adds the output-time terms.
fn solve<S, F, M>(
    function: &str,
    method: &mut M,
    f: F,
    y0: &[S],
    t0: S,
    ts: &[S],
    control: OdeControl,
) -> Result<Vec<Vec<S>>, ModelError>
where
    S: Scalar,
    F: FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
    M: Method<S>,
{
    let t0v = t0.value();
    verify_arguments(function, y0, t0v, ts, &control)?;
    let n = y0.len();
    let mut rhs = Rhs { function, f };

    let mut f0 = vec![S::zero(); n];
    rhs.eval(t0v, y0, &mut f0)?;
    if let Some(i) = f0.iter().position(|d| !d.is_finite()) {
        return Err(ModelError::recoverable(format!(
            "{function}: the ODE function's value [{}] is {} at the initial time and state, \
             but must be finite",
            i + 1,
            f0[i].value()
        )));
    }
    // y(t; t0, y0) moves by -Φ f(t0, y0) dt0 when t0 does: integrate from the shifted state.
    let dt0 = t0 - S::from_f64(t0v);
    let mut y: Vec<S> = y0.iter().zip(&f0).map(|(&y, &d)| y - d * dt0).collect();
    rhs.eval(t0v, &y, &mut f0)?;
    method.start(&f0);

    let t_end = ts[ts.len() - 1].value();
    let span = t_end - t0v;
    let mut h = initial_step(&mut rhs, t0v, &y, &f0, span, M::START_ORDER, &control)?;
    let mut y_new = vec![S::zero(); n];
    let mut out = Vec::with_capacity(ts.len());
    let mut t = t0v;
    let mut previous = t0v;
    for tk in ts {
        let target = tk.value();
        let mut steps = 0i64;
        while t < target {
            if steps >= control.max_num_steps {
                return Err(ModelError::recoverable(format!(
                    "{function}: max_num_steps ({}) reached between t = {previous} and \
                     t = {target} (at t = {t}); the problem may be stiff or the tolerances \
                     too tight",
                    control.max_num_steps
                )));
            }
            // A step that would end just short of the output time stretches to reach it, so
            // that no sliver of a step is left over.
            let clipped = t + 1.01 * h >= target;
            let h_step = if clipped { target - t } else { h };
            if h_step < 10.0 * f64::EPSILON * t.abs().max(span) {
                return Err(ModelError::recoverable(format!(
                    "{function}: the step size fell to {h_step:e} at t = {t}; the solution may \
                     not be finite there"
                )));
            }
            let attempt = method.attempt(&mut rhs, t, &y, h_step, &mut y_new, &control)?;
            let err = match attempt {
                Attempt::Error(e) if e.is_finite() && y_new.iter().all(|v| v.is_finite()) => e,
                _ => {
                    h = h_step * 0.25;
                    continue;
                }
            };
            let factor = if err == 0.0 {
                M::MAX_GROWTH
            } else {
                (0.9 * err.powf(-M::ERROR_EXPONENT)).clamp(0.2, M::MAX_GROWTH)
            };
            if err > 1.0 {
                h = h_step * factor.min(1.0);
                continue;
            }
            steps += 1;
            method.accept();
            std::mem::swap(&mut y, &mut y_new);
            t = if clipped { target } else { t + h_step };
            // A clipped step says little about the step the solution allows.
            h = if clipped { (h_step * factor).max(h) } else { h_step * factor };
        }
        // y(t) moves by f(t, y) dt when the output time does.
        let dt = *tk - S::from_f64(target);
        out.push(y.iter().zip(method.derivative()).map(|(&y, &d)| y + d * dt).collect());
        previous = target;
    }
    Ok(out)
}
