#!/usr/bin/env bash
# Runs a rendered systemd unit the way systemd would, without systemd: its Environment=
# assignments and the variables of its EnvironmentFile= files are exported, each
# ExecStartPre= runs in order (a failure stops the start), then ExecStart= replaces this
# shell; $VAR is split into words and ${VAR} kept whole. The local cluster's supervisor
# starts every service this way (stack.d/supervise.rb), so each runs on exactly the unit and
# environment files a Chef-managed host gets.
set -euo pipefail
unit=$1
while IFS= read -r assignments; do
  for assignment in $assignments; do export "${assignment?}"; done
done < <(sed -n 's/^Environment=//p' "$unit")
# MYSQLD_PARENT_PID names the process that starts mysqld (mysqld restarts itself after a
# clone only when its parent is that one): systemd, pid 1, on a node; s6-supervise here.
if [ "${MYSQLD_PARENT_PID:-}" = 1 ]; then export MYSQLD_PARENT_PID=$PPID; fi
# shellcheck source=/dev/null  # the EnvironmentFile= files of the unit, known only at run time
while IFS= read -r file; do
  set -a; . "$file"; set +a
done < <(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
while IFS= read -r pre; do
  eval "$pre" </dev/null
done < <(sed -n 's/^ExecStartPre=//p' "$unit")
command=$(sed -n 's/^ExecStart=//p' "$unit")
[ -n "$command" ] || { echo "no ExecStart= in $unit" >&2; exit 1; }
eval "exec $command"
