#!/usr/bin/env bash
# The Ruby gem's build and test tools beyond 10-apt.sh: rake (the gem's Rakefile), make
# and a C toolchain (extconf.rb's Makefile; cargo links with cc). minitest ships with
# Debian's libruby.
set -euo pipefail
pkgs=(rake make gcc libc6-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
