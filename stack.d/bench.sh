# shellcheck shell=bash
# ./stack bench: the benchmark of the running local cluster, side by side with the database
# ceiling (sysbench, one row per transaction through Router) and the seed design as a peer
# (bench/seed-peer: Flask + gunicorn + MySQLdb, behind the same nginx and Router).
# The measuring (tools, /proc sampling, drain, rows, tables, CSV, plot) is bench/bench.py;
# this part installs the tools, checks the cluster, starts and stops the peer, changes the
# number of instances in rotation, and puts everything back as it was.

BENCH_SRC=$ROOT/bench
BENCH_PEER_PORT=8090        # the peer's gunicorn in each app namespace, and its nginx server
BENCH_PEER_CONF=$LB_DIR/conf.d/zz-bench-seed-peer.conf
BENCH_CEILING_TABLE=bench_ceiling
BENCH_PEER_TABLE=bench_peer
BENCH_APP_TABLE=timestamp_record
BENCH_PACKAGES=(sysbench:sysbench wrk:wrk gnuplot:gnuplot-nox gunicorn:gunicorn
  py:flask:python3-flask py:MySQLdb:python3-mysqldb)
BENCH_PY=/usr/bin/python3
BENCH_DB_USER=ts_app        # the service's runtime account (SELECT, INSERT on timestamps.*)

bench_usage() {
  cat <<'USAGE'
usage: ./stack bench [--smoke] [--duration SECONDS] [--concurrency "1 8 32 128"]
                     [--instances "2 1"] [--only ceiling,app,peer] [--drain-timeout SECONDS]
                     [--warmup-runs N] [--out DIR]

  Measures the running cluster: the database ceiling (sysbench, one INSERT per transaction
  through Router), the service (wrk, POST /app through nginx, unique Idempotency-Key per
  request) with each number of instances in rotation, and the seed design as a peer, at each
  concurrency. Every run is followed by a bounded wait until all members applied everything
  (sustained = durable rows / (run + drain)). Prints the tables and the ratios
  `app/db-ceiling` and `app/seed-peer`; writes CSV and a PNG plot to $STACK_STATE/bench/RUNID.

  --smoke          seconds, not minutes: 2 s per run, concurrency 1 and 8, 2 instances
  --duration S     seconds per run (default 20)
  --warmup-runs N  before each series, unrecorded 15 s runs at concurrency 32 until one is
                   within 10 % of the one before, at most N (default 10; 0: none)
USAGE
}


# The cluster must be whole before anything is measured: 3 members ONLINE with one primary,
# both Routers up, both app instances ready, nginx up, every process up under its
# supervisor (./stack status's columns: name kind zone address pid state role supervisor
# restarts). The bench never repairs it.
bench_check_cluster() {
  local status; status=$(components)
  awk '$2 == "mysql" && $6 != "ONLINE" {bad = 1} END {exit bad}' <<<"$status" \
    || die "not every MySQL member is ONLINE (./stack status); run ./stack up first"
  awk '$2 == "mysql" && $7 == "PRIMARY" {n++} END {exit n != 1}' <<<"$status" || die "not one PRIMARY (./stack status)"
  awk '($2 == "router" || $2 == "nginx") && $6 != "up" {bad = 1} $2 == "app" && $6 != "ready" {bad = 1} END {exit bad}' <<<"$status" \
    || die "a Router, app instance or nginx is not up/ready (./stack status); run ./stack up first"
  awk '$8 != "up" {bad = 1} END {exit bad}' <<<"$status" || die "a process is not up under its supervisor (./stack status)"
}

bench_tables() {
  local primary; primary=$(db_primary) || die "no primary"
  # Same shape as the service's table (LIKE copies columns, keys and indexes); emptied per
  # run. ts_app's grant (SELECT, INSERT ON timestamps.*) covers them.
  db_client "$primary" -NB -e "
    CREATE TABLE IF NOT EXISTS timestamps.$BENCH_CEILING_TABLE LIKE timestamps.timestamp_record;
    CREATE TABLE IF NOT EXISTS timestamps.$BENCH_PEER_TABLE LIKE timestamps.timestamp_record;
    TRUNCATE TABLE timestamps.$BENCH_CEILING_TABLE; TRUNCATE TABLE timestamps.$BENCH_PEER_TABLE;" \
    || die "could not create the bench tables on $primary"
}

