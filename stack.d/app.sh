# shellcheck shell=bash
# The app hosts: one Payara Micro instance each, started from the unit and environment
# files rendered by cookbook timestamp_app, all in one Payara Data Grid.

# APP_HTTP_PORT, APP_GRID_PORT: from Chef (common.sh reads them through config.rb)
# Maven builds into target/; the instances run copies under $STATE/dist, so a rebuild (say,
# by `mvn verify` during the tests) never rewrites a jar that a running JVM has open.
APP_BUILT_WAR=$ROOT/target/timestamp-service.war
APP_BUILT_JAR=$ROOT/target/payara-micro.jar
APP_WAR=$STATE/dist/timestamp-service.war
APP_JAR=$STATE/dist/payara-micro.jar

# app_build: package the WAR (and fetch Payara Micro) when a source is newer than the WAR,
# then install changed files into $STATE/dist (a new file, renamed into place).
app_build() {
  if [ ! -f "$APP_BUILT_WAR" ] || [ ! -f "$APP_BUILT_JAR" ] \
     || [ -n "$(find "$ROOT/pom.xml" "$ROOT/src/main" -newer "$APP_BUILT_WAR" -print -quit)" ]; then
    step "building the application (mvn package; the first build downloads its dependencies)"
    (cd "$ROOT" && mvn -B -q -DskipTests package) || die "the build failed"
  fi
  mkdir -p "$STATE/dist"
  local built installed
  for built in "$APP_BUILT_WAR" "$APP_BUILT_JAR"; do
    installed=$STATE/dist/$(basename "$built")
    cmp -s "$built" "$installed" || { cp "$built" "$installed.new" && mv "$installed.new" "$installed"; }
  done
}

app_up() {
  local host=$1 dir=$STATE/$1
  mkdir -p "$dir/payara"
  local attrs
  # The liveness watchdog's restart command: SIGKILL through the supervisor, which starts
  # the instance again (on a node: systemctl kill, and systemd).
  attrs=$(cat <<JSON
{"timestamp": {"host": "$host", "programs": {"lib_root": "$PROGRAMS_LIB"}},
 "timestamp_app": {"config_dir": "$dir", "root_dir": "$dir/payara", "java": "$(command -v java)", "user": "root",
  "payara_micro_jar": "$APP_JAR", "war": "$APP_WAR",
  "liveness": {"restart_command": ["s6-svc", "-k", "$(svc_dir "$host" app)"]}}}
JSON
)
  render timestamp_app timestamp-service.env.erb "$dir/timestamp-service.env" "$attrs"
  render timestamp_app timestamp-service.service.erb "$dir/timestamp-service.service" "$attrs"
  render timestamp_app liveness.json.erb "$dir/liveness.json" "$attrs"
  render timestamp_app timestamp-app-liveness.service.erb "$dir/timestamp-app-liveness.service" "$attrs"
  (umask 077; printf 'DB_PASSWORD=%s\nDB_MIGRATION_PASSWORD=%s\n' "$DB_PASSWORD" "$DB_MIGRATION_PASSWORD" > "$dir/secrets.env")
  svc_install "$host" liveness "$dir/timestamp-app-liveness.service"
  svc_up "$host" liveness || svc_start "$host" liveness
  running_pid "$host" app >/dev/null && return 0
  # Payara Micro answers HTTP (404) before the application is deployed: the readiness gate
  # keeps the instance out of nginx's rotation until /health/ready answers 200.
  info "starting Payara Micro on $host"
  svc_install "$host" app "$dir/timestamp-service.service"
  svc_start "$host" app
}

app_down() { svc_stop "$1" liveness; svc_stop "$1" app; }

# app_restart HOST: restart one instance without failing a request: drained (out of nginx's
# rotation, its requests finished), stopped, started, ready, undrained (the gate puts it back).
app_restart() {
  local host=$1
  lb_drain "$host"
  app_down "$host"
  app_up "$host"
  app_wait_ready 240 "$host"
  lb_undrain "$host"
}

# app_outdated HOST: the instance runs, and started before its current build or configuration
app_outdated() {
  local host=$1 pid started file
  pid=$(running_pid "$host" app) || return 1
  started=$(pid_started "$pid") || return 1
  for file in "$APP_WAR" "$APP_JAR" "$STATE/$host/timestamp-service.env" "$STATE/$host/timestamp-service.service"; do
    [ "$(stat -c %Y "$file")" -le "$started" ] || return 0
  done
  return 1
}

app_url() { echo "http://$(host_address "$1"):$APP_HTTP_PORT"; }

# app_states HOST...: "HOST STATE" per instance, STATE ready | live (up, database not ready)
# | starting | unreachable (its zone is cut off) | stopped. What ready and live mean is
# TimestampApp::Readiness's; the instances are asked in one go.
app_states() {
  local host urls=() health=()
  for host in "$@"; do urls+=("$(app_url "$host")"); done
  mapfile -t health < <(ops app health "${urls[@]}" || true)
  for host in "$@"; do
    if ! running_pid "$host" app >/dev/null; then echo "$host stopped"
    elif [ "${health[0]:-down}" != down ]; then echo "$host ${health[0]}"
    elif host_link_down "$host"; then echo "$host unreachable"
    else echo "$host starting"; fi
    health=("${health[@]:1}")
  done
}

# app_wait_ready SECONDS HOST...: wait until every instance is ready; fail at once if one
# stopped. The waiting is TimestampApp::Readiness's, as Chef's timestamp_app_ready.
app_wait_ready() {
  local secs=$1 host; shift
  for host in "$@"; do
    # ops prints why it failed
    ops app wait-ready "$host" "$(app_url "$host")" "$secs" "$(running_pid "$host" app || echo -)" \
      "$(log_file "$host" app)" || exit 1
  done
}
