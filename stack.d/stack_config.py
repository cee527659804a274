"""The local cluster's settings for the Python tools (the fault suite, the benchmark).

Every value of the cluster (hosts, their kinds and addresses, ports, the cluster's names) is
defined once in Chef (environment `local` and the cookbooks' attributes); `./stack config`
prints them merged as JSON (stack.d/config.rb). This module runs it once per process, on
first use: importing it runs nothing. No tool keeps its own copy of a value.

Python 3 standard library only; run with Debian's /usr/bin/python3.
"""

import functools
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK = str(ROOT / "stack")
CONFIG_TIMEOUT_S = 60


class ConfigError(RuntimeError):
    """`./stack config` failed or printed something that is not the cluster's settings."""


@functools.lru_cache(maxsize=None)
def settings():
    """The parsed output of `./stack config` (read once, then cached)."""
    try:
        p = subprocess.run([STACK, "config"], cwd=ROOT, capture_output=True, text=True,
                           timeout=CONFIG_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ConfigError(f"./stack config: {e}") from e
    if p.returncode != 0:
        raise ConfigError(f"./stack config exited {p.returncode}: {p.stderr.strip()}")
    try:
        config = json.loads(p.stdout)
    except ValueError as e:
        raise ConfigError(f"./stack config printed no JSON: {e}") from e
    if not (isinstance(config, dict) and isinstance(config.get("hosts"), list)
            and isinstance(config.get("ports"), dict)):
        raise ConfigError("./stack config printed no hosts and ports")
    return config


def hosts_of(kind):
    """Names of the hosts of one kind (mysql, app, lb), in the configuration's order."""
    return [h["name"] for h in settings()["hosts"] if h["kind"] == kind]


def host_address(name):
    for h in settings()["hosts"]:
        if h["name"] == name:
            return h["address"]
    raise ConfigError(f"no host {name!r} in ./stack config")


def members():
    """The MySQL Group Replication members."""
    return hosts_of("mysql")


def app_hosts():
    return hosts_of("app")


def router_of(app_host):
    """The name `./stack status` gives the MySQL Router on an app host (router-a on app-a)."""
    return "router-" + app_host.removeprefix("app-")


def edge():
    """(address, port) of the edge (nginx): the lb host's address, and Chef's edge_http port
    unless STACK_HTTP_PORT says otherwise (the port ./stack's nginx listens on; lb.sh)."""
    lb = hosts_of("lb")
    if not lb:
        raise ConfigError("no host of kind lb in ./stack config")
    port = os.environ.get("STACK_HTTP_PORT") or settings()["ports"]["edge_http"]
    return host_address(lb[0]), int(port)
