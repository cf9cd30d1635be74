// Accounts and sessions: passwords, sign-in limits, sessions that need exp and end at logout, the
// bearer-header rule, and integrator mode (tokens signed by the integrator's own backend).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { startRig, login, call, LiveDevice, until } from './helpers.js';
import type { Rig } from './helpers.js';
import { CLOSE_SESSION_ENDED } from '../src/app.js';

async function register(rig: Rig, userId: string, password: string, displayName = userId, remoteAddress?: string) {
  return rig.inject({ method: 'POST', url: '/api/v1/accounts', payload: { userId, password, displayName }, remoteAddress });
}

async function signIn(rig: Rig, userId: string, password: string, remoteAddress?: string) {
  return rig.inject({ method: 'POST', url: '/api/v1/session', payload: { userId, password }, remoteAddress });
}

/** The server's own session secret: lets a test mint tokens that are validly signed but lack a claim. */
function sessionKey(rig: Rig): Uint8Array {
  const row = rig.server.db.prepare("SELECT value FROM meta WHERE key = 'session_secret'").get() as { value: string };
  return new TextEncoder().encode(row.value);
}

describe('password accounts', () => {
  let rig: Rig;
  before(async () => { rig = await startRig({ RATE_SIGN_IN_PER_USER_PER_MIN: '3', RATE_SIGN_IN_PER_ADDRESS_PER_MIN: '8' }); });
  after(async () => { await rig.stop(); });

  test('registering returns a session that opens the API; /me names the user', async () => {
    const r = await register(rig, 'alice', 'correct horse battery', '  Alice  ', '10.0.0.1');
    assert.equal(r.statusCode, 201, r.body);
    const body = r.json();
    assert.equal(body.userId, 'alice');
    assert.equal(body.displayName, 'Alice', 'names are trimmed');
    assert.ok(body.expiresAt > Date.now());
    const me = await call(rig, body.token, 'GET', '/me');
    assert.deepEqual(me.json(), { userId: 'alice', displayName: 'Alice', pushProfileId: body.pushProfileId });
  });

  test('the push profile id is opaque, at most 64 characters, the same at every sign-in, and one per user', async () => {
    const first = (await signIn(rig, 'alice', 'correct horse battery', '10.0.0.3')).json().pushProfileId as string;
    const again = (await signIn(rig, 'alice', 'correct horse battery', '10.0.0.4')).json().pushProfileId as string;
    assert.match(first, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(again, first);
    assert.ok(!first.toLowerCase().includes('alice'), 'never the user id');
    const bob = await register(rig, 'bob_profile', 'correct horse battery', 'Bob', '10.0.0.5');
    assert.notEqual(bob.json().pushProfileId, first);
    // Keyed with this installation's secret: another server cannot compute (or guess) Alice's id.
    const other = await startRig();
    try {
      const elsewhere = (await register(other, 'alice', 'correct horse battery', 'Alice')).json().pushProfileId as string;
      assert.match(elsewhere, /^[A-Za-z0-9_-]{1,64}$/);
      assert.notEqual(elsewhere, first);
    } finally {
      await other.stop();
    }
  });

  test('a taken user id is 409 on the userId field; the first account keeps its password', async () => {
    const r = await register(rig, 'alice', 'another password', 'Impostor', '10.0.0.1');
    assert.equal(r.statusCode, 409);
    assert.deepEqual(r.json(), { error: 'this user id is taken', field: 'body/userId' });
    assert.equal((await signIn(rig, 'alice', 'correct horse battery', '10.0.0.2')).statusCode, 200);
  });

  test('passwords are at least 8 characters; names are not blank', async () => {
    const short = await register(rig, 'bob', 'short', 'Bob', '10.0.0.3');
    assert.equal(short.statusCode, 400);
    assert.equal(short.json().field, 'body/password');
    const blank = await register(rig, 'bob', 'long enough', ' \t ', '10.0.0.3');
    assert.equal(blank.statusCode, 400);
    assert.equal(blank.json().field, 'body/displayName');
    assert.match(blank.json().error, /blank/);
  });

  test('passwords are stored as salted scrypt hashes, never as given', async () => {
    await register(rig, 'carol', 'same password 1', 'Carol', '10.0.0.4');
    await register(rig, 'dave', 'same password 1', 'Dave', '10.0.0.4');
    const rows = rig.server.db.prepare("SELECT password_hash FROM users WHERE id IN ('carol', 'dave')").all() as { password_hash: string }[];
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.match(row.password_hash, /^scrypt\$\d+\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      assert.ok(!row.password_hash.includes('same password'));
    }
    assert.notEqual(rows[0].password_hash, rows[1].password_hash, 'a salt per user');
  });

  test('an unknown user and a wrong password get the same answer', async () => {
    const unknown = await signIn(rig, 'nobody', 'whatever password', '10.0.0.5');
    const wrong = await signIn(rig, 'carol', 'wrong password!', '10.0.0.5');
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(unknown.json(), wrong.json());
    assert.equal((await signIn(rig, 'carol', 'same password 1', '10.0.0.5')).statusCode, 200);
  });

  test('sign-in is rate limited per user id, whatever the address', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await signIn(rig, 'dave', 'wrong guess!', `10.1.0.${i}`)).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 429]);
    const limited = await signIn(rig, 'dave', 'same password 1', '10.1.0.9');
    assert.equal(limited.statusCode, 429, 'even the right password waits');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await signIn(rig, 'carol', 'same password 1', '10.1.0.9')).statusCode, 200, 'other users are not affected');
  });

  test('sign-in and registration are rate limited per address', async () => {
    const codes = [];
    for (let i = 0; i < 9; i++) codes.push((await signIn(rig, `probe${i}`, 'password guess', '10.2.0.1')).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 401, 401, 401, 429]);
    assert.equal((await register(rig, 'erin', 'long enough', 'Erin', '10.2.0.1')).statusCode, 429);
    assert.equal((await register(rig, 'erin', 'long enough', 'Erin', '10.2.0.2')).statusCode, 201);
  });
});

