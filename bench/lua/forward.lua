-- POST /v1/referrals/{id}/forward, each id once; a thread stops when its share of ids runs out.
-- args = [ids_file, thread_count, ombudsman_key, marker_dir]
local ids = {}
local i = 0
local headers = {}

function init(args)
   local nthreads = tonumber(args[2])
   local n = 0
   for line in io.lines(args[1]) do
      if line ~= "" then
         if n % nthreads == tid then ids[#ids + 1] = line end
         n = n + 1
      end
   end
   headers["Authorization"] = "Bearer " .. args[3]
   bench_marker_dir = args[4]
   headers["Content-Type"] = "application/json"
end

function request()
   i = i + 1
   if i > #ids then
      bench_exhausted()
      return wrk.format("GET", "/healthz")
   end
   return wrk.format("POST", "/v1/referrals/" .. ids[i] .. "/forward", headers, "{}")
end
