#!/usr/bin/python3
"""The measuring half of `./stack bench` (stack.d/bench.sh does the orchestration).

  bench.py step   --state DIR --out DIR --label L --kind ceiling|app|peer --instances N
                  --concurrency C --table T --key-prefix P [--warmup] [--drain-timeout S]
                  [--interval S] -- TOOL ARGS...
      Runs one load tool (sysbench or wrk) while sampling the CPU time and RSS of every
      component from /proc, then waits (bounded) until every secondary has applied all that
      the primary committed, counts the step's rows on every member, and appends one JSON
      line to OUT/steps.jsonl (OUT/warmup.jsonl with --warmup).

  bench.py report --out DIR [--plot bench/plot.gp]
      Prints the tables, writes results.csv, resources.csv and bench.png, and ends with the
      two ratio lines `app/db-ceiling = X` and `app/seed-peer = Y`.

The members and app hosts come from `./stack config` (Chef), through stack.d/stack_config.py,
read once per run on first use. Only /usr/bin/python3, Debian's python3-mysqldb and that module.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import MySQLdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "stack.d"))
import stack_config  # noqa: E402  (the cluster's settings, from ./stack config)

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
NCPU = os.cpu_count() or 1


# ---- components and /proc sampling ------------------------------------------------------
def read_pid(path):
    try:
        with open(path, encoding="ascii") as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def peer_of(app_host):
    """The seed peer on an app host, named like its Router (peer-a on app-a)."""
    return "peer-" + app_host.removeprefix("app-")


def components(state):
    """name -> root pid of every running component of the stack (and the bench's peer), in the
    order the report shows them: members, Routers, app instances, nginx, peers. The pid files
    are where ./stack keeps them ($STATE/HOST/PROCESS.pid; nginx's under lb/, LB_DIR)."""
    found = {}
    apps = stack_config.app_hosts()
    for m in stack_config.members():
        found[m] = read_pid(f"{state}/{m}/mysqld.pid")
    for h in apps:
        found[stack_config.router_of(h)] = read_pid(f"{state}/{h}/router.pid")
    for h in apps:
        found[h] = read_pid(f"{state}/{h}/app.pid")
    found["nginx"] = read_pid(f"{state}/lb/nginx.pid")
    for h in apps:
        found[peer_of(h)] = read_pid(f"{state}/{h}/bench-peer.pid")
    return {k: v for k, v in found.items() if v}


def parse_proc_stat(text):
    """(ppid, cpu ticks, rss bytes) of one /proc/PID/stat; IndexError or ValueError if malformed."""
    rest = text.rsplit(")", 1)[1].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss 24 (pages)
    return int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[21]) * PAGE


def proc_table():
    """pid -> (ppid, cpu ticks, rss bytes) of every process."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        table[int(d)] = parse_proc_stat(text)
    return table


def parse_cpu_line(line):
    """(busy, total) ticks of /proc/stat's first line; IndexError or ValueError if malformed."""
    v = [int(x) for x in line.split()[1:]]
    idle = v[3] + v[4]            # idle + iowait
    return sum(v[:8]) - idle, sum(v[:8])


def host_busy_ticks():
    with open("/proc/stat", encoding="ascii") as f:
        return parse_cpu_line(f.readline())


class Sampler(threading.Thread):
    """Samples CPU ticks and RSS of each component's process tree every `interval` s."""

    def __init__(self, roots, interval):
        super().__init__(daemon=True)
        self.roots, self.interval = dict(roots), interval
        self.first, self.last = {}, {}     # pid -> ticks (per component)
        self.rss_max = {k: 0 for k in roots}
        self.rss_sum = {k: 0 for k in roots}
        self.samples = 0
        self.stop = threading.Event()

    def add(self, name, pid):
        self.rss_max.setdefault(name, 0)
        self.rss_sum.setdefault(name, 0)
        self.roots[name] = pid

    def sample(self):
        table = proc_table()
        children = {}
        for pid, (ppid, _, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        for name, root in list(self.roots.items()):
            tree, todo = [], [root]
            while todo:
                p = todo.pop()
                if p in table:
                    tree.append(p)
                    todo.extend(children.get(p, ()))
            rss = 0
            for p in tree:
                _, ticks, r = table[p]
                self.first.setdefault((name, p), ticks)
                self.last[(name, p)] = ticks
                rss += r
            self.rss_max[name] = max(self.rss_max[name], rss)
            self.rss_sum[name] += rss
        self.samples += 1

    def run(self):
        self.t0 = time.monotonic()
        self.host0 = host_busy_ticks()
        self.sample()
        while not self.stop.wait(self.interval):
            self.sample()
        self.sample()
        self.t1 = time.monotonic()
        self.host1 = host_busy_ticks()

    def result(self):
        wall = max(self.t1 - self.t0, 1e-6)
        cpu = {k: 0.0 for k in self.roots}
        for (name, pid), ticks in self.last.items():
            cpu[name] += (ticks - self.first[(name, pid)]) / CLK_TCK / wall * 100
        busy = self.host1[0] - self.host0[0]
        total = max(self.host1[1] - self.host0[1], 1)
        return {
            "cpu_pct": {k: round(v, 1) for k, v in cpu.items()},      # % of one core
            "rss_mib_max": {k: round(v / 2**20, 1) for k, v in self.rss_max.items()},
            "rss_mib_mean": {k: round(v / max(self.samples, 1) / 2**20, 1) for k, v in self.rss_sum.items()},
            "host_cpu_pct": round(busy / total * 100 * NCPU, 1),     # of NCPU*100
        }


# ---- the database: primary, drain, row counts ---------------------------------------------
def connect(state, member):
    return MySQLdb.connect(read_default_file=f"{state}/{member}/root.cnf", connect_timeout=3,
                           autocommit=True)


def query(state, member, sql, args=None):
    conn = connect(state, member)
    try:
        cur = conn.cursor()
        cur.execute(sql, args)
        return cur.fetchall()
    finally:
        conn.close()


def roles(state):
    """member -> role as the member itself reports it (PRIMARY, SECONDARY, or None)."""
    out = {}
    for m in stack_config.members():
        try:
            rows = query(state, m, "SELECT MEMBER_STATE, MEMBER_ROLE FROM performance_schema.replication_group_members"
                                   " WHERE MEMBER_ID = @@server_uuid")
            out[m] = rows[0][1] if rows and rows[0][0] == "ONLINE" else None
        except MySQLdb.Error:
            out[m] = None
    return out


def applier_queue(state, member):
    rows = query(state, member, "SELECT COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE FROM"
                                " performance_schema.replication_group_member_stats WHERE MEMBER_ID = @@server_uuid")
    return int(rows[0][0]) if rows else 0


def drain(state, timeout):
    """Waits until every secondary executed all the primary committed, including commits that
    land after the load ended (requests still in the app when the client stopped): repeats
    until the primary's gtid_executed stays the same. Returns (seconds, drained, backlog)."""
    t0 = time.monotonic()
    r = roles(state)
    primary = next((m for m, role in r.items() if role == "PRIMARY"), None)
    secondaries = [m for m, role in r.items() if role == "SECONDARY"]
    if primary is None:
        return None, False, None
    backlog = 0
    for m in secondaries:
        try:
            backlog = max(backlog, applier_queue(state, m))
        except MySQLdb.Error:
            pass
    pconn = connect(state, primary)
    conns = {m: connect(state, m) for m in secondaries}
    try:
        seen, done_at = None, None
        while True:
            cur = pconn.cursor()
            cur.execute("SELECT @@GLOBAL.gtid_executed")
            gtid = cur.fetchone()[0]
            if gtid == seen:
                break
            seen = gtid
            for m, c in conns.items():
                left = timeout - (time.monotonic() - t0)
                if left <= 0:
                    return time.monotonic() - t0, False, backlog
                cur = c.cursor()
                cur.execute("SELECT WAIT_FOR_EXECUTED_GTID_SET(%s, %s)", (gtid, max(1, int(left))))
                if cur.fetchone()[0] != 0:
                    return time.monotonic() - t0, False, backlog
            done_at = time.monotonic() - t0
            time.sleep(0.3)    # anything committed meanwhile? (then wait for that too)
        return done_at if done_at is not None else time.monotonic() - t0, True, backlog
    finally:
        pconn.close()
        for c in conns.values():
            c.close()


def count_rows(state, table, prefix):
    """Rows of one step on every member; the durable count is the smallest."""
    counts = {}
    for m in stack_config.members():
        try:
            counts[m] = int(query(state, m, f"SELECT COUNT(*) FROM timestamps.{table} WHERE request_key LIKE %s",
                                  (prefix + "-%",))[0][0])
        except MySQLdb.Error:
            counts[m] = None
    return counts


# ---- tool output --------------------------------------------------------------------------
def parse_wrk(out):
    m = re.search(r"^BENCH-RESULT (\{.*\})$", out, re.M)
    if not m:
        raise ValueError("no BENCH-RESULT line in wrk's output")
    r = json.loads(m.group(1))
    socket = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    return {
        "duration_s": r["duration_us"] / 1e6,
        "ok": r["requests"] - r["status_errors"],
        "errors": r["status_errors"] + socket,
        "errors_non2xx": r["status_errors"], "errors_socket": socket,
        "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
        "max_ms": r["max_us"] / 1000,
    }


def parse_sysbench(out):
    def num(pattern):
        m = re.search(pattern, out, re.M)
        if not m:
            raise ValueError(f"sysbench output lacks {pattern!r}")
        return float(m.group(1))
    hist = [(float(v), int(c)) for v, c in re.findall(r"^\s+([0-9.]+) \|\**\s+(\d+)\s*$", out, re.M)]
    total = sum(c for _, c in hist)

    def pct(q):
        if not total:
            return None
        need, acc = q / 100 * total, 0
        for v, c in hist:
            acc += c
            if acc >= need:
                return v
        return hist[-1][0]
    errors = num(r"^\s+ignored errors:\s+(\d+)") + num(r"^\s+reconnects:\s+(\d+)")
    return {
        "duration_s": num(r"^\s+total time:\s+([0-9.]+)s"),
        "ok": int(num(r"^\s+transactions:\s+(\d+)")),
        "errors": int(errors), "errors_non2xx": 0, "errors_socket": int(errors),
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
        "max_ms": num(r"^\s+max:\s+([0-9.]+)"),
    }


# ---- step ---------------------------------------------------------------------------------
def cmd_step(a):
    os.makedirs(a.out, exist_ok=True)
    sampler = Sampler(components(a.state), a.interval)
    log = os.path.join(a.out, "logs", f"{a.label}.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    sampler.start()
    t0 = time.monotonic()
    tool = subprocess.Popen(a.tool, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler.add("load", tool.pid)
    try:
        out, _ = tool.communicate(timeout=a.duration * 3 + 60)
    except subprocess.TimeoutExpired:
        tool.kill()
        out, _ = tool.communicate()
        out += "\n[bench] the load tool overran its time and was killed\n"
    tool_wall = time.monotonic() - t0
    sampler.stop.set()
    sampler.join()
    with open(log, "w", encoding="utf-8") as f:
        f.write(" ".join(a.tool) + "\n" + out)
    result = {"label": a.label, "kind": a.kind, "instances": a.instances, "concurrency": a.concurrency,
              "tool_rc": tool.returncode, "tool_wall_s": round(tool_wall, 2)}
    try:
        result.update(parse_wrk(out) if a.kind != "ceiling" else parse_sysbench(out))
    except ValueError as e:
        result["parse_error"] = str(e)
    drain_s, drained, backlog = drain(a.state, a.drain_timeout)
    counts = count_rows(a.state, a.table, a.key_prefix)
    known = [c for c in counts.values() if c is not None]
    rows = min(known) if known and len(known) == len(counts) else None
    result.update({"backlog_at_end": backlog, "drain_s": None if drain_s is None else round(drain_s, 2),
                   "drained": drained, "rows": rows, "rows_per_member": counts})
    dur = result.get("duration_s")
    if dur:
        result["burst_rps"] = round(result["ok"] / dur, 1)
        if rows is not None and drain_s is not None:
            result["sustained_rps"] = round(rows / (dur + drain_s), 1)
    result.update(sampler.result())
    with open(os.path.join(a.out, "warmup.jsonl" if a.warmup else "steps.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")
    print(f"    {a.label}: {result.get('burst_rps', '?')}/s burst, {result.get('sustained_rps', '?')}/s sustained,"
          f" p99 {fmt(result.get('p99_ms'))} ms, errors {result.get('errors', '?')},"
          f" drain {fmt(result.get('drain_s'))} s{'' if drained else ' (NOT drained: backlog left)'}")
    ok = "parse_error" not in result and result.get("sustained_rps") is not None
    return 0 if ok else 1


# ---- report -------------------------------------------------------------------------------
TARGET_NAME = {"ceiling": "db-ceiling", "app": "app", "peer": "seed-peer"}


def fmt(v, digits=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths))]
    for r in rows:
        lines.append("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def component_names(steps):
    """Every component measured in any step, in the order components() found them (JSON keeps
    it), the load tool last."""
    names = list(dict.fromkeys(c for s in steps for c in s.get("cpu_pct", {})))
    return [c for c in names if c != "load"] + (["load"] if "load" in names else [])


def series_key(s):
    return f"{TARGET_NAME[s['kind']]}" + ("" if s["kind"] == "ceiling" else f" x{s['instances']}")


def cmd_report(a):
    path = os.path.join(a.out, "steps.jsonl")
    steps = [json.loads(line) for line in open(path, encoding="utf-8")] if os.path.exists(path) else []
    if not steps:
        print("no steps were measured", file=sys.stderr)
        return 1
    headers = ["target", "inst", "conc", "secs", "ok", "errors", "burst/s", "p50ms", "p90ms", "p99ms", "maxms",
               "backlog", "drain_s", "rows", "sustained/s", "host_cpu%"]
    rows = []
    for s in steps:
        rows.append([TARGET_NAME[s["kind"]], "-" if s["kind"] == "ceiling" else s["instances"], s["concurrency"],
                     fmt(s.get("duration_s")), s.get("ok", "-"), s.get("errors", "-"), fmt(s.get("burst_rps")),
                     fmt(s.get("p50_ms"), 2), fmt(s.get("p90_ms"), 2), fmt(s.get("p99_ms"), 2), fmt(s.get("max_ms")),
                     fmt(s.get("backlog_at_end")), fmt(s.get("drain_s")) + ("" if s.get("drained") else "!"),
                     fmt(s.get("rows")), fmt(s.get("sustained_rps")), fmt(s.get("host_cpu_pct"))])
    print()
    members = max((len(s.get("rows_per_member") or {}) for s in steps), default=0)
    print(f"Throughput (rows durable on all {members} members; sustained = rows / (run + drain)); latency as the client saw it")
    print(table(headers, rows))
    names = component_names(steps)
    print()
    print(f"CPU (% of one core; the machine has {NCPU * 100}%) and max RSS (MiB, summed over each process tree) during each run")
    rheaders = ["target", "inst", "conc"] + names
    rrows = []
    for s in steps:
        cells = []
        for c in names:
            cpu, rss = s.get("cpu_pct", {}).get(c), s.get("rss_mib_max", {}).get(c)
            cells.append("-" if cpu is None else f"{cpu:.0f}%/{rss:.0f}M")
        rrows.append([TARGET_NAME[s["kind"]], "-" if s["kind"] == "ceiling" else s["instances"], s["concurrency"]] + cells)
    print(table(rheaders, rrows))

    # CSV: one row per step, and one row per step and component
    fields = ["label", "kind", "instances", "concurrency", "duration_s", "ok", "errors", "errors_non2xx",
              "errors_socket", "burst_rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "backlog_at_end", "drain_s",
              "drained", "rows", "sustained_rps", "host_cpu_pct", "tool_rc"]
    with open(os.path.join(a.out, "results.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for s in steps:
            w.writerow([s.get(k, "") if s.get(k) is not None else "" for k in fields])
    with open(os.path.join(a.out, "resources.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["label", "kind", "instances", "concurrency", "component", "cpu_pct_of_core", "rss_mib_max",
                    "rss_mib_mean"])
        for s in steps:
            for c in names:
                if c in s.get("cpu_pct", {}):
                    w.writerow([s["label"], s["kind"], s["instances"], s["concurrency"], c, s["cpu_pct"][c],
                                s["rss_mib_max"][c], s["rss_mib_mean"][c]])

    # plot data: one block per series (gnuplot `index`), columns concurrency burst sustained p50 p99
    series = {}
    for s in steps:
        series.setdefault(series_key(s), []).append(s)
    dat = os.path.join(a.out, "plot.dat")
    with open(dat, "w", encoding="utf-8") as f:
        for name, ss in series.items():
            f.write(f'"{name}"\n')
            for s in sorted(ss, key=lambda s: s["concurrency"]):
                f.write(f"{s['concurrency']} {s.get('burst_rps') or 'NaN'} {s.get('sustained_rps') or 'NaN'}"
                        f" {s.get('p50_ms') or 'NaN'} {s.get('p99_ms') or 'NaN'}\n")
            f.write("\n\n")
    png = os.path.join(a.out, "bench.png")
    if a.plot:
        r = subprocess.run(["gnuplot", "-c", a.plot, dat, png, str(len(series))], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(png):
            print(f"gnuplot failed: {r.stderr.strip()}", file=sys.stderr)
            png = None
    print()
    print(f"results: {os.path.join(a.out, 'results.csv')}, {os.path.join(a.out, 'resources.csv')}"
          + (f", {png}" if png else ""))

    def best(kind):
        c = [s for s in steps if s["kind"] == kind and s.get("sustained_rps")]
        return max(c, key=lambda s: s["sustained_rps"]) if c else None
    app, ceiling, peer = best("app"), best("ceiling"), best("peer")

    def where(s):
        return f"c={s['concurrency']}" + ("" if s["kind"] == "ceiling" else f", {s['instances']} instance(s)")
    for s in (app, ceiling, peer):
        if s:
            print(f"best sustained {TARGET_NAME[s['kind']]}: {s['sustained_rps']}/s at {where(s)}")

    def ratio(x, y):
        return f"{x['sustained_rps'] / y['sustained_rps']:.2f}" if x and y else "n/a"
    print(f"app/db-ceiling = {ratio(app, ceiling)}")
    print(f"app/seed-peer = {ratio(app, peer)}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("step")
    s.add_argument("--state", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--label", required=True)
    s.add_argument("--kind", choices=("ceiling", "app", "peer"), required=True)
    s.add_argument("--instances", type=int, default=1)
    s.add_argument("--concurrency", type=int, required=True)
    s.add_argument("--duration", type=float, required=True)
    s.add_argument("--table", required=True)
    s.add_argument("--key-prefix", required=True)
    s.add_argument("--warmup", action="store_true")
    s.add_argument("--drain-timeout", type=float, default=120)
    s.add_argument("--interval", type=float, default=1.0)
    s.add_argument("tool", nargs=argparse.REMAINDER)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--plot")
    a = p.parse_args()
    if a.cmd == "step":
        try:
            stack_config.settings()   # once, before anything is measured
        except stack_config.ConfigError as e:
            p.exit(2, f"bench.py: {e}\n")
        if a.tool and a.tool[0] == "--":
            a.tool = a.tool[1:]
        if not re.fullmatch(r"[A-Za-z0-9.:-]+", a.key_prefix) or not re.fullmatch(r"[a-z_]+", a.table):
            p.error("bad --key-prefix or --table")
        return cmd_step(a)
    return cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
