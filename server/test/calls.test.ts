// Calls beyond the invitation: hang-up of an active call (ended, duration), busy, each user's call history
// with paging, and missed-call seen marks. Time is the rig's injected clock, frozen unless a test moves it:
// durations and timeouts follow the clock, never the wall clock (the background sweeper sees the same clock,
// so it times nothing out behind a test's back).
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, bindDevice, drained, LiveDevice, until, VOIP_CLIENT_ID } from './helpers.js';
import type { Rig } from './helpers.js';

const BOB_TOKEN = 'IQAAAACy0bobphonebobphonebobphonebobphone';

let rig: Rig;
let clock: number;
let alice: string;
let bob: string;
let carol: string;

interface Call {
  callId: string; callerId: string; calleeId: string; media: string; state: string; createdAt: number; expiresAt: number;
  answeredAt: number | null; endedAt: number | null; durationSec: number; endedBy: string | null;
}
interface Item extends Call { direction: 'outgoing' | 'incoming'; seen: boolean }
interface Page { calls: Item[]; nextBefore: number | null }

const CALL_KEYS = ['answeredAt', 'callId', 'calleeId', 'callerId', 'createdAt', 'durationSec', 'endedAt', 'endedBy', 'expiresAt', 'media', 'state'];

/** A fresh server on a frozen clock, with Alice, Bob and Carol. */
async function threeUsers(extra: NodeJS.ProcessEnv = {}): Promise<void> {
  clock = Date.now(); // a plausible start (sessions are checked against it); from here on only the tests move it
  rig = await startRig({ CALL_TIMEOUT_MS: '60000', ...extra }, () => clock);
  alice = await login(rig, 'alice', 'Alice');
  bob = await login(rig, 'bob', 'Bob');
  carol = await login(rig, 'carol', 'Carol');
}

async function invite(from: string, to: string, media = 'audio'): Promise<Call> {
  const r = await call(rig, from, 'POST', '/calls', { to, media });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as Call;
}

async function act(token: string, callId: string, action: 'accept' | 'reject' | 'cancel' | 'hangup') {
  return call(rig, token, 'POST', `/calls/${callId}/${action}`);
}

async function ok(token: string, callId: string, action: 'accept' | 'reject' | 'cancel' | 'hangup'): Promise<Call> {
  const r = await act(token, callId, action);
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Call;
}

