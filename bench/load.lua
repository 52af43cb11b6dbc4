-- wrk script for bench/load.sh: rotates over the paths in LOAD_PATHS (space-separated),
-- sends the session cookie in LOAD_COOKIE, counts every answer that is not 200, and prints
-- one line of figures in done(): requests, rps, p50/p95/p99 in ms, non-200 answers and
-- socket errors (connect, read, write, timeout).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  paths = {}
  for path in string.gmatch(os.getenv("LOAD_PATHS") or "/", "%S+") do
    table.insert(paths, path)
  end
  -- Each thread starts at a different page so the mix is even from the first request.
  counter = id or 0
  not200 = 0
  first_bad = ""
  local cookie = os.getenv("LOAD_COOKIE")
  if cookie ~= nil and cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status ~= 200 then
    not200 = not200 + 1
    if first_bad == "" then
      first_bad = tostring(status)
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  local first = ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not200")
    local f = thread:get("first_bad")
    if first == "" and f ~= nil then
      first = f
    end
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "requests=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f non200=%d socket_errors=%d first_non200=%s\n",
    summary.requests,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    bad,
    socket,
    first == "" and "none" or first))
end
