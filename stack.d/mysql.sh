# The database tier of the local cluster: three MySQL members (db-a, db-b, db-c), one per
# zone, in one single-primary Group Replication group, plus the InnoDB Cluster metadata
# MySQL Router reads. Sourced after common.sh and mysql-prefix.sh.
#
#   db_up                     create/start/repair the group (idempotent)
#   db_down                   stop every member cleanly
#   db_status                 NAME PID STATE ROLE per member, as the majority sees it
#   db_client MEMBER ARGS...  the mysql client as root on that member
#
# Every file a member runs with is rendered from chef/cookbooks/timestamp_db; the SQL
# for accounts and metadata is the cookbook's too (files/default/*.sql).

DB_COOKBOOK=timestamp_db
DB_SQL=$COOKBOOKS/$DB_COOKBOOK/files/default
# This environment's identity (a Chef environment would set the same node attributes).
DB_CLUSTER_NAME=timestamps
DB_CLUSTER_ID=5b0f8a52-7c1e-4d3a-9f6b-1e2d3c4b5a60
DB_GROUP_NAME=a1e3c5d7-2b4f-4a6c-8e0d-9f1b3d5e7a90
DB_PORT=3306
DB_XPORT=33060
DB_GR_PORT=33061

# The prefix's client as a plain command, so that `timeout` can bound it.
read -ra MYSQL_CLIENT <<<"$(mysql_command usr/bin/mysql)"

db_members() { hosts_of mysql; }
db_dir() { echo "$STATE/$1"; }
db_cnf() { echo "$STATE/$1/my.cnf"; }
db_socket() { echo "$STATE/$1/mysqld.sock"; }
db_datadir() { echo "$STATE/$1/data"; }

