// The REST API: sessions, validation, idempotency, paging, read marks, access control, rate limits.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, LiveDevice, until } from './helpers.js';
import type { Rig } from './helpers.js';

describe('health', () => {
  test('healthz answers without a session', async () => {
    const rig = await startRig();
    try {
      const r = await rig.inject({ method: 'GET', url: '/healthz' });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { ok: true });
    } finally {
      await rig.stop();
    }
  });
});

describe('messages and conversations', () => {
  let rig: Rig;
  let alice: string;
  let bob: string;
  let carol: string;
  before(async () => {
    rig = await startRig({ RATE_MESSAGES_PER_MIN: '30' });
    alice = await login(rig, 'alice', 'Alice');
    bob = await login(rig, 'bob', 'Bob');
    carol = await login(rig, 'carol', 'Carol');
  });
  after(async () => { await rig.stop(); });

  test('a message is stored once per clientMsgId', async () => {
    const first = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hi', clientMsgId: 'k1' });
    const again = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hi', clientMsgId: 'k1' });
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, first.json().id);
    const page = await call(rig, bob, 'GET', `/conversations/${first.json().conversationId}/messages`);
    assert.equal(page.json().messages.length, 1);
  });

  test('bad message bodies are 400 with the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ to: 'bob', text: '', clientMsgId: 'k' }, /text/],
      [{ to: 'bob', text: 'x'.repeat(4001), clientMsgId: 'k' }, /text/],
      [{ to: 'bob', text: 'x' }, /clientMsgId/],
      [{ text: 'x', clientMsgId: 'k' }, /must match exactly one schema|to|groupId/],
      [{ to: 'b o b', text: 'x', clientMsgId: 'k' }, /to/],
      [{ to: 'bob', groupId: 'g', text: 'x', clientMsgId: 'k' }, /exactly one/],
    ];
    for (const [payload, field] of cases) {
      const r = await call(rig, alice, 'POST', '/messages', payload);
      assert.equal(r.statusCode, 400, JSON.stringify(payload));
      assert.match(r.json().error, field);
    }
    assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'alice', text: 'x', clientMsgId: 'self' })).statusCode, 400);
    assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'nobody', text: 'x', clientMsgId: 'n1' })).statusCode, 404);
  });

  test('a body over the limit is 413, an unknown route 404', async () => {
    const r = await rig.inject({ method: 'POST', url: '/api/v1/messages', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ to: 'bob', text: 'x'.repeat(70000), clientMsgId: 'big' }) });
    assert.equal(r.statusCode, 413);
    assert.equal((await call(rig, alice, 'GET', '/nothing-here')).statusCode, 404);
  });

  test('pages newest first with a cursor', async () => {
    let conversationId = '';
    for (let i = 1; i <= 7; i++) {
      conversationId = (await call(rig, alice, 'POST', '/messages', { to: 'carol', text: `m${i}`, clientMsgId: `page${i}` })).json().conversationId;
    }
    const p1 = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?limit=3`)).json();
    assert.deepEqual(p1.messages.map((m: any) => m.text), ['m7', 'm6', 'm5']);
    const p2 = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?limit=3&before=${p1.nextBefore}`)).json();
    assert.deepEqual(p2.messages.map((m: any) => m.text), ['m4', 'm3', 'm2']);
    const p3 = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?limit=3&before=${p2.nextBefore}`)).json();
    assert.deepEqual(p3.messages.map((m: any) => m.text), ['m1']);
    assert.equal(p3.nextBefore, null);
    assert.equal((await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?limit=500`)).statusCode, 400);
  });

  test('after=<seq> catches up oldest first, in pages, and cannot be combined with before', async () => {
    let conversationId = '';
    for (let i = 1; i <= 5; i++) {
      conversationId = (await call(rig, alice, 'POST', '/messages', { to: 'carol', text: `c${i}`, clientMsgId: `after${i}` })).json().conversationId;
    }
    const page = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?limit=100`)).json();
    const last = page.messages[0].seq;
    const p1 = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?after=${last - 5}&limit=3`)).json();
    assert.deepEqual(p1.messages.map((m: any) => m.text), ['c1', 'c2', 'c3']);
    assert.equal(p1.nextAfter, last - 2);
    const p2 = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?after=${p1.nextAfter}&limit=3`)).json();
    assert.deepEqual(p2.messages.map((m: any) => m.text), ['c4', 'c5']);
    assert.equal(p2.nextAfter, null);
    const full = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?after=${last - 2}&limit=2`)).json();
    assert.deepEqual(full.messages.map((m: any) => m.text), ['c4', 'c5']);
    assert.equal(full.nextAfter, null, 'a full page that reaches the last message is the end');
    const none = (await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?after=${last}`)).json();
    assert.deepEqual(none, { messages: [], nextAfter: null });
    const both = await call(rig, carol, 'GET', `/conversations/${conversationId}/messages?after=1&before=3`);
    assert.equal(both.statusCode, 400);
    assert.equal((await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?after=0`)).statusCode, 404, 'members only');
  });

  test('read marks lower the unread count and reach the reader\'s other devices', async () => {
    const dana = await login(rig, 'dana');
    const sent = (await call(rig, alice, 'POST', '/messages', { to: 'dana', text: 'one', clientMsgId: 'r1' })).json();
    await call(rig, alice, 'POST', '/messages', { to: 'dana', text: 'two', clientMsgId: 'r2' });
    assert.equal((await call(rig, dana, 'GET', '/unread')).json().total, 2);
    const otherDevice = await LiveDevice.connect(rig, dana, 'tablet');
    const r = await call(rig, dana, 'POST', `/conversations/${sent.conversationId}/read`, { upToSeq: 1 });
    assert.deepEqual(r.json(), { readSeq: 1, unread: 1 });
    await until(() => otherDevice.of('read').length === 1);
    await call(rig, dana, 'POST', `/conversations/${sent.conversationId}/read`, { upToSeq: 999 });
    assert.equal((await call(rig, dana, 'GET', '/unread')).json().total, 0);
    await otherDevice.close();
  });

  test('another user\'s conversation is 404, the same as one that does not exist', async () => {
    const sent = (await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'private', clientMsgId: 'p1' })).json();
    const other = await call(rig, carol, 'GET', `/conversations/${sent.conversationId}/messages`);
    const missing = await call(rig, carol, 'GET', '/conversations/d_doesnotexist/messages');
    assert.equal(other.statusCode, 404);
    assert.deepEqual(other.json(), missing.json());
    assert.equal((await call(rig, carol, 'POST', `/conversations/${sent.conversationId}/read`, { upToSeq: 1 })).statusCode, 404);
    assert.equal((await call(rig, carol, 'POST', '/messages', { groupId: sent.conversationId, text: 'x', clientMsgId: 'intrude' })).statusCode, 404);
  });

  test('conversations list the peer, the last message and the unread count', async () => {
    const list = (await call(rig, bob, 'GET', '/conversations')).json().conversations;
    const withAlice = list.find((c: any) => c.peerId === 'alice');
    assert.equal(withAlice.name, 'Alice');
    assert.equal(withAlice.lastMessage.text, 'private');
    assert.ok(withAlice.unread >= 1);
  });

  test('groups need known members', async () => {
    const bad = await call(rig, alice, 'POST', '/groups', { name: 'G', members: ['bob', 'ghost'] });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /ghost/);
    const ok = await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob', 'carol'] });
    assert.equal(ok.statusCode, 201);
    assert.deepEqual(ok.json().members.sort(), ['alice', 'bob', 'carol']);
  });

  test('settings are validated and kept', async () => {
    assert.equal((await call(rig, bob, 'PUT', '/settings', { multiDevicePolicy: 'sometimes' })).statusCode, 400);
    assert.equal((await call(rig, bob, 'PUT', '/settings', {})).statusCode, 400);
    const r = await call(rig, bob, 'PUT', '/settings', { preview: false });
    assert.deepEqual(r.json(), { dnd: false, dndStart: 1320, dndEnd: 420, timeZone: 'UTC', preview: false, multiDevicePolicy: 'allOffline' });
    assert.equal((await call(rig, bob, 'GET', '/settings')).json().preview, false);
  });

  test('messages are rate limited per user (429)', async () => {
    const eve = await login(rig, 'eve');
    let limited = 0;
    for (let i = 0; i < 35; i++) {
      const r = await call(rig, eve, 'POST', '/messages', { to: 'bob', text: 'spam', clientMsgId: `s${i}` });
      if (r.statusCode === 429) limited += 1;
    }
    assert.equal(limited, 5);
    // another user is not affected
    assert.equal((await call(rig, carol, 'POST', '/messages', { to: 'bob', text: 'fine', clientMsgId: 'fine1' })).statusCode, 201);
  });
});

