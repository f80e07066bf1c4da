//! Heat's intrinsic functions, per template version, with static evaluation.
//!
//! Owner: issue 2 (template core). Placeholder until that work lands.
