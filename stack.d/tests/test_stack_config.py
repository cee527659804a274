"""Unit tests of stack.d/stack_config.py: the Python tools read the cluster's settings from
`./stack config` once, lazily, and derive members, app hosts and the edge from them.

No cluster: `./stack config` is replaced by a made-up answer, except in one test that runs
the real one (it only renders Chef's attributes with Ruby; skipped without Ruby). Run from
the repository root with
  /usr/bin/python3 stack.d/py-tests.py                      (every Python unit test)
  /usr/bin/python3 -m unittest discover -s stack.d/tests    (these only)
"""
import json
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path
from unittest import mock

STACKD = Path(__file__).resolve().parent.parent
if str(STACKD) not in sys.path:
    sys.path.insert(0, str(STACKD))

import stack_config  # noqa: E402  (after the path is set)

FAKE_CONFIG = {
    "environment": "test",
    "hosts": [{"name": "m-1", "kind": "mysql", "zone": "a", "address": "192.0.2.11"},
              {"name": "m-2", "kind": "mysql", "zone": "b", "address": "192.0.2.12"},
              {"name": "app-x", "kind": "app", "zone": "a", "address": "192.0.2.21"},
              {"name": "app-y", "kind": "app", "zone": "b", "address": "192.0.2.22"},
              {"name": "edge", "kind": "lb", "zone": "a", "address": "192.0.2.1"}],
    "ports": {"mysql": 13306, "router_rw": 16446, "app_http": 18080, "edge_http": 8000},
}


def answer(stdout="", returncode=0, stderr=""):
    return subprocess.CompletedProcess(args=["stack", "config"], returncode=returncode,
                                       stdout=stdout, stderr=stderr)


class ReadOnce(unittest.TestCase):

    def setUp(self):
        stack_config.settings.cache_clear()
        self.addCleanup(stack_config.settings.cache_clear)

    def run_with(self, result):
        return mock.patch.object(stack_config.subprocess, "run", return_value=result)

    def test_runs_stack_config_once(self):
        with self.run_with(answer(json.dumps(FAKE_CONFIG))) as run:
            self.assertEqual(stack_config.members(), ["m-1", "m-2"])
            self.assertEqual(stack_config.app_hosts(), ["app-x", "app-y"])
            self.assertEqual(stack_config.host_address("app-y"), "192.0.2.22")
        run.assert_called_once()
        self.assertEqual(run.call_args.args[0], [stack_config.STACK, "config"])

    def test_failure_is_a_config_error(self):
        cases = {"exit": answer(returncode=1, stderr="error: reading chef/ failed"),
                 "not json": answer("==> something else"),
                 "no hosts": answer(json.dumps({"ports": {}})),
                 "not an object": answer("[]")}
        for what, result in cases.items():
            with self.subTest(what), self.run_with(result):
                stack_config.settings.cache_clear()
                with self.assertRaises(stack_config.ConfigError):
                    stack_config.settings()

    def test_stack_that_cannot_run_is_a_config_error(self):
        with mock.patch.object(stack_config.subprocess, "run", side_effect=FileNotFoundError("stack")):
            with self.assertRaises(stack_config.ConfigError):
                stack_config.members()


class Derived(unittest.TestCase):

    def setUp(self):
        patcher = mock.patch.object(stack_config, "settings", return_value=FAKE_CONFIG)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_edge_is_the_lb_host_at_the_edge_http_port(self):
        with mock.patch.dict(os.environ, {"STACK_HTTP_PORT": ""}):
            self.assertEqual(stack_config.edge(), ("192.0.2.1", 8000))

    def test_stack_http_port_overrides_the_edge_port(self):
        with mock.patch.dict(os.environ, {"STACK_HTTP_PORT": "8081"}):
            self.assertEqual(stack_config.edge(), ("192.0.2.1", 8081))

    def test_router_is_named_after_its_app_host(self):
        self.assertEqual(stack_config.router_of("app-y"), "router-y")

    def test_unknown_host(self):
        with self.assertRaises(stack_config.ConfigError):
            stack_config.host_address("db-a")


@unittest.skipUnless(shutil.which("ruby"), "./stack config needs Ruby")
class RealConfig(unittest.TestCase):
    """The real `./stack config` (Chef's attributes, rendered; no cluster) has what the tools read."""

    def test_shape(self):
        stack_config.settings.cache_clear()
        self.addCleanup(stack_config.settings.cache_clear)
        config = stack_config.settings()
        kinds = {h["kind"] for h in config["hosts"]}
        self.assertLessEqual({"mysql", "app", "lb"}, kinds)
        for h in config["hosts"]:
            self.assertLessEqual({"name", "kind", "zone", "address"}, set(h), h)
        self.assertIsInstance(config["ports"]["edge_http"], int)
        address, port = stack_config.edge()
        self.assertTrue(address and port > 0)


if __name__ == "__main__":
    unittest.main()