describe('rate limits on calls and device binding', () => {
  test('each has its own per-user limit', async () => {
    const rig = await startRig({ RATE_CALLS_PER_MIN: '2', RATE_DEVICES_PER_MIN: '3' });
    try {
      const a = await login(rig, 'a');
      await login(rig, 'b');
      const calls = [];
      for (let i = 0; i < 3; i++) calls.push((await call(rig, a, 'POST', '/calls', { to: 'b', media: 'audio' })).statusCode);
      assert.deepEqual(calls, [201, 201, 429]);
      const binds = [];
      for (let i = 0; i < 4; i++) {
        binds.push((await call(rig, a, 'PUT', `/devices/d${i}`, { pushToken: `IQAAAACy0token${i}xxxxxxxxxx`, clientId: '1' })).statusCode);
      }
      assert.deepEqual(binds, [204, 204, 204, 429]);
    } finally {
      await rig.stop();
    }
  });
});

describe('WebSocket', () => {
  let rig: Rig;
  before(async () => { rig = await startRig(); });
  after(async () => { await rig.stop(); });

  test('needs a valid token', async () => {
    await assert.rejects(LiveDevice.connect(rig, 'forged', 'd1'));
  });

  test('a malformed frame closes that socket only; pings are answered', async () => {
    const token = await login(rig, 'frank');
    const good = await LiveDevice.connect(rig, token, 'phone');
    const bad = await LiveDevice.connect(rig, token, 'tablet');
    bad.socket.send('{not json');
    await until(() => bad.closed !== undefined);
    assert.equal(bad.closed?.code, 1008);
    good.socket.send(JSON.stringify({ type: 'ping' }));
    await until(() => good.of('pong').length === 1);
    assert.equal(good.closed, undefined);
    assert.deepEqual([...rig.server.hub.onlineDevices('frank')], ['phone']);
    await good.close();
  });

  test('heartbeats drop a device that stopped answering pings', async () => {
    const quick = await startRig({ HEARTBEAT_MS: '100' });
    try {
      const token = await login(quick, 'ivan');
      const silent = await LiveDevice.connect(quick, token, 'phone', { autoPong: false });
      const healthy = await LiveDevice.connect(quick, token, 'tablet');
      await until(() => silent.closed !== undefined, 3000);
      assert.deepEqual([...quick.server.hub.onlineDevices('ivan')], ['tablet']);
      await healthy.close();
    } finally {
      await quick.stop();
    }
  });

  test('presence goes to contacts: both sides of a direct conversation in which both wrote', async () => {
    const grace = await login(rig, 'grace');
    const heidi = await login(rig, 'heidi');
    const spammer = await login(rig, 'spammer');
    // One unanswered message does not let its sender watch when Grace comes online.
    await call(rig, spammer, 'POST', '/messages', { to: 'grace', text: 'buy now', clientMsgId: 'spam1' });
    const spamWatcher = await LiveDevice.connect(rig, spammer, 'phone');
    await call(rig, grace, 'POST', '/messages', { to: 'heidi', text: 'hello', clientMsgId: 'pr1' });
    await call(rig, heidi, 'POST', '/messages', { to: 'grace', text: 'hi!', clientMsgId: 'pr2' });
    const watcher = await LiveDevice.connect(rig, heidi, 'phone');
    const device = await LiveDevice.connect(rig, grace, 'phone');
    await until(() => watcher.of('presence').some((e) => e.userId === 'grace' && e.online));
    await device.close();
    await until(() => watcher.of('presence').some((e) => e.userId === 'grace' && !e.online));
    assert.deepEqual(spamWatcher.of('presence'), []);
    assert.deepEqual(rig.server.service.contacts('spammer'), []);
    await watcher.close();
    await spamWatcher.close();
  });
});
