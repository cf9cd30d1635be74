// Fuzz: malformed requests to every endpoint, with a fixed seed and a fixed number of runs. For every
// answer: no 5xx; every error is application/json with a non-empty "error" text (and "field", if any, a
// string); no answer carries a password or session token that its request did not carry; nothing behind
// authentication succeeds without a valid bearer header (?token= does not count on REST); and a route
// with a body schema never accepts a body that is not a JSON object or that holds 1e309 or a lone
// surrogate. Afterwards the server still works and has logged nothing at level error.
//
// Three sources of requests: a fast-check property per endpoint, a catalogue that sends every listed edge
// case once, and a mixed stream across all endpoints. A property failure prints fast-check's seed, path
// and shrunk counterexample (rerun with the same SEED to reproduce it); a catalogue failure prints the
// request. Requests go through rig.inject (light-my-request): no sockets, no HTTP parser.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { startRig, login, call, passwordOf } from './helpers.js';
import type { Rig } from './helpers.js';
import { directConversationId } from '../src/service.js';

const SEED = 20_240_611;
/** Runs per endpoint (33 endpoints) and for the mixed stream; the file asserts the total is at least 1,000. */
const RUNS_PER_ENDPOINT = 80;
const RUNS_MIXED = 300;
const RUNS_EXTERNAL = 200;
const MIN_MALFORMED = 1000;
/** A request that has not been answered in this time is reported as hung (not a timing assertion on the run). */
const HANG_MS = 10_000;

const HIGH_LIMITS = {
  RATE_REQUESTS_PER_MIN: '1000000',
  // The other limits accept at most 100000 (config.ts).
  RATE_MESSAGES_PER_MIN: '100000',
  RATE_SIGN_IN_PER_ADDRESS_PER_MIN: '100000',
  RATE_SIGN_IN_PER_USER_PER_MIN: '100000',
  RATE_CALLS_PER_MIN: '100000',
  RATE_DEVICES_PER_MIN: '100000',
  RATE_SOCKETS_PER_MIN: '100000',
  RATE_PROFILE_CHANGES_PER_MIN: '100000',
  // A call made before the run keeps ringing, so accept/reject/cancel reach a ringing call.
  CALL_TIMEOUT_MS: '600000',
};

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'TRACE' | 'PROPFIND';

/** One request, with labels saying what is malformed about it (a part labelled `ok:` is well formed). */
interface Req {
  endpoint: string;
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  remoteAddress?: string;
  /** The caller presents no usable bearer header (none, garbage, forged, revoked, or only ?token=). */
  badAuth: boolean;
  kinds: string[];
}

interface Part { kind: string }

interface Ctx {
  tokens: { alice: string; bob: string; carol: string };
  /** Fresh sessions of a throwaway user: the only valid tokens DELETE /session gets. */
  throwaway: string[];
  /** Tokens that must be refused. */
  badTokens: string[];
  /** A token whose session was logged out. */
  revoked: string;
  conversations: string[];
  calls: string[];
  devices: string[];
  /** Passwords and tokens no answer may contain unless the request itself carried them. */
  secrets: string[];
}

// ---- pieces of malformed input -------------------------------------------------------------------

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const asciiString = (maxLength: number) => fc.string({ unit: printable, maxLength });
/** Any code points, lone surrogates included. */
const anyString = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as Buffer does). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** JSON source text of values that are wrong for (almost) any field: types, numbers JSON.parse turns into
 * Infinity or rounds, lone surrogates, blank and invisible text, prototype keys, over-long strings. */
const EDGE_VALUES = [
  'null', 'true', 'false', '0', '-1', '1', '1.5', '-0', '0.1e1', '1e309', '-1e309', '1e-400', '9007199254740993',
  '9007199254740991', '1e21', '123456789012345678901234567890', '-9007199254740992', '[]', '{}', '[null]', '[[]]', '[""]',
  '""', '" "', '"\\t\\n"', '"\\u3000\\u00a0"', '"\\u0000"', '"\\ud800"', '"a\\udfffb"', '"\\udbff"', '"\\ud83d\\ude00"',
  '"\\u202e"', '"__proto__"', '"constructor"', '"null"', '"1"', '"1e309"', '"0x10"', '"true"', '"audio "', '"Audio"',
  '"allOffline\\u0000"', '"bob"', '"alice"', '"../etc/passwd"', '"a b"', '"\u00e4"', '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}', '["bob","bob"]', '["bob",1]', '{"length":1}',
  ...[9, 65, 129, 257, 4001, 8193, 20000].map((n) => JSON.stringify('x'.repeat(n))),
];

/** A value that is wrong in some way for (almost) any field. */
const weirdValue: fc.Arbitrary<{ raw: string; kind: string }> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_VALUES).map((raw) => ({ raw, kind: 'value:edge' })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ raw: JSON.stringify(v) ?? 'null', kind: 'value:json' })) },
  { weight: 2, arbitrary: anyString(40).map((s) => ({ raw: JSON.stringify(s), kind: 'value:string' })) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()).map((n) => ({ raw: JSON.stringify(n), kind: 'value:number' })) },
);

/** Keys nobody asked for, the prototype-polluting ones first. */
const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'admin', 'userId', '', ' ', 'TEXT', 'text '];
const extraKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EXTRA_KEYS) },
  { weight: 1, arbitrary: anyString(20) },
);

/** Body texts that are not JSON, or JSON of the wrong shape. */
const JUNK_TEXTS = [
  '', ' ', '{', '}', '{"a":}', "{'a':1}", 'nul', 'undefined', 'NaN', '[1,]', '{"a":1,}', '{"a":1}x', '{"a":1}{"b":2}', '\u0000',
  '\ufeff{}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":01}', '{"a":.5}', '{"a":+1}', '{"a":0x10}', '{"a":1e309}', '{"a":Infinity}',
  '"just a string"', '42', 'true', 'null', '[]', '{}', '[{}]', '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}', '{"a":"\\ud800"}', '{"\\ud800":1}', '\n\t {} \n', '// comment\n{}',
  'userId=alice&password=x', '<xml/>', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
];

