//! Stan's distributions: log densities and mass functions, vectorised as Stan vectorises them.
