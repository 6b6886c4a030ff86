#!/usr/bin/env bash
# Runs every test tier of xtenant, installing what the tiers need on first use
# into a cache outside the checkout (default ~/.cache/xtenant):
#
#   1. unit tests, --help snapshots, the fake-az and mocked-API-server tests
#   2. the contract test against the real Azure CLI (PyPI azure-cli, in a venv)
#   3. the local two-tenant Azure simulator driven by the real Azure CLI
#   4. a real Kubernetes control plane (kube-apiserver, controller-manager,
#      scheduler, etcd, the workload identity webhook, kwok) built from Go modules
#   5. the whole procedure end to end (and the Azure Identity SDK given what the
#      webhook injected), and the distribution (install.sh, krew)
#
# Every tier runs; one that cannot run fails and says what is missing. The test
# binaries run side by side (scripts/run-tests), and the run ends with a table
# of each binary and tier: wall time and test count.
# Extra arguments are passed to every test binary (e.g. a test name filter);
# with a filter, the distribution checks are left out.
set -euo pipefail
cd "$(dirname "$0")"

export XTENANT_CACHE="${XTENANT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xtenant}"
export AZURE_CORE_COLLECT_TELEMETRY=false

step() { printf '\n==> %s\n' "$*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "test.sh: '$1' is required: $2" >&2
    exit 1
  }
}
need cargo "install Rust with rustup (https://rustup.rs)"
need python3 "install Python 3 with venv support (apt-get install python3 python3-venv)"
need go "install Go 1.24 or newer (https://go.dev/dl or apt-get install golang)"
need kubectl "install kubectl (https://kubernetes.io/docs/tasks/tools/)"

need jq "install jq (apt-get install jq)"

started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

# shellcheck disable=SC1091 # scripts/lib/jobs.sh is checked on its own
. scripts/lib/jobs.sh
jobs_dir=$(mktemp -d)
trap 'rm -rf "$jobs_dir"' EXIT

# Each installer does nothing when its cache is warm. On a new machine the
# Python venvs download while Go and cargo compile, side by side.
step "what the tiers need (cached outside the checkout), beside the workspace build"
job_start azure-cli scripts/ensure-azure-cli
job_start azure-identity scripts/ensure-azure-identity
job_start controlplane tests/controlplane/build.sh
job_start krew scripts/ensure-krew
job_start workspace sh -c 'cargo build --workspace --locked && cargo test --workspace --all-targets --locked --no-run'
job_wait "test.sh" azure-cli azure-identity controlplane krew workspace || {
  echo "test.sh: could not install or build what the tests need (see above)" >&2
  exit 1
}
XTENANT_AZ=$(cat "$jobs_dir/azure-cli.out")
XTENANT_AZURE_IDENTITY_PYTHON=$(cat "$jobs_dir/azure-identity.out")
XTENANT_CONTROLPLANE_BIN=$(cat "$jobs_dir/controlplane.out")
XTENANT_KREW=$(cat "$jobs_dir/krew.out")
export XTENANT_AZ XTENANT_AZURE_IDENTITY_PYTHON XTENANT_CONTROLPLANE_BIN XTENANT_KREW
echo "az: $("$XTENANT_AZ" version --query '"azure-cli"' -o tsv 2>/dev/null), control plane: $XTENANT_CONTROLPLANE_BIN ($(elapsed))" >&2

step "every test binary and distribution check, side by side"
scripts/run-tests "$@"

step "all tiers passed ($(elapsed))"
