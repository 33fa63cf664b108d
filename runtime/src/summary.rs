//! The posterior summary table, in the manner of CmdStan's `stansummary`.
