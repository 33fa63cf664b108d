//! Writing a [`Fit`](crate::fit::Fit) out: CmdStan's CSV files, JSON, trace and density
//! plots, and the progress bar shown while sampling.

pub mod csv;
pub mod json;
pub mod plot;
pub mod progress;

use crate::error::Error;
use std::path::Path;

/// An I/O failure on `path`, as the user-facing error.
fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source }
}
