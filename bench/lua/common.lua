-- Prepended by bench/run.py to every scenario script.
-- Gives each wrk thread an id (`tid`, 0-based) and prints one machine-readable summary line
-- (`counted` sums what scripts count in their thread's global `bench_counted`).
local bench_threads = {}
local bench_next_tid = 0

function setup(thread)
   thread:set("tid", bench_next_tid)
   bench_next_tid = bench_next_tid + 1
   table.insert(bench_threads, thread)
end

-- Scripts that run out of work call bench_exhausted(): the thread stops and drops a marker file in
-- the directory bench/run.py passed as the last script argument (wrk itself would otherwise sleep
-- out its whole -d duration).
exhausted = false
bench_marker_dir = nil

function bench_exhausted()
   if not exhausted then
      exhausted = true
      if bench_marker_dir then
         local f = io.open(bench_marker_dir .. "/done-" .. tid, "w")
         if f then f:close() end
      end
   end
   wrk.thread:stop()
end

function done(summary, latency, requests)
   local e = summary.errors
   local exhausted_threads = 0
   local counted = 0
   for _, t in ipairs(bench_threads) do
      if t:get("exhausted") then exhausted_threads = exhausted_threads + 1 end
      counted = counted + (t:get("bench_counted") or 0)
   end
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"err_connect":%d,"err_read":%d,' ..
      '"err_write":%d,"err_status":%d,"err_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"mean_us":%.1f,"exhausted_threads":%d,"counted":%d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      exhausted_threads, counted))
end
