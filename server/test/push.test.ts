// Offline push: when a push is sent, exactly what it contains, and how Push Kit's answers are handled.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, bindDevice, drained, LiveDevice, until, pushProfileIdOf, CLIENT_ID, VOIP_CLIENT_ID, TEST_CLIENT_ID } from './helpers.js';
import type { Rig } from './helpers.js';
import { notifyIdOf, truncateUtf8 } from '../src/push/payloads.js';

const TOKEN_A = 'IQAAAACy0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TOKEN_B = 'IQAAAACy0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

let rig: Rig;
let alice: string;
let bob: string;

/** A fresh server with Alice, and Bob whose phone is bound and offline. */
async function aliceAndOfflineBob(): Promise<void> {
  rig = await startRig();
  alice = await login(rig, 'alice', 'Alice');
  bob = await login(rig, 'bob', 'Bob');
  await bindDevice(rig, bob, 'phone', TOKEN_A);
}

async function send(from: string, to: string, text: string, clientMsgId: string) {
  const r = await call(rig, from, 'POST', '/messages', { to, text, clientMsgId });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

describe('offline push of messages', () => {
  beforeEach(aliceAndOfflineBob);
  afterEach(async () => { await rig.stop(); });

  test('an online receiver gets the message over the socket and no push', async () => {
    const live = await LiveDevice.connect(rig, bob, 'phone');
    const m = await send(alice, 'bob', 'hello', 'c1');
    await until(() => live.of('message').length === 1);
    assert.equal(live.of('message')[0].message.id, m.id);
    await drained(rig);
    assert.equal(rig.fake.requests, 0);
    await live.close();
  });

  test('an offline receiver gets a notification with exactly the contract\'s fields', async () => {
    await send(alice, 'bob', 'earlier', 'c0');
    const m = await send(alice, 'bob', 'see you at 9', 'c1');
    await drained(rig);
    assert.equal(rig.fake.accepted.length, 2);
    const req = rig.fake.accepted[1];
    assert.equal(req.pushType, 0);
    assert.deepEqual(req.tokens, [TOKEN_A]);
    assert.deepEqual(req.body.payload.notification, {
      category: 'IM',
      title: 'Alice',
      body: 'see you at 9',
      clickAction: { actionType: 1, action: 'action.pushuikit.chat', data: { route: 'chat', conversationId: m.conversationId, messageId: m.id } },
      notifyId: notifyIdOf(m.conversationId),
      badge: { setNum: 2 },
      profileId: await pushProfileIdOf(rig, bob),
      foregroundShow: false,
    });
    assert.equal(req.body.pushOptions.ttl, 86400);
    assert.equal(req.body.pushOptions.testMessage, undefined);
    assert.deepEqual(rig.fake.rejected, []);
  });

  test('the badge is capped at 99', async () => {
    for (let i = 0; i < 101; i++) await rig.server.service.sendMessage('alice', { to: 'bob', text: `m${i}`, clientMsgId: `cap${i}` });
    await drained(rig);
    const last = rig.fake.accepted.find((r) => r.body.payload.notification.body === 'm100');
    assert.equal(last?.body.payload.notification.badge.setNum, 99);
  });

  test('with preview off the body is neutral', async () => {
    await call(rig, bob, 'PUT', '/settings', { preview: false });
    await send(alice, 'bob', 'the secret plan', 'c1');
    await drained(rig);
    const n = rig.fake.accepted[0].body.payload.notification;
    assert.equal(n.body, 'You have a new message');
    assert.ok(!JSON.stringify(rig.fake.accepted[0].body).includes('secret'));
  });

  test('do-not-disturb sends no push, and the message is still stored', async () => {
    // An all-day window (start == end), so the wall clock this test runs at does not matter; the window's
    // edges against the server's clock are in settings.test.ts.
    await call(rig, bob, 'PUT', '/settings', { dnd: true, dndStart: 0, dndEnd: 0 });
    await send(alice, 'bob', 'quiet', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 0);
    assert.equal((await call(rig, bob, 'GET', '/unread')).json().total, 1);
  });

  test('allOffline: no push while any device is online', async () => {
    await bindDevice(rig, bob, 'tablet', TOKEN_B);
    const live = await LiveDevice.connect(rig, bob, 'tablet');
    await send(alice, 'bob', 'one', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 0);
    await live.close();
    await until(() => !rig.server.hub.isOnline('bob'));
    await send(alice, 'bob', 'two', 'c2');
    await drained(rig);
    assert.deepEqual(rig.fake.tokensOf().sort(), [TOKEN_A, TOKEN_B].sort());
  });

  test('anyOffline: the offline devices get the push while another is online', async () => {
    await bindDevice(rig, bob, 'tablet', TOKEN_B);
    await call(rig, bob, 'PUT', '/settings', { multiDevicePolicy: 'anyOffline' });
    const live = await LiveDevice.connect(rig, bob, 'tablet');
    await send(alice, 'bob', 'one', 'c1');
    await drained(rig);
    assert.deepEqual(rig.fake.tokensOf(), [TOKEN_A]);
    await live.close();
  });

  test('a long text is cut to fit 4096 bytes, between characters', async () => {
    const text = '你好😀'.repeat(700); // 10 bytes each
    await send(alice, 'bob', text, 'c1');
    await drained(rig);
    const req = rig.fake.accepted[0];
    assert.ok(req.bytes <= 4096, `${req.bytes} bytes`);
    const body: string = req.body.payload.notification.body;
    assert.ok(body.endsWith('…'));
    assert.ok(text.startsWith(body.slice(0, -1)));
    assert.ok(!body.includes('\ufffd'));
    assert.equal(truncateUtf8('a😀b', 4), 'a');
  });

  test('a device whose Client ID has no certificate gets no push, and the log says why', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A, 'no-such-client');
    await send(alice, 'bob', 'hello', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 0);
    assert.ok(rig.logs.some((l) => l.includes('no Push Kit') || l.includes('has no certificate')));
  });

  test('a token bound by another user moves to that user', async () => {
    const carol = await login(rig, 'carol');
    await bindDevice(rig, carol, 'phone', TOKEN_A);
    await send(alice, 'bob', 'for bob', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 0);
  });
});

