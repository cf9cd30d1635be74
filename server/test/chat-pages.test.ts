// What the app's chat pages need: the sender's name on every message, the peer's read mark in the list,
// one conversation by id, opening a direct conversation before any message, and "delete for me".
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, LiveDevice, until, sendMessage, listConversations } from './helpers.js';
import type { Rig } from './helpers.js';
import { directConversationId } from '../src/service.js';

let rig: Rig;
let alice: string;
let bob: string;
let carol: string;

interface Msg { id: string; conversationId: string; seq: number; senderId: string; senderName: string; text: string }
interface Item { id: string; kind: string; name: string; peerId?: string; lastMessage: Msg | null; unread: number; peerReadSeq: number }

const send = (from: string, to: { to: string } | { groupId: string }, text: string, clientMsgId: string) =>
  sendMessage<Msg>(rig, from, to, text, clientMsgId);
const list = (token: string) => listConversations<Item>(rig, token);

async function one(token: string, conversationId: string): Promise<Item> {
  const r = await call(rig, token, 'GET', `/conversations/${conversationId}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Item;
}

async function page(token: string, conversationId: string, query: string): Promise<{ messages: Msg[]; nextBefore?: number | null; nextAfter?: number | null }> {
  const r = await call(rig, token, 'GET', `/conversations/${conversationId}/messages?${query}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

const seqs = (p: { messages: Msg[] }) => p.messages.map((m) => m.seq);

async function openDirect(token: string, body: unknown) {
  return call(rig, token, 'POST', '/conversations/direct', body);
}

async function deleteForMe(token: string, conversationId: string, seq: number | string) {
  return call(rig, token, 'DELETE', `/conversations/${conversationId}/messages/${seq}`);
}

/** Sends raw JSON text, so a value reaches the server exactly as written. */
async function rawPost(token: string, url: string, json: string) {
  return rig.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: json });
}

/** Six messages from Alice to Bob (seq 1..6); the conversation id. */
async function sixMessages(): Promise<string> {
  let conversationId = '';
  for (let i = 1; i <= 6; i++) conversationId = (await send(alice, { to: 'bob' }, `m${i}`, `six${i}`)).conversationId;
  return conversationId;
}

