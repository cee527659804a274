# shellcheck shell=bash
# Faults to inject into the running local cluster, for the fault suite and for people who
# want to see the failover themselves. Each one is a single, bounded action.

fault_usage() {
  cat <<'USAGE'
usage: ./stack fault ACTION

  kill NAME          SIGKILL one component: db-a|db-b|db-c (mysqld), keeper-a|..., app-a|app-b
                     (Payara Micro), router-a|router-b (MySQL Router), lb (nginx's master);
                     its supervisor restarts it
  cut ZONE           take every host of zone a|b|c off the network (its links go down)
  heal ZONE          bring that zone's links back up
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
    app-?) is_host "$1" && echo "$1 app" ;;
    router-?) is_host "app-${1#router-}" && echo "app-${1#router-} router" ;;
    lb) echo "lb nginx" ;;
    *) return 1 ;;
  esac
}

fault_kill() {
  local host proc pid
  read -r host proc < <(component_process "${1:-}") || die "unknown component '${1:-}' (see ./stack status)"
  pid=$(running_pid "$host" "$proc") || die "$1 is not running"
  kill -9 "$pid"
  # SIGKILL is delivered at once, but a big process takes a moment to be torn down: return
  # only when it is gone, so that a `./stack up` right after sees it stopped.
  wait_for 30 eval "! kill -0 $pid" || die "$1 (pid $pid) survived SIGKILL"
  info "$1: killed pid $pid"
}

# shellcheck disable=SC2153  # HOSTS is the stack's host table (stack.d/common.sh), not a typo of hosts
zone_hosts() { local h n z; for h in "${HOSTS[@]}"; do read -r n _ z _ <<<"$h"; if [ "$z" = "$1" ]; then echo "$n"; fi; done; }

fault_link() { # fault_link ZONE up|down
  local hosts; hosts=$(zone_hosts "${1:-}")
  [ -n "$hosts" ] || die "unknown zone '${1:-}' (a, b or c)"
  local h; for h in $hosts; do ip link set "$(netns_of "$h")" "$2"; done
  info "zone $1 (${hosts//$'\n'/ }): links $2"
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
    kill) fault_kill "${2:-}" ;;
    cut) fault_link "${2:-}" down ;;
    heal) fault_link "${2:-}" up ;;
    reload-lb) lb_up && lb_reload && info "nginx reloaded" ;;
    rolling-restart) fault_rolling_restart ;;
    *) fault_usage; [ "${1:-}" = --help ] ;;
  esac
}
