package redisstore

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"

	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// Every script decides one request against all limits of one key in one
// atomic step, with the time taken from the Redis server (TIME, in
// microseconds). KEYS are the per-limit state keys (they share a hash tag,
// so they live in one Cluster slot). ARGV[1] is n, then four numbers per
// limit: rate, period, interval (period/rate) and tau (burst×interval), all
// times in microseconds. The reply is five integers per limit: allowed,
// remaining, retry, reset, delay (microseconds). State is written only when
// every limit admits the request and n > 0, and every written key gets an
// expiry no earlier than the time until it is idle again (equal to it, but
// for GCRA and LeakyQueue, see gcraState), so idle keys vanish.
//
// Each algorithm supplies check(key, n, rate, period, T, tau, now), which
// returns the verdict plus the new state, and commit(key, v, n, now, period).
const header = `
local fetch = nil
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function ms(us) return math.floor(us / 1000) + 1 end
`

const footer = `
local n = tonumber(ARGV[1])
local vs = {}
local ok = true
for i = 1, #KEYS do
  local j = 2 + (i - 1) * 4
  local v = check(KEYS[i], n, tonumber(ARGV[j]), tonumber(ARGV[j+1]), tonumber(ARGV[j+2]), tonumber(ARGV[j+3]), now)
  vs[i] = v
  if v[1] == 0 then ok = false end
end
local out = {}
for i = 1, #KEYS do
  local v = vs[i]
  if ok and n > 0 then commit(KEYS[i], v, n, now, tonumber(ARGV[3 + (i - 1) * 4])) end
  out[#out+1] = v[1]; out[#out+1] = v[2]; out[#out+1] = v[3]; out[#out+1] = v[4]; out[#out+1] = v[5]
end
return out
`

// The batch script first calls fetch(keys), when the algorithm defines it,
// to read the state of every key of the batch with one command; check then
// takes the state from the cache C, which commit keeps current for keys
// that appear twice in a batch.
//
// GCRA keeps per key the theoretical arrival time tat and the key's expiry
// e (Redis server time, µs) as a format byte (1) and two 8-byte big-endian
// doubles (struct.pack('>Bdd'), 17 bytes, a length no decimal state of
// this century has): converting numbers to decimal strings for
// redis.call costs Redis more than the rest of the decision. A write keeps
// the key's expiry (SET ... KEEPTTL) while e is at least the new tat;
// otherwise it sets a new one, at least 2·tau ahead (SET ... PXAT): one
// expiry change per key per tau instead of one per write, because setting
// an expiry (and rewriting the command to PXAT for propagation) is the
// largest part of a SET's cost. So a key never expires before its state
// is that of a new key (e ≥ tat) and lives at most 2·tau (plus a
// millisecond) after its last admitted request. State written by earlier
// versions (one 8-byte double, or a decimal string, with an expiry e
// unknown) is still read; its next write sets a new expiry.
const gcraState = `
local function decode(s)
  if not s then return false, false end
  if #s == 17 then
    local _, tat, e = struct.unpack('>Bdd', s)
    return tat, e
  end
  if #s == 8 then return (struct.unpack('>d', s)), false end
  return tonumber(s) or false, false
end
local function write(key, tat, e, tau, now)
  if e and e >= tat then
    redis.call('SET', key, struct.pack('>Bdd', 1, tat, e), 'KEEPTTL')
    return
  end
  local px = ms(now + 2 * tau)
  redis.call('SET', key, struct.pack('>Bdd', 1, tat, px * 1000), 'PXAT', string.format('%d', px))
end
`

const gcraLua = gcraState + `
local function check(key, n, rate, period, T, tau, now)
  local tat, e = decode(redis.call('GET', key))
  tat = tat or now
  if tat < now then tat = now end
  local newTat = tat + n * T
  local ahead = newTat - now
  if ahead > tau then
    return {0, math.floor((tau - (tat - now)) / T), ahead - tau, tat - now, 0}
  end
  return {1, math.floor((tau - ahead) / T), 0, ahead, DELAY, newTat, e, tau}
end
local function commit(key, v, n, now, period)
  write(key, v[6], v[7], v[8], now)
end
`

