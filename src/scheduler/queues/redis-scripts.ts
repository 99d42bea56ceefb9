/**
 * The RedisStreamQueue's Lua scripts. Each state change of a task is one script, so it is
 * atomic: a task's hash, its stream entry, the consumer group's pending list and the counters
 * change together or not at all. Every script gets ARGV[1] = key prefix, ARGV[2] = group name;
 * keys are built inside (one stream per user), so these scripts need a single Redis node, not
 * a cluster.
 *
 * Layout (prefix `memos:`): `task:<id>` hash (the record); `q:<user>` stream of `task=<id>`
 * entries with the consumer group; `ready` zset of users with undelivered entries (round robin
 * in lexical order after the cursor `rr`); `inflight` hash user → delivered, unacknowledged
 * entries (the streams XAUTOCLAIM looks at); `counts` / `ucounts:<user>` hashes by status plus
 * `dead_letter` and `rejected_full`; `active` hash user → waiting + in_progress; `tasks` and
 * `tasks:<user>` zsets by submit order for listing; `idem:<len>:<user>:<key>` idempotency keys;
 * `dead` stream (the dead letter); `signal` stream a blocked claim waits on; `finished` zset
 * id → finish time (ms), for deleting tasks past their retention.
 */

const PRELUDE = `
local P = ARGV[1]
local G = ARGV[2]
local function tkey(id) return P .. 'task:' .. id end
local function qkey(user) return P .. 'q:' .. user end
local ACTIVE = { waiting = true, in_progress = true }
local function move(user, from, to)
  if from then
    redis.call('HINCRBY', P .. 'counts', from, -1)
    redis.call('HINCRBY', P .. 'ucounts:' .. user, from, -1)
  end
  redis.call('HINCRBY', P .. 'counts', to, 1)
  redis.call('HINCRBY', P .. 'ucounts:' .. user, to, 1)
  local delta = (ACTIVE[to] and 1 or 0) - ((from and ACTIVE[from]) and 1 or 0)
  if delta ~= 0 and redis.call('HINCRBY', P .. 'active', user, delta) <= 0 then
    redis.call('HDEL', P .. 'active', user)
  end
end
local function inflight(user, delta)
  if redis.call('HINCRBY', P .. 'inflight', user, delta) <= 0 then redis.call('HDEL', P .. 'inflight', user) end
end
local function enqueue(id, user)
  local q = qkey(user)
  redis.pcall('XGROUP', 'CREATE', q, G, '0', 'MKSTREAM')
  local eid = redis.call('XADD', q, '*', 'task', id)
  redis.call('HSET', tkey(id), 'entry', eid)
  redis.call('ZADD', P .. 'ready', 0, user)
  redis.call('XADD', P .. 'signal', 'MAXLEN', '~', '100', '*', 'task', id)
end
local function drop_entry(user, eid)
  redis.call('XACK', qkey(user), G, eid)
  redis.call('XDEL', qkey(user), eid)
end
local function finished(id)
  local t = redis.call('TIME')
  redis.call('ZADD', P .. 'finished', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), id)
end
local function bury(id, user, errjson, now)
  finished(id)
  redis.call('HSET', tkey(id), 'status', 'failed', 'dead_letter', '1', 'finished_at', now, 'error', errjson)
  redis.call('HINCRBY', P .. 'counts', 'dead_letter', 1)
  redis.call('HINCRBY', P .. 'ucounts:' .. user, 'dead_letter', 1)
  redis.call('XADD', P .. 'dead', 'MAXLEN', '~', '10000', '*', 'task', id, 'user', user, 'error', errjson)
  move(user, 'in_progress', 'failed')
end
local function held(id, worker)
  local h = redis.call('HMGET', tkey(id), 'status', 'worker', 'user_id', 'entry', 'attempts', 'max_attempts')
  if h[1] ~= 'in_progress' or h[2] ~= worker then return nil end
  return { user = h[3], entry = h[4], attempts = tonumber(h[5]), max = tonumber(h[6]) }
end
`;

