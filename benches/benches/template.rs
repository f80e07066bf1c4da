//! The template core: from template text to Heat's dependency graph
//! (`stack::analyse_with`: parse, parameters, conditions, resource definitions,
//! validation, references, static properties, graph and creation order) for
//! generated N-resource templates.
//!
//! Run: `cargo bench -p heat-sync-benches --bench template`.

// criterion_group! and criterion_main! define undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use heat_sync::stack::{analyse_with, Inputs, Options};
use heat_sync_benches::template_yaml;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn parse_to_graph(c: &mut Criterion) {
    let options = Options { max_resources: None, max_template_size: None, ..Options::default() };
    let mut group = c.benchmark_group("template/parse_to_graph");
    group.sample_size(20);
    for n in SIZES {
        let inputs = Inputs {
            template_name: format!("generated-{n}.yaml"),
            template: template_yaml(n),
            ..Inputs::default()
        };
        let analysis = analyse_with(&inputs, &options);
        assert!(analysis.is_ok(), "{:?}", analysis.errors);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &inputs, |b, inputs| {
            b.iter(|| {
                let analysis = analyse_with(inputs, &options);
                std::hint::black_box(analysis.graph.map(|g| g.creation_order().len()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse_to_graph);
criterion_main!(benches);
