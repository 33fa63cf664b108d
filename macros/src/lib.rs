//! The `model!` macro of Tilde.

use proc_macro::TokenStream;

/// Compiles a Stan-like model into Rust.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
