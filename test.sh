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
# Every tier runs; one that cannot run fails and says what is missing.
# Extra arguments are passed to `cargo test` (e.g. a test name filter).
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

started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

step "Azure CLI from PyPI, in a cached venv"
XTENANT_AZ=$(scripts/ensure-azure-cli)
export XTENANT_AZ
echo "az: $("$XTENANT_AZ" version --query '"azure-cli"' -o tsv 2>/dev/null) ($(elapsed))" >&2

step "Azure Identity SDK (PyPI azure-identity), in a cached venv"
XTENANT_AZURE_IDENTITY_PYTHON=$(scripts/ensure-azure-identity)
export XTENANT_AZURE_IDENTITY_PYTHON

step "Kubernetes control plane, built from Go modules (cached by version)"
XTENANT_CONTROLPLANE_BIN=$(tests/controlplane/build.sh)
export XTENANT_CONTROLPLANE_BIN
echo "control plane binaries ready ($(elapsed))" >&2

step "krew, built from the Go module proxy (cached by version)"
XTENANT_KREW=$(scripts/ensure-krew)
export XTENANT_KREW
echo "krew ready ($(elapsed))" >&2

step "build the workspace"
cargo build --workspace --locked

step "cargo test: every Rust tier"
cargo test --workspace --locked "$@"

step "distribution tests"
for t in tests/dist/*.sh; do
  echo "--> $t" >&2
  bash "$t"
done

step "all tiers passed ($(elapsed))"