const tokenBucketLua = `
local function check(key, n, rate, period, T, tau, now)
  local s = redis.call('HMGET', key, 'c', 'l')
  local c, l = tonumber(s[1]) or tau, tonumber(s[2]) or now
  if now > l then c = math.min(tau, c + (now - l)); l = now end
  local need = n * T
  if c < need then
    return {0, math.floor(c / T), need - c, tau - c, 0}
  end
  c = c - need
  return {1, math.floor(c / T), 0, tau - c, 0, c, l}
end
local function commit(key, v, n, now, period)
  redis.call('HSET', key, 'c', v[6], 'l', v[7])
  redis.call('PEXPIRE', key, ms(v[4]))
end
`

const leakyBucketLua = `
local function check(key, n, rate, period, T, tau, now)
  local s = redis.call('HMGET', key, 'w', 'l')
  local w, l = tonumber(s[1]) or 0, tonumber(s[2]) or now
  if now > l then w = math.max(0, w - (now - l)); l = now end
  local need = n * T
  if w + need > tau then
    return {0, math.floor((tau - w) / T), w + need - tau, w, 0}
  end
  w = w + need
  return {1, math.floor((tau - w) / T), 0, w, 0, w, l}
end
local function commit(key, v, n, now, period)
  redis.call('HSET', key, 'w', v[6], 'l', v[7])
  redis.call('PEXPIRE', key, ms(v[4]))
end
`

const fixedWindowLua = `
local function check(key, n, rate, period, T, tau, now)
  local s = redis.call('HMGET', key, 'w', 'c')
  local ws = now - math.fmod(now, period)
  local w, c = tonumber(s[1]), tonumber(s[2]) or 0
  if w == nil or ws > w then c = 0 else ws = w end
  local fin = ws + period - now
  if c + n > rate then return {0, rate - c, fin, fin, 0} end
  return {1, rate - c - n, 0, fin, 0, ws, c + n}
end
local function commit(key, v, n, now, period)
  redis.call('HSET', key, 'w', v[6], 'c', v[7])
  redis.call('PEXPIRE', key, ms(v[4]))
end
`

// The sliding window counter compares in doubles: exact while
// Rate × Period (µs) stays below 2^53.
const slidingWindowLua = `
local function check(key, n, rate, period, T, tau, now)
  local s = redis.call('HMGET', key, 'w', 'p', 'c')
  local ws = now - math.fmod(now, period)
  local w, p, c = tonumber(s[1]), tonumber(s[2]) or 0, tonumber(s[3]) or 0
  if w == nil then p, c = 0, 0
  elseif ws < w then ws = w
  elseif ws == w then
  elseif ws == w + period then p, c = c, 0
  else p, c = 0, 0 end
  local e = math.max(0, now - ws)
  local used = c + math.ceil(p * (period - e) / period)
  local reset = 0
  if c > 0 then reset = ws + 2 * period - now elseif p > 0 then reset = ws + period - now end
  if c + n <= rate and p * (period - e) <= (rate - c - n) * period then
    if c + n > 0 then reset = ws + 2 * period - now end
    return {1, math.max(0, rate - used - n), 0, reset, 0, ws, p, c + n}
  end
  local retry
  if c + n <= rate then
    retry = period - math.floor((rate - c - n) * period / p) - e
  else
    retry = period - e
    if c > 0 then retry = retry + math.max(0, period - math.floor((rate - n) * period / c)) end
  end
  return {0, math.max(0, rate - used), math.max(retry, 1), reset, 0}
end
local function commit(key, v, n, now, period)
  redis.call('HSET', key, 'w', v[6], 'p', v[7], 'c', v[8])
  redis.call('PEXPIRE', key, ms(v[4]))
end
`