/** Deep nesting, prototype keys in depth, bodies over the limit, invalid UTF-8 (made on use: they are big). */
const EXTREME_BODIES: (() => string | Buffer)[] = [
  () => '['.repeat(30000) + ']'.repeat(30000),
  () => '{"a":'.repeat(10000) + '1' + '}'.repeat(10000),
  () => '{"constructor":'.repeat(3000) + '{"prototype":1}' + '}'.repeat(3000),
  () => '{"__proto__":'.repeat(3000) + '{}' + '}'.repeat(3000),
  () => '['.repeat(50000),
  () => JSON.stringify({ text: 'x'.repeat(70000) }),
  () => `{"a":"${'\\ud800'.repeat(10000)}"}`,
  () => Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}')]),
];

/** Bodies that are wrong as a whole (not a mutation of a valid one). */
const junkBody: fc.Arbitrary<{ payload: string | Buffer; kind: string }> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ payload: JSON.stringify(v) ?? '', kind: 'body:json-any' })) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true }).map((v) => {
    let s: string | undefined;
    try {
      s = JSON.stringify(v);
    } catch {
      s = undefined;
    }
    return { payload: s ?? String(v), kind: 'body:anything' };
  }) },
  { weight: 3, arbitrary: fc.constantFrom(...JUNK_TEXTS).map((payload) => ({ payload, kind: 'body:invalid-text' })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ payload: Buffer.from(b), kind: 'body:bytes' })) },
  { weight: 1, arbitrary: fc.constantFrom(...EXTREME_BODIES).map((make) => ({ payload: make(), kind: 'body:extreme' })) },
);

/** Content types other than plain application/json (undefined: no header). */
const CONTENT_TYPES: (string | undefined)[] = [
  undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-8',
  'application/json; charset=utf-16', 'application/json; charset=latin1', 'APPLICATION/JSON', 'application/json;;', 'application/jsonx',
  'application/vnd.api+json', 'application/*', '*/*', '', ' ', 'application/json, text/plain', 'text/json', 'application/octet-stream',
  'image/png', 'application/json; boundary="', 'text/plain; charset=utf-8',
];

const contentType: fc.Arbitrary<{ value?: string; kind: string }> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ value: 'application/json', kind: 'ok:content-type' }) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((value) => ({ value, kind: `content-type:${value ?? 'missing'}` })) },
);

/** Values for a query parameter, as they appear in the URL (most of them wrong for an integer). */
const QUERY_VALUES = [
  '1', '30', '100', '101', '0', '-1', '1.5', '1e309', '1e2', 'abc', '0x10', '%205', '5%20', '', '00', '01', '999999999999999',
  '9999999999999999', '9007199254740993', 'Infinity', 'NaN', 'true', 'null', '[]', '%E0%A4%A', '%', '%%', '%00', '%2B1', '+1',
  '%D9%A1', '%ED%A0%80', 'x'.repeat(10000), '1,2', '1;2',
];

/** Odd values for a query parameter. */
const queryValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...QUERY_VALUES) },
  { weight: 1, arbitrary: fc.nat().map(String) },
  { weight: 1, arbitrary: anyString(30).map(pct) },
);
const queryName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('limit', 'before', 'token', 'deviceId') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'limit[]', 'limit[0]', 'before.x', '', 'x', 'LIMIT', '%6Cimit', 'hasOwnProperty') },
  { weight: 1, arbitrary: anyString(10).map(pct) },
);
/** A whole query string of odd pairs (duplicates and bare names included). */
const oddQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.tuple(queryName, queryValue, fc.nat(9)), { minLength: 1, maxLength: 4 })
    .map((pairs) => pairs.map(([n, v, shape]) => (shape === 0 ? n : shape === 1 ? `${n}=` : `${n}=${v}`)).join('&')) },
  { weight: 1, arbitrary: fc.constantFrom('&', '&&', '=', '==', '=1', '?', 'limit=1&limit=2', 'before=1&before=2&before=3', '%', '%E0%A4%A=1', 'a=%E0%A4%A') },
);

const remoteAddress = fc.constantFrom(undefined, undefined, '127.0.0.1', '10.1.2.3', '::1', '::ffff:10.0.0.1', '203.0.113.9', 'not-an-ip', '');

const extraHeaders: fc.Arbitrary<{ headers: Record<string, string>; kind: string }> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ headers: {}, kind: 'ok:headers' }) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>(
    { 'x-forwarded-for': '1.2.3.4, <script>' }, { accept: 'application/xml' }, { accept: '*/*;q=abc' },
    { 'accept-encoding': 'gzip, br' }, { connection: 'Upgrade', upgrade: 'websocket' }, { 'content-encoding': 'gzip' },
    { 'transfer-encoding': 'chunked' }, { host: '' }, { host: 'evil.example:99999' }, { expect: '100-continue' },
    { 'x-http-method-override': 'DELETE' }, { cookie: 'token=abc' },
  ).map((headers) => ({ headers, kind: `headers:${Object.keys(headers).join('+')}` })) },
);

// ---- authentication ------------------------------------------------------------------------------

/** Authorization headers that must not let anyone in: wrong scheme, no token, forged, tampered, revoked. */
function badAuthHeaders(ctx: Ctx): string[] {
  const [alice, bob] = [ctx.tokens.alice, ctx.tokens.bob];
  return [
    'Bearer', 'Bearer ', 'Bearer null', 'Bearer undefined', 'Bearer a.b.c', 'Bearer ...', 'Bearer .', `bearer ${alice}`,
    `BEARER ${alice}`, 'Basic YWxpY2U6cHc=', alice, `Token ${alice}`, `Bearer ${'x'.repeat(20000)}`, `Bearer ${alice}, Bearer ${bob}`,
    `Bearer ${alice.split('.').slice(0, 2).join('.')}`, `Bearer ${alice.split('.').reverse().join('.')}`,
    ...ctx.badTokens.map((t) => `Bearer ${t}`),
  ];
}

