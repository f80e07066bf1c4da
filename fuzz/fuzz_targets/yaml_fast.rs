//! The fast YAML path against the reference path (yaml-rust2 events with PyYAML's
//! resolution): on any text it gives exactly the reference's value, or stays out
//! (`None`); it never accepts what the reference rejects, and never panics.
#![no_main]

use heat_sync::template::yaml::{parse_yaml_fast, parse_yaml_reference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(fast) = parse_yaml_fast(text) else { return };
    match parse_yaml_reference(text) {
        Ok(reference) => assert_eq!(fast, reference, "fast path differs"),
        Err(e) => panic!("fast path accepted what the reference rejects: {e}"),
    }
});
