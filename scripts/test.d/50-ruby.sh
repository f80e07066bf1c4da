#!/usr/bin/env bash
# The Ruby gem heat_sync, as a user gets it: `rake gem` (vendors the Rust sources and runs
# `gem build`), `gem install --local` into a private gem directory (the extension is
# built by cargo against this Ruby), then the minitest suite against the installed gem:
# the Chef double, the interception, the native client on the embedded store, ZooKeeper
# (HEAT_SYNC_ZK; under CI=true its absence is a failure) and two processes.
set -euo pipefail
cd "$(dirname "$0")/../../bindings-ruby"
root="$(cd .. && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
gems="$PWD/tmp/gems"
rm -rf "$gems" pkg
rake gem
gem install --local --no-document --install-dir "$gems" pkg/heat_sync-*.gem
system_gems="$(ruby -e 'print Gem.default_path.join(":")')"
export GEM_HOME="$gems" GEM_PATH="$gems:$system_gems"
ruby -Itest -e 'ARGV.each { |f| require File.expand_path(f) }' test/*_test.rb
