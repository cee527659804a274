"""Unit tests of the benchmark's parsers (bench/bench.py): wrk's output with post.lua's
BENCH-RESULT line, sysbench's output, /proc/PID/stat and /proc/stat lines, the /proc
sampler's CPU and RSS arithmetic, and pid files. Made-up outputs, good and malformed: a
malformed one must be rejected (an exception), never read as zeros.

No cluster, no load tool, no MySQL (a stand-in MySQLdb module is used when Debian's
python3-mysqldb is not installed): run from the repository root with
  /usr/bin/python3 py-tests.py                          (every Python unit test)
  /usr/bin/python3 -m unittest discover -s bench/tests  (these only)
"""
import json
import os
import re
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from bench_import import BENCH, bench

WRK_FIELDS = {"duration_us": 2_001_234, "requests": 5200, "status_errors": 3, "connect_errors": 1,
              "read_errors": 2, "write_errors": 0, "timeouts": 4, "p50_us": 2_500, "p90_us": 4_100,
              "p99_us": 9_870, "max_us": 12_400, "mean_us": 3120.5}

WRK_TEXT = """Running 2s test @ http://127.0.0.1:80/app
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.12ms    1.02ms  12.40ms   80.00%
    Req/Sec     1.30k   100.00     1.50k    70.00%
  5200 requests in 2.00s, 1.20MB read
  Socket errors: connect 1, read 2, write 0, timeout 4
  Non-2xx or 3xx responses: 3
Requests/sec:   2600.00
Transfer/sec:    614.40KB
{result}
"""


def wrk_output(line=None, **changes):
    fields = dict(WRK_FIELDS, **changes)
    return WRK_TEXT.format(result=line if line is not None else "BENCH-RESULT " + json.dumps(fields))


SYSBENCH = """sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)

Running the test with following options:
Number of threads: 8
Initializing random number generator from current time


Initializing worker threads...

Threads started!

Latency histogram (values are in milliseconds)
       value  ------------- distribution ------------- count
       1.000 |****************************************  50
       2.000 |********************************          40
       5.025 |*******                                   9
      10.090 |*                                         1

SQL statistics:
    queries performed:
        read:                            0
        write:                           100
        other:                           0
        total:                           100
    transactions:                        100    (4.99 per sec.)
    queries:                             100    (4.99 per sec.)
    ignored errors:                      2      (0.10 per sec.)
    reconnects:                          1      (0.05 per sec.)

General statistics:
    total time:                          20.0312s
    total number of events:              100

Latency (ms):
         min:                                    0.85
         avg:                                    1.90
         max:                                   10.12
         95th percentile:                        5.00
         sum:                                  190.00

Threads fairness:
    events (avg/stddev):           12.5000/0.50
    execution time (avg/stddev):   0.0237/0.00

"""

# A /proc/PID/stat line as Linux writes it (taken from a real one): pid 4242, ppid 17,
# utime 150, stime 30, rss 387 pages. COMM stands for the command name in parentheses.
PROC_STAT = ("4242 (COMM) S 17 4242 3350 0 -1 4194304 99 0 0 0 150 30 0 0 20 0 1 0 39066 "
             "3133440 387 18446744073709551615 93880716472320 93880716492201 140726611278832 "
             "0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 93880716508208 93880716509824 93881421017088 "
             "140726611282462 140726611282482 140726611282482 140726611283947 0\n")
CPU_LINE = "cpu  21161 0 12796 42987 414 0 756 0 0 0\n"


