#!/usr/bin/env bash
# Builds the binaries of the local Kubernetes control plane from Go modules:
# kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes),
# etcd, the Azure workload identity webhook (with a -webhook-port flag added,
# see go/kubernetes/_webhook) and kwok, plus kwok's stage files. The webhook is
# built in the Kubernetes module, so their shared libraries compile once.
#
# They go to a cache outside the checkout, keyed by every version involved:
#   ${XTENANT_CACHE:-~/.cache/xtenant}/controlplane/<key>/bin
# A finished build is reused; the marker file `.complete` is written only after
# every binary and stage file is in place. Prints the bin dir on stdout; logs
# go to stderr.
#
#   tests/controlplane/build.sh [--resolve-only]
#
# --resolve-only does everything a new machine does before compiling, into a
# temporary folder and whatever the cache holds: every module downloaded, every
# package of every binary loaded (go list -deps), the webhook's source copied
# and patched, kwok's stage files read; it compiles nothing and prints nothing
# on stdout.
set -euo pipefail

KUBE_VERSION=v1.34.4
ETCD_VERSION=v3.6.16
WEBHOOK_VERSION=v1.6.0
KWOK_VERSION=v0.7.0

here="$(cd "$(dirname "$0")" && pwd)"
gomods="$here/go"
log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

command -v go >/dev/null 2>&1 ||
  die "'go' is required (Go 1.26 or newer): install it from https://go.dev/dl (or apt-get install golang-go if new enough), then re-run"

resolve_only=0
case ${1:-} in
  --resolve-only) resolve_only=1 ;;
  "") ;;
  *) die "unknown argument '$1' (only --resolve-only)" ;;
esac

cache_root="${XTENANT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xtenant}"
# The key covers the versions and the wrapper modules' go.mod/go.sum, so any
# change to a pinned dependency builds into a fresh folder.
sums="$(cat "$gomods"/*/go.mod "$gomods"/*/go.sum "$gomods"/kubernetes/mlog/* "$gomods"/kubernetes/_webhook/*.go "$0" |
  sha256sum | cut -c1-12)"
key="k8s-${KUBE_VERSION}_etcd-${ETCD_VERSION}_wi-${WEBHOOK_VERSION}_kwok-${KWOK_VERSION}_${sums}"
out="$cache_root/controlplane/$key"
bin="$out/bin"

if ((resolve_only)); then
  out="$(mktemp -d)"
  bin="$out/bin"
  trap 'rm -rf "$out"' EXIT
elif [[ -f "$out/.complete" ]]; then
  log "reusing $bin"
  echo "$bin"
  exit 0
fi

# The wrapper modules must pin the versions named above (and in the key): a
# version changed here without regenerating go.mod would build one version
# under another's name.
pinned() { # wrapper-module-dir module version how-to-update
  awk -v m="$2" -v v="$3" '$1 == m && $2 == v { found = 1 } END { exit !found }' "$1/go.mod" ||
    die "$1/go.mod does not require $2 $3: $4 there, then re-run"
}
regenerate="run ./generate.sh $KUBE_VERSION $WEBHOOK_VERSION"
pinned "$gomods/kubernetes" k8s.io/kubernetes "$KUBE_VERSION" "$regenerate"
pinned "$gomods/kubernetes" github.com/Azure/azure-workload-identity "$WEBHOOK_VERSION" "$regenerate"
pinned "$gomods/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "run go get go.etcd.io/etcd/server/v3@$ETCD_VERSION"
pinned "$gomods/kwok" sigs.k8s.io/kwok "$KWOK_VERSION" "run go get sigs.k8s.io/kwok@$KWOK_VERSION"

mkdir -p "$bin"
export CGO_ENABLED=0
started=$(date +%s)

minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
kube_ld="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ld+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  kube_ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# The directory of a module's files, downloaded first: `go list -m` alone
# answers an empty Dir until the module is in the module cache, which is true
# only on a machine that built it before. Fails loudly on an empty answer.
module_dir() { # wrapper-module-dir module
  local json dir
  json="$(cd "$1" && go mod download -json "$2")" ||
    die "go mod download $2 failed (module $1): $json"
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download $2 gave no module directory (module $1): $json"
  printf '%s\n' "$dir"
}