# ---- the seed peer ------------------------------------------------------------------------
bench_peer_up() {
  local host
  for host in $(hosts_of app); do
    running_pid "$host" bench-peer >/dev/null && continue
    # to the Router on its own host over loopback, as the app instance's db.url (timestamp_app)
    start_daemon "$host" bench-peer env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      PEER_DB_HOST=127.0.0.1 PEER_DB_PORT="$ROUTER_RW_PORT" PEER_DB_USER=$BENCH_DB_USER PEER_DB_SECRETS="$STATE/$host/secrets.env" \
      PEER_TABLE=$BENCH_PEER_TABLE PEER_INSTANCE="seed-peer-${host#app-}" \
      "$BENCH_PY" /usr/bin/gunicorn --workers 4 --worker-class sync --bind "$(host_address "$host"):$BENCH_PEER_PORT" \
      --chdir "$BENCH_SRC/seed-peer" --log-level warning peer:app
  done
  for host in $(hosts_of app); do
    wait_for 30 curl -fs -m 2 -o /dev/null "http://$(host_address "$host"):$BENCH_PEER_PORT/health/ready" \
      || die "the seed peer on $host did not get ready (log: $(log_file "$host" bench-peer))"
  done
}

bench_peer_down() { local host; for host in $(hosts_of app); do stop_daemon "$host" bench-peer; done; }

# bench_peer_lb N: the peer behind the stack's nginx on EDGE_ADDRESS:BENCH_PEER_PORT, with the
# first N app hosts in its upstream; the same proxy settings as the service's site (keepalive,
# timeouts, retries) and the same JSON access log format, logged to the run's folder.
bench_peer_lb() {
  local n=$1 host i=0 servers=""
  for host in $(hosts_of app); do
    i=$((i + 1))
    servers+="  server $(host_address "$host"):$BENCH_PEER_PORT max_fails=1 fail_timeout=5s$([ "$i" -le "$n" ] || echo ' down'); # seed peer on $host"$'\n'
  done
  cat > "$BENCH_PEER_CONF.new" <<CONF
# Written by ./stack bench for one run and removed after it: the seed design, as a PEER
# (bench/seed-peer), behind the same nginx as the service. Not part of the service.
upstream bench_seed_peer {
$servers  keepalive 32;
}
server {
  listen $EDGE_ADDRESS:$BENCH_PEER_PORT;
  access_log $BENCH_OUT/peer-access.log timestamp_json;
  location / {
    proxy_pass http://bench_seed_peer;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    proxy_set_header X-Request-Id \$request_id;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_connect_timeout 1s;
    proxy_read_timeout 35s;
    proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;
    proxy_next_upstream_tries 3;
    proxy_next_upstream_timeout 45s;
  }
}
CONF
  mv "$BENCH_PEER_CONF.new" "$BENCH_PEER_CONF"
  nginx -q -t -c "$LB_DIR/nginx.conf" || { rm -f "$BENCH_PEER_CONF"; die "nginx rejected the peer's server block"; }
  lb_reload
  wait_for 10 curl -fs -m 2 -o /dev/null "http://$EDGE_ADDRESS:$BENCH_PEER_PORT/health/ready" \
    || die "the seed peer does not answer through nginx on $EDGE_ADDRESS:$BENCH_PEER_PORT"
}

# bench_instances N: exactly the first N app hosts in the service's rotation (lb.sh's drain).
bench_instances() {
  local n=$1 host i=0
  for host in $(hosts_of app); do
    i=$((i + 1))
    if [ "$i" -le "$n" ]; then lb_undrain "$host"; else lb_drain "$host"; fi
  done
}

# Put back what the bench changed: the peer and its server block go, drained hosts return.
BENCH_DRAINED_BEFORE=""
bench_restore() {
  trap - EXIT INT TERM
  if [ -f "$BENCH_PEER_CONF" ] || [ -f "$BENCH_PEER_CONF.new" ]; then
    rm -f "$BENCH_PEER_CONF" "$BENCH_PEER_CONF.new"; lb_reload
  fi
  bench_peer_down
  local host
  for host in $(hosts_of app); do
    grep -qx "$host" <<<"$BENCH_DRAINED_BEFORE" || lb_undrain "$host" >/dev/null
  done
  rm -f "$BENCH_OUT/.sysbench.cfg"
}
bench_on_exit() { local rc=$?; set +e; bench_restore; exit "$rc"; }

