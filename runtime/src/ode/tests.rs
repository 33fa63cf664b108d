//! Tests of the ODE solvers against closed forms, sensitivities solved independently, and
//! each method's order conditions.

use super::*;
use num_dual::{Dual64, DualSVec64};

type Solver<S> = fn(
    &str,
    &mut dyn FnMut(S, &[S]) -> Result<Vec<S>, ModelError>,
    &[S],
    S,
    &[S],
    OdeControl,
) -> Result<Vec<Vec<S>>, ModelError>;

fn rk45<S: Scalar>() -> Solver<S> {
    |name, f, y0, t0, ts, c| ode_rk45(name, f, y0, t0, ts, c)
}

fn bdf<S: Scalar>() -> Solver<S> {
    |name, f, y0, t0, ts, c| ode_bdf(name, f, y0, t0, ts, c)
}

fn both<S: Scalar>() -> [(&'static str, Solver<S>); 2] {
    [("rk45", rk45()), ("bdf", bdf())]
}

fn control(rel_tol: f64, abs_tol: f64) -> OdeControl {
    OdeControl { rel_tol, abs_tol, max_num_steps: 1_000_000 }
}

fn lift(xs: &[f64]) -> Vec<Dual64> {
    xs.iter().map(|&x| Dual64::from(x)).collect()
}

fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(err <= rel, "{what}: got {got}, want {want} (relative error {err:e} > {rel:e})");
}

#[test]
fn dormand_prince_satisfies_its_order_conditions() {
    let b = rk45::A[6];
    let b = [b[0], b[1], b[2], b[3], b[4], b[5], 0.0];
    let c = rk45::C;
    for (s, row) in rk45::A.iter().enumerate() {
        assert!((row.iter().sum::<f64>() - c[s]).abs() < 1e-14, "row {s} sums to c");
    }
    let dot = |w: &[f64; 7], f: &dyn Fn(usize) -> f64| (0..7).map(|i| w[i] * f(i)).sum::<f64>();
    let ac = |i: usize| (0..6).map(|j| rk45::A[i][j] * c[j]).sum::<f64>();
    for (w, order) in [(&b, 5), (&rk45::B_HAT, 4)] {
        for q in 1..=order {
            let want = 1.0 / q as f64;
            assert!((dot(w, &|i| c[i].powi(q - 1)) - want).abs() < 1e-14, "b c^{q}");
        }
        assert!((dot(w, &ac) - 1.0 / 6.0).abs() < 1e-14);
        assert!((dot(w, &|i| c[i] * ac(i)) - 1.0 / 8.0).abs() < 1e-14);
    }
}

#[test]
fn sdirk4_satisfies_its_order_conditions() {
    // The full coefficient matrix, with γ on the diagonal.
    let a = |i: usize, j: usize| match j.cmp(&i) {
        std::cmp::Ordering::Less => sdirk::A[i][j],
        std::cmp::Ordering::Equal => sdirk::GAMMA,
        std::cmp::Ordering::Greater => 0.0,
    };
    let c = sdirk::C;
    for (i, ci) in c.iter().enumerate() {
        assert!(((0..5).map(|j| a(i, j)).sum::<f64>() - ci).abs() < 1e-14, "row {i}");
    }
    let ac = |i: usize| (0..5).map(|j| a(i, j) * c[j]).sum::<f64>();
    let ac2 = |i: usize| (0..5).map(|j| a(i, j) * c[j] * c[j]).sum::<f64>();
    let aac = |i: usize| (0..5).map(|j| a(i, j) * ac(j)).sum::<f64>();
    let dot = |w: &[f64; 5], f: &dyn Fn(usize) -> f64| (0..5).map(|i| w[i] * f(i)).sum::<f64>();
    // (the summand of an order condition, its value, the order it belongs to)
    type Condition<'a> = (&'a dyn Fn(usize) -> f64, f64, usize);
    let conditions: [Condition; 8] = [
        (&|_| 1.0, 1.0, 1),
        (&|i| c[i], 0.5, 2),
        (&|i| c[i] * c[i], 1.0 / 3.0, 3),
        (&ac, 1.0 / 6.0, 3),
        (&|i| c[i].powi(3), 0.25, 4),
        (&|i| c[i] * ac(i), 1.0 / 8.0, 4),
        (&ac2, 1.0 / 12.0, 4),
        (&aac, 1.0 / 24.0, 4),
    ];
    for (f, want, order) in conditions {
        assert!((dot(&sdirk::B, f) - want).abs() < 1e-13, "b, order {order}");
        if order <= 3 {
            assert!((dot(&sdirk::B_HAT, f) - want).abs() < 1e-13, "b̂, order {order}");
        }
    }
    // Stiffly accurate: the weights are the last row.
    for j in 0..5 {
        assert_eq!(sdirk::B[j], a(4, j));
    }
}

