-- wrk script: files a report through the web form (POST /lapor/) with a CSRF token and cookie
-- fetched beforehand (passed as arguments), counting answers by status.
dofile("bench/wrk_common.lua")
local counter = 0
local threads = {}
local token, cookie

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
  count_status(status)
end