describe('group fan-out', () => {
  beforeEach(async () => { rig = await startRig({ RATE_DEVICES_PER_MIN: '5' }); });
  afterEach(async () => { await rig.stop(); });

  test('each offline member gets a notification bound to its own account; a member\'s devices share one request', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `member${i}`;
      rig.server.service.createUser(id, `Member ${i}`, null);
      rig.server.service.bindDevice(id, 'phone', `IQAAAACy0member${String(i).padStart(6, '0')}xxxxxxxx`, CLIENT_ID);
      ids.push(id);
    }
    rig.server.service.bindDevice('member0', 'tablet', 'IQAAAACy0member0-tabletxxxxxxxx', CLIENT_ID);
    alice = await login(rig, 'alice', 'Alice');
    const group = await call(rig, alice, 'POST', '/groups', { name: 'Everyone', members: ids });
    assert.equal(group.statusCode, 201);
    const r = await call(rig, alice, 'POST', '/messages', { groupId: group.json().groupId, text: 'hello all', clientMsgId: 'g1' });
    assert.equal(r.statusCode, 201);
    await drained(rig);
    // One profileId per message (push-scenariozed-api-request-param): members cannot share a request.
    assert.equal(rig.fake.accepted.length, 40);
    const byProfile = new Map(rig.fake.accepted.map((a) => [a.body.payload.notification.profileId as string, a.tokens]));
    for (const id of ids) {
      const tokens = byProfile.get(rig.server.service.pushProfileId(id));
      assert.ok(tokens, `${id}'s own notification`);
      assert.equal(tokens.length, id === 'member0' ? 2 : 1);
    }
    assert.equal(new Set(rig.fake.tokensOf()).size, 41);
  });

  test('test messages go out 10 tokens per request', async () => {
    alice = await login(rig, 'alice', 'Alice');
    rig.server.service.createUser('tester', 'Tester', null);
    for (let i = 0; i < 25; i++) {
      rig.server.service.bindDevice('tester', `device${i}`, `IQAAAACy0test${String(i).padStart(6, '0')}xxxxxxxxxx`, TEST_CLIENT_ID);
    }
    await call(rig, alice, 'POST', '/messages', { to: 'tester', text: 'test', clientMsgId: 'tm1' });
    await drained(rig);
    assert.deepEqual(rig.fake.accepted.map((a) => a.tokens.length).sort((a, b) => b - a), [10, 10, 5]);
    assert.ok(rig.fake.accepted.every((a) => a.body.pushOptions.testMessage === true));
  });
});