// The sliding log keeps a sorted set of events scored by time; members are
// made unique by a per-key sequence kept beside it.
const slidingLogLua = `
local function check(key, n, rate, period, T, tau, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  local count = redis.call('ZCARD', key)
  local reset = 0
  if count > 0 then
    local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    reset = tonumber(last[2]) + period - now
  end
  if count + n > rate then
    local k = count + n - rate
    local old = redis.call('ZRANGE', key, k - 1, k - 1, 'WITHSCORES')
    return {0, rate - count, tonumber(old[2]) + period - now, reset, 0}
  end
  if n > 0 then reset = period end
  return {1, rate - count - n, 0, reset, 0}
end
local function commit(key, v, n, now, period)
  local seq = redis.call('INCRBY', key .. ':seq', n)
  local args = {}
  for i = 1, n do args[#args+1] = now; args[#args+1] = now .. ':' .. (seq - n + i) end
  redis.call('ZADD', key, unpack(args))
  redis.call('PEXPIRE', key, ms(period))
  redis.call('PEXPIRE', key .. ':seq', ms(period))
end
`

// batchFooter decides many requests, in order, in one script call, with
// the arguments and reply in MessagePack (see batch.go): ARGV[1] is
// [L, rate, period, T, tau, ...], ARGV[2] is [n, key1 ... keyL, n, ...];
// the reply packs the concatenation of the single-request replies. Each
// decision runs under pcall, so a command that fails (a key holding
// another type) fails only its own decision: its five numbers become
// [-1, i, 0, 0, 0] and the i-th string of a second MessagePack array,
// packed after the first, is the error. A *redis.Client sends a whole
// batch in one call (KEYS is empty: the keys are in ARGV[2]); Cluster and
// Ring clients send one call per hash slot (or tag), with that slot's first
// key as KEYS[1] so that it is routed to the node owning the slot, and all
// keys the script touches are in that slot.
const batchFooter = `
local P = cmsgpack.unpack(ARGV[1])
local B = cmsgpack.unpack(ARGV[2])
local L = P[1]
local R, PE, TT, TAU = {}, {}, {}, {}
for i = 1, L do
  local j = 2 + (i - 1) * 4
  R[i], PE[i], TT[i], TAU[i] = P[j], P[j+1], P[j+2], P[j+3]
end
local out = {}
local o = 0
local vs = {}
local errs = {}
local nb = #B
local pos = 1
if fetch then
  local keys = {}
  local k = 0
  while pos <= nb do
    for i = 1, L do k = k + 1; keys[k] = B[pos + i] end
    pos = pos + 1 + L
  end
  fetch(keys)
  pos = 1
end
local function decide(pos, n)
  local ok = true
  for i = 1, L do
    local v = check(B[pos + i], n, R[i], PE[i], TT[i], TAU[i], now)
    vs[i] = v
    if v[1] == 0 then ok = false end
  end
  if ok and n > 0 then
    for i = 1, L do commit(B[pos + i], vs[i], n, now, PE[i]) end
  end
end
while pos <= nb do
  local n = B[pos]
  local good, e = pcall(decide, pos, n)
  if good then
    for i = 1, L do
      local v = vs[i]
      out[o+1] = v[1]; out[o+2] = v[2]; out[o+3] = v[3]; out[o+4] = v[4]; out[o+5] = v[5]
      o = o + 5
    end
  else
    if type(e) == 'table' then e = e.err end
    errs[#errs+1] = tostring(e)
    out[o+1] = -1; out[o+2] = #errs
    for i = 3, 5 * L do out[o+i] = 0 end
    o = o + 5 * L
  end
  pos = pos + 1 + L
end
if #errs > 0 then return cmsgpack.pack(out, errs) end
return cmsgpack.pack(out)
`

