# shellcheck shell=bash
# Faults to inject into the running local cluster, for the fault suite and for people who
# want to see the failover themselves. Each one is a single, bounded action.

fault_usage() {
  cat <<'USAGE'
usage: ./stack fault ACTION

  kill NAME...       SIGKILL components at the same moment: db-a|db-b|db-c (mysqld),
                     keeper-a|..., app-a|app-b (Payara Micro), router-a|router-b (MySQL
                     Router), lb (nginx's master), archiver; their supervisor restarts them
  stop NAME          SIGSTOP one component (it hangs with its sockets open)
  cont NAME          SIGCONT it again
  cut ZONE           take every host of zone a|b|c off the network (its links go down)
  heal ZONE          bring that zone's links back up
  wipe-db            lose every member at once: SIGKILL every mysqld and delete its data
                     directory (the binlog archive and the backups survive; ./stack restore)
  reload-lb          reload nginx's configuration (graceful)
  rolling-restart    restart the app instances one at a time: drain from nginx, stop,
                     start, wait until ready, put back in rotation
USAGE
}

# component_process NAME: "HOST PROCESS" of a component name as ./stack status prints it.
component_process() {
  case $1 in
    db-?) is_host "$1" && echo "$1 mysqld" ;;
    keeper-?) is_host "db-${1#keeper-}" && echo "db-${1#keeper-} keeper" ;;
    liveness-?) is_host "app-${1#liveness-}" && echo "app-${1#liveness-} liveness" ;;
    app-?) is_host "$1" && echo "$1 app" ;;
    router-?) is_host "app-${1#router-}" && echo "app-${1#router-} router" ;;
    lb) echo "lb nginx" ;;
    archiver) echo "$BACKUP_HOST archiver" ;;
    *) return 1 ;;
  esac
}

# fault_kill NAME...: SIGKILL each at the same moment (one kill(1) call).
fault_kill() {
  [ $# -ge 1 ] || die "usage: ./stack fault kill NAME..."
  local name host proc pid pids=()
  for name in "$@"; do
    read -r host proc < <(component_process "$name") || die "unknown component '$name' (see ./stack status)"
    pid=$(running_pid "$host" "$proc") || die "$name is not running"
    pids+=("$pid")
  done
  kill -9 "${pids[@]}"
  # SIGKILL is delivered at once, but a big process takes a moment to be torn down: return
  # only when each is gone.
  for pid in "${pids[@]}"; do wait_for 30 eval "! kill -0 $pid" || die "pid $pid survived SIGKILL"; done
  info "$*: killed pid ${pids[*]}"
}

# fault_signal STOP|CONT NAME: freeze a component (SIGSTOP: it hangs, its sockets stay open)
# or let it go on. A process replaced meanwhile (its liveness watchdog had it restarted) is
# said so, not an error.
fault_signal() {
  local sig=$1 name=${2:-} host proc pid
  read -r host proc < <(component_process "$name") || die "unknown component '$name' (see ./stack status)"
  local marker=$STATE/$host/$proc.stopped
  if [ "$sig" = STOP ]; then
    pid=$(running_pid "$host" "$proc") || die "$name is not running"
    kill -STOP "$pid"; echo "$pid" > "$marker"
    info "$name: pid $pid stopped (SIGSTOP)"
  else
    pid=$(cat "$marker" 2>/dev/null) || die "$name was not stopped by ./stack fault stop"
    rm -f "$marker"
    if kill -CONT "$pid" 2>/dev/null; then info "$name: pid $pid continued (SIGCONT)"
    else info "$name: pid $pid is gone (replaced by pid $(running_pid "$host" "$proc" || echo none))"; fi
  fi
}

# shellcheck disable=SC2153  # HOSTS is the stack's host table (stack.d/common.sh), not a typo of hosts
zone_hosts() { local h n z; for h in "${HOSTS[@]}"; do read -r n _ z _ <<<"$h"; if [ "$z" = "$1" ]; then echo "$n"; fi; done; }

fault_link() { # fault_link ZONE up|down
  local hosts; hosts=$(zone_hosts "${1:-}")
  [ -n "$hosts" ] || die "unknown zone '${1:-}' (a, b or c)"
  local h; for h in $hosts; do ip link set "$(netns_of "$h")" "$2"; done
  info "zone $1 (${hosts//$'\n'/ }): links $2"
}

# fault_wipe_db: every member's process and data gone at the same moment (a disaster the
# group cannot survive); the supervisors' restarts fail on the missing data directories.
fault_wipe_db() {
  local m members
  members=$(db_members)
  # shellcheck disable=SC2046 # member names are single words
  fault_kill $(for m in $members; do running_pid "$m" mysqld >/dev/null && echo "$m"; done)
  for m in $members; do rm -rf "$(db_datadir "$m")"; done
  info "data directories of ${members//$'\n'/, } deleted"
}

fault_rolling_restart() {
  local host
  for host in $(hosts_of app); do
    step "rolling restart: $host"
    app_restart "$host"
  done
}

cmd_fault() {
  require_root
  secrets_load
  case "${1:-}" in
    kill) shift; fault_kill "$@" ;;
    stop) fault_signal STOP "${2:-}" ;;
    cont) fault_signal CONT "${2:-}" ;;
    cut) fault_link "${2:-}" down ;;
    heal) fault_link "${2:-}" up ;;
    reload-lb) lb_up && lb_reload && info "nginx reloaded" ;;
    rolling-restart) fault_rolling_restart ;;
    wipe-db) fault_wipe_db ;;
    *) fault_usage; [ "${1:-}" = --help ] ;;
  esac
}
