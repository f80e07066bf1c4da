//! The sans-IO coordination protocol (quinn-proto style: `handle_*` in, `poll_*` out,
//! time as a parameter).
//!
//! Owner: issue 4 (runtime). Placeholder until that work lands.
