/**
 * The Lua scripts of the bus's log (the `<prefix>:bus` stream) and its epoch. Each runs atomically,
 * so "is the epoch still ours, and does the stream still reach back to this position?" is one answer.
 */
import { LUA_ENSURE_EPOCH, LUA_NOW, LuaScript } from '../redis-lua-script.js';

/**
 * `trimmed_past(key, pos)`: 1 when something published after `pos` may be gone from the stream
 * (trimmed, or the stream deleted), 0 when the stream still holds everything after it. `pos` is
 * still there → nothing after it was trimmed (trimming takes from the head). `0-0` (nothing read
 * yet) → only if the stream never lost an entry.
 */
const LUA_TRIMMED_PAST = `
local function info_field(info, name)
  for i = 1, #info, 2 do
    if info[i] == name then return info[i + 1] end
  end
  return nil
end
local function trimmed_past(key, pos)
  if redis.call('EXISTS', key) == 0 then
    if pos == '0-0' then return 0 end
    return 1
  end
  if pos == '0-0' then
    local info = redis.call('XINFO', 'STREAM', key)
    if tonumber(info_field(info, 'entries-added')) == tonumber(info_field(info, 'length')) then return 0 end
    return 1
  end
  if redis.call('XRANGE', key, pos, pos)[1] then return 0 end
  return 1
end
`;

/** Joining: KEYS epoch, bus; ARGV epoch candidate → `[epoch, last id of the stream or 0-0]`. */
export const JOIN_STREAM = new LuaScript(`${LUA_ENSURE_EPOCH}
local epoch = ensure_epoch(KEYS[1], ARGV[1])
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local id = '0-0'
if last[1] then id = last[1][1] end
return {epoch, id}
`);

/**
 * After a loss: KEYS epoch, bus; ARGV epoch candidate, the reader's last id, the epoch it knew →
 * `[epoch now, 1 if anything may have been missed else 0]`.
 */
export const CHECK_GAP = new LuaScript(`${LUA_ENSURE_EPOCH}${LUA_TRIMMED_PAST}
local epoch = ensure_epoch(KEYS[1], ARGV[1])
if epoch ~= ARGV[3] then return {epoch, 1} end
return {epoch, trimmed_past(KEYS[2], ARGV[2])}
`);

/**
 * `readSince`: KEYS epoch, bus; ARGV the epoch known, position, limit → the entries after the
 * position, or nil when the epoch changed or the stream no longer reaches back to the position.
 */
export const READ_SINCE = new LuaScript(`${LUA_TRIMMED_PAST}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
if trimmed_past(KEYS[2], ARGV[2]) == 1 then return false end
if ARGV[2] == '0-0' then return redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', ARGV[3]) end
return redis.call('XRANGE', KEYS[2], '(' .. ARGV[2], '+', 'COUNT', ARGV[3])
`);

/** Age trimming: KEYS bus; ARGV max age ms → entries trimmed (`XTRIM MINID ~`, by Redis's clock). */
export const TRIM_BY_AGE = new LuaScript(`${LUA_NOW}
local oldest = now_ms() - tonumber(ARGV[1])
if oldest <= 0 then return 0 end
return redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%d', oldest))
`);