class ParseWrk(unittest.TestCase):

    def test_result_line_among_wrks_own_output(self):
        r = bench.parse_wrk(wrk_output())
        self.assertEqual(r, {
            "duration_s": 2.001234, "ok": 5197, "errors": 3 + 7, "errors_non2xx": 3,
            "errors_socket": 1 + 2 + 0 + 4, "p50_ms": 2.5, "p90_ms": 4.1, "p99_ms": 9.87,
            "max_ms": 12.4})

    def test_post_lua_prints_what_parse_wrk_reads(self):
        # The contract between bench/post.lua's done() and parse_wrk: render the Lua format
        # string (its %d and %.1f mean the same in Python) and read it back.
        lua = (BENCH / "post.lua").read_text()
        m = re.search(r"string\.format\(\s*((?:'[^']*'\s*(?:\.\.\s*)?)+),", lua)
        self.assertIsNotNone(m, "no string.format('...' .. '...', ...) in post.lua")
        fmt = "".join(re.findall(r"'([^']*)'", m.group(1))).replace("\\n", "\n")
        n = len(re.findall(r"%[-0-9.]*[df]", fmt))
        line = fmt % tuple(range(1000, 1000 + n))
        self.assertTrue(line.startswith("BENCH-RESULT {") and line.endswith("}\n"), line)
        self.assertLessEqual({"duration_us", "requests", "status_errors", "connect_errors",
                              "read_errors", "write_errors", "timeouts", "p50_us", "p90_us",
                              "p99_us", "max_us"}, set(json.loads(line.split(" ", 1)[1])))
        r = bench.parse_wrk("Running 2s test @ http://127.0.0.1/app\n" + line)
        self.assertGreater(r["duration_s"], 0)

    def test_all_failed_is_counted_not_hidden(self):
        r = bench.parse_wrk(wrk_output(requests=10, status_errors=10, timeouts=5))
        self.assertEqual((r["ok"], r["errors"], r["errors_non2xx"]), (0, 10 + 8, 10))

    def test_no_result_line(self):
        # e.g. wrk could not connect at all, or the script failed before done()
        with self.assertRaisesRegex(ValueError, "no BENCH-RESULT line"):
            bench.parse_wrk("unable to connect to 127.0.0.1:80 Connection refused\n")
        with self.assertRaises(ValueError):
            bench.parse_wrk("")

    def test_result_not_at_the_start_of_a_line(self):
        with self.assertRaises(ValueError):
            bench.parse_wrk(wrk_output(line="x BENCH-RESULT " + json.dumps(WRK_FIELDS)))

    def test_result_that_is_not_json(self):
        for bad in ("BENCH-RESULT {duration_us: 1}", "BENCH-RESULT {\"requests\":-nan}",
                    'BENCH-RESULT {"duration_us":2001234,"requests":52'):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                bench.parse_wrk(wrk_output(line=bad))

    def test_result_missing_a_field(self):
        # Rejected, though as KeyError: cmd_step catches only ValueError (see the report).
        fields = dict(WRK_FIELDS)
        del fields["timeouts"]
        with self.assertRaises(KeyError):
            bench.parse_wrk(wrk_output(line="BENCH-RESULT " + json.dumps(fields)))

    def test_result_with_a_field_that_is_not_a_number(self):
        for field, value in (("requests", None), ("p99_us", "9870"), ("duration_us", [1])):
            with self.subTest(field=field), self.assertRaises(TypeError):
                bench.parse_wrk(wrk_output(**{field: value}))


class ParseSysbench(unittest.TestCase):

    def test_full_output_with_histogram(self):
        r = bench.parse_sysbench(SYSBENCH)
        self.assertEqual(r, {
            "duration_s": 20.0312, "ok": 100, "errors": 3, "errors_non2xx": 0, "errors_socket": 3,
            "p50_ms": 1.0, "p90_ms": 2.0, "p99_ms": 5.025, "max_ms": 10.12})

    def test_percentiles_from_the_histogram_counts(self):
        hist = ("       0.500 |**  1\n" + "       0.700 |****  97\n" + "       3.000 |*  1\n"
                + "      20.000 |*  1\n")
        r = bench.parse_sysbench(SYSBENCH.replace(SYSBENCH[SYSBENCH.index("       1.000"):
                                                           SYSBENCH.index("\nSQL statistics")], hist))
        self.assertEqual((r["p50_ms"], r["p90_ms"], r["p99_ms"]), (0.7, 0.7, 3.0))

    def test_without_histogram_percentiles_are_unknown_not_zero(self):
        start, end = SYSBENCH.index("Latency histogram"), SYSBENCH.index("SQL statistics")
        r = bench.parse_sysbench(SYSBENCH[:start] + SYSBENCH[end:])
        self.assertEqual((r["p50_ms"], r["p90_ms"], r["p99_ms"]), (None, None, None))
        self.assertEqual((r["ok"], r["max_ms"]), (100, 10.12))

    def test_each_required_line_missing(self):
        for line in ("    transactions:", "    ignored errors:", "    reconnects:", "    total time:",
                     "         max:"):
            broken = "\n".join(x for x in SYSBENCH.splitlines() if not x.startswith(line))
            with self.subTest(missing=line.strip()), self.assertRaisesRegex(ValueError, "sysbench output lacks"):
                bench.parse_sysbench(broken)

    def test_failed_run(self):
        out = ("sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)\n\n"
               "FATAL: unable to connect to MySQL server on host '127.0.0.1', port 6446, "
               "aborting...\nFATAL: error 2003: Can't connect to MySQL server\n")
        with self.assertRaises(ValueError):
            bench.parse_sysbench(out)
        with self.assertRaises(ValueError):
            bench.parse_sysbench("")

    def test_malformed_numbers(self):
        for old, new in (("20.0312s", "20.03.12s"), ("10.12\n", "1.0.12\n"),
                         ("       2.000 |", "       2.0.0 |")):
            with self.subTest(bad=new.strip()), self.assertRaises(ValueError):
                bench.parse_sysbench(SYSBENCH.replace(old, new))


