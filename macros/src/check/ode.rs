//! Checking calls of the ODE solvers (`ode_rk45`, `ode_bdf` and their `_tol` variants).
//!
//! Contract: the first argument is the bare name of a function from the `functions` block, of
//! signature `vector f(real t, vector y, ...)`, whose trailing parameters take the call's
//! trailing arguments as a call of `f` would. A function name is not a value anywhere else in
//! the language, so it is resolved here, before the other arguments are checked. The result,
//! an `array[] vector`, may only be assigned whole to a variable.

use super::{Checker, FunSig, assignable, err_expr};
use crate::builtins;
use crate::ir::*;
use crate::syntax::{Expr, ExprKind};
use proc_macro2::Span;
use syn::Ident;

/// The names of the tolerance arguments of the `_tol` variants, in order.
const CONTROL: [&str; 3] = ["relative_tolerance", "absolute_tolerance", "max_num_steps"];

impl Checker {
    /// Checks `name(args)`, where `name` is an ODE solver; `whole` says whether the call is
    /// the entire value of an assignment.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_ode_call(
        &mut self,
        solver: &'static str,
        with_control: bool,
        name: Ident,
        args: Vec<Expr>,
        whole: bool,
        conditional: bool,
        span: Span,
    ) -> TExpr {
        let stan_name = name.to_string();
        let fixed = if with_control { 7 } else { 4 };
        let mut args = args.into_iter();
        let function = args.next().map(|f| self.check_ode_function(&stan_name, f));
        let rest: Vec<TExpr> = args.map(|a| self.check_expr(a)).collect();
        if conditional {
            self.cx.error(
                span,
                format!(
                    "`|` may only follow the outcome of a `_lpdf`/`_lpmf` call, and \
                     `{stan_name}` is not one"
                ),
            );
        }
        if !whole {
            self.cx.error(
                span,
                format!(
                    "the result of `{stan_name}` must be assigned whole to a variable, as in \
                     `array[N] vector[K] y = {stan_name}(...);` (using it inside an expression is \
                     not supported by Tilde yet)"
                ),
            );
        }
        if rest.len() + 1 < fixed {
            let mut params = vec!["f", "initial_state", "initial_time", "times"];
            if with_control {
                params.extend(CONTROL);
            }
            self.cx.error(
                span,
                format!(
                    "`{stan_name}` takes at least {fixed} arguments ({}, ...), found {}",
                    params.join(", "),
                    rest.len() + usize::from(function.is_some())
                ),
            );
            return err_expr(span);
        }
        let Some(Some((function, sig))) = function else {
            return err_expr(span);
        };
        if rest.iter().any(|a| a.ty.is_error()) {
            return err_expr(span);
        }
        let mut rest = rest.into_iter();
        let mut next = || rest.next().expect("the arity was checked");
        let (initial_state, initial_time, times) = (next(), next(), next());
        let control = with_control.then(|| [next(), next(), next()]);
        let args: Vec<TExpr> = rest.collect();
        let ok = self.verify_ode_state_and_times(&stan_name, &initial_state, &initial_time, &times)
            & self.verify_ode_control(&stan_name, control.as_ref())
            & self.verify_ode_arguments(&stan_name, &sig, &args, span);
        if !ok {
            return err_expr(span);
        }
        let ad = initial_state.ad || initial_time.ad || times.ad || args.iter().any(|a| a.ad);
        let call = OdeCall {
            stan_name,
            solver,
            function,
            initial_state,
            initial_time,
            times,
            control,
            args,
        };
        TExpr { kind: TExprKind::Ode(Box::new(call)), ty: Ty::array_of(Ty::Vector, 1), ad, span }
    }

    /// Resolves the function argument of an ODE solver and checks its signature; `None`
    /// after reporting why it does not fit.
    fn check_ode_function(&mut self, solver: &str, f: Expr) -> Option<(Ident, FunSig)> {
        let ExprKind::Var(ident) = f.kind else {
            self.cx.error(
                f.span,
                format!(
                    "the first argument of `{solver}` must be the name of a function defined in \
                     the `functions` block"
                ),
            );
            return None;
        };
        let key = ident.to_string();
        let Some(sig) = self.functions.get(&key).cloned() else {
            let what = if self.lookup(&key).is_some() {
                format!("`{key}` is a variable")
            } else if builtins::lookup(&key).is_some() {
                format!("`{key}` is a built-in function")
            } else {
                format!("unknown function `{key}`")
            };
            self.cx.error(
                ident.span(),
                format!(
                    "{what}: the first argument of `{solver}` must name a function defined in \
                     the `functions` block"
                ),
            );
            return None;
        };
        if sig.kind != FunKind::Plain {
            self.cx.error(
                ident.span(),
                format!(
                    "`{key}` cannot be the function of an ODE: functions ending in `_lpdf`, \
                     `_lpmf`, `_lp` or `_rng` are not allowed there"
                ),
            );
            return None;
        }
        let ret = sig.ret.as_ref().map_or("void".to_string(), Ty::describe);
        if sig.ret != Some(Ty::Vector) {
            self.cx.error(
                ident.span(),
                format!("the ODE function `{key}` must return `vector`, found `{ret}`"),
            );
            return None;
        }
        if sig.params.len() < 2 || sig.params[0] != Ty::Real || sig.params[1] != Ty::Vector {
            let params: Vec<String> = sig.params.iter().map(Ty::describe).collect();
            self.cx.error(
                ident.span(),
                format!(
                    "the ODE function `{key}` must take the time (`real`) and the state \
                     (`vector`) first, as in `vector {key}(real t, vector y, ...)`, found \
                     `({})`",
                    params.join(", ")
                ),
            );
            return None;
        }
        Some((ident, sig))
    }

    /// The initial state is a vector, the initial time a real, the output times an array of
    /// reals. Returns whether all is well.
    fn verify_ode_state_and_times(
        &mut self,
        solver: &str,
        initial_state: &TExpr,
        initial_time: &TExpr,
        times: &TExpr,
    ) -> bool {
        let checks = [
            (initial_state, initial_state.ty == Ty::Vector, "the initial state", "vector"),
            (initial_time, initial_time.ty.is_scalar(), "the initial time", "real"),
            (times, assignable(&Ty::array_of(Ty::Real, 1), &times.ty), "the times", "array[] real"),
        ];
        let mut ok = true;
        for (e, fine, what, want) in checks {
            if !fine {
                self.cx.error(
                    e.span,
                    format!("`{solver}`: {what} must be `{want}`, found `{}`", e.ty.describe()),
                );
                ok = false;
            }
        }
        ok
    }

    /// The tolerances are data reals and the step limit a data int.
    fn verify_ode_control(&mut self, solver: &str, control: Option<&[TExpr; 3]>) -> bool {
        let Some(control) = control else { return true };
        let mut ok = true;
        for (k, (e, what)) in control.iter().zip(CONTROL).enumerate() {
            let (fine, want) =
                if k < 2 { (e.ty.is_scalar(), "real") } else { (e.ty == Ty::Int, "int") };
            if !fine {
                self.cx.error(
                    e.span,
                    format!("`{solver}`: {what} must be `{want}`, found `{}`", e.ty.describe()),
                );
                ok = false;
            } else if e.ad {
                self.cx.error(
                    e.span,
                    format!("`{solver}`: {what} must be data; it cannot depend on parameters"),
                );
                ok = false;
            }
        }
        ok
    }

    /// The call's trailing arguments fit the function's parameters after the time and state.
    fn verify_ode_arguments(
        &mut self,
        solver: &str,
        sig: &FunSig,
        args: &[TExpr],
        span: Span,
    ) -> bool {
        let name = &sig.name;
        let params = &sig.params[2..];
        if params.len() != args.len() {
            self.cx.error(
                span,
                format!(
                    "`{name}` takes {} argument(s) after the time and the state, but `{solver}` \
                     passes it {}",
                    params.len(),
                    args.len()
                ),
            );
            return false;
        }
        let mut ok = true;
        for (k, (a, t)) in args.iter().zip(params).enumerate() {
            if !assignable(t, &a.ty) {
                self.cx.error(
                    a.span,
                    format!(
                        "argument {} of `{name}` must be `{}`, found `{}`",
                        k + 3,
                        t.describe(),
                        a.ty.describe()
                    ),
                );
                ok = false;
            }
        }
        ok
    }
}