function authArb(ctx: Ctx, valid: string[]): fc.Arbitrary<{ header?: string; query?: string; bad: boolean } & Part> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...valid).map((t) => ({ header: `Bearer ${t}`, bad: false, kind: 'ok:auth' })) },
    { weight: 1, arbitrary: fc.constant({ bad: true, kind: 'auth:missing' }) },
    { weight: 2, arbitrary: fc.constantFrom(...badAuthHeaders(ctx)).map((header) => ({ header, bad: true, kind: 'auth:malformed' })) },
    { weight: 1, arbitrary: asciiString(200).map((s) => ({ header: `Bearer ${s}`, bad: true, kind: 'auth:garbage' })) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map((t) => ({ query: `token=${t}`, bad: true, kind: 'auth:query-token' })) },
    // Near misses of a valid token: may or may not be accepted, but never a 5xx.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...valid), fc.constantFrom(' ', 'x', '=', '.', '..', '%20')).map(([t, s]) => ({
      header: `Bearer ${t}${s}`, bad: false, kind: 'auth:near-miss' })) },
  );
}

// ---- paths ---------------------------------------------------------------------------------------

/** Path segments for an id parameter: empty, dots, broken or overlong percent-encoding, too long, prototype names. */
const ODD_SEGMENTS = [
  '', '.', '..', '%2e%2e', '%00', '%E0%A4%A', '%', '%%', '%ZZ', '%ED%A0%80', '%C0%AF', '%2F', 'a%2Fb', '%20', '+', 'a b', '%F0%9F%98%80',
  'x'.repeat(65), 'x'.repeat(5000), ';', ',', '~', '$', 'null', 'undefined', '__proto__', 'constructor', 'hasOwnProperty', '0', '-1',
  '1e309', '%25', '%u0041', '\u00e4', '#frag', '?x=1', '*', ':id', 'a:b', '%3Cscript%3E', '\\', '"',
];

/** A path parameter: real ids, random well-formed ids, and odd (encoded) segments. */
function pathParam(real: string[]): fc.Arbitrary<{ segment: string } & Part> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...real).map((segment) => ({ segment, kind: 'ok:path' })) },
    { weight: 2, arbitrary: validId.map((segment) => ({ segment, kind: 'ok:path-random-id' })) },
    { weight: 3, arbitrary: fc.constantFrom(...ODD_SEGMENTS).map((segment) => ({ segment, kind: 'path:odd' })) },
    { weight: 1, arbitrary: anyString(60).map((s) => ({ segment: pct(s), kind: 'path:encoded' })) },
  );
}

// ---- bodies --------------------------------------------------------------------------------------

type Fields = Record<string, fc.Arbitrary<string>>;

const serialize = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** A valid body, or one with one field wrong, missing, doubled or an unknown field, or junk. */
function bodyArb(shapes: Fields | Fields[]): fc.Arbitrary<{ payload?: string | Buffer } & Part> {
  const valid = fc.oneof(...[shapes].flat().map((fields) => fc.record(fields).map((r) => Object.entries(r) as [string, string][])));
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((e) => ({ payload: serialize(e), kind: 'ok:body' })) },
    { weight: 5, arbitrary: fc.tuple(valid, fc.nat(), weirdValue).map(([e, i, w]) => {
      const copy = [...e];
      const at = i % copy.length;
      copy[at] = [copy[at][0], w.raw];
      return { payload: serialize(copy), kind: `body:mutated(${w.kind})` };
    }) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat()).map(([e, i]) => ({ payload: serialize(e.filter((_, j) => j !== i % e.length)), kind: 'body:missing-field' })) },
    { weight: 2, arbitrary: fc.tuple(valid, extraKey, weirdValue, fc.boolean()).map(([e, k, w, first]) => ({
      payload: serialize(first ? [[k, w.raw], ...e] : [...e, [k, w.raw]]), kind: 'body:extra-field' })) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat(), weirdValue).map(([e, i, w]) => ({
      payload: serialize([...e, [e[i % e.length][0], w.raw]]), kind: 'body:duplicate-key' })) },
    { weight: 3, arbitrary: junkBody },
  );
}

const raw = (a: fc.Arbitrary<string>) => a.map((s) => JSON.stringify(s));
const rawFrom = (...values: string[]) => raw(fc.constantFrom(...values));

// ---- endpoints -----------------------------------------------------------------------------------

interface Endpoint {
  name: string;
  method: Method;
  authed: boolean;
  path(ctx: Ctx): fc.Arbitrary<{ path: string } & Part>;
  /** A well-formed path of this route. */
  example(ctx: Ctx): string;
  /** The path with this id segment (routes with a parameter). */
  at?(segment: string): string;
  /** The valid shape(s) of the body, as JSON source text per field. */
  body?(ctx: Ctx): Fields | Fields[];
  /** Route-specific query strings (well formed or not), sent on most requests. */
  query?(ctx: Ctx): fc.Arbitrary<{ query: string } & Part>;
  /** Valid tokens this endpoint may be called with (default alice, bob, carol). */
  valid?(ctx: Ctx): string[];
}

/** A route without parameters. */
const fixed = (path: string) => ({ path: () => fc.constant({ path, kind: 'ok:path' }), example: () => path });
/** A route with one id parameter: real ids, random ids and odd segments. */
const withParam = (at: (p: string) => string, real: (ctx: Ctx) => string[]) => ({
  path: (ctx: Ctx) => pathParam(real(ctx)).map((p) => ({ path: at(p.segment), kind: p.kind })),
  example: (ctx: Ctx) => at(real(ctx)[0]),
  at,
});