describe('sessions', () => {
  let rig: Rig;
  let shift = 0;
  before(async () => { rig = await startRig({ SESSION_TTL_SECONDS: '600', MAX_SESSIONS_PER_USER: '2' }, () => Date.now() + shift); });
  after(async () => { await rig.stop(); });

  test('no token, a malformed token and a forged token are 401', async () => {
    await login(rig, 'mallory');
    assert.equal((await rig.inject({ method: 'GET', url: '/api/v1/settings' })).statusCode, 401);
    assert.equal((await call(rig, 'not-a-jwt', 'GET', '/settings')).statusCode, 401);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setJti('x').setAudience('pushuikit')
      .setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('guessed-secret-guessed-secret-32'));
    const r = await call(rig, forged, 'GET', '/settings');
    assert.equal(r.statusCode, 401);
    assert.deepEqual(r.json(), { error: 'missing or invalid bearer token' });
  });

  test('a correctly signed token without exp, or without a session id, is refused', async () => {
    const token = await login(rig, 'trent');
    const jti = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string }).jti;
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('trent').setJti(jti).setAudience('pushuikit')
      .setIssuedAt().sign(sessionKey(rig));
    assert.equal((await call(rig, noExp, 'GET', '/me')).statusCode, 401);
    const noJti = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('trent').setAudience('pushuikit')
      .setIssuedAt().setExpirationTime('1h').sign(sessionKey(rig));
    assert.equal((await call(rig, noJti, 'GET', '/me')).statusCode, 401);
    const otherUser = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setJti(jti).setAudience('pushuikit')
      .setIssuedAt().setExpirationTime('1h').sign(sessionKey(rig));
    assert.equal((await call(rig, otherUser, 'GET', '/me')).statusCode, 401, 'a session id belongs to one user');
    const objectJti = await new SignJWT({ jti: { id: jti } } as unknown as { jti: string }).setProtectedHeader({ alg: 'HS256' }).setSubject('trent').setAudience('pushuikit')
      .setIssuedAt().setExpirationTime('1h').sign(sessionKey(rig));
    assert.equal((await call(rig, objectJti, 'GET', '/me')).statusCode, 401, 'a jti that is not a string');
    assert.equal((await call(rig, token, 'GET', '/me')).statusCode, 200);
  });

  test('an expired session is 401', async () => {
    const token = await login(rig, 'old');
    assert.equal((await call(rig, token, 'GET', '/me')).statusCode, 200);
    shift += 601_000;
    try {
      assert.equal((await call(rig, token, 'GET', '/me')).statusCode, 401);
    } finally {
      shift -= 601_000;
    }
  });

  test('REST takes the bearer header only; ?token= is for the WebSocket upgrade', async () => {
    const token = await login(rig, 'quinn');
    const r = await rig.inject({ method: 'GET', url: `/api/v1/me?token=${token}` });
    assert.equal(r.statusCode, 401);
    assert.ok(!r.body.includes(token));
    const viaQuery = await LiveDevice.connect(rig, token, 'phone', { tokenInQuery: true });
    assert.ok(viaQuery.of('hello').length === 1);
    await viaQuery.close();
  });

  test('logout ends that session and its sockets; the user\'s other sessions go on', async () => {
    const first = await login(rig, 'peggy');
    const second = await login(rig, 'peggy');
    const phone = await LiveDevice.connect(rig, first, 'phone');
    const tablet = await LiveDevice.connect(rig, second, 'tablet');
    const out = await call(rig, first, 'DELETE', '/session');
    assert.equal(out.statusCode, 204);
    await until(() => phone.closed !== undefined);
    assert.equal(phone.closed?.code, CLOSE_SESSION_ENDED);
    assert.equal((await call(rig, first, 'GET', '/me')).statusCode, 401, 'the token still has a good signature and exp, but its session is gone');
    assert.equal((await call(rig, second, 'GET', '/me')).statusCode, 200);
    assert.equal(tablet.closed, undefined);
    await tablet.close();
  });

  test('a user has at most MAX_SESSIONS_PER_USER sessions: a new one ends the oldest', async () => {
    const a = await login(rig, 'walter');
    const b = await login(rig, 'walter');
    const c = await login(rig, 'walter');
    assert.equal((await call(rig, a, 'GET', '/me')).statusCode, 401);
    assert.equal((await call(rig, b, 'GET', '/me')).statusCode, 200);
    assert.equal((await call(rig, c, 'GET', '/me')).statusCode, 200);
  });

  test('in password mode app-server tokens are refused with a reason', async () => {
    const r = await rig.inject({ method: 'POST', url: '/api/v1/session/external', payload: { token: 'x.y.z' } });
    assert.equal(r.statusCode, 403);
    assert.match(r.json().error, /AUTH_MODE/);
  });
});

