-- wrk script for scripts/load-feed: every request asks a random viewer's Status feed.
--
--   wrk ... -s scripts/load/feed.lua URL -- TOKEN USERS [AT] [health]
--
-- GET /v1/feed/u<1..USERS>[?at=AT] (no ?at= when AT is empty or absent) with
-- "Authorization: Bearer TOKEN"; with a fourth argument "health", GET /health instead (the
-- floor of the HTTP stack: the same middlewares, no engine work). Counts the responses that are not 2xx, by status (wrk's own
-- "Non-2xx or 3xx responses" counts only 4xx and 5xx), and prints one line for the calling
-- script at the end:
--   RESULT {"requests", "duration_us", "bytes", "errors": {"connect", "read", "write", "timeout",
--           "status"}, "non_2xx", "statuses": {"CODE": N}, "latency_us": {"p50", "p90", "p99",
--           "p999", "max", "mean"}}

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = args[1] or ""
  users = tonumber(args[2] or "10000")
  query = ""
  if args[3] and args[3] ~= "" then query = "?at=" .. args[3] end
  health = args[4] == "health"
  non_2xx = 0
  statuses = {}
  math.randomseed(os.time() * 1000 + id * 7919)
  -- LuaJIT's first few numbers after seeding are poorly spread: skip them.
  for _ = 1, 10 do math.random() end
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  if health then return wrk.format("GET", "/health") end
  return wrk.format("GET", "/v1/feed/u" .. math.random(1, users) .. query)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local non = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    non = non + thread:get("non_2xx")
    for code, n in pairs(thread:get("statuses")) do
      codes[code] = (codes[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(codes) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"non_2xx": %d, "statuses": {%s}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    non, table.concat(parts, ", "),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
