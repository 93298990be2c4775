/**
 * The Lua scripts of presence. One call does a node's whole tick atomically: renews its lease,
 * applies its batched joins and leaves, sweeps every node whose lease ran out (its clients with
 * it), and answers the live nodes — so no node ever sees a dead node's clients as reachable.
 *
 * Keys of other nodes (`<prefix>:node:<id>:clients`) are built inside the scripts: fine on a
 * standalone or replicated Redis, not on Redis Cluster.
 */
import { LUA_ENSURE_EPOCH, LUA_NOW, LuaScript } from '../redis-lua-script.js';

/** `sweep(prefix, nodes, counts, clients, node)`: forgets a node and every client it held. */
const LUA_SWEEP = `
local function sweep(prefix, nodes, counts, clients, node)
  local set = prefix .. ':node:' .. node .. ':clients'
  local members = redis.call('SMEMBERS', set)
  for _, client in ipairs(members) do
    if redis.call('HGET', clients, client) == node then redis.call('HDEL', clients, client) end
  end
  redis.call('DEL', set)
  redis.call('HDEL', counts, node)
  redis.call('ZREM', nodes, node)
end
`;

/** `live_nodes(nodes, counts)`: `[node, count, node, count, …]` of every node in the sorted set. */
const LUA_LIVE_NODES = `
local function live_nodes(nodes, counts)
  local ids = redis.call('ZRANGE', nodes, 0, -1)
  local out = {}
  if #ids == 0 then return out end
  local values = redis.call('HMGET', counts, unpack(ids))
  for i, id in ipairs(ids) do
    out[#out + 1] = id
    out[#out + 1] = values[i] or '0'
  end
  return out
end
`;

/**
 * A node's tick. KEYS: nodes, counts, clients, this node's client set, epoch, presence channel.
 * ARGV: prefix, node id, lease ms, epoch candidate, replace (1: the set below is all of this node's
 * clients), the number of joins, the joins, then the leaves.
 * Returns `[epoch, lost, node, count, …]`: `lost` 1 when this node's lease had run out (it was or
 * would have been swept; the caller sends all its clients again with replace 1).
 */
export const PRESENCE_TICK = new LuaScript(`${LUA_NOW}${LUA_ENSURE_EPOCH}${LUA_SWEEP}${LUA_LIVE_NODES}
local nodes, counts, clients, mine, epochKey, channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local prefix, node, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local replace, joins = ARGV[5] == '1', tonumber(ARGV[6])
local now = now_ms()
local epoch = ensure_epoch(epochKey, ARGV[4])
local score = redis.call('ZSCORE', nodes, node)
local lost = 0
if not score or tonumber(score) < now then lost = 1 end
local changed = #ARGV > 6 and lost == 0
local dead = redis.call('ZRANGEBYSCORE', nodes, '-inf', '(' .. now)
for _, other in ipairs(dead) do
  sweep(prefix, nodes, counts, clients, other)
  changed = true
end
if replace then
  for _, client in ipairs(redis.call('SMEMBERS', mine)) do
    if redis.call('HGET', clients, client) == node then redis.call('HDEL', clients, client) end
  end
  redis.call('DEL', mine)
  lost = 0
  changed = true
end
if lost == 0 then
  for i = 7, 6 + joins do
    redis.call('HSET', clients, ARGV[i], node)
    redis.call('SADD', mine, ARGV[i])
  end
  for i = 7 + joins, #ARGV do
    if redis.call('HGET', clients, ARGV[i]) == node then redis.call('HDEL', clients, ARGV[i]) end
    redis.call('SREM', mine, ARGV[i])
  end
  redis.call('HSET', counts, node, redis.call('SCARD', mine))
  redis.call('ZADD', nodes, now + lease, node)
end
if changed then redis.call('PUBLISH', channel, node) end
local out = {epoch, lost}
for _, v in ipairs(live_nodes(nodes, counts)) do out[#out + 1] = v end
return out
`);

/** Leaving: KEYS nodes, counts, clients, presence channel; ARGV prefix, node id. */
export const PRESENCE_LEAVE = new LuaScript(`${LUA_SWEEP}
sweep(ARGV[1], KEYS[1], KEYS[2], KEYS[3], ARGV[2])
redis.call('PUBLISH', KEYS[4], ARGV[2])
return 1
`);

/** `locate`: KEYS clients, nodes; ARGV client id → its node while that node's lease holds, else nil. */
export const PRESENCE_LOCATE = new LuaScript(`${LUA_NOW}
local node = redis.call('HGET', KEYS[1], ARGV[1])
if not node then return false end
local score = redis.call('ZSCORE', KEYS[2], node)
if score and tonumber(score) >= now_ms() then return node end
return false
`);
