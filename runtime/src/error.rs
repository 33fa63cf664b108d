//! The error type of the user-facing API.

use crate::data::DataError;
use crate::model::ModelError;

/// Anything that can go wrong between reading data and writing draws.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The data do not fit the model's `data` block.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The model failed in a way that stops sampling.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// Sampling failed.
    #[error("{0}")]
    Sampling(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
}
