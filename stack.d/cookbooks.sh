# shellcheck shell=bash
# Checks of the Chef cookbooks under chef/, without Chef (none is installable here).
# Sourced after common.sh and mysql-prefix.sh.
#
#   cookbooks_check    every Ruby file parses, rubocop passes, the unit specs of the
#                      cookbooks' libraries pass, every template renders with
#                      the cookbook defaults and for every node of the three-zone example
#                      (chef/nodes + chef/environments + chef/roles), and every rendered file
#                      is accepted by the program that reads it. No cluster needed.
# (The verify specs against the running cluster: stack.d/verify.sh.)

CHEF_DIR=$ROOT/chef
VERIFY_DIR=$ROOT/test/integration

_cb_ruby_files() {
  find "$CHEF_DIR" "$VERIFY_DIR" "$STACKD" -name '*.rb' -type f   # stack.d/ops and stack.d/spec too
  ls "$ROOT"/Berksfile
}

# _cb_render COOKBOOK TEMPLATE OUT ATTRS_JSON [VARS_JSON]: render.rb, as the stack renders.
_cb_render() {
  local a v; a=$(mktemp) v=$(mktemp)
  printf '%s' "$4" > "$a"; printf '%s' "${5:-{\}}" > "$v"
  mkdir -p "$(dirname "$3")"
  ruby "$STACKD/render.rb" "$COOKBOOKS/$1" "$2" "$3" "$a" "$v"; local rc=$?
  rm -f "$a" "$v"; return $rc
}
_cb_merge() { jq -c -s '.[0] * .[1]' <(printf '%s' "$1") <(printf '%s' "$2"); }

# Attributes that move a node's installation paths onto this machine (the MySQL prefix,
# a scratch directory); what is under test (option names and values) stays as rendered.
_cb_host_paths() {
  local dir=$1
  cat <<EOF
{"timestamp": {"programs": {"ruby": "$(command -v ruby)", "lib_root": "$dir/lib"}},
 "timestamp_db": {"mysqld": "$MYSQL_PREFIX/usr/sbin/mysqld", "basedir": "$MYSQL_PREFIX/usr", "plugin_dir": "$MYSQL_PREFIX/usr/lib/mysql/plugin",
   "lc_messages_dir": "$MYSQL_PREFIX/usr/share/mysql", "character_sets_dir": "$MYSQL_PREFIX/usr/share/mysql/charsets",
   "user": "root", "secure_file_priv": "$dir/db/files"},
 "timestamp_router": {"mysqlrouter": "$MYSQL_PREFIX/usr/bin/mysqlrouter", "plugin_folder": "$MYSQL_PREFIX/usr/lib/mysqlrouter/plugin",
   "user": "root", "config_file": "$dir/router/mysqlrouter.conf", "data_folder": "$dir/router",
   "runtime_folder": "$dir/router/run", "logging_folder": "$dir/router", "dynamic_state": "$dir/router/state.json",
   "keyring_path": "$dir/router/keyring", "master_key_reader": "$dir/router/master-key-reader",
   "master_key_file": "$dir/router/master.key"},
 "timestamp_app": {"config_dir": "$dir/app", "java": "$(command -v java || echo /usr/bin/java)", "user": "root"},
 "timestamp_lb": {"nginx": "$(command -v nginx || echo /usr/sbin/nginx)", "conf_dir": "$dir/lb", "run_dir": "$dir/lb/run",
   "log_dir": "$dir/lb", "user": "root"},
 "timestamp_backup": {"mysqld": "$MYSQL_PREFIX/usr/sbin/mysqld", "basedir": "$MYSQL_PREFIX/usr",
   "plugin_dir": "$MYSQL_PREFIX/usr/lib/mysql/plugin", "lc_messages_dir": "$MYSQL_PREFIX/usr/share/mysql",
   "character_sets_dir": "$MYSQL_PREFIX/usr/share/mysql/charsets", "mysql_user": "root", "work_dir": "$dir/backup/work",
   "config_dir": "$dir/backup", "log_dir": "$dir/backup", "rsync": "$(command -v rsync || echo /usr/bin/rsync)",
   "vault": {"dir": "$dir/vault"}}}
EOF
}

