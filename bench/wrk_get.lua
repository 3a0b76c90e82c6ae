-- wrk script: GETs the URL given, counting answers by status (for the baseline and read pages).
dofile("bench/wrk_common.lua")
function init(args)
  statuses = {}
  if args[1] then
    wrk.headers["Cookie"] = args[1]
  end
end

response = function(status, headers, body)
  count_status(status)
end
