#!/usr/bin/env bash
# The Python interpreter the installers make their venvs with
# (scripts/ensure-azure-cli, scripts/ensure-azure-identity). Sourced, not run:
#
#   pick_python NAME   prints two lines: the interpreter's real path and a tag
#                      for it (e.g. cpython-311-1a2b3c4d); or says on stderr
#                      why none fits, prefixed with NAME, and answers 1
#
# XTENANT_PYTHON names the interpreter. Otherwise the system's /usr/bin/python3
# comes before the first python3 on PATH: Debian and Ubuntu link theirs
# statically, and az, started once for every Azure call, costs less CPU under
# it. Measured on Debian 12 with azure-cli 2.91.0: `az group show` 0.375
# CPU-seconds under the system's Python 3.11.2, 0.449 under a pyenv-built
# 3.11.7 (--enable-shared), and 12-20 % less for every other command tried.
#
# An interpreter must be Python 3.10 or newer (azure-cli and azure-identity
# require it) and able to make a venv with pip (ensurepip); one that is not is
# passed over with a line that says why.
#
# A venv works only with the interpreter that made it, so the installers keep
# one per interpreter: the tag is its ABI and a hash of its real path (a pyenv
# shim resolves to the version it runs).

pick_python() { # name
  local name=$1 candidates=() cand found real abi
  if [ -n "${XTENANT_PYTHON:-}" ]; then
    candidates=("$XTENANT_PYTHON")
  else
    [ -x /usr/bin/python3 ] && candidates+=(/usr/bin/python3)
    cand=$(command -v python3 || true)
    [ -n "$cand" ] && candidates+=("$cand")
  fi
  for cand in "${candidates[@]}"; do
    # One start-up per candidate: its fitness, real path and ABI tag.
    if ! found=$("$cand" -c '
import os, sys
if sys.version_info < (3, 10):
    sys.exit("it is Python %d.%d, and 3.10 or newer is needed" % sys.version_info[:2])
try:
    import ensurepip, venv  # noqa: F401
except ImportError as e:
    sys.exit("it cannot make a venv with pip (%s; apt-get install python3-venv)" % e)
print(os.path.realpath(sys.executable))
print(sys.implementation.cache_tag)
' 2>&1); then
      echo "$name: passing over $cand: $found" >&2
      continue
    fi
    { read -r real; read -r abi; } <<<"$found"
    printf '%s\n%s-%s\n' "$real" "$abi" "$(printf '%s' "$real" | sha256sum | cut -c1-8)"
    return 0
  done
  if [ -n "${XTENANT_PYTHON:-}" ]; then
    echo "$name: XTENANT_PYTHON=$XTENANT_PYTHON cannot be used (see above): name a Python 3.10+ with venv support, or unset it" >&2
  else
    echo "$name: Python 3.10 or newer with venv support is required (apt-get install python3 python3-venv), or name one in XTENANT_PYTHON" >&2
  fi
  return 1
}
