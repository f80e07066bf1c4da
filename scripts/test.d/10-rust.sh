#!/usr/bin/env bash
# The Rust workspace's tests (unit, integration, corpus parity, proptest).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test --workspace --release
