#!/usr/bin/env bash
# Starts a local Kubernetes control plane (etcd, kube-apiserver, controller-manager,
# scheduler, kwok with a fake node, the Azure workload identity webhook) on
# 127.0.0.1, prints the KUBECONFIG export, and stops everything on Ctrl-C.
# Builds the binaries first if they are not cached yet.
#
#   tests/controlplane/up.sh [--no-webhook] [--tenant-id GUID] [--kubeconfig-out FILE]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v cargo >/dev/null 2>&1 || { echo "up.sh: 'cargo' is required: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
XTENANT_CONTROLPLANE_BIN="$("$root/tests/controlplane/build.sh")"
export XTENANT_CONTROLPLANE_BIN
cd "$root"
exec cargo run --quiet -p controlplane --bin xtenant-controlplane -- "$@"
