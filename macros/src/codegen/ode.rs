//! Code generation for the ODE solvers: the user's function becomes a closure over the call's
//! trailing arguments, which the runtime solver calls with the time and the state.

use super::{Gen, Kind, rt, scalar_type};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

impl Gen<'_> {
    /// The solution of an ODE call, a `Vec<Vec<_>>` of the solver's scalar type: `S` when any
    /// argument carries derivatives (`ad`), `f64` otherwise.
    pub(super) fn ode_call(&mut self, call: &OdeCall, ad: bool) -> TokenStream {
        let rt = rt();
        let target = if ad { Kind::Var } else { Kind::Data };
        let st = scalar_type(target);
        let p: &Program = self.p;
        let f = p
            .functions
            .iter()
            .find(|f| f.name == call.function)
            .expect("checked: the ODE function exists");
        let (mut prelude, y0) = self.materialize_as(&call.initial_state, target);
        let t0 = self.scalar(&call.initial_time, target);
        let (ts_prelude, ts) = self.materialize_as(&call.times, target);
        prelude.extend(ts_prelude);
        let args: Vec<&TExpr> = call.args.iter().collect();
        let (args_prelude, vals) = self.function_args(&f.params[2..], &args, target);
        prelude.extend(args_prelude);
        // Each argument is evaluated once, before solving, and the closure borrows it.
        let bound: Vec<_> = vals.iter().map(|_| self.fresh("ode_arg")).collect();
        let control = match &call.control {
            None => quote!(#rt::ode::OdeControl::DEFAULT),
            Some([rel, abs, steps]) => {
                let rel = self.scalar(rel, Kind::Data);
                let abs = self.scalar(abs, Kind::Data);
                let steps = self.scalar(steps, Kind::Int);
                quote!(#rt::ode::OdeControl { rel_tol: #rel, abs_tol: #abs, max_num_steps: #steps })
            }
        };
        let function = self.function_ident(&f.name);
        let solver = syn::Ident::new(call.solver, proc_macro2::Span::call_site());
        let name = &call.stan_name;
        quote! {{
            #(#prelude)*
            #(let #bound = #vals;)*
            let __t0: #st = #t0;
            let __control = #control;
            #rt::ode::#solver::<#st, _>(
                #name,
                |__t: #st, __y: &[#st]| #function::<#st>(__t, __y #(, #bound)*),
                &#y0[..],
                __t0,
                &#ts[..],
                __control,
            )?
        }}
    }
}
