//! The analysis pipeline: template + environments + parameters + files in, Heat's
//! answer (verdict, graph, conditions, parameters, resolved values) out.
//!
//! Owner: issue 2 (template core). [`Inputs`] is shared by every command that reads a
//! template (`graph`, `check`, `compile`, `simulate`) and by the bindings.

use std::collections::BTreeMap;

/// Everything a command is given to read one template, as the CLI's
/// `TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]...` or the bindings'
/// `(template, environments, params, files)`.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The template's name as shown in messages (its path, or `<template>`).
    pub template_name: String,
    /// The template text (JSON or YAML).
    pub template: String,
    /// Environment files in merge order: `(name for messages, text)`.
    pub environments: Vec<(String, String)>,
    /// `--param K=V` values, in the order given.
    pub params: Vec<(String, String)>,
    /// The files map: `get_file` and provider template names exactly as the template
    /// writes them, to their contents.
    pub files: BTreeMap<String, String>,
}
