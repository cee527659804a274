# shellcheck shell=bash
# MySQL Router on each app host: port ROUTER_RW_PORT to the Group Replication PRIMARY,
# ROUTER_RO_PORT to the SECONDARIES, from the InnoDB Cluster metadata that db_up writes.
# Sourced after common.sh, mysql-prefix.sh and mysql.sh.
#
#   router_up HOST      render config + keyring, start, wait until writes reach the primary
#   router_down HOST    stop it
#   router_status HOST  prints "PID STATE": up (RW port reaches a primary), running, stopped
#
# mysqlrouter.conf, the dynamic state and the keyring's master-key reader are rendered
# from chef/cookbooks/timestamp_router.

ROUTER_COOKBOOK=timestamp_router
# ROUTER_RW_PORT, ROUTER_RO_PORT: from Chef (common.sh reads them through config.rb)

router_dir() { echo "$STATE/$1/router"; }

_router_check_host() { [ "$(host_field "$1" kind 2>/dev/null)" = app ] || die "not an app host: ${1:-}"; }

_router_attributes() {
  local h=$1 dir; dir=$(router_dir "$h")
  cat <<EOF
{"timestamp": {"host": "$h"},
 "timestamp_router": {
  "mysqlrouter": "$(mysql_command usr/bin/mysqlrouter)",
  "plugin_folder": "$MYSQL_PREFIX/usr/lib/mysqlrouter/plugin",
  "user": "root",
  "config_file": "$dir/mysqlrouter.conf",
  "data_folder": "$dir",
  "runtime_folder": "$dir/run",
  "logging_folder": "$STATE/$h",
  "log_file": "mysqlrouter.log",
  "dynamic_state": "$dir/state.json",
  "keyring_path": "$dir/keyring",
  "master_key_reader": "$dir/master-key-reader",
  "master_key_file": "$dir/master.key"
}}
EOF
}

_router_keyring() { # the metadata account's password, encrypted with ROUTER_KEYRING_MASTER_KEY
  local h=$1 dir keyring; dir=$(router_dir "$h")
  (umask 077; printf '%s\n' "$ROUTER_KEYRING_MASTER_KEY" > "$dir/master.key")
  # Kept if it opens with this master key and holds this password (TimestampRouter::Keyring,
  # as Chef's timestamp_router_keyring); the password travels in MYSQL_ROUTER_PASSWORD.
  read -ra keyring <<<"$(mysql_command usr/bin/mysqlrouter_keyring)"
  ops router keyring "$dir/keyring" "$dir/master-key-reader" router_meta "${keyring[@]}" \
    || die "$h: could not store the metadata account's password in $dir/keyring"
}

# _router_probe HOST: through the RW port as ts_app, prints the report_host of the server
# reached if it is writable (super_read_only off), else fails.
_router_probe() {
  local h=$1 out
  out=$(timeout 5 ip netns exec "$(netns_of "$h")" "${MYSQL_CLIENT[@]}" \
      --defaults-extra-file=<(printf '[client]\npassword="%s"\n' "$DB_PASSWORD") \
      --no-auto-rehash -uts_app -h "$(host_address "$h")" -P "$ROUTER_RW_PORT" --protocol=TCP \
      --get-server-public-key --connect-timeout=2 -NB \
      -e "SELECT @@report_host, @@super_read_only" 2>/dev/null) || return 1
  [ "$(cut -f2 <<<"$out")" = 0 ] || return 1
  cut -f1 <<<"$out"
}

router_up() {
  local h=${1:-} dir reached
  _router_check_host "$h"
  mysql_prefix_install
  dir=$(router_dir "$h")
  if running_pid "$h" router >/dev/null && reached=$(_router_probe "$h"); then
    info "$h: router up (RW port reaches $reached)"; return 0
  fi
  step "router on $h"
  mkdir -p "$dir/run"
  local attrs; attrs=$(_router_attributes "$h")
  render "$ROUTER_COOKBOOK" mysqlrouter.conf.erb "$dir/mysqlrouter.conf" "$attrs"
  render "$ROUTER_COOKBOOK" master-key-reader.erb "$dir/master-key-reader" "$attrs"
  chmod 0700 "$dir/master-key-reader"
  _router_keyring "$h"
  if ! running_pid "$h" router >/dev/null; then
    # Router rewrites its dynamic state while it runs; render it only when it is down.
    render "$ROUTER_COOKBOOK" state.json.erb "$dir/state.json" "$attrs"
    info "$h: starting mysqlrouter"
    # the same systemd unit a Chef-managed host runs, under the supervisor
    render "$ROUTER_COOKBOOK" timestamp-router.service.erb "$dir/timestamp-router.service" "$attrs"
    svc_install "$h" router "$dir/timestamp-router.service"
    svc_start "$h" router
  fi
  for _ in $(seq 1 120); do
    [ "$(svc_state "$h" router | cut -d' ' -f1)" != failed ] \
      || die "$h: mysqlrouter keeps exiting (see $(log_file "$h" router), $STATE/$h/mysqlrouter.log)"
    if reached=$(_router_probe "$h"); then info "$h: RW port $ROUTER_RW_PORT reaches the primary $reached"; return 0; fi
    sleep 0.5
  done
  die "$h: Router's RW port does not reach a primary after 60 s (see $STATE/$h/mysqlrouter.log)"
}

router_down() {
  local h=${1:-}
  _router_check_host "$h"
  running_pid "$h" router >/dev/null || return 0
  info "$h: stopping mysqlrouter"
  svc_stop "$h" router
}

router_status() {
  local h=${1:-} pid
  _router_check_host "$h"
  if ! pid=$(running_pid "$h" router); then echo "- stopped"; return 0; fi
  if _router_probe "$h" >/dev/null; then echo "$pid up"; else echo "$pid running"; fi
}
