"""Unit tests of the fault suite's checker (stack.d/chaos.py): judge(), the members'
checksum comparison and Result.passed, on made-up histories and made-up member rows.

No cluster, no ./stack, no network: run from the repository root with
  /usr/bin/python3 py-tests.py                            (every Python unit test)
  /usr/bin/python3 -m unittest discover -s stack.d/tests  (these only)
"""
import json
import subprocess
import sys
import unittest
from pathlib import Path
from unittest import mock

STACKD = Path(__file__).resolve().parent.parent
if str(STACKD) not in sys.path:
    sys.path.insert(0, str(STACKD))

import chaos  # noqa: E402  (after the path is set)

# The cluster as `./stack config` would print it: made up (these tests run no ./stack), with
# member names that are not the local cluster's, so nothing here can lean on a copy of them.
FAKE_CONFIG = {
    "hosts": [{"name": "m-1", "kind": "mysql", "zone": "a", "address": "192.0.2.11"},
              {"name": "m-2", "kind": "mysql", "zone": "b", "address": "192.0.2.12"},
              {"name": "m-3", "kind": "mysql", "zone": "c", "address": "192.0.2.13"},
              {"name": "app-x", "kind": "app", "zone": "a", "address": "192.0.2.21"},
              {"name": "edge", "kind": "lb", "zone": "a", "address": "192.0.2.1"}],
    "ports": {"edge_http": 8000},
}
MEMBERS = tuple(h["name"] for h in FAKE_CONFIG["hosts"] if h["kind"] == "mysql")
A, B, C = MEMBERS
_fake_settings = mock.patch.object(chaos.stack_config, "settings", return_value=FAKE_CONFIG)


def setUpModule():
    _fake_settings.start()


def tearDownModule():
    _fake_settings.stop()


SAME_SUMS = {m: ("3", "123456") for m in MEMBERS}
T0 = 1_700_000_000.0


def acked(key, n, sent=None, replayed=False):
    """A 201 as the client saw it; its row is row(n)."""
    rid, ts = row(n)
    return chaos.Request(key=key, worker=0, sent=sent if sent is not None else T0 + n,
                         received=(sent if sent is not None else T0 + n) + 0.01, status=201,
                         id=rid, timestamp=ts, instance="app-a", replayed=replayed)


def failed(key, status=None, error="", sent=T0):
    """A request without a 201: an HTTP error answer (status) or none at all (error)."""
    return chaos.Request(key=key, worker=1, sent=sent, received=sent + 0.5, status=status,
                         error=error)


def row(n):
    """(id, recorded_at) of the n-th made-up row, as rows_of_run reads them (lower-case id)."""
    return (f"0190a6b2-0000-7000-8000-{n:012x}", f"2024-07-01T12:00:{n:02d}.000123Z")


def stored(*reqs):
    """One member's rows holding exactly the acknowledged requests' rows, once each."""
    rows = {}
    for r in reqs:
        rows[r.key] = [(r.id.lower(), r.timestamp)]
    return rows


def everywhere(rows):
    """The same rows on every member (copies, so a test can change one member)."""
    return {m: {k: list(v) for k, v in rows.items()} for m in MEMBERS}


def make_run(**kw):
    run = chaos.Run(label="kill-app-1", prefix="chaos-T-kill-app-1", out=None)
    for k, v in kw.items():
        setattr(run, k, v)
    return run


def verdict(history, rows_by_member, run=None, recovered_at=None, sums=None):
    """judge() plus the members' checksum comparison, as check() combines them."""
    res = chaos.judge(history, rows_by_member, run or make_run(), recovered_at)
    res.identical = chaos.sums_identical(SAME_SUMS if sums is None else sums)
    return res


