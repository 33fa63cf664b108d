//! The result of sampling: draws, sampler statistics, adaptation and timing.
