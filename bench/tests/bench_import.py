"""Makes bench/bench.py importable by the unit tests: its folder on the path and, where
Debian's python3-mysqldb is not installed, a stand-in MySQLdb (bench.py imports it at the
top; the unit tests reach no database). `from bench_import import bench` in a test."""
import importlib.util
import sys
import types
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
if "MySQLdb" not in sys.modules and importlib.util.find_spec("MySQLdb") is None:
    stub = types.ModuleType("MySQLdb")
    stub.Error = type("Error", (Exception,), {})

    def _no_database(*args, **kwargs):
        raise stub.Error("stand-in MySQLdb of the unit tests: no database")
    stub.connect = _no_database
    sys.modules["MySQLdb"] = stub

import bench  # noqa: E402  (after the path and MySQLdb are set)

__all__ = ["BENCH", "bench"]
