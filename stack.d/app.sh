# The app hosts: one Payara Micro instance each, started from the unit and environment
# files rendered by cookbook timestamp_app, all in one Payara Data Grid.

APP_HTTP_PORT=8080
APP_GRID_PORT=6900
APP_WAR=$ROOT/target/timestamp-service.war
APP_JAR=$ROOT/target/payara-micro.jar

# app_build: package the WAR (and fetch Payara Micro) when a source is newer than the WAR.
app_build() {
  if [ -f "$APP_WAR" ] && [ -f "$APP_JAR" ] && [ -z "$(find "$ROOT/pom.xml" "$ROOT/src/main" -newer "$APP_WAR" -print -quit)" ]; then
    return 0
  fi
  step "building the application (mvn package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package) || die "the build failed"
}

app_grid_members() { # JSON list items: "address:port" of every app host
  local h members=()
  for h in $(hosts_of app); do members+=("\"$(host_address "$h"):$APP_GRID_PORT\""); done
  (IFS=,; echo "${members[*]}")
}

app_up() {
  local host=$1 dir=$STATE/$1
  mkdir -p "$dir"
  local attrs
  attrs=$(cat <<JSON
{"timestamp_app": {"instance": "$host", "config_dir": "$dir", "root_dir": "$dir/payara",
  "java": "$(command -v java)", "user": "root",
  "payara_micro_jar": "$APP_JAR", "war": "$APP_WAR", "http_port": $APP_HTTP_PORT,
  "data_grid": {"interface": "$(host_address "$host")", "port": $APP_GRID_PORT, "members": [$(app_grid_members)]}}}
JSON
)
  render timestamp_app timestamp-service.env.erb "$dir/timestamp-service.env" "$attrs"
  render timestamp_app timestamp-service.service.erb "$dir/timestamp-service.service" "$attrs"
  (umask 077; printf 'DB_PASSWORD=%s\nDB_MIGRATION_PASSWORD=%s\n' "$DB_PASSWORD" "$DB_MIGRATION_PASSWORD" > "$dir/secrets.env")
  running_pid "$host" app >/dev/null && return 0
  info "starting Payara Micro on $host"
  start_daemon "$host" app "$STACKD/run-unit.sh" "$dir/timestamp-service.service"
}

app_down() { stop_daemon "$1" app; }

app_url() { echo "http://$(host_address "$1"):$APP_HTTP_PORT"; }

# app_state HOST: ready | live (up, database not ready) | starting | stopped
app_state() {
  local host=$1
  running_pid "$host" app >/dev/null || { echo stopped; return; }
  if curl -fs -m 2 -o /dev/null "$(app_url "$host")/health/ready"; then echo ready
  elif curl -fs -m 2 -o /dev/null "$(app_url "$host")/health/live"; then echo live
  else echo starting; fi
}

# app_wait_ready SECONDS HOST...: wait until every instance is ready.
app_wait_ready() {
  local secs=$1 host; shift
  for host in "$@"; do
    wait_for "$host ready" "$secs" app_is_ready "$host" \
      || die "$host is not ready after ${secs}s (state: $(app_state "$host"); log: $(log_file "$host" app))"
  done
}
app_is_ready() { [ "$(app_state "$1")" = ready ]; }
