# shellcheck shell=bash
# Shared pieces of ./stack: paths, output, the host table, network namespaces,
# processes, secrets and template rendering. Sourced by ./stack; no side effects.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACKD=$ROOT/stack.d
COOKBOOKS=$ROOT/chef/cookbooks
STATE=${STACK_STATE:-$ROOT/.stack}        # data, rendered config, logs, pids, secrets (not in git)
SECRETS=$STATE/secrets.env

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---- hosts and settings ---------------------------------------------------------------
# Every value of the local cluster (hosts, zones, addresses, ports, the cluster's identity,
# secret names) comes from Chef: environment `local` merged with the cookbooks' attributes
# (stack.d/config.rb). HOSTS lists "name kind zone address"; each host is a network
# namespace "ts-NAME" on the bridge BRIDGE; the edge runs in the machine's own namespace.
eval "$(ruby "$STACKD/config.rb" shell)" || { echo "error: reading the local cluster's settings from chef/ failed" >&2; exit 1; }

# hosts_of KIND: names of the hosts of one kind, in order.
hosts_of() { local h n k; for h in "${HOSTS[@]}"; do read -r n k _ <<<"$h"; if [ "$k" = "$1" ]; then echo "$n"; fi; done; }
host_field() { # host_field NAME kind|zone|address
  local h n k z a; for h in "${HOSTS[@]}"; do read -r n k z a <<<"$h"
    if [ "$n" = "$1" ]; then case $2 in kind) echo "$k";; zone) echo "$z";; address) echo "$a";; esac; return 0; fi
  done; return 1
}
host_address() { host_field "$1" address; }
is_host() { host_field "$1" kind >/dev/null; }
netns_of() { echo "ts-$1"; }

# host_link_down NAME: the host's link to the bridge is down (its zone was cut off).
host_link_down() { ip -br link show "$(netns_of "$1")" 2>/dev/null | grep -q ' DOWN '; }

# in_host NAME CMD...: run a command inside a host's network namespace.
in_host() { local name=$1; shift; ip netns exec "$(netns_of "$name")" "$@"; }

# ---- network --------------------------------------------------------------------
network_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_ADDRESS/$NET_PREFIX" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  local h n k z a ns
  for h in "${HOSTS[@]}"; do
    read -r n k z a <<<"$h"; ns=$(netns_of "$n")
    ip netns list | grep -qx "$ns\( .*\)\?" || ip netns add "$ns"
    if ! ip link show "$ns" >/dev/null 2>&1; then
      # host side is named like the namespace, so `ip link set ts-db-a down` cuts that host off
      ip link add "$ns" type veth peer name eth0 netns "$ns"
      ip link set "$ns" master "$BRIDGE"
      in_host "$n" ip addr add "$a/$NET_PREFIX" dev eth0
    fi
    ip link set "$ns" up
    in_host "$n" ip link set lo up
    in_host "$n" ip link set eth0 up
  done
}

network_down() {
  local h n
  for h in "${HOSTS[@]}"; do read -r n _ <<<"$h"; ip netns del "$(netns_of "$n")" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
}

# ---- processes -------------------------------------------------------------------
# Every daemon of the stack has a pid file at $STATE/NAME/PROCESS.pid and a log beside it.
pid_file() { echo "$STATE/$1/$2.pid"; }
log_file() { echo "$STATE/$1/$2.log"; }
running_pid() { # running_pid HOST PROCESS: prints the pid if that daemon is alive
  local f; f=$(pid_file "$1" "$2"); [ -f "$f" ] || return 1
  local pid started; pid=$(cat "$f"); [ -n "$pid" ] || return 1
  started=$(pid_started "$pid") || return 1
  # pids wrap around (pid_max is small): a process that started after the pid file was
  # written is another program that got the same number.
  [ "$started" -le $(( $(stat -c %Y "$f") + 2 )) ] || return 1
  echo "$pid"
}

# pid_started PID: when a live (not zombie) process started, in seconds since the epoch.
pid_started() {
  local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  local fields; read -r -a fields <<<"${stat##*) }"   # fields from the 3rd (state) on
  [ "${fields[0]}" != Z ] || return 1
  local boot; boot=$(awk '$1 == "btime" {print $2}' /proc/stat)
  echo $(( boot + fields[19] / $(getconf CLK_TCK) ))
}