# ---- one cookbook's templates: render (pure and on host paths) and validate --------------
_cb_check_db() { # LABEL ATTRS DIR
  local label=$1 attrs=$2 dir=$3 host
  host=$(_cb_merge "$attrs" "$(_cb_host_paths "$dir")"); mkdir -p "$dir/db/files"
  check_run "$label timestamp_db my.cnf renders" _cb_render timestamp_db my.cnf.erb "$dir/pure/my.cnf" "$attrs" || return 0
  _cb_render timestamp_db my.cnf.erb "$dir/db/my.cnf" "$host" || { check_fail "$label my.cnf on host paths"; return 0; }
  check_run "$label my.cnf: mysqld --validate-config" mysql_exec usr/sbin/mysqld --defaults-file="$dir/db/my.cnf" --validate-config
  check_run "$label timestamp_db client.cnf renders" _cb_render timestamp_db client.cnf.erb "$dir/db/client.cnf" "$attrs" \
    '{"user": "root", "password": "not-a-secret"}' || return 0
  check_run "$label client.cnf: my_print_defaults reads user, password, socket" _cb_client_cnf "$dir/db/client.cnf"
  _cb_check_units "$label" timestamp_db "$attrs" "$host" "$dir/db" mysqld.service timestamp-db-keeper.service
  check_run "$label timestamp-db-keeper.json renders (0600 on a node: passwords)" _cb_render timestamp_db \
    timestamp-db-keeper.json.erb "$dir/db/keeper.json" "$host" '{"replication_user": "u", "replication_password": "x",
      "probe_user": "p", "probe_password": "y"}' || return 0
  check_run "$label timestamp-db-keeper.json: the keeper's settings" _cb_program_config "$dir/db/keeper.json" TimestampDb::Keeper \
    members report_host port mysql_client root_defaults_file probe replication interval_s bootstrap_after_s join_timeout_s
}
# _cb_check_units LABEL COOKBOOK ATTRS HOST_ATTRS DIR UNIT...: each systemd unit renders, passes
# systemd-analyze verify on this machine's paths, and becomes an s6 service directory whose
# scripts parse (the local cluster's supervisor runs exactly that: stack.d/supervise.rb).
_cb_check_units() {
  local label=$1 cookbook=$2 attrs=$3 host=$4 dir=$5 unit; shift 5
  for unit in "$@"; do
    check_run "$label $cookbook $unit renders" _cb_render "$cookbook" "$unit.erb" "$dir/pure-$unit" "$attrs" || continue
    _cb_render "$cookbook" "$unit.erb" "$dir/$unit" "$host" || { check_fail "$label $unit on host paths"; continue; }
    check_run "$label $unit: systemd-analyze verify" _cb_unit_verify "$dir/$unit"
    check_run "$label $unit: s6 service directory (supervise.rb), sh -n run finish" _cb_supervised "$dir/$unit"
  done
}
_cb_supervised() {
  local svc; svc=$(mktemp -d)
  ruby "$STACKD/supervise.rb" "$1" "$svc/s" "$svc/pid" "$svc/log" && sh -n "$svc/s/run" && sh -n "$svc/s/finish" \
    && grep -qx '[0-9]*' "$svc/s/timeout-kill"; local rc=$?
  rm -rf "$svc"; return $rc
}
# _cb_program_config FILE CLASS KEY...: a long-lived program's settings for timestamp_program.rb.
_cb_program_config() {
  local file=$1 class=$2; shift 2
  jq -e --arg class "$class" '.program == $class and (.lib_dirs | length) >= 2
    and ([$ARGS.positional[] as $k | .settings | has($k)] | all)' "$file" --args "$@" >/dev/null \
    || { echo "$file: not a $class configuration with settings $*"; cat "$file"; return 1; }
}
_cb_client_cnf() {
  local got; got=$(mysql_exec usr/bin/my_print_defaults --defaults-file="$1" client | sed 's/=.*//' | sort | tr '\n' ' ')
  [ "$got" = "--password --socket --user " ] || { echo "my_print_defaults gave: $got"; return 1; }
}

