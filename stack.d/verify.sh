# shellcheck shell=bash
# The kitchen verify specs (test/integration/<suite>) with Serverspec against the running
# local cluster, each suite in its host's namespace. Sourced after cookbooks.sh.
#
#   cookbooks_verify   every suite on every host of its role

# ---- verify specs against the running local cluster ------------------------------------------
# The specs read where things are from TS_* variables whose defaults are the cookbook
# defaults (what kitchen's InSpec sees on a converged node); here they point into $STATE.
_cb_verify_suite() { # SUITE HOST(lb = host namespace) VAR=VALUE...
  local suite=$1 host=$2; shift 2
  local prefix=()
  [ "$host" = lb ] || prefix=(ip netns exec "$(netns_of "$host")")
  check_run "verify $suite on $host" "${prefix[@]}" env "$@" \
    rspec --require "$VERIFY_DIR/serverspec_helper.rb" --format progress --no-color "$VERIFY_DIR/$suite"
}

cookbooks_verify() {
  local t0=$SECONDS h check_failures=0 client
  step "cookbooks: verify specs (Serverspec) against the local cluster"
  ruby -e 'require "serverspec"' 2>/dev/null || { check_fail "Serverspec is not installed (apt-get install ruby-serverspec)"; return 1; }
  [ -f "$SECRETS" ] || { check_fail "no cluster here: run ./stack up"; return 1; }
  client=$(mysql_command usr/bin/mysql)
  local members; members=$(db_members | wc -l)
  for h in $(db_members); do
    _cb_verify_suite db "$h" TS_MYSQL="$client --defaults-file=$(db_dir "$h")/root.cnf" \
      TS_MYSQLD_PATTERN="$MYSQL_PREFIX/usr/sbin/mysqld --defaults-file=$(db_dir "$h")/my.cnf" \
      TS_MY_CNF="$(db_dir "$h")/my.cnf" TS_DB_ADDRESS="$(host_address "$h")" TS_DB_MEMBERS="$members" \
      TS_KEEPER_PATTERN="timestamp_program.rb $(db_dir "$h")/timestamp-db-keeper.json" \
      TS_KEEPER_STATE="$(db_dir "$h")/keeper-state.json" TS_KEEPER_CONFIG="$(db_dir "$h")/timestamp-db-keeper.json" \
      TS_MYSQLD_UNIT="$(db_dir "$h")/mysqld.service" \
      TS_GROUP_NAME="$DB_GROUP_NAME" TS_CLUSTER_NAME="$DB_CLUSTER_NAME" \
      TS_DB_PORT="$DB_PORT" TS_DB_XPORT="$DB_XPORT" TS_DB_GR_PORT="$DB_GR_PORT"
  done
  for h in $(hosts_of app); do
    _cb_verify_suite app "$h" TS_MYSQL="$client" \
      TS_ROUTER_PATTERN="mysqlrouter --config $(router_dir "$h")/mysqlrouter.conf" \
      TS_ROUTER_CONF="$(router_dir "$h")/mysqlrouter.conf" TS_CLUSTER_NAME="$DB_CLUSTER_NAME" \
      TS_ROUTER_ID="$(router_id_of "$h")" TS_APP_ADDRESS="$(host_address "$h")" \
      TS_APP_CONFIG_DIR="$STATE/$h" TS_APP_UNIT="$STATE/$h/timestamp-service.service" TS_APP_INSTANCE="$h" \
      TS_LIVENESS_PATTERN="timestamp_program.rb $STATE/$h/liveness.json" \
      TS_APP_PATTERN="-jar $APP_JAR --deploy .* --name $h --port" \
      TS_ROUTER_RW_PORT="$ROUTER_RW_PORT" TS_ROUTER_RO_PORT="$ROUTER_RO_PORT" \
      TS_APP_HTTP_PORT="$APP_HTTP_PORT" TS_APP_GRID_PORT="$APP_GRID_PORT"
  done
  local lb_env=(TS_NGINX_PATTERN="nginx -c $LB_DIR/nginx.conf" TS_NGINX_SITE="$LB_DIR/conf.d/timestamp-site.conf"
    TS_NGINX_UPSTREAMS="$LB_UPSTREAMS" TS_GATE_STATE="$LB_GATE_STATE"
    TS_GATE_PATTERN="timestamp_program.rb $LB_DIR/timestamp-lb-gate.json"
    TS_LB_URL="http://$EDGE_ADDRESS:$LB_PORT" TS_LB_PORT="$LB_PORT" TS_APP_INSTANCES="$(hosts_of app | tr '\n' ' ')")
  _cb_verify_suite lb lb "${lb_env[@]}"
  _cb_verify_suite service lb "${lb_env[@]}"
  _cb_verify_suite backup "$BACKUP_HOST" TS_BACKUP_CONFIG_DIR="$BACKUP_DIR/etc" TS_BACKUP_STORE="$BACKUP_DIR/store" \
    TS_BACKUP_WORK="$BACKUP_DIR/work" TS_BACKUP_METRICS="$BACKUP_DIR/metrics" TS_BACKUP_UNIT_DIR="$BACKUP_DIR"
  _cb_verify_suite vault "$VAULT_HOST" TS_BACKUP_CONFIG_DIR="$VAULT_DIR/etc" TS_VAULT_DIR="$VAULT_DIR/data" \
    TS_VAULT_PORT="$BACKUP_VAULT_PORT"
  if [ "$check_failures" -eq 0 ]; then info "cookbooks: verify passed ($((SECONDS - t0)) s)"; return 0; fi
  info "cookbooks: verify: $check_failures suite run(s) failed ($((SECONDS - t0)) s)"; return 1
}
