//! Convergence diagnostics: rank-normalised split R-hat, bulk and tail ESS, MCSE (Vehtari et
//! al. 2021).