_cb_check_router() {
  local label=$1 attrs=$2 dir=$3 host t
  host=$(_cb_merge "$attrs" "$(_cb_host_paths "$dir")")
  for t in mysqlrouter.conf state.json master-key-reader timestamp-router.service; do
    check_run "$label timestamp_router $t renders" _cb_render timestamp_router "$t.erb" "$dir/pure/$t" "$attrs" || return 0
    _cb_render timestamp_router "$t.erb" "$dir/router/$t" "$host" || { check_fail "$label $t on host paths"; return 0; }
  done
  check_run "$label state.json: valid JSON" jq -e '."metadata-cache"."cluster-metadata-servers" | length > 0' "$dir/router/state.json"
  check_run "$label master-key-reader: sh -n" sh -n "$dir/router/master-key-reader"
  check_run "$label mysqlrouter.conf: mysqlrouter starts on it (isolated network)" _cb_router_starts "$dir/router"
  check_run "$label timestamp-router.service: systemd-analyze verify" _cb_unit_verify "$dir/router/timestamp-router.service"
}
# Router has no --validate-config: start it on the rendered files in a network namespace of
# its own (no peer reachable), with a throwaway keyring; a bad option ends it at once.
_cb_router_starts() {
  local d=$1 pid i
  mkdir -p "$d/run"; chmod 0755 "$d/master-key-reader"
  printf 'not-a-secret-master-key\n' > "$d/master.key"
  mysql_exec usr/bin/mysqlrouter_keyring init "$d/keyring" --master-key-reader "$d/master-key-reader" >/dev/null || return 1
  printf 'x\n' | mysql_exec usr/bin/mysqlrouter_keyring set "$d/keyring" router_meta password \
    --master-key-reader "$d/master-key-reader" >/dev/null 2>&1 || return 1
  local router; read -ra router <<<"$(mysql_command usr/bin/mysqlrouter)"
  unshare -n "${router[@]}" --config "$d/mysqlrouter.conf" >"$d/stdout.log" 2>&1 &
  pid=$!
  # Up once its metadata cache starts (it then retries the unreachable servers forever).
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid"; cat "$d/stdout.log" "$d"/mysqlrouter.log 2>/dev/null | tail -5; return 1; }
    grep -qs 'metadata_cache.*Starting' "$d/mysqlrouter.log" && break
    sleep 0.25
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  if grep -s 'ERROR\|SYSTEM.*Unable' "$d/mysqlrouter.log" | grep -v 'Failed connecting\|Failed fetching metadata\|Unable to fetch\|metadata_cache' ; then return 1; fi
  [ "$i" -lt 40 ] || { echo "mysqlrouter did not start its metadata cache in 10 s"; tail -5 "$d/mysqlrouter.log"; return 1; }
}
# node['timestamp']['mysql']['version'] (what nodes install) against the prefix's mysqld.
_cb_mysql_version() {
  local got; got=$(mysql_exec usr/sbin/mysqld --version) || return 1
  [[ $got == *" Ver $MYSQL_TESTED_VERSION."* ]] \
    || { echo "the local cluster runs: $got; set node['timestamp']['mysql']['version'] to what it tests"; return 1; }
}
# systemd-analyze verify exits 0 on unknown keys and bad values: any message is a failure.
_cb_unit_verify() {
  local out; out=$(cd "$(dirname "$1")" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "./$(basename "$1")" 2>&1)
  [ -z "$out" ] || { echo "$out"; return 1; }
}