async function history(token: string, query = ''): Promise<Page> {
  const r = await call(rig, token, 'GET', `/calls${query ? `?${query}` : ''}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Page;
}

async function unseen(token: string): Promise<number> {
  const r = await call(rig, token, 'GET', '/calls/unseen');
  assert.equal(r.statusCode, 200, r.body);
  return r.json().unseenMissed as number;
}

async function markSeen(token: string, upTo: unknown) {
  return call(rig, token, 'POST', '/calls/seen', { upTo });
}

/** Lets the ringing call time out: the clock passes its expiry and the sweep runs. */
function expire(c: Call): void {
  clock = Math.max(clock, c.expiresAt);
  rig.server.service.sweepCalls();
}

/** Outbox rows (pushes queued) for one call, of any kind. */
function pushesFor(callId: string): { kind: string }[] {
  return rig.server.db.prepare('SELECT kind FROM push_outbox WHERE ref_id = ?').all(callId) as { kind: string }[];
}

const states = (p: Page) => p.calls.map((c) => `${c.direction}:${c.state}`);

describe('hang-up', () => {
  beforeEach(() => threeUsers());
  afterEach(async () => { await rig.stop(); });

  test('either side hangs up an accepted call: ended, with answer and end times, duration and who hung up, on every device', async () => {
    const alicePhone = await LiveDevice.connect(rig, alice, 'phone');
    const bobPhone = await LiveDevice.connect(rig, bob, 'phone');
    const ringing = await invite(alice, 'bob', 'video');
    assert.deepEqual(Object.keys(ringing).sort(), CALL_KEYS, 'the call object has exactly these fields');
    assert.deepEqual([ringing.answeredAt, ringing.endedAt, ringing.durationSec, ringing.endedBy], [null, null, 0, null]);
    clock += 4_000;
    const accepted = await ok(bob, ringing.callId, 'accept');
    assert.deepEqual([accepted.state, accepted.answeredAt, accepted.endedAt, accepted.durationSec, accepted.endedBy],
      ['accepted', clock, null, 0, null]);
    const answeredAt = clock;
    clock += 65_999;
    const ended = await ok(alice, ringing.callId, 'hangup');
    assert.deepEqual({ ...ended }, { ...ringing, state: 'ended', answeredAt, endedAt: clock, durationSec: 65, endedBy: 'alice' });
    for (const device of [alicePhone, bobPhone]) {
      await until(() => device.of('call').some((e) => e.call.state === 'ended'));
      assert.deepEqual(device.of('call').map((e) => e.call.state), ['ringing', 'accepted', 'ended']);
      assert.deepEqual(device.of('call')[2].call, ended, 'the event carries the call as the answer does');
    }
    assert.deepEqual((await call(rig, bob, 'GET', `/calls/${ringing.callId}`)).json(), ended);

    const second = await invite(bob, 'alice');
    await ok(alice, second.callId, 'accept');
    clock += 999;
    const byCallee = await ok(alice, second.callId, 'hangup');
    assert.deepEqual([byCallee.state, byCallee.endedBy, byCallee.durationSec], ['ended', 'alice', 0], 'the callee may hang up; under a second is 0');
    await alicePhone.close();
    await bobPhone.close();
  });

  test('only an accepted call can be hung up: 409 "call is not active", and nothing changes', async () => {
    const ringing = await invite(alice, 'bob');
    const r = await act(alice, ringing.callId, 'hangup');
    assert.equal(r.statusCode, 409);
    assert.deepEqual(r.json(), { error: 'call is not active' });
    assert.equal((await act(bob, ringing.callId, 'hangup')).statusCode, 409, 'not by the callee either');
    assert.equal((await call(rig, alice, 'GET', `/calls/${ringing.callId}`)).json().state, 'ringing');
    await ok(bob, ringing.callId, 'reject');
    assert.equal((await act(alice, ringing.callId, 'hangup')).statusCode, 409, 'rejected');
    const answered = await invite(alice, 'bob');
    await ok(bob, answered.callId, 'accept');
    const ended = await ok(bob, answered.callId, 'hangup');
    const again = await act(alice, answered.callId, 'hangup');
    assert.equal(again.statusCode, 409, 'ended already');
    assert.deepEqual((await call(rig, alice, 'GET', `/calls/${answered.callId}`)).json(), ended, 'the second hang-up changed nothing');
  });

  test('a stranger\'s hang-up is 404, as for a call that does not exist', async () => {
    const c = await invite(alice, 'bob');
    await ok(bob, c.callId, 'accept');
    const r = await act(carol, c.callId, 'hangup');
    assert.equal(r.statusCode, 404);
    assert.deepEqual(r.json(), { error: 'no such call' });
    assert.deepEqual((await act(carol, 'c_nosuchcall', 'hangup')).json(), { error: 'no such call' });
    assert.equal((await call(rig, alice, 'GET', `/calls/${c.callId}`)).json().state, 'accepted');
  });

  test('a call that ends after it was active pushes nothing; a rejected one neither', async () => {
    await bindDevice(rig, bob, 'phone', BOB_TOKEN, VOIP_CLIENT_ID);
    const c = await invite(alice, 'bob');
    await drained(rig);
    assert.deepEqual(pushesFor(c.callId).map((p) => p.kind), ['call'], 'the invitation to offline Bob');
    await ok(bob, c.callId, 'accept');
    await ok(alice, c.callId, 'hangup');
    const rejected = await invite(alice, 'bob');
    await ok(bob, rejected.callId, 'reject');
    await drained(rig);
    assert.deepEqual(pushesFor(c.callId).map((p) => p.kind), ['call'], 'no push for accepting or ending');
    assert.deepEqual(pushesFor(rejected.callId).map((p) => p.kind), ['call'], 'no push for a rejection');
    assert.equal(rig.fake.accepted.length, 2, 'the two invitations only');
  });

  test('hang-up counts against the call actions limit', async () => {
    await rig.stop();
    await threeUsers({ RATE_CALLS_PER_MIN: '3' });
    const c = await invite(alice, 'bob'); // Alice: 1
    await ok(bob, c.callId, 'accept');
    await ok(alice, c.callId, 'hangup'); // 2
    assert.equal((await act(alice, c.callId, 'hangup')).statusCode, 409); // 3
    const limited = await act(alice, c.callId, 'hangup');
    assert.equal(limited.statusCode, 429);
    assert.match(limited.json().error, /call actions/);
  });
});

describe('busy', () => {
  beforeEach(() => threeUsers());
  afterEach(async () => { await rig.stop(); });

  test('a callee in a ringing call: the new call is stored busy, only the caller hears of it, nothing is pushed', async () => {
    // Bob's phone is offline and gets pushes while his tablet is online (anyOffline): the ringing call is pushed.
    await bindDevice(rig, bob, 'phone', BOB_TOKEN, VOIP_CLIENT_ID);
    assert.equal((await call(rig, bob, 'PUT', '/settings', { multiDevicePolicy: 'anyOffline' })).statusCode, 200);
    const bobTablet = await LiveDevice.connect(rig, bob, 'tablet');
    const carolPhone = await LiveDevice.connect(rig, carol, 'phone');
    const ringing = await invite(alice, 'bob');
    clock += 10;
    const busy = await invite(carol, 'bob', 'video');
    assert.deepEqual({ ...busy, callId: '' }, {
      callId: '', callerId: 'carol', calleeId: 'bob', media: 'video', state: 'busy', createdAt: clock, expiresAt: clock,
      answeredAt: null, endedAt: clock, durationSec: 0, endedBy: null,
    });
    await until(() => carolPhone.of('call').length === 1);
    assert.deepEqual(carolPhone.of('call')[0].call, busy);
    // Bob's socket hears of the cancel after; had the busy call been sent to him, it would be there before.
    await ok(alice, ringing.callId, 'cancel');
    await until(() => bobTablet.of('call').some((e) => e.call.state === 'cancelled'));
    assert.ok(!bobTablet.of('call').some((e) => e.call.callId === busy.callId), 'the callee is not told');
    await drained(rig);
    assert.deepEqual(pushesFor(ringing.callId).map((p) => p.kind), ['call', 'missedCall'], 'Bob\'s phone is pushed to');
    assert.deepEqual(pushesFor(busy.callId), [], 'no push at all for a busy call');
    assert.equal(rig.fake.accepted.filter((a) => JSON.stringify(a.body).includes(busy.callId)).length, 0);
    assert.equal(rig.fake.accepted.length, 2, 'the invitation and the missed call of Alice\'s call only');

    assert.equal((await call(rig, bob, 'GET', `/calls/${busy.callId}`)).statusCode, 404, 'the callee never heard of it');
    assert.equal((await act(bob, busy.callId, 'accept')).statusCode, 404);
    assert.equal((await call(rig, carol, 'GET', `/calls/${busy.callId}`)).json().state, 'busy');
    const cancel = await act(carol, busy.callId, 'cancel');
    assert.equal(cancel.statusCode, 409, 'a busy call does not ring');
    assert.match(cancel.json().error, /busy/);
    assert.equal((await act(carol, busy.callId, 'hangup')).statusCode, 409);
    await bobTablet.close();
    await carolPhone.close();
  });

  test('a callee in an accepted call is busy too', async () => {
    const active = await invite(alice, 'bob');
    await ok(bob, active.callId, 'accept');
    assert.equal((await invite(carol, 'bob')).state, 'busy');
    assert.equal((await invite(carol, 'alice')).state, 'busy', 'both sides of an active call are busy');
  });

  test('a caller already in a call (either side of it, ringing or accepted) gets busy', async () => {
    const ringing = await invite(alice, 'bob');
    assert.equal((await invite(alice, 'carol')).state, 'busy', 'the caller of a ringing call');
    assert.equal((await invite(bob, 'carol')).state, 'busy', 'the callee of a ringing call');
    assert.equal((await invite(alice, 'bob')).state, 'busy', 'calling the same person again');
    await ok(bob, ringing.callId, 'accept');
    assert.equal((await invite(bob, 'carol')).state, 'busy', 'in an accepted call');
    assert.equal((await call(rig, alice, 'GET', `/calls/${ringing.callId}`)).json().state, 'accepted', 'the call in progress is untouched');
  });

  test('a call that ended for any reason makes nobody busy, an expired one the sweeper has not reached included', async () => {
    const ends: [string, (c: Call) => Promise<unknown>][] = [
      ['cancelled', (c) => ok(alice, c.callId, 'cancel')],
      ['rejected', (c) => ok(bob, c.callId, 'reject')],
      ['ended', async (c) => { await ok(bob, c.callId, 'accept'); await ok(alice, c.callId, 'hangup'); }],
    ];
    for (const [state, end] of ends) {
      const c = await invite(alice, 'bob');
      await end(c);
      assert.equal((await call(rig, alice, 'GET', `/calls/${c.callId}`)).json().state, state);
    }
    const unanswered = await invite(alice, 'bob');
    clock = unanswered.expiresAt; // due, but not swept: the invitation sweeps first
    const next = await invite(alice, 'bob');
    assert.equal(next.state, 'ringing');
    assert.equal((await call(rig, alice, 'GET', `/calls/${unanswered.callId}`)).json().state, 'missed');
  });

  test('an invitation past its expiry cannot be accepted, even before the sweeper reaches it', async () => {
    const c = await invite(alice, 'bob');
    clock = c.expiresAt;
    const r = await act(bob, c.callId, 'accept');
    assert.equal(r.statusCode, 409);
    assert.match(r.json().error, /missed/);
  });
});

describe('call history', () => {
  beforeEach(() => threeUsers({ RATE_CALLS_PER_MIN: '1000' }));
  afterEach(async () => { await rig.stop(); });

  /** Five calls between Alice and Bob, one second apart, each ended a different way (oldest first). */
  async function fiveCalls(): Promise<Call[]> {
    const made: Call[] = [];
    const step = async (from: string, to: string, end: (c: Call) => Promise<unknown>) => {
      clock += 1000;
      const c = await invite(from, to);
      await end(c);
      made.push((await call(rig, from, 'GET', `/calls/${c.callId}`)).json() as Call);
    };
    await step(alice, 'bob', (c) => ok(alice, c.callId, 'cancel'));
    await step(bob, 'alice', (c) => ok(alice, c.callId, 'reject'));
    await step(alice, 'bob', async (c) => { clock += 3000; await ok(bob, c.callId, 'accept'); clock += 42_000; await ok(bob, c.callId, 'hangup'); });
    await step(bob, 'alice', async (c) => { expire(c); });
    await step(alice, 'bob', async () => undefined); // still ringing
    return made;
  }

  test('newest first, in pages: nextBefore is the last createdAt of a page, null after the last page', async () => {
    const made = await fiveCalls();
    const p1 = await history(bob, 'limit=2');
    assert.deepEqual(p1.calls.map((c) => c.callId), [made[4].callId, made[3].callId]);
    assert.equal(p1.nextBefore, made[3].createdAt);
    const p2 = await history(bob, `limit=2&before=${p1.nextBefore}`);
    assert.deepEqual(p2.calls.map((c) => c.callId), [made[2].callId, made[1].callId]);
    const p3 = await history(bob, `limit=2&before=${p2.nextBefore}`);
    assert.deepEqual(p3.calls.map((c) => c.callId), [made[0].callId]);
    assert.equal(p3.nextBefore, null);
    const full = await history(bob, 'limit=5');
    assert.equal(full.nextBefore, null, 'an exactly full last page says there is no more');
    assert.deepEqual(states(full), ['incoming:ringing', 'outgoing:missed', 'incoming:ended', 'outgoing:rejected', 'incoming:cancelled']);
    assert.deepEqual(states(await history(alice)), ['outgoing:ringing', 'incoming:missed', 'outgoing:ended', 'incoming:rejected', 'outgoing:cancelled']);
    const ended = full.calls[2];
    assert.deepEqual(ended, { ...made[2], direction: 'incoming', seen: true }, 'a history item is the call with direction and seen');
    assert.equal(ended.durationSec, 42);
  });

  test('calls of the same millisecond still page one by one: createdAt is unique among a user\'s calls', async () => {
    const ids: string[] = [];
    for (const [from, to] of [[alice, 'bob'], [carol, 'alice'], [alice, 'bob']] as const) {
      const c = await invite(from, to); // the clock does not move
      ids.unshift(c.callId);
      await ok(from, c.callId, 'cancel');
    }
    const seen: string[] = [];
    let before: number | null | undefined;
    do {
      const p = await history(alice, `limit=1${before ? `&before=${before}` : ''}`);
      seen.push(...p.calls.map((c) => c.callId));
      before = p.nextBefore;
    } while (before !== null);
    assert.deepEqual(seen, ids);
  });

  test('each user sees only their own calls; a busy call is the caller\'s only', async () => {
    const ab = await invite(alice, 'bob');
    const busy = await invite(carol, 'bob');
    await ok(alice, ab.callId, 'cancel');
    const cd = await invite(carol, 'alice');
    assert.deepEqual((await history(bob)).calls.map((c) => c.callId), [ab.callId]);
    assert.deepEqual((await history(carol)).calls.map((c) => `${c.callId}:${c.direction}:${c.state}`),
      [`${cd.callId}:outgoing:ringing`, `${busy.callId}:outgoing:busy`]);
    assert.deepEqual((await history(alice)).calls.map((c) => c.callId), [cd.callId, ab.callId]);
    const dave = await login(rig, 'dave');
    assert.deepEqual(await history(dave), { calls: [], nextBefore: null });
  });

  test('30 calls a page by default', async () => {
    for (let i = 0; i < 31; i++) {
      const c = rig.server.service.invite('alice', 'bob', 'audio');
      rig.server.service.answer('alice', c.callId, 'cancel');
    }
    const p = await history(alice);
    assert.equal(p.calls.length, 30);
    assert.equal((await history(alice, `before=${p.nextBefore}`)).calls.length, 1);
  });

  test('before and limit are integers in range, written as plain digits; nothing else is accepted', async () => {
    const bad: [string, string][] = [
      ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=-1', 'limit'], ['limit=1.5', 'limit'], ['limit=abc', 'limit'], ['limit=1e2', 'limit'],
      ['limit=', 'limit'], ['limit=%205', 'limit'], ['limit=1&limit=2', 'limit'], ['before=0', 'before'], ['before=-5', 'before'],
      ['before=1e309', 'before'], ['before=9007199254740992', 'before'], ['before=0x10', 'before'], ['before=1&before=2', 'before'],
    ];
    for (const [query, field] of bad) {
      const r = await call(rig, alice, 'GET', `/calls?${query}`);
      assert.equal(r.statusCode, 400, query);
      assert.equal(r.json().field, `querystring/${field}`, `${query}: ${r.body}`);
    }
    const unknown = await call(rig, alice, 'GET', '/calls?after=1');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().field, 'querystring/after');
    assert.equal((await call(rig, alice, 'GET', '/calls?limit=100&before=999999999999999')).statusCode, 200);
    assert.equal((await rig.inject({ method: 'GET', url: '/api/v1/calls' })).statusCode, 401);
  });
});

describe('missed-call seen marks', () => {
  beforeEach(() => threeUsers({ RATE_CALLS_PER_MIN: '1000' }));
  afterEach(async () => { await rig.stop(); });

  test('an incoming missed or cancelled call is unseen, with its end time; every other call is seen', async () => {
    const missed = await invite(alice, 'bob');
    clock += 60_000;
    rig.server.service.sweepCalls();
    const rejected = await invite(alice, 'bob');
    await ok(bob, rejected.callId, 'reject');
    const cancelled = await invite(alice, 'bob');
    await ok(alice, cancelled.callId, 'cancel');
    const bobs = (await history(bob)).calls;
    assert.deepEqual(bobs.map((c) => `${c.state}:${c.seen}`), ['cancelled:false', 'rejected:true', 'missed:false']);
    assert.deepEqual([bobs[2].endedAt, bobs[2].endedBy, bobs[2].durationSec], [clock, null, 0], 'the sweeper set endedAt');
    assert.deepEqual([bobs[1].endedBy, bobs[0].endedBy], ['bob', 'alice']);
    assert.ok((await history(alice)).calls.every((c) => c.seen), 'outgoing calls are seen, a missed one included');
    assert.equal(await unseen(bob), 2, 'the missed and the cancelled invitation: to Bob both rang unanswered');
    assert.equal(await unseen(alice), 0);
    assert.equal(missed.callId, bobs[2].callId);
  });

  test('a mark covers missed calls created at or before upTo, only moves forward, and the user\'s devices hear the new count', async () => {
    const phone = await LiveDevice.connect(rig, bob, 'phone');
    const tablet = await LiveDevice.connect(rig, bob, 'tablet');
    const alicePhone = await LiveDevice.connect(rig, alice, 'phone');
    const first = await invite(alice, 'bob');
    expire(first);
    clock += 5;
    const second = await invite(carol, 'bob');
    expire(second);
    assert.equal(await unseen(bob), 2);

    const r = await markSeen(bob, first.createdAt);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { unseenMissed: 1 });
    for (const device of [phone, tablet]) await until(() => device.of('callsSeen').length === 1);
    assert.deepEqual(phone.of('callsSeen')[0], { type: 'callsSeen', unseenMissed: 1 });
    assert.deepEqual((await history(bob)).calls.map((c) => `${c.callId === first.callId ? 'first' : 'second'}:${c.seen}`), ['second:false', 'first:true']);

    assert.deepEqual((await markSeen(bob, first.createdAt)).json(), { unseenMissed: 1 }, 'idempotent');
    assert.deepEqual((await markSeen(bob, 0)).json(), { unseenMissed: 1 }, 'an older mark takes nothing back');
    assert.deepEqual((await markSeen(bob, second.createdAt - 1)).json(), { unseenMissed: 1 }, 'before the second call');
    assert.deepEqual((await markSeen(bob, second.createdAt)).json(), { unseenMissed: 0 }, 'at its createdAt');
    await until(() => phone.of('callsSeen').length === 2);
    assert.deepEqual(phone.of('callsSeen').map((e) => e.unseenMissed), [1, 0], 'a mark that changed nothing sends nothing');
    assert.equal(await unseen(bob), 0);
    assert.deepEqual((await markSeen(bob, first.createdAt)).json(), { unseenMissed: 0 }, 'an older mark after a newer one: still all seen');
    assert.equal(alicePhone.of('callsSeen').length, 0, 'the caller is not told');
    for (const d of [phone, tablet, alicePhone]) await d.close();
  });

  test('a call still ringing at the mark is unseen once it is missed', async () => {
    const c = await invite(alice, 'bob');
    assert.deepEqual((await markSeen(bob, c.createdAt + 1000)).json(), { unseenMissed: 0 });
    expire(c);
    assert.equal(await unseen(bob), 1, 'the mark covered missed calls then, not calls that were missed later');
    assert.equal((await history(bob)).calls[0].seen, false);
  });

  test('marks are per user', async () => {
    const toBob = await invite(alice, 'bob');
    expire(toBob);
    const toCarol = await invite(alice, 'carol');
    expire(toCarol);
    assert.deepEqual((await markSeen(bob, clock)).json(), { unseenMissed: 0 });
    assert.equal(await unseen(carol), 1, 'Bob\'s mark does not touch Carol\'s missed call');
    assert.deepEqual((await markSeen(alice, clock)).json(), { unseenMissed: 0 }, 'the caller has nothing to mark');
    assert.equal(await unseen(carol), 1);
  });

  test('upTo is an integer >= 0; anything else is 400 and marks nothing', async () => {
    const c = await invite(alice, 'bob');
    expire(c);
    for (const upTo of ['1', -1, 1.5, null, true, [1], 9007199254740992]) {
      const r = await markSeen(bob, upTo);
      assert.equal(r.statusCode, 400, JSON.stringify(upTo));
      assert.equal(r.json().field, 'body/upTo', JSON.stringify(upTo));
    }
    const missing = await call(rig, bob, 'POST', '/calls/seen', {});
    assert.equal(missing.statusCode, 400);
    const extra = await call(rig, bob, 'POST', '/calls/seen', { upTo: clock, callId: c.callId });
    assert.equal(extra.json().field, 'body/callId');
    assert.equal(await unseen(bob), 1, 'nothing was marked');
  });
});