class Passing(unittest.TestCase):
    """Runs the checker must let pass."""

    def test_clean_run(self):
        history = [acked(f"k-{n}", n) for n in range(1, 4)]
        res = verdict(history, everywhere(stored(*history)))
        self.assertTrue(res.passed, res)
        self.assertEqual((res.sent, res.acked, res.lost, res.duplicated, res.unacked_rows),
                         (3, 3, 0, 0, 0))
        self.assertEqual(res.errors, {})
        self.assertEqual(res.findings, [])

    def test_empty_run(self):
        res = verdict([], everywhere({}))
        self.assertTrue(res.passed, res)
        self.assertEqual((res.sent, res.acked), (0, 0))

    def test_refused_during_the_deliberate_stop_without_a_row(self):
        # full-restart: no answer while the cluster is deliberately down is counted apart.
        ok = acked("k-1", 1, sent=T0)
        refused = failed("k-2", error="refused", sent=T0 + 10)
        run = make_run(stop_window=(T0 + 5, T0 + 20))
        res = verdict([ok, refused], everywhere(stored(ok)), run)
        self.assertTrue(res.passed, res)
        self.assertEqual((res.stopped, res.errors, res.unacked_rows), (1, {}, 0))

    def test_json_503_during_a_total_outage_is_counted_apart(self):
        # kill-all-db: no member can take a write until the group re-forms; nginx's or the
        # app's JSON 503 in that window is unavailability the suite reports, not an error.
        ok = acked("k-1", 1, sent=T0)
        down = failed("k-2", status=503, error="service_unavailable", sent=T0 + 10)
        run = make_run(outage=True, fault_at=T0 + 5)
        res = verdict([ok, down], everywhere(stored(ok)), run, recovered_at=T0 + 40)
        self.assertTrue(res.passed, res)
        self.assertEqual((res.unavailable, res.errors), (1, {}))

    def test_row_of_an_unacknowledged_request_is_reported_not_failed(self):
        # A request that reached the database but whose answer never came back (here in the
        # stop window, so not an error either): its row is allowed, and counted.
        ok = acked("k-1", 1, sent=T0)
        lost_answer = failed("k-2", error="reset", sent=T0 + 10)
        rows = stored(ok)
        rows["k-2"] = [row(2)]
        res = verdict([ok, lost_answer], everywhere(rows), make_run(stop_window=(T0, T0 + 20)))
        self.assertTrue(res.passed, res)
        self.assertEqual((res.unacked_rows, res.lost, res.duplicated), (1, 0, 0))
        self.assertEqual(sorted(m for k, m, _ in res.findings if k == "k-2"), sorted(MEMBERS))

    def test_replayed_answer_of_the_same_key_stored_once(self):
        # A retry with the same key (inside nginx or the app) answers the first record again.
        first = acked("k-1", 1, sent=T0)
        again = acked("k-1", 1, sent=T0 + 1, replayed=True)
        res = verdict([first, again], everywhere(stored(first)))
        self.assertTrue(res.passed, res)
        self.assertEqual((res.sent, res.acked, res.replayed, res.duplicated), (2, 1, 1, 0))

    def test_answered_id_in_upper_case_matches_the_stored_lower_case_uuid(self):
        r = acked("k-1", 1)
        rows = stored(r)            # BIN_TO_UUID gives lower case
        r.id = r.id.upper()
        res = verdict([r], everywhere(rows))
        self.assertTrue(res.passed, res)

    def test_latency_window_and_recovery_time(self):
        # Latencies count from the fault to the later of recovery and the end of the actions.
        before = acked("k-1", 1, sent=T0)
        during = [acked(f"k-{n}", n, sent=T0 + 10 + n) for n in range(2, 6)]
        after = acked("k-9", 9, sent=T0 + 60)
        for i, r in enumerate(during):
            r.received = r.sent + (i + 1) * 0.1        # 100, 200, 300, 400 ms
        before.received = after.received = T0 + 1000  # huge, but outside the window
        history = [before, *during, after]
        run = make_run(fault_at=T0 + 10, actions_done_at=T0 + 20)
        res = verdict(history, everywhere(stored(*history)), run, recovered_at=T0 + 40)
        self.assertTrue(res.passed, res)
        self.assertAlmostEqual(res.p99_ms, 400, places=2)
        self.assertAlmostEqual(res.max_ms, 400, places=2)
        self.assertAlmostEqual(res.recover_s, 30)

    def test_no_fault_no_latency_window(self):
        r = acked("k-1", 1)
        res = verdict([r], everywhere(stored(r)), make_run(), recovered_at=None)
        self.assertTrue(res.passed, res)
        self.assertEqual((res.p99_ms, res.max_ms, res.recover_s), (None, None, None))

    def test_not_recovered_yet_the_window_runs_until_now(self):
        r = acked("k-1", 1, sent=T0 + 15)
        run = make_run(fault_at=T0 + 10, actions_done_at=T0 + 12)
        with mock.patch.object(chaos, "now", return_value=T0 + 30):
            res = chaos.judge([r], everywhere(stored(r)), run, None)
        self.assertIsNone(res.recover_s)
        self.assertAlmostEqual(res.max_ms, 10, places=2)

    def test_percentile(self):
        self.assertIsNone(chaos.percentile([], 0.99))
        self.assertEqual(chaos.percentile([5], 0.99), 5)
        self.assertEqual(chaos.percentile(list(range(100, 0, -1)), 0.99), 99)
        self.assertEqual(chaos.percentile(list(range(1, 101)), 0.5), 50)


