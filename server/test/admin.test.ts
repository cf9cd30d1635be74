// The push console's API: administrators (not chat users) only, CSRF-safe, certificates encrypted at rest and
// applied without a restart, users and devices, test pushes and the delivery log.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createServer } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDb } from '../src/db.js';
import { KEY_ID, PROJECT_ID, SUB_ACCOUNT, testKeyPair } from './fake-pushkit.js';
import { CLIENT_ID, LiveDevice, TEST_KEYS, TEST_SCRYPT_LOG2N, bindDevice, call, drained, login, startRig, testEnvironment, until } from './helpers.js';
import type { Rig } from './helpers.js';

const LIMIT = { timeout: 30000 };
const ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
const CONSOLE_CLIENT_ID = '5550001';
const ADMIN = 'root';
const ADMIN_PASSWORD = 'console-password-1';

function serviceAccountText(privatePem = TEST_KEYS.privatePem, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ project_id: PROJECT_ID, key_id: KEY_ID, private_key: privatePem, sub_account: SUB_ACCOUNT, type: 'service_account', ...extra });
}

/** The base64 body of a PEM key: what must never be found in the database file. */
function pemBody(pem: string): string {
  return pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
}

interface Console {
  cookie: string;
  csrf: string;
}

async function signIn(rig: Rig, name = ADMIN, password = ADMIN_PASSWORD): Promise<Console> {
  const r = await rig.inject({ method: 'POST', url: '/api/v1/admin/session', payload: { name, password } });
  assert.equal(r.statusCode, 200, r.body);
  const setCookie = [r.headers['set-cookie']].flat()[0] as string;
  return { cookie: setCookie.split(';')[0], csrf: r.json().csrfToken as string };
}

async function admin(rig: Rig, c: Console, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return rig.inject({ method, url: `/api/v1/admin${url}`, headers: { cookie: c.cookie, 'x-csrf-token': c.csrf }, payload: payload as object });
}

async function addCertificate(rig: Rig, c: Console, fields: Record<string, unknown> = {}) {
  return admin(rig, c, 'POST', '/certificates', { name: CONSOLE_CLIENT_ID, serviceAccount: serviceAccountText(), ...fields });
}

