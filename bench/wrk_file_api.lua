-- wrk script: files a report through POST /api/v1/reports/ with a unique title each time,
-- counts the answers by status and prints a JSON summary with latency percentiles.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

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
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do merged[code] = (merged[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(merged) do table.insert(parts, string.format('"%d":%d', code, n)) end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_ms":%.2f,"p95_ms":%.2f,' ..
    '"p99_ms":%.2f,"statuses":{%s}}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    table.concat(parts, ",")))
end
