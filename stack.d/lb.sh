# shellcheck shell=bash
# The edge: nginx in the host's own namespace, in front of the bridge, rendered from
# cookbook timestamp_lb and checked with `nginx -t` before it runs.

# The port nginx listens on: Chef's edge_http port (EDGE_HTTP_PORT), unless STACK_HTTP_PORT
# says otherwise (e.g. when another program holds port 80 on this machine).
LB_PORT=${STACK_HTTP_PORT:-$EDGE_HTTP_PORT}
LB_DIR=$STATE/lb

# Drained app hosts (out of rotation, e.g. during a rolling restart) are listed in this file.
LB_DRAINED=$LB_DIR/drained

lb_render() {
  # The upstreams come from environment `local`'s hosts; the template marks drained ones down.
  local drained="[]"
  [ -s "$LB_DRAINED" ] && drained=$(jq -R . "$LB_DRAINED" | jq -s -c .)
  local attrs
  attrs="{\"timestamp\": {\"host\": \"lb\"}, \"timestamp_lb\": {\"nginx\": \"$(command -v nginx)\",
    \"conf_dir\": \"$LB_DIR\", \"run_dir\": \"$LB_DIR/run\",
    \"log_dir\": \"$LB_DIR\", \"user\": \"root\", \"listen\": \"$EDGE_ADDRESS:$LB_PORT\", \"drained\": $drained}}"
  mkdir -p "$LB_DIR/conf.d" "$LB_DIR/run"
  render timestamp_lb nginx.conf.erb "$LB_DIR/nginx.conf" "$attrs"
  render timestamp_lb timestamp-site.conf.erb "$LB_DIR/conf.d/timestamp-site.conf" "$attrs"
  render timestamp_lb nginx.service.erb "$LB_DIR/nginx.service" "$attrs"
  nginx -q -t -c "$LB_DIR/nginx.conf" || die "nginx rejected the rendered configuration in $LB_DIR"
}

lb_config_sum() { { cat "$LB_DIR/nginx.conf" "$LB_DIR"/conf.d/*.conf 2>/dev/null || true; } | md5sum; }

lb_up() {
  local before; before=$(lb_config_sum)
  lb_render
  if [[ $(svc_state lb nginx) =~ ^(up|restarting)\  ]]; then
    [ "$before" = "$(lb_config_sum)" ] || { info "nginx configuration changed: reloading"; lb_reload; }
    return 0
  fi
  if ss -Hltn "sport = :$LB_PORT" | grep -q .; then
    die "port $LB_PORT is taken by another program (a system nginx? stop it, or set STACK_HTTP_PORT)"
  fi
  info "starting nginx on $EDGE_ADDRESS:$LB_PORT"
  svc_install lb nginx "$LB_DIR/nginx.service"
  svc_start lb nginx
  wait_for 10 curl -s -m 1 -o /dev/null "http://$EDGE_ADDRESS:$LB_PORT/" || die "nginx did not start (log: $(log_file lb nginx))"
}

lb_down() { svc_stop lb nginx; }

# Graceful: new workers take the new configuration, old ones finish their requests. Returns
# once the old workers have exited, so a drained instance is sent nothing from then on (the
# signal alone returns before the old workers stop, and they route by the old configuration).
lb_reload() {
  local master old
  master=$(running_pid lb nginx) || return 1
  old=$(pgrep -P "$master" | tr '\n' ' ')
  nginx -c "$LB_DIR/nginx.conf" -s reload 2>>"$(log_file lb nginx)" || return 1
  # an old worker exits once its requests are answered: within nginx's longest timeout (45 s)
  wait_for 45 eval "! kill -0 $old 2>/dev/null" \
    || warn "nginx: old workers still run 45 s after the reload"
}

# lb_drain HOST / lb_undrain HOST: take an app host out of rotation and back (nginx reloads
# gracefully: requests in flight finish on the old workers).
lb_drain() { mkdir -p "$LB_DIR"; grep -qx "$1" "$LB_DRAINED" 2>/dev/null || echo "$1" >> "$LB_DRAINED"; lb_up; }
lb_undrain() { [ -f "$LB_DRAINED" ] && sed -i "/^$1\$/d" "$LB_DRAINED"; lb_up; }

lb_state() {
  running_pid lb nginx >/dev/null || { echo stopped; return; }
  curl -s -m 2 -o /dev/null "http://$EDGE_ADDRESS:$LB_PORT/" && echo up || echo running
}