const users = fc.constantFrom('alice', 'bob', 'carol', 'dave', 'nobody');

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /healthz', method: 'GET', authed: false, ...fixed('/healthz') },
  { name: 'POST /accounts', method: 'POST', authed: false, ...fixed('/api/v1/accounts'),
    body: () => ({ userId: raw(fc.oneof(validId, users)), password: raw(fc.oneof(asciiString(300), fc.constant(passwordOf('dave')))),
      displayName: raw(fc.oneof(anyString(70), fc.constantFrom('Zed', '  ', '\u3000'))) }) },
  { name: 'POST /session', method: 'POST', authed: false, ...fixed('/api/v1/session'),
    body: () => ({ userId: raw(fc.oneof(users, validId)), password: raw(fc.oneof(fc.constant(passwordOf('dave')), anyString(300))) }) },
  { name: 'POST /session/external', method: 'POST', authed: false, ...fixed('/api/v1/session/external'),
    body: (ctx) => ({ token: raw(fc.oneof(asciiString(100), fc.constantFrom(ctx.tokens.alice, ...ctx.badTokens))) }) },
  { name: 'DELETE /session', method: 'DELETE', authed: true, ...fixed('/api/v1/session'), valid: (ctx) => ctx.throwaway },
  { name: 'GET /me', method: 'GET', authed: true, ...fixed('/api/v1/me') },
  { name: 'PUT /devices/:deviceId', method: 'PUT', authed: true, ...withParam((p) => `/api/v1/devices/${p}`, (ctx) => ctx.devices),
    body: () => ({ pushToken: raw(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_:.+/=-]{16,40}$/), fc.constant('IQAAAACy0fuzzfuzzfuzzfuzz'))),
      clientId: rawFrom('111222333', '444555666', '777888999', 'unknown-client') }) },
  { name: 'DELETE /devices/:deviceId', method: 'DELETE', authed: true, ...withParam((p) => `/api/v1/devices/${p}`, (ctx) => ctx.devices) },
  { name: 'POST /messages', method: 'POST', authed: true, ...fixed('/api/v1/messages'),
    body: (ctx): Fields[] => [
      { to: raw(users), text: raw(fc.oneof(anyString(50), fc.constant('hello'))), clientMsgId: raw(validId) },
      { groupId: raw(fc.oneof(fc.constantFrom(...ctx.conversations), validId)), text: raw(fc.oneof(anyString(50), fc.constant('hello'))), clientMsgId: raw(validId) },
    ] },
  { name: 'GET /conversations', method: 'GET', authed: true, ...fixed('/api/v1/conversations') },
  { name: 'GET /conversations/:id', method: 'GET', authed: true, ...withParam((p) => `/api/v1/conversations/${p}`, (ctx) => ctx.conversations) },
  { name: 'POST /conversations/direct', method: 'POST', authed: true, ...fixed('/api/v1/conversations/direct'),
    body: () => ({ userId: raw(fc.oneof(users, validId)) }) },
  { name: 'DELETE /conversations/:id/messages/:seq', method: 'DELETE', authed: true,
    ...withParam((p) => `/api/v1/conversations/${p}/messages/1`, (ctx) => ctx.conversations) },
  // The seq segment, in Alice and Bob's conversation (its id is derived from the two users).
  { name: 'DELETE /conversations/:id/messages/:seq (seq)', method: 'DELETE', authed: true,
    ...withParam((p) => `/api/v1/conversations/${directConversationId('alice', 'bob')}/messages/${p}`, () => ['1', '2']) },
  { name: 'GET /conversations/:id/messages', method: 'GET', authed: true,
    ...withParam((p) => `/api/v1/conversations/${p}/messages`, (ctx) => ctx.conversations),
    query: () => fc.oneof(
      { weight: 2, arbitrary: fc.tuple(fc.option(queryValue), fc.option(queryValue)).map(([b, l]) => ({
        query: [b === null ? '' : `before=${b}`, l === null ? '' : `limit=${l}`].filter(Boolean).join('&'), kind: 'query:before-limit' })) },
      { weight: 1, arbitrary: oddQuery.map((query) => ({ query, kind: 'query:odd' })) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 50 })).map(([l, b]) => ({ query: `limit=${l}&before=${b}`, kind: 'ok:query' })) },
    ) },
  { name: 'POST /conversations/:id/read', method: 'POST', authed: true,
    ...withParam((p) => `/api/v1/conversations/${p}/read`, (ctx) => ctx.conversations),
    body: () => ({ upToSeq: fc.oneof(fc.nat(100).map(String), fc.constantFrom('0', '9007199254740991', '1e309', '-1', '1.5', '1e2', '2.0', '9007199254740992')) }) },
  { name: 'PUT /conversations/:id/settings', method: 'PUT', authed: true,
    ...withParam((p) => `/api/v1/conversations/${p}/settings`, (ctx) => ctx.conversations),
    body: () => ({ pinned: fc.constantFrom('true', 'false'), muted: fc.constantFrom('true', 'false'), hidden: fc.constantFrom('true', 'false') }) },
  { name: 'GET /unread', method: 'GET', authed: true, ...fixed('/api/v1/unread') },
  { name: 'POST /groups', method: 'POST', authed: true, ...fixed('/api/v1/groups'),
    body: () => ({ name: raw(fc.oneof(anyString(70), fc.constant('Team'))),
      members: fc.oneof(
        fc.subarray(['alice', 'bob', 'carol', 'dave'], { minLength: 1 }).map((m) => JSON.stringify(m)),
        fc.array(validId, { maxLength: 5 }).map((m) => JSON.stringify(m)),
        fc.constantFrom(10, 1000, 13000).map((n) => JSON.stringify(Array.from({ length: n }, (_, i) => `u${i}`))),
      ) }) },
  { name: 'POST /calls', method: 'POST', authed: true, ...fixed('/api/v1/calls'),
    body: () => ({ to: raw(users), media: rawFrom('audio', 'video') }) },
  { name: 'GET /calls', method: 'GET', authed: true, ...fixed('/api/v1/calls'),
    query: () => fc.oneof(
      { weight: 2, arbitrary: fc.tuple(fc.option(queryValue), fc.option(queryValue)).map(([b, l]) => ({
        query: [b === null ? '' : `before=${b}`, l === null ? '' : `limit=${l}`].filter(Boolean).join('&'), kind: 'query:before-limit' })) },
      { weight: 1, arbitrary: oddQuery.map((query) => ({ query, kind: 'query:odd' })) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.nat()).map(([l, b]) => ({ query: `limit=${l}&before=${b + 1}`, kind: 'ok:query' })) },
    ) },
  { name: 'GET /calls/unseen', method: 'GET', authed: true, ...fixed('/api/v1/calls/unseen') },
  { name: 'POST /calls/seen', method: 'POST', authed: true, ...fixed('/api/v1/calls/seen'),
    body: () => ({ upTo: fc.oneof(fc.nat().map(String), fc.constantFrom('0', '9007199254740991', '1e309', '-1', '1.5', '1e2', '2.0', '9007199254740992')) }) },
  { name: 'GET /calls/:id', method: 'GET', authed: true, ...withParam((p) => `/api/v1/calls/${p}`, (ctx) => ctx.calls) },
  ...(['accept', 'reject', 'cancel', 'hangup'] as const).map((action): Endpoint => ({
    name: `POST /calls/:id/${action}`, method: 'POST', authed: true,
    ...withParam((p) => `/api/v1/calls/${p}/${action}`, (ctx) => ctx.calls),
  })),
  { name: 'GET /settings', method: 'GET', authed: true, ...fixed('/api/v1/settings') },
  { name: 'PUT /settings', method: 'PUT', authed: true, ...fixed('/api/v1/settings'),
    body: () => ({ dnd: fc.constantFrom('true', 'false'),
      dndStart: fc.oneof(fc.integer({ min: 0, max: 1439 }).map(String), fc.constantFrom('1440', '-1', '22.5', '"22"', '1e3')),
      dndEnd: fc.oneof(fc.integer({ min: 0, max: 1439 }).map(String), fc.constantFrom('1440', '-0', '419.99', '"7"')),
      timeZone: fc.oneof(rawFrom('UTC', 'Asia/Shanghai', 'Asia/Kolkata', 'Europe/Berlin', 'Mars/Base', '+05:30', 'UTC+8', 'utc', 'Etc/GMT+5'),
        raw(asciiString(70))),
      preview: fc.constantFrom('true', 'false'), multiDevicePolicy: rawFrom('allOffline', 'anyOffline') }) },
  { name: 'PUT /me', method: 'PUT', authed: true, ...fixed('/api/v1/me'),
    body: () => ({ displayName: raw(fc.oneof(anyString(70), fc.constantFrom('Zed', '  Zed  ', '  ', '\u3000', 'Z\u0000', 'Z\ned', '\u0085'))) }) },
  { name: 'GET /ws (no upgrade)', method: 'GET', authed: true, ...fixed('/api/v1/ws'),
    query: () => fc.oneof(
      { weight: 2, arbitrary: pathParam(['phone', 'tablet']).map((p) => ({ query: `deviceId=${p.segment}`, kind: p.kind === 'ok:path' ? 'ok:query' : 'query:deviceId' })) },
      { weight: 1, arbitrary: oddQuery.map((query) => ({ query, kind: 'query:odd' })) },
      { weight: 1, arbitrary: fc.constant({ query: '', kind: 'query:missing-deviceId' }) },
    ) },
  { name: 'unknown routes and methods', method: 'GET', authed: false, example: () => '/api/v1/nothing', path: () => fc.oneof(
    fc.constantFrom('/', '/api', '/api/v1', '/api/v1/', '/api/v2/me', '/api/v1/nothing', '/api/v1/me/', '/api/v1//me', '/API/V1/ME',
      '/api/v1/conversations/x', '/api/v1/calls/', '/api/v1/devices', '/api/v1/devices/', '/healthz/', '/%2e%2e/etc/passwd', '/api/v1/../healthz',
      '/api/v1/%2e%2e/healthz', '//', '/api/v1/messages/..', '/favicon.ico', '/api/v1/session/external/x', '/api/v1/ws/x', '/api/v1/%E0%A4%A',
      '/%', '/api/v1/me%00', '/api/v1/me;x', '/api/v1/calls/a/b/accept', '/api/v1/conversations//messages', '*', 'api/v1/me', '/api/v1/me#x')
      .map((path) => ({ path, kind: 'path:unknown' })),
    fc.array(anyString(12).map(pct), { minLength: 1, maxLength: 5 }).map((segments) => ({ path: `/api/v1/${segments.join('/')}`, kind: 'path:random' })),
  ) },
];

