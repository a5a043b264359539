-- wrk script for scripts/soak: feed reads, text post publishes and ad events together.
--
--   wrk -tN -cN ... -s scripts/load/mixed.lua URL -- TOKEN USERS POST_SHARE EVENT_SHARE OUT_DIR
--
-- Run it with as many threads as connections (one connection per wrk thread): each thread then
-- has one request in flight at a time, so this script knows which request an answer belongs to
-- (wrk does not tell response()), and times it itself. wrk's own latency histogram is not used:
-- under this mix of slow publishes and fast reads it reported, in trials here with 2 threads as
-- with 64, a mean latency the connections could not have accumulated (mean × answers above
-- connections × duration), while the server's own timings and this script's agreed.
--
-- Each request is, at random:
--   POST_SHARE   POST /v1/posts: a JSON text post {"author", "text", "background", "font"} of a
--                random author u<1..USERS>. The text is one of a few, in several scripts, with a
--                random background and font, so most rendered files are shared between posts;
--                one text in ten ends with a random number and gets files of its own.
--   EVENT_SHARE  POST /v1/ads/events {"token", "type": "impression"} with an event token taken
--                from an ad item of a feed answer this thread received. Each token is sent once,
--                oldest first; at most 5,000 wait (beyond that the oldest is dropped, counted as
--                tokens_dropped). With none waiting, a feed read instead (event_no_token).
--   otherwise    GET /v1/feed/u<1..USERS> (the feed now); its ads' tokens are queued.
-- Every request carries "Authorization: Bearer TOKEN".
--
-- Files written under OUT_DIR at the end (kept in memory until then: one file per wrk thread
-- would take more file descriptors than wrk's event loops accept):
--   requests.log  one line per answered request: "START_MS KIND STATUS LATENCY_US", START_MS the
--                 request's start (Unix milliseconds), KIND feed, post or event, LATENCY_US from
--                 the request being generated to its answer being parsed (monotonic clock);
--   acks.log      one line per acknowledged publish (201): "POST_ID AUTHOR".
-- And one line on standard output at the end:
--   RESULT {"requests", "duration_us", "bytes", "errors": {"connect", "read", "write",
--           "timeout", "status"}, "counts": {NAME: N}}
-- counts: sent_KIND (requests sent), answered_KIND, ok_KIND (2xx), status_KIND_CODE (answers
-- that are not 2xx, by endpoint and status), code_KIND_ERROR (their error codes),
-- inflight_KIND (no answer yet when wrk stopped), unanswered_KIND (a new request started before
-- the answer came: wrk reconnected, or the thread has more than one connection),
-- event_recorded, event_already_counted, ads_seen, tokens_dropped, event_no_token and
-- unexpected_body (a 2xx answer that is not what its route answers).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
  int clock_gettime(int clock, soak_timespec *ts);
]]
local timespec = ffi.new("soak_timespec")
local function clock_us(clock) -- 0: CLOCK_REALTIME, 1: CLOCK_MONOTONIC
  ffi.C.clock_gettime(clock, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local texts = {
  "Good morning from the soak test",
  "صباح الخير من اختبار التحمل",
  "Bom dia! ☀️ Café e trabalho",
  "Lagos traffic again 🚗🚕🚙",
  "Weekend plans: the beach 🏖️",
  "مبروك للعروسين 💍🎉",
  "Reading a good book 📚",
  "Match day ⚽ let's go!",
  "नमस्ते दोस्तों",
  "Happy birthday, mama 🎂❤️",
  "Rain in Cairo? 🌧️ مطر في القاهرة",
  "Shabbat shalom שבת שלום",
}
local backgrounds = { "#1E88E5", "#43A047", "#E53935", "#8E24AA", "#F4511E", "#212121" }

local function bump(key, n)
  counts[key] = (counts[key] or 0) + (n or 1)
end

function init(args)
  token = args[1] or ""
  users = tonumber(args[2] or "10000")
  post_share = tonumber(args[3] or "0.1")
  event_share = tonumber(args[4] or "0.1")
  out_dir = args[5] or "."
  counts = {}
  queue, head, tail, queue_max = {}, 1, 0, 5000
  pending = nil          -- the kind of the request in flight, if any
  pending_start = 0      -- its start, monotonic microseconds
  pending_wall_ms = 0    -- its start, Unix milliseconds
  -- wrk asks the first thread's script for one request before the run to check it, and never
  -- sends it: that one is not counted.
  verifying = id == 1
  math.randomseed(os.time() * 1000 + id * 7919)
  -- LuaJIT's first few numbers after seeding are poorly spread: skip them.
  for _ = 1, 10 do math.random() end
  wrk.headers["Authorization"] = "Bearer " .. token
  json_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  lines, acks = {}, {}
end

local function feed_request()
  return "feed", wrk.format("GET", "/v1/feed/u" .. math.random(1, users), wrk.headers)
end

local function post_request()
  local text = texts[math.random(1, #texts)]
  if math.random(1, 10) == 1 then text = text .. " #" .. math.random(1, 1000000000) end
  local body = string.format('{"author":"u%d","text":"%s","background":"%s","font":%d}',
    math.random(1, users), text, backgrounds[math.random(1, #backgrounds)], math.random(0, 4))
  return "post", wrk.format("POST", "/v1/posts", json_headers, body)
end

local function event_request(tok)
  return "event", wrk.format("POST", "/v1/ads/events", json_headers,
    string.format('{"token":"%s","type":"impression"}', tok))
end

local function choose()
  local r = math.random()
  if r < post_share then return post_request() end
  if r < post_share + event_share then
    if tail >= head then
      local tok = queue[head]
      queue[head] = nil
      head = head + 1
      return event_request(tok)
    end
    bump("event_no_token")
  end
  return feed_request()
end

function request()
  local kind, req = choose()
  if verifying then
    verifying = false
    return req
  end
  if pending then
    -- wrk reconnected before the answer came (or the thread has more than one connection).
    bump("unanswered_" .. pending)
  end
  bump("sent_" .. kind)
  pending = kind
  pending_wall_ms = math.floor(clock_us(0) / 1000)
  pending_start = clock_us(1)
  return req
end

function response(status, headers, body)
  local latency = clock_us(1) - pending_start
  local kind = pending or "unknown"
  pending = nil
  bump("answered_" .. kind)
  lines[#lines + 1] = string.format("%d %s %d %d", pending_wall_ms, kind, status, latency)
  if status < 200 or status > 299 then
    bump("status_" .. kind .. "_" .. status)
    bump("code_" .. kind .. "_" .. (body:match('"code":"([%w_]+)"') or "none"))
    return
  end
  bump("ok_" .. kind)
  if kind == "post" then
    local location = headers["Location"] or headers["location"] or ""
    local post = location:match("^/v1/posts/(.+)$")
    if status ~= 201 or not post then bump("unexpected_body") end
    acks[#acks + 1] = (post or "?") .. " " .. (body:match('"author":"([^"]+)"') or "?")
  elseif kind == "event" then
    if body:find('"outcome":"recorded"', 1, true) then
      bump("event_recorded")
    elseif body:find('"outcome":"already_counted"', 1, true) then
      bump("event_already_counted")
    else
      bump("unexpected_body")
    end
  elseif kind == "feed" then
    if body:sub(1, 10) ~= '{"viewer":' then bump("unexpected_body") end
    for tok in body:gmatch('"token":"(t[%w_%-]+%.[%w_%-]+)"') do
      bump("ads_seen")
      tail = tail + 1
      queue[tail] = tok
      if tail - head + 1 > queue_max then
        queue[head] = nil
        head = head + 1
        bump("tokens_dropped")
      end
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  local out_dir = threads[1]:get("out_dir")
  local log = assert(io.open(out_dir .. "/requests.log", "w"))
  local ack_log = assert(io.open(out_dir .. "/acks.log", "w"))
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("lines")) do log:write(line, "\n") end
    for _, line in ipairs(thread:get("acks")) do ack_log:write(line, "\n") end
    for key, n in pairs(thread:get("counts")) do
      total[key] = (total[key] or 0) + n
    end
    local kind = thread:get("pending")
    if kind then total["inflight_" .. kind] = (total["inflight_" .. kind] or 0) + 1 end
  end
  log:close()
  ack_log:close()
  local parts = {}
  for key, n in pairs(total) do
    table.insert(parts, string.format('"%s": %d', key, n))
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"counts": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ", ")))
end
