// Requests over the WebSocket (docs/protocol.md, "Requests over the socket"): send, read marks and call
// actions, with the validation, limits and idempotency of their REST twins, answered ack or nack after the commit.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { LiveDevice, bindDevice, call, drained, login, startRig, until } from './helpers.js';
import type { Rig } from './helpers.js';

const LIMIT = { timeout: 20000 };

/** Sends a request frame and waits for the ack or nack that names it. */
async function request(device: LiveDevice, frame: Record<string, unknown>): Promise<any> {
  const key = frame.type === 'send' ? 'clientMsgId' : 'requestId';
  const before = device.events.length;
  device.socket.send(JSON.stringify(frame));
  let answer: any;
  await until(() => {
    answer = device.events.slice(before).find((e) => (e.type === 'ack' || e.type === 'nack') && e[key] === frame[key]);
    return answer !== undefined;
  });
  return answer;
}

describe('requests over the socket', () => {
  let rig: Rig;
  let alice: string;
  let bob: string;
  let phone: LiveDevice;
  let bobPhone: LiveDevice;

  async function start(env: NodeJS.ProcessEnv = {}): Promise<void> {
    rig = await startRig(env);
    alice = await login(rig, 'alice');
    bob = await login(rig, 'bob');
    phone = await LiveDevice.connect(rig, alice, 'phone');
    bobPhone = await LiveDevice.connect(rig, bob, 'phone');
  }
  beforeEach(async () => start());
  afterEach(async () => rig.stop());

  test('send: acked with the stored message after the commit; the receiver gets it; a repeat answers the same message', LIMIT, async () => {
    const tablet = await LiveDevice.connect(rig, alice, 'tablet');
    const ack = await request(phone, { type: 'send', to: 'bob', text: 'over the socket', clientMsgId: 's-1' });
    assert.equal(ack.type, 'ack');
    assert.equal(ack.created, true);
    assert.equal(ack.message.seq, 1);
    assert.equal(ack.message.text, 'over the socket');
    await until(() => bobPhone.of('message').length === 1 && tablet.of('message').length === 1);
    assert.equal(bobPhone.of('message')[0].message.id, ack.message.id);
    assert.equal(tablet.of('message')[0].message.id, ack.message.id, 'the sender\'s other device gets the event');
    assert.equal(phone.of('message').length, 0, 'the sending socket gets the ack instead');
    const page = (await call(rig, bob, 'GET', `/conversations/${ack.message.conversationId}/messages`)).json();
    assert.deepEqual(page.messages.map((m: { id: string }) => m.id), [ack.message.id], 'stored');
    const again = await request(phone, { type: 'send', to: 'bob', text: 'over the socket', clientMsgId: 's-1' });
    assert.deepEqual([again.type, again.created, again.message.id], ['ack', false, ack.message.id]);
    const viaRest = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'over the socket', clientMsgId: 's-1' });
    assert.equal(viaRest.statusCode, 200, 'REST and the socket share the idempotency key');
    assert.equal(bobPhone.of('message').length, 1, 'a repeat is not delivered again');
  });

  test('send: refused as REST refuses it, with the status, the reason and the field', LIMIT, async () => {
    const cases: [Record<string, unknown>, number, string | undefined][] = [
      [{ to: 'bob', text: 'x'.repeat(4001), clientMsgId: 'v1' }, 400, 'body/text'],
      [{ to: 'bob', text: '   ', clientMsgId: 'v2' }, 400, 'body/text'],
      [{ to: 'bob', text: 'hi', clientMsgId: 'v3', extra: 1 }, 400, 'body/extra'],
      [{ to: 'bob', groupId: 'g', text: 'hi', clientMsgId: 'v4' }, 400, 'body'],
      [{ to: 'nobody', text: 'hi', clientMsgId: 'v5' }, 404, undefined],
      [{ to: 'alice', text: 'hi', clientMsgId: 'v6' }, 400, undefined],
      [{ groupId: 'g_nope', text: 'hi', clientMsgId: 'v7' }, 404, undefined],
    ];
    for (const [body, status, field] of cases) {
      const nack = await request(phone, { type: 'send', ...body });
      assert.equal(nack.type, 'nack', JSON.stringify(body));
      assert.equal(nack.status, status, JSON.stringify(nack));
      assert.equal(typeof nack.error, 'string');
      assert.equal(nack.field, field, JSON.stringify(nack));
    }
    // An id that is not one cannot be echoed; the answer still comes, without it.
    phone.socket.send(JSON.stringify({ type: 'send', to: 'bob', text: 'hi', clientMsgId: 42 }));
    await until(() => phone.events.some((e) => e.type === 'nack' && e.clientMsgId === undefined));
    assert.equal(bobPhone.of('message').length, 0, 'nothing was delivered');
    assert.equal(phone.closed, undefined, 'a refused request does not close the socket');
  });

  test('send: the per-user message limit is shared with REST and answers 429 with retryAfter', LIMIT, async () => {
    await rig.stop();
    await start({ RATE_MESSAGES_PER_MIN: '3' });
    assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'a', clientMsgId: 'l1' })).statusCode, 201);
    assert.equal((await request(phone, { type: 'send', to: 'bob', text: 'b', clientMsgId: 'l2' })).type, 'ack');
    assert.equal((await request(phone, { type: 'send', to: 'bob', text: 'c', clientMsgId: 'l3' })).type, 'ack');
    const nack = await request(phone, { type: 'send', to: 'bob', text: 'd', clientMsgId: 'l4' });
    assert.equal(nack.status, 429);
    assert.ok(nack.retryAfter > 0);
    assert.equal((await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'e', clientMsgId: 'l5' })).statusCode, 429);
  });

  test('sends in one burst are stored in order with consecutive seqs, and each is pushed once to an offline receiver', LIMIT, async () => {
    await bobPhone.close();
    await bindDevice(rig, bob, 'tablet', 'bob-tablet-token-0001');
    const frames = Array.from({ length: 40 }, (_, i) => ({ type: 'send', to: 'bob', text: `m${i}`, clientMsgId: `b${i}` }));
    for (const f of frames) phone.socket.send(JSON.stringify(f));
    await until(() => phone.of('ack').length === 40);
    const acks = phone.of('ack');
    assert.deepEqual(acks.map((a) => a.message.seq), Array.from({ length: 40 }, (_, i) => i + 1), 'acked in order');
    assert.deepEqual(acks.map((a) => a.message.text), frames.map((f) => f.text));
    await drained(rig);
    assert.equal(rig.fake.accepted.length, 40);
  });

  test('read marks over the socket: acked with the read seq; the peer hears of it', LIMIT, async () => {
    const ack = await request(phone, { type: 'send', to: 'bob', text: 'read me', clientMsgId: 'r1' });
    const read = await request(bobPhone, { type: 'read', requestId: 'q1', conversationId: ack.message.conversationId, upToSeq: 1 });
    assert.deepEqual(read, { type: 'ack', requestId: 'q1', result: { readSeq: 1, unread: 0 } });
    await until(() => phone.of('read').some((e) => e.userId === 'bob' && e.readSeq === 1));
    const bad = await request(bobPhone, { type: 'read', requestId: 'q2', conversationId: ack.message.conversationId, upToSeq: '1' });
    assert.deepEqual([bad.type, bad.status, bad.field], ['nack', 400, 'body/upToSeq'], 'a string is not a number');
    const stranger = await request(bobPhone, { type: 'read', requestId: 'q3', conversationId: 'd_nope', upToSeq: 1 });
    assert.equal(stranger.status, 404);
  });

  test('call actions over the socket: only the callee answers; the state machine is the REST one', LIMIT, async () => {
    const invited = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'audio' })).json();
    const wrong = await request(phone, { type: 'call', requestId: 'c1', callId: invited.callId, action: 'accept' });
    assert.deepEqual([wrong.type, wrong.status], ['nack', 403]);
    const accepted = await request(bobPhone, { type: 'call', requestId: 'c2', callId: invited.callId, action: 'accept' });
    assert.deepEqual([accepted.type, accepted.result.state], ['ack', 'accepted']);
    const again = await request(bobPhone, { type: 'call', requestId: 'c3', callId: invited.callId, action: 'reject' });
    assert.equal(again.status, 409);
    const hungUp = await request(phone, { type: 'call', requestId: 'c4', callId: invited.callId, action: 'hangup' });
    assert.equal(hungUp.result.state, 'ended');
    const unknown = await request(phone, { type: 'call', requestId: 'c5', callId: invited.callId, action: 'transfer' });
    assert.deepEqual([unknown.status, unknown.field], [400, 'body/action']);
  });

  test('requests count against the request limit before validation; a socket that goes on after 429s is closed', LIMIT, async () => {
    await rig.stop();
    await start({ RATE_REQUESTS_PER_MIN: '5' });
    for (let i = 0; i < 5; i++) phone.socket.send(JSON.stringify({ type: 'read', requestId: `v${i}`, conversationId: 'd_x', upToSeq: 'not a number' }));
    await until(() => phone.of('nack').length === 5);
    assert.ok(phone.of('nack').every((n) => n.status === 400));
    const limited = await request(phone, { type: 'read', requestId: 'w1', conversationId: 'd_x', upToSeq: 'still not' });
    assert.equal(limited.status, 429, 'an invalid frame is counted too');
    for (let i = 0; i < 101; i++) phone.socket.send(JSON.stringify({ type: 'read', requestId: `f${i}`, conversationId: 'd_x', upToSeq: 0 }));
    await until(() => phone.closed !== undefined);
    assert.equal((phone.closed as { code: number } | undefined)?.code, 4029);
  });

  test('pings are still limited per socket; requests are not counted as pings', LIMIT, async () => {
    for (let i = 0; i < 30; i++) phone.socket.send(JSON.stringify({ type: 'read', requestId: `p${i}`, conversationId: 'd_x', upToSeq: 0 }));
    await until(() => phone.of('nack').length === 30);
    assert.equal(phone.closed, undefined);
    for (let i = 0; i < 21; i++) phone.socket.send(JSON.stringify({ type: 'ping' }));
    await until(() => phone.closed !== undefined);
    assert.equal((phone.closed as { code: number } | undefined)?.code, 4029);
  });
});
