//! The runtime of Tilde: everything a compiled model needs to be sampled.
//!
//! Users depend on the `tilde` facade crate, which re-exports this crate next to the `model!`
//! macro. The pieces, in the order a fit uses them:
//!
//! - [`data`]: Stan's JSON data format, with errors that name the variable and index;
//! - [`math`] and [`dist`]: functions and distributions, generic over [`Scalar`];
//! - [`transform`]: constraining transforms and their log Jacobians;
//! - [`gradient`], [`forward`] and [`reverse`]: gradients from forward passes (Tilde's own
//!   numbers, or `num-dual`'s as the oracle) and from a reverse-mode tape;
//! - [`nuts`] and [`sampler`]: the No-U-Turn sampler with Stan's adaptation, on threads;
//! - [`fit`], [`diagnostics`] and [`summary`]: draws, R-hat and ESS, and the summary table;
//! - [`rejections`]: the messages of rejected proposals, counted per chain;
//! - [`output`]: CmdStan CSV, JSON, trace and density plots, and the progress bar;
//! - [`mod@reference`]: streaming reader of posteriordb reference posteriors, for tests.

#![deny(missing_docs)]

pub mod data;
pub mod diagnostics;
pub mod dist;
pub mod error;
pub mod fit;
pub mod forward;
pub mod gradient;
pub mod math;
pub mod model;
pub mod nuts;
pub mod ode;
#[doc(hidden)]
pub mod ops;
pub mod output;
pub mod reference;
pub mod rejections;
pub mod reverse;
pub mod rng;
pub mod sampler;
pub mod scalar;
pub mod summary;
pub mod transform;

pub use error::Error;
pub use model::{ErrorKind, LogDensity, Model, ModelError};
pub use scalar::Scalar;
