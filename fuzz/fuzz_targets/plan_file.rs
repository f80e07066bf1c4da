//! The plan files (`ServerPlan::from_json`, `StackPlan::from_json`): any bytes give a plan
//! or a `PlanError` naming the file, never a panic; an accepted plan survives a round trip
//! through `to_json` unchanged (what compile writes is what the agent reads).
#![no_main]

use heat_sync::plan::{PlanError, ServerPlan, StackPlan};
use libfuzzer_sys::fuzz_target;

fn named(e: &PlanError) {
    assert!(e.to_string().starts_with("fuzz.json: "), "error does not name the file: {e}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match ServerPlan::from_json("fuzz.json", text) {
        Ok(plan) => {
            let again = ServerPlan::from_json("again.json", &plan.to_json())
                .expect("a server plan's own JSON reads back");
            assert_eq!(plan, again, "server plan changed in a round trip");
        }
        Err(e) => named(&e),
    }
    match StackPlan::from_json("fuzz.json", text) {
        Ok(plan) => {
            let again = StackPlan::from_json("again.json", &plan.to_json())
                .expect("a stack plan's own JSON reads back");
            assert_eq!(plan, again, "stack plan changed in a round trip");
        }
        Err(e) => named(&e),
    }
});
