# shellcheck shell=bash
# The database tier of the local cluster: three MySQL members (db-a, db-b, db-c), one per
# zone, in one single-primary Group Replication group, plus the InnoDB Cluster metadata
# MySQL Router reads. Sourced after common.sh and mysql-prefix.sh.
#
#   db_up                     start the members and their keepers; wait for the group (idempotent)
#   db_down                   stop every member cleanly
#   db_status                 NAME PID STATE ROLE per member, as the majority sees it
#   db_client MEMBER ARGS...  the mysql client as root on that member
#
# Every file a member runs with is rendered from chef/cookbooks/timestamp_db, its systemd
# units too, which the supervisor runs (stack.d/supervise.sh): mysqld, and the member's
# keeper, which joins it to the group (or bootstraps the group) after every start. The SQL
# for accounts and metadata is the cookbook's too (run by stack.d/ops.rb: the classes in
# chef/cookbooks/timestamp_db/libraries).

DB_COOKBOOK=timestamp_db
# The prefix's client as a plain command, so that `timeout` can bound it.
read -ra MYSQL_CLIENT <<<"$(mysql_command usr/bin/mysql)"

db_members() { hosts_of mysql; }
db_dir() { echo "$STATE/$1"; }
db_datadir() { echo "$STATE/$1/data"; }

# ---- configuration ------------------------------------------------------------------
# Node attributes of one member (as `chef-client -j` would get them): its name among the
# hosts of environment `local`, which gives it its identity, plus this machine's paths.
_db_attributes() {
  local m=$1 dir; dir=$(db_dir "$m")
  cat <<EOF
{"timestamp": {"host": "$m", "programs": {"lib_root": "$PROGRAMS_LIB"}},
 "timestamp_db": {
  "mysqld": "$(mysql_command usr/sbin/mysqld)",
  "defaults_file": "$dir/my.cnf",
  "basedir": "$MYSQL_PREFIX/usr",
  "plugin_dir": "$MYSQL_PREFIX/usr/lib/mysql/plugin",
  "lc_messages_dir": "$MYSQL_PREFIX/usr/share/mysql",
  "character_sets_dir": "$MYSQL_PREFIX/usr/share/mysql/charsets",
  "user": "root",
  "datadir": "$dir/data",
  "tmpdir": "$dir/tmp",
  "secure_file_priv": "$dir/files",
  "socket": "$dir/mysqld.sock",
  "mysqlx_socket": "$dir/mysqlx.sock",
  "pid_file": "$dir/mysqld.server.pid",
  "log_error": "$(log_file "$m" mysqld)",
  "mysql_client": $(printf '%s\n' "${MYSQL_CLIENT[@]}" | json_lines),
  "root_client_cnf": "$dir/root.cnf",
  "keeper": {"config_file": "$dir/timestamp-db-keeper.json", "state_file": "$dir/keeper-state.json"}
}}
EOF
}

_db_render() {
  local m=$1 dir attrs; dir=$(db_dir "$m"); attrs=$(_db_attributes "$m")
  mkdir -p "$dir/tmp" "$dir/files"
  render "$DB_COOKBOOK" my.cnf.erb "$dir/my.cnf" "$attrs"
  render "$DB_COOKBOOK" mysqld.service.erb "$dir/mysqld.service" "$attrs"
  render "$DB_COOKBOOK" timestamp-db-keeper.service.erb "$dir/timestamp-db-keeper.service" "$attrs"
  # The root client's option file (socket login) and the keeper's settings: passwords are
  # template variables, as the recipe passes them.
  (umask 077
   render "$DB_COOKBOOK" client.cnf.erb "$dir/root.cnf" "$attrs" "{\"user\": \"root\", \"password\": \"$MYSQL_ROOT_PASSWORD\"}"
   render "$DB_COOKBOOK" timestamp-db-keeper.json.erb "$dir/timestamp-db-keeper.json" "$attrs" \
     "{\"replication_user\": \"ts_repl\", \"replication_password\": \"$MYSQL_REPLICATION_PASSWORD\",
       \"probe_user\": \"ts_probe\", \"probe_password\": \"$MYSQL_PROBE_PASSWORD\"}")
}

# ---- clients ------------------------------------------------------------------------
# db_client MEMBER ARGS...: the prefix's mysql client, as root over the member's socket.
db_client() {
  local m=$1; shift
  mysql_exec usr/bin/mysql --defaults-file="$(db_dir "$m")/root.cnf" "$@"
}

# ---- one member --------------------------------------------------------------------------
_db_initialize() {
  local m=$1 dir; dir=$(db_dir "$m")
  [ -d "$dir/data/mysql" ] && return 0
  rm -rf "$dir/data"
  # The rendered my.cnf's options that --initialize takes (TimestampDb::Datadir, as Chef's
  # timestamp_db_server). --initialize-insecure: root has no password until the first start.
  local opts=()
  mapfile -t opts < <(mysql_exec usr/bin/my_print_defaults --defaults-file="$dir/my.cnf" mysqld | ops db initialize-options)
  mysql_exec usr/sbin/mysqld --no-defaults "${opts[@]}" --initialize-insecure \
    >>"$(log_file "$m" mysqld)" 2>&1 || die "$m: mysqld --initialize failed (see $(log_file "$m" mysqld))"
}

