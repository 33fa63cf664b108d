//! Streaming reader of posteriordb reference posteriors.
