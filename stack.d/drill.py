"""The restore drill of the local cluster (`./stack drill`; `./stack test` runs it).

Proves that backups and the binlog archive bring back every acknowledged timestamp:
1. under the fault suite's load (unique Idempotency-Keys, the same client and history),
   a backup is taken: no request may fail; latency during it is reported against before;
2. a moment T between acknowledged requests is noted; writing goes on; a destructive
   statement runs as the migration account (a DELETE of a range of this drill's rows);
3. restore --to T: what was acknowledged before T is there exactly once on every member
   with its id and timestamp, nothing sent after T is, the members are identical, and the
   service takes POSTs again;
4. restore --before-gtid (the DELETE): every request acknowledged before it is back, the
   deleted range included;
5. every member's data directory is lost at once under load, the archive survives:
   restore --latest brings back every acknowledged request the archive had received
   (those acknowledged before its newest transaction); how far behind it was is reported;
6. a table: backup size and time, each restore's steps and total (RTO), rows
   expected/found/missing/extra per scenario, archive lag.

Prints `N passed, N failed` (one check per line, "ok" or "FAIL"); output in
$STACK_STATE/drill/RUNID/. Python 3 standard library only; Debian's /usr/bin/python3.
"""

import json
import re
import subprocess
import sys
import time
import traceback

import chaos
import stack_config
from chaos import now, percentile

STEADY_S = 5             # load before the backup (the latency baseline) and between steps
RESTORE_TIMEOUT_S = 900
LAG_WINDOW_S = 15        # after the archiver's member is killed, how long its lag is watched
LAG_TARGET_S = 5
BACKUP_TIMEOUT_S = 600
ARCHIVER_STATE = chaos.STATE / stack_config.hosts_of("backup")[0] / "work" / "archiver-state.json"


class Drill:
    def __init__(self, run_id):
        self.run_id = run_id
        self.dir = chaos.STATE / "drill" / run_id
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.dir / "drill.log", "a", encoding="utf-8")
        self.passed = 0
        self.failed = 0
        self.table = []     # (scenario, expected, found, missing, extra, note)
        self.timings = []   # (what, seconds)
        self.sizes = []     # (scenario, transactions replayed, rows in the new backup)

    def say(self, text):
        line = f"{time.strftime('%H:%M:%S')} {text}"
        print(f"==> {text}", flush=True)
        self.log.write(line + "\n")
        self.log.flush()

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"    ok    {what}", flush=True)
        else:
            self.failed += 1
            print(f"    FAIL  {what}" + (f": {detail}" if detail else ""), flush=True)
        self.log.write(f"{'ok' if ok else 'FAIL'} {what} {detail}\n")
        return ok

    def stack(self, *args, timeout):
        """./stack ARGS, its output kept in the drill's log; (returncode, output, seconds)."""
        t0 = now()
        p = subprocess.run([chaos.STACK, *args], capture_output=True, text=True, timeout=timeout)
        out = p.stdout + p.stderr
        (self.dir / f"{'-'.join(a.strip('-').replace(' ', '_').replace(':', '') for a in args)[:60]}.log") \
            .write_text(out, encoding="utf-8")
        return p.returncode, out, now() - t0


def archiver_state():
    try:
        return json.loads(ARCHIVER_STATE.read_text())
    except (OSError, ValueError):
        return {}


