-- wrk script: files a report through POST /api/v1/reports/ with a unique title each time,
-- counts the answers by status and prints a JSON summary with latency percentiles.
dofile("bench/wrk_common.lua")
local counter = 0
function init(args)
  statuses = {}
  stop_at = os.time() + tonumber(args[#args])
end

delay = function()
  if os.time() >= stop_at then
    return 3600000
  end
  return 0
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"kind":"complaint","title":"Jalan berlubang nomor %d-%d","description":"Jalan di depan ' ..
    'sekolah berlubang besar dan membahayakan pengendara motor setiap pagi.","province":"32",' ..
    '"regency":"3273","reporter_name":"Beban Uji","reporter_email":"uji%d@example.id"}',
    id, counter, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  count_status(status)
end