# ---- configuration ------------------------------------------------------------------
# Node attributes of one member: its identity plus the local stack's paths.
_db_attributes() {
  local m=$1 dir addr seeds="" p
  dir=$(db_dir "$m"); addr=$(host_address "$m")
  for p in $(db_members); do seeds+="${seeds:+,}\"$(host_address "$p"):$DB_GR_PORT\""; done
  cat <<EOF
{"timestamp_db": {
  "mysqld": "$MYSQL_PREFIX/usr/sbin/mysqld",
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
  "port": $DB_PORT,
  "mysqlx_port": $DB_XPORT,
  "server_id": ${addr##*.},
  "report_host": "$addr",
  "innodb_buffer_pool_size": "64M",
  "innodb_redo_log_capacity": "128M",
  "max_connections": 200,
  "cluster_name": "$DB_CLUSTER_NAME",
  "cluster_id": "$DB_CLUSTER_ID",
  "group_replication": {
    "group_name": "$DB_GROUP_NAME",
    "local_port": $DB_GR_PORT,
    "seeds": [$seeds],
    "ip_allowlist": "${BRIDGE_ADDRESS%.*}.0/$NET_PREFIX"
  }
}}
EOF
}

_db_render() {
  local m=$1 dir; dir=$(db_dir "$m")
  mkdir -p "$dir/tmp" "$dir/files"
  render "$DB_COOKBOOK" my.cnf.erb "$dir/my.cnf" "$(_db_attributes "$m")"
  # The root client's option file (socket login); the password is a template variable.
  (umask 077; render "$DB_COOKBOOK" client.cnf.erb "$dir/root.cnf" \
    "{\"timestamp_db\": {\"socket\": \"$dir/mysqld.sock\"}}" \
    "{\"user\": \"root\", \"password\": \"$MYSQL_ROOT_PASSWORD\"}")
}

# ---- clients ------------------------------------------------------------------------
# db_client MEMBER ARGS...: the prefix's mysql client, as root over the member's socket.
db_client() {
  local m=$1; shift
  mysql_exec usr/bin/mysql --defaults-file="$(db_dir "$m")/root.cnf" "$@"
}

# _db_sql MEMBER SQL: one query, tab-separated rows without headers; fails fast (within
# DB_SQL_TIMEOUT seconds, connecting within DB_CONNECT_TIMEOUT; callers may set both).
_db_sql() {
  timeout "${DB_SQL_TIMEOUT:-10}" "${MYSQL_CLIENT[@]}" --defaults-file="$(db_dir "$1")/root.cnf" \
    --connect-timeout="${DB_CONNECT_TIMEOUT:-2}" -NB -e "$2" 2>/dev/null
}
_db_alive() { _db_sql "$1" "SELECT 1" >/dev/null; }

# _db_source MEMBER SQLFILE [SET-STATEMENTS]: run a cookbook SQL file after setting its
# session variables (secrets reach the client on stdin, never on a command line).
_db_source() {
  local m=$1 file=$2 vars=${3:-}
  { printf '%s\n' "$vars"; cat "$file"; } | db_client "$m" --connect-timeout=5 -NB
}
_sql_quote() { local s=${1//\\/\\\\}; s=${s//\'/\\\'}; printf "'%s'" "$s"; }

# ---- one member --------------------------------------------------------------------------
_db_initialize() {
  local m=$1 dir; dir=$(db_dir "$m")
  [ -d "$dir/data/mysql" ] && return 0
  rm -rf "$dir/data"
  # --initialize loads no plugins, so it rejects the group_replication_* options: it gets
  # the rendered my.cnf's options without them. --initialize-insecure: root@localhost has
  # no password until the first start sets one.
  local opts=() o
  while IFS= read -r o; do
    case $o in --group_replication_*|--group-replication-*|--plugin_load_add=*|--plugin-load-add=*) ;; *) opts+=("$o");; esac
  done < <(mysql_exec usr/bin/my_print_defaults --defaults-file="$dir/my.cnf" mysqld)
  mysql_exec usr/sbin/mysqld --no-defaults "${opts[@]}" --initialize-insecure \
    >>"$(log_file "$m" mysqld)" 2>&1 || die "$m: mysqld --initialize failed (see $(log_file "$m" mysqld))"
  touch "$dir/.root-password-unset"
}

_db_start() {
  local m=$1 dir; dir=$(db_dir "$m")
  running_pid "$m" mysqld >/dev/null && return 0
  rm -f "$dir/mysqld.sock" "$dir/mysqld.sock.lock" "$dir/mysqlx.sock" "$dir/mysqlx.sock.lock"
  local mysqld; read -ra mysqld <<<"$(mysql_command usr/sbin/mysqld)"
  start_daemon "$m" mysqld "${mysqld[@]}" --defaults-file="$dir/my.cnf"
}

# Waits until the member answers on its socket; sets the root password after an initialize.
_db_wait_ready() {
  local m=$1 dir i; dir=$(db_dir "$m")
  for i in $(seq 1 240); do
    running_pid "$m" mysqld >/dev/null || die "$m: mysqld exited (see $(log_file "$m" mysqld))"
    if [ -f "$dir/.root-password-unset" ]; then
      if printf "SET sql_log_bin = 0; ALTER USER 'root'@'localhost' IDENTIFIED BY %s;\n" \
           "$(_sql_quote "$MYSQL_ROOT_PASSWORD")" \
         | mysql_exec usr/bin/mysql --no-defaults --socket="$dir/mysqld.sock" -uroot \
             --connect-timeout=2 2>/dev/null; then
        rm -f "$dir/.root-password-unset"
      fi
    fi
    _db_alive "$m" && return 0
    sleep 0.5
  done
  die "$m: mysqld did not answer within 120 s (see $(log_file "$m" mysqld))"
}

# ---- group state -------------------------------------------------------------------------
# _db_view MEMBER: the group as this member sees it, one "uuid host state role" per line,
# the member itself first with the prefix "self".
_db_view() {
  _db_sql "$1" "SELECT IF(MEMBER_ID = @@server_uuid, 'self', 'peer'), MEMBER_ID, MEMBER_HOST,
                       IF(MEMBER_STATE = '', 'OFFLINE', MEMBER_STATE), IF(MEMBER_ROLE = '', '-', MEMBER_ROLE)
                  FROM performance_schema.replication_group_members
                 WHERE CHANNEL_NAME = 'group_replication_applier'
                 ORDER BY MEMBER_ID = @@server_uuid DESC"
}

# _db_has_quorum: reads a view on stdin; true if its member is ONLINE and more than half of
# the members in that view are ONLINE (a member cut off from the others still calls itself
# ONLINE but sees the others UNREACHABLE: no quorum).
_db_has_quorum() {
  awk '$1 == "self" && $4 == "ONLINE" {self = 1} $4 == "ONLINE" {online++} {all++}
       END {exit !(self && online * 2 > all)}'
}

# _db_majority_view: prints the view of a member that is ONLINE in a group with quorum
# (the largest such view); fails if there is none.
_db_majority_view() {
  local m view best="" n bestn=0
  for m in $(db_members); do
    running_pid "$m" mysqld >/dev/null || continue
    view=$(_db_view "$m") || continue
    _db_has_quorum <<<"$view" || continue
    n=$(wc -l <<<"$view")
    if [ "$n" -gt "$bestn" ]; then best=$view; bestn=$n; fi
  done
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

_db_self_state() { _db_view "$1" | awk '$1 == "self" {print $4; exit}'; }

_db_primary() { # prints the member name of the majority's PRIMARY
  local view addr m
  view=$(_db_majority_view) || return 1
  addr=$(awk '$4 == "ONLINE" && $5 == "PRIMARY" {print $3; exit}' <<<"$view")
  [ -n "$addr" ] || return 1
  for m in $(db_members); do [ "$(host_address "$m")" = "$addr" ] && { echo "$m"; return 0; }; done
  return 1
}

# ---- group membership ----------------------------------------------------------------------
# The recovery channel's credentials, on every member (a rejoin hangs in RECOVERING without).
_db_recovery_credentials() {
  _db_sql "$1" "CHANGE REPLICATION SOURCE TO SOURCE_USER = 'ts_repl',
                SOURCE_PASSWORD = $(_sql_quote "$MYSQL_REPLICATION_PASSWORD")
                FOR CHANNEL 'group_replication_recovery'" \
    || die "$1: could not set the recovery channel credentials"
}

# A member whose GR is in ERROR (or stuck without quorum) must stop GR before starting anew.
# The STOP may wait up to 60 s: a member expelled by a cut is in its auto-rejoin, whose leave
# step waits that long for a view change. A START sent while the STOP still runs fails.
_db_stop_gr_if_needed() {
  local m=$1 state; state=$(_db_self_state "$m" || true)
  case $state in
    ""|OFFLINE) ;;
    *) info "$m: stopping Group Replication (state $state)"
       DB_SQL_TIMEOUT=90 _db_sql "$m" "STOP GROUP_REPLICATION" >/dev/null || true ;;
  esac
}