# start_daemon HOST PROCESS CMD...: start CMD in HOST's namespace (a helper outside the
# cluster's supervised services: the benchmark's peer), in a session of its own, stdout/stderr to its log. The pid file gets the daemon's own pid:
# the shell writes $$ and then becomes the command (ip netns exec execs it too). The outer
# subshell makes it an orphan, not a child of ./stack (no job notices, nothing to wait for).
start_daemon() {
  local host=$1 proc=$2; shift 2
  mkdir -p "$STATE/$host"
  local pidf; pidf=$(pid_file "$host" "$proc"); rm -f "$pidf"
  ( setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$pidf" ip netns exec "$(netns_of "$host")" "$@" \
      </dev/null >>"$(log_file "$host" "$proc")" 2>&1 & )
  wait_for 10 test -s "$pidf" || die "$host/$proc did not start"
}

# stop_daemon HOST PROCESS: SIGTERM by pid, wait up to 60 s, then SIGKILL.
stop_daemon() {
  local host=$1 proc=$2 pid
  pid=$(running_pid "$host" "$proc") || { rm -f "$(pid_file "$host" "$proc")"; return 0; }
  kill -s TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { warn "$host/$proc did not stop; killing it"; kill -9 "$pid" 2>/dev/null || true; }
  rm -f "$(pid_file "$host" "$proc")"
}

# wait_for SECONDS CMD...: poll CMD every half second until it succeeds.
wait_for() {
  local secs=$1; shift
  for _ in $(seq 1 $((secs * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}

# ---- host packages ----------------------------------------------------------------
# apt_install_missing CHECK:PACKAGE...: install, from the machine's own Debian suite, each
# package whose CHECK fails: a command on PATH, or py:MODULE importable by Debian's python3.
# Sets APT_INSTALLED to what it installed (read by the caller).
apt_install_missing() {
  local pair check missing=()
  for pair in "$@"; do
    check=${pair%%:*}
    case $pair in
      py:*) check=${pair#py:}; check=${check%%:*}; /usr/bin/python3 -c "import $check" 2>/dev/null ;;
      *) command -v "$check" >/dev/null ;;
    esac || missing+=("${pair##*:}")
  done
  # shellcheck disable=SC2034 # read by ./stack
  APT_INSTALLED=("${missing[@]}")
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing ${missing[*]} (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get could not install ${missing[*]}"
}

# ---- secrets ---------------------------------------------------------------------
# Generated once per state directory (mode 0600); nothing is hard-coded. Their names
# (SECRET_NAMES) are the cookbooks' (TimestampCommon::Secrets::NAMES), upper-cased.
secrets_load() {
  mkdir -p "$STATE"
  # a secret the state directory does not have yet (a new one, after an upgrade) is added
  (umask 077; touch "$SECRETS"
   for name in "${SECRET_NAMES[@]}"; do
     grep -q "^$name=" "$SECRETS" \
       || printf '%s=%s\n' "$name" "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)" >> "$SECRETS"
   done)
  set -a
  # shellcheck disable=SC1090 # generated above
  . "$SECRETS"
  set +a
}

# json_lines: stdin's lines as a compact JSON array of strings (an argv for a template).
json_lines() { jq -R . | jq -s -c .; }

# ---- configuration ---------------------------------------------------------------
# render COOKBOOK TEMPLATE OUTPUT [ATTRIBUTES_JSON] [VARIABLES_JSON]: render a cookbook's
# template for a node of environment `local` whose `chef-client -j` attributes are
# ATTRIBUTES_JSON (JSON strings; stack.d/render.rb merges them as Chef does).
render() {
  local cookbook=$1 template=$2 out=$3 attrs=${4:-"{}"} vars=${5:-"{}"}
  mkdir -p "$(dirname "$out")"
  local a v; a=$(mktemp) v=$(mktemp)
  jq '{chef_environment: "local"} + .' <<<"$attrs" > "$a"; printf '%s' "$vars" > "$v"
  ruby "$STACKD/render.rb" "$COOKBOOKS/$cookbook" "$template" "$out" "$a" "$v" \
    || { rm -f "$a" "$v"; die "rendering $cookbook/$template failed"; }
  rm -f "$a" "$v"
}

# ---- cluster operations ------------------------------------------------------------
# ops AREA ACTION ARGS...: one operation of the cookbooks' library code (stack.d/ops.rb).
ops() { ruby "$STACKD/ops.rb" "$@"; }

# ---- checks ------------------------------------------------------------------------
# One line per check, "ok" or "FAIL" (./stack test counts them); a caller declares
# `local check_failures=0` and reads it afterwards.
check_ok()   { printf '    ok    %s\n' "$*"; }
check_fail() { printf '    FAIL  %s\n' "$*"; check_failures=$((check_failures + 1)); }
# check_run DESCRIPTION CMD...: the command's output only on failure.
check_run() {
  local what=$1 out; shift
  if out=$("$@" 2>&1); then check_ok "$what"; return 0; fi
  check_fail "$what"; printf '%s\n' "$out" | sed 's/^/          /' | head -20; return 1
}
