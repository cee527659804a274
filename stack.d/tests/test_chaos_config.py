"""Unit tests: the fault suite (stack.d/chaos.py) takes its members, hosts and the edge from
`./stack config`, never from a copy of its own. `./stack config` and `./stack` are replaced
by fakes; no cluster. Run with /usr/bin/python3 stack.d/py-tests.py.
"""
import io
import os
import sys
import unittest
from contextlib import redirect_stderr
from pathlib import Path
from unittest import mock

STACKD = Path(__file__).resolve().parent.parent
if str(STACKD) not in sys.path:
    sys.path.insert(0, str(STACKD))

import chaos  # noqa: E402  (after the path is set)

# Four members, other names, other addresses and ports than the local cluster's.
FAKE_CONFIG = {
    "hosts": [{"name": "m-1", "kind": "mysql", "zone": "a", "address": "192.0.2.11"},
              {"name": "m-2", "kind": "mysql", "zone": "b", "address": "192.0.2.12"},
              {"name": "m-3", "kind": "mysql", "zone": "c", "address": "192.0.2.13"},
              {"name": "m-4", "kind": "mysql", "zone": "c", "address": "192.0.2.14"},
              {"name": "app-x", "kind": "app", "zone": "b", "address": "192.0.2.21"},
              {"name": "app-y", "kind": "app", "zone": "a", "address": "192.0.2.22"},
              {"name": "edge", "kind": "lb", "zone": "a", "address": "192.0.2.1"}],
    "ports": {"edge_http": 8000},
}


class FromTheConfig(unittest.TestCase):

    def setUp(self):
        patcher = mock.patch.object(chaos.stack_config, "settings", return_value=FAKE_CONFIG)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_every_configured_member_must_answer_the_checksum(self):
        same = ("5", "42")
        self.assertTrue(chaos.sums_identical({m: same for m in ("m-1", "m-2", "m-3", "m-4")}))
        self.assertFalse(chaos.sums_identical({m: same for m in ("m-1", "m-2", "m-3")}))
        self.assertFalse(chaos.sums_identical({m: same for m in ("m-1", "m-2", "m-3", "db-a")}))

    def test_the_checker_reads_every_configured_member(self):
        run = chaos.Run(label="none-1", prefix="chaos-T-none-1", out=mock.Mock())
        asked = []

        def rows(member, sql):
            asked.append(member)
            return [["0", "0"]] if "COUNT(*)" in sql else []
        with mock.patch.object(chaos, "mysql_rows", side_effect=rows), \
                mock.patch.object(chaos, "print", create=True):
            res = chaos.check(run, [], None)
        self.assertTrue(res.identical)
        self.assertEqual(sorted(set(asked)), ["m-1", "m-2", "m-3", "m-4"])

    def test_faults_pick_the_first_app_host_and_its_router_and_repair_nothing(self):
        steps = []
        run = chaos.Run(label="t", prefix="p", out=None)
        with mock.patch.object(chaos.Run, "step", lambda self, *args: steps.append(args)):
            chaos.fault_kill_app(run)
            chaos.fault_kill_router(run)
            chaos.fault_kill_all_db(run)
        self.assertEqual(steps, [("fault", "kill", "app-x"), ("fault", "kill", "router-x"),
                                 ("fault", "kill", "m-1", "m-2", "m-3", "m-4")])
        self.assertTrue(run.outage)

    def test_the_client_sends_a_request_again_only_after_no_answer(self):
        answers = [chaos.Request(key="k", worker=0, sent=0, error="refused"),
                   chaos.Request(key="k", worker=0, sent=0, error="reset"),
                   chaos.Request(key="k", worker=0, sent=0, status=201)]
        with mock.patch.object(chaos, "post", side_effect=answers) as post, \
                mock.patch.object(chaos, "CLIENT_RETRY_PAUSE_S", 0):
            req = chaos.post_retrying("k", 0)
        self.assertEqual((req.status, req.attempts), (201, 3))
        self.assertEqual([c.args for c in post.call_args_list], [("k", 0)] * 3)
        http_error = chaos.Request(key="k", worker=0, sent=0, status=503, error="service_unavailable")
        with mock.patch.object(chaos, "post", return_value=http_error) as post:
            self.assertEqual(chaos.post_retrying("k", 0).attempts, 1)

    def test_load_goes_to_the_edge(self):
        for env, port in (("", 8000), ("8081", 8081)):
            with self.subTest(STACK_HTTP_PORT=env), \
                    mock.patch.dict(os.environ, {"STACK_HTTP_PORT": env}), \
                    mock.patch.object(chaos.http.client, "HTTPConnection") as conn:
                conn.return_value.request.side_effect = ConnectionRefusedError()
                req = chaos.post("k-1", 0)
                conn.assert_called_once_with("192.0.2.1", port, timeout=chaos.REQUEST_TIMEOUT_S)
                self.assertEqual(req.error, "refused")


class WithoutSettings(unittest.TestCase):

    def test_main_stops_before_anything_when_the_config_cannot_be_read(self):
        err = io.StringIO()
        with mock.patch.object(chaos.stack_config, "settings",
                               side_effect=chaos.stack_config.ConfigError("./stack config exited 1")), \
                mock.patch.object(chaos, "Output") as output, redirect_stderr(err):
            self.assertEqual(chaos.main([]), 2)
        output.assert_not_called()
        self.assertIn("./stack config exited 1", err.getvalue())


if __name__ == "__main__":
    unittest.main()
