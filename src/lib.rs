//! Tilde: Stan-like probabilistic models in Rust, checked at compile time and sampled with NUTS.

pub use tilde_macros::model;
pub use tilde_runtime::*;

/// Runtime items that generated code names. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use tilde_runtime::*;
}