#[test]
fn exponential_decay_and_its_derivatives() {
    // y' = -k y: y(t) = y0 exp(-k (t - t0)).
    let (k, y0, t0) = (0.7, 2.5, 0.5);
    let ts = [1.0, 2.0, 4.0, 4.0, 10.0];
    for (name, solve) in both::<DualSVec64<4>>() {
        // Derivative directions: k, y0, t0, and the output time ts[3] (the second 4.0).
        let kd = seed(k, 0);
        let y0d = seed(y0, 1);
        let t0d = seed(t0, 2);
        let mut tsd: Vec<DualSVec64<4>> = ts.iter().map(|&t| DualSVec64::from(t)).collect();
        tsd[3] = seed(ts[3], 3);
        let mut f = |_t: DualSVec64<4>, y: &[DualSVec64<4>]| Ok(vec![-kd * y[0]]);
        let out = solve("ode", &mut f, &[y0d], t0d, &tsd, OdeControl::DEFAULT).unwrap();
        // The error control asks each step for 1e-6 absolute or relative; the global error of
        // a decaying solution stays within a small multiple of that, and so, here, does the
        // derivatives'.
        let within = |what: &str, got: f64, want: f64, factor: f64| {
            let tol = factor * (1e-6 + 1e-6 * want.abs());
            assert!((got - want).abs() <= tol, "{name} {what}: got {got}, want {want}");
        };
        for (i, &t) in ts.iter().enumerate() {
            let exact = y0 * (-k * (t - t0)).exp();
            let y = out[i][0];
            within(&format!("y({t})"), y.re, exact, 1.0);
            let d = gradient(&y);
            within(&format!("dy/dk at {t}"), d[0], -(t - t0) * exact, 3.0);
            within(&format!("dy/dy0 at {t}"), d[1], exact / y0, 1.0);
            within(&format!("dy/dt0 at {t}"), d[2], k * exact, 1.0);
            let dt = if i == 3 { -k * exact } else { 0.0 };
            within(&format!("dy({t})/dts[4]"), d[3], dt, 1.0);
        }
    }
}

/// `x` carrying the derivative direction `i`.
fn seed<const W: usize>(x: f64, i: usize) -> DualSVec64<W> {
    DualSVec64::from_re(x).derivative(i)
}

/// The derivative parts of `x`.
fn gradient<const W: usize>(x: &DualSVec64<W>) -> [f64; W] {
    let mut out = [0.0; W];
    if let Some(eps) = &x.eps.0 {
        out.copy_from_slice(eps.as_slice());
    }
    out
}

#[test]
fn harmonic_oscillator_and_its_frequency_derivative() {
    // y'' = -w^2 y, y(0) = 1, y'(0) = 0: y = cos(w t), dy/dw = -t sin(w t).
    let w = 1.3;
    let ts: Vec<f64> = (1..=20).map(|i| 0.5 * i as f64).collect();
    for (name, solve) in both::<Dual64>() {
        let wd = Dual64::from(w).derivative();
        let mut f = |_t: Dual64, y: &[Dual64]| Ok(vec![y[1], -wd * wd * y[0]]);
        let y0 = lift(&[1.0, 0.0]);
        let out =
            solve("ode", &mut f, &y0, Dual64::from(0.0), &lift(&ts), OdeControl::DEFAULT).unwrap();
        for (y, &t) in out.iter().zip(&ts) {
            let (value, deriv) = ((w * t).cos(), -t * (w * t).sin());
            assert!((y[0].re - value).abs() < 2e-5, "{name} y({t}) = {} vs {value}", y[0].re);
            assert!((y[0].eps - deriv).abs() < 2e-4, "{name} dy/dw({t}) = {} vs {deriv}", y[0].eps);
        }
    }
}

/// Lotka–Volterra with `p = (a, b, c, d)`: `u' = (a - b v) u`, `v' = (-c + d u) v`.
fn lotka_volterra<S: Scalar>(p: &[S], y: &[S]) -> Vec<S> {
    let (u, v) = (y[0], y[1]);
    vec![(p[0] - p[1] * v) * u, (-p[2] + p[3] * u) * v]
}

