//! `heat-sync simulate`: every coordinated server of a stack as a local process.
//!
//! Owner: issue 4 (agent). Placeholder until that work lands.