/** ARGV 3.. : capacity, id, label, user, cube, payload, idempotency key, has key, max attempts, now. */
const SUBMIT = `
local id, user = ARGV[4], ARGV[6]
local idem
if ARGV[10] == '1' then
  idem = P .. 'idem:' .. string.len(user) .. ':' .. user .. ':' .. ARGV[9]
  local existing = redis.call('GET', idem)
  if existing and redis.call('EXISTS', tkey(existing)) == 1 then return { 'duplicate', existing } end
end
local counts = redis.call('HMGET', P .. 'counts', 'waiting', 'in_progress')
if tonumber(counts[1] or '0') + tonumber(counts[2] or '0') >= tonumber(ARGV[3]) then
  redis.call('HINCRBY', P .. 'counts', 'rejected_full', 1)
  return { 'full', '' }
end
if idem then redis.call('SET', idem, id) end
local seq = redis.call('INCR', P .. 'seq')
redis.call('HSET', tkey(id), 'task_id', id, 'label', ARGV[5], 'user_id', user, 'cube_id', ARGV[7], 'payload', ARGV[8],
  'idempotency_key', ARGV[9], 'status', 'waiting', 'attempts', '0', 'max_attempts', ARGV[11], 'submitted_at', ARGV[12])
redis.call('ZADD', P .. 'tasks', seq, id)
redis.call('ZADD', P .. 'tasks:' .. user, seq, id)
move(user, nil, 'waiting')
enqueue(id, user)
return { 'new', id }
`;

/**
 * ARGV 3.. : worker, max, visibility ms, now, reclaim ('1': look for expired claims first).
 * Returns { last signal id, claimed task hashes (flat field/value lists)... }.
 */
const CLAIM = `
local worker, max, now = ARGV[3], tonumber(ARGV[4]), ARGV[6]
local picked = {}
local function take(id, eid)
  redis.call('HINCRBY', tkey(id), 'attempts', 1)
  redis.call('HSET', tkey(id), 'status', 'in_progress', 'worker', worker, 'started_at', now, 'entry', eid)
  picked[#picked + 1] = id
end
if ARGV[7] == '1' then
  for _, user in ipairs(redis.call('HKEYS', P .. 'inflight')) do
    if #picked >= max then break end
    local res = redis.pcall('XAUTOCLAIM', qkey(user), G, worker, ARGV[5], '0-0', 'COUNT', max - #picked)
    if type(res) == 'table' and not res.err then
      for _, entry in ipairs(res[2]) do
        local eid, fields = entry[1], entry[2]
        local id = type(fields) == 'table' and fields[2] or nil
        local status = id and redis.call('HGET', tkey(id), 'status')
        if status ~= 'in_progress' then
          drop_entry(user, eid)
          inflight(user, -1)
        else
          local attempts = tonumber(redis.call('HGET', tkey(id), 'attempts'))
          if attempts >= tonumber(redis.call('HGET', tkey(id), 'max_attempts')) then
            drop_entry(user, eid)
            inflight(user, -1)
            local s = attempts == 1 and '' or 's'
            bury(id, user, cjson.encode({ code = 'worker_lost',
              message = 'the worker running it stopped before finishing (' .. attempts .. ' attempt' .. s .. ')',
              hint = 'check the worker logs; a task that crashes its worker is left in the dead letter' }), now)
          else
            take(id, eid)
          end
        end
      end
    end
  end
end
-- One task from a user's stream (entries of tasks cancelled meanwhile are dropped on the way);
-- a user with nothing left leaves the ready set.
local function take_from(user)
  while true do
    local res = redis.pcall('XREADGROUP', 'GROUP', G, worker, 'COUNT', 1, 'STREAMS', qkey(user), '>')
    if type(res) ~= 'table' or res.err then break end
    local entry = res[1][2][1]
    local eid, id = entry[1], entry[2][2]
    if redis.call('HGET', tkey(id), 'status') == 'waiting' then
      take(id, eid)
      inflight(user, 1)
      move(user, 'waiting', 'in_progress')
      redis.call('SET', P .. 'rr', user)
      return true
    end
    drop_entry(user, eid)
  end
  redis.call('ZREM', P .. 'ready', user)
  return false
end
local function next_user(after)
  local r = redis.call('ZRANGEBYLEX', P .. 'ready', after == '' and '-' or '(' .. after, '+', 'LIMIT', 0, 1)
  return r[1]
end
-- First round: the ready users in lexical order from the one after the cursor, one seek each.
local turn, seen = {}, {}
local after, wrapped = redis.call('GET', P .. 'rr') or '', false
while #picked < max do
  local user = next_user(after)
  if not user and not wrapped then
    wrapped = true
    user = next_user('')
  end
  if not user or seen[user] then break end
  seen[user] = true
  after = user
  if take_from(user) then turn[#turn + 1] = user end
end
-- Later rounds: the users who still had tasks, in the same order.
while #picked < max and #turn > 0 do
  local next_turn = {}
  for _, user in ipairs(turn) do
    if #picked >= max then break end
    if take_from(user) then next_turn[#next_turn + 1] = user end
  end
  turn = next_turn
end
local last = redis.call('XREVRANGE', P .. 'signal', '+', '-', 'COUNT', 1)
local result = { (last[1] and last[1][1]) or '0-0' }
for _, id in ipairs(picked) do result[#result + 1] = redis.call('HGETALL', tkey(id)) end
return result
`;