/// The forward sensitivity system of [`lotka_volterra`], in `f64`: the state, then
/// `S = dy/d(a, b, c, d, u0, v0)` row by row, with `S' = J S + df/dp`.
fn lotka_volterra_sensitivities(p: &[f64], x: &[f64]) -> Vec<f64> {
    let (u, v) = (x[0], x[1]);
    let jac = [[p[0] - p[1] * v, -p[1] * u], [p[3] * v, -p[2] + p[3] * u]];
    let fp = [[u, -u * v, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, -v, u * v, 0.0, 0.0]];
    let mut out = lotka_volterra(p, &x[..2]);
    for i in 0..2 {
        for j in 0..6 {
            let s = |r: usize| x[2 + r * 6 + j];
            out.push(jac[i][0] * s(0) + jac[i][1] * s(1) + fp[i][j]);
        }
    }
    out
}

#[test]
fn nonlinear_sensitivities_match_the_forward_sensitivity_system() {
    let p = [0.55, 0.028, 0.8, 0.024];
    let y0 = [33.0, 6.0];
    let ts: Vec<f64> = (1..=20).map(f64::from).collect();
    // The reference: the sensitivity system solved by RK45 far below the tested tolerance.
    let mut x0 = vec![y0[0], y0[1]];
    x0.extend([0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    let mut g = |_t: f64, x: &[f64]| Ok(lotka_volterra_sensitivities(&p, x));
    let reference = ode_rk45("ode", &mut g, &x0, 0.0, &ts, control(1e-12, 1e-12)).unwrap();
    for (name, solve) in both::<DualSVec64<6>>() {
        let pd: Vec<_> = (0..4).map(|i| seed(p[i], i)).collect();
        let y0d = [seed(y0[0], 4), seed(y0[1], 5)];
        let tsd: Vec<_> = ts.iter().map(|&t| DualSVec64::<6>::from(t)).collect();
        let mut f = |_t, y: &[DualSVec64<6>]| Ok(lotka_volterra(&pd, y));
        let tol = control(1e-9, 1e-9);
        let out = solve("ode", &mut f, &y0d, DualSVec64::from(0.0), &tsd, tol).unwrap();
        for (k, (y, r)) in out.iter().zip(&reference).enumerate() {
            for i in 0..2 {
                assert_close(&format!("{name} y{i} at {}", k + 1), y[i].re, r[i], 1e-7);
                let d = gradient(&y[i]);
                for j in 0..6 {
                    let want = r[2 + i * 6 + j];
                    let scale = (0..6).map(|m| r[2 + i * 6 + m].abs()).fold(0.0, f64::max);
                    let err = (d[j] - want).abs() / scale;
                    assert!(err < 1e-6, "{name} dy{i}/dp{j} at t = {}: {} vs {want}", k + 1, d[j]);
                }
            }
        }
    }
}

#[test]
fn the_stiff_solver_takes_large_steps_on_a_stiff_problem() {
    // y' = -1e5 (y - cos t) - sin t, y(0) = 1: y = cos t, with a transient of rate 1e5 that
    // limits an explicit method's step to about 3e-5 over the whole interval.
    let stiff = |t: f64, y: &[f64]| vec![-1e5 * (y[0] - t.cos()) - t.sin()];
    let ts: Vec<f64> = (1..=10).map(f64::from).collect();
    let mut counts = Vec::new();
    for (name, solve) in both::<f64>() {
        let mut calls = 0usize;
        let mut f = |t: f64, y: &[f64]| {
            calls += 1;
            Ok(stiff(t, y))
        };
        let out = solve("ode", &mut f, &[1.0], 0.0, &ts, OdeControl::DEFAULT).unwrap();
        for (y, &t) in out.iter().zip(&ts) {
            assert!((y[0] - t.cos()).abs() < 1e-5, "{name} at {t}: {} vs {}", y[0], t.cos());
        }
        counts.push(calls);
    }
    let (explicit, implicit) = (counts[0], counts[1]);
    assert!(explicit > 1_500_000, "rk45 needed only {explicit} evaluations");
    assert!(implicit < 2_000, "bdf needed {implicit} evaluations (rk45 {explicit})");
}

/// Robertson's chemical kinetics (Hairer and Wanner, Solving ODEs II, section IV.1), the
/// classic stiff test: rate constants 0.04, 3e7 and 1e4.
fn robertson<S: Scalar>(y: &[S]) -> Vec<S> {
    let r1 = y[0] * 0.04;
    let r2 = y[1] * y[1] * 3e7;
    let r3 = y[1] * y[2] * 1e4;
    vec![r3 - r1, r1 - r2 - r3, r2]
}

#[test]
fn robertson_matches_a_tightly_solved_explicit_reference() {
    let ts = [0.4, 4.0, 40.0];
    let y0 = [1.0, 0.0, 0.0];
    // The explicit method gets there too, with a step bounded by stability (about 1e5 steps).
    let mut f = |_t: f64, y: &[f64]| Ok(robertson(y));
    let reference = ode_rk45("ode", &mut f, &y0, 0.0, &ts, control(1e-10, 1e-14)).unwrap();
    // The values Hindmarsh's CVODE example prints at t = 40.
    assert_close("y1(40)", reference[2][0], 0.7158271, 1e-6);
    assert_close("y2(40)", reference[2][1], 9.185535e-6, 1e-6);
    let mut calls = 0usize;
    let mut f = |_t: f64, y: &[f64]| {
        calls += 1;
        Ok(robertson(y))
    };
    let out = ode_bdf("ode", &mut f, &y0, 0.0, &ts, control(1e-8, 1e-12)).unwrap();
    for (y, r) in out.iter().zip(&reference) {
        for i in 0..3 {
            assert_close(&format!("component {i}"), y[i], r[i], 1e-6);
        }
        // The three rates sum to zero: mass is conserved up to the Newton iterations' accuracy.
        assert!((y.iter().sum::<f64>() - 1.0).abs() < 1e-10);
    }
    assert!(calls < 20_000, "bdf needed {calls} evaluations");
}

#[test]
fn robertson_derivatives_match_finite_differences() {
    // Derivative of the solution at t = 40 with respect to the first rate constant, which the
    // stiff solver's Newton iterations must carry.
    let ts = [40.0];
    let solve_at = |k1: Dual64| {
        let mut f = |_t: Dual64, y: &[Dual64]| {
            let mut d = robertson(y);
            // Replace the 0.04 y1 term by k1 y1.
            let extra = (k1 - 0.04) * y[0];
            d[0] -= extra;
            d[1] += extra;
            Ok(d)
        };
        let y0 = lift(&[1.0, 0.0, 0.0]);
        ode_bdf("ode", &mut f, &y0, Dual64::from(0.0), &lift(&ts), control(1e-10, 1e-14)).unwrap()
    };
    let k1 = 0.04;
    let d = solve_at(Dual64::from(k1).derivative());
    let h = 1e-6;
    let up = solve_at(Dual64::from(k1 + h));
    let down = solve_at(Dual64::from(k1 - h));
    for i in 0..3 {
        let fd = (up[0][i].re - down[0][i].re) / (2.0 * h);
        assert_close(&format!("dy{i}/dk1"), d[0][i].eps, fd, 1e-4);
    }
}

#[test]
fn exceeding_max_num_steps_is_a_recoverable_error() {
    let mut f = |_t: f64, y: &[f64]| Ok(robertson(y));
    let tight = OdeControl { rel_tol: 1e-6, abs_tol: 1e-10, max_num_steps: 500 };
    let err = ode_rk45("ode_rk45_tol", &mut f, &[1.0, 0.0, 0.0], 0.0, &[40.0], tight).unwrap_err();
    assert!(err.is_recoverable());
    assert!(err.message().starts_with("ode_rk45_tol: max_num_steps (500) reached"), "{err}");
}

#[test]
fn bad_arguments_are_recoverable_errors_that_name_them() {
    let decay = |_t: f64, y: &[f64]| Ok(vec![-y[0]]);
    // (y0, t0, ts, control, what the message says)
    type Case<'a> = (&'a [f64], f64, &'a [f64], OdeControl, &'a str);
    let cases: [Case; 7] = [
        (&[1.0], 0.0, &[1.0, 3.0, 2.0], OdeControl::DEFAULT, "times[3] = 2 comes after"),
        (&[1.0], 1.0, &[1.0, 2.0], OdeControl::DEFAULT, "initial time (1) must be before"),
        (&[f64::NAN], 0.0, &[1.0], OdeControl::DEFAULT, "initial state[1] is NaN"),
        (&[1.0], 0.0, &[], OdeControl::DEFAULT, "times has size 0"),
        (&[1.0], 0.0, &[f64::INFINITY], OdeControl::DEFAULT, "times[1] is inf"),
        (&[1.0], 0.0, &[1.0], control(-1.0, 1e-6), "relative_tolerance is -1"),
        (&[1.0], 0.0, &[1.0], control(1e-6, 0.0), "absolute_tolerance is 0"),
    ];
    for (name, solve) in both::<f64>() {
        for (y0, t0, ts, c, want) in cases {
            let mut f = decay;
            let err = solve("ode", &mut f, y0, t0, ts, c).unwrap_err();
            assert!(err.is_recoverable(), "{name}: {err}");
            assert!(err.message().contains(want), "{name}: `{err}` does not say `{want}`");
        }
    }
}

#[test]
fn a_solution_that_blows_up_is_an_error_not_a_panic() {
    // y' = y^2, y(0) = 1: y = 1 / (1 - t), infinite at t = 1. (An implicit method may step
    // over the pole onto the other branch, as implicit Euler does, so only RK45 is asked.)
    let mut f = |_t: f64, y: &[f64]| Ok(vec![y[0] * y[0]]);
    let err = ode_rk45("ode", &mut f, &[1.0], 0.0, &[0.5, 2.0], OdeControl::DEFAULT).unwrap_err();
    assert!(err.is_recoverable(), "{err}");
    assert!(err.message().contains("the step size fell to"), "{err}");
}

#[test]
fn a_derivative_that_is_not_finite_is_an_error_not_a_panic() {
    for (name, solve) in both::<f64>() {
        let mut f = |t: f64, y: &[f64]| Ok(vec![if t > 0.5 { f64::NAN } else { -y[0] }]);
        let err = solve("ode", &mut f, &[1.0], 0.0, &[1.0], OdeControl::DEFAULT).unwrap_err();
        assert!(err.is_recoverable(), "{name}: {err}");
        assert!(err.message().contains("the step size fell to"), "{name}: {err}");
    }
}

#[test]
fn a_derivative_of_the_wrong_size_is_fatal() {
    for (name, solve) in both::<f64>() {
        let mut f = |_t: f64, _y: &[f64]| Ok(vec![0.0; 3]);
        let err = solve("ode_bdf", &mut f, &[1.0, 2.0], 0.0, &[1.0], OdeControl::DEFAULT);
        let err = err.unwrap_err();
        assert!(!err.is_recoverable(), "{name}");
        assert_eq!(
            err.message(),
            "ode_bdf: the ODE function returned a vector of size 3, but the state has size 2"
        );
    }
}

#[test]
fn an_error_in_the_ode_function_passes_through() {
    for (_, solve) in both::<f64>() {
        let mut f = |t: f64, y: &[f64]| {
            if t > 0.5 { Err(ModelError::recoverable("rejected")) } else { Ok(vec![-y[0]]) }
        };
        let err = solve("ode", &mut f, &[1.0], 0.0, &[1.0], OdeControl::DEFAULT).unwrap_err();
        assert_eq!(err.message(), "rejected");
    }
}

#[test]
fn values_do_not_depend_on_the_scalar_type() {
    let ts = [1.0, 5.0, 12.0];
    let p = [0.55, 0.028, 0.8, 0.024];
    for (name, solve) in both::<f64>() {
        let mut f = |_t: f64, y: &[f64]| Ok(lotka_volterra(&p, y));
        let plain = solve("ode", &mut f, &[33.0, 6.0], 0.0, &ts, OdeControl::DEFAULT).unwrap();
        let dual_solve = if name == "rk45" { rk45::<Dual64>() } else { bdf::<Dual64>() };
        let pd: Vec<Dual64> = p.iter().map(|&x| Dual64::from(x).derivative()).collect();
        let mut g = |_t: Dual64, y: &[Dual64]| Ok(lotka_volterra(&pd, y));
        let y0 = lift(&[33.0, 6.0]);
        let dual =
            dual_solve("ode", &mut g, &y0, Dual64::from(0.0), &lift(&ts), OdeControl::DEFAULT)
                .unwrap();
        for (a, b) in plain.iter().zip(&dual) {
            for (x, y) in a.iter().zip(b) {
                assert_eq!(*x, y.re, "{name}");
            }
        }
    }
}
