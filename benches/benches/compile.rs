//! `heat-sync compile` of a generated 1,000-server coordinated template (target: 50 ms).
//!
//! Server `s{i}` runs one script role that reads the output of an earlier server (and
//! `s0`'s first address), a hidden parameter and a plain one, and publishes its own
//! output; every tenth output is also a stack output, so the wait conditions' data is
//! taken apart too.
//!
//! Run: `cargo bench -p heat-sync-benches --bench compile`.

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use heat_sync::compile::{compile, Options};
use heat_sync::stack::Inputs;

/// The template with `n` coordinated servers.
fn template(n: usize) -> String {
    let mut t = String::from(
        "heat_template_version: 2016-10-14\nparameters:\n  pw: {type: string, hidden: true, default: x}\n  image: {type: string, default: debian-12}\nresources:\n",
    );
    for i in 0..n {
        let reads = if i == 0 {
            String::new()
        } else {
            let from = (i * 7919) % i;
            format!("              up: {{get_attr: [s{from}, out]}}\n              first: {{get_attr: [s0, first_address]}}\n")
        };
        t.push_str(&format!(
            "  s{i}:\n    type: OS::Nova::Server\n    properties: {{image: {{get_param: image}}, flavor: m1.small}}\n    metadata:\n      heat_sync:\n        tool: script\n        roles:\n          - name: r\n            run: \"heat-sync put out {i}\"\n            inputs:\n{reads}              pw: {{get_param: pw}}\n              image: {{get_param: image}}\n            outputs: {{out: out}}\n"
        ));
    }
    t.push_str("outputs:\n");
    for i in (0..n).step_by(10) {
        t.push_str(&format!("  o{i}: {{value: {{get_attr: [s{i}, out]}}}}\n"));
    }
    t
}

fn bench(c: &mut Criterion) {
    let inputs = Inputs {
        template_name: "bench.yaml".into(),
        template: template(1000),
        ..Inputs::default()
    };
    let opts = Options::default();
    let compiled = compile(&inputs, &opts).unwrap();
    assert_eq!(compiled.server_plans.len(), 1000);
    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    g.bench_function("1000 coordinated servers", |b| b.iter(|| compile(&inputs, &opts).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
