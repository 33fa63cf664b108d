//! Stan's functions, generic over [`crate::Scalar`].

pub mod args;