_cb_check_app() {
  local label=$1 attrs=$2 dir=$3 host t
  host=$(_cb_merge "$attrs" "$(_cb_host_paths "$dir")")
  for t in timestamp-service.env timestamp-service.service; do
    check_run "$label timestamp_app $t renders" _cb_render timestamp_app "$t.erb" "$dir/pure/$t" "$attrs" || return 0
    _cb_render timestamp_app "$t.erb" "$dir/app/$t" "$host" || { check_fail "$label $t on host paths"; return 0; }
  done
  printf 'DB_PASSWORD=x\nDB_MIGRATION_PASSWORD=x\n' > "$dir/app/secrets.env"
  check_run "$label timestamp-service.env: shell syntax, every variable set" _cb_app_env "$dir/app/timestamp-service.env"
  check_run "$label timestamp-service.service: ExecStart expands to java -jar payara-micro.jar" \
    _cb_app_command "$dir/app/timestamp-service.service"
  _cb_check_units "$label" timestamp_app "$attrs" "$host" "$dir/app" timestamp-service.service timestamp-app-liveness.service
  check_run "$label liveness.json renders" _cb_render timestamp_app liveness.json.erb "$dir/app/liveness.json" "$host" || return 0
  check_run "$label liveness.json: the watchdog's settings" _cb_program_config "$dir/app/liveness.json" TimestampApp::Liveness \
    url interval_s timeout_s failures start_grace_s restart_command
}
_cb_app_env() {
  bash -n "$1" || return 1
  # shellcheck disable=SC1090 # the rendered file under test
  (set -a; . "$1"; for v in APP_INSTANCE DB_URL DB_USER DB_MIGRATION_USER PAYARA_MICRO_JAR JAVA_OPTS PAYARA_ARGS; do
     [ -n "${!v:-}" ] || { echo "$v is empty"; exit 1; }; done
   for o in --deploy --contextroot --rootdir --name --port --clustermode --interfaces --startport --shutdowngrace; do
     [[ " $PAYARA_ARGS " == *" $o "* ]] || { echo "PAYARA_ARGS lacks $o"; exit 1; }; done)
}
# What run-unit.sh (the local cluster) and systemd would execute, without executing it.
_cb_app_command() {
  local cmd; cmd=$(sed -n 's/^ExecStart=//p' "$1")
  # shellcheck disable=SC1090 # the unit's environment files
  (while IFS= read -r f; do set -a; . "$f"; set +a; done < <(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$1")
   eval "set -- $cmd"; [ -x "$1" ] && [[ " $* " == *" -jar $PAYARA_MICRO_JAR --deploy "* ]] \
     || { echo "ExecStart expands to: $*"; exit 1; })
}

_cb_check_lb() {
  local label=$1 attrs=$2 dir=$3 host
  host=$(_cb_merge "$attrs" "$(_cb_host_paths "$dir")")
  check_run "$label timestamp_lb nginx.conf renders" _cb_render timestamp_lb nginx.conf.erb "$dir/pure/nginx.conf" "$attrs" || return 0
  check_run "$label timestamp_lb timestamp-site.conf renders" \
    _cb_render timestamp_lb timestamp-site.conf.erb "$dir/pure/timestamp-site.conf" "$attrs" || return 0
  check_run "$label timestamp_lb timestamp-upstreams.conf renders" \
    _cb_render timestamp_lb timestamp-upstreams.conf.erb "$dir/pure/timestamp-upstreams.conf" "$attrs" || return 0
  mkdir -p "$dir/lb/conf.d" "$dir/lb/run"
  _cb_render timestamp_lb nginx.conf.erb "$dir/lb/nginx.conf" "$host" \
    && _cb_render timestamp_lb timestamp-site.conf.erb "$dir/lb/conf.d/timestamp-site.conf" "$host" \
    && _cb_render timestamp_lb timestamp-upstreams.conf.erb "$dir/lb/timestamp-upstreams.conf" "$host" \
    || { check_fail "$label nginx files on host paths"; return 0; }
  check_run "$label nginx.conf + site + upstreams: nginx -t" nginx -q -t -c "$dir/lb/nginx.conf"
  _cb_check_units "$label" timestamp_lb "$attrs" "$host" "$dir/lb" nginx.service timestamp-lb-gate.service
  check_run "$label gate.json renders" _cb_render timestamp_lb gate.json.erb "$dir/lb/gate.json" "$host" || return 0
  check_run "$label gate.json: the gate's settings" _cb_program_config "$dir/lb/gate.json" TimestampLb::Gate \
    upstreams ready_path interval_s timeout_s rise fall drains_file upstream_file state_file test_command reload_command
}

# An age recipient, as an environment sets one (the operators' public key): a throwaway one.
_cb_backup_key() {
  local key; key=$(age-keygen 2>/dev/null | sed -n 's/^# public key: //p')
  printf '{"timestamp_backup": {"age_recipient": "%s"}}' "$key"
}

# The backup host: the recipient mysqld's options (mysqld --validate-config), the archiver's
# and the backup's units and settings, the timer (systemd-analyze verify).
_cb_check_backup() {
  local label=$1 attrs=$2 dir=$3 host name
  host=$(_cb_merge "$attrs" "$(_cb_host_paths "$dir")"); mkdir -p "$dir/backup/work"
  check_run "$label timestamp_backup recipient.cnf renders" \
    _cb_render timestamp_backup recipient.cnf.erb "$dir/pure/recipient.cnf" "$attrs" || return 0
  _cb_render timestamp_backup recipient.cnf.erb "$dir/backup/recipient.cnf" "$host" || { check_fail "$label recipient.cnf on host paths"; return 0; }
  check_run "$label recipient.cnf: mysqld --validate-config" \
    mysql_exec usr/sbin/mysqld --defaults-file="$dir/backup/recipient.cnf" --validate-config
  _cb_check_units "$label" timestamp_backup "$attrs" "$host" "$dir/backup" timestamp-archiver.service timestamp-backup.service
  check_run "$label timestamp-backup.timer renders, systemd-analyze verify" _cb_backup_timer "$host" "$dir/backup"
  for name in backup:CloneBackup archiver:Archiver; do
    check_run "$label ${name%%:*}.json renders (0600 on a node: passwords)" _cb_render timestamp_backup \
      timestamp-backup.json.erb "$dir/backup/${name%%:*}.json" "$host" "{\"name\": \"${name%%:*}\",
        \"program\": \"TimestampBackup::${name#*:}\", \"backup_user\": \"u\", \"backup_password\": \"x\", \"vault_password\": \"y\"}" \
      || continue
    check_run "$label ${name%%:*}.json: the program's settings" _cb_program_config "$dir/backup/${name%%:*}.json" \
      "TimestampBackup::${name#*:}" members port account mysql_client mysqld mysqlbinlog recipient_cnf store_dir archive_dir \
      work_dir recipient keep interval_s server_id state_file metrics_file vault
  done
}
# The timer starts the service of its name: both are verified together.
_cb_backup_timer() {
  _cb_render timestamp_backup timestamp-backup.timer.erb "$2/timestamp-backup.timer" "$1" && _cb_unit_verify "$2/timestamp-backup.timer"
}

# The vault: rsyncd.conf read by a real rsync daemon (in a network namespace of its own, on
# loopback), which must offer the module; the secrets file; the unit.
_cb_check_vault() {
  local label=$1 attrs=$2 dir=$3 host
  host=$(_cb_merge "$attrs" "$(_cb_host_paths "$dir")"); mkdir -p "$dir/vault"
  check_run "$label timestamp_backup rsyncd.conf renders" \
    _cb_render timestamp_backup rsyncd.conf.erb "$dir/pure/rsyncd.conf" "$attrs" || return 0
  _cb_render timestamp_backup rsyncd.conf.erb "$dir/backup/rsyncd.conf" "$host" || { check_fail "$label rsyncd.conf on host paths"; return 0; }
  (umask 077; _cb_render timestamp_backup rsyncd.secrets.erb "$dir/backup/rsyncd.secrets" "$host" '{"password": "x"}') \
    || { check_fail "$label rsyncd.secrets renders"; return 0; }
  check_run "$label rsyncd.conf: an rsync daemon serves its module" _cb_rsyncd_serves "$dir/backup/rsyncd.conf" \
    "$(jq -r '.timestamp_backup.vault.module // "timestamp-backup"' <<<"$host")"
  _cb_check_units "$label" timestamp_backup "$attrs" "$host" "$dir/backup" timestamp-vault.service
}
_cb_rsyncd_serves() {
  local out
  out=$(unshare -n sh -c 'ip link set lo up
    rsync --daemon --no-detach --config="$1" --address=127.0.0.1 --port=8873 & pid=$!
    for i in 1 2 3 4 5 6 7 8 9 10; do rsync --list-only rsync://127.0.0.1:8873/ 2>/dev/null && break; sleep 0.2; done
    kill $pid' _ "$1" 2>&1)
  grep -q "^$2[[:space:]]" <<<"$out" || { echo "rsync --daemon on $1 offered: $out"; return 1; }
}

cookbooks_check() {
  local t0=$SECONDS tmp f n recipes recipe attrs rubyfiles=() check_failures=0
  step "cookbooks: syntax, lint, templates rendered and checked by the real programs"
  command -v rubocop >/dev/null || { check_fail "rubocop is not installed (apt-get install rubocop)"; return 1; }
  mysql_prefix_ready || { check_fail "no MySQL prefix in $MYSQL_PREFIX (run ./stack up once)"; return 1; }
  tmp=$(mktemp -d)
  mapfile -t rubyfiles < <(_cb_ruby_files)
  local bad=()
  for f in "${rubyfiles[@]}"; do ruby -c "$f" >/dev/null 2>&1 || bad+=("$f"); done
  if [ ${#bad[@]} -eq 0 ]; then check_ok "ruby -c: ${#rubyfiles[@]} files parse"; else check_fail "ruby -c: ${bad[*]}"; fi
  check_run "JSON: roles, environments, nodes, data bags parse" \
    bash -c 'for f in "$1"/{roles,environments,nodes,data_bags/*}/*.json; do jq -e . "$f" >/dev/null || { echo "$f"; exit 1; }; done' _ "$CHEF_DIR"
  check_run "YAML: kitchen.yml, kitchen.dokken.yml, .rubocop.yml parse" \
    ruby -ryaml -e 'ARGV.each { |f| YAML.safe_load(File.read(f), aliases: true) }' \
    "$ROOT/kitchen.yml" "$ROOT/kitchen.dokken.yml" "$ROOT/.rubocop.yml"
  check_run "rubocop (.rubocop.yml): ${#rubyfiles[@]} files" \
    rubocop --config "$ROOT/.rubocop.yml" --format emacs --no-color "${rubyfiles[@]}"

  check_run "MySQL: the cookbooks' version ($MYSQL_TESTED_VERSION) is the one the local cluster runs" _cb_mysql_version
  # Every template of every cookbook with the cookbook defaults and the one-host lists.
  local one_host='{"run_list": ["role[timestamp_all_in_one]"]}'
  _cb_check_db "one host:" "$one_host" "$tmp/one-host"
  _cb_check_router "one host:" "$one_host" "$tmp/one-host"
  _cb_check_app "one host:" "$one_host" "$tmp/one-host"
  _cb_check_lb "one host:" "$one_host" "$tmp/one-host"
  # (the all-in-one host has no backup host: its defaults alone)
  _cb_check_backup "defaults:" "$(_cb_merge '{"run_list": ["recipe[timestamp_backup]"]}' "$(_cb_backup_key)")" "$tmp/defaults"
  _cb_check_vault "defaults:" '{"run_list": ["recipe[timestamp_backup::vault]"]}' "$tmp/defaults"
  # Every node of the three-zone example, with the templates of its run-list's cookbooks.
  for f in "$CHEF_DIR"/nodes/*.json; do
    n=$(basename "$f" .json)
    { read -r recipes; read -r attrs; } < <(ruby "$STACKD/chef-node.rb" "$CHEF_DIR" "$n") \
      || { check_fail "three-zone $n: run-list and attributes"; continue; }
    for recipe in $recipes; do
      case $recipe in
        timestamp_db) _cb_check_db "three-zone $n:" "$attrs" "$tmp/$n" ;;
        timestamp_router) _cb_check_router "three-zone $n:" "$attrs" "$tmp/$n" ;;
        timestamp_app) _cb_check_app "three-zone $n:" "$attrs" "$tmp/$n" ;;
        timestamp_lb) _cb_check_lb "three-zone $n:" "$attrs" "$tmp/$n" ;;
        timestamp_backup) _cb_check_backup "three-zone $n:" "$(_cb_merge "$attrs" "$(_cb_backup_key)")" "$tmp/$n" ;;
        timestamp_backup::vault) _cb_check_vault "three-zone $n:" "$attrs" "$tmp/$n" ;;
        *) check_fail "three-zone $n: unknown recipe $recipe" ;;
      esac
    done
  done
  rm -rf "$tmp"
  if [ "$check_failures" -eq 0 ]; then info "cookbooks: all checks passed ($((SECONDS - t0)) s)"; return 0; fi
  info "cookbooks: $check_failures check(s) failed ($((SECONDS - t0)) s)"; return 1
}
