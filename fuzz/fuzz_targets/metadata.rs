//! The `heat_sync` metadata and everything compile does with it (`compile::compile`:
//! metadata reading, the data-flow analysis, the generated template and plans): any
//! template gives a compiled stack or an error naming the place, never a panic; the plans
//! compile writes read back as the same plans (what the agent reads is what compile
//! meant); node attribute paths format and parse back to the same keys.
#![no_main]

use heat_sync::compile::{compile, Options};
use heat_sync::dataflow::path;
use heat_sync::plan::{ServerPlan, StackPlan};
use heat_sync::stack::Inputs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(keys) = path::parse(text) {
        assert_eq!(path::parse(&path::format(&keys)).as_ref(), Ok(&keys), "{text:?}");
    }
    let inputs = Inputs { template_name: "fuzz.yaml".into(), template: text.into(), ..Inputs::default() };
    match compile(&inputs, &Options::default()) {
        Ok(compiled) => {
            let stack = StackPlan::from_json("stack.json", &compiled.stack_plan.to_json())
                .expect("compile writes a stack plan its readers accept");
            assert_eq!(stack, compiled.stack_plan);
            for plan in &compiled.server_plans {
                let back = ServerPlan::from_json("server.json", &plan.to_json())
                    .expect("compile writes server plans the agent accepts");
                assert_eq!(&back, plan);
            }
            assert!(!compiled.template_text.is_empty());
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
