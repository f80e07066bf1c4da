#!/usr/bin/env bash
# The README's main job, exactly as a user runs it: the three-tier example simulated on the
# embedded store must finish with every role done and draw its timeline.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cargo run --release --bin heat-sync -- simulate examples/three-tier/template.yaml \
  --timeline "$tmp/timeline.svg" | tee "$tmp/out.txt"
grep -q "every role of every server finished" "$tmp/out.txt"
grep -q "<svg" "$tmp/timeline.svg"
echo "readme main job: 1 passed, 0 failed"
