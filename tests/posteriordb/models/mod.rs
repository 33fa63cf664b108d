//! posteriordb's models, written in Tilde's language from the descriptions in posteriordb's
//! MODELS.md, one module per model family.

mod blr;
mod diamonds;
mod earnings;
mod eight_schools;
mod gp;
mod hmm;
mod kidiq;
mod kidiq_with_mom_work;
mod kilpisjarvi;
mod mcycle;
mod mesquite;
mod mixture;
mod nes;
mod ode;
mod time_series;

pub use blr::*;
pub use diamonds::*;
pub use earnings::*;
pub use eight_schools::*;
pub use gp::*;
pub use hmm::*;
pub use kidiq::*;
pub use kidiq_with_mom_work::*;
pub use kilpisjarvi::*;
pub use mcycle::*;
pub use mesquite::*;
pub use mixture::*;
pub use nes::*;
pub use ode::*;
pub use time_series::*;
