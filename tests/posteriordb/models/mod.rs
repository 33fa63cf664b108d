//! posteriordb's models, written in Tilde's language from the descriptions in posteriordb's
//! MODELS.md, one module per model family.

mod earnings;
mod eight_schools;
mod kidiq;
mod kidiq_with_mom_work;
mod kilpisjarvi;
mod mesquite;
mod nes;
mod time_series;

pub use earnings::*;
pub use eight_schools::*;
pub use kidiq::*;
pub use kidiq_with_mom_work::*;
pub use kilpisjarvi::*;
pub use mesquite::*;
pub use nes::*;
pub use time_series::*;
