-- sysbench script: the database ceiling for the timestamp service's write.
-- One autocommit INSERT of the app's row shape per event (= one row per transaction), through
-- MySQL Router's read-write port, into a table shaped like timestamps.timestamp_record
-- (BINARY(16) time-ordered id, DATETIME(6) UTC, unique ascii request_key, instance).
-- Keys are "<prefix>-<thread>-<n>", so the rows of one step can be counted on every member.
--
--   sysbench bench/ceiling.lua --config-file=... --threads=8 --time=20 \
--     --table=bench_ceiling --key-prefix=bench-RUN-3 run
--
-- Text protocol with the values in the statement, as Connector/J and MySQLdb send them.

sysbench.cmdline.options = {
  table = {"table to insert into (same shape as timestamp_record)", "bench_ceiling"},
  key_prefix = {"prefix of every request_key", "bench"},
  instance = {"value of the instance column", "bench-ceiling"},
}

local ffi = require("ffi")
pcall(ffi.cdef, [[
  struct bench_timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clk_id, struct bench_timespec *tp);
]])
local ts = ffi.new("struct bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME
  return tonumber(ts.tv_sec) * 1000 + math.floor(tonumber(ts.tv_nsec) / 1000000)
end

-- UUID version 7 as 32 hex digits: 48-bit Unix milliseconds, version 7, variant 10, random.
local function uuid7_hex()
  local ms = now_ms()
  local hi = math.floor(ms / 65536)            -- upper 32 bits of the 48
  local lo = ms % 65536                        -- lower 16 bits
  return string.format("%08x%04x7%03x%x%03x%04x%08x",
    hi, lo, math.random(0, 0xfff), 8 + math.random(0, 3), math.random(0, 0xfff),
    math.random(0, 0xffff), math.random(0, 0x7fffffff))
end

local con, n, sql_head, tid

function thread_init()
  local drv = sysbench.sql.driver()
  con = drv:connect()
  n = 0
  tid = sysbench.tid
  math.randomseed(os.time() + tid * 7919)
  sql_head = "INSERT INTO " .. sysbench.opt.table ..
    " (id, recorded_at, request_key, instance) VALUES (UNHEX('"
end

function event()
  n = n + 1
  con:query(sql_head .. uuid7_hex() .. "'), UTC_TIMESTAMP(6), '" ..
    sysbench.opt.key_prefix .. "-" .. tid .. "-" .. n .. "', '" .. sysbench.opt.instance .. "')")
end

function thread_done()
  con:disconnect()
end
