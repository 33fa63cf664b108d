//! Constraining transforms from unconstrained space, with their log Jacobians (Stan reference
//! manual, "Constraint transforms").
