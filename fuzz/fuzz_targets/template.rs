//! The template parser and Heat's pipeline (`stack::analyse`): any template text, with an
//! optional environment, gives Heat's verdict (accepted, or errors naming the place),
//! never a panic; an accepted template's graph answer renders to JSON.
//!
//! Input: the template text; a line `---8<---` splits off an environment after it.
#![no_main]

use heat_sync::stack::{analyse, Inputs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (template, environment) = match text.split_once("\n---8<---\n") {
        Some((t, e)) => (t, Some(e)),
        None => (text, None),
    };
    let inputs = Inputs {
        template_name: "fuzz.yaml".into(),
        template: template.into(),
        environments: environment.map(|e| vec![("env.yaml".to_string(), e.to_string())]).unwrap_or_default(),
        ..Inputs::default()
    };
    let analysis = analyse(&inputs);
    for e in &analysis.errors {
        assert!(!e.is_empty(), "an empty error message");
    }
    if analysis.is_ok() {
        let _ = analysis.to_json();
    }
});
