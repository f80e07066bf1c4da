#!/usr/bin/env bash
# Debian packages: ZooKeeper (real coordinator for tests), Ruby with headers and
# libclang (the magnus gem), cloud-init (schema checks of generated user-data),
# graphviz (svg rendering when present).
set -euo pipefail
pkgs=(zookeeper ruby ruby-dev libclang-dev cloud-init graphviz rake-compiler)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
