#!/usr/bin/env bash
# The Python package heat_sync and its Heat plugins (bindings-python): the type stubs
# checked against the installed native module (mypy stubtest), then the pytest suite,
# which runs Heat 27's own engine code in-process and a real ZooKeeper (HEAT_SYNC_ZK,
# started by scripts/test). scripts/install.d/40-python.sh built and installed the wheel.
set -euo pipefail
cd "$(dirname "$0")/../.."
py="$PWD/.venv-python/bin/python"
if [ ! -x "$py" ]; then
  echo "40-python: $py missing: run scripts/install.d/40-python.sh" >&2
  exit 1
fi
# Test the wheel as installed, never the source tree's python/ folder.
cd bindings-python
"$py" -m mypy.stubtest heat_sync --mypy-config-file pyproject.toml
echo "stubtest: heat_sync stubs match the installed module"
set +e
"$py" -m pytest tests -p no:cacheprovider -q -W ignore::DeprecationWarning
rc=$?
set -e
if [ "$rc" = 5 ]; then
  # pytest's "no tests collected": the suite is missing, which is a failure here.
  echo "40-python: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