describe('call pushes', () => {
  beforeEach(async () => {
    rig = await startRig();
    alice = await login(rig, 'alice', 'Alice');
    bob = await login(rig, 'bob', 'Bob');
  });
  afterEach(async () => { await rig.stop(); });

  test('an invitation to an offline callee is a VoIP push when the certificate allows VoIP', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A, VOIP_CLIENT_ID);
    const r = await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'video' });
    assert.equal(r.statusCode, 201);
    const c = r.json();
    await drained(rig);
    const req = rig.fake.accepted[0];
    assert.equal(req.pushType, 10);
    assert.deepEqual(JSON.parse(req.body.payload.extraData), {
      route: 'call', callId: c.callId, callerId: 'alice', callerName: 'Alice', media: 'video', expiresAt: c.expiresAt,
    });
    assert.ok(req.body.pushOptions.ttl >= 30 && req.body.pushOptions.ttl <= 60);
    // A VoIP message has no notification to check an account against (the reference binds profileId to
    // notification messages); the app drops an invitation that arrives while nobody is signed in.
    assert.equal(req.body.payload.profileId, undefined);
  });

  test('without VoIP it is a notification with the call action', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A, CLIENT_ID);
    const c = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'audio' })).json();
    await drained(rig);
    const n = rig.fake.accepted[0].body.payload.notification;
    assert.equal(rig.fake.accepted[0].pushType, 0);
    assert.deepEqual(n.clickAction, { actionType: 1, action: 'action.pushuikit.call', data: { route: 'call', callId: c.callId } });
    assert.equal(n.profileId, await pushProfileIdOf(rig, bob), 'only Bob\'s signed-in account shows it');
    assert.equal(n.foregroundShow, undefined, 'an incoming call shows a banner in the foreground too');
  });

  test('an unanswered invitation times out into a MISS_CALL notification', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A, VOIP_CLIENT_ID);
    const c = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'audio' })).json();
    await until(() => rig.server.service.getCall('alice', c.callId).state === 'missed', 5000);
    await drained(rig);
    const missed = rig.fake.accepted.find((a) => a.pushType === 0);
    assert.ok(missed, 'a missed-call notification');
    assert.equal(missed.body.payload.notification.category, 'MISS_CALL');
    assert.equal(missed.body.payload.notification.profileId, await pushProfileIdOf(rig, bob));
    assert.deepEqual(missed.body.payload.notification.clickAction,
      { actionType: 1, action: 'action.pushuikit.call', data: { route: 'missedCall', callId: c.callId, peerId: 'alice' } });
    assert.equal((await call(rig, bob, 'POST', `/calls/${c.callId}/accept`)).statusCode, 409);
  });

  test('a cancelled invitation is a missed call too; answers reach the caller live', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A, CLIENT_ID);
    const caller = await LiveDevice.connect(rig, alice, 'phone');
    const c = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'audio' })).json();
    assert.equal((await call(rig, bob, 'POST', `/calls/${c.callId}/cancel`)).statusCode, 403);
    assert.equal((await call(rig, alice, 'POST', `/calls/${c.callId}/cancel`)).statusCode, 200);
    await drained(rig);
    assert.ok(rig.fake.accepted.some((a) => a.body.payload?.notification?.clickAction?.data?.route === 'missedCall'));
    const c2 = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'audio' })).json();
    assert.equal((await call(rig, bob, 'POST', `/calls/${c2.callId}/accept`)).json().state, 'accepted');
    await until(() => caller.of('call').some((e) => e.call.callId === c2.callId && e.call.state === 'accepted'));
    await caller.close();
    const carol = await login(rig, 'carol');
    assert.equal((await call(rig, carol, 'GET', `/calls/${c2.callId}`)).statusCode, 404);
  });
});

