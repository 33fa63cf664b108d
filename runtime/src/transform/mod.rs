//! Constraining transforms from unconstrained space, with their log Jacobians (Stan reference
//! manual, "Constraint transforms").
//!
//! Each constrained type has a `constrain` function generic over [`crate::Scalar`] that adds
//! `ln |J|` to `lp`, an `_unconstrain` function on `f64` that checks the constrained value and
//! inverts the map, and, for containers, a `_free_dim` giving the number of unconstrained
//! coordinates. Matrices are column-major flat slices with explicit sizes.

mod bounds;
mod matrix;
mod vector;

pub use bounds::*;
pub use matrix::*;
pub use vector::*;
