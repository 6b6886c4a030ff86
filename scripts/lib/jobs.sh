#!/usr/bin/env bash
# Commands run side by side, each with its output in a log of its own that is
# shown whole only when it fails. Sourced, not run:
#
#   jobs_dir=$(mktemp -d)        where the logs go (the caller removes it)
#   job_start NAME CMD [ARG...]  runs CMD in the background; its stdout is
#                                kept in $jobs_dir/NAME.out, its stderr in
#                                $jobs_dir/NAME.log
#   job_wait "PREFIX" NAME...    waits for each NAME; prints a line per job
#                                (its time, or its failure and log); answers
#                                non-zero when any failed
#
# $jobs_dir/NAME.done holds the exit code, wall seconds and CPU seconds (the
# command's and its children's, user and system) when NAME has ended.
#
# $jobs_dir must be set by the caller before job_start.

job_start() { # name command...
  : "${jobs_dir:?set jobs_dir before job_start}"
  local name=$1
  shift
  (
    start=$EPOCHREALTIME rc=0
    "$@" >"$jobs_dir/$name.out" 2>"$jobs_dir/$name.log" </dev/null || rc=$?
    # `times` answers this subshell's children's CPU (user, then system) on its
    # second line: the command and every process it waited for. (Not in a
    # pipe: that would ask a new subshell, whose children used nothing yet.)
    times >"$jobs_dir/$name.times"
    cpu=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } } END { printf "%.1f", s }' \
      "$jobs_dir/$name.times")
    # Written aside, then renamed: a poller that sees NAME.done reads it whole
    # (a redirection creates the file empty before awk writes to it).
    awk -v r="$rc" -v a="$start" -v b="$EPOCHREALTIME" -v c="$cpu" \
      'BEGIN { printf "%s\t%.1f\t%s\n", r, b - a, c }' >"$jobs_dir/$name.done.tmp"
    mv "$jobs_dir/$name.done.tmp" "$jobs_dir/$name.done"
  ) &
  echo "$!" >"$jobs_dir/$name.pid"
}

job_wait() { # prefix name...
  local prefix=$1 name rc secs cpu failed=0
  shift
  for name in "$@"; do
    wait "$(cat "$jobs_dir/$name.pid")" || true
    IFS=$'\t' read -r rc secs cpu <"$jobs_dir/$name.done"
    if [ "$rc" = 0 ]; then
      printf '%s: %-16s done in %6.1fs (CPU %.0fs)\n' "$prefix" "$name" "$secs" "$cpu" >&2
    else
      failed=$((failed + 1))
      printf '%s: %-16s FAILED (exit %s) after %.1fs; its output:\n' "$prefix" "$name" "$rc" "$secs" >&2
      sed 's/^/    | /' "$jobs_dir/$name.out" "$jobs_dir/$name.log" >&2
    fi
  done
  [ "$failed" -eq 0 ]
}
