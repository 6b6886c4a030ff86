#!/usr/bin/env bash
# The release archive and krew manifest, installed by the real krew (built by
# scripts/ensure-krew, path in XTENANT_KREW) into a temporary KREW_ROOT and
# HOME, offline; then run through the real kubectl, listed, and uninstalled.
# Helper functions here run through `check`, which shellcheck cannot see:
# shellcheck disable=SC2317
set -euo pipefail
cd "$(dirname "$0")/../.."
# The helpers are shellchecked on their own (they are a *.sh file too).
# shellcheck disable=SC1091
. tests/dist/lib/checks.sh

echo "== distribution: krew plugin"
release_build_unoptimised
if [ -z "${XTENANT_KREW:-}" ]; then
  fatal "XTENANT_KREW is not set: run ./test.sh, which builds krew, or export XTENANT_KREW=\$(scripts/ensure-krew)"
fi
[ -x "$XTENANT_KREW" ] || fatal "XTENANT_KREW=$XTENANT_KREW is not an executable: run scripts/ensure-krew"
validator="$(dirname "$XTENANT_KREW")/validate-krew-manifest"
[ -x "$validator" ] || fatal "$validator is missing: run scripts/ensure-krew, which builds it next to krew"
need kubectl "install kubectl (https://kubernetes.io/docs/tasks/tools/)"
need git "install git (apt-get install git); krew keeps its plugin index in git"
kubectl_dir=$(dirname "$(command -v kubectl)")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(awk '/^\[/ { t = ($0 == "[workspace.package]") } t && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)
[ -n "$version" ] || fatal "no version in [workspace.package] of Cargo.toml"
case $(uname -m) in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fatal "unsupported machine $(uname -m) for this test" ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
host=$(rustc -vV | sed -n 's/^host: //p')
archive_name="xtenant-v$version-$host.tar.gz"

# --- the release -------------------------------------------------------------
dist="$tmp/dist"
scripts/release --out "$dist" >"$tmp/release.log" 2>&1 ||
  fatal "scripts/release failed: $(tail -n 20 "$tmp/release.log")"
manifest="$dist/xtenant.yaml"
archive="$dist/$archive_name"
check "scripts/release writes the archive and the manifest" non_empty "$archive"
check "the manifest exists" non_empty "$manifest"

# One top-level field of the manifest's spec (or metadata), as written.
field() { sed -n "s/^  *$1: *//p" "$manifest" | head -n 1; }
sum=$(sha256sum "$archive" | cut -d' ' -f1)
check "manifest apiVersion is krew's v1alpha2" \
  test "$(sed -n 's/^apiVersion: //p' "$manifest")" = krew.googlecontainertools.github.com/v1alpha2
check "manifest kind is Plugin" test "$(sed -n 's/^kind: //p' "$manifest")" = Plugin
check "metadata.name is xtenant, like the file name" test "$(field name)" = xtenant
check "spec.version is v$version from Cargo.toml" test "$(field version)" = "v$version"
short=$(field shortDescription)
check "shortDescription is set and under 50 characters ($short)" \
  test -n "$short" -a "${#short}" -lt 50
check "homepage is set" test -n "$(field homepage)"
check "description is set" grep -q '^  description: |' "$manifest"
check "the platform selector is $os/$arch" \
  grep -Pzq "matchLabels:\n +os: $os\n +arch: $arch\n" "$manifest"
uri=$(field uri)
check "the uri is https and ends with the archive name ($uri)" \
  test "${uri#https://}" != "$uri" -a "${uri##*/}" = "$archive_name"
check "sha256 is the archive's" test "$(field sha256)" = "$sum"
check "bin is kubectl-xtenant" test "$(field bin)" = kubectl-xtenant
no_placeholder() { ! grep -nE '\$\{(VERSION|HOMEPAGE|OS|ARCH|URI|SHA256|BIN)\}' "$manifest"; }
check "no template placeholder is left" no_placeholder
check "SHA256SUMS lists the archive" grep -qx "$sum  $archive_name" "$dist/SHA256SUMS"
check "krew-index's validate-krew-manifest accepts it" \
  "$validator" -manifest "$manifest" -skip-install

tar -tzf "$archive" >"$tmp/entries"
for entry in LICENSE az-xtenant kubectl-xtenant completions/bash/kubectl-xtenant \
  completions/zsh/_az-xtenant completions/fish/az-xtenant.fish \
  man/man1/kubectl-xtenant.1 man/man1/az-xtenant.1; do
  check "the archive holds $entry" grep -qx "$entry" "$tmp/entries"
done

scripts/release --out "$tmp/again" >"$tmp/release2.log" 2>&1 ||
  fatal "scripts/release failed the second time: $(tail -n 20 "$tmp/release2.log")"
check "a second release gives a byte-identical archive" cmp "$archive" "$tmp/again/$archive_name"

# --- krew, offline, in a temporary KREW_ROOT and HOME -----------------------
export HOME="$tmp/home" KREW_ROOT="$tmp/krew" KREW_NO_UPGRADE_CHECK=1
mkdir -p "$HOME"
# krew runs as users run it: as the kubectl plugin kubectl-krew.
mkdir -p "$tmp/tools"
ln -s "$XTENANT_KREW" "$tmp/tools/kubectl-krew"
path="$KREW_ROOT/bin:$tmp/tools:$kubectl_dir:/usr/bin:/bin"
krew() { PATH="$path" command kubectl krew "$@" </dev/null; }
kubectl() { PATH="$path" command kubectl "$@"; }

cp "$archive" "$tmp/tampered.tar.gz"
printf 'x' >>"$tmp/tampered.tar.gz"
check_fails "krew refuses an archive whose sha256 differs from the manifest" \
  krew install --manifest "$manifest" --archive "$tmp/tampered.tar.gz"
check "nothing was installed from it" test ! -e "$KREW_ROOT/bin/kubectl-xtenant"

check "krew install --manifest --archive succeeds offline" \
  krew install --manifest "$manifest" --archive "$archive"
last >"$tmp/install.out"
check "krew shows the caveats about az-xtenant" contains "$tmp/install.out" "store/xtenant/v$version/az-xtenant"
store="$KREW_ROOT/store/xtenant/v$version"
check "krew links kubectl-xtenant into \$KREW_ROOT/bin" test -L "$KREW_ROOT/bin/kubectl-xtenant"
check "the LICENSE is installed (krew-index rule)" non_empty "$store/LICENSE"
check "az-xtenant is in the store" test -x "$store/az-xtenant"

check "kubectl xtenant --help runs the plugin through kubectl" kubectl xtenant --help
last >"$tmp/help.out"
check "the help is the plugin's" contains "$tmp/help.out" "deploy"
check "kubectl plugin list lists it" kubectl plugin list
last >"$tmp/list.out"
check "kubectl plugin list names \$KREW_ROOT/bin/kubectl-xtenant" \
  contains "$tmp/list.out" "$KREW_ROOT/bin/kubectl-xtenant"

check "az-xtenant --help runs from the krew store path" "$store/az-xtenant" --help
function_line=$(grep -o 'az-xtenant() {.*}' "$manifest")
check "the shell function from the caveats runs az-xtenant" \
  bash -c "$function_line; az-xtenant --help"
check "the completions from the archive are in the store" \
  non_empty "$store/completions/bash/kubectl-xtenant"

# krew's list, info and uninstall need a plugin index; a local git repository
# laid out like krew-index stands in for it.
index_repo="$tmp/index-repo"
mkdir -p "$index_repo/plugins"
cp "$manifest" "$index_repo/plugins/xtenant.yaml"
git -C "$index_repo" init -q
git -C "$index_repo" add plugins
git -C "$index_repo" -c user.name=test -c user.email=test@example.invalid commit -qm index
export KREW_DEFAULT_INDEX_URI="file://$index_repo"
check "krew update clones the local index" krew update
check "krew list shows xtenant" krew list
last >"$tmp/krew-list.out"
check "krew list names xtenant" contains "$tmp/krew-list.out" xtenant
check "krew info xtenant reads the manifest from the index" krew info xtenant
last >"$tmp/info.out"
check "krew info shows the version" contains "$tmp/info.out" "v$version"

check "krew uninstall xtenant succeeds" krew uninstall xtenant
check "the link is gone" test ! -e "$KREW_ROOT/bin/kubectl-xtenant"
check "the store is gone" test ! -e "$store"
check_fails "kubectl no longer finds the plugin" kubectl xtenant --help

finish
