//! `heat-sync compile` of a generated 1,000-server coordinated template (target: 50 ms).
//!
//! Server `s{i}` runs one script role that reads the output of an earlier server (and
//! `s0`'s first address), a hidden parameter and a plain one, and publishes its own
//! output; every tenth output is also a stack output, so the wait conditions' data is
//! taken apart too.
//!
//! It runs with the allocator of the `heat-sync` command (the benches library's), as
//! every benchmark here does.
//!
//! Run: `cargo bench -p heat-sync-benches --bench compile`.

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use heat_sync::compile::{compile, Options};
use heat_sync::stack::Inputs;
use heat_sync_benches::coordinated_template;

fn bench(c: &mut Criterion) {
    let inputs = Inputs {
        template_name: "bench.yaml".into(),
        template: coordinated_template(1000),
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
