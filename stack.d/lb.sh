# The edge: nginx in the host's own namespace, in front of the bridge, rendered from
# cookbook timestamp_lb and checked with `nginx -t` before it runs.

LB_PORT=${STACK_HTTP_PORT:-80}
LB_DIR=$STATE/lb

lb_render() {
  local upstreams="" host sep=""
  for host in $(hosts_of app); do
    upstreams+="$sep{\"name\":\"$host\",\"zone\":\"$(host_field "$host" zone)\",\"address\":\"$(host_address "$host"):$APP_HTTP_PORT\"}"; sep=,
  done
  local attrs="{\"timestamp_lb\": {\"conf_dir\": \"$LB_DIR\", \"run_dir\": \"$LB_DIR/run\", \"log_dir\": \"$LB_DIR\",
    \"user\": \"root\", \"worker_processes\": 2, \"listen\": \"127.0.0.1:$LB_PORT\", \"upstreams\": [$upstreams]}}"
  mkdir -p "$LB_DIR/conf.d" "$LB_DIR/run"
  render timestamp_lb nginx.conf.erb "$LB_DIR/nginx.conf" "$attrs"
  render timestamp_lb timestamp-site.conf.erb "$LB_DIR/conf.d/timestamp-site.conf" "$attrs"
  nginx -q -t -c "$LB_DIR/nginx.conf" || die "nginx rejected the rendered configuration in $LB_DIR"
}

lb_config_sum() { { cat "$LB_DIR/nginx.conf" "$LB_DIR"/conf.d/*.conf 2>/dev/null || true; } | md5sum; }

lb_up() {
  local before; before=$(lb_config_sum)
  lb_render
  if running_pid lb nginx >/dev/null; then
    [ "$before" = "$(lb_config_sum)" ] || { info "nginx configuration changed: reloading"; nginx -c "$LB_DIR/nginx.conf" -s reload; }
    return 0
  fi
  if ss -Hltn "sport = :$LB_PORT" | grep -q .; then
    die "port $LB_PORT is taken by another program (a system nginx? stop it, or set STACK_HTTP_PORT)"
  fi
  info "starting nginx on 127.0.0.1:$LB_PORT"
  start_daemon lb nginx nginx -c "$LB_DIR/nginx.conf" -g 'daemon off;'
  wait_for nginx 10 curl -s -m 1 -o /dev/null "http://127.0.0.1:$LB_PORT/" || die "nginx did not start (log: $(log_file lb nginx))"
}

lb_down() { stop_daemon lb nginx QUIT; }

lb_state() {
  running_pid lb nginx >/dev/null || { echo stopped; return; }
  curl -s -m 2 -o /dev/null "http://127.0.0.1:$LB_PORT/" && echo up || echo running
}