// gcraBatchLua is the batch script of GCRA and LeakyQueue. Their whole
// verdict follows from one number per limit, ahead = tat' - now (tat' the
// theoretical arrival time after the request, see gcraLua), so the reply
// is the flat array [ahead₁₁ … ahead₁L, ahead₂₁, …] and the client derives
// allowed, remaining, retry, reset and delay exactly as the single-request
// script computes them (gcraVerdict in batch.go). Compared with the
// generic batch footer this builds no table per decision and packs a fifth
// of the numbers. Writes wait for the end of the script, one SET per key
// with its final state and an expiry at or after its final tat (the script
// is atomic, so this leaves what writing after each decision would): a
// batched decision costs Redis one SET, usually with KEEPTTL (see
// gcraState), and little else, and a key decided k times in a batch is
// written once.
const gcraBatchLua = gcraState + `
local P = cmsgpack.unpack(ARGV[1])
local B = cmsgpack.unpack(ARGV[2])
local L = P[1]
local TT, TAU = {}, {}
for i = 1, L do
  local j = 2 + (i - 1) * 4
  TT[i], TAU[i] = P[j+2], P[j+3]
end
local nb = #B
local keys, k = {}, 0
local pos = 1
while pos <= nb do
  for i = 1, L do k = k + 1; keys[k] = B[pos + i] end
  pos = pos + 1 + L
end
local C, E = {}, {}
local vals = redis.call('MGET', unpack(keys))
for i = 1, k do C[keys[i]], E[keys[i]] = decode(vals[i]) end
local out, o = {}, 0
local A = {}
local D, W, nd = {}, {}, 0
pos = 1
while pos <= nb do
  local n = B[pos]
  local ok = true
  for i = 1, L do
    local tat = C[B[pos + i]] or now
    if tat < now then tat = now end
    local ahead = tat + n * TT[i] - now
    A[i] = ahead
    if ahead > TAU[i] then ok = false end
  end
  for i = 1, L do
    o = o + 1
    out[o] = A[i]
    if ok and n > 0 then
      local key = B[pos + i]
      C[key] = now + A[i]
      if not W[key] then nd = nd + 1; D[nd] = key; W[key] = TAU[i] end
    end
  end
  pos = pos + 1 + L
end
for i = 1, nd do
  local key = D[i]
  write(key, C[key], E[key], W[key], now)
end
return cmsgpack.pack(out)
`

// script is one Lua script and its SHA1, so it is sent once and then
// called by EVALSHA.
type script struct {
	src string
	sha string
}

func newScript(src string) *script {
	h := sha1.Sum([]byte(src))
	return &script{src: src, sha: hex.EncodeToString(h[:])}
}

// scriptsFor returns the single-request and the batch script of a.
func scriptsFor(a ratelimit.Algorithm) (single, batch *script) {
	body := ""
	switch a {
	case ratelimit.GCRA:
		body = strings.Replace(gcraLua, "DELAY", "0", 1)
	case ratelimit.LeakyQueue:
		body = strings.Replace(gcraLua, "DELAY", "tat - now", 1)
	case ratelimit.TokenBucket:
		body = tokenBucketLua
	case ratelimit.LeakyBucket:
		body = leakyBucketLua
	case ratelimit.FixedWindow:
		body = fixedWindowLua
	case ratelimit.SlidingWindow:
		body = slidingWindowLua
	case ratelimit.SlidingLog:
		body = slidingLogLua
	}
	if compactReply(a) {
		return newScript(header + body + footer), newScript(header + gcraBatchLua)
	}
	return newScript(header + body + footer), newScript(header + body + batchFooter)
}

// compactReply reports whether a's batch script answers one number per
// limit and decision (gcraBatchLua) instead of five.
func compactReply(a ratelimit.Algorithm) bool {
	return a == ratelimit.GCRA || a == ratelimit.LeakyQueue
}
