"""The fault suite of the local cluster (`./stack chaos`).

For each selected fault: a steady, bounded load of POSTs with unique Idempotency-Keys
through nginx, the fault while the load runs and the cluster's own recovery (no repair
command: supervisors restart processes, keepers rejoin members, the readiness gate and the
liveness watchdogs move app instances), a few seconds of load after recovery, then a checker
that compares the client's history with the rows on every MySQL member. Prints one table row per fault run and `N passed, N failed`; exits 1 if any failed.
History, events and table go to $STACK_STATE/chaos/RUNID/ (default .stack/chaos/RUNID/).
The members, hosts and the edge's address and port come from `./stack config` (Chef), read
on first use (stack_config.py).

Python 3 standard library only; run with Debian's /usr/bin/python3.
"""

import argparse
import csv
import http.client
import json
import math
import os
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import stack_config  # the cluster's settings, from ./stack config

ROOT = Path(__file__).resolve().parent.parent
STACK = str(ROOT / "stack")
STATE = Path(os.environ.get("STACK_STATE") or ROOT / ".stack")

# Load: ~30 req/s in all. The cluster shares the machine's 2 cores with this client.
WORKERS = 4
WORKER_PAUSE_S = 0.1
REQUEST_TIMEOUT_S = 60
# A request that got no answer at all (refused, reset, cut off) is sent again with its key,
# as a client of an idempotent API does: the key makes the retry safe. Within this budget.
CLIENT_RETRY_BUDGET_S = 15
CLIENT_RETRY_PAUSE_S = 0.5
RETRIED_ERRORS = {"refused", "reset", "disconnected"}
MAX_REQUESTS_PER_WORKER = 20_000
LOAD_DEADLINE_S = 1800

# Timeline and bounds of one fault run.
STEADY_BEFORE_S = 5
STEADY_AFTER_S = 5
STATUS_POLL_S = 2
RECOVERY_TIMEOUT_S = 300
CONVERGENCE_TIMEOUT_S = 120
FAILOVER_TIMEOUT_S = 60
ZONE_CUT_S = 20
HANG_S = 30                     # hang-primary, hang-app: SIGSTOP for this long, then SIGCONT
REKILL_TIMEOUT_S = 60           # repeat-kill: the second kill comes once the member rejoins
LB_RELOADS = 4
LB_RELOAD_INTERVAL_S = 3
BASELINE_WINDOW_S = 10
STACK_TIMEOUT_S = {"up": 900, "down": 300, "rolling-restart": 900}


def now():
    return time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


# ---- ./stack ---------------------------------------------------------------------------

class StepFailed(Exception):
    """A ./stack step of a fault run failed or timed out: the run fails, the suite goes on."""


