//! The analysis pipeline: template + environments + parameters + files in, Heat's
//! answer (verdict, graph, conditions, parameters, resolved values) out.
//!
//! Owner: issue 2 (template core). Placeholder until that work lands.
