# shellcheck shell=bash
# The local cluster's supervisor: one s6-svscan (Debian's s6) over $S6_SCAN, and one service
# directory per long-running process, made from the process's rendered systemd unit
# (stack.d/supervise.rb): the restart policy, back-off, start limit, stop timeout and stop
# signal a real node's systemd reads from the same file. Sourced after common.sh.
#
#   supervisor_up / supervisor_down     start s6-svscan / stop every service and s6-svscan
#   svc_install HOST PROC UNIT          (re)write the service directory; the service stays down
#   svc_start HOST PROC                 up, and supervised from now on (restart count reset)
#   svc_stop HOST PROC                  down, waiting for it (and for what it left) to end
#   svc_state HOST PROC                 "STATE RESTARTS": up | restarting | failed | stopped | none
#   svc_up HOST PROC                    the process runs under its supervisor now
#   programs_install                    the launcher and libraries the keepers and watchdogs run

S6_SCAN=$STATE/s6
# Where the service's own programs find the cookbooks' libraries, laid out as Chef's
# timestamp_program resource lays them out on a node (LIB_ROOT/COOKBOOK/*.rb).
PROGRAMS_LIB=$STATE/lib

svc_dir() { echo "$S6_SCAN/$1.$2"; }

supervisor_running() { s6-svscanctl -z "$S6_SCAN" 2>/dev/null; }

supervisor_up() {
  mkdir -p "$S6_SCAN"
  supervisor_running && return 0
  # its own session, an orphan of ./stack, like any daemon
  ( setsid s6-svscan "$S6_SCAN" </dev/null >>"$STATE/s6-svscan.log" 2>&1 & )
  wait_for 10 supervisor_running || die "s6-svscan did not start (see $STATE/s6-svscan.log)"
}

# Every service is stopped by then (./stack down stops them in order); -t ends s6-svscan
# and its s6-supervise processes.
supervisor_down() {
  supervisor_running || return 0
  s6-svscanctl -t "$S6_SCAN"
  wait_for 30 eval '! supervisor_running' || warn "s6-svscan did not exit"
}

svc_install() {
  local host=$1 proc=$2 unit=$3 dir netns=()
  dir=$(svc_dir "$host" "$proc")
  # the edge runs in the machine's own namespace, every other host in its own
  is_host "$host" && netns=("$(netns_of "$host")")
  [ -d "$dir" ] || { mkdir -p "$dir"; touch "$dir/down"; }
  ruby "$STACKD/supervise.rb" "$unit" "$dir" "$(pid_file "$host" "$proc")" "$(log_file "$host" "$proc")" "${netns[@]}" \
    || die "$host/$proc: no service directory from $unit"
  s6-svscanctl -a "$S6_SCAN"
  wait_for 10 s6-svok "$dir" || die "$host/$proc: s6-supervise does not run $dir"
}

svc_start() {
  local dir; dir=$(svc_dir "$1" "$2")
  s6-svdt-clear "$dir"
  s6-svc -U "$dir"   # up, and no ./down file: it is restarted from now on
}

svc_stop() {
  local dir; dir=$(svc_dir "$1" "$2")
  s6-svok "$dir" 2>/dev/null || return 0
  # -D: down, and stays down; -wD waits until ./finish has run (what it left is gone too)
  local ms=$(( $(cat "$dir/timeout-kill") + $(cat "$dir/timeout-finish") + 5000 ))
  s6-svc -wD -T "$ms" -D "$dir" || warn "$1/$2 did not stop within $((ms / 1000)) s"
}

svc_up() { [ "$(s6-svstat -o up "$(svc_dir "$1" "$2")" 2>/dev/null)" = true ]; }

svc_state() {
  local dir up wantedup restarts state
  dir=$(svc_dir "$1" "$2")
  read -r up wantedup < <(s6-svstat -o up,wantedup "$dir" 2>/dev/null) || { echo "none 0"; return 0; }
  restarts=$(s6-svdt "$dir" 2>/dev/null | wc -l)
  if [ "$up" = true ]; then state=up
  elif [ -e "$dir/down" ]; then state=stopped
  elif [ "$wantedup" = true ]; then state=restarting
  else state=failed   # the start limit was hit (or Restart= says no)
  fi
  echo "$state $restarts"
}

# Programs that run on an older copy are restarted, as the recipes' timestamp_program
# notifies their services.
programs_install() {
  local cookbook before dir service
  before=$(_programs_sum)
  mkdir -p "$PROGRAMS_LIB"
  cp "$COOKBOOKS/timestamp_common/files/default/timestamp_program.rb" "$PROGRAMS_LIB/"
  for cookbook in "$COOKBOOKS"/*/; do
    cookbook=$(basename "$cookbook")
    [ -d "$COOKBOOKS/$cookbook/libraries" ] || continue
    rm -rf "${PROGRAMS_LIB:?}/$cookbook"
    cp -r "$COOKBOOKS/$cookbook/libraries" "$PROGRAMS_LIB/$cookbook"
  done
  [ "$before" != "$(_programs_sum)" ] || return 0
  for dir in "$S6_SCAN"/*.keeper "$S6_SCAN"/*.liveness "$S6_SCAN"/*.gate "$S6_SCAN"/*.archiver; do
    [ -d "$dir" ] || continue
    service=$(basename "$dir")
    svc_up "${service%.*}" "${service##*.}" || continue
    info "restarting $service on the new code"
    s6-svc -r "$dir"
  done
}
_programs_sum() {
  [ -d "$PROGRAMS_LIB" ] || { echo none; return 0; }
  find "$PROGRAMS_LIB" -type f -name '*.rb' -print0 | sort -z | xargs -0r cat | md5sum
}
