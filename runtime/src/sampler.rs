//! Running several chains of NUTS on threads.
