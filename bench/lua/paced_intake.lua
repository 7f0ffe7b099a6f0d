-- POST /v1/complaints at a set rate: wrk has no rate limit of its own, so delay() gives each request
-- the next free slot of its thread's schedule (interval = 1 / rate). A thread falls behind only when
-- all its connections are busy; it then sends as soon as one is free and never bursts to catch up.
-- wrk sends the first request of each connection without calling delay(), so those (one per
-- connection) are GET /healthz; intakes are counted in bench_counted.
-- args = [run_tag, ombudsman_key, intakes_per_second_per_thread, connections_per_thread]
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("bench_timespec")

local function now_ms()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
   return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local prefix = ""
local headers = {}
local interval_ms = 0
local openers = 0
local sent = 0
local next_slot = nil
bench_counted = 0

local body = '{"channel":"web","complainant":{"name":"Budi Santoso","email":"budi@example.org",' ..
   '"phone":"+62 812 0000 1111"},"identity_confidential":false,"subject":"Izin usaha tidak diproses",' ..
   '"description":"Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar dari dinas terkait.",' ..
   '"category":"penundaan_berlarut","region_code":"64.72"}'

function init(args)
   prefix = args[1] .. "-" .. tid .. "-"
   headers["Content-Type"] = "application/json"
   headers["Authorization"] = "Bearer " .. args[2]
   interval_ms = 1000 / tonumber(args[3])
   openers = tonumber(args[4])
end

function delay()
   local now = now_ms()
   if next_slot == nil or next_slot < now then next_slot = now end
   local wait = next_slot - now
   next_slot = next_slot + interval_ms
   return wait
end

function request()
   sent = sent + 1
   if sent <= openers then
      return wrk.format("GET", "/healthz")
   end
   bench_counted = bench_counted + 1
   headers["Idempotency-Key"] = prefix .. bench_counted
   return wrk.format("POST", "/v1/complaints", headers, body)
end
