//! Multivariate distributions.
