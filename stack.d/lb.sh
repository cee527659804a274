# shellcheck shell=bash
# The edge: nginx in the host's own namespace, in front of the bridge, rendered from
# cookbook timestamp_lb and checked with `nginx -t` before it runs, and its readiness gate
# (TimestampLb::Gate), which keeps each app instance in nginx's rotation only while its
# /health/ready answers 200. Both run under the supervisor from the cookbook's units.

# The port nginx listens on: Chef's edge_http port (EDGE_HTTP_PORT), unless STACK_HTTP_PORT
# says otherwise (e.g. when another program holds port 80 on this machine).
LB_PORT=${STACK_HTTP_PORT:-$EDGE_HTTP_PORT}
LB_DIR=$STATE/lb
# Operator drains (out of rotation, e.g. during a rolling restart): the gate's drains file.
LB_DRAINED=$LB_DIR/drained
LB_UPSTREAMS=$LB_DIR/timestamp-upstreams.conf
LB_GATE_STATE=$LB_DIR/run/timestamp-lb-gate/state.json
# The maintenance fence (a restore): nginx answers JSON 503 with Retry-After while it exists.
LB_FENCE=$LB_DIR/maintenance
lb_fence() { touch "$LB_FENCE"; }
lb_unfence() { rm -f "$LB_FENCE"; }

lb_render() {
  # The upstreams come from environment `local`'s hosts.
  local attrs
  attrs="{\"timestamp\": {\"host\": \"lb\", \"programs\": {\"lib_root\": \"$PROGRAMS_LIB\"}},
   \"timestamp_lb\": {\"nginx\": \"$(command -v nginx)\", \"conf_dir\": \"$LB_DIR\", \"run_dir\": \"$LB_DIR/run\",
    \"log_dir\": \"$LB_DIR\", \"user\": \"root\", \"listen\": \"$EDGE_ADDRESS:$LB_PORT\", \"maintenance_file\": \"$LB_FENCE\",
    \"gate\": {\"drains_file\": \"$LB_DRAINED\", \"reload_command\": \"nginx -c $LB_DIR/nginx.conf -s reload\"}}}"
  mkdir -p "$LB_DIR/conf.d" "$LB_DIR/run"
  render timestamp_lb nginx.conf.erb "$LB_DIR/nginx.conf" "$attrs"
  render timestamp_lb timestamp-site.conf.erb "$LB_DIR/conf.d/timestamp-site.conf" "$attrs"
  # the gate's from its first write on, as the recipe leaves it (create_if_missing)
  [ -f "$LB_UPSTREAMS" ] || render timestamp_lb timestamp-upstreams.conf.erb "$LB_UPSTREAMS" "$attrs"
  render timestamp_lb nginx.service.erb "$LB_DIR/nginx.service" "$attrs"
  render timestamp_lb gate.json.erb "$LB_DIR/timestamp-lb-gate.json" "$attrs"
  render timestamp_lb timestamp-lb-gate.service.erb "$LB_DIR/timestamp-lb-gate.service" "$attrs"
  nginx -q -t -c "$LB_DIR/nginx.conf" || die "nginx rejected the rendered configuration in $LB_DIR"
}

lb_config_sum() { { cat "$LB_DIR/nginx.conf" "$LB_DIR"/conf.d/*.conf 2>/dev/null || true; } | md5sum; }

lb_up() {
  local before; before=$(lb_config_sum)
  lb_render
  svc_install lb gate "$LB_DIR/timestamp-lb-gate.service"
  if [[ $(svc_state lb nginx) =~ ^(up|restarting)\  ]]; then
    [ "$before" = "$(lb_config_sum)" ] || { info "nginx configuration changed: reloading"; lb_reload; }
  else
    if ss -Hltn "sport = :$LB_PORT" | grep -q .; then
      die "port $LB_PORT is taken by another program (a system nginx? stop it, or set STACK_HTTP_PORT)"
    fi
    info "starting nginx on $EDGE_ADDRESS:$LB_PORT"
    svc_install lb nginx "$LB_DIR/nginx.service"
    svc_start lb nginx
    wait_for 10 curl -s -m 1 -o /dev/null "http://$EDGE_ADDRESS:$LB_PORT/" || die "nginx did not start (log: $(log_file lb nginx))"
  fi
  svc_up lb gate || { info "starting the readiness gate"; svc_start lb gate; }
}

lb_down() { svc_stop lb gate; svc_stop lb nginx; }

# _lb_old_workers_exit PID...: wait until nginx workers of an earlier configuration have
# finished their requests and exited: within nginx's longest timeout (45 s).
_lb_old_workers_exit() {
  [ $# -eq 0 ] || wait_for 45 eval "! kill -0 $* 2>/dev/null" || warn "nginx: old workers still run 45 s after the reload"
}

# Graceful: new workers take the new configuration, old ones finish their requests. Returns
# once the old workers have exited, so a drained instance is sent nothing from then on (the
# signal alone returns before the old workers stop, and they route by the old configuration).
lb_reload() {
  local master old
  master=$(running_pid lb nginx) || return 1
  mapfile -t old < <(pgrep -P "$master")
  nginx -c "$LB_DIR/nginx.conf" -s reload 2>>"$(log_file lb nginx)" || return 1
  _lb_old_workers_exit "${old[@]}"
}

# lb_in_rotation HOST: the gate's last applied rotation holds HOST.
lb_in_rotation() { jq -e --arg h "$1" '.in_rotation | index($h)' "$LB_GATE_STATE" >/dev/null 2>&1; }

# lb_drain HOST: take an app host out of rotation through the gate; returns once nginx's
# workers that could still send it requests have finished theirs and exited.
lb_drain() {
  local host=$1 master old=()
  mkdir -p "$LB_DIR"
  grep -qx "$host" "$LB_DRAINED" 2>/dev/null || echo "$host" >> "$LB_DRAINED"
  lb_in_rotation "$host" || return 0
  master=$(running_pid lb nginx) && mapfile -t old < <(pgrep -P "$master")
  wait_for 30 eval "! lb_in_rotation $host" || die "the readiness gate did not drain $host (see $(log_file lb gate))"
  _lb_old_workers_exit "${old[@]}"
}

# lb_undrain HOST: the gate puts it back once it is ready; returns when it has (a rolling
# restart drains the next instance only then).
lb_undrain() {
  [ -f "$LB_DRAINED" ] && sed -i "/^$1\$/d" "$LB_DRAINED"
  wait_for 30 lb_in_rotation "$1" || die "the readiness gate did not put $1 back in rotation (see $(log_file lb gate))"
}

lb_state() {
  running_pid lb nginx >/dev/null || { echo stopped; return; }
  curl -s -m 2 -o /dev/null "http://$EDGE_ADDRESS:$LB_PORT/" && echo up || echo running
}

# gate_state: "all" when every app host is in rotation, else the ones that are ("-": none).
gate_state() {
  local rotation; rotation=$(jq -r '.in_rotation | join(",")' "$LB_GATE_STATE" 2>/dev/null) || { echo -; return; }
  [ "$rotation" = "$(hosts_of app | paste -sd,)" ] && echo all || echo "${rotation:--}"
}
