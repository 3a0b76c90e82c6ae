-- wrk script: POSTs a JSON body (args[1], where every {n} becomes a number unique in the run)
-- with an optional header (args[2], "Name: value" or "-"), stops sending after args[3]
-- seconds (so every request sent is answered before the run ends), counts answers by status.
dofile("bench/wrk_common.lua")
local counter = 0
function init(args)
  statuses = {}
  template = args[1]
  headers = {["Content-Type"] = "application/json"}
  if args[2] and args[2] ~= "-" then
    local name, value = args[2]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  stop_at = os.time() + tonumber(args[3])
end

delay = function()
  if os.time() >= stop_at then
    return 3600000
  end
  return 0
end

request = function()
  counter = counter + 1
  local body = template:gsub("{n}", string.format("%d%06d", id, counter))
  return wrk.format("POST", nil, headers, body)
end

response = function(status, headers, body)
  count_status(status)
end
