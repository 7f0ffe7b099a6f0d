-- POST /v1/complaints with a unique Idempotency-Key per request.
-- args = [run_tag, ombudsman_key]
local counter = 0
local prefix = ""

local body = '{"channel":"web","complainant":{"name":"Budi Santoso","email":"budi@example.org",' ..
   '"phone":"+62 812 0000 1111"},"identity_confidential":false,"subject":"Izin usaha tidak diproses",' ..
   '"description":"Permohonan izin usaha diajukan tiga bulan lalu dan belum ada kabar dari dinas terkait.",' ..
   '"category":"penundaan_berlarut","region_code":"64.72"}'

function init(args)
   prefix = args[1] .. "-" .. tid .. "-"
   wrk.method = "POST"
   wrk.path = "/v1/complaints"
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. args[2]
end

function request()
   counter = counter + 1
   wrk.headers["Idempotency-Key"] = prefix .. counter
   return wrk.format()
end
