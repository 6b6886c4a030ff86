#!/usr/bin/env bash
# install.sh into temporary prefixes: the binaries run (kubectl-xtenant also
# through the real kubectl), completions and man pages are generated and
# non-empty, a second run is safe, options and a missing cargo are handled.
# Helper functions here run through `check`, which shellcheck cannot see:
# shellcheck disable=SC2317
set -euo pipefail
cd "$(dirname "$0")/../.."
# The helpers are shellchecked on their own (they are a *.sh file too).
# shellcheck disable=SC1091
. tests/dist/lib/checks.sh

echo "== distribution: install.sh"
release_build_unoptimised
need cargo "install Rust with rustup (https://rustup.rs)"
need kubectl "install kubectl (https://kubernetes.io/docs/tasks/tools/)"
need man "install the Debian package man-db (apt-get install man-db; .ci/run does)"
kubectl_dir=$(dirname "$(command -v kubectl)")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix with space"
tools=(az-xtenant kubectl-xtenant)

started=$(date +%s)
./install.sh --prefix "$prefix" >"$tmp/first.out" 2>"$tmp/first.err" ||
  fatal "./install.sh --prefix '$prefix' failed: $(tail -n 20 "$tmp/first.err")"
echo "     (install.sh took $(($(date +%s) - started))s)"

files=()
for tool in "${tools[@]}"; do
  files+=(
    "share/bash-completion/completions/$tool"
    "share/zsh/site-functions/_$tool"
    "share/fish/vendor_completions.d/$tool.fish"
    "share/man/man1/$tool.1"
  )
  check "bin/$tool is executable" test -x "$prefix/bin/$tool"
  check "$tool --help runs" "$prefix/bin/$tool" --help
  check "$tool --version prints the workspace version" "$prefix/bin/$tool" --version
  last >"$tmp/version.out"
  check "$tool --version output names the version" contains "$tmp/version.out" \
    "$(awk '/^\[/ { t = ($0 == "[workspace.package]") } t && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)"
done
for file in "${files[@]}"; do
  check "$file is installed and not empty" non_empty "$prefix/$file"
done
for tool in "${tools[@]}"; do
  subpages=("$prefix/share/man/man1/$tool"-*.1)
  check "$tool has man pages for its subcommands (${#subpages[@]})" non_empty "${subpages[0]}"
  check "$tool.1 is a man page (roff .TH header)" grep -q '^\.TH' "$prefix/share/man/man1/$tool.1"
  check "the bash completion for $tool loads and registers" \
    bash -c ". '$prefix/share/bash-completion/completions/$tool' && complete -p $tool"
  check "the fish completion completes $tool" \
    grep -q -- "-c $tool" "$prefix/share/fish/vendor_completions.d/$tool.fish"
  check "the zsh completion defines _$tool" \
    grep -q "^#compdef $tool" "$prefix/share/zsh/site-functions/_$tool"
done
check "man renders kubectl-xtenant.1" \
  bash -c "man -l '$prefix/share/man/man1/kubectl-xtenant.1' | grep -q 'kubectl-xtenant'"

check "install.sh says where the binaries went" contains "$tmp/first.out" "$prefix/bin/kubectl-xtenant"
check "install.sh explains kubectl plugin list" contains "$tmp/first.out" "kubectl plugin list"
check "install.sh warns that the bin dir is not on PATH" contains "$tmp/first.err" "is not on your PATH"

path="$prefix/bin:$kubectl_dir:/usr/bin:/bin"
check "kubectl xtenant --help runs the installed plugin" env PATH="$path" kubectl xtenant --help
check "kubectl plugin list lists it" env PATH="$path" kubectl plugin list
last >"$tmp/list.out"
check "kubectl plugin list names $prefix/bin/kubectl-xtenant" \
  contains "$tmp/list.out" "$prefix/bin/kubectl-xtenant"

# Second run, prefix from the environment, bin dir on PATH: same files, no
# warning.
listing() { (cd "$prefix" && find . -type f | LC_ALL=C sort); }
listing >"$tmp/files.before"
PREFIX="$prefix" PATH="$prefix/bin:$PATH" ./install.sh >"$tmp/second.out" 2>"$tmp/second.err" ||
  fatal "second ./install.sh (PREFIX=$prefix) failed: $(tail -n 20 "$tmp/second.err")"
listing >"$tmp/files.after"
check "a second run (PREFIX from the environment) leaves the same files" \
  cmp "$tmp/files.before" "$tmp/files.after"
check "no leftover temporary files" bash -c "! grep -q '\\.tmp\\.' '$tmp/files.after'"
check "no PATH warning when the bin dir is on PATH" \
  bash -c "! grep -q 'is not on your PATH' '$tmp/second.err'"
check "the binaries still run after the second run" "$prefix/bin/kubectl-xtenant" --help

bare="$tmp/bare"
check "--no-completions --no-man installs only the binaries" \
  ./install.sh --prefix="$bare" --no-completions --no-man
check "the binaries are there" test -x "$bare/bin/az-xtenant" -a -x "$bare/bin/kubectl-xtenant"
check "no share/ directory was made" test ! -e "$bare/share"

check "--help prints the usage" ./install.sh --help
last >"$tmp/help.out"
check "the usage names every option" bash -c \
  "grep -q -- --prefix '$tmp/help.out' && grep -q -- --no-completions '$tmp/help.out' && grep -q PREFIX '$tmp/help.out'"
exit_code() { "$@" >/dev/null 2>&1 && return 1; test $? -eq "$expected"; }
expected=2
check "an unknown option exits with 2" exit_code ./install.sh --bogus
check "--prefix without a value exits with 2" exit_code ./install.sh --prefix
./install.sh --bogus 2>"$tmp/bogus.err" || true
check "an unknown option is named" contains "$tmp/bogus.err" "unknown option '--bogus'"

# Without cargo on PATH: a clear message pointing at rustup, nothing built.
nopath="$tmp/empty-path"
mkdir -p "$nopath"
PATH="$nopath" "$BASH" ./install.sh --prefix "$tmp/nocargo" >"$tmp/nocargo.out" 2>&1 &&
  fatal "install.sh succeeded without cargo on PATH"
check "without cargo it points at rustup" contains "$tmp/nocargo.out" "rustup"
check "without cargo nothing is installed" test ! -e "$tmp/nocargo"

finish
