-- wrk script: files a report through the web form (POST /lapor/) with a CSRF token and cookie
-- fetched beforehand (passed as arguments), counting answers by status.
local counter = 0
local threads = {}
local token, cookie

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  stop_at = os.time() + tonumber(args[#args])
  token, cookie = args[1], args[2]
end

local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

delay = function()
  if os.time() >= stop_at then
    return 3600000
  end
  return 0
end

request = function()
  counter = counter + 1
  local fields = {
    csrfmiddlewaretoken = token,
    kind = "complaint",
    title = string.format("Sampah menumpuk di pasar %d-%d", id, counter),
    description = "Sampah di pasar tidak diangkut sejak seminggu dan menimbulkan bau busuk.",
    province = "32",
    regency = "3273",
    reporter_name = "Beban Uji Formulir",
    reporter_email = string.format("form%d@example.id", counter),
  }
  local parts = {}
  for k, v in pairs(fields) do table.insert(parts, k .. "=" .. enc(v)) end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie,
    ["Referer"] = "http://127.0.0.1/lapor/",
  }, table.concat(parts, "&"))
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
