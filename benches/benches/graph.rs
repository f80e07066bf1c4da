//! The dependency graph: building Heat's graph (explicit and implicit edges) and its
//! creation order for generated N-resource templates.
//!
//! Run: `cargo bench -p heat-sync-benches --bench graph`.

// criterion_group! and criterion_main! define undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use heat_sync::graph::DependencyGraph;
use heat_sync_benches::resource_nodes;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn build_and_order(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph/build_and_creation_order");
    for n in SIZES {
        let nodes = resource_nodes(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &nodes, |b, nodes| {
            b.iter(|| {
                let graph = DependencyGraph::build(nodes).unwrap();
                std::hint::black_box(graph.creation_order().len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, build_and_order);
criterion_main!(benches);