class Failing(unittest.TestCase):
    """Runs the checker must fail; each check of judge() and of Result.passed at least once."""

    def setUp(self):
        self.history = [acked(f"k-{n}", n) for n in range(1, 4)]
        self.rows = everywhere(stored(*self.history))

    def assertFailed(self, res):
        self.assertFalse(res.passed, res)

    def test_acknowledged_write_missing_on_one_member(self):
        del self.rows[C]["k-2"]
        res = verdict(self.history, self.rows)
        self.assertFailed(res)
        self.assertEqual(res.lost, 1)
        self.assertEqual([(k, m) for k, m, _ in res.findings], [("k-2", C)])

    def test_acknowledged_write_missing_everywhere_counts_once(self):
        for m in MEMBERS:
            del self.rows[m]["k-1"]
        res = verdict(self.history, self.rows)
        self.assertFailed(res)
        self.assertEqual(res.lost, 1)
        self.assertEqual(len(res.findings), 3)

    def test_acknowledged_id_differs_from_the_stored_one(self):
        self.rows[A]["k-3"] = [row(33)[:1] + row(3)[1:]]   # other id, same timestamp
        res = verdict(self.history, self.rows)
        self.assertFailed(res)
        self.assertEqual(res.lost, 1)

    def test_acknowledged_timestamp_differs_from_the_stored_one(self):
        self.rows[B]["k-3"] = [row(3)[:1] + row(33)[1:]]   # same id, other timestamp
        res = verdict(self.history, self.rows)
        self.assertFailed(res)
        self.assertEqual(res.lost, 1)

    def test_duplicate_rows_of_one_key(self):
        self.rows[A]["k-1"].append(row(11))
        res = verdict(self.history, self.rows)
        self.assertFailed(res)
        self.assertEqual((res.duplicated, res.lost), (1, 0))
        self.assertEqual([(k, m) for k, m, _ in res.findings], [("k-1", A)])

    def test_duplicate_rows_of_an_unacknowledged_key(self):
        rows = everywhere({"k-9": [row(9), row(10)]})
        res = verdict([failed("k-9", error="refused")], rows, make_run(stop_window=(T0, T0 + 1)))
        self.assertFailed(res)
        self.assertEqual((res.duplicated, res.unacked_rows, res.errors), (1, 1, {}))

    def test_client_visible_http_error(self):
        history = self.history + [failed("k-4", status=503, sent=T0 + 4)]
        res = verdict(history, self.rows)
        self.assertFailed(res)
        self.assertEqual(res.errors, {"503": 1})
        self.assertEqual((res.lost, res.unacked_rows, res.stopped), (0, 0, 0))

    def test_client_visible_connection_error(self):
        history = self.history + [failed("k-4", error="reset"), failed("k-5", error="timeout")]
        res = verdict(history, self.rows)
        self.assertFailed(res)
        self.assertEqual(res.errors, {"reset": 1, "timeout": 1})

    def test_failed_request_without_a_row_outside_any_stop_window(self):
        # Not acknowledged, nothing stored: nothing lost, but the client saw the failure.
        history = self.history + [failed("k-4", error="refused")]
        res = verdict(history, self.rows)
        self.assertFailed(res)
        self.assertEqual((res.lost, res.unacked_rows, res.errors), (0, 0, {"refused": 1}))

    def test_no_answer_outside_the_stop_window_is_an_error(self):
        run = make_run(stop_window=(T0 + 100, T0 + 200))
        history = self.history + [failed("k-4", error="refused", sent=T0 + 99)]
        res = verdict(history, self.rows, run)
        self.assertFailed(res)
        self.assertEqual((res.stopped, res.errors), (0, {"refused": 1}))

    def test_http_error_inside_the_stop_window_is_an_error(self):
        # Only "no answer at all" is excused by the deliberate stop; an answer is an answer.
        run = make_run(stop_window=(T0, T0 + 100))
        history = self.history + [failed("k-4", status=502, sent=T0 + 50)]
        res = verdict(history, self.rows, run)
        self.assertFailed(res)
        self.assertEqual((res.stopped, res.errors), (0, {"502": 1}))

    def test_outage_excuses_neither_other_errors_nor_503_after_recovery(self):
        run = make_run(outage=True, fault_at=T0)
        history = self.history + [failed("k-4", status=503, error="service_unavailable", sent=T0 + 50),
                                  failed("k-5", error="reset", sent=T0 + 10),
                                  failed("k-6", status=500, error="internal", sent=T0 + 10)]
        res = verdict(history, self.rows, run, recovered_at=T0 + 40)
        self.assertFailed(res)
        self.assertEqual((res.unavailable, res.errors), (0, {"503": 1, "reset": 1, "500": 1}))

    def test_a_503_outside_a_total_outage_is_an_error(self):
        history = self.history + [failed("k-4", status=503, error="service_unavailable", sent=T0 + 4)]
        res = verdict(history, self.rows, make_run(fault_at=T0), recovered_at=T0 + 40)
        self.assertFailed(res)
        self.assertEqual((res.unavailable, res.errors), (0, {"503": 1}))

    def test_members_disagree(self):
        # judge() compares each member with the history; members that differ in rows no
        # acknowledged request covers are caught by the checksums only.
        ok = acked("k-1", 1, sent=T0)
        stray = failed("k-2", error="refused", sent=T0 + 10)
        rows = everywhere(stored(ok))
        rows[A]["k-2"] = [row(2)]
        run = make_run(stop_window=(T0 + 5, T0 + 20))
        sums = {A: ("2", "777"), B: ("1", "555"), C: ("1", "555")}
        res = verdict([ok, stray], rows, run, sums=sums)
        self.assertFailed(res)
        self.assertFalse(res.identical)
        self.assertEqual((res.lost, res.duplicated, res.errors), (0, 0, {}))

    def test_members_same_count_different_checksum(self):
        sums = dict(SAME_SUMS, **{B: ("3", "654321")})
        self.assertFailed(verdict(self.history, self.rows, sums=sums))

    def test_a_member_did_not_answer_the_checksum(self):
        sums = {m: SAME_SUMS[m] for m in (A, B)}
        self.assertFailed(verdict(self.history, self.rows, sums=sums))
        self.assertFailed(verdict(self.history, self.rows, sums={}))

    def test_a_note_of_the_run_fails_it(self):
        # A failed ./stack step, no recovery in time, or a member whose rows could not be read.
        run = make_run(notes=["./stack up exited 1: boom"])
        res = verdict(self.history, self.rows, run)
        self.assertFailed(res)
        self.assertEqual(res.notes, ["./stack up exited 1: boom"])
        self.assertEqual((res.lost, res.duplicated, res.errors), (0, 0, {}))

    def test_judge_alone_does_not_claim_identical(self):
        # check() sets identical from the checksums; judge() by itself never passes a run.
        res = chaos.judge(self.history, self.rows, make_run(), None)
        self.assertFalse(res.identical)
        self.assertFalse(res.passed)


class ImportHasNoSideEffects(unittest.TestCase):

    def test_import_runs_nothing(self):
        # A fresh interpreter imports chaos under an audit hook: no process, no socket, no file
        # opened for writing, no directory made, no thread started, nothing printed.
        code = f"""
import json, os, sys, threading
seen = []
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
def hook(event, args):
    if event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.fork",
                 "socket.connect", "socket.bind", "os.mkdir", "os.remove", "os.rename",
                 "shutil.rmtree"):
        seen.append(event)
    elif event == "open" and (any(c in str(args[1] or "") for c in "wax+")
                              or (isinstance(args[2], int) and args[2] & WRITE)):
        seen.append(f"open for writing {{args[0]}}")
sys.addaudithook(hook)
sys.path.insert(0, {str(STACKD)!r})
import chaos
print(json.dumps({{"seen": seen, "threads": threading.active_count()}}))
"""
        p = subprocess.run([sys.executable, "-B", "-c", code], capture_output=True, text=True,
                           timeout=60, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"seen": [], "threads": 1})
        self.assertEqual(p.stderr, "")


if __name__ == "__main__":
    unittest.main()
