-- wrk script: POST /app with a unique Idempotency-Key per request, so every request records
-- one new timestamp (a repeated key would only replay the first record).
-- Keys are "<prefix>-<thread>-<n>"; the prefix comes after "--":
--
--   wrk -t2 -c32 -d20s --timeout 10s -s bench/post.lua http://127.0.0.1/app -- bench-RUN-7
--
-- At the end it prints one line "BENCH-RESULT {json}" with the counts, errors and latency
-- percentiles (microseconds) that ./stack bench reads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local prefix, n = "bench", 0

function init(args)
  prefix = args[1] or prefix
  n = 0
end

function request()
  n = n + 1
  return wrk.format("POST", nil, { ["Idempotency-Key"] = prefix .. "-" .. tid .. "-" .. n }, nil)
end

function done(summary, latency, requests)
  local e = summary.errors
  local function p(q) return latency:percentile(q) end
  io.write(string.format(
    'BENCH-RESULT {"duration_us":%d,"requests":%d,"status_errors":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.duration, summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    p(50), p(90), p(99), latency.max, latency.mean))
end
