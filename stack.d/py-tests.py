#!/usr/bin/python3
"""Runs every Python unit test of the repository in one go, without the cluster:
stack.d/tests (the fault suite's checker) and bench/tests (the benchmark's parsers).

  /usr/bin/python3 stack.d/py-tests.py [-v]

Plain `python3 -m unittest discover` cannot do it from the root: `stack.d` is no valid
package name. Each folder is discovered as its own top level, so its test modules import
as top-level modules. Exits 0 only if tests ran and all passed.
"""
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_DIRS = ("stack.d/tests", "bench/tests")


def main(argv):
    suite = unittest.TestSuite()
    for d in TEST_DIRS:
        start = str(ROOT / d)
        suite.addTests(unittest.TestLoader().discover(start_dir=start, top_level_dir=start))
    result = unittest.TextTestRunner(verbosity=2 if "-v" in argv else 1).run(suite)
    if result.testsRun == 0:
        print("no tests found", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