_db_wait_online() {
  local m=$1 secs=$2 i state
  for i in $(seq 1 $((secs * 2))); do
    # Recovery by clone replaces the datadir and then ends mysqld (it restarts itself only
    # under a supervisor): start it again on the cloned data and rejoin.
    if ! running_pid "$m" mysqld >/dev/null; then
      info "$m: mysqld exited during recovery (clone); restarting it"
      _db_start "$m"; _db_wait_ready "$m"
      _db_recovery_credentials "$m"
      _db_sql "$m" "START GROUP_REPLICATION" >/dev/null || return 1
    fi
    state=$(_db_self_state "$m" || true)
    [ "$state" = ONLINE ] && return 0
    [ "$state" = ERROR ] && return 1
    sleep 0.5
  done
  return 1
}

# The member with the most advanced transaction set: executed plus received (relay log)
# transactions. Every other member's set must be a subset of it, or we refuse to guess.
_db_most_advanced() {
  local m sets=() names=() i j best="" gtids
  for m in $(db_members); do
    gtids=$(_db_sql "$m" "SELECT CONCAT_WS(',', NULLIF(@@GLOBAL.gtid_executed, ''),
                                 (SELECT NULLIF(RECEIVED_TRANSACTION_SET, '')
                                    FROM performance_schema.replication_connection_status
                                   WHERE CHANNEL_NAME = 'group_replication_applier'))" \
            | tr -d '\n') || continue
    names+=("$m"); sets+=("$gtids")
  done
  [ ${#names[@]} -gt 0 ] || return 1
  for i in "${!names[@]}"; do
    local ok=1
    for j in "${!names[@]}"; do
      [ "$i" = "$j" ] && continue
      [ "$(_db_sql "${names[$i]}" "SELECT GTID_SUBSET($(_sql_quote "${sets[$j]}"), $(_sql_quote "${sets[$i]}"))")" = 1 ] \
        || { ok=0; break; }
    done
    if [ $ok = 1 ]; then best=${names[$i]}; break; fi
  done
  [ -n "$best" ] || { for i in "${!names[@]}"; do warn "${names[$i]}: ${sets[$i]}"; done
                      die "the members' transaction sets diverge; refusing to pick one to bootstrap from"; }
  echo "$best"
}

_db_bootstrap() {
  local m=$1
  info "$m: bootstrapping the group"
  _db_stop_gr_if_needed "$m"
  _db_recovery_credentials "$m"
  _db_sql "$m" "SET GLOBAL group_replication_bootstrap_group = ON;
                START GROUP_REPLICATION;
                SET GLOBAL group_replication_bootstrap_group = OFF" >/dev/null \
    || { _db_sql "$m" "SET GLOBAL group_replication_bootstrap_group = OFF" || true
         die "$m: bootstrapping Group Replication failed (see $(log_file "$m" mysqld))"; }
  _db_wait_online "$m" 60 || die "$m: not ONLINE after bootstrap"
}

_db_join() {
  local m=$1 t0=$SECONDS
  _db_stop_gr_if_needed "$m"
  _db_recovery_credentials "$m"
  # START returns once the member is in the group's view: more than 10 s after a long cut
  DB_SQL_TIMEOUT=60 _db_sql "$m" "START GROUP_REPLICATION" >/dev/null \
    || { warn "$m: START GROUP_REPLICATION failed (see $(log_file "$m" mysqld))"; return 1; }
  if _db_wait_online "$m" 180; then info "$m: ONLINE ($((SECONDS - t0)) s)"
  else warn "$m: did not reach ONLINE (state $(_db_self_state "$m" || echo '?'))"; return 1; fi
}

# ---- accounts and metadata ---------------------------------------------------------------------
_db_setup_schema() { # once: metadata schema, accounts, database (on the primary)
  local p=$1 have want
  # Complete when every table and view of the DDL exists, the four accounts and the database.
  want=$(( $(grep -cE '^CREATE (TABLE IF NOT EXISTS|OR REPLACE .*VIEW) ' "$DB_SQL/metadata-schema.sql") + 4 + 1 ))
  have=$(_db_sql "$p" "SELECT (SELECT COUNT(*) FROM information_schema.tables
                                WHERE TABLE_SCHEMA = 'mysql_innodb_cluster_metadata')
                            + (SELECT COUNT(*) FROM mysql.user
                                WHERE user IN ('ts_repl', 'router_meta', 'ts_migrator', 'ts_app'))
                            + (SELECT COUNT(*) FROM information_schema.schemata WHERE SCHEMA_NAME = 'timestamps')")
  [ "$have" = "$want" ] && return 0
  info "$p: creating the metadata schema, the accounts and the database"
  _db_source "$p" "$DB_SQL/metadata-schema.sql" || die "metadata-schema.sql failed on $p"
  _db_source "$p" "$DB_SQL/accounts.sql" "SET @replication_password = $(_sql_quote "$MYSQL_REPLICATION_PASSWORD"),
    @router_password = $(_sql_quote "$MYSQL_ROUTER_PASSWORD"),
    @migrator_password = $(_sql_quote "$DB_MIGRATION_PASSWORD"),
    @app_password = $(_sql_quote "$DB_PASSWORD");" || die "accounts.sql failed on $p"
}

# Brings the metadata rows in line with reality: the cluster, each member's current server
# UUID and endpoints, one row per Router. Writes only what differs.
_db_sync_metadata() {
  local p=$1 m addr uuid row n id
  row=$(_db_sql "$p" "SELECT CONCAT(cluster_name, ' ', group_name) FROM mysql_innodb_cluster_metadata.clusters
                       WHERE cluster_id = '$DB_CLUSTER_ID'")
  if [ "$row" != "$DB_CLUSTER_NAME $DB_GROUP_NAME" ]; then
    info "metadata: registering cluster $DB_CLUSTER_NAME"
    _db_source "$p" "$DB_SQL/metadata-cluster.sql" "SET @cluster_id = '$DB_CLUSTER_ID',
      @cluster_name = '$DB_CLUSTER_NAME', @group_name = '$DB_GROUP_NAME';" || die "metadata-cluster.sql failed"
  fi
  for m in $(db_members); do
    running_pid "$m" mysqld >/dev/null || continue
    uuid=$(_db_sql "$m" "SELECT @@server_uuid") || continue
    addr=$(host_address "$m")
    row=$(_db_sql "$p" "SELECT CONCAT_WS(' ', mysql_server_uuid, xaddress, gr_local_address, instance_name)
                          FROM mysql_innodb_cluster_metadata.instances WHERE address = '$addr:$DB_PORT'")
    [ "$row" = "$uuid $addr:$DB_XPORT $addr:$DB_GR_PORT $m" ] && continue
    info "metadata: registering $m ($addr, server uuid $uuid)"
    _db_source "$p" "$DB_SQL/metadata-instance.sql" "SET @cluster_id = '$DB_CLUSTER_ID',
      @address = '$addr:$DB_PORT', @xaddress = '$addr:$DB_XPORT', @gr_local_address = '$addr:$DB_GR_PORT',
      @server_uuid = '$uuid', @label = '$m';" || die "metadata-instance.sql failed for $m"
  done
  id=0
  for n in $(hosts_of app); do
    id=$((id + 1)); addr=$(host_address "$n")
    row=$(_db_sql "$p" "SELECT CONCAT_WS(' ', router_name, address, cluster_id)
                          FROM mysql_innodb_cluster_metadata.routers WHERE router_id = $id")
    [ "$row" = "$n $addr $DB_CLUSTER_ID" ] && continue
    info "metadata: registering router $id ($n)"
    _db_source "$p" "$DB_SQL/metadata-router.sql" "SET @router_id = $id, @router_name = '$n',
      @router_address = '$addr', @cluster_id = '$DB_CLUSTER_ID';" || die "metadata-router.sql failed for $n"
  done
}

# router_id_of HOST: the id a Router host has in the metadata (its position among app hosts).
router_id_of() { local n i=0; for n in $(hosts_of app); do i=$((i + 1)); [ "$n" = "$1" ] && { echo $i; return 0; }; done; return 1; }

# ---- the interface ------------------------------------------------------------------------------
db_up() {
  local m pids=() t0=$SECONDS primary view online=() missing=()
  mysql_prefix_install
  step "database: rendering my.cnf and starting the members"
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
  for m in $(db_members); do _db_wait_ready "$m"; done

  step "database: Group Replication"
  if primary=$(_db_primary); then
    info "group is ONLINE with a majority; primary $primary"
  else
    # No majority group: every member stopped GR (cold start, or after db_down). Bootstrap
    # from the member holding the most transactions, so no committed write is lost.
    for m in $(db_members); do _db_stop_gr_if_needed "$m"; done
    primary=$(_db_most_advanced) || die "no member answers"
    _db_bootstrap "$primary"
  fi
  _db_setup_schema "$primary"
  view=$(_db_majority_view) || die "the group lost its majority"
  for m in $(db_members); do
    if awk -v a="$(host_address "$m")" '$3 == a && $4 == "ONLINE" {f=1} END {exit !f}' <<<"$view"; then
      continue
    fi
    if [ "$(_db_self_state "$m" || true)" = RECOVERING ]; then
      # Already joining (an auto-rejoin, or another db_up): let it finish.
      info "$m: recovering; waiting for it"
      _db_wait_online "$m" 180 && continue
    fi
    info "$m: joining the group"
    _db_join "$m" || missing+=("$m")
  done
  primary=$(_db_primary) || die "the group has no primary"
  _db_sync_metadata "$primary"
  [ ${#missing[@]} -eq 0 ] || warn "not ONLINE: ${missing[*]}"
  info "database up in $((SECONDS - t0)) s; primary $primary"
}

db_down() {
  local m pids=()
  step "database: stopping the members"
  # Leave the group one member at a time, secondaries first: members that shut down at
  # the same moment each wait ~10 s for a view change; an orderly leave takes < 1 s.
  local view role
  if view=$(_db_majority_view); then
    for role in SECONDARY PRIMARY; do
      for m in $(db_members); do
        awk -v a="$(host_address "$m")" -v r="$role" '$3 == a && $5 == r {f=1} END {exit !f}' <<<"$view" || continue
        DB_SQL_TIMEOUT=30 _db_sql "$m" "STOP GROUP_REPLICATION" >/dev/null \
          || warn "$m: STOP GROUP_REPLICATION failed; shutting down anyway"
      done
    done
  fi
  # Then shut the servers down in parallel: each stop waits (bounded) for its own mysqld.
  for m in $(db_members); do
    running_pid "$m" mysqld >/dev/null || continue
    info "$m: stopping mysqld"
    stop_daemon "$m" mysqld & pids+=($!)
  done
  for m in "${pids[@]}"; do wait "$m" || true; done
}

# db_status: NAME PID STATE ROLE, state as the majority sees it (else the member's own view).
db_status() {
  local m pid view="" state role addr tmp own qpids=()
  tmp=$(mktemp -d)
  # Ask every running member at once (each answer bounded by timeouts): < 2 s in all.
  for m in $(db_members); do
    running_pid "$m" mysqld >/dev/null || continue
    ( DB_SQL_TIMEOUT=1.5 DB_CONNECT_TIMEOUT=1 _db_view "$m" >"$tmp/$m" || rm -f "$tmp/$m" ) &
    qpids+=($!)
  done
  # Wait for these queries only: the caller's shell may also be the parent of daemons.
  for pid in "${qpids[@]}"; do wait "$pid" || true; done
  local n bestn=0
  for m in $(db_members); do
    [ -f "$tmp/$m" ] && _db_has_quorum <"$tmp/$m" || continue
    n=$(wc -l <"$tmp/$m")
    if [ "$n" -gt "$bestn" ]; then view=$(cat "$tmp/$m"); bestn=$n; fi
  done
  for m in $(db_members); do
    addr=$(host_address "$m")
    pid=$(running_pid "$m" mysqld || echo -)
    state=""; role=-
    if [ -n "$view" ]; then
      read -r state role < <(awk -v a="$addr" '$3 == a {print $4, $5}' <<<"$view") || true
      # Not in the majority's view: the member's own state (OFFLINE, ERROR, RECOVERING...).
      if [ -z "$state" ] && [ -f "$tmp/$m" ]; then
        own=$(awk '$1 == "self" {print $4}' "$tmp/$m"); state=${own:-OFFLINE}
        [ "$state" = ONLINE ] && state=UNREACHABLE   # ONLINE only in a stale view of its own
      fi
    elif [ -f "$tmp/$m" ]; then
      read -r state role < <(awk '$1 == "self" {print $4, $5}' "$tmp/$m") || true
    fi
    if [ "$pid" = - ]; then state=stopped; role=-
    elif [ -z "$state" ]; then state=$([ -f "$tmp/$m" ] && echo OFFLINE || echo UNREACHABLE); role=-
    fi
    [ "$state" = ONLINE ] || role=-
    printf '%s %s %s %s\n' "$m" "$pid" "$state" "${role:--}"
  done
  rm -rf "$tmp"
}
