#!/usr/bin/env bash
# Helpers for the distribution tests: named checks with a pass/fail tally and
# a closing "N passed, M failed" line. Sourced, not run.

passed=0
failed=0
last_output=

# check DESCRIPTION COMMAND...: runs COMMAND, output kept in $last_output.
check() {
  local description=$1
  shift
  if last_output=$("$@" 2>&1); then
    passed=$((passed + 1))
    printf 'ok   %s\n' "$description"
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n     command: %s\n' "$description" "$*"
    printf '%s\n' "$last_output" | sed -n '1,40s/^/     | /p'
  fi
}

# check_fails DESCRIPTION COMMAND...: COMMAND must exit non-zero.
check_fails() {
  local description=$1
  shift
  if last_output=$("$@" 2>&1); then
    failed=$((failed + 1))
    printf 'FAIL %s\n     command succeeded but should have failed: %s\n' "$description" "$*"
    printf '%s\n' "$last_output" | sed -n '1,40s/^/     | /p'
  else
    passed=$((passed + 1))
    printf 'ok   %s\n' "$description"
  fi
}

# Prints the output of the last check.
last() { printf '%s\n' "$last_output"; }

# A step without which the rest cannot run: stop with its message.
fatal() {
  printf 'FAIL %s\n' "$*" >&2
  failed=$((failed + 1))
  finish
}

# The release build these checks make: what they check is what the scripts
# do (the cargo command, the files, the archive), not the optimiser, so it is
# built without optimisation: the workspace's crates in 15 CPU-seconds instead
# of 142, and on a new machine every dependency in 112 instead of about 430.
# A user's build is optimised as Cargo.toml says. Nor is it linted: .ci/run's
# clippy wrapper is for the tests' build.
release_build_unoptimised() {
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
  unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
}

# Fails loudly when a required tool is missing.
need() {
  command -v "$1" >/dev/null 2>&1 || fatal "'$1' is required: $2"
}

# Checks that file $1 exists and is not empty.
non_empty() { [ -s "$1" ] || { echo "$1 is missing or empty"; return 1; }; }

# Checks that text $2 occurs in file $1.
contains() {
  grep -qF -- "$2" "$1" || { echo "'$2' not found in $1:"; sed -n '1,20p' "$1"; return 1; }
}

finish() {
  echo "$passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}
