//! Heat's own verdict on the template heat-sync reads. `check` and `compile` refuse what
//! Heat would refuse when the stack is created (a function the version removed, bad
//! function arguments, an unknown resource type or section, a dangling reference), with
//! Heat's message, before anything is generated or boots.
//!
//! The template core reads the template as compile leaves it: without its `heat_sync`
//! sections (the references between coordinated servers there are run-time waits, not
//! Heat dependencies), and with the coordinated servers' attributes open (their role
//! outputs are attributes only once compiled). Deployment limits (resources per stack,
//! template size) are the cloud's settings, not the template's validity, and are left
//! to Heat.

use super::metadata::Coordinated;
use super::problem::{Code, Problem};
use crate::stack::{analyse_parsed, Inputs, Options};
use crate::Value;

/// Heat's rejection of `template` (the parsed template of `inputs`, its heat_sync
/// sections taken out), as problems; none when Heat accepts it. Hidden parameter values
/// Heat would quote show as `******`. The template core borrows `template` for the
/// analysis and gives it back (no copy of a large template).
pub(super) fn verdict(
    inputs: &Inputs,
    template: &mut Value,
    servers: &[Coordinated],
) -> Vec<Problem> {
    let options = Options {
        max_resources: None,
        max_template_size: None,
        open_attributes: servers.iter().map(|c| c.resource.clone()).collect(),
        ..Options::default()
    };
    let raw = match std::mem::take(template) {
        Value::Object(raw) => raw,
        other => {
            // source::load reads only mappings; nothing to ask Heat otherwise.
            *template = other;
            return Vec::new();
        }
    };
    let mut analysis = analyse_parsed(inputs, raw, &options);
    let name = if inputs.template_name.is_empty() { "<template>" } else { &inputs.template_name };
    let problems = analysis
        .shown_errors()
        .into_iter()
        // Parameter values come when the stack is created (compile keeps `get_param`),
        // so a parameter without one is not a fault of the template.
        .filter(|message| !is_missing_parameter(message))
        .map(|message| {
            let place = place_of(&message).unwrap_or(name).to_string();
            Problem::error(
                Code::InvalidTemplate,
                &place,
                format!("Heat rejects the template: {message}"),
            )
        })
        .collect();
    // The template core keeps every template whose version it knows, as source::load
    // checked; were it not kept, its error above stops the caller.
    if let Some(t) = analysis.template.take() {
        *template = Value::Object(t.into_raw());
    }
    problems
}

/// Heat's `UserParameterMissing`: `The Parameter (db_password) was not provided.`
fn is_missing_parameter(message: &str) -> bool {
    message.starts_with("The Parameter (") && message.ends_with(") was not provided.")
}

/// The template path Heat's message starts with (`resources.web.properties.x: ...`).
fn place_of(message: &str) -> Option<&str> {
    let (head, _) = message.split_once(": ")?;
    let sections =
        ["resources.", "outputs.", "parameters.", "conditions.", "Resources.", "Outputs."];
    (sections.iter().any(|s| head.starts_with(s)) && !head.contains(' ')).then_some(head)
}

#[cfg(test)]
mod tests {
    use super::place_of;

    #[test]
    fn places_come_from_heat_paths_only() {
        assert_eq!(
            place_of("resources.v.properties.value.list_join: Incorrect arguments"),
            Some("resources.v.properties.value.list_join")
        );
        assert_eq!(
            place_of("The specified reference \"x\" (in web.Properties) is incorrect."),
            None
        );
        assert_eq!(place_of("Unknown resource Type : OS::Nova::Servr"), None);
    }
}
