-- A wrk script: GET /api/v1/customers/{id} (the customer 360) for ids drawn uniformly from
-- 1..PERSONS, authenticated by an API key.
--
--   wrk ... -s customer360.lua URL -- KEY PERSONS
local key, persons

function init(args)
  key = args[1]
  persons = tonumber(args[2])
  math.randomseed(os.time() + (id or 0))
end

function request()
  local path = "/api/v1/customers/" .. math.random(1, persons)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. key })
end
