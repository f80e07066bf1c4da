#!/usr/bin/env bash
# The Heat 27.0.1 oracle's virtual environment (.venv-heat), from the pinned
# requirements in shared/tools. Also used by the Python binding tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared="${HEAT_SYNC_SHARED:-$(cd .. && pwd)/shared}"
if [ ! -x .venv-heat/bin/python ] || ! .venv-heat/bin/python -c 'import heat' 2>/dev/null; then
  python3 -m venv .venv-heat
  .venv-heat/bin/pip install -q --upgrade pip
  .venv-heat/bin/pip install -q -r "$shared/tools/heat-oracle-requirements.txt"
fi
