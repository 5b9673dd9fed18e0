-- bench/ingest/ingest.lua: a wrk script whose every request is one batch of BATCH track events
-- of about 300 bytes each, every event with a message id no other request uses.
--
--   wrk ... -s ingest.lua URL -- MODE AUTH RUN [BATCH]
--     MODE  segment    — POST {"batch":[...],"sentAt":...} to a Segment /v1/batch endpoint
--           clickhouse — POST JSONEachRow lines (INSERT INTO t FORMAT JSONEachRow)
--     AUTH  the Authorization header value (segment), or "-" for none
--     RUN   a prefix that makes this run's message ids unique
-- Both modes carry the same fields with the same values; ClickHouse gets the properties as one
-- JSON string column, as its JSONEachRow cannot take a nested object in 18.16.

local threads = {}
local counter = 0
local mode, auth, run, batch = "segment", "-", "run", 100
local path, headers

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  mode = args[1] or mode
  auth = args[2] or auth
  run = args[3] or run
  batch = tonumber(args[4] or batch)
  headers = { ["Content-Type"] = "application/json" }
  if auth ~= "-" then headers["Authorization"] = auth end
  if mode == "segment" then
    path = "/v1/batch"
  else
    path = "/?query=INSERT%20INTO%20t%20FORMAT%20JSONEachRow"
  end
end

local products = { "personal_loan", "credit_card", "time_deposit", "wealth_fund" }
local branches = { "HZ-XIXI", "HZ-CHENGXI", "HZ-BINJIANG", "HZ-XIAOSHAN" }

function request()
  counter = counter + 1
  local now = os.time()
  local iso = os.date("!%Y-%m-%dT%H:%M:%SZ", now)
  local plain = os.date("!%Y-%m-%d %H:%M:%S", now)
  local parts = {}
  for i = 1, batch do
    local id = string.format("%s-%d-%d-%d", run, tid, counter, i)
    local user = (counter * 131 + i * 7 + tid) % 50000
    local amount = (counter * 7919 + i * 104729) % 500000
    local product = products[(i % 4) + 1]
    local branch = branches[(counter % 4) + 1]
    if mode == "segment" then
      parts[i] = string.format(
        '{"type":"track","event":"Loan Applied","userId":"cust-%06d","messageId":"%s",' ..
        '"timestamp":"%s","properties":{"amount":%d,"currency":"CNY","product":"%s",' ..
        '"branch":"%s","step":%d,"campaign":"spring_2026","channel":"app"},' ..
        '"context":{"library":{"name":"bench","version":"1.0"}}}',
        user, id, iso, amount, product, branch, i % 5)
    else
      parts[i] = string.format(
        '{"message_id":"%s","type":"track","event":"Loan Applied","user_id":"cust-%06d",' ..
        '"ts":"%s","sent_at":"%s","channel":"app","library":"bench/1.0","properties":' ..
        '"{\\"amount\\":%d,\\"currency\\":\\"CNY\\",\\"product\\":\\"%s\\",\\"branch\\":\\"%s\\",' ..
        '\\"step\\":%d,\\"campaign\\":\\"spring_2026\\",\\"channel\\":\\"app\\"}"}',
        id, user, plain, plain, amount, product, branch, i % 5)
    end
  end
  local body
  if mode == "segment" then
    body = '{"batch":[' .. table.concat(parts, ",") .. '],"sentAt":"' .. iso .. '"}'
  else
    body = table.concat(parts, "\n") .. "\n"
  end
  return wrk.format("POST", path, headers, body)
end