class ParseProc(unittest.TestCase):

    def test_proc_pid_stat(self):
        self.assertEqual(bench.parse_proc_stat(PROC_STAT.replace("COMM", "mysqld")),
                         (17, 150 + 30, 387 * bench.PAGE))

    def test_command_name_with_spaces_and_parentheses(self):
        self.assertEqual(bench.parse_proc_stat(PROC_STAT.replace("COMM", "a) (b c)")),
                         (17, 180, 387 * bench.PAGE))

    def test_this_process(self):
        ppid, ticks, rss = bench.parse_proc_stat(Path("/proc/self/stat").read_text())
        self.assertEqual(ppid, os.getppid())   # /proc/self is the reading process: this one
        self.assertGreater(rss, 0)

    def test_malformed_proc_pid_stat(self):
        line = PROC_STAT.replace("COMM", "x")
        for bad in ("", "4242 (x S 17 4242", line[:line.index(" 150 ")],
                    line.replace(" 150 ", " abc "), line.replace(" 387 ", " 3.5 ")):
            with self.subTest(bad=bad[:40]), self.assertRaises((IndexError, ValueError)):
                bench.parse_proc_stat(bad)

    def test_proc_stat_cpu_line(self):
        total = 21161 + 0 + 12796 + 42987 + 414 + 0 + 756 + 0
        self.assertEqual(bench.parse_cpu_line(CPU_LINE), (total - 42987 - 414, total))

    def test_guest_columns_are_not_counted_twice(self):
        # guest and guest_nice (9th, 10th) are already inside user and nice
        self.assertEqual(bench.parse_cpu_line("cpu  1 2 3 4 5 6 7 8 1000 1000"), (36 - 9, 36))

    def test_malformed_proc_stat_cpu_line(self):
        for bad in ("", "cpu", "cpu  1 2 3", "cpu  1 2 x 4 5 6 7 8", "cpu  1 2 3 4.5 5 6 7 8"):
            with self.subTest(bad=bad), self.assertRaises((IndexError, ValueError)):
                bench.parse_cpu_line(bad)

    def test_this_machine(self):
        busy, total = bench.host_busy_ticks()
        self.assertGreater(total, 0)
        self.assertLessEqual(busy, total)


class SamplerArithmetic(unittest.TestCase):
    """CPU % and RSS of each component's process tree from successive proc tables."""

    MIB = 2**20

    def sampler(self, tables, roots):
        s = bench.Sampler(roots, 1.0)
        with mock.patch.object(bench, "proc_table", side_effect=tables):
            for _ in tables:
                s.sample()
        return s

    def test_trees_cpu_and_rss(self):
        mib = self.MIB
        first = {100: (1, 100, 10 * mib), 101: (100, 50, 5 * mib), 200: (1, 0, 1 * mib),
                 300: (1, 999, 99 * mib)}                                    # 300: not ours
        second = {100: (1, 300, 12 * mib), 101: (100, 150, 5 * mib), 102: (101, 20, 1 * mib),
                  200: (1, 100, 1 * mib), 300: (1, 5000, 99 * mib)}          # 102: new grandchild
        s = self.sampler([first, second], {"db-a": 100, "app-a": 200})
        s.t0, s.t1, s.host0, s.host1 = 0.0, 2.0, (0, 0), (100, 400)
        with mock.patch.object(bench, "CLK_TCK", 100), mock.patch.object(bench, "NCPU", 2):
            r = s.result()
        self.assertEqual(r, {
            "cpu_pct": {"db-a": 150.0, "app-a": 50.0},   # (200 + 100 + 0) / 100 / 2 s; 100 / 100 / 2 s
            "rss_mib_max": {"db-a": 18.0, "app-a": 1.0},
            "rss_mib_mean": {"db-a": 16.5, "app-a": 1.0},
            "host_cpu_pct": 50.0})

    def test_component_added_while_running(self):
        mib = self.MIB
        s = bench.Sampler({"db-a": 100}, 1.0)
        tables = [{100: (1, 0, mib), 500: (1, 0, 2 * mib)}, {100: (1, 0, mib), 500: (1, 40, 4 * mib)}]
        with mock.patch.object(bench, "proc_table", side_effect=tables):
            s.sample()
            s.add("load", 500)
            s.sample()
        s.t0, s.t1, s.host0, s.host1 = 0.0, 1.0, (0, 0), (0, 0)
        with mock.patch.object(bench, "CLK_TCK", 100):
            r = s.result()
        self.assertEqual(r["cpu_pct"]["load"], 0.0)   # first seen in the last sample
        self.assertEqual(r["rss_mib_max"]["load"], 4.0)


class ReadPid(unittest.TestCase):

    def pidfile(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".pid", delete=False)
        self.addCleanup(os.unlink, f.name)
        f.write(text)
        f.close()
        return f.name

    def test_running(self):
        self.assertEqual(bench.read_pid(self.pidfile(f"{os.getpid()}\n")), os.getpid())

    def test_missing_malformed_or_not_running(self):
        for text in ("", "abc\n", "12 34\n", f"{2**31 - 1}\n"):
            with self.subTest(text=text):
                self.assertIsNone(bench.read_pid(self.pidfile(text)))
        self.assertIsNone(bench.read_pid("/nonexistent/bench-test.pid"))


if __name__ == "__main__":
    unittest.main()
