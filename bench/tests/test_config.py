"""Unit tests: the benchmark (bench/bench.py) takes the members and app hosts from
`./stack config` (stack.d/stack_config.py), never from a copy of its own; the report orders
its components by what was measured. A made-up config, pid files in a scratch directory; no
cluster, no ./stack. Run with /usr/bin/python3 stack.d/py-tests.py.
"""
import os
import sys
import tempfile
import unittest
from unittest import mock

from bench_import import bench

# Other names and counts than the local cluster's: two members, three app hosts.
FAKE_CONFIG = {
    "hosts": [{"name": "m-1", "kind": "mysql", "zone": "a", "address": "192.0.2.11"},
              {"name": "m-2", "kind": "mysql", "zone": "b", "address": "192.0.2.12"},
              {"name": "app-x", "kind": "app", "zone": "a", "address": "192.0.2.21"},
              {"name": "app-y", "kind": "app", "zone": "b", "address": "192.0.2.22"},
              {"name": "app-z", "kind": "app", "zone": "c", "address": "192.0.2.23"},
              {"name": "lb", "kind": "lb", "zone": "a", "address": "192.0.2.1"}],
    "ports": {"edge_http": 8000},
}


class FromTheConfig(unittest.TestCase):

    def setUp(self):
        patcher = mock.patch.object(bench.stack_config, "settings", return_value=FAKE_CONFIG)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_components_of_the_configured_hosts(self):
        with tempfile.TemporaryDirectory() as state:
            files = ["m-1/mysqld.pid", "m-2/mysqld.pid", "app-x/router.pid", "app-z/router.pid",
                     "app-x/app.pid", "app-y/app.pid", "app-z/app.pid", "lb/nginx.pid",
                     "app-y/bench-peer.pid", "db-a/mysqld.pid"]   # db-a: not in the config
            for f in files:
                os.makedirs(os.path.join(state, os.path.dirname(f)), exist_ok=True)
                with open(os.path.join(state, f), "w", encoding="ascii") as out:
                    out.write(f"{os.getpid()}\n")
            found = bench.components(state)
        self.assertEqual(list(found), ["m-1", "m-2", "router-x", "router-z", "app-x", "app-y", "app-z",
                                       "nginx", "peer-y"])
        self.assertEqual(set(found.values()), {os.getpid()})

    def test_rows_are_counted_on_every_configured_member(self):
        asked = []

        def query(state, member, sql, args=None):
            asked.append(member)
            return [(7,)]
        with mock.patch.object(bench, "query", side_effect=query):
            self.assertEqual(bench.count_rows("/state", "timestamp_record", "bench-1"), {"m-1": 7, "m-2": 7})
        self.assertEqual(asked, ["m-1", "m-2"])


class WithoutSettings(unittest.TestCase):

    def test_a_step_stops_before_measuring_when_the_config_cannot_be_read(self):
        argv = ["bench.py", "step", "--state", "/s", "--out", "/o", "--label", "l", "--kind", "app",
                "--concurrency", "1", "--duration", "1", "--table", "t", "--key-prefix", "p", "--", "true"]
        with mock.patch.object(bench.stack_config, "settings",
                               side_effect=bench.stack_config.ConfigError("./stack config exited 1")), \
                mock.patch.object(sys, "argv", argv), mock.patch.object(bench, "cmd_step") as step, \
                mock.patch.object(sys, "stderr"):
            with self.assertRaises(SystemExit) as e:
                bench.main()
        self.assertEqual(e.exception.code, 2)
        step.assert_not_called()


class Report(unittest.TestCase):

    def test_component_names_in_measured_order_load_last(self):
        steps = [{"cpu_pct": {"m-1": 1, "router-x": 1, "app-x": 1, "nginx": 1, "load": 1}},
                 {"cpu_pct": {"m-1": 1, "router-x": 1, "app-x": 1, "nginx": 1, "peer-x": 1, "load": 1}},
                 {}]
        self.assertEqual(bench.component_names(steps), ["m-1", "router-x", "app-x", "nginx", "peer-x", "load"])
        self.assertEqual(bench.component_names([]), [])


if __name__ == "__main__":
    unittest.main()
