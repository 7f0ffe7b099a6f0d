-- Memory soak: a fixed number of requests, round-robin over healthz, the agency queue and intake.
-- args = [run_tag, ombudsman_key, agency_key, requests_per_thread, marker_dir]
local counter = 0
local budget = 0
local prefix = ""
local intake_headers = {}
local queue_headers = {}
local body = '{"channel":"email","complainant":{"name":"Siti Rahmawati"},"identity_confidential":true,' ..
   '"subject":"Pungutan di luar ketentuan","description":"Diminta membayar biaya tambahan tanpa kuitansi.",' ..
   '"category":"permintaan_imbalan","region_code":"64.72"}'

function init(args)
   prefix = args[1] .. "-" .. tid .. "-"
   intake_headers["Authorization"] = "Bearer " .. args[2]
   intake_headers["Content-Type"] = "application/json"
   queue_headers["Authorization"] = "Bearer " .. args[3]
   budget = tonumber(args[4])
   bench_marker_dir = args[5]
end

function request()
   counter = counter + 1
   if counter > budget then
      bench_exhausted()
      return wrk.format("GET", "/healthz")
   end
   local kind = counter % 4
   if kind == 0 or kind == 2 then
      return wrk.format("GET", "/healthz")
   elseif kind == 1 then
      return wrk.format("GET", "/v1/referrals?state=forwarded&limit=20", queue_headers)
   else
      intake_headers["Idempotency-Key"] = prefix .. counter
      return wrk.format("POST", "/v1/complaints", intake_headers, body)
   end
end