# bench_step KIND INSTANCES CONCURRENCY [--warmup]: one measured run (bench/bench.py step).
BENCH_STEP_NO=0
bench_step() {
  local kind=$1 inst=$2 conc=$3 warm=${4:-} secs=$BENCH_DURATION table label prefix tool=()
  BENCH_STEP_NO=$((BENCH_STEP_NO + 1))
  label=$(printf '%02d-%s-i%s-c%s%s' "$BENCH_STEP_NO" "$kind" "$inst" "$conc" "${warm:+-warmup}")
  prefix="bench-$BENCH_RUNID-$BENCH_STEP_NO"
  [ -z "$warm" ] || secs=$BENCH_WARMUP
  local threads=$(( conc < 2 ? conc : 2 ))
  case $kind in
    ceiling) table=$BENCH_CEILING_TABLE
      # from the first app host's namespace through its own Router, like the app instance there
      tool=(ip netns exec "$(netns_of "$BENCH_CEILING_HOST")" sysbench "$BENCH_SRC/ceiling.lua" --config-file="$BENCH_OUT/.sysbench.cfg"
            --threads="$conc" --time="$secs" --histogram=on --report-interval=0
            --table="$table" --key-prefix="$prefix" --instance=bench-ceiling run) ;;
    app)  table=$BENCH_APP_TABLE
      tool=(wrk -t"$threads" -c"$conc" -d"${secs}s" --timeout 10s -s "$BENCH_SRC/post.lua"
            "http://$EDGE_ADDRESS:$LB_PORT/app" -- "$prefix") ;;
    peer) table=$BENCH_PEER_TABLE
      tool=(wrk -t"$threads" -c"$conc" -d"${secs}s" --timeout 10s -s "$BENCH_SRC/post.lua"
            "http://$EDGE_ADDRESS:$BENCH_PEER_PORT/app" -- "$prefix") ;;
  esac
  "$BENCH_PY" "$BENCH_SRC/bench.py" step --state "$STATE" --out "$BENCH_OUT" --label "$label" --kind "$kind" \
    --instances "$inst" --concurrency "$conc" --duration "$secs" --table "$table" --key-prefix "$prefix" \
    --drain-timeout "$BENCH_DRAIN_TIMEOUT" --interval "$BENCH_INTERVAL" ${warm:+--warmup} -- "${tool[@]}" \
    || BENCH_FAILED=$((BENCH_FAILED + 1))
}

# bench_warmup KIND INSTANCES: unrecorded runs at concurrency 32 until one is within 10 % of
# the run before (at most BENCH_WARMUP_RUNS). A restarted Payara JVM keeps compiling its hot
# code for minutes; on 2 cores the C2 compiler's backlog alone halves the first minutes'
# throughput, and a measurement then would only time the JIT.
bench_warmup() {
  local kind=$1 inst=$2 i prev="" now=""
  for i in $(seq 1 "$BENCH_WARMUP_RUNS"); do
    bench_step "$kind" "$inst" 32 --warmup
    now=$(tail -n 1 "$BENCH_OUT/warmup.jsonl" 2>/dev/null | jq -r '.burst_rps // 0' 2>/dev/null) || now=0
    if [ -n "$prev" ] && awk -v a="$prev" -v b="$now" 'BEGIN {exit !(b > 0 && b >= a * 0.9 && b <= a * 1.1)}'; then
      info "steady after $i warm-up runs: $prev/s, then $now/s"
      return 0
    fi
    prev=$now
  done
  [ "$BENCH_WARMUP_RUNS" -lt 2 ] || warn "$kind not steady after $BENCH_WARMUP_RUNS warm-up runs (last $now/s): numbers may still be rising"
}

