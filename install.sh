#!/usr/bin/env bash
# Builds az-xtenant and kubectl-xtenant from this checkout and installs them,
# with shell completions (bash, zsh, fish) and man pages generated from the
# binaries themselves. Safe to run again: it replaces what it installed.
#
#   ./install.sh [--prefix DIR] [--no-completions] [--no-man]
#
# See ./install.sh --help.
set -euo pipefail

tools=(az-xtenant kubectl-xtenant)

usage() {
  cat <<'EOF'
Usage: ./install.sh [options]

Builds az-xtenant and kubectl-xtenant (cargo build --release --locked) and
installs them into PREFIX/bin, with shell completions and man pages:

  PREFIX/bin/{az-xtenant,kubectl-xtenant}
  PREFIX/share/bash-completion/completions/{az-xtenant,kubectl-xtenant}
  PREFIX/share/zsh/site-functions/{_az-xtenant,_kubectl-xtenant}
  PREFIX/share/fish/vendor_completions.d/{az-xtenant,kubectl-xtenant}.fish
  PREFIX/share/man/man1/{az-xtenant,kubectl-xtenant}*.1

Options:
  --prefix DIR       install under DIR (default: $PREFIX, else ~/.local)
  --no-completions   do not install shell completions
  --no-man           do not install man pages
  -h, --help         show this help

Needs Rust's cargo (install it with rustup: https://rustup.rs).
Running it again upgrades in place.
EOF
}

die_usage() {
  echo "install.sh: $*" >&2
  echo "Try './install.sh --help'." >&2
  exit 2
}

# Checked first, with shell builtins only, so the message is clear even on a
# machine with nothing installed.
if ! command -v cargo >/dev/null 2>&1; then
  printf '%s\n' \
    "install.sh: cargo (Rust's build tool) was not found on PATH." \
    "Install Rust with rustup (https://rustup.rs):" \
    "" \
    "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh" \
    "  . \"\$HOME/.cargo/env\"" \
    "" \
    "then run ./install.sh again." >&2
  exit 1
fi

prefix=${PREFIX:-$HOME/.local}
completions=1
man_pages=1
while [ $# -gt 0 ]; do
  case $1 in
    --prefix)
      if [ $# -lt 2 ] || [ -z "$2" ]; then die_usage "--prefix needs a directory"; fi
      prefix=$2
      shift 2
      ;;
    --prefix=*)
      prefix=${1#--prefix=}
      [ -n "$prefix" ] || die_usage "--prefix needs a directory"
      shift
      ;;
    --no-completions) completions=0; shift ;;
    --no-man) man_pages=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done
# A literal ~ (as in --prefix=~/apps, which the shell leaves alone).
tilde='~'
case $prefix in
  "$tilde") prefix=$HOME ;;
  "$tilde"/*) prefix="$HOME/${prefix#"$tilde"/}" ;;
esac
case $prefix in
  /*) ;;
  *) prefix="$PWD/$prefix" ;;
esac
prefix=${prefix%/}

cd "$(dirname "$0")"
if [ ! -f Cargo.toml ] || [ ! -d kubectl-xtenant ] || [ ! -d az-xtenant ]; then
  echo "install.sh: run it from an xtenant checkout (Cargo.toml not found next to it)" >&2
  exit 1
fi

bindir="$prefix/bin"
bash_dir="$prefix/share/bash-completion/completions"
zsh_dir="$prefix/share/zsh/site-functions"
fish_dir="$prefix/share/fish/vendor_completions.d"
man_dir="$prefix/share/man/man1"

echo "==> building ${tools[*]} (cargo build --release --locked)" >&2
packages=()
for tool in "${tools[@]}"; do packages+=(-p "$tool"); done
cargo build --release --locked "${packages[@]}"

target_dir=$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || {
  echo "install.sh: could not read the target directory from 'cargo metadata'" >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies $1 to $2 through a temporary file in the same directory, so that a
# running old binary is never overwritten in place and a failure leaves the
# previous file intact.
put() {
  local mode=$1 src=$2 dest=$3
  mkdir -p "$(dirname "$dest")"
  cp "$src" "$dest.tmp.$$"
  chmod "$mode" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
}

# Runs an installed tool to generate a file; fails with the tool's message.
generate() {
  local out=$1
  shift
  if ! "$@" >"$out" 2>"$work/stderr"; then
    echo "install.sh: '$*' failed:" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  [ -s "$out" ] || {
    echo "install.sh: '$*' printed nothing" >&2
    exit 1
  }
}

installed=()
echo "==> installing into $prefix" >&2
for tool in "${tools[@]}"; do
  put 755 "$target_dir/release/$tool" "$bindir/$tool"
  installed+=("$bindir/$tool")
done

if [ "$completions" = 1 ]; then
  for tool in "${tools[@]}"; do
    generate "$work/$tool.bash" "$bindir/$tool" completions bash
    generate "$work/$tool.zsh" "$bindir/$tool" completions zsh
    generate "$work/$tool.fish" "$bindir/$tool" completions fish
    put 644 "$work/$tool.bash" "$bash_dir/$tool"
    put 644 "$work/$tool.zsh" "$zsh_dir/_$tool"
    put 644 "$work/$tool.fish" "$fish_dir/$tool.fish"
    installed+=("$bash_dir/$tool" "$zsh_dir/_$tool" "$fish_dir/$tool.fish")
  done
fi

if [ "$man_pages" = 1 ]; then
  for tool in "${tools[@]}"; do
    pages="$work/man-$tool"
    if ! "$bindir/$tool" man "$pages" 2>"$work/stderr"; then
      echo "install.sh: '$bindir/$tool man $pages' failed:" >&2
      cat "$work/stderr" >&2
      exit 1
    fi
    [ -s "$pages/$tool.1" ] || {
      echo "install.sh: '$tool man' did not write $tool.1" >&2
      exit 1
    }
    # Pages of subcommands that no longer exist must not linger.
    rm -f "$man_dir/$tool.1" "$man_dir/$tool"-*.1
    for page in "$pages"/*.1; do
      put 644 "$page" "$man_dir/${page##*/}"
      installed+=("$man_dir/${page##*/}")
    done
  done
fi

echo "Installed:"
printf '  %s\n' "${installed[@]}"
echo
echo "kubectl runs any executable named kubectl-<name> that is on PATH as 'kubectl <name>',"
echo "so with $bindir on PATH:"
echo "  kubectl xtenant --help      # the plugin"
echo "  kubectl plugin list         # lists $bindir/kubectl-xtenant"
echo "  az-xtenant --help           # the Azure side"
case ":$PATH:" in
  *":$bindir:"*) ;;
  *)
    echo >&2
    echo "WARNING: $bindir is not on your PATH; add it, e.g. to ~/.bashrc or ~/.zshrc:" >&2
    echo "  export PATH=\"$bindir:\$PATH\"" >&2
    ;;
esac
if [ "$completions" = 1 ]; then
  echo
  echo "Completions: bash-completion and fish find them under ~/.local/share (the default"
  echo "prefix) or under any directory of XDG_DATA_DIRS; for zsh add"
  echo "  fpath=($zsh_dir \$fpath)"
  echo "before compinit in ~/.zshrc."
fi
if [ "$man_pages" = 1 ]; then
  echo "Man pages: man ${tools[*]} (MANPATH=$prefix/share/man if not found)."
fi