describe('chat pages', () => {
  beforeEach(async () => {
    rig = await startRig();
    alice = await login(rig, 'alice', 'Alice');
    bob = await login(rig, 'bob', 'Bob');
    carol = await login(rig, 'carol', 'Carol');
  });
  afterEach(async () => { await rig.stop(); });

  describe('senderName', () => {
    test('every message the server emits carries the sender\'s display name', async () => {
      const live = await LiveDevice.connect(rig, bob, 'phone');
      const sent = await send(alice, { to: 'bob' }, 'hi', 'a1');
      assert.equal(sent.senderName, 'Alice', 'the POST /messages answer');
      const retry = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hi', clientMsgId: 'a1' });
      assert.equal(retry.statusCode, 200);
      assert.deepEqual(retry.json(), sent, 'a retry answers the stored message, name included');
      await until(() => live.of('message').length === 1);
      assert.deepEqual(live.of('message')[0].message, sent, 'the WebSocket event');
      assert.deepEqual((await page(bob, sent.conversationId, 'limit=10')).messages, [sent], 'a history page');
      assert.deepEqual((await page(bob, sent.conversationId, 'after=0')).messages, [sent], 'a catch-up page');
      assert.deepEqual((await list(bob))[0].lastMessage, sent, 'lastMessage of the list');
      assert.deepEqual((await one(bob, sent.conversationId)).lastMessage, sent, 'lastMessage of one conversation');
      await live.close();
    });

    test('it is the sender\'s name now, not when the message was sent', async () => {
      const sent = await send(alice, { to: 'bob' }, 'hi', 'a1');
      rig.server.service.ensureExternalUser('alice', 'Alicia'); // the way a display name changes today
      assert.equal((await page(bob, sent.conversationId, 'limit=10')).messages[0].senderName, 'Alicia');
      assert.equal((await page(bob, sent.conversationId, 'after=0')).messages[0].senderName, 'Alicia');
      assert.equal((await list(bob))[0].lastMessage?.senderName, 'Alicia');
    });

    test('each message of a group page names its own sender', async () => {
      const groupId = (await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob', 'carol'] })).json().groupId as string;
      await send(alice, { groupId }, 'one', 'a1');
      await send(carol, { groupId }, 'two', 'c1');
      await send(bob, { groupId }, 'three', 'b1');
      assert.deepEqual((await page(carol, groupId, 'after=0')).messages.map((m) => [m.senderId, m.senderName]),
        [['alice', 'Alice'], ['carol', 'Carol'], ['bob', 'Bob']]);
    });
  });

  describe('peerReadSeq', () => {
    test('a direct conversation shows how far the other member read; a group always 0', async () => {
      const conversationId = (await send(alice, { to: 'bob' }, 'one', 'a1')).conversationId;
      await send(alice, { to: 'bob' }, 'two', 'a2');
      await send(alice, { to: 'bob' }, 'three', 'a3');
      assert.equal((await list(alice))[0].peerReadSeq, 0, 'Bob read nothing yet');
      assert.equal((await call(rig, bob, 'POST', `/conversations/${conversationId}/read`, { upToSeq: 2 })).statusCode, 200);
      assert.equal((await list(alice))[0].peerReadSeq, 2);
      assert.equal((await one(alice, conversationId)).peerReadSeq, 2);
      assert.equal((await list(bob))[0].peerReadSeq, 3, 'Bob sees Alice\'s mark: a sender has read what she sent');

      const groupId = (await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob'] })).json().groupId as string;
      await send(alice, { groupId }, 'hello', 'g1');
      await call(rig, bob, 'POST', `/conversations/${groupId}/read`, { upToSeq: 1 });
      assert.equal((await list(alice)).find((c) => c.id === groupId)?.peerReadSeq, 0);
      assert.equal((await one(alice, groupId)).peerReadSeq, 0);
    });
  });

  describe('GET /conversations/:id', () => {
    test('answers exactly the list\'s item, for a direct conversation and a group', async () => {
      const direct = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
      const groupId = (await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob', 'carol'] })).json().groupId as string;
      await send(carol, { groupId }, 'hello team', 'c1');
      await call(rig, bob, 'PUT', `/conversations/${groupId}/settings`, { pinned: true, muted: true });
      for (const token of [alice, bob]) {
        for (const item of await list(token)) assert.deepEqual(await one(token, item.id), item);
      }
      const listed = (await list(bob)).find((c) => c.id === direct);
      assert.deepEqual(Object.keys(listed ?? {}).sort(),
        ['id', 'kind', 'lastMessage', 'memberCount', 'muted', 'name', 'peerId', 'peerReadSeq', 'pinned', 'unread']);
      assert.ok(!('peerId' in await one(bob, groupId)), 'a group has no peerId');
    });

    test('404 alike for a conversation of others and one that does not exist; a bad id is 400', async () => {
      const direct = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
      const groupId = (await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob'] })).json().groupId as string;
      const answers = [];
      for (const id of [direct, groupId, 'g_nosuchgroup', directConversationId('carol', 'dave')]) {
        const r = await call(rig, carol, 'GET', `/conversations/${id}`);
        assert.equal(r.statusCode, 404, `${id}: ${r.body}`);
        answers.push(r.json());
      }
      assert.deepEqual(answers, Array(4).fill({ error: 'no such conversation' }), 'the answers do not say which exist');
      const bad = await call(rig, carol, 'GET', '/conversations/no.such');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().field, 'params/id');
    });

    test('answers for a conversation this user hid', async () => {
      const conversationId = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
      await call(rig, bob, 'PUT', `/conversations/${conversationId}/settings`, { hidden: true });
      assert.deepEqual(await list(bob), []);
      const item = await one(bob, conversationId);
      assert.equal(item.id, conversationId);
      assert.equal(item.lastMessage?.text, 'hi');
      assert.equal(item.unread, 0, 'hiding read it');
    });
  });

  describe('POST /conversations/direct', () => {
    test('creates the empty conversation (201), then answers it (200) from either side', async () => {
      const created = await openDirect(alice, { userId: 'bob' });
      assert.equal(created.statusCode, 201, created.body);
      const id = directConversationId('alice', 'bob');
      assert.deepEqual(created.json(), { id, kind: 'direct', name: 'Bob', peerId: 'bob', lastMessage: null, unread: 0, pinned: false,
        muted: false, memberCount: 2, peerReadSeq: 0 });
      const again = await openDirect(alice, { userId: 'bob' });
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), created.json());
      const fromBob = await openDirect(bob, { userId: 'alice' });
      assert.equal(fromBob.statusCode, 200, 'the same conversation from the other side');
      assert.deepEqual(fromBob.json(), { ...created.json(), name: 'Alice', peerId: 'alice' });
      assert.deepEqual(await page(alice, id, 'after=0'), { messages: [], nextAfter: null }, 'no message was made');
      assert.equal((await send(bob, { to: 'alice' }, 'hi', 'b1')).conversationId, id, 'messages go to the same conversation');
    });

    test('an empty conversation is listed for its opener, dated by its creation; the other member lists it from the first message', async () => {
      let shift = 0;
      await rig.stop();
      rig = await startRig({}, () => Date.now() + shift);
      alice = await login(rig, 'alice', 'Alice');
      bob = await login(rig, 'bob', 'Bob');
      carol = await login(rig, 'carol', 'Carol');
      const withBob = (await send(alice, { to: 'bob' }, 'hi', 'a1')).conversationId;
      shift += 60_000;
      const withCarol = (await openDirect(alice, { userId: 'carol' })).json() as Item;
      assert.deepEqual((await list(alice)).map((c) => [c.id, c.lastMessage?.text ?? null]), [[withCarol.id, null], [withBob, 'hi']],
        'created after the last message: on top');
      assert.deepEqual(await list(carol), [], 'opening a conversation does not put it in the other member\'s list');
      assert.deepEqual((await list(alice)).map((c) => c.id), [withCarol.id, withBob], 'Alice\'s list did not change');
      shift += 60_000;
      await send(bob, { to: 'alice' }, 'newer', 'b1');
      assert.deepEqual((await list(alice)).map((c) => c.id), [withBob, withCarol.id], 'a newer message goes above it');
      await send(alice, { to: 'carol' }, 'hello Carol', 'a2');
      assert.deepEqual((await list(carol)).map((c) => [c.id, c.name, c.lastMessage?.text, c.unread]), [[withCarol.id, 'Alice', 'hello Carol', 1]],
        'the first message lists it for Carol');
    });

    test('the other member of a conversation opened empty is told nothing, may read it by id, and lists it once they open it', async () => {
      const peer = await LiveDevice.connect(rig, carol, 'phone');
      const created = await openDirect(alice, { userId: 'carol' });
      assert.equal(created.statusCode, 201, created.body);
      const id = (created.json() as Item).id;
      // Anything Bob sends Carol now arrives after an event about Alice's conversation would have.
      const fromBob = await send(bob, { to: 'carol' }, 'hi Carol', 'b1');
      await until(() => peer.of('message').length === 1);
      assert.deepEqual(peer.events.map((e) => e.type).filter((t) => t !== 'hello'), ['message'], 'Carol\'s devices hear nothing of it');
      assert.deepEqual((await list(carol)).map((c) => c.id), [fromBob.conversationId], 'only the conversation with a message');
      assert.equal((await one(carol, id)).name, 'Alice', 'a member may still read it by id');
      const settings = await call(rig, carol, 'PUT', `/conversations/${id}/settings`, { muted: true });
      assert.deepEqual(settings.json(), { conversationId: id, pinned: false, muted: true, hidden: true }, 'hidden for her until a message');
      assert.equal((await call(rig, carol, 'GET', '/unread')).json().total, 1);
      const fromCarol = await openDirect(carol, { userId: 'alice' });
      assert.equal(fromCarol.statusCode, 200);
      assert.deepEqual((await list(carol)).map((c) => c.id).sort(), [id, fromBob.conversationId].sort(), 'opening it herself lists it');
      assert.deepEqual((await list(alice)).map((c) => c.id), [id]);
      await peer.close();
    });

    test('opening a conversation that already exists changes nothing for the other member', async () => {
      const sent = await send(alice, { to: 'bob' }, 'hi', 'a1');
      assert.equal((await openDirect(alice, { userId: 'bob' })).statusCode, 200);
      assert.deepEqual((await list(bob)).map((c) => [c.id, c.unread]), [[sent.conversationId, 1]], 'still listed for Bob');
      const empty = (await openDirect(alice, { userId: 'carol' })).json() as Item;
      assert.equal((await openDirect(alice, { userId: 'carol' })).statusCode, 200);
      assert.deepEqual(await list(carol), [], 'a second open does not list it for Carol either');
      assert.equal((await one(carol, empty.id)).id, empty.id);
    });

    test('the first message to a new pair lists the conversation for both, as before', async () => {
      const sent = await send(alice, { to: 'carol' }, 'hi', 'a1');
      assert.deepEqual((await list(alice)).map((c) => c.id), [sent.conversationId]);
      assert.deepEqual((await list(carol)).map((c) => [c.id, c.unread]), [[sent.conversationId, 1]]);
    });

    test('an existing conversation with messages answers 200 with its last message', async () => {
      const sent = await send(alice, { to: 'bob' }, 'hi', 'a1');
      const r = await openDirect(bob, { userId: 'alice' });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json().lastMessage, sent);
      assert.equal(r.json().unread, 1, 'opening reads nothing');
    });

    test('opening a conversation this user hid lists it again, tells the user\'s devices, and leaves the other member alone', async () => {
      const conversationId = (await openDirect(alice, { userId: 'bob' })).json().id as string;
      await call(rig, bob, 'PUT', `/conversations/${conversationId}/settings`, { hidden: true, muted: true });
      await call(rig, alice, 'PUT', `/conversations/${conversationId}/settings`, { hidden: true, pinned: true });
      assert.deepEqual(await list(alice), []);
      const tablet = await LiveDevice.connect(rig, alice, 'tablet');
      const peer = await LiveDevice.connect(rig, bob, 'phone');
      const r = await openDirect(alice, { userId: 'bob' });
      assert.equal(r.statusCode, 200);
      assert.deepEqual((await list(alice)).map((c) => c.id), [conversationId]);
      await until(() => tablet.of('conversationSettings').length === 1);
      assert.deepEqual(tablet.of('conversationSettings'), [{ type: 'conversationSettings', conversationId, pinned: true, muted: false, hidden: false }],
        'Alice\'s other devices list it again; her pin stays');
      assert.equal((await call(rig, alice, 'PUT', `/conversations/${conversationId}/settings`, { pinned: true })).json().hidden, false);
      assert.equal((await openDirect(alice, { userId: 'bob' })).statusCode, 200);
      assert.deepEqual(await list(bob), [], 'Bob\'s hide stands');
      // Anything sent to Bob now arrives after a settings event would have.
      await send(alice, { to: 'bob' }, 'hi', 'a1');
      await until(() => peer.of('message').length === 1 && tablet.of('message').length === 1);
      assert.deepEqual(peer.of('conversationSettings'), [], 'Bob hears nothing of Alice\'s settings');
      assert.equal(tablet.of('conversationSettings').length, 2, 'the PUT was heard; opening a listed conversation again was not');
      await Promise.all([tablet.close(), peer.close()]);
    });

    test('yourself is 400 on body/userId; an unknown user 404; the body is strict', async () => {
      const self = await openDirect(alice, { userId: 'alice' });
      assert.equal(self.statusCode, 400);
      assert.equal(self.json().field, 'body/userId');
      const unknown = await openDirect(alice, { userId: 'nobody' });
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(unknown.json(), { error: 'no such user' });
      const cases: [string, string][] = [
        ['{"userId":"bob","kind":"direct"}', 'body/kind'],
        ['{"userId":42}', 'body/userId'],
        ['{"userId":["bob"]}', 'body/userId'],
        ['{"userId":"bo b"}', 'body/userId'],
        ['{"userId":""}', 'body/userId'],
        [`{"userId":"${'x'.repeat(65)}"}`, 'body/userId'],
        ['{}', 'body'],
        ['"bob"', 'body'],
      ];
      for (const [json, field] of cases) {
        const r = await rawPost(alice, '/conversations/direct', json);
        assert.equal(r.statusCode, 400, `${json}: ${r.body}`);
        assert.equal(r.json().field, field, `${json}: ${r.body}`);
      }
      assert.deepEqual(await list(alice), [], 'nothing was created');
      assert.equal(rig.server.db.prepare('SELECT COUNT(*) AS n FROM conversations').pluck().get(), 0);
    });
  });

  describe('DELETE /conversations/:id/messages/:seq (delete for me)', () => {
    test('the message leaves this user\'s pages and no one else\'s', async () => {
      const conversationId = await sixMessages();
      const r = await deleteForMe(bob, conversationId, 4);
      assert.equal(r.statusCode, 204, r.body);
      assert.equal(r.body, '');
      assert.deepEqual(seqs(await page(bob, conversationId, 'limit=30')), [6, 5, 3, 2, 1]);
      assert.deepEqual(seqs(await page(bob, conversationId, 'after=0')), [1, 2, 3, 5, 6]);
      assert.deepEqual(seqs(await page(alice, conversationId, 'limit=30')), [6, 5, 4, 3, 2, 1], 'Alice still has it');
      assert.deepEqual(seqs(await page(alice, conversationId, 'after=3')), [4, 5, 6]);
    });

    test('history cursors step over deleted seqs, also past a page that would hold only deleted ones', async () => {
      const conversationId = await sixMessages();
      for (const seq of [3, 4]) assert.equal((await deleteForMe(bob, conversationId, seq)).statusCode, 204);
      const p1 = await page(bob, conversationId, 'limit=2');
      assert.deepEqual([seqs(p1), p1.nextBefore], [[6, 5], 5]);
      const p2 = await page(bob, conversationId, `limit=2&before=${p1.nextBefore}`);
      assert.deepEqual([seqs(p2), p2.nextBefore], [[2, 1], null], 'seqs 4 and 3 (deleted) are skipped, not an empty page');
      const p3 = await page(bob, conversationId, 'limit=4');
      assert.deepEqual([seqs(p3), p3.nextBefore], [[6, 5, 2, 1], null], 'a full page that reaches the start is the end');
      assert.equal((await deleteForMe(bob, conversationId, 1)).statusCode, 204);
      const p4 = await page(bob, conversationId, 'limit=3');
      assert.deepEqual([seqs(p4), p4.nextBefore], [[6, 5, 2], null], 'nothing older that Bob may see: no cursor to an empty page');
    });

    test('catch-up cursors step over deleted seqs; deleted ones at the end are the end', async () => {
      const conversationId = await sixMessages();
      for (const seq of [3, 4]) await deleteForMe(bob, conversationId, seq);
      const p1 = await page(bob, conversationId, 'after=0&limit=2');
      assert.deepEqual([seqs(p1), p1.nextAfter], [[1, 2], 2]);
      const p2 = await page(bob, conversationId, `after=${p1.nextAfter}&limit=2`);
      assert.deepEqual([seqs(p2), p2.nextAfter], [[5, 6], null], 'seqs 3 and 4 (deleted) are skipped');
      for (const seq of [5, 6]) await deleteForMe(bob, conversationId, seq);
      const p3 = await page(bob, conversationId, 'after=2&limit=2');
      assert.deepEqual([seqs(p3), p3.nextAfter], [[], null], 'every later message deleted: caught up');
      const p4 = await page(bob, conversationId, 'after=0&limit=2');
      assert.deepEqual([seqs(p4), p4.nextAfter], [[1, 2], null], 'no cursor to a page of deleted messages');
    });

    test('lastMessage becomes the newest message this user kept, or null; the other member\'s does not change', async () => {
      const conversationId = await sixMessages();
      await deleteForMe(bob, conversationId, 6);
      assert.equal((await list(bob))[0].lastMessage?.seq, 5);
      assert.equal((await one(bob, conversationId)).lastMessage?.seq, 5);
      assert.equal((await list(alice))[0].lastMessage?.seq, 6);
      await deleteForMe(bob, conversationId, 4);
      await deleteForMe(bob, conversationId, 5);
      assert.equal((await list(bob))[0].lastMessage?.seq, 3, 'the newest kept one, over a gap');
      for (const seq of [1, 2, 3]) await deleteForMe(bob, conversationId, seq);
      const item = (await list(bob)).find((c) => c.id === conversationId);
      assert.equal(item?.lastMessage, null, 'all deleted: still listed, with no last message');
      await send(alice, { to: 'bob' }, 'new', 'a7');
      assert.equal((await list(bob))[0].lastMessage?.text, 'new', 'a later message shows');
    });

    test('unread counts and read marks do not move', async () => {
      const conversationId = await sixMessages();
      await call(rig, bob, 'POST', `/conversations/${conversationId}/read`, { upToSeq: 2 });
      await deleteForMe(bob, conversationId, 5);
      await deleteForMe(alice, conversationId, 6);
      assert.equal((await list(bob))[0].unread, 4);
      assert.equal((await call(rig, bob, 'GET', '/unread')).json().total, 4);
      assert.equal((await list(alice))[0].peerReadSeq, 2);
      assert.equal((await list(bob))[0].peerReadSeq, 6);
    });

    test('idempotent: a second DELETE is 204 too', async () => {
      const conversationId = await sixMessages();
      assert.equal((await deleteForMe(bob, conversationId, 2)).statusCode, 204);
      assert.equal((await deleteForMe(bob, conversationId, 2)).statusCode, 204);
      assert.deepEqual(seqs(await page(bob, conversationId, 'after=0')), [1, 3, 4, 5, 6]);
    });

    test('the user\'s devices hear of it, the asking one included; the other member does not', async () => {
      const conversationId = await sixMessages();
      const phone = await LiveDevice.connect(rig, bob, 'phone');
      const tablet = await LiveDevice.connect(rig, bob, 'tablet');
      const other = await LiveDevice.connect(rig, alice, 'phone');
      await deleteForMe(bob, conversationId, 3);
      const event = { type: 'messageDeleted', conversationId, seq: 3 };
      await until(() => phone.of('messageDeleted').length === 1 && tablet.of('messageDeleted').length === 1);
      assert.deepEqual(phone.of('messageDeleted'), [event]);
      assert.deepEqual(tablet.of('messageDeleted'), [event]);
      // Anything sent to Alice after the delete arrives after its event would have.
      await send(bob, { to: 'alice' }, 'after', 'b1');
      await until(() => other.of('message').length === 1 && phone.of('message').length === 1);
      assert.deepEqual(other.of('messageDeleted'), [], 'Alice does not hear Bob\'s delete');
      await deleteForMe(bob, conversationId, 3);
      await send(alice, { to: 'bob' }, 'later', 'a9');
      await until(() => phone.of('message').length === 2);
      assert.equal(phone.of('messageDeleted').length, 1, 'deleting again announces nothing new');
      await Promise.all([phone.close(), tablet.close(), other.close()]);
    });

    test('404 for a stranger, an unknown conversation or an unknown seq; a bad seq is 400', async () => {
      const conversationId = await sixMessages();
      const groupId = (await call(rig, alice, 'POST', '/groups', { name: 'Team', members: ['bob'] })).json().groupId as string;
      await send(bob, { groupId }, 'hi', 'g1');
      for (const id of [conversationId, groupId, 'g_nosuchgroup']) {
        const r = await deleteForMe(carol, id, 1);
        assert.equal(r.statusCode, 404, `${id}: ${r.body}`);
        assert.deepEqual(r.json(), { error: 'no such conversation' });
      }
      const missing = await deleteForMe(bob, conversationId, 7);
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(missing.json(), { error: 'no such message' });
      for (const seq of ['0', 'abc', '1e2', '0x10', '-1', '1.5', '9007199254740992']) {
        const r = await deleteForMe(bob, conversationId, seq);
        assert.equal(r.statusCode, 400, `${seq}: ${r.body}`);
        assert.equal(r.json().field, 'params/seq', seq);
      }
      assert.deepEqual(seqs(await page(alice, conversationId, 'after=0')), [1, 2, 3, 4, 5, 6], 'a stranger deleted nothing');
      assert.deepEqual(seqs(await page(bob, conversationId, 'after=0')), [1, 2, 3, 4, 5, 6]);
      assert.equal(rig.server.db.prepare('SELECT COUNT(*) FROM deleted_messages').pluck().get(), 0);
    });
  });
});

test('opening direct conversations and deleting messages count against the messages limit', async () => {
  rig = await startRig({ RATE_MESSAGES_PER_MIN: '3' });
  try {
    alice = await login(rig, 'alice');
    bob = await login(rig, 'bob');
    carol = await login(rig, 'carol');
    const conversationId = (await rig.server.service.sendMessage('alice', { to: 'bob', text: 'hi', clientMsgId: 'a1' })).message.conversationId;
    const codes = [
      (await openDirect(alice, { userId: 'bob' })).statusCode,
      (await deleteForMe(alice, conversationId, 1)).statusCode,
      (await openDirect(alice, { userId: 'carol' })).statusCode,
      (await deleteForMe(alice, conversationId, 1)).statusCode,
      (await openDirect(alice, { userId: 'carol' })).statusCode,
    ];
    assert.deepEqual(codes, [200, 204, 201, 429, 429]);
    assert.equal((await deleteForMe(bob, conversationId, 1)).statusCode, 204, 'another user has their own limit');
  } finally {
    await rig.stop();
  }
});
