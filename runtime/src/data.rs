//! Reading data in Stan's JSON format.

/// Data that do not fit the model's `data` block.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DataError {
    /// What is wrong, naming the variable.
    pub message: String,
}