def stack(*args, timeout=None):
    """Runs ./stack ARGS; returns the completed process (output captured, never raises on exit)."""
    limit = timeout or STACK_TIMEOUT_S.get(args[1] if args[0] == "fault" else args[0], 60)
    return subprocess.run([STACK, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=limit, check=False)


def cluster_status():
    """The components of `./stack status --json`, or None when it could not answer."""
    try:
        return json.loads(stack("status", "--json", timeout=30).stdout)["components"]
    except (subprocess.TimeoutExpired, ValueError, KeyError):
        return None


HEALTHY_STATE = {"mysql": "ONLINE", "keeper": "online", "router": "up", "app": "ready", "liveness": "-", "nginx": "up",
                 "gate": "all", "archiver": "streaming", "vault": "up"}
# A component counts as recovered only while its supervisor runs it too.
HEALTHY_SUPERVISOR = "up"


def is_healthy(components):
    """Fully redundant: mysql all ONLINE with one PRIMARY and every keeper online, routers
    up, apps ready, nginx up, each under its supervisor."""
    if not components:
        return False
    states_ok = all(c["state"] == HEALTHY_STATE.get(c["kind"]) and c["supervisor"] == HEALTHY_SUPERVISOR
                    for c in components)
    primaries = [c for c in components if c["kind"] == "mysql" and c["role"] == "PRIMARY"]
    return states_ok and len(primaries) == 1


def member_with_role(role):
    for c in cluster_status() or []:
        if c["kind"] == "mysql" and c["role"] == role:
            return c
    raise StepFailed(f"no {role} in ./stack status")


def mysql_rows(member, sql):
    """Rows (lists of strings) of one query as root on a member."""
    try:
        p = stack("mysql", member, "-N", "-B", "-e", sql, timeout=30)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{member}: no answer within 30 s")
    if p.returncode != 0:
        raise RuntimeError(f"{member}: {p.stderr.strip()}")
    return [line.split("\t") for line in p.stdout.splitlines()]


# ---- load ------------------------------------------------------------------------------

@dataclass
class Request:
    """One POST as the client saw it. status is None when no HTTP answer came back."""
    key: str
    worker: int
    sent: float
    received: float = 0.0
    status: int | None = None
    error: str = ""          # connection error, or the "error" of a JSON error answer
    id: str = ""
    timestamp: str = ""
    instance: str = ""
    replayed: bool = False   # Idempotent-Replayed: a retry inside nginx or the app found the key
    request_id: str = ""     # nginx's X-Request-Id: finds the request in its access log
    body: str = ""           # the start of a non-201 answer
    attempts: int = 1        # the client's own tries (a retry only after no answer at all)

    @property
    def latency(self):
        return self.received - self.sent

    @property
    def acknowledged(self):
        return self.status == 201


CONNECTION_ERRORS = {"ConnectionRefusedError": "refused", "ConnectionResetError": "reset",
                     "TimeoutError": "timeout", "RemoteDisconnected": "disconnected"}


def post(key, worker):
    req = Request(key=key, worker=worker, sent=now())
    conn = http.client.HTTPConnection(*stack_config.edge(), timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request("POST", "/app", headers={"Idempotency-Key": key})
        resp = conn.getresponse()
        body = resp.read()
        req.status = resp.status
        req.replayed = resp.getheader("Idempotent-Replayed") == "true"
        req.request_id = resp.getheader("X-Request-Id", "")
        if req.acknowledged:
            answer = json.loads(body)
            req.id, req.timestamp, req.instance = answer["id"], answer["timestamp"], answer["instance"]
        else:
            req.body = body[:200].decode(errors="replace")
            req.error = str(json.loads(body).get("error", "")) if body else ""
    except (OSError, http.client.HTTPException) as e:
        req.error = CONNECTION_ERRORS.get(type(e).__name__, type(e).__name__)
    except (ValueError, KeyError, TypeError, AttributeError):
        req.error = "bad-body"   # not the JSON the README promises (e.g. a server's HTML page)
    finally:
        req.received = now()
        conn.close()
    return req


def post_retrying(key, worker):
    """post(), sent again with the same key while no answer comes back, within the budget;
    the request's sent time is its first try's."""
    first = now()
    attempts = 0
    while True:
        req = post(key, worker)
        attempts += 1
        if req.error not in RETRIED_ERRORS or now() - first >= CLIENT_RETRY_BUDGET_S:
            break
        time.sleep(CLIENT_RETRY_PAUSE_S)
    req.sent, req.attempts = first, attempts
    return req


class Load:
    """WORKERS threads posting keys PREFIX-1, PREFIX-2, ... until stopped (or bounds hit)."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.history = []
        self._lock = threading.Lock()
        self._next = 0
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._deadline = now() + LOAD_DEADLINE_S
        self._threads = [threading.Thread(target=self._work, args=(w,), daemon=True)
                         for w in range(WORKERS)]

    def start(self):
        for t in self._threads:
            t.start()

    def pause(self):
        self._paused.set()

    def resume(self):
        self._paused.clear()

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(REQUEST_TIMEOUT_S + 5)
        return sorted(self.history, key=lambda r: r.sent)

    def _key(self):
        with self._lock:
            self._next += 1
            return f"{self.prefix}-{self._next}"

    def _work(self, worker):
        sent = 0
        while sent < MAX_REQUESTS_PER_WORKER and not self._stop.is_set() and now() < self._deadline:
            if self._paused.is_set():
                self._stop.wait(0.1)
                continue
            req = post_retrying(self._key(), worker)
            sent += 1
            with self._lock:
                self.history.append(req)
            self._stop.wait(WORKER_PAUSE_S)


def status_summary(components):
    """'healthy, primary db-b', or the components that are not healthy."""
    if components is None:
        return "./stack status did not answer"
    primary = [c["name"] for c in components if c["role"] == "PRIMARY"]
    if is_healthy(components):
        return f"healthy, primary {primary[0]}"
    bad = [f"{c['name']} {c['state']}" + ("" if c["supervisor"] == HEALTHY_SUPERVISOR else f" ({c['supervisor']})")
           for c in components
           if c["state"] != HEALTHY_STATE.get(c["kind"]) or c["supervisor"] != HEALTHY_SUPERVISOR]
    return ", ".join(bad + [f"primary {'/'.join(primary) or 'none'}"])


class StatusWatch:
    """Polls ./stack status in the background for the whole fault run: keeps (time, healthy)
    per poll, reports each change of the summary to on_change, and lets the fault wait for a
    state without polling a second time."""

    def __init__(self, on_change):
        self.polls = []
        self._latest = None
        self._on_change = on_change
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(60)

    def _run(self):
        deadline = now() + LOAD_DEADLINE_S
        summary = None
        while not self._stop.is_set() and now() < deadline:
            # A poll speaks for the moment it began: one that began before the fault cannot
            # show the cluster recovered from it.
            t = now()
            components = cluster_status()
            if status_summary(components) != summary:
                summary = status_summary(components)
                self._on_change("status: " + summary)
            with self._changed:
                self.polls.append((t, is_healthy(components)))
                self._latest = (t, components)
                self._changed.notify_all()
            self._stop.wait(STATUS_POLL_S)

    def wait(self, predicate, timeout, what, since=0.0):
        """Waits for a poll made after `since` whose components satisfy predicate; returns them."""
        deadline = now() + timeout
        with self._changed:
            while now() < deadline:
                if self._latest and self._latest[0] >= since and predicate(self._latest[1]):
                    return self._latest[1]
                self._changed.wait(deadline - now())
        raise StepFailed(f"{what}: not within {timeout} s")

    def recovered_at(self, since):
        """First healthy poll after the last unhealthy one since `since` (since itself if none;
        None if the last poll was unhealthy)."""
        at = since
        with self._changed:
            for t, healthy in self.polls:
                if t >= since and not healthy:
                    at = None
                elif t >= since and healthy and at is None:
                    at = t
        return at


# ---- one fault run -----------------------------------------------------------------------

@dataclass
class Run:
    label: str               # fault, and the repetition: kill-app-1
    prefix: str              # every key of this run starts with PREFIX-
    out: "Output"
    load: Load = None
    watch: StatusWatch = None
    fault_at: float = 0.0
    actions_done_at: float = 0.0
    stop_window: tuple = ()  # full-restart: (start, end) of the deliberate stop
    outage: bool = False     # kill-all-db: no member is left to write to until the group re-forms
    notes: list = field(default_factory=list)

    def event(self, text):
        self.out.events.writerow([self.label, iso(now()), text])
        print(f"    {time.strftime('%H:%M:%S')} {text}", flush=True)

    def step(self, *args):
        """Runs one ./stack command; a failing one ends the fault run as failed."""
        command = "./stack " + " ".join(args)
        self.event(command)
        started = now()
        try:
            p = stack(*args)
        except subprocess.TimeoutExpired as e:
            self._log_step(command, started, "timed out", e.stdout, e.stderr)
            raise StepFailed(f"{command} timed out")
        self._log_step(command, started, f"exit {p.returncode}", p.stdout, p.stderr)
        if p.returncode != 0:
            tail = (p.stderr.strip() or p.stdout.strip()).splitlines()[-3:]
            raise StepFailed(f"{command} exited {p.returncode}: {' / '.join(tail)}")

    def _log_step(self, command, started, outcome, *outputs):
        # A timed-out run() leaves its partial output as bytes even with text=True.
        text = "".join(o.decode(errors="replace") if isinstance(o, bytes) else o or "" for o in outputs)
        self.out.steps.write(f"== {iso(started)} {self.label}: {command}: {outcome} after "
                             f"{now() - started:.1f} s\n{text}\n")

    def inject(self, *args):
        self.fault_at = now()
        self.step(*args)


def fault_none(run):
    """A fault window with nothing in it: the baseline of latency and errors."""
    run.fault_at = now()
    time.sleep(BASELINE_WINDOW_S)


def fault_kill_app(run):
    run.inject("fault", "kill", stack_config.app_hosts()[0])


def fault_kill_primary(run):
    run.inject("fault", "kill", member_with_role("PRIMARY")["name"])


def fault_kill_secondary(run):
    run.inject("fault", "kill", member_with_role("SECONDARY")["name"])


def fault_kill_router(run):
    run.inject("fault", "kill", stack_config.router_of(stack_config.app_hosts()[0]))


def fault_kill_lb(run):
    run.inject("fault", "kill", "lb")


def fault_kill_all_db(run):
    run.outage = True
    run.inject("fault", "kill", *stack_config.members())


def fault_repeat_kill(run):
    """Kills a secondary, then kills it again while it is rejoining."""
    name = member_with_role("SECONDARY")["name"]
    run.inject("fault", "kill", name)
    run.watch.wait(lambda cs: any(c["name"] == f"keeper-{name.split('-')[-1]}" and c["state"] == "joining"
                                  for c in cs or []),
                   REKILL_TIMEOUT_S, f"{name} rejoining", since=run.fault_at)
    run.step("fault", "kill", name)


def hang(run, name):
    """SIGSTOP a component for HANG_S, then SIGCONT."""
    run.inject("fault", "stop", name)
    time.sleep(HANG_S)
    run.step("fault", "cont", name)


def fault_hang_primary(run):
    hang(run, member_with_role("PRIMARY")["name"])


def fault_hang_app(run):
    hang(run, stack_config.app_hosts()[0])


def fault_cut_zone(run):
    zone = member_with_role("PRIMARY")["zone"]
    run.inject("fault", "cut", zone)
    time.sleep(ZONE_CUT_S)
    run.step("fault", "heal", zone)


def fault_reload_lb(run):
    run.inject("fault", "reload-lb")
    for _ in range(LB_RELOADS - 1):
        time.sleep(LB_RELOAD_INTERVAL_S)
        run.step("fault", "reload-lb")


def fault_rolling_restart(run):
    run.inject("fault", "rolling-restart")


def fault_full_restart(run):
    # Nothing listens while the cluster is down: the load pauses, and a request that still
    # slipped into the stop and was refused is counted apart, not as an error.
    run.load.pause()
    start = now()
    try:
        run.inject("down")
        run.step("up")
    finally:
        run.stop_window = (start, now())
        run.load.resume()


FAULTS = {
    "kill-app": fault_kill_app,
    "kill-primary": fault_kill_primary,
    "kill-secondary": fault_kill_secondary,
    "kill-router": fault_kill_router,
    "kill-lb": fault_kill_lb,
    "repeat-kill": fault_repeat_kill,
    "hang-primary": fault_hang_primary,
    "hang-app": fault_hang_app,
    "kill-all-db": fault_kill_all_db,
    "cut-zone": fault_cut_zone,
    "reload-lb": fault_reload_lb,
    "rolling-restart": fault_rolling_restart,
    "full-restart": fault_full_restart,
}
BASELINE = {"none": fault_none}   # load and check only; not part of the default suite


def ensure_healthy(run):
    """Waits (bounded) until the cluster is fully redundant by itself: no repair command."""
    deadline = now() + RECOVERY_TIMEOUT_S
    while not is_healthy(components := cluster_status()):
        if now() > deadline:
            raise StepFailed(f"not healthy within {RECOVERY_TIMEOUT_S} s: {status_summary(components)}")
        time.sleep(STATUS_POLL_S)


def execute(run, fault_fn):
    """Load, fault, recovery, load; returns (history, recovered_at or None)."""
    run.load, run.watch = Load(run.prefix), StatusWatch(run.event)
    run.load.start()
    run.watch.start()
    recovered_at = None
    try:
        time.sleep(STEADY_BEFORE_S)
        try:
            fault_fn(run)
            run.actions_done_at = now()
            run.watch.wait(is_healthy, RECOVERY_TIMEOUT_S, "recovery", since=run.actions_done_at)
            recovered_at = run.watch.recovered_at(run.fault_at)
            run.event(f"recovered {recovered_at - run.fault_at:.1f} s after the fault")
        except StepFailed as e:
            run.notes.append(str(e))
            run.event(f"FAILED: {e}")
        time.sleep(STEADY_AFTER_S)
    finally:
        history = run.load.stop()
        run.watch.stop()
    return history, recovered_at


# ---- checker -----------------------------------------------------------------------------

CHECKSUM_SQL = ("SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('|', HEX(id), recorded_at, request_key, "
                "instance))) FROM timestamps.timestamp_record")


def sums_identical(sums):
    """True when every member answered and all report the same (row count, checksum)."""
    return set(sums) == set(stack_config.members()) and len(set(sums.values())) == 1


def wait_identical():
    """Waits (bounded) until all members report the same row count and checksum."""
    deadline = now() + CONVERGENCE_TIMEOUT_S
    sums = {}
    while now() < deadline:
        try:
            sums = {m: tuple(mysql_rows(m, CHECKSUM_SQL)[0]) for m in stack_config.members()}
        except RuntimeError:
            sums = {}
        if sums_identical(sums):
            return True, sums
        time.sleep(1)
    return False, sums


def rows_of_run(member, prefix):
    """{key: [(id, timestamp), ...]} of this run's keys on one member."""
    sql = ("SELECT request_key, BIN_TO_UUID(id), DATE_FORMAT(recorded_at, '%Y-%m-%dT%H:%i:%s.%fZ') "
           f"FROM timestamps.timestamp_record WHERE request_key LIKE '{prefix}-%'")
    rows = defaultdict(list)
    for key, rid, ts in mysql_rows(member, sql):
        rows[key].append((rid, ts))
    return rows


@dataclass
class Result:
    label: str
    sent: int = 0
    acked: int = 0
    lost: int = 0
    duplicated: int = 0
    unacked_rows: int = 0
    errors: Counter = field(default_factory=Counter)
    stopped: int = 0         # full-restart: refused during the deliberate stop (not errors)
    unavailable: int = 0     # kill-all-db: JSON 503s while no member was up (not errors)
    retried: int = 0         # requests the client sent again after getting no answer
    replayed: int = 0
    p99_ms: float | None = None
    max_ms: float | None = None
    recover_s: float | None = None
    identical: bool = False
    notes: list = field(default_factory=list)
    findings: list = field(default_factory=list)   # (key, member, what) behind lost/dup/unacked

    @property
    def passed(self):
        return (self.lost == 0 and self.duplicated == 0 and not self.errors and self.identical
                and not self.notes)


def error_label(req):
    return str(req.status) if req.status is not None else req.error


def in_window(t, window):
    return bool(window) and window[0] <= t <= window[1]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


def judge(history, rows_by_member, run, recovered_at):
    """Compares the client's history with every member's rows of this run."""
    res = Result(label=run.label, sent=len(history), notes=list(run.notes))
    acked = {r.key: r for r in history if r.acknowledged}
    res.acked = len(acked)
    res.replayed = sum(r.replayed for r in history)
    res.retried = sum(r.attempts > 1 for r in history)
    for r in history:
        if r.acknowledged:
            continue
        if r.status is None and in_window(r.sent, run.stop_window):
            res.stopped += 1
        elif run.outage and r.status == 503 and r.error == "service_unavailable" \
                and in_window(r.sent, (run.fault_at, recovered_at or now())):
            res.unavailable += 1
        else:
            res.errors[error_label(r)] += 1

    lost, duplicated, unacked = set(), set(), set()
    for member, rows in rows_by_member.items():
        for key, r in acked.items():
            found = rows.get(key, [])
            if (r.id.lower(), r.timestamp) not in found:
                lost.add(key)
                res.findings.append((key, member, f"lost: told {r.id} {r.timestamp}, has {found}"))
        for key, found in rows.items():
            if len(found) > 1:
                duplicated.add(key)
                res.findings.append((key, member, f"duplicated: {found}"))
            if key not in acked:
                unacked.add(key)
                res.findings.append((key, member, f"row for an unacknowledged request: {found}"))
    res.lost, res.duplicated, res.unacked_rows = len(lost), len(duplicated), len(unacked)

    if run.fault_at:
        end = max(recovered_at or now(), run.actions_done_at)
        window = [r.latency * 1000 for r in history if run.fault_at <= r.sent <= end]
        res.p99_ms, res.max_ms = percentile(window, 0.99), max(window, default=None)
    if recovered_at is not None:
        res.recover_s = recovered_at - run.fault_at
    return res


def check(run, history, recovered_at):
    run.event("checker: waiting until the members hold identical data")
    identical, sums = wait_identical()
    run.event("members: " + ", ".join(f"{m} {'/'.join(s)}" for m, s in sums.items()))
    rows = {}
    for m in stack_config.members():
        try:
            rows[m] = rows_of_run(m, run.prefix)
        except RuntimeError as e:
            run.notes.append(f"could not read {m}: {e}")
            rows[m] = {}
    res = judge(history, rows, run, recovered_at)
    res.identical = identical
    return res


# ---- output --------------------------------------------------------------------------------

COLUMNS = ("fault", "sent", "acked", "lost", "dup", "unacked-rows", "errors", "stopped",
           "unavailable", "retried", "replayed", "p99-ms", "max-ms", "recover-s", "identical", "result")


def fmt(value, digits=0):
    return "-" if value is None else f"{value:.{digits}f}"


def table_row(res):
    errors = ",".join(f"{k}:{v}" for k, v in sorted(res.errors.items())) or "0"
    return (res.label, str(res.sent), str(res.acked), str(res.lost), str(res.duplicated),
            str(res.unacked_rows), errors, str(res.stopped), str(res.unavailable), str(res.retried), str(res.replayed),
            fmt(res.p99_ms), fmt(res.max_ms), fmt(res.recover_s, 1),
            "yes" if res.identical else "NO", "pass" if res.passed else "FAIL")


def render_table(results):
    rows = [COLUMNS] + [table_row(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    for r in results:
        lines += [f"{r.label}: {note}" for note in r.notes]
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines) + "\n"


HISTORY_FIELDS = ("run", "key", "worker", "sent", "received", "latency_ms", "status", "error",
                  "id", "timestamp", "instance", "replayed", "request_id", "attempts", "body")


class Output:
    """The files of one chaos run: history.csv (every request), events.csv (the timeline),
    steps.log (each ./stack step with its output), findings.csv (the keys behind lost,
    duplicated and unacknowledged rows) and table.txt. Line-buffered: a crash keeps them."""

    def __init__(self, directory):
        directory.mkdir(parents=True, exist_ok=True)
        self.dir = directory
        self._files = []
        self.history = self._csv("history.csv", HISTORY_FIELDS)
        self.events = self._csv("events.csv", ("run", "time", "event"))
        self.findings = self._csv("findings.csv", ("run", "key", "member", "finding"))
        self.steps = self._open("steps.log")

    def _open(self, name):
        f = open(self.dir / name, "w", newline="", buffering=1)
        self._files.append(f)
        return f

    def _csv(self, name, header):
        writer = csv.writer(self._open(name), lineterminator="\n")
        writer.writerow(header)
        return writer

    def add(self, label, history, result):
        for r in history:
            d = asdict(r)
            d.update(run=label, sent=iso(r.sent), received=iso(r.received),
                     latency_ms=f"{r.latency * 1000:.1f}", status="" if r.status is None else r.status)
            self.history.writerow([d[f] for f in HISTORY_FIELDS])
        self.findings.writerows((label, *f) for f in result.findings)

    def table(self, text):
        (self.dir / "table.txt").write_text(text)

    def close(self):
        for f in self._files:
            f.close()


# ---- main ----------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="./stack chaos",
        description="Fault suite: load through nginx, one fault at a time, recovery, then a check "
                    "of the client's history against every MySQL member.")
    p.add_argument("--fault", action="append", choices=[*FAULTS, *BASELINE], metavar="NAME",
                   help=f"fault to run (repeatable; default all, in this order): {', '.join(FAULTS)}; "
                        "'none' runs the load and the check without a fault")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="run the selection N times")
    args = p.parse_args(argv)
    if not 1 <= args.repeat <= 100:
        p.error("--repeat must be 1..100")
    return args


def fault_run(out, run_id, name, rep):
    label = f"{name}-{rep}"
    print(f"==> {label}", flush=True)
    run = Run(label=label, prefix=f"chaos-{run_id}-{label}", out=out)
    try:
        ensure_healthy(run)
    except StepFailed as e:
        return Result(label=label, notes=[f"cluster not healthy before the fault: {e}"])
    history, recovered_at = execute(run, {**FAULTS, **BASELINE}[name])
    result = check(run, history, recovered_at)
    out.add(label, history, result)
    return result


def main(argv):
    args = parse_args(argv)
    faults = args.fault or list(FAULTS)
    try:
        # read once, before any thread needs it; a cluster without an edge or app host is no
        # cluster this suite can load
        edge, apps = stack_config.edge(), stack_config.app_hosts()
        if not stack_config.members() or not apps:
            raise stack_config.ConfigError("./stack config lists no MySQL member or no app host")
    except stack_config.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = Output(STATE / "chaos" / run_id)
    print(f"==> chaos {run_id}: {', '.join(faults)} x{args.repeat} through {edge[0]}:{edge[1]}; "
          f"results in {out.dir}", flush=True)
    results = []
    try:
        for rep in range(1, args.repeat + 1):
            for name in faults:
                results.append(fault_run(out, run_id, name, rep))
                out.table(render_table(results))
    finally:
        out.close()
    print(render_table(results), end="")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