# _db_start MEMBER: mysqld under the supervisor (its unit: restarted on failure, clone
# restarts included).
_db_start() {
  local m=$1 dir; dir=$(db_dir "$m")
  running_pid "$m" mysqld >/dev/null && return 0
  rm -f "$dir/mysqld.sock" "$dir/mysqld.sock.lock" "$dir/mysqlx.sock" "$dir/mysqlx.sock.lock"
  svc_install "$m" mysqld "$dir/mysqld.service"
  svc_start "$m" mysqld
}

# _db_wait_ready MEMBER...: each answers as root (on a new datadir: root's password and the
# probe account are set first).
_db_wait_ready() { db_ops await 120 "$@" || exit 1; }

# ---- the group, the metadata: the timestamp_db cookbook's classes (stack.d/ops/db.rb) ----
# What ops.rb needs besides Chef's attributes (members, Routers, the cluster's identity and
# ports come from environment `local`): the mysql client's command line and each member's
# files on this machine (root's option file, socket, log).
_db_ops_config() {
  local m files=""
  for m in $(db_members); do
    files+="${files:+,}\"$m\": {\"defaults_file\": \"$(db_dir "$m")/root.cnf\", \"socket\": \"$(db_dir "$m")/mysqld.sock\",
      \"log\": \"$(log_file "$m" mysqld)\"}"
  done
  printf '{"mysql_client": %s, "files": {%s}}\n' "$(printf '%s\n' "${MYSQL_CLIENT[@]}" | json_lines)" "$files"
}
# (in the environment, not a file: ./stack status runs beside ./stack up)
db_ops() { STACK_DB_CONFIG=$(_db_ops_config) ops db "$@"; }

# router_id_of HOST: the id a Router host has in the metadata (ROUTER_IDS, from Chef).
router_id_of() { local r; for r in "${ROUTER_IDS[@]}"; do [ "${r%%:*}" = "$1" ] && { echo "${r#*:}"; return 0; }; done; return 1; }

# keeper_state MEMBER: what the member's running keeper last reported (its state file), e.g.
# online; - when no keeper runs.
keeper_state() {
  running_pid "$1" keeper >/dev/null || { echo -; return 0; }
  jq -r .state "$(db_dir "$1")/keeper-state.json" 2>/dev/null || echo -
}

# ---- the interface ------------------------------------------------------------------------------
# db_servers_up: every member's mysqld runs and answers as root (new data directories are
# initialized first, in parallel). No keeper is started.
db_servers_up() {
  local m pids=()
  mysql_prefix_install
  step "database: rendering my.cnf and the units, starting the members"
  for m in $(db_members); do _db_render "$m"; done
  # Initialize new datadirs in parallel (~5 s), then start whatever is not running.
  for m in $(db_members); do
    if [ ! -d "$(db_datadir "$m")/mysql" ]; then info "$m: initializing a new datadir"; _db_initialize "$m" & pids+=($!); fi
  done
  for m in "${pids[@]}"; do wait "$m" || die "initializing a datadir failed"; done
  for m in $(db_members); do
    if running_pid "$m" mysqld >/dev/null; then continue; fi
    info "$m: starting mysqld"; _db_start "$m"
  done
  # shellcheck disable=SC2046 # member names are single words
  _db_wait_ready $(db_members)
}

# db_keeper_up MEMBER: its keeper runs (it joins the member to the group, or bootstraps it).
db_keeper_up() {
  svc_install "$1" keeper "$(db_dir "$1")/timestamp-db-keeper.service"
  svc_up "$1" keeper || svc_start "$1" keeper
}

# db_group_ready: every member ONLINE and the metadata written (prints nothing; dies if not).
db_group_ready() {
  local primary
  primary=$(db_ops up 600) || die "the group did not form, or its metadata could not be written (see $STATE/db-*/keeper.log)"
  info "primary $primary"
}

db_up() {
  local m t0=$SECONDS
  db_servers_up
  step "database: Group Replication (each member's keeper joins it, or bootstraps the group)"
  for m in $(db_members); do db_keeper_up "$m"; done
  db_group_ready
  info "database up in $((SECONDS - t0)) s"
}

db_down() {
  local m pids=()
  step "database: stopping the keepers and the members"
  # the keepers first: they would rejoin a member that leaves
  for m in $(db_members); do svc_stop "$m" keeper; done
  db_ops leave || true
  # Then shut the servers down in parallel: each stop waits (bounded) for its own mysqld.
  for m in $(db_members); do
    running_pid "$m" mysqld >/dev/null || continue
    info "$m: stopping mysqld"
    svc_stop "$m" mysqld & pids+=($!)
  done
  for m in "${pids[@]}"; do wait "$m" || true; done
}

# db_primary: the member the majority calls PRIMARY.
db_primary() { db_ops primary; }

# db_status: NAME PID STATE ROLE, state as the majority sees it (else the member's own view):
# stopped (no process), UNREACHABLE (running, does not answer), or Group Replication's state.
db_status() {
  local m state role pid
  while read -r m state role; do
    pid=$(running_pid "$m" mysqld || echo -)
    if [ "$pid" = - ]; then state=stopped role=-
    elif [ "$state" = - ]; then state=UNREACHABLE role=-
    fi
    printf '%s %s %s %s\n' "$m" "$pid" "$state" "$role"
  done < <(db_ops status)
}
