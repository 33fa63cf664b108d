//! The `model!` macro of Tilde.
//!
//! The phases, each in its own module: [`syntax`] parses Rust tokens into a syntax tree,
//! [`check`] resolves names, checks types and block rules and produces the typed form in
//! [`ir`], and [`codegen`] emits Rust. When parsing or checking fails, [`fallback`] emits the
//! errors together with a stub of the model type.

use proc_macro::TokenStream;

mod builtins;
mod check;
mod codegen;
mod fallback;
mod ir;
mod runtime_path;
mod syntax;

#[cfg(test)]
mod fuzz;

/// Compiles a Stan-like model into a Rust type that implements `tilde::Model`.
///
/// See the README for the language; every mistake is a compile error on the offending token.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    runtime_path::find();
    expand(input.into()).into()
}

/// Runs `f`, first moving to a fresh stack segment when this one is nearly used up. The phases
/// recurse once per level of nesting of the model's expressions and statements, and a
/// generated or long model (a sum of a thousand terms, say) would otherwise overflow the
/// compiler's stack and crash it instead of compiling.
fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, f)
}

fn expand(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let program: syntax::Program = match syn::parse2(input) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    let (attrs, vis, name) = (program.attrs.clone(), program.vis.clone(), program.name.clone());
    let (typed, cx) = check::check_program(program);
    match cx.into_result() {
        Ok(()) => codegen::generate(&typed),
        Err(errors) => fallback::expand(&attrs, &vis, &name, errors),
    }
}
