#!/usr/bin/env bash
# Runs a command (default: an interactive shell) against the local two-tenant Azure
# simulator: starts `azsim`, which logs the real az in to both tenants, exports its
# env (AZURE_CONFIG_DIR, REQUESTS_CA_BUNDLE, PATH, HOME, TENANT_A_ID, ...), runs the
# command, and stops the simulator.
#
#   tests/azsim/scripts/azsim.sh                      # a shell; try: az group list --subscription $TENANT_A_SUBSCRIPTION_ID
#   tests/azsim/scripts/azsim.sh az-xtenant up        # any command
#   AZSIM_ARGS="--issuer-url https://..." tests/azsim/scripts/azsim.sh ...
#
# Needs the real Azure CLI in XTENANT_AZ (scripts/ensure-azure-cli prints it).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
: "${XTENANT_AZ:=$("$root/scripts/ensure-azure-cli")}"
export XTENANT_AZ
cargo build --quiet --manifest-path "$root/Cargo.toml" -p azsim --bin azsim
bin="$root/target/debug/azsim"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck disable=SC2086 # AZSIM_ARGS is a list of flags
"$bin" --env-file "$work/env" ${AZSIM_ARGS:-} >/dev/null 2>"$work/log" &
pid=$!
for _ in $(seq 120); do
  [ -s "$work/env" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$work/env" ] || { echo "azsim did not start:" >&2; cat "$work/log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/env"
echo "azsim: $AZSIM_URL  Tenant A $TENANT_A_ID / $TENANT_A_SUBSCRIPTION_ID  Tenant B $TENANT_B_ID / $TENANT_B_SUBSCRIPTION_ID" >&2
if [ $# -eq 0 ]; then
  "${SHELL:-bash}" -i
else
  "$@"
fi
