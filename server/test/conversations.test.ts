// Per-user conversation settings: pin, mute and hide, how they show in the list and the unread counts,
// what mute does to pushes and the badge, and the event that keeps the user's other devices in step.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, bindDevice, drained, LiveDevice, until, sendMessage, listConversations } from './helpers.js';
import type { Rig } from './helpers.js';

const TOKEN_A = 'IQAAAACy0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

let rig: Rig;
let alice: string;
let bob: string;
let carol: string;

interface Listed { id: string; kind: string; unread: number; pinned: boolean; muted: boolean; memberCount: number }

const send = (from: string, to: { to: string } | { groupId: string }, text: string, clientMsgId: string) =>
  sendMessage<{ id: string; conversationId: string; seq: number }>(rig, from, to, text, clientMsgId);

async function settings(token: string, conversationId: string, body: unknown) {
  return call(rig, token, 'PUT', `/conversations/${conversationId}/settings`, body);
}

const list = (token: string) => listConversations<Listed>(rig, token);

/** Sends raw JSON text, so a value reaches the server exactly as written. */
async function raw(token: string, url: string, json: string) {
  return rig.inject({ method: 'PUT', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: json });
}

describe('conversation settings', () => {
  beforeEach(async () => {
    rig = await startRig();
    alice = await login(rig, 'alice', 'Alice');
    bob = await login(rig, 'bob', 'Bob');
    carol = await login(rig, 'carol', 'Carol');
  });
  afterEach(async () => { await rig.stop(); });

  test('pinned and muted are the user\'s own, answered and listed; the order stays most recent first', async () => {
    const fromAlice = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
    const fromCarol = (await send(carol, { to: 'bob' }, 'hey', 'c1')).conversationId;
    const pinned = await settings(bob, fromAlice, { pinned: true });
    assert.equal(pinned.statusCode, 200, pinned.body);
    assert.deepEqual(pinned.json(), { conversationId: fromAlice, pinned: true, muted: false, hidden: false });
    assert.deepEqual((await settings(bob, fromAlice, { pinned: true })).json(), pinned.json(), 'the same change again answers the same');
    assert.deepEqual((await settings(bob, fromCarol, { muted: true })).json(), { conversationId: fromCarol, pinned: false, muted: true, hidden: false });

    const bobs = await list(bob);
    assert.deepEqual(bobs.map((c) => [c.id, c.pinned, c.muted]), [[fromCarol, false, true], [fromAlice, true, false]],
      'the newest first, pinned or not: the app puts pinned ones on top');
    const alices = await list(alice);
    assert.deepEqual(alices.map((c) => [c.id, c.pinned, c.muted]), [[fromAlice, false, false]], 'Bob\'s settings are not Alice\'s');

    assert.deepEqual((await settings(bob, fromAlice, { pinned: false, muted: true })).json(),
      { conversationId: fromAlice, pinned: false, muted: true, hidden: false });
    assert.deepEqual((await list(bob)).find((c) => c.id === fromAlice), { ...bobs[1], pinned: false, muted: true });
  });

  test('settings are strict booleans; a string, an empty body or an unknown field is 400 naming the field', async () => {
    const conversationId = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
    const url = `/conversations/${conversationId}/settings`;
    const cases: [string, string][] = [
      ['{"pinned":"true"}', 'body/pinned'],
      ['{"muted":1}', 'body/muted'],
      ['{"hidden":null}', 'body/hidden'],
      ['{"pinned":true,"muted":"false"}', 'body/muted'],
      ['{}', 'body'],
      ['[]', 'body'],
      ['{"pinned":true,"archived":true}', 'body/archived'],
    ];
    for (const [json, field] of cases) {
      const r = await raw(bob, url, json);
      assert.equal(r.statusCode, 400, `${json}: ${r.body}`);
      assert.equal(r.json().field, field, `${json}: ${r.body}`);
      assert.equal(typeof r.json().error, 'string');
    }
    assert.deepEqual((await list(bob)).map((c) => [c.pinned, c.muted]), [[false, false]], 'a refused change changes nothing');
  });

  test('only a member may change a conversation\'s settings: 404 otherwise', async () => {
    const conversationId = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
    for (const id of [conversationId, 'g_nosuchgroup']) {
      const r = await settings(carol, id, { pinned: true, hidden: true });
      assert.equal(r.statusCode, 404, r.body);
      assert.deepEqual(r.json(), { error: 'no such conversation' });
    }
    assert.deepEqual((await list(carol)), [], 'Carol gained no conversation');
    assert.deepEqual((await list(bob)).map((c) => [c.pinned, c.unread]), [[false, 1]], 'Bob\'s settings did not change');
  });

  test('hiding takes the conversation off the list and reads it; a new message lists it again', async () => {
    const conversationId = (await send(alice, { to: 'bob' }, 'one', 'a1')).conversationId;
    await send(alice, { to: 'bob' }, 'two', 'a2');
    await send(carol, { to: 'bob' }, 'other', 'c1');
    const peer = await LiveDevice.connect(rig, alice, 'phone');
    const hidden = await settings(bob, conversationId, { hidden: true });
    assert.deepEqual(hidden.json(), { conversationId, pinned: false, muted: false, hidden: true });
    assert.deepEqual((await settings(bob, conversationId, { hidden: true })).json(), hidden.json(), 'idempotent');
    assert.ok(!(await list(bob)).some((c) => c.id === conversationId), 'not listed while nothing new came');
    assert.equal((await list(alice))[0].id, conversationId, 'Alice still lists it');
    const unread = (await call(rig, bob, 'GET', '/unread')).json();
    assert.equal(unread.total, 1, 'only Carol\'s message is unread');
    assert.ok(!unread.conversations.some((c: { conversationId: string }) => c.conversationId === conversationId), 'nothing unread in it');
    await until(() => peer.of('read').length === 1);
    assert.deepEqual(peer.of('read')[0], { type: 'read', conversationId, userId: 'bob', readSeq: 2 }, 'the peer hears it was read');

    await send(alice, { to: 'bob' }, 'three', 'a3');
    const back = (await list(bob)).find((c) => c.id === conversationId);
    assert.equal(back?.unread, 1, 'listed again with the new message unread');
    assert.equal((await settings(bob, conversationId, { pinned: true })).json().hidden, false, 'no longer hidden');
    await peer.close();
  });

  test('hidden: false lists a hidden conversation again at once', async () => {
    const conversationId = (await send(alice, { to: 'bob' }, 'one', 'a1')).conversationId;
    await settings(bob, conversationId, { hidden: true });
    assert.deepEqual(await list(bob), []);
    assert.deepEqual((await settings(bob, conversationId, { hidden: false })).json(), { conversationId, pinned: false, muted: false, hidden: false });
    assert.deepEqual((await list(bob)).map((c) => [c.id, c.unread]), [[conversationId, 0]]);
  });

  test('a muted conversation sends no push, an unmuted one still does, and the socket still delivers', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A);
    const muted = (await send(alice, { to: 'bob' }, 'first', 'a0')).conversationId;
    await drained(rig);
    assert.equal(rig.fake.accepted.length, 1, 'pushed before muting');
    await settings(bob, muted, { muted: true });
    const quiet = await send(alice, { to: 'bob' }, 'muted one', 'a1');
    await send(carol, { to: 'bob' }, 'loud one', 'c1');
    await drained(rig);
    assert.deepEqual(rig.fake.accepted.map((r) => r.body.payload.notification.body), ['first', 'loud one']);
    const stored = (await call(rig, bob, 'GET', `/conversations/${muted}/messages`)).json().messages;
    assert.equal(stored[0].id, quiet.id, 'the muted message is stored');

    const live = await LiveDevice.connect(rig, bob, 'tablet');
    const later = await send(alice, { to: 'bob' }, 'muted, live', 'a2');
    await until(() => live.of('message').length === 1);
    assert.equal(live.of('message')[0].message.id, later.id, 'a muted conversation still arrives over the socket');
    await live.close();
  });

  test('the badge of a push counts the unread of unmuted conversations only', async () => {
    await bindDevice(rig, bob, 'phone', TOKEN_A);
    const muted = (await send(alice, { to: 'bob' }, 'a', 'a1')).conversationId;
    await settings(bob, muted, { muted: true });
    await send(alice, { to: 'bob' }, 'b', 'a2');
    await send(alice, { to: 'bob' }, 'c', 'a3');
    await send(carol, { to: 'bob' }, 'from carol', 'c1');
    await drained(rig);
    const push = rig.fake.accepted.find((r) => r.body.payload.notification.body === 'from carol');
    assert.equal(push?.body.payload.notification.badge.setNum, 1, 'Alice\'s 3 muted messages are not on the badge');
  });

  test('GET /unread totals unmuted conversations; each conversation keeps its count and says whether it is muted', async () => {
    const muted = (await send(alice, { to: 'bob' }, 'a', 'a1')).conversationId;
    await send(alice, { to: 'bob' }, 'b', 'a2');
    await send(alice, { to: 'bob' }, 'c', 'a3');
    const loud = (await send(carol, { to: 'bob' }, 'd', 'c1')).conversationId;
    await settings(bob, muted, { muted: true });
    const unread = (await call(rig, bob, 'GET', '/unread')).json();
    assert.equal(unread.total, 1);
    assert.deepEqual(unread.conversations, [
      { conversationId: muted, unread: 3, muted: true },
      { conversationId: loud, unread: 1, muted: false },
    ].sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1)));
    const read = (await call(rig, bob, 'POST', `/conversations/${loud}/read`, { upToSeq: 1 })).json();
    assert.equal(read.unread, 0, 'the total answered by a read is the badge too');
    await settings(bob, muted, { muted: false });
    assert.equal((await call(rig, bob, 'GET', '/unread')).json().total, 3, 'unmuted, it counts again');
  });

  test('a settings change reaches all of the user\'s devices and no other user', async () => {
    const conversationId = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
    const phone = await LiveDevice.connect(rig, bob, 'phone');
    const tablet = await LiveDevice.connect(rig, bob, 'tablet');
    const other = await LiveDevice.connect(rig, alice, 'phone');
    await settings(bob, conversationId, { pinned: true, muted: true });
    const event = { type: 'conversationSettings', conversationId, pinned: true, muted: true, hidden: false };
    await until(() => phone.of('conversationSettings').length === 1 && tablet.of('conversationSettings').length === 1);
    assert.deepEqual(phone.of('conversationSettings'), [event]);
    assert.deepEqual(tablet.of('conversationSettings'), [event]);
    // Anything sent to Alice after the change arrives after it would have.
    await send(bob, { to: 'alice' }, 'after', 'b1');
    await until(() => other.of('message').length === 1);
    assert.deepEqual(other.of('conversationSettings'), [], 'Alice does not hear Bob\'s settings');
    await Promise.all([phone.close(), tablet.close(), other.close()]);
  });

  test('memberCount is the number of members: 2 in a direct conversation, all of a group', async () => {
    const direct = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
    const group = await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob', 'carol'] });
    assert.equal(group.statusCode, 201, group.body);
    await send(carol, { groupId: group.json().groupId }, 'hello team', 'c1');
    const counts = Object.fromEntries((await list(bob)).map((c) => [c.id, c.memberCount]));
    assert.deepEqual(counts, { [direct]: 2, [group.json().groupId]: 3 });
  });
});

test('the per-user request limit covers the settings route', async () => {
  rig = await startRig({ RATE_REQUESTS_PER_MIN: '4' });
  try {
    alice = await login(rig, 'alice');
    bob = await login(rig, 'bob');
    const conversationId = (await rig.server.service.sendMessage('alice', { to: 'bob', text: 'hi', clientMsgId: 'a1' })).message.conversationId;
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await settings(bob, conversationId, { pinned: i % 2 === 0 })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 429]);
    assert.equal((await settings(alice, conversationId, { muted: true })).statusCode, 200, 'another user has their own limit');
  } finally {
    await rig.stop();
  }
});