describe('Push Kit answers', () => {
  beforeEach(aliceAndOfflineBob);
  afterEach(async () => { await rig.stop(); });

  test('503 is retried and then succeeds', async () => {
    rig.fake.answers.push({ status: 503, code: '80300010', msg: 'flow control' }, { status: 502 });
    await send(alice, 'bob', 'hello', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 3);
    assert.equal(rig.fake.accepted.length, 1);
  });

  test('a malformed-request answer is not retried', async () => {
    rig.fake.answers.push({ status: 400, code: '80100003', msg: 'Illegal payload' });
    await send(alice, 'bob', 'hello', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 1);
    const row = rig.server.db.prepare('SELECT status, last_error FROM push_outbox').get() as { status: string; last_error: string };
    assert.equal(row.status, 'failed');
    assert.match(row.last_error, /80100003/);
  });

  test('tokens reported invalid are removed (partial success)', async () => {
    await bindDevice(rig, bob, 'tablet', TOKEN_B);
    rig.fake.answers.push({ status: 200, code: '80100000', msg: JSON.stringify({ success: 1, failure: 1, illegalTokens: { tokenFormatError: [TOKEN_B] } }) });
    await send(alice, 'bob', 'hi', 'c1');
    await drained(rig);
    assert.equal(rig.fake.accepted.length, 1, 'Bob\'s two devices share one request');
    const devices = rig.server.db.prepare('SELECT device_id FROM devices ORDER BY device_id').all() as { device_id: string }[];
    assert.deepEqual(devices.map((d) => d.device_id), ['phone']);
  });

  test('80300007 with tokenPlatformNotSupport removes the token; other reasons keep it', async () => {
    rig.fake.answers.push({ status: 200, code: '80300007', msg: JSON.stringify({ failure: 1, illegalTokens: { noRight: [TOKEN_A] } }) });
    await send(alice, 'bob', 'one', 'c1');
    await drained(rig);
    assert.equal((rig.server.db.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n, 1);
    rig.fake.answers.push({ status: 200, code: '80300007', msg: JSON.stringify({ failure: 1, illegalTokens: { tokenPlatformNotSupport: [TOKEN_A] } }) });
    await send(alice, 'bob', 'two', 'c2');
    await drained(rig);
    assert.equal((rig.server.db.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n, 0);
  });

  test('a rejected JWT is renewed once, then the request goes through', async () => {
    rig.fake.answers.push({ status: 401, code: '80200005', msg: 'Jwt token expired' });
    await send(alice, 'bob', 'hello', 'c1');
    await drained(rig);
    assert.equal(rig.fake.accepted.length, 1);
    const jwt = rig.server.client.jwtFor(rig.config.certificates.get(CLIENT_ID)!);
    assert.equal(jwt?.signed, 2);
  });

  test('a JWT rejected twice is not renewed in a loop', async () => {
    rig.fake.answers.push({ status: 401, code: '80200001' }, { status: 401, code: '80200001' }, { status: 401, code: '80200001' });
    await send(alice, 'bob', 'hello', 'c1');
    await drained(rig);
    assert.equal(rig.fake.requests, 2);
  });

  test('the JWT is cached across requests', async () => {
    await send(alice, 'bob', 'one', 'c1');
    await drained(rig);
    await send(alice, 'bob', 'two', 'c2');
    await drained(rig);
    assert.equal(rig.server.client.jwtFor(rig.config.certificates.get(CLIENT_ID)!)?.signed, 1);
    assert.equal(rig.fake.accepted[0].jwt, rig.fake.accepted[1].jwt);
  });

  test('the private key appears in no log line and no response', async () => {
    rig.fake.answers.push({ status: 401, code: '80200005' }, { status: 500 });
    await send(alice, 'bob', 'hello', 'c1');
    await drained(rig);
    const key = JSON.stringify(rig.config.certificates.get(CLIENT_ID)!.serviceAccount!.private_key).slice(40, 100);
    const secretLine = rig.config.certificates.get(CLIENT_ID)!.serviceAccount!.private_key.split('\n')[3];
    assert.ok(rig.logs.length > 0);
    assert.ok(rig.logs.every((l) => !l.includes(key) && !l.includes(secretLine)));
    const pushLog = JSON.stringify(rig.server.db.prepare('SELECT * FROM push_log').all());
    assert.ok(!pushLog.includes(secretLine));
  });
});