/** Known paths with methods they do not have (the "unknown" endpoint picks one of these or its own path). */
const WRONG_METHODS: [Method, string][] = [
  ['PATCH', '/api/v1/settings'], ['GET', '/api/v1/messages'], ['PUT', '/api/v1/messages'], ['GET', '/api/v1/accounts'],
  ['POST', '/api/v1/me'], ['PATCH', '/api/v1/me'], ['DELETE', '/api/v1/conversations'], ['OPTIONS', '/api/v1/messages'], ['HEAD', '/api/v1/me'],
  ['HEAD', '/healthz'], ['TRACE', '/api/v1/me'], ['PROPFIND', '/api/v1/me'], ['GET', '/api/v1/calls/x/accept'],
  ['POST', '/healthz'], ['PUT', '/api/v1/session'], ['HEAD', '/api/v1/ws'], ['DELETE', '/api/v1/me'],
];

function requestArb(ctx: Ctx, e: Endpoint): fc.Arbitrary<Req> {
  const valid = e.valid?.(ctx) ?? [ctx.tokens.alice, ctx.tokens.bob, ctx.tokens.carol];
  const body: fc.Arbitrary<{ payload?: string | Buffer } & Part> = e.body
    ? bodyArb(e.body(ctx))
    : fc.oneof({ weight: 6, arbitrary: fc.constant({ kind: 'ok:no-body' }) }, { weight: 1, arbitrary: junkBody });
  const query: fc.Arbitrary<{ query: string } & Part> = e.query
    ? fc.oneof({ weight: 8, arbitrary: e.query(ctx) }, { weight: 1, arbitrary: fc.constant({ query: '', kind: 'ok:no-query' }) })
    : fc.oneof({ weight: 6, arbitrary: fc.constant({ query: '', kind: 'ok:no-query' }) }, { weight: 1, arbitrary: oddQuery.map((q) => ({ query: q, kind: 'query:odd' })) });
  const method: fc.Arbitrary<{ method: Method; path?: string }> = e.name.startsWith('unknown')
    ? fc.oneof(fc.constant({ method: 'GET' as Method }), fc.constantFrom(...WRONG_METHODS).map(([method, path]) => ({ method, path })),
      fc.constantFrom<Method>('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS').map((method) => ({ method })))
    : fc.constant({ method: e.method });
  return fc.record({
    path: e.path(ctx), method, body, query, type: contentType, auth: authArb(ctx, valid), extra: extraHeaders, remoteAddress,
  }).map(({ path, method: m, body: b, query: q, type, auth, extra, remoteAddress: address }) => {
    const headers: Record<string, string> = { ...extra.headers };
    const kinds = [path.kind, b.kind, q.kind, extra.kind];
    if (auth.header !== undefined) headers.authorization = auth.header;
    if (e.authed || auth.kind !== 'ok:auth') kinds.push(auth.kind);
    if (b.payload !== undefined && type.value !== undefined) headers['content-type'] = type.value;
    if (b.payload !== undefined) kinds.push(type.kind);
    const queryString = [q.query, auth.query].filter(Boolean).join('&');
    const url = `${m.path ?? path.path}${queryString ? `?${queryString}` : ''}`;
    return { endpoint: e.name, method: m.method, url, headers, payload: b.payload, remoteAddress: address, badAuth: auth.bad, kinds };
  });
}