/** ARGV 3.. : id, worker. Renews the claim (resets the entry's idle time). */
const HEARTBEAT = `
local t = held(ARGV[3], ARGV[4])
if not t then return 0 end
redis.call('XCLAIM', qkey(t.user), G, ARGV[4], 0, t.entry, 'JUSTID')
return 1
`;

/** ARGV 3.. : id, worker, has result, result, now. */
const COMPLETE = `
local t = held(ARGV[3], ARGV[4])
if not t then return 0 end
drop_entry(t.user, t.entry)
inflight(t.user, -1)
redis.call('HSET', tkey(ARGV[3]), 'status', 'completed', 'finished_at', ARGV[7])
finished(ARGV[3])
if ARGV[5] == '1' then redis.call('HSET', tkey(ARGV[3]), 'result', ARGV[6]) end
redis.call('HDEL', tkey(ARGV[3]), 'error')
move(t.user, 'in_progress', 'completed')
return 1
`;

/** ARGV 3.. : id, worker, error JSON, retry ('1'/'0'), now. A retry goes to the back of its user's stream. */
const FAIL = `
local id = ARGV[3]
local t = held(id, ARGV[4])
if not t then return 'lost' end
drop_entry(t.user, t.entry)
inflight(t.user, -1)
if ARGV[6] == '0' or t.attempts >= t.max then
  bury(id, t.user, ARGV[5], ARGV[7])
  return 'dead'
end
redis.call('HSET', tkey(id), 'status', 'waiting', 'error', ARGV[5])
move(t.user, 'in_progress', 'waiting')
enqueue(id, t.user)
return 'retrying'
`;

/** ARGV 3.. : id, worker. Back to waiting, the delivery not counted. */
const RELEASE = `
local id = ARGV[3]
local t = held(id, ARGV[4])
if not t then return 0 end
drop_entry(t.user, t.entry)
inflight(t.user, -1)
redis.call('HINCRBY', tkey(id), 'attempts', -1)
redis.call('HSET', tkey(id), 'status', 'waiting')
move(t.user, 'in_progress', 'waiting')
enqueue(id, t.user)
return 1
`;

/** ARGV 3.. : id, now. Its stream entry stays; a claim that meets it acknowledges and drops it. */
const CANCEL = `
local h = redis.call('HMGET', tkey(ARGV[3]), 'status', 'user_id')
if h[1] ~= 'waiting' then return 0 end
redis.call('HSET', tkey(ARGV[3]), 'status', 'cancelled', 'finished_at', ARGV[4])
finished(ARGV[3])
move(h[2], 'waiting', 'cancelled')
return 1
`;

/** ARGV 3.. : retention ms, most tasks to delete. Finished tasks past retention leave every index and count. */
const PRUNE = `
local t = redis.call('TIME')
local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(ids) do
  local h = redis.call('HMGET', tkey(id), 'status', 'user_id', 'idempotency_key', 'dead_letter')
  if h[1] then
    local user = h[2]
    for _, counts in ipairs({ P .. 'counts', P .. 'ucounts:' .. user }) do
      redis.call('HINCRBY', counts, h[1], -1)
      if h[4] == '1' then redis.call('HINCRBY', counts, 'dead_letter', -1) end
    end
    local idem = P .. 'idem:' .. string.len(user) .. ':' .. user .. ':' .. h[3]
    if redis.call('GET', idem) == id then redis.call('DEL', idem) end
    redis.call('ZREM', P .. 'tasks', id)
    redis.call('ZREM', P .. 'tasks:' .. user, id)
    redis.call('DEL', tkey(id))
  end
  redis.call('ZREM', P .. 'finished', id)
end
return #ids
`;

/** The scripts by name, each with the shared prelude. */
export const REDIS_SCRIPTS = {
  submit: PRELUDE + SUBMIT,
  claim: PRELUDE + CLAIM,
  heartbeat: PRELUDE + HEARTBEAT,
  complete: PRELUDE + COMPLETE,
  fail: PRELUDE + FAIL,
  release: PRELUDE + RELEASE,
  cancel: PRELUDE + CANCEL,
  prune: PRELUDE + PRUNE,
} as const;

/** A script's name. */
export type RedisScriptName = keyof typeof REDIS_SCRIPTS;
