#!/usr/bin/env bash
# The whole cross-tenant procedure on this machine, with readable output:
#   1. a real Kubernetes control plane (API server, webhook, kwok) on 127.0.0.1
#   2. the two-tenant Azure simulator, whose AKS clusters get that API server's
#      issuer, with the real az logged in to both tenants
#   3. az-xtenant init + up, then kubectl xtenant deploy, verify, doctor --exchange
#      (the simulator's Entra checks the real service-account token against the
#      API server's keys), then cleanup in the cluster and in both tenants.
# Everything is stopped and removed at the end (also on Ctrl-C or failure).
#
#   tests/controlplane/playground.sh            # run the flow and clean up
#   tests/controlplane/playground.sh --keep     # stop before cleanup and open a shell
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
keep=false
[[ "${1:-}" == "--keep" ]] && keep=true

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
[[ -n "${NO_COLOR:-}" || ! -t 2 ]] && say() { printf '\n==> %s\n' "$*" >&2; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

for tool in cargo kubectl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "playground.sh: '$tool' is required" >&2; exit 1; }
done

say "building (cached after the first run)"
XTENANT_CONTROLPLANE_BIN="$("$root/tests/controlplane/build.sh")"
XTENANT_AZ="${XTENANT_AZ:-$("$root/scripts/ensure-azure-cli")}"
export XTENANT_CONTROLPLANE_BIN XTENANT_AZ
cargo build --quiet --manifest-path "$root/Cargo.toml" \
  -p controlplane -p azsim -p az-xtenant -p kubectl-xtenant
target="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for_file() { # file pid log what
  for _ in $(seq 240); do
    [[ -s "$1" ]] && return 0
    kill -0 "$2" 2>/dev/null || { echo "$4 failed to start:" >&2; cat "$3" >&2; exit 1; }
    sleep 0.5
  done
  echo "$4 did not start in 120 s:" >&2; cat "$3" >&2; exit 1
}

say "starting the control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok, webhook)"
"$target/xtenant-controlplane" --kubeconfig-out "$work/kubeconfig" --env-file "$work/cp.env" \
  >/dev/null 2>"$work/controlplane.log" &
pids+=($!)
wait_for_file "$work/cp.env" "${pids[-1]}" "$work/controlplane.log" "the control plane"
# shellcheck disable=SC1091
. "$work/cp.env"
grep -E 'started in|issuer:' "$work/controlplane.log" >&2

: "${XTENANT_CA:?the control plane did not report its CA}"
say "starting the Azure simulator; its AKS issuer is the API server's: $XTENANT_ISSUER"
"$target/azsim" --issuer-url "$XTENANT_ISSUER" --kubeconfig "$KUBECONFIG" \
  --trusted-ca "$XTENANT_CA" --env-file "$work/azsim.env" >/dev/null 2>"$work/azsim.log" &
pids+=($!)
wait_for_file "$work/azsim.env" "${pids[-1]}" "$work/azsim.log" "the simulator"
# shellcheck disable=SC1091
. "$work/azsim.env"
# The simulator's env points KUBECONFIG elsewhere; keep the control plane's.
# shellcheck disable=SC1091
. "$work/cp.env"
export XTENANT_CONFIG_DIR="$work/xtenant" NO_COLOR=1
export RESOURCE_GROUP=rg-xtenant-playground LOCATION=eastus CLUSTER_NAME=aks-xtenant-playground
cat "$XTENANT_CA" "$AZSIM_CA" >"$work/ca-bundle.pem"
export SSL_CERT_FILE="$work/ca-bundle.pem"
export PATH="$target:$PATH"
echo "Tenant A $TENANT_A_ID, Tenant B $TENANT_B_ID, simulator $AZSIM_URL" >&2

say "Azure side: az-xtenant init and up (the real az against the simulator)"
run az-xtenant init
run az-xtenant up

say "what the producer will print (kwok serves it as the pod's log)"
log_file="$work/producer.log"
printf 'Sending 100 messages to myqueue\nSent 100 messages\n' |
  awk '{ printf "2025-01-01T00:00:00.%09dZ stdout F %s\n", NR, $0 }' >"$log_file"
kubectl apply -f - >/dev/null <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata: {name: playground-producer}
spec:
  selector: {matchNamespaces: [default]}
  logs: [{logsFile: "$log_file"}]
EOF
cut -d' ' -f4- "$log_file" >&2

say "cluster side: kubectl xtenant deploy, verify, doctor --exchange"
run kubectl xtenant deploy
run kubectl xtenant verify --timeout 60s
run kubectl xtenant doctor --exchange --authority-host "$AZSIM_URL/"

if $keep; then
  say "everything is running; this shell has KUBECONFIG, az and the profile set (exit to clean up)"
  "${SHELL:-bash}" -i || true
fi

say "cleanup: the cluster's objects, then both tenants"
run kubectl xtenant cleanup
run az-xtenant cleanup --yes
say "done; stopping the simulator and the control plane"
