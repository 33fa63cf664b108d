//! Stan's distributions, vectorised as Stan vectorises them (Stan functions reference,
//! "Discrete distributions" and "Continuous distributions").
//!
//! Every density takes its arguments as [`crate::math::Arg`]s (integers as
//! [`crate::math::IntArg`]s): scalars broadcast, containers must agree in length, and the
//! result is the sum over elements. `PROPTO = true` is Stan's `~` and `_lupdf`: terms whose
//! arguments are all constants are dropped. Invalid parameters give a recoverable
//! [`crate::ModelError`] worded as Stan words it.

mod bounded;
mod check;
mod count;
mod glm;
mod location;
mod multi;
mod normal;
mod positive;
mod truncation;

pub use bounded::*;
pub use count::*;
pub use glm::*;
pub use location::*;
pub use multi::*;
pub use normal::*;
pub use positive::*;
pub use truncation::*;