/**
 * Every listed edge case once, without randomness: each field of each body shape gets each EDGE_VALUE,
 * each unknown key and goes missing; each route gets each junk body, each content type, each odd id
 * segment, each odd query value and each bad authorization header. A floor under the random runs.
 */
function catalogue(ctx: Ctx): Req[] {
  const reqs: Req[] = [];
  for (const e of ENDPOINTS) {
    if (e.name.startsWith('unknown')) continue;
    // DELETE /session must not log out the run's users: it gets a revoked token (and is 401 throughout).
    const token = e.name === 'DELETE /session' ? ctx.revoked : ctx.tokens.alice;
    const base = e.example(ctx);
    interface Over { url?: string; payload?: string | Buffer; type?: string | null; authorization?: string | null; badAuth?: boolean }
    const add = (kinds: string[], { url = base, payload, type = 'application/json', authorization = `Bearer ${token}`,
      badAuth = e.name === 'DELETE /session' }: Over = {}) => {
      const headers: Record<string, string> = {};
      if (authorization !== null) headers.authorization = authorization;
      if (payload !== undefined && type !== null) headers['content-type'] = type;
      reqs.push({ endpoint: e.name, method: e.method, url, headers, payload, badAuth, kinds });
    };
    const shapes = e.body ? [e.body(ctx)].flat() : [];
    const examples = shapes.map((fields, i) => Object.entries(fc.sample(fc.record(fields), { seed: SEED + i, numRuns: 1 })[0]) as [string, string][]);
    for (const example of examples) {
      example.forEach(([key], i) => {
        for (const value of EDGE_VALUES) {
          const copy = [...example];
          copy[i] = [key, value];
          add([`body:edge-value(${key})`], { payload: serialize(copy) });
        }
        add(['body:missing-field'], { payload: serialize(example.filter((_, j) => j !== i)) });
        add(['body:duplicate-key'], { payload: serialize([...example, [key, '{}']]) });
      });
      for (const key of EXTRA_KEYS) {
        for (const value of ['1', '{"admin":true}']) add(['body:extra-field'], { payload: serialize([[key, value], ...example]) });
      }
    }
    const valid = examples.length > 0 ? serialize(examples[0]) : '{}';
    for (const payload of [...JUNK_TEXTS, ...EXTREME_BODIES.map((make) => make())]) add(['body:junk'], { payload });
    for (const type of CONTENT_TYPES) add([`content-type:${type ?? 'missing'}`], { payload: valid, type: type ?? null });
    if (e.at) for (const segment of ODD_SEGMENTS) add(['path:odd'], { url: e.at(segment), payload: examples.length > 0 ? valid : undefined });
    if (e.name.startsWith('GET /conversations/:id') || e.name === 'GET /calls') {
      for (const value of QUERY_VALUES) {
        add(['query:before'], { url: `${base}?before=${value}` });
        add(['query:limit'], { url: `${base}?limit=${value}` });
      }
    }
    if (e.name.startsWith('GET /ws')) {
      for (const value of [...QUERY_VALUES, ...ODD_SEGMENTS]) add(['query:deviceId'], { url: `${base}?deviceId=${value}` });
    }
    if (e.authed) {
      const payload = examples.length > 0 ? valid : undefined;
      for (const authorization of badAuthHeaders(ctx)) add(['auth:malformed'], { authorization, badAuth: true, payload });
      add(['auth:missing'], { authorization: null, badAuth: true, payload });
      add(['auth:query-token'], { url: `${base}?token=${ctx.tokens.alice}`, authorization: null, badAuth: true, payload });
    }
  }
  return reqs;
}

// ---- sending and checking ------------------------------------------------------------------------

interface Stats {
  total: number;
  malformed: number;
  byEndpoint: Map<string, number>;
  byStatus: Map<number, number>;
  byKind: Map<string, number>;
}

const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

function describeReq(req: Req, status?: number, body?: string): string {
  const payload = req.payload === undefined ? '' : typeof req.payload === 'string' ? req.payload : `<${req.payload.length} bytes>`;
  return `${req.method} ${req.url.slice(0, 300)} headers=${JSON.stringify(req.headers).slice(0, 300)} payload=${JSON.stringify(payload.slice(0, 300))}`
    + ` [${req.kinds.join(', ')}]${status === undefined ? '' : ` -> ${status} ${(body ?? '').slice(0, 400)}`}`;
}

/** Why a body must be refused by any route with a body schema; undefined when it may be fine. */
function mustRefuse(payload: string | Buffer | undefined): string | undefined {
  if (payload === undefined) return 'no body';
  let value: unknown;
  try {
    // As the server's JSON parser (secure-json-parse) does, a leading byte order mark is ignored.
    value = JSON.parse(payload.toString().replace(/^\ufeff/, ''));
  } catch {
    return 'a body that is not JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'a body that is not a JSON object';
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number' && !Number.isFinite(v)) return 'a non-finite number';
    if (typeof v === 'string' && !isWellFormedText(v)) return 'a lone surrogate';
    if (v !== null && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v)) {
        if (!isWellFormedText(key)) return 'a lone surrogate in a key';
        stack.push(inner);
      }
    }
  }
  return undefined;
}

const isWellFormedText = (text: string) => !/\p{Cs}/u.test(text);

