/**
 * The Lua scripts of shared sessions. Each runs atomically: spending a token and handing its session
 * to a node is one step, and so is "log this frame only if this node still holds the session".
 * Session keys are built inside the scripts from the prefix (`<prefix>:session:<id>`, its `:log`
 * stream, `<prefix>:token:<token>`): one Redis (or one primary), not a Redis Cluster.
 */
import { LUA_ENSURE_EPOCH, LuaScript } from '../redis-lua-script.js';

/** KEYS session, token, epoch; ARGV id, clientId, owner (JSON), node, position or '', ttl, epoch candidate, token. */
export const OPEN_SESSION = new LuaScript(`${LUA_ENSURE_EPOCH}
local epoch = ensure_epoch(KEYS[3], ARGV[7])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'clientId', ARGV[2], 'owner', ARGV[3], 'node', ARGV[4], 'state', 'attached',
  'sent', 0, 'epoch', epoch, 'token', ARGV[8], 'ttl', ARGV[6], 'bytes', 0)
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'pos', ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[6])
return 1
`);

/**
 * KEYS token, epoch; ARGV session key prefix (\`<prefix>:session:\`) →
 * \`{0}\` unknown, \`{2}\` recorded under another epoch, \`{1, fields}\` found.
 */
export const LOOKUP_SESSION = new LuaScript(`
local id = redis.call('GET', KEYS[1])
if not id then return {0} end
local fields = redis.call('HGETALL', ARGV[1] .. id)
if #fields == 0 then return {0} end
local epoch = redis.call('GET', KEYS[2])
for i = 1, #fields, 2 do
  if fields[i] == 'epoch' and fields[i + 1] ~= epoch then return {2} end
end
return {1, fields}
`);

/**
 * KEYS token, session, next token, log; ARGV id, node, ttl, next token → the session's fields as they stood,
 * or \`false\` when the token no longer names it (spent by another resume).
 */
export const CLAIM_SESSION = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local fields = redis.call('HGETALL', KEYS[2])
if #fields == 0 then return false end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
redis.call('HSET', KEYS[2], 'node', ARGV[2], 'state', 'held', 'token', ARGV[4], 'ttl', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return fields
`);

/** Renews a session's keys: \`renew(session key, log key, token prefix, ttl)\`. */
const LUA_RENEW = `
local function renew(session, log, token_prefix, ttl)
  local token = redis.call('HGET', session, 'token')
  if not token then return 0 end
  redis.call('HSET', session, 'ttl', ttl)
  redis.call('PEXPIRE', session, ttl)
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', token_prefix .. token, ttl)
  return 1
end
`;

/** KEYS session, log; ARGV state, ttl, token prefix. */
export const MARK_SESSION = new LuaScript(`${LUA_RENEW}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
return renew(KEYS[1], KEYS[2], ARGV[3], ARGV[2])
`);

/** ARGV session key prefix, token prefix, ttl, then session ids. */
export const TOUCH_SESSIONS = new LuaScript(`${LUA_RENEW}
for i = 4, #ARGV do
  local session = ARGV[1] .. ARGV[i]
  renew(session, session .. ':log', ARGV[2], ARGV[3])
end
return 1
`);

/** KEYS session, log; ARGV node, token prefix: forgets the session only if \`node\` holds it. */
export const FORGET_SESSION = new LuaScript(`
local fields = redis.call('HMGET', KEYS[1], 'node', 'token')
if fields[1] ~= ARGV[1] then return 0 end
if fields[2] then redis.call('DEL', ARGV[2] .. fields[2]) end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`);

/**
 * KEYS session, log; ARGV node, seq, data, bytes, at, position or '', maxMessages, maxBytes →
 * 'appended', 'moved' (another node holds it) or 'missing' (no record). The log is trimmed from its
 * oldest entry while it holds more than maxMessages entries or maxBytes bytes.
 */
export const APPEND_FRAME = new LuaScript(`
local node = redis.call('HGET', KEYS[1], 'node')
if not node then return 'missing' end
if node ~= ARGV[1] then return 'moved' end
redis.call('XADD', KEYS[2], ARGV[2] .. '-1', 'd', ARGV[3], 'b', ARGV[4], 'a', ARGV[5])
local bytes = redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[4])
local length = redis.call('XLEN', KEYS[2])
local max_messages = tonumber(ARGV[7])
local max_bytes = tonumber(ARGV[8])
while length > 1 and (length > max_messages or bytes > max_bytes) do
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  local size = 0
  for i = 1, #oldest[2], 2 do
    if oldest[2][i] == 'b' then size = tonumber(oldest[2][i + 1]) end
  end
  redis.call('XDEL', KEYS[2], oldest[1])
  bytes = redis.call('HINCRBY', KEYS[1], 'bytes', -size)
  length = length - 1
end
redis.call('HSET', KEYS[1], 'sent', ARGV[2])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'pos', ARGV[6]) end
local ttl = redis.call('HGET', KEYS[1], 'ttl')
if ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 'appended'
`);