describe('push console API', () => {
  let rig: Rig;
  let c: Console;

  beforeEach(async () => {
    rig = await startRig({ CERT_ENCRYPTION_KEY: ENCRYPTION_KEY });
    await rig.server.admins.create(ADMIN, ADMIN_PASSWORD);
    c = await signIn(rig);
  });
  afterEach(async () => rig.stop());

  describe('sign-in', () => {
    test('the session cookie is HttpOnly, SameSite=Strict, scoped to the admin API; a wrong password is 401 without saying which part was wrong', async () => {
      const r = await rig.inject({ method: 'POST', url: '/api/v1/admin/session', payload: { name: ADMIN, password: ADMIN_PASSWORD } });
      const cookie = [r.headers['set-cookie']].flat()[0] as string;
      assert.match(cookie, /^pushuikit_admin=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(cookie, /Path=\/api\/v1\/admin/);
      for (const payload of [{ name: ADMIN, password: 'wrong-password' }, { name: 'nobody', password: ADMIN_PASSWORD }]) {
        const bad = await rig.inject({ method: 'POST', url: '/api/v1/admin/session', payload });
        assert.equal(bad.statusCode, 401);
        assert.deepEqual(bad.json(), { error: 'wrong name or password' });
        assert.equal(bad.headers['set-cookie'], undefined);
      }
    });

    test('GET /session answers the same CSRF token; sign-out ends the session', async () => {
      const me = await admin(rig, c, 'GET', '/session');
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().name, ADMIN);
      assert.equal(me.json().csrfToken, c.csrf);
      assert.equal((await admin(rig, c, 'DELETE', '/session')).statusCode, 204);
      assert.equal((await admin(rig, c, 'GET', '/session')).statusCode, 401);
    });

    test('sessions expire', LIMIT, async () => {
      await rig.stop();
      let now = Date.now();
      rig = await startRig({ CERT_ENCRYPTION_KEY: ENCRYPTION_KEY, ADMIN_SESSION_TTL_SECONDS: '60' }, () => now);
      await rig.server.admins.create(ADMIN, ADMIN_PASSWORD);
      c = await signIn(rig);
      now += 59_000;
      assert.equal((await admin(rig, c, 'GET', '/meta')).statusCode, 200);
      now += 2_000;
      const r = await admin(rig, c, 'GET', '/meta');
      assert.equal(r.statusCode, 401);
      assert.match(r.json().error, /expired/);
    });

    test('a new password ends the administrator\'s sessions', async () => {
      await rig.server.admins.setPassword(ADMIN, 'another-password-2');
      assert.equal((await admin(rig, c, 'GET', '/meta')).statusCode, 401);
      await signIn(rig, ADMIN, 'another-password-2');
    });

    test('sign-in attempts are limited per address', async () => {
      await rig.stop();
      rig = await startRig({ RATE_SIGN_IN_PER_ADDRESS_PER_MIN: '3' });
      let last;
      for (let i = 0; i < 4; i++) last = await rig.inject({ method: 'POST', url: '/api/v1/admin/session', payload: { name: ADMIN, password: 'x' } });
      assert.equal(last?.statusCode, 429);
      assert.ok(last?.headers['retry-after']);
    });
  });

  describe('who may call it', () => {
    test('every administration route refuses a chat user\'s bearer token, alone or beside a console cookie', async () => {
      const chat = await login(rig, 'alice');
      assert.ok(rig.server.adminRoutes.length >= 14, rig.server.adminRoutes.join(', '));
      for (const route of rig.server.adminRoutes) {
        const [method, url] = route.split(' ');
        const concrete = url.replace(':name', CLIENT_ID).replace(':userId', 'alice').replace(':deviceId', 'phone').replace(':id', '1');
        for (const headers of [{ authorization: `Bearer ${chat}` }, { authorization: `Bearer ${chat}`, cookie: c.cookie, 'x-csrf-token': c.csrf }]) {
          const r = await rig.inject({ method: method as 'GET', url: concrete, headers, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
          assert.equal(r.statusCode, 401, `${route} with ${Object.keys(headers).join('+')}: ${r.statusCode} ${r.body}`);
        }
      }
    });

    test('without a session every route but sign-in is 401', async () => {
      for (const route of rig.server.adminRoutes.filter((r) => r !== 'POST /api/v1/admin/session')) {
        const [method, url] = route.split(' ');
        const r = await rig.inject({ method: method as 'GET', url: url.replace(/:[a-zA-Z]+/g, 'x1'), payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
        assert.equal(r.statusCode, 401, `${route}: ${r.statusCode} ${r.body}`);
      }
    });

    test('a change without the CSRF header, or with another session\'s, is 403 and changes nothing', async () => {
      const other = await signIn(rig);
      for (const headers of [{ cookie: c.cookie }, { cookie: c.cookie, 'x-csrf-token': other.csrf }, { cookie: c.cookie, 'x-csrf-token': '' }]) {
        const r = await rig.inject({ method: 'POST', url: '/api/v1/admin/certificates', headers,
          payload: { name: CONSOLE_CLIENT_ID, serviceAccount: serviceAccountText() } });
        assert.equal(r.statusCode, 403, r.body);
        assert.match(r.json().error, /x-csrf-token/);
      }
      assert.equal((await admin(rig, c, 'GET', '/certificates')).json().certificates.some((x: { name: string }) => x.name === CONSOLE_CLIENT_ID), false);
    });
  });

  describe('certificates', () => {
    test('environment certificates are listed read-only; an added one shows its key id, sub-account and fingerprint, never the key', async () => {
      const added = await addCertificate(rig, c, { category: 'WORK', voip: true });
      assert.equal(added.statusCode, 201, added.body);
      const cert = added.json();
      assert.deepEqual({ ...cert, createdAt: 0, updatedAt: 0 }, {
        name: CONSOLE_CLIENT_ID, source: 'console', enabled: true, category: 'WORK', action: 'action.pushuikit.chat', voip: true,
        testMessage: false, createdAt: 0, updatedAt: 0, devices: 0,
        serviceAccount: { projectId: PROJECT_ID, keyId: KEY_ID, subAccount: SUB_ACCOUNT,
          fingerprint: `SHA256:${crypto.createHash('sha256').update(crypto.createPublicKey(TEST_KEYS.publicPem).export({ type: 'spki', format: 'der' })).digest('base64').replace(/=+$/, '')}` },
      });
      const list = await admin(rig, c, 'GET', '/certificates');
      const names = list.json().certificates.map((x: { name: string; source: string }) => `${x.name}:${x.source}`);
      assert.ok(names.includes(`${CLIENT_ID}:environment`) && names.includes(`${CONSOLE_CLIENT_ID}:console`), names.join(' '));
      assert.ok(!list.body.includes(pemBody(TEST_KEYS.privatePem).slice(0, 40)), 'no API answer carries the private key');
      for (const method of ['PUT', 'DELETE'] as const) {
        const r = await admin(rig, c, method, `/certificates/${CLIENT_ID}`, method === 'PUT' ? { enabled: false } : undefined);
        assert.equal(r.statusCode, 403, r.body);
        assert.match(r.json().error, /environment.*read-only/);
      }
    });

    test('the private key is encrypted at rest: neither the database nor its WAL holds the PEM, and nothing logged does', async () => {
      assert.equal((await addCertificate(rig, c)).statusCode, 201);
      rig.server.db.pragma('wal_checkpoint(FULL)');
      const body = pemBody(TEST_KEYS.privatePem);
      const dataDir = path.join(rig.dir, 'data');
      for (const file of fs.readdirSync(dataDir)) {
        const bytes = fs.readFileSync(path.join(dataDir, file)).toString('latin1');
        for (let i = 0; i + 40 <= body.length; i += 200) assert.ok(!bytes.includes(body.slice(i, i + 40)), `${file} holds part of the key`);
      }
      const stored = rig.server.db.prepare('SELECT private_key_enc FROM push_certificates').get() as { private_key_enc: string };
      assert.match(stored.private_key_enc, /^v1:[A-Za-z0-9+/=]+$/);
      // The stored format: "v1:" + base64(iv[12] | tag[16] | ciphertext), AES-256-GCM under CERT_ENCRYPTION_KEY with
      // the certificate's name as associated data. Merely encoded (not encrypted) text would show the PEM here.
      const raw = Buffer.from(stored.private_key_enc.slice(3), 'base64');
      assert.ok(!raw.toString('latin1').includes('PRIVATE KEY') && !raw.toString('latin1').includes(body.slice(0, 40)), 'the stored bytes are not the PEM');
      const open = (name: string) => {
        const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(ENCRYPTION_KEY, 'base64'), raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(name, 'utf8'));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      };
      assert.equal(open(CONSOLE_CLIENT_ID), crypto.createPrivateKey(TEST_KEYS.privatePem).export({ type: 'pkcs8', format: 'pem' }).toString());
      assert.throws(() => open('5550002'), 'bound to its name: it does not open as another certificate\'s key');
      assert.ok(!rig.logs.join('\n').includes(body.slice(0, 40)), 'the key is not logged');
    });

    test('a key file is checked on upload, with the reason and the field', async () => {
      const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const cases: [unknown, RegExp][] = [
        ['{not json', /not JSON/],
        ['[1]', /not a JSON object/],
        [JSON.stringify({ key_id: KEY_ID, private_key: TEST_KEYS.privatePem, sub_account: SUB_ACCOUNT }), /"project_id" is missing/],
        [serviceAccountText('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), /not a PEM private key/],
        [serviceAccountText(ec), /not an RSA private key/],
      ];
      for (const [serviceAccount, reason] of cases) {
        const r = await addCertificate(rig, c, { serviceAccount });
        assert.equal(r.statusCode, 400, r.body);
        assert.match(r.json().error, reason);
        assert.equal(r.json().field, 'body/serviceAccount');
      }
      const badName = await addCertificate(rig, c, { name: 'not a client id' });
      assert.equal(badName.statusCode, 400);
      assert.equal(badName.json().field, 'body/name');
      const badCategory = await addCertificate(rig, c, { category: 'CHAT' });
      assert.equal(badCategory.json().field, 'body/category');
      const coerced = await addCertificate(rig, c, { voip: 'true' });
      assert.equal(coerced.statusCode, 400, 'a string is not a boolean');
      const duplicate = await addCertificate(rig, c, { name: CLIENT_ID });
      assert.equal(duplicate.statusCode, 409);
      assert.equal(duplicate.json().field, 'body/name');
      assert.equal((await admin(rig, c, 'GET', '/certificates')).json().certificates.length, 3, 'nothing was stored');
    });

    test('without CERT_ENCRYPTION_KEY nothing can be stored, and the console is told', async () => {
      await rig.stop();
      rig = await startRig();
      await rig.server.admins.create(ADMIN, ADMIN_PASSWORD);
      c = await signIn(rig);
      assert.equal((await admin(rig, c, 'GET', '/meta')).json().keyStorage, false);
      const r = await addCertificate(rig, c);
      assert.equal(r.statusCode, 409);
      assert.match(r.json().error, /CERT_ENCRYPTION_KEY/);
    });

    test('disabling applies to the next push without a restart: it is refused and logged; enabling sends again', LIMIT, async () => {
      assert.equal((await addCertificate(rig, c)).statusCode, 201);
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', 'bob-console-token-0001', CONSOLE_CLIENT_ID);
      const send = async (text: string) => {
        assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'bob', text, clientMsgId: crypto.randomUUID() })).statusCode, 201);
        await drained(rig);
      };
      await send('one');
      assert.equal(rig.fake.accepted.length, 1);
      assert.equal(rig.fake.accepted[0].body.payload.notification.clickAction.action, 'action.pushuikit.chat');

      assert.equal((await admin(rig, c, 'PUT', `/certificates/${CONSOLE_CLIENT_ID}`, { enabled: false })).statusCode, 200);
      await send('two');
      assert.equal(rig.fake.accepted.length, 1, 'nothing reached Push Kit');
      const log = (await admin(rig, c, 'GET', '/deliveries?limit=1')).json().entries[0];
      assert.equal(log.outcome, 'refused');
      assert.equal(log.message, `certificate ${CONSOLE_CLIENT_ID} is disabled`);
      assert.equal(log.userId, 'bob');

      assert.equal((await admin(rig, c, 'PUT', `/certificates/${CONSOLE_CLIENT_ID}`, { enabled: true, action: 'action.example.open', category: 'WORK' })).statusCode, 200);
      await send('three');
      assert.equal(rig.fake.accepted.length, 2);
      const last = rig.fake.accepted[1].body.payload.notification;
      assert.equal(last.clickAction.action, 'action.example.open', 'the new action is used');
      assert.equal(last.category, 'WORK');
    });

    test('a replaced key signs the next request (here: a key Push Kit does not know, so it is refused); deleting stops pushes', LIMIT, async () => {
      const added = await addCertificate(rig, c);
      assert.equal(added.statusCode, 201);
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', 'bob-console-token-0002', CONSOLE_CLIENT_ID);
      await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'w', clientMsgId: 'k0' });
      await drained(rig);
      assert.equal(rig.fake.accepted.length, 1, 'the first key signs a JWT Push Kit takes');
      const other = testKeyPair();
      const put = await admin(rig, c, 'PUT', `/certificates/${CONSOLE_CLIENT_ID}`, { serviceAccount: serviceAccountText(other.privatePem) });
      assert.equal(put.statusCode, 200);
      assert.notEqual(put.json().serviceAccount.fingerprint, added.json().serviceAccount.fingerprint);
      assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'x', clientMsgId: 'k1' })).statusCode, 201);
      await drained(rig);
      assert.equal(rig.fake.accepted.length, 1, 'the request signed with the new key was not accepted');
      assert.ok(rig.fake.rejected.some((r) => /jwt|signature/i.test(r)), rig.fake.rejected.join(' | '));

      assert.equal((await admin(rig, c, 'DELETE', `/certificates/${CONSOLE_CLIENT_ID}`)).statusCode, 204);
      assert.equal((await admin(rig, c, 'DELETE', `/certificates/${CONSOLE_CLIENT_ID}`)).statusCode, 404);
      assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'y', clientMsgId: 'k2' })).statusCode, 201);
      await drained(rig);
      const log = (await admin(rig, c, 'GET', '/deliveries?limit=1')).json().entries[0];
      assert.equal(log.outcome, 'refused');
      assert.equal(log.message, `no certificate for Client ID ${CONSOLE_CLIENT_ID}`);
    });
  });

  describe('restarts', () => {
    test('stored keys need the key they were stored with: missing or wrong refuses to start; the right one pushes', LIMIT, async () => {
      assert.equal((await addCertificate(rig, c)).statusCode, 201);
      const env = (extra: NodeJS.ProcessEnv) => loadConfig({ ...testEnvironment(rig.dir, rig.config.pushApiBase), ...extra });
      await rig.server.close();
      const open = (extra: NodeJS.ProcessEnv) => createServer(env(extra), { log: pino({ level: 'silent' }), scryptLog2N: TEST_SCRYPT_LOG2N });
      await assert.rejects(open({}), (e: Error) => e instanceof ConfigError && /set CERT_ENCRYPTION_KEY/.test(e.message));
      await assert.rejects(open({ CERT_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') }),
        (e: Error) => e instanceof ConfigError && /does not decrypt the stored push certificate 5550001/.test(e.message));
      const server = await open({ CERT_ENCRYPTION_KEY: ENCRYPTION_KEY });
      try {
        assert.equal(server.certificates.find(CONSOLE_CLIENT_ID)?.serviceAccount?.private_key, crypto.createPrivateKey(TEST_KEYS.privatePem).export({ type: 'pkcs8', format: 'pem' }).toString());
      } finally {
        await server.close();
      }
      rig.server = await open({ CERT_ENCRYPTION_KEY: ENCRYPTION_KEY }); // for afterEach
    });

    test('a stored key moved to another certificate\'s row does not open there (the name is its associated data): the server refuses to start', LIMIT, async () => {
      const other = '5550002';
      assert.equal((await addCertificate(rig, c)).statusCode, 201);
      assert.equal((await addCertificate(rig, c, { name: other, serviceAccount: serviceAccountText(testKeyPair().privatePem) })).statusCode, 201);
      await rig.server.close();
      const sealed = () => {
        const db = openDb(rig.config.dataDir);
        try {
          return db.prepare('SELECT name, private_key_enc FROM push_certificates ORDER BY name').all() as { name: string; private_key_enc: string }[];
        } finally {
          db.close();
        }
      };
      const setSealed = (name: string, value: string) => {
        const db = openDb(rig.config.dataDir);
        db.prepare('UPDATE push_certificates SET private_key_enc = ? WHERE name = ?').run(value, name);
        db.close();
      };
      const [first, second] = sealed();
      assert.deepEqual([first.name, second.name], [CONSOLE_CLIENT_ID, other]);
      setSealed(other, first.private_key_enc);
      const open = () => createServer(loadConfig({ ...testEnvironment(rig.dir, rig.config.pushApiBase), CERT_ENCRYPTION_KEY: ENCRYPTION_KEY }),
        { log: pino({ level: 'silent' }), scryptLog2N: TEST_SCRYPT_LOG2N });
      await assert.rejects(open(), (e: Error) => e instanceof ConfigError && /does not decrypt the stored push certificate 5550002/.test(e.message));
      setSealed(other, second.private_key_enc);
      rig.server = await open(); // its own key opens again (and afterEach closes it)
      assert.equal(rig.server.certificates.find(other)?.name, other);
    });
  });

  describe('users and devices', () => {
    test('find a user by id prefix or name (wildcards taken literally); details show unread, policy and devices with a token prefix only', LIMIT, async () => {
      const alice = await login(rig, 'alice', 'Alice 100%');
      const bob = await login(rig, 'bob', 'Bobby');
      await login(rig, 'albert', 'Al');
      await bindDevice(rig, bob, 'phone', 'bob-secret-token-0003', CONSOLE_CLIENT_ID);
      assert.equal((await call(rig, bob, 'PUT', '/settings', { multiDevicePolicy: 'anyOffline' })).statusCode, 200);
      for (const text of ['a', 'b']) await call(rig, alice, 'POST', '/messages', { to: 'bob', text, clientMsgId: `m-${text}` });
      const ids = async (q: string) => (await admin(rig, c, 'GET', `/users?q=${encodeURIComponent(q)}`)).json().users.map((u: { userId: string }) => u.userId);
      assert.deepEqual(await ids('al'), ['albert', 'alice']);
      assert.deepEqual(await ids('BOBB'), ['bob']);
      assert.deepEqual(await ids('100%'), ['alice']);
      assert.deepEqual(await ids('%'), ['alice'], '% is a character');
      assert.deepEqual(await ids('_'), [], '_ is a character');
      assert.equal((await admin(rig, c, 'GET', '/users?q=')).statusCode, 400);

      const live = await LiveDevice.connect(rig, bob, 'phone');
      const detail = await admin(rig, c, 'GET', '/users/bob');
      assert.equal(detail.statusCode, 200);
      const d = detail.json();
      assert.equal(d.unread, 2);
      assert.equal(d.multiDevicePolicy, 'anyOffline');
      assert.equal(d.online, true);
      assert.equal(d.devices.length, 1);
      assert.equal(d.devices[0].tokenPrefix, 'bob-secr…');
      assert.equal(d.devices[0].online, true);
      assert.equal(typeof d.devices[0].lastOnlineAt, 'number');
      assert.equal(d.devices[0].certificate, null, 'no certificate has that Client ID');
      assert.ok(!detail.body.includes('bob-secret-token-0003'), 'the whole token is never shown');
      await live.close();
      assert.equal((await admin(rig, c, 'GET', '/users/nobody')).statusCode, 404);
    });

    test('unbinding a device stops its pushes; an unknown one is 404', LIMIT, async () => {
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', 'bob-token-unbind-0004');
      assert.equal((await admin(rig, c, 'DELETE', '/users/bob/devices/phone')).statusCode, 204);
      assert.equal((await admin(rig, c, 'DELETE', '/users/bob/devices/phone')).statusCode, 404);
      assert.deepEqual((await admin(rig, c, 'GET', '/users/bob')).json().devices, []);
      await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hi', clientMsgId: 'u1' });
      await drained(rig);
      assert.equal(rig.fake.accepted.length, 0);
    });
  });

  describe('test push', () => {
    test('shows the v3 request with the token and JWT redacted and Push Kit\'s answer, and logs it as a test', LIMIT, async () => {
      assert.equal((await addCertificate(rig, c)).statusCode, 201);
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', 'bob-test-push-token-0005', CONSOLE_CLIENT_ID);
      const r = await admin(rig, c, 'POST', '/test-push', { userId: 'bob', pushType: 'notification', title: 'Hello', body: 'From the console' });
      assert.equal(r.statusCode, 200, r.body);
      assert.ok(!r.body.includes('bob-test-push-token-0005'), 'the token is redacted');
      const [result] = r.json().results;
      assert.equal(result.certificate, CONSOLE_CLIENT_ID);
      assert.deepEqual(result.deviceIds, ['phone']);
      assert.equal(result.request.url, `${rig.config.pushApiBase}/v3/${PROJECT_ID}/messages:send`);
      assert.equal(result.request.headers['push-type'], '0');
      assert.equal(result.request.headers.Authorization, 'Bearer <redacted>');
      assert.deepEqual(result.request.body.target, { token: ['<redacted>'] });
      assert.equal(result.request.body.payload.notification.title, 'Hello');
      assert.deepEqual(result.response, { status: 200, code: '80000000', msg: 'Success' });
      assert.equal(result.outcome, 'sent');
      assert.equal(rig.fake.accepted.length, 1);
      assert.deepEqual(rig.fake.accepted[0].tokens, ['bob-test-push-token-0005'], 'Push Kit got the real token');
      const entry = (await admin(rig, c, 'GET', `/deliveries/${result.deliveryId}`)).json();
      assert.equal(entry.test, true);
      assert.equal(entry.userId, 'bob');
      assert.equal(entry.outcome, 'sent');
      assert.deepEqual(entry.request.target, { token: '[1 tokens]' });
    });

    test('refusals say why: a disabled certificate, VoIP off, no device; unknown users and devices are 404', LIMIT, async () => {
      assert.equal((await addCertificate(rig, c, { enabled: false })).statusCode, 201);
      const bob = await login(rig, 'bob');
      await login(rig, 'carol');
      await bindDevice(rig, bob, 'phone', 'bob-test-push-token-0006', CONSOLE_CLIENT_ID);
      await bindDevice(rig, bob, 'tablet', 'bob-test-push-token-0007', CLIENT_ID);
      const push = (body: Record<string, unknown>) => admin(rig, c, 'POST', '/test-push', { pushType: 'notification', title: 't', body: 'b', ...body });
      const both = (await push({ userId: 'bob' })).json().results;
      assert.deepEqual(both.map((x: { certificate: string; refused?: string }) => [x.certificate, x.refused ?? null]),
        [[CONSOLE_CLIENT_ID, `certificate ${CONSOLE_CLIENT_ID} is disabled`], [CLIENT_ID, null]]);
      const voip = (await push({ userId: 'bob', deviceId: 'tablet', pushType: 'voip' })).json().results;
      assert.match(voip[0].refused, /does not send VoIP pushes/);
      const logged = (await admin(rig, c, 'GET', `/deliveries/${voip[0].deliveryId}`)).json();
      assert.deepEqual([logged.outcome, logged.test, logged.userId, logged.pushType], ['refused', true, 'bob', 'voip'], 'a refused test is in the log');
      assert.equal((await push({ userId: 'carol' })).statusCode, 409);
      assert.equal((await push({ userId: 'nobody' })).statusCode, 404);
      assert.equal((await push({ userId: 'bob', deviceId: 'watch' })).statusCode, 404);
      assert.equal((await push({ userId: 'bob', title: '   ' })).statusCode, 400);
      await admin(rig, c, 'PUT', `/certificates/${CONSOLE_CLIENT_ID}`, { enabled: true, voip: true });
      const big = (await push({ userId: 'bob', deviceId: 'phone', pushType: 'voip', title: '😀'.repeat(100), body: '😀'.repeat(1000) })).json();
      assert.match(big.results[0].refused, /over Push Kit's 4096/, 'a VoIP body cannot be cut: it is refused with the reason');
      assert.equal(rig.fake.accepted.length, 1, 'only the enabled certificate\'s device got one');
    });
  });

  describe('delivery log', () => {
    test('each request with user, certificate, category, tokens, code, attempt and latency; filters and pages', LIMIT, async () => {
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      const carol = await login(rig, 'carol');
      await bindDevice(rig, bob, 'phone', 'bob-log-token-0008');
      await bindDevice(rig, carol, 'phone', 'carol-log-token-0009');
      rig.fake.answers.push({ status: 503 });
      await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'one', clientMsgId: 'l1' });
      await drained(rig);
      await call(rig, alice, 'POST', '/messages', { to: 'carol', text: 'two', clientMsgId: 'l2' });
      await drained(rig);
      const all = (await admin(rig, c, 'GET', '/deliveries')).json();
      assert.deepEqual(all.entries.map((e: { userId: string; outcome: string; status: number }) => `${e.userId}:${e.outcome}:${e.status}`),
        ['carol:sent:200', 'bob:sent:200', 'bob:retry:503'], 'newest first; the retried try is its own entry');
      const first = all.entries[0];
      assert.equal(first.certificate, CLIENT_ID);
      assert.equal(first.category, 'IM');
      assert.equal(first.pushType, 'notification');
      assert.equal(first.tokens, 1);
      assert.equal(first.code, '80000000');
      assert.equal(first.attempt, 1);
      assert.equal(typeof first.latencyMs, 'number');
      assert.equal(first.dryRun, false);
      const q = async (query: string) => (await admin(rig, c, 'GET', `/deliveries?${query}`)).json();
      assert.deepEqual((await q('userId=bob')).entries.map((e: { outcome: string }) => e.outcome), ['sent', 'retry']);
      assert.deepEqual((await q('result=failure')).entries.map((e: { userId: string }) => e.userId), ['bob']);
      assert.equal((await q(`certificate=${CONSOLE_CLIENT_ID}`)).entries.length, 0);
      const page1 = await q('limit=2');
      assert.equal(page1.entries.length, 2);
      const page2 = await q(`limit=2&before=${page1.nextBefore}`);
      assert.deepEqual(page2.entries.map((e: { outcome: string }) => e.outcome), ['retry']);
      assert.equal(page2.nextBefore, null);
      assert.equal((await admin(rig, c, 'GET', '/deliveries?result=maybe')).statusCode, 400);
      assert.equal((await admin(rig, c, 'GET', '/deliveries/999999')).statusCode, 404);
      const stats = (await admin(rig, c, 'GET', '/deliveries/stats')).json();
      const totals = stats.certificates.find((x: { name: string }) => x.name === CLIENT_ID);
      assert.equal(totals.sent, 2);
      assert.equal(totals.failed, 0, 'a retry is not a failure');
      assert.equal(totals.hourly.length, 24);
      assert.equal(totals.hourly[23].sent, 2);
    });

    test('invalid tokens dropped are counted; entries older than the retention are pruned', LIMIT, async () => {
      await rig.stop();
      let now = Date.now();
      rig = await startRig({ PUSH_LOG_RETENTION_DAYS: '1' }, () => now);
      await rig.server.admins.create(ADMIN, ADMIN_PASSWORD);
      c = await signIn(rig);
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', 'bob-dead-token-0010');
      rig.fake.answers.push({ status: 200, code: '80300007', msg: 'all tokens invalid' });
      await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'x', clientMsgId: 'p1' });
      await drained(rig);
      const stats = (await admin(rig, c, 'GET', '/deliveries/stats')).json().certificates[0];
      assert.deepEqual([stats.sent, stats.failed, stats.dropped], [0, 0, 1]);
      now += 25 * 3600 * 1000;
      assert.equal(rig.server.deliveries.prune(), 1);
      c = await signIn(rig); // the first session expired meanwhile
      assert.equal((await admin(rig, c, 'GET', '/deliveries')).json().entries.length, 0);
    });

    test('the live stream sends each new entry as a server-sent event', LIMIT, async () => {
      await rig.server.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (rig.server.app.server.address() as AddressInfo).port;
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', 'bob-stream-token-0011');
      let text = '';
      const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/admin/deliveries/stream', headers: { cookie: c.cookie } });
      const response = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/event-stream/);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      await until(() => text.includes(': connected'));
      await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'live', clientMsgId: 's1' });
      await drained(rig);
      await until(() => text.includes('event: delivery'));
      const data = text.split('\n').find((l) => l.startsWith('data: '));
      assert.equal(JSON.parse((data as string).slice(6)).userId, 'bob');
      req.destroy();
    });
  });
});
