#!/usr/bin/env bash
# The Python package heat_sync (bindings-python), installed beside Heat 27.0.1.
#
# It goes into .venv-python, a venv layered over .venv-heat: a .pth file puts Heat's
# site-packages on its path, so Heat and heat_sync import together exactly as in an
# operator's Heat environment, while .venv-heat itself stays as pinned. (Our
# heat.templates entry points would otherwise change the Heat oracle's answers: Heat
# lists every registered version in its "should be one of" messages.)
# maturin, pytest and mypy (stubtest) go into .venv-python too.
set -euo pipefail
cd "$(dirname "$0")/../.."
heat_py=.venv-heat/bin/python
if ! "$heat_py" -c 'import heat' 2>/dev/null; then
  echo "40-python: $heat_py cannot import heat (scripts/install.d/30-heat-venv.sh)" >&2
  exit 1
fi
base_py="$(sed -n 's/^executable *= *//p' .venv-heat/pyvenv.cfg)"
[ -x "$base_py" ] || base_py=python3
[ -x .venv-python/bin/python ] || "$base_py" -m venv .venv-python
purelib='import sysconfig; print(sysconfig.get_paths()["purelib"])'
"$heat_py" -c "$purelib" > "$(.venv-python/bin/python -c "$purelib")/heat-venv.pth"
.venv-python/bin/pip install -q --upgrade pip
.venv-python/bin/pip install -q 'maturin>=1.5,<2' pytest mypy
# maturin's build backend runs the `maturin` command: put ours first on PATH (pip skips
# tools that .venv-heat already has; they are found there then).
PATH="$PWD/.venv-python/bin:$PWD/.venv-heat/bin:$PATH" .venv-python/bin/pip install -q --no-build-isolation \
  --force-reinstall --no-deps ./bindings-python
.venv-python/bin/python -c 'import heat, heat_sync; print("heat_sync", heat_sync.__version__, "beside heat")'
