//! The path through which generated code reaches the runtime: `::tilde::__private`, or the name
//! the user gave the dependency in `Cargo.toml` (`tl = { package = "tilde", ... }`).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::cell::RefCell;

thread_local! {
    /// The name of the `tilde` crate in the crate being compiled. It is looked up at every
    /// expansion rather than once per process, because an editor's macro server expands the
    /// models of many crates in one process.
    static NAME: RefCell<String> = RefCell::new("tilde".to_string());
}

/// Looks up the name of the `tilde` dependency of the crate being compiled. Inside `tilde`'s own
/// tests and examples, or when the manifest cannot be read, it is `tilde`.
pub fn find() {
    use proc_macro_crate::{FoundCrate, crate_name};
    let name = match crate_name("tilde") {
        Ok(FoundCrate::Name(name)) => name,
        Ok(FoundCrate::Itself) | Err(_) => "tilde".to_string(),
    };
    NAME.with(|n| *n.borrow_mut() = name);
}

/// `::<tilde>::__private`, with the name found by the last [`find`].
pub fn get() -> TokenStream {
    let name = NAME.with(|n| syn::Ident::new(&n.borrow(), Span::call_site()));
    quote!(::#name::__private)
}
