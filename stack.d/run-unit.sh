#!/usr/bin/env bash
# Runs a rendered systemd unit the way systemd would, without systemd: the variables of its
# EnvironmentFile= files are exported, each ExecStartPre= runs in order (a failure stops the
# start), then ExecStart= replaces this shell; $VAR is split into words and ${VAR} kept
# whole. The local cluster starts Payara Micro this way, so it runs on exactly the unit and
# environment files a Chef-managed host gets.
set -euo pipefail
unit=$1
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
