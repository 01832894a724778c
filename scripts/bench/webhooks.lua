-- wrk script: POSTs the pre-signed webhook calls of a file (scripts/bench/webhook_requests.py),
-- each wrk thread its own share, so that no call repeats a webhook-id (a repeat would be answered
-- as a replay, which costs less than a run).
--   wrk -t2 -c50 -d20s -s scripts/bench/webhooks.lua URL -- FILE THREADS
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local requests = {}
local next_index = 0

function init(args)
  local file = assert(io.open(args[1]), "cannot open " .. tostring(args[1]))
  local count, index = tonumber(args[2]), 0
  for line in file:lines() do
    if index % count == tid then
      local id, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/json", ["webhook-id"] = id, ["webhook-timestamp"] = ts,
        ["webhook-signature"] = sig,
      }, body)
    end
    index = index + 1
  end
  file:close()
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  -- Per-thread status counts are not shared back; the totals are in wrk's own summary.
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors_status=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
