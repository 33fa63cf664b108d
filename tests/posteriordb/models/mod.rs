//! posteriordb's models, written in Tilde's language from the descriptions in posteriordb's
//! MODELS.md.

mod eight_schools;

pub use eight_schools::*;