class LagSampler(chaos.threading.Thread):
    """Samples the archiver's reported lag every half second while running."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = []
        self._done = chaos.threading.Event()

    def run(self):
        while not self._done.wait(0.5):
            lag = archiver_state().get("lag_s")
            if lag is not None:
                self.samples.append((now(), lag))

    def stop(self):
        self._done.set()
        self.join(5)
        return [lag for _, lag in self.samples]

    def max_between(self, start, end):
        return max((lag for t, lag in self.samples if start <= t <= end), default=None)


def rows_on_members(prefix):
    return {m: chaos.rows_of_run(m, prefix) for m in stack_config.members()}


def compare(drill, scenario, expected, absent, prefix, note=""):
    """expected: {key: Request} that must be present once with their id and timestamp on
    every member; absent: keys that must not be there. Adds a table row and checks."""
    identical, sums = chaos.wait_identical()
    drill.check(identical, f"{scenario}: the members hold identical data", str(sums))
    rows = rows_on_members(prefix)
    missing, extra, dup = set(), set(), set()
    for member, found in rows.items():
        for key, r in expected.items():
            if found.get(key) != [(r.id.lower(), r.timestamp)]:
                (dup if len(found.get(key, [])) > 1 else missing).add(key)
        extra |= {k for k in found if k in absent}
    present = len(set.intersection(*(set(f) & set(expected) for f in rows.values()))) if rows else 0
    drill.table.append((scenario, len(expected), present, len(missing), len(extra) + len(dup), note))
    drill.check(not missing, f"{scenario}: every expected request present once with its id and timestamp "
                             f"({len(expected)})", f"missing {sorted(missing)[:5]}")
    drill.check(not extra and not dup, f"{scenario}: nothing that must be absent is there, nothing twice",
                f"extra {sorted(extra)[:5]} dup {sorted(dup)[:5]}")


def service_answers(drill, scenario):
    reqs = [chaos.post_retrying(f"drill-{drill.run_id}-{scenario}-probe-{i}", 0) for i in range(3)]
    drill.check(all(r.acknowledged for r in reqs), f"{scenario}: the service takes POSTs through nginx again",
                str([(r.status, r.error) for r in reqs]))


def restore(drill, scenario, *target):
    drill.say(f"{scenario}: ./stack restore {' '.join(target)}")
    rc, out, secs = drill.stack("restore", *target, timeout=RESTORE_TIMEOUT_S)
    drill.check(rc == 0, f"{scenario}: ./stack restore {' '.join(target)} succeeds ({secs:.0f} s)", out[-800:])
    replayed = re.search(r"replayed (\d+) transactions", out)
    rows = re.search(r"timestamp_record (\d+) rows", out)
    drill.sizes.append((scenario, int(replayed.group(1)) if replayed else 0, int(rows.group(1)) if rows else 0))
    steps = re.findall(r"^(.+?)\s{2,}(\d+\.\d)$", out, re.M)
    for what, s in steps:
        drill.timings.append((f"{scenario}: {what.strip()}", float(s)))
    drill.timings.append((f"{scenario}: TOTAL (RTO)", secs))
    return rc == 0


def secret(name):
    for line in (chaos.STATE / "secrets.env").read_text().splitlines():
        if line.startswith(name + "="):
            return line.split("=", 1)[1]
    raise RuntimeError(f"no {name} in secrets.env")


def migrator_sql(sql):
    """One statement as the migration account, through the first app host's Router (the
    mysql client of ./stack mysql, its options overridden)."""
    address = stack_config.host_address(stack_config.app_hosts()[0])
    port = stack_config.settings()["router"]["rw_port"]
    p = subprocess.run([chaos.STACK, "mysql", stack_config.members()[0], "--user=ts_migrator",
                        f"--password={secret('DB_MIGRATION_PASSWORD')}", f"--host={address}", f"--port={port}",
                        "--protocol=TCP", "-N", "-B", "-e", sql], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    return p.stdout




def scenario_backup_under_load(drill, load):
    time.sleep(2 * STEADY_S)
    start = now()
    # the baseline: the last steady phase before the backup (the first requests warm up)
    before = [r.latency * 1000 for r in list(load.history) if r.acknowledged and r.sent >= start - STEADY_S]
    drill.say("1: ./stack backup while the load runs")
    rc, out, secs = drill.stack("backup", timeout=BACKUP_TIMEOUT_S)
    end = now()
    drill.check(rc == 0, f"1: ./stack backup succeeds under load ({secs:.1f} s)", out[-800:])
    during = [r for r in list(load.history) if start <= r.sent <= end]
    failed = [r for r in during if not r.acknowledged]
    drill.check(not failed, f"1: 0 failed requests while the backup ran ({len(during)} sent)",
                str([(r.status, r.error) for r in failed[:5]]))
    p50b, p99b = percentile(before, 0.5), percentile(before, 0.99)
    lat = [r.latency * 1000 for r in during if r.acknowledged]
    p50d, p99d = percentile(lat, 0.5), percentile(lat, 0.99)
    drill.latency = (p50b, p99b, p50d, p99d)
    m = re.search(r"(\d+) bytes of data, (\d+) bytes stored", out)
    drill.backup = (int(m.group(1)), int(m.group(2)), secs) if m else (0, 0, secs)


def scenario_source_lost(drill, lag, prefix):
    """The member the archiver reads from is killed under load: the archive goes on from
    another member within the lag target."""
    source = archiver_state().get("source")
    if not drill.check(bool(source), "1b: the archiver streams from a member", str(archiver_state())):
        return
    drill.say(f"1b: kill -9 {source}, the member the archiver reads from")
    start = now()
    rc, out, _ = drill.stack("fault", "kill", source, timeout=60)
    drill.check(rc == 0, f"1b: {source} killed", out[-300:])
    time.sleep(LAG_WINDOW_S)
    worst = lag.max_between(start, now())
    new = archiver_state().get("source")
    drill.check(new not in (None, source), f"1b: the archiver moved to another member ({new})")
    drill.check(worst is not None and worst <= LAG_TARGET_S,
                f"1b: archive lag after the member failure at most {LAG_TARGET_S} s ({worst} s)")
    drill.lag_after_failure = worst
    try:
        chaos.ensure_healthy(chaos.Run(f"{prefix}-heal", "drill", chaos.Output(drill.dir)))
    except chaos.StepFailed as e:
        drill.check(False, f"1b: {source} rejoins by itself", str(e))


def main():
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    drill = Drill(run_id)
    drill.say(f"drill {run_id}: results in {drill.dir}")
    try:
        scenarios(drill, f"drill-{run_id}")
    except Exception as e:  # an unexpected failure is one failed check, with its trace in the log
        drill.log.write(traceback.format_exc())
        drill.check(False, "the drill runs to its end", f"{type(e).__name__}: {e}")
    return finish(drill)


def scenarios(drill, prefix):
    try:
        chaos.ensure_healthy(chaos.Run(f"{prefix}-pre", "drill", chaos.Output(drill.dir)))
    except chaos.StepFailed as e:
        drill.check(False, "the cluster is healthy before the drill", str(e))
        return
    lag = LagSampler()
    lag.start()
    load = chaos.Load(prefix)
    load.start()
    scenario_backup_under_load(drill, load)
    scenario_source_lost(drill, lag, prefix)

    # 2. T between two acknowledged requests; a destructive statement later
    time.sleep(STEADY_S)
    t = now()
    time.sleep(STEADY_S)
    load.pause()
    time.sleep(2)  # in-flight requests end; nothing else writes
    victims = sorted((r for r in load.history if r.acknowledged and r.received < t), key=lambda r: r.sent)[:50]
    keys = ",".join(f"'{r.key}'" for r in victims)
    # the migration account learns the GTID of its own change (performance_schema)
    delete_gtid = migrator_sql(f"DELETE FROM timestamps.timestamp_record WHERE request_key IN ({keys}); "
                               "SELECT GTID FROM performance_schema.events_transactions_current "
                               "WHERE THREAD_ID = PS_CURRENT_THREAD_ID()").strip()
    delete_at = now()
    load.resume()
    if not drill.check(re.fullmatch(r"[0-9a-f-]{36}:\d+", delete_gtid) is not None,
                       f"2: the DELETE of {len(victims)} rows is one transaction ({delete_gtid})"):
        delete_gtid = None
    time.sleep(STEADY_S)
    history = load.stop()
    lag_samples = lag.stop()
    drill.lag = (percentile(lag_samples, 0.5), percentile(lag_samples, 0.99), max(lag_samples, default=None))
    t_text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 1e6):06d}"

    # 3. restore --to T
    if restore(drill, "3 --to T", "--to", t_text):
        expected = {r.key: r for r in history if r.acknowledged and r.received < t}
        absent = {r.key for r in history if r.sent > t}
        compare(drill, "3 --to T", expected, absent, prefix, f"T {t_text}")
        service_answers(drill, "3")

    # 4. restore --before-gtid DELETE
    if delete_gtid and restore(drill, "4 --before-gtid", "--before-gtid", delete_gtid):
        expected = {r.key: r for r in history if r.acknowledged and r.received < delete_at - 2}
        after_delete = [r for r in history if r.acknowledged and r.sent > delete_at]
        absent = {r.key for r in after_delete}
        compare(drill, "4 --before-gtid", expected, absent, prefix,
                f"{len(victims)} deleted rows back; {len(after_delete)} acknowledged after the DELETE not restored (by design)")
        service_answers(drill, "4")

    # 5. every member's data lost at once under load; restore --latest
    prefix5 = f"{prefix}-loss"
    load5 = chaos.Load(prefix5)
    load5.start()
    time.sleep(STEADY_S)
    state = archiver_state()
    loss_at = now()
    drill.say(f"5: every member's data directory lost at once (archive lag {state.get('lag_s')} s)")
    rc, out, _ = drill.stack("fault", "wipe-db", timeout=120)
    drill.check(rc == 0, "5: every member killed and its data directory deleted", out[-400:])
    time.sleep(3)
    history5 = load5.stop()
    last_archived = archiver_state().get("last_commit_us", 0) / 1e6
    if restore(drill, "5 --latest", "--latest"):
        acked = [r for r in history5 if r.acknowledged]
        expected = {r.key: r for r in acked if r.received < last_archived}
        late = [r for r in acked if r.received >= last_archived]
        back = chaos.rows_of_run(stack_config.members()[0], prefix5)
        compare(drill, "5 --latest", expected, set(), prefix5,
                f"newest archived transaction {max(0.0, loss_at - last_archived):.2f} s before the loss "
                f"(lag {state.get('lag_s')} s); {len(late)} acknowledged after it, "
                f"{sum(1 for r in late if r.key in back)} of them back anyway")
        service_answers(drill, "5")


def finish(drill):
    print()
    if hasattr(drill, "backup"):
        data, stored, secs = drill.backup
        p50b, p99b, p50d, p99d = drill.latency
        print(f"backup under load: {data / 1e6:.1f} MB of data, {stored / 1e6:.2f} MB stored, {secs:.1f} s; "
              f"latency p50/p99 before {chaos.fmt(p50b)}/{chaos.fmt(p99b)} ms, during {chaos.fmt(p50d)}/{chaos.fmt(p99d)} ms")
    if hasattr(drill, "lag"):
        print("archive lag under load (s): p50 {} p99 {} max {}".format(*(chaos.fmt(v, 2) for v in drill.lag))
              + f"; at most {chaos.fmt(getattr(drill, 'lag_after_failure', None), 2)} s after its member was killed")
    rows = [("scenario", "expected", "found", "missing", "extra", "note")] + [tuple(map(str, r)) for r in drill.table]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:5], widths)) + "  " + r[5])
    print()
    for what, secs in drill.timings:
        print(f"{what:<70} {secs:7.1f} s")
    totals = {w.split(":")[0]: s for w, s in drill.timings if w.endswith("TOTAL (RTO)")}
    for scenario, replayed, rows in drill.sizes:
        rto = totals.get(scenario)
        if rto and rows:
            print(f"{scenario}: RTO {rto:.0f} s for {rows} rows ({replayed} transactions replayed from the archive)")
    print(f"{drill.passed} passed, {drill.failed} failed")
    return 0 if drill.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