async function send(rig: Rig, ctx: Ctx, stats: Stats, req: Req): Promise<void> {
  stats.total += 1;
  if (req.kinds.some((k) => !k.startsWith('ok:'))) stats.malformed += 1;
  bump(stats.byEndpoint, req.endpoint);
  for (const k of req.kinds) if (!k.startsWith('ok:')) bump(stats.byKind, k.replace(/\(.*\)$/, '').replace(/:.*/, ''));
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([
    rig.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.payload, remoteAddress: req.remoteAddress }),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${HANG_MS} ms: ${describeReq(req)}`)), HANG_MS); }),
  ]).finally(() => clearTimeout(timer));
  bump(stats.byStatus, res.statusCode);
  const what = describeReq(req, res.statusCode, res.body);

  assert.ok(res.statusCode < 500, `server error: ${what}`);
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode >= 400) {
    assert.match(type, /^application\/json\b/, `an error that is not JSON (content-type "${type}"): ${what}`);
    if (req.method !== 'HEAD') {
      let parsed: unknown;
      assert.doesNotThrow(() => { parsed = JSON.parse(res.body); }, `an error body that does not parse: ${what}`);
      assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `an error that is not an object: ${what}`);
      const { error, field } = parsed as { error?: unknown; field?: unknown };
      assert.ok(typeof error === 'string' && error.length > 0, `an error without an "error" text: ${what}`);
      assert.ok(field === undefined || typeof field === 'string', `an error whose "field" is not a string: ${what}`);
    }
  } else if (res.body.length > 0) {
    assert.match(type, /^application\/json\b/, `a success that is not JSON: ${what}`);
    assert.doesNotThrow(() => JSON.parse(res.body), `a success body that does not parse: ${what}`);
  }
  const endpoint = ENDPOINTS.find((e) => e.name === req.endpoint);
  // The security property of authentication: without a usable bearer header, nothing behind it succeeds.
  if (endpoint?.authed && req.badAuth) {
    assert.ok(res.statusCode >= 400, `succeeded without a valid bearer header: ${what}`);
  }
  // A route with a body schema never accepts a body that is not a JSON object, nor one holding a number
  // JSON.parse made infinite (1e309) or a lone surrogate: what is stored must be what was sent.
  if (endpoint?.body && req.method === endpoint.method && res.statusCode < 400) {
    const refusal = mustRefuse(req.payload);
    assert.equal(refusal, undefined, `accepted a body with ${refusal}: ${what}`);
  }
  // No answer carries a password or a session token the request did not carry itself.
  const sent = `${req.url}\n${JSON.stringify(req.headers)}\n${req.payload === undefined ? '' : req.payload.toString()}`;
  const answer = `${JSON.stringify(res.headers)}\n${res.body}`;
  for (const secret of ctx.secrets) {
    if (!sent.includes(secret)) assert.ok(!answer.includes(secret), `an answer leaks a secret (${secret.slice(0, 12)}...): ${what}`);
  }
}

function jwtSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// ---- the run -------------------------------------------------------------------------------------

describe('fuzz: malformed requests to every endpoint', () => {
  let rig: Rig;
  let ctx: Ctx;
  const stats: Stats = { total: 0, malformed: 0, byEndpoint: new Map(), byStatus: new Map(), byKind: new Map() };
  let started = 0;

  before(async () => {
    started = Date.now();
    rig = await startRig(HIGH_LIMITS);
    const alice = await login(rig, 'alice', 'Alice');
    const bob = await login(rig, 'bob', 'Bob');
    const carol = await login(rig, 'carol', 'Carol');
    const dave = await login(rig, 'dave', 'Dave');
    const throwaway: string[] = [];
    for (let i = 0; i < 8; i++) throwaway.push(await login(rig, 'temp'));
    const revoked = await login(rig, 'carol');
    assert.equal((await call(rig, revoked, 'DELETE', '/session')).statusCode, 204);

    const direct = (await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hi bob', clientMsgId: 'setup-1' })).json();
    await call(rig, bob, 'POST', '/messages', { to: 'alice', text: 'hi alice', clientMsgId: 'setup-2' });
    const group = (await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob', 'carol'] })).json();
    await call(rig, carol, 'POST', '/messages', { groupId: group.groupId, text: 'hi team', clientMsgId: 'setup-3' });
    const calls: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [from, to] = i % 2 === 0 ? [alice, 'bob'] : [bob, 'alice'];
      const r = await call(rig, from, 'POST', '/calls', { to, media: i % 3 === 0 ? 'video' : 'audio' });
      assert.equal(r.statusCode, 201, r.body);
      calls.push(r.json().callId);
    }
    // The first call keeps ringing, the others are busy (Alice and Bob are in it); Carol's call to Dave is
    // accepted, so a hang-up can reach an active call.
    const active = await call(rig, carol, 'POST', '/calls', { to: 'dave', media: 'audio' });
    assert.equal((await call(rig, dave, 'POST', `/calls/${active.json().callId}/accept`)).statusCode, 200);
    calls.push(active.json().callId);
    for (const [token, device, pushToken] of [[alice, 'phone', 'IQAAAACy0alicephonealicephone'], [bob, 'tablet', 'IQAAAACy0bobtabletbobtablet']]) {
      assert.equal((await call(rig, token, 'PUT', `/devices/${device}`, { pushToken, clientId: '111222333' })).statusCode, 204);
    }

    const guessed = new TextEncoder().encode('guessed-secret-guessed-secret-32');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setJti('x').setAudience('pushuikit')
      .setIssuedAt().setExpirationTime('1h').sign(guessed);
    const [h, p, s] = alice.split('.');
    const bobPayload = bob.split('.')[1];
    const algNone = `${jwtSegment({ alg: 'none', typ: 'JWT' })}.${p}.`;
    const badTokens = [forged, `${h}.${bobPayload}.${s}`, algNone, `${jwtSegment({ alg: 'HS512' })}.${p}.${s}`, revoked,
      `${h}.${jwtSegment({ sub: 'alice', jti: { $ne: null }, aud: 'pushuikit', exp: 9e15 })}.${s}`, `${h}.${p}`, `${h}.${p}.`, `${h}..${s}`];
    ctx = {
      tokens: { alice, bob, carol },
      throwaway,
      badTokens,
      revoked,
      conversations: [direct.conversationId, group.groupId],
      calls,
      devices: ['phone', 'tablet'],
      secrets: [alice, bob, carol, dave, revoked, ...throwaway, ...['alice', 'bob', 'carol', 'dave', 'temp'].map(passwordOf)],
    };
  });

  after(async () => {
    await rig?.stop();
  });

  ENDPOINTS.forEach((endpoint, i) => {
    test(endpoint.name, async () => {
      await fc.assert(fc.asyncProperty(requestArb(ctx, endpoint), async (req) => send(rig, ctx, stats, req)),
        { seed: SEED + i, numRuns: RUNS_PER_ENDPOINT, includeErrorInReport: true });
    });
  });

  test('a catalogue of edge cases, each once', async () => {
    for (const req of catalogue(ctx)) await send(rig, ctx, stats, req);
  });

  test('a mixed stream across all endpoints', async () => {
    const any = fc.oneof(...ENDPOINTS.map((e) => requestArb(ctx, e)));
    await fc.assert(fc.asyncProperty(any, async (req) => send(rig, ctx, stats, req)), { seed: SEED + 1000, numRuns: RUNS_MIXED, includeErrorInReport: true });
  });

  test('every endpoint was fuzzed and at least 1,000 requests were malformed', () => {
    for (const e of ENDPOINTS) assert.ok((stats.byEndpoint.get(e.name) ?? 0) >= RUNS_PER_ENDPOINT, e.name);
    assert.ok(stats.malformed >= MIN_MALFORMED, `only ${stats.malformed} malformed requests`);
  });

  test('the server works afterwards and logged no error', async () => {
    const health = await rig.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { ok: true });
    const sent = await call(rig, ctx.tokens.alice, 'POST', '/messages', { to: 'bob', text: 'still here?', clientMsgId: 'after-fuzz' });
    assert.equal(sent.statusCode, 201, sent.body);
    const page = await call(rig, ctx.tokens.bob, 'GET', `/conversations/${sent.json().conversationId}/messages?limit=1`);
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(page.json().messages[0].text, 'still here?');
    // Let the outbox finish what the run queued before reading the log.
    rig.server.outbox.kick();
    await rig.server.outbox.idle();
    const errors = rig.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    assert.deepEqual(errors, [], 'the server logged errors');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const top = (m: Map<string | number, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ');
    // A summary for whoever reads the test output (node:test shows diagnostics).
    console.log(`fuzz: ${stats.total} requests (${stats.malformed} malformed) in ${seconds} s; statuses ${top(stats.byStatus)}; kinds ${top(stats.byKind)}`);
  });
});

// Integrator mode: /session/external with tokens signed by the configured secret but with odd claims,
// and tokens that are not, must be refused (or accepted) cleanly.
describe('fuzz: app-server tokens (AUTH_MODE=external)', () => {
  const SECRET = 'integrator-secret-integrator-secret-0123';
  const ISSUER = 'https://backend.example';
  let rig: Rig;
  let total = 0;

  before(async () => {
    rig = await startRig({ ...HIGH_LIMITS, AUTH_MODE: 'external', EXTERNAL_JWT_SECRET: SECRET, EXTERNAL_JWT_ISSUER: ISSUER });
  });
  after(async () => {
    await rig?.stop();
  });

  test('odd claims and odd tokens never break the server', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, '', ' ', '\ud800', 'x'.repeat(70), 'a b', 'Zed', now, now + 60, -1, 1e300));
    // Each claim is usually right, so that some tokens pass and odd names, subjects and lifetimes reach the server.
    const mostly = <T>(good: fc.Arbitrary<T>, ...odd: fc.Arbitrary<unknown>[]) =>
      fc.oneof({ weight: 5, arbitrary: good as fc.Arbitrary<unknown> }, ...odd.map((arbitrary) => ({ weight: 1, arbitrary })));
    const claims = fc.record({
      iss: mostly(fc.constant(ISSUER), claimValue),
      aud: mostly(fc.constant('pushuikit'), fc.constant(['pushuikit', 'x']), claimValue),
      sub: mostly(fc.oneof(fc.constant('ext-user'), validId), claimValue),
      iat: mostly(fc.constant(now), claimValue),
      exp: mostly(fc.constant(now + 600), fc.constant(now + 400 * 24 * 3600), fc.constant(now - 3600), claimValue),
      name: fc.oneof(fc.constant('Ext User'), claimValue, anyString(80), fc.constantFrom('  ', '\u3000', '\ud800x', 'x'.repeat(65))),
      nbf: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: claimValue }),
    }, { requiredKeys: ['iss', 'aud', 'iat', 'exp'] });
    const token = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(claims, fc.oneof({ weight: 8, arbitrary: fc.constant('HS256') }, { weight: 1, arbitrary: fc.constantFrom('HS384', 'none') })).map(([c, alg]) => ({ c, alg, kind: 'signed' })) },
      { weight: 1, arbitrary: asciiString(300).map((t) => ({ t, kind: 'garbage' })) },
    );
    const req = fc.tuple(token, contentType, fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }));
    await fc.assert(fc.asyncProperty(req, async ([tok, type, wrapped]) => {
      let jwt: string;
      if ('t' in tok) {
        jwt = tok.t;
      } else {
        const header = jwtSegment({ alg: tok.alg, typ: 'JWT' });
        const payload = jwtSegment(tok.c);
        const key = new TextEncoder().encode(SECRET);
        const sig = tok.alg === 'none' ? '' : createHmac(tok.alg === 'HS256' ? 'sha256' : 'sha384', key).update(`${header}.${payload}`).digest('base64url');
        jwt = `${header}.${payload}.${sig}`;
      }
      total += 1;
      const payload = wrapped ? JSON.stringify({ token: jwt }) : JSON.stringify(jwt);
      const headers: Record<string, string> = type.value === undefined ? {} : { 'content-type': type.value };
      const res = await rig.inject({ method: 'POST', url: '/api/v1/session/external', headers, payload });
      const what = `POST /api/v1/session/external ${JSON.stringify(headers)} ${payload.slice(0, 400)} -> ${res.statusCode} ${res.body.slice(0, 400)}`;
      assert.ok(res.statusCode < 500, `server error: ${what}`);
      if (res.statusCode >= 400) {
        assert.match(String(res.headers['content-type']), /^application\/json\b/, what);
        const body = JSON.parse(res.body) as { error?: unknown; field?: unknown };
        assert.ok(typeof body.error === 'string' && body.error.length > 0, what);
        assert.ok(body.field === undefined || typeof body.field === 'string', what);
      }
      assert.ok(!res.body.includes(SECRET), `the secret leaked: ${what}`);
    }), { seed: SEED + 2000, numRuns: RUNS_EXTERNAL, includeErrorInReport: true });
    assert.equal(total >= RUNS_EXTERNAL, true);
    // The server still answers and logged no error.
    assert.equal((await rig.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const errors = rig.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    assert.deepEqual(errors, [], 'the server logged errors');
  });
});