describe('integrator mode (AUTH_MODE=external)', () => {
  const SECRET = 'integrator-shared-secret-0123456789abcdef';
  let rig: Rig;
  before(async () => {
    rig = await startRig({ AUTH_MODE: 'external', EXTERNAL_JWT_SECRET: SECRET, EXTERNAL_JWT_ISSUER: 'https://app.example.com' });
  });
  after(async () => { await rig.stop(); });

  const mint = (claims: { sub?: string; name?: string; iss?: string; aud?: string; exp?: number | null; iat?: number }, key = SECRET) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims.name === undefined ? {} : { name: claims.name }).setProtectedHeader({ alg: 'HS256' })
      .setIssuer(claims.iss ?? 'https://app.example.com').setAudience(claims.aud ?? 'pushuikit').setIssuedAt(claims.iat ?? now);
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now + 300);
    return jwt.sign(new TextEncoder().encode(key));
  };
  const external = (token: string) => rig.inject({ method: 'POST', url: '/api/v1/session/external', payload: { token } });

  test('a token from the app server signs the user in and creates the user once', async () => {
    const r = await external(await mint({ sub: 'u1001', name: 'Ana' }));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().displayName, 'Ana');
    const me = await call(rig, r.json().token, 'GET', '/me');
    assert.deepEqual(me.json(), { userId: 'u1001', displayName: 'Ana', pushProfileId: r.json().pushProfileId });
    const again = await external(await mint({ sub: 'u1001', name: 'Ana María' }));
    assert.equal(again.json().displayName, 'Ana María', 'the app server owns the profile');
    assert.equal((rig.server.db.prepare("SELECT COUNT(*) AS n FROM users WHERE id = 'u1001'").get() as { n: number }).n, 1);
  });

  test('the app server\'s name follows the rule of PUT /me: controls are ignored, characters are counted', async () => {
    assert.equal((await external(await mint({ sub: 'u1002', name: 'Ben' }))).json().displayName, 'Ben');
    assert.equal((await external(await mint({ sub: 'u1002', name: 'Ben\nSmith' }))).json().displayName, 'Ben', 'a line break: kept as it was');
    assert.equal((await external(await mint({ sub: 'u1002', name: '\u0000' }))).json().displayName, 'Ben');
    const emoji = '😀'.repeat(64); // 128 UTF-16 units, 64 characters
    assert.equal((await external(await mint({ sub: 'u1002', name: emoji }))).json().displayName, emoji);
    assert.equal((await external(await mint({ sub: 'u1002', name: `${emoji}!` }))).json().displayName, emoji, '65 characters: ignored');
    assert.equal((await external(await mint({ sub: 'u1003', name: 'Bad\tName' }))).json().displayName, 'u1003', 'a new user is named by id instead');
  });

  test('wrong key, issuer, audience, no exp, no sub, expired or too long-lived: 401 with the reason', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [Promise<string>, RegExp][] = [
      [mint({ sub: 'u1' }, 'some-other-secret-some-other-secret-xx'), /signature/],
      [mint({ sub: 'u1', iss: 'https://evil.example.com' }), /iss/],
      [mint({ sub: 'u1', aud: 'someone-else' }), /aud/],
      [mint({ sub: 'u1', exp: null }), /exp/],
      [mint({}), /sub/],
      [mint({ sub: 'u1', iat: now - 7200, exp: now - 3600 }), /exp/],
      [mint({ sub: 'u1', exp: now + 90 * 24 * 3600 }), /longer than/],
      [mint({ sub: '../etc' }), /user id/],
    ];
    for (const [token, reason] of cases) {
      const r = await external(await token);
      assert.equal(r.statusCode, 401, reason.source);
      assert.match(r.json().error, reason);
    }
    assert.equal((rig.server.db.prepare("SELECT COUNT(*) AS n FROM users WHERE id = 'u1'").get() as { n: number }).n, 0);
  });

  test('password registration and sign-in are turned off', async () => {
    const r = await rig.inject({ method: 'POST', url: '/api/v1/accounts', payload: { userId: 'x1', password: 'long enough', displayName: 'X' } });
    assert.equal(r.statusCode, 403);
    assert.match(r.json().error, /AUTH_MODE=external/);
    assert.equal((await rig.inject({ method: 'POST', url: '/api/v1/session', payload: { userId: 'u1001', password: 'anything at all' } })).statusCode, 403);
    const malformed = await rig.inject({ method: 'POST', url: '/api/v1/accounts', payload: { nonsense: true } });
    assert.equal(malformed.statusCode, 403, 'turned off whatever the body says');
  });

  test('an RS256 or ES256 public key works too, and only its own algorithm', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-ext-'));
    for (const alg of ['RS256', 'ES256'] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      const file = path.join(dir, `${alg}.pem`);
      fs.writeFileSync(file, await exportSPKI(pair.publicKey));
      const keyed = await startRig({ AUTH_MODE: 'external', EXTERNAL_JWT_PUBLIC_KEY: file, EXTERNAL_JWT_ISSUER: 'backend' });
      try {
        const now = Math.floor(Date.now() / 1000);
        const good = await new SignJWT({}).setProtectedHeader({ alg }).setIssuer('backend').setAudience('pushuikit').setSubject(`k${alg}`)
          .setIssuedAt(now).setExpirationTime(now + 60).sign(pair.privateKey);
        const r = await keyed.inject({ method: 'POST', url: '/api/v1/session/external', payload: { token: good } });
        assert.equal(r.statusCode, 200, `${alg}: ${r.body}`);
        // The classic confusion: an HS256 token "signed" with the public key's text must not pass.
        const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('backend').setAudience('pushuikit')
          .setSubject('attacker').setIssuedAt(now).setExpirationTime(now + 60).sign(new TextEncoder().encode(fs.readFileSync(file, 'utf8')));
        assert.equal((await keyed.inject({ method: 'POST', url: '/api/v1/session/external', payload: { token: confused } })).statusCode, 401);
      } finally {
        await keyed.stop();
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a user of the app server has no password to guess', async () => {
    await external(await mint({ sub: 'u2002' }));
    assert.equal(rig.server.service.passwordHash('u2002'), undefined);
    const row = rig.server.db.prepare("SELECT password_hash FROM users WHERE id = 'u2002'").get() as { password_hash: string | null };
    assert.equal(row.password_hash, null);
  });
});