# No DWARF is compiled (the linker's -w would drop it anyway): 8 % less CPU.
build() { # module-dir ldflags output package...
  local dir="$1" ld="$2" output="$3" t0
  shift 3
  t0=$(date +%s)
  if ((resolve_only)); then
    (cd "$dir" && go list -deps "$@" >/dev/null) ||
      die "go list -deps $* failed (module $dir): a new machine could not build it"
    log "resolved $* in $(( $(date +%s) - t0 ))s"
    return
  fi
  log "building $*"
  (cd "$dir" && go build -trimpath -gcflags=all=-dwarf=false -ldflags "$ld" -o "$output" "$@") ||
    die "go build of $* failed (module $dir)"
  log "built $* in $(( $(date +%s) - t0 ))s"
}

# One go build for the three: go/kubernetes's packages are loaded once.
build "$gomods/kubernetes" "$kube_ld" "$bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler
build "$gomods/etcd" "-s -w" "$bin/etcd" go.etcd.io/etcd/server/v3

# The webhook is built in a copy of the Kubernetes module, whose pinned webhook
# module is replaced by a copy with one file added to its main package:
# go/kubernetes/_webhook/webhook_port.go, a -webhook-port flag, so that every
# control plane serves its webhook on a port of its own. Its Kubernetes
# libraries are the ones compiled above.
src="$out/webhook-src"
rm -rf "$src" && mkdir -p "$src/wrapper"
awi="github.com/Azure/azure-workload-identity"
awi_dir="$(module_dir "$gomods/kubernetes" "$awi")"
cp -r "$gomods/kubernetes/go.mod" "$gomods/kubernetes/go.sum" "$gomods/kubernetes/mlog" "$src/wrapper/"
cp -r "$awi_dir" "$src/awi" && chmod -R u+w "$src/awi"
cp "$gomods/kubernetes/_webhook/webhook_port.go" "$src/awi/cmd/webhook/xtenant_webhook_port.go"
(cd "$src/wrapper" && go mod edit -replace "$awi=$src/awi")
build "$src/wrapper" "-s -w -X $awi/pkg/version.BuildVersion=$WEBHOOK_VERSION" \
  "$bin/azure-wi-webhook" "$awi/cmd/webhook"
rm -rf "$src"
if ((!resolve_only)); then
  usage="$("$bin/azure-wi-webhook" -h 2>&1 || true)"
  [[ "$usage" == *-webhook-port* ]] || die "the built webhook has no -webhook-port flag: $usage"
fi

build "$gomods/kwok" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBE_VERSION" \
  "$bin/kwok" sigs.k8s.io/kwok/cmd/kwok

# kwok's stage definitions ship in its module zip.
kwok_dir="$(module_dir "$gomods/kwok" sigs.k8s.io/kwok)"
[[ -d "$kwok_dir/kustomize/stage" ]] || die "kwok module at $kwok_dir has no kustomize/stage"
stages="$out/kwok-stages"
rm -rf "$stages" && mkdir -p "$stages"
for f in "$kwok_dir"/kustomize/stage/node/fast/*.yaml \
  "$kwok_dir"/kustomize/stage/node/heartbeat-with-lease/*.yaml \
  "$kwok_dir"/kustomize/stage/pod/fast/*.yaml; do
  [[ "$(basename "$f")" == kustomization.yaml ]] && continue
  cp "$f" "$stages/"
done
# The Logs and ClusterLogs custom resources that give simulated pods their logs.
crds="$out/kwok-crds"
rm -rf "$crds" && mkdir -p "$crds"
cp "$kwok_dir"/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml \
  "$kwok_dir"/kustomize/crd/bases/kwok.x-k8s.io_clusterlogs.yaml "$crds/"
chmod -R u+w "$stages" "$crds"

if ((resolve_only)); then
  log "every module and package resolved, nothing compiled, in $(( $(date +%s) - started ))s"
  exit 0
fi
"$bin/kube-apiserver" --version >&2
touch "$out/.complete"
log "done in $(( $(date +%s) - started ))s"
echo "$bin"