cmd_bench() {
  local smoke="" only="ceiling,app,peer" out=""
  BENCH_DURATION=20 BENCH_WARMUP=15 BENCH_WARMUP_RUNS=10 BENCH_DRAIN_TIMEOUT=180 BENCH_INTERVAL=1
  local concs="1 8 32 128" instances="2 1"
  while [ $# -gt 0 ]; do
    case $1 in
      --smoke) smoke=1; BENCH_DURATION=2 BENCH_WARMUP=1 BENCH_WARMUP_RUNS=1 BENCH_DRAIN_TIMEOUT=60 BENCH_INTERVAL=0.5
               concs="1 8" instances=2 ;;
      --duration) BENCH_DURATION=${2:?}; shift ;;
      --concurrency) concs=${2:?}; shift ;;
      --warmup-runs) BENCH_WARMUP_RUNS=${2:?}; shift ;;
      --instances) instances=${2:?}; shift ;;
      --only) only=${2:?}; shift ;;
      --drain-timeout) BENCH_DRAIN_TIMEOUT=${2:?}; shift ;;
      --out) out=${2:?}; shift ;;
      -h|--help) bench_usage; return 0 ;;
      *) bench_usage >&2; die "unknown option $1" ;;
    esac
    shift
  done
  local n napp; napp=$(hosts_of app | wc -l)
  # shellcheck disable=SC2015  # "A && B || die": die when any test fails, as meant
  for n in $instances; do [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$napp" ] \
    || die "--instances: each must be 1..$napp (the stack has $napp app hosts)"; done
  # shellcheck disable=SC2015  # as above
  for n in $concs; do [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || die "--concurrency: positive numbers"; done
  [[ "$BENCH_WARMUP_RUNS" =~ ^[0-9]+$ ]] || die "--warmup-runs: a number (0: no warm-up)"

  require_root
  [ -f "$SECRETS" ] || die "no cluster here yet: run ./stack up"
  apt_install_missing "${BENCH_PACKAGES[@]}"
  secrets_load
  bench_check_cluster

  BENCH_RUNID=$(date -u +%Y%m%dT%H%M%SZ)$([ -z "$smoke" ] || echo -smoke)
  BENCH_OUT=${out:-$STATE/bench/$BENCH_RUNID}
  BENCH_FAILED=0
  mkdir -p "$BENCH_OUT"
  ln -sfn "$BENCH_OUT" "$STATE/bench/latest" 2>/dev/null || true
  # sysbench connects as the app instance does: to the Router on its own host (loopback), RW port
  BENCH_CEILING_HOST=$(hosts_of app | sed -n 1p)
  (umask 077; printf 'db-driver=mysql\nmysql-host=127.0.0.1\nmysql-port=%s\nmysql-user=%s\nmysql-password=%s\nmysql-db=timestamps\n' \
     "$ROUTER_RW_PORT" "$BENCH_DB_USER" "$DB_PASSWORD" > "$BENCH_OUT/.sysbench.cfg")
  step "bench $BENCH_RUNID: ${BENCH_DURATION}s per run, concurrency $concs, instances $instances ($only) -> $BENCH_OUT"
  BENCH_DRAINED_BEFORE=$(cat "$LB_DRAINED" 2>/dev/null || true)
  rm -f "$BENCH_PEER_CONF" "$BENCH_PEER_CONF.new"   # a leftover of an interrupted run
  trap bench_on_exit EXIT
  trap 'exit 130' INT TERM
  bench_tables

  local c inst
  if [[ ",$only," == *,ceiling,* ]]; then
    step "database ceiling: sysbench, one INSERT per transaction via Router ($BENCH_CEILING_HOST's)"
    bench_warmup ceiling 1
    for c in $concs; do bench_step ceiling 1 "$c"; done
  fi
  if [[ ",$only," == *,peer,* ]]; then
    step "starting the seed peer (gunicorn sync x4) on $(hosts_of app | tr '\n' ' ')port $BENCH_PEER_PORT"
    bench_peer_up
  fi
  for inst in $instances; do
    if [[ ",$only," == *,app,* ]]; then
      step "the service: wrk POST /app via nginx, $inst instance(s) in rotation"
      bench_instances "$inst"
      bench_warmup app "$inst"
      for c in $concs; do bench_step app "$inst" "$c"; done
    fi
    if [[ ",$only," == *,peer,* ]]; then
      step "the seed peer: wrk POST /app via nginx :$BENCH_PEER_PORT, $inst instance(s)"
      bench_peer_lb "$inst"
      bench_warmup peer "$inst"
      for c in $concs; do bench_step peer "$inst" "$c"; done
    fi
  done

  step "putting the cluster back (peer stopped, every instance in rotation)"
  bench_restore
  "$BENCH_PY" "$BENCH_SRC/bench.py" report --out "$BENCH_OUT" --plot "$BENCH_SRC/plot.gp" \
    || die "no results"
  [ "$BENCH_FAILED" -eq 0 ] || die "$BENCH_FAILED run(s) produced no numbers (logs: $BENCH_OUT/logs)"
}
