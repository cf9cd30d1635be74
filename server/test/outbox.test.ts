// The push outbox under faults: Push Kit answering 503 or dropping connections for a while, or failing for
// good; outbox rows written in the message's own transaction; rows a failed write left mid-send. Time is the rig's injected clock, frozen
// unless a test moves it: a retry is due when the clock reaches its row's next_at, so no test waits for a
// backoff (the client's in-request sleeps are 1 ms in the rig) and none reads the wall clock.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, bindDevice, drained, until, TEST_CLIENT_ID } from './helpers.js';
import type { Rig } from './helpers.js';
import pino from 'pino';
import { MAX_ATTEMPTS, PushOutbox, RETRY_BASE_MS, RETRY_MAX_MS } from '../src/push/outbox.js';
import { openDb } from '../src/db.js';
import type { Db } from '../src/db.js';

const TOKEN_A = 'IQAAAACy0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TOKEN_B = 'IQAAAACy0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
/** A bug that makes the outbox send in a loop fails the test instead of hanging it. */
const LIMIT = { timeout: 10_000 };

interface OutboxRow {
  id: number;
  ref_id: string;
  client_id: string;
  status: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
}

let rig: Rig;
let clock: number;
let alice: string;
let bob: string;

/** A fresh server on a frozen clock, with Alice, and Bob whose phone is bound and offline. */
async function aliceAndOfflineBob(): Promise<void> {
  clock = Date.now(); // a plausible start; from here on only the tests move it
  rig = await startRig({}, () => clock);
  alice = await login(rig, 'alice', 'Alice');
  bob = await login(rig, 'bob', 'Bob');
  await bindDevice(rig, bob, 'phone', TOKEN_A);
}

async function send(text: string, clientMsgId: string) {
  const r = await call(rig, alice, 'POST', '/messages', { to: 'bob', text, clientMsgId });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as { id: string; conversationId: string };
}

function outboxRows(): OutboxRow[] {
  return rig.server.db.prepare('SELECT id, ref_id, client_id, status, attempts, next_at, last_error FROM push_outbox ORDER BY id').all() as OutboxRow[];
}

function onlyRow(): OutboxRow {
  const rows = outboxRows();
  assert.equal(rows.length, 1, JSON.stringify(rows));
  return rows[0];
}

/** Moves the clock to `t` and lets the outbox send whatever is due then. */
async function at(t: number): Promise<void> {
  clock = t;
  await drained(rig);
}

/** The delay after the outbox's n-th failed send (n from 1) is half to all of min(max, base * 2^n). */
function assertBackoff(delays: number[]): void {
  delays.forEach((d, i) => {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (i + 1));
    assert.ok(d >= ceiling / 2 && d <= ceiling, `delay ${i + 1} is ${d} ms, not within [${ceiling / 2}, ${ceiling}]: ${delays}`);
    if (i > 0) assert.ok(d >= delays[i - 1], `delays do not grow: ${delays}`);
  });
}

function messageIdsPushed(): string[] {
  return rig.fake.accepted.map((a) => a.body.payload.notification.clickAction.data.messageId as string);
}

describe('outbox retries', () => {
  beforeEach(aliceAndOfflineBob);
  afterEach(async () => { await rig.stop(); });

  test('503 for a while: nothing goes out before the backoff is over, then the push arrives exactly once', LIMIT, async () => {
    rig.fake.down = { status: 503, code: '80300010', msg: 'flow control' };
    const m = await send('hello', 'c1');
    await drained(rig);
    let row = onlyRow();
    assert.deepEqual([row.status, row.attempts, row.last_error], ['pending', 1, 'HTTP 503']);
    const perSend = rig.fake.requests; // the client's in-request attempts, all answered 503
    assert.ok(perSend > 1, `the client tried ${perSend} time(s) before handing the row back`);
    const delays = [row.next_at - clock];

    // Not due: kicking the outbox, now or a moment before next_at, sends nothing.
    await drained(rig);
    await at(row.next_at - 1);
    assert.equal(rig.fake.requests, perSend);
    await at(row.next_at);
    assert.equal(rig.fake.requests, 2 * perSend);
    row = onlyRow();
    assert.deepEqual([row.status, row.attempts, row.last_error], ['pending', 2, 'HTTP 503']);
    delays.push(row.next_at - clock);

    rig.fake.down = undefined;
    await at(row.next_at - 1);
    assert.equal(rig.fake.requests, 2 * perSend);
    await at(row.next_at);
    assert.equal(rig.fake.requests, 2 * perSend + 1);
    assert.deepEqual(messageIdsPushed(), [m.id]);
    assert.equal(onlyRow().status, 'sent');
    assertBackoff(delays);

    await at(clock + 10 * RETRY_MAX_MS);
    assert.equal(rig.fake.requests, 2 * perSend + 1);
  });

  test('dropped connections for a while, then success: delivered exactly once', LIMIT, async () => {
    rig.fake.dropNext = 1000;
    const m = await send('hello', 'c1');
    await drained(rig);
    const row = onlyRow();
    assert.equal(row.status, 'pending');
    assert.match(row.last_error ?? '', /^network error/);
    const perSend = rig.fake.dropped;
    assert.ok(perSend > 1);
    assert.equal(rig.fake.requests, perSend);
    assertBackoff([row.next_at - clock]);

    rig.fake.dropNext = 1; // one more drop, then Push Kit answers: the client's own retry gets through
    await at(row.next_at - 1);
    assert.equal(rig.fake.requests, perSend);
    await at(row.next_at);
    assert.equal(rig.fake.dropped, perSend + 1);
    assert.equal(rig.fake.requests, perSend + 2);
    assert.deepEqual(messageIdsPushed(), [m.id]);
    assert.equal(onlyRow().status, 'sent');

    await at(clock + 10 * RETRY_MAX_MS);
    assert.equal(rig.fake.requests, perSend + 2);
  });

  test('503 for good: the outbox stops after MAX_ATTEMPTS sends and records the row as failed with the reason', LIMIT, async () => {
    rig.fake.down = { status: 503 };
    await send('hello', 'c1');
    await drained(rig);
    const perSend = rig.fake.requests;
    let sends = 1;
    const delays: number[] = [];
    for (let row = onlyRow(); row.status === 'pending'; row = onlyRow()) {
      assert.ok(sends < MAX_ATTEMPTS, `still pending after ${sends} sends`);
      assert.equal(row.attempts, sends);
      delays.push(row.next_at - clock);
      await at(row.next_at - 1);
      assert.equal(rig.fake.requests, sends * perSend, 'sent before its next_at');
      await at(row.next_at);
      sends += 1;
      assert.equal(rig.fake.requests, sends * perSend);
    }
    assert.equal(sends, MAX_ATTEMPTS);
    const row = onlyRow();
    assert.deepEqual([row.status, row.attempts, row.last_error], ['failed', MAX_ATTEMPTS, 'HTTP 503']);
    assertBackoff(delays);
    assert.equal(rig.fake.accepted.length, 0);

    await at(clock + 10 * RETRY_MAX_MS);
    await at(clock + 10 * RETRY_MAX_MS);
    assert.equal(rig.fake.requests, MAX_ATTEMPTS * perSend);
  });
});

describe('outbox atomicity', () => {
  beforeEach(aliceAndOfflineBob);
  afterEach(async () => { await rig.stop(); });

  test('a message whose outbox row cannot be written is not stored; the retry is stored and pushed once', LIMIT, async () => {
    // Fault injection on the server's own connection: every insert into the outbox fails.
    rig.server.db.exec("CREATE TEMP TRIGGER outbox_fault BEFORE INSERT ON push_outbox BEGIN SELECT RAISE(ABORT, 'injected'); END");
    const failed = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hello', clientMsgId: 'c1' });
    assert.ok(failed.statusCode >= 400, `${failed.statusCode} ${failed.body}`);
    assert.deepEqual((await call(rig, bob, 'GET', '/conversations')).json().conversations, []);
    assert.deepEqual((await call(rig, alice, 'GET', '/conversations')).json().conversations, []);
    assert.equal((await call(rig, bob, 'GET', '/unread')).json().total, 0);
    await drained(rig);
    assert.equal(rig.fake.requests, 0);

    rig.server.db.exec('DROP TRIGGER temp.outbox_fault');
    const m = await send('hello', 'c1'); // 201: nothing was stored under c1
    await drained(rig);
    assert.deepEqual(messageIdsPushed(), [m.id]);
    assert.equal(rig.fake.requests, 1);
    assert.equal((await call(rig, bob, 'GET', '/unread')).json().total, 1);
  });
});

describe('rows left mid-send by a failed write', () => {
  beforeEach(aliceAndOfflineBob);
  afterEach(async () => { await rig.stop(); });

  test('a row whose "sent" could not be recorded goes out again at the next drain, not at the next restart', LIMIT, async () => {
    rig.server.db.exec(`CREATE TEMP TRIGGER sent_fault BEFORE UPDATE OF status ON push_outbox WHEN NEW.status = 'sent'
      BEGIN SELECT RAISE(ABORT, 'injected'); END`);
    rig.fake.hold = true; // so that this drain is surely still running when drained() kicks it
    const m = await send('hello', 'c1');
    const first = drained(rig);
    await until(() => rig.fake.requests === 1);
    rig.fake.release();
    await first;
    // Push Kit has it, the database could not record it: the row is left 'sending', and not sent in a loop.
    assert.deepEqual(messageIdsPushed(), [m.id]);
    assert.equal(onlyRow().status, 'sending');
    assert.ok(rig.logs.some((l) => l.includes('injected')));

    rig.server.db.exec('DROP TRIGGER temp.sent_fault');
    await drained(rig);
    // At-least-once: the repeat carries the same notifyId, so it replaces the notification on the phone.
    assert.deepEqual(messageIdsPushed(), [m.id, m.id]);
    assert.equal(rig.fake.accepted[0].body.payload.notification.notifyId, rig.fake.accepted[1].body.payload.notification.notifyId);
    assert.equal(onlyRow().status, 'sent');
    await drained(rig);
    assert.equal(rig.fake.accepted.length, 2);
  });

  test('one batch failing to record its outcome does not end the drain while another batch is in flight', LIMIT, async () => {
    // Two certificates, so one message makes two batches sent side by side: the phone's outcome cannot be
    // recorded while the tablet's request is still waiting for Push Kit's answer.
    await bindDevice(rig, bob, 'tablet', TOKEN_B, TEST_CLIENT_ID);
    rig.server.db.exec(`CREATE TEMP TRIGGER sent_fault BEFORE UPDATE OF status ON push_outbox
      WHEN NEW.status = 'sent' AND NEW.token = '${TOKEN_A}' BEGIN SELECT RAISE(ABORT, 'injected'); END`);
    rig.fake.holdIf = (body) => body?.pushOptions?.testMessage === true;
    await send('hello', 'c1');
    await until(() => rig.logs.some((l) => l.includes('injected')));
    rig.server.db.exec('DROP TRIGGER temp.sent_fault');
    // Were the drain over already, this would start another that takes the tablet's row for unfinished.
    rig.server.outbox.kick();
    rig.fake.release();
    await drained(rig);
    await drained(rig); // the next drain sends the phone's row again
    assert.deepEqual(outboxRows().map((r) => r.status), ['sent', 'sent']);
    assert.equal(rig.fake.tokensOf().filter((t) => t === TOKEN_B).length, 1, 'the tablet got its push exactly once');
    assert.equal(rig.fake.tokensOf().filter((t) => t === TOKEN_A).length, 2, 'the phone got its push again (at-least-once)');
  });
});

describe('outbox order', () => {
  const TOKEN_C = 'IQAAAACy0cccccccccccccccccccccccccccccccccccccccccccc';
  let carol: string;

  beforeEach(async () => {
    await aliceAndOfflineBob();
    carol = await login(rig, 'carol', 'Carol');
    await bindDevice(rig, carol, 'phone', TOKEN_C);
  });
  afterEach(async () => { await rig.stop(); });

  async function sendToCarol(text: string, clientMsgId: string) {
    const r = await call(rig, alice, 'POST', '/messages', { to: 'carol', text, clientMsgId });
    assert.equal(r.statusCode, 201, r.body);
    return r.json() as { id: string };
  }

  const messageIdOf = (body: any): string => body?.payload?.notification?.clickAction?.data?.messageId as string;

  test('two pushes to one token claimed together reach Push Kit in the order they were queued; other tokens do not wait', LIMIT, async () => {
    // Carol's first push is held, so Bob's two messages (and Carol's second) are queued behind it and
    // claimed together by the next pass of the drain: the case where batches go out side by side.
    rig.fake.holdIf = (body) => body?.target?.token?.includes(TOKEN_C) === true;
    await sendToCarol('c-one', 'cc1');
    await until(() => rig.fake.requests === 1);
    const three = await send('three', 'c3');
    const four = await send('four', 'c4');
    const carolsSecond = await sendToCarol('c-two', 'cc2');

    // Which sends the outbox has started (synchronously, in its own order), and their outcomes.
    const started = new Map<string, Promise<unknown>>();
    const client = rig.server.client;
    const original = client.send.bind(client);
    client.send = (cert, pushType, body, tokens, context) => {
      const p = original(cert, pushType, body, tokens, context);
      started.set(messageIdOf(body), p);
      return p;
    };
    // Push Kit is slow with Bob's 'three'. Set in the same tick as the release, before any new request.
    rig.fake.release();
    rig.fake.holdIf = (body) => messageIdOf(body) === three.id;
    // Carol's second is unrelated to Bob's token: it goes out while 'three' is held. The outbox takes
    // its jobs in order, so by now it has also taken 'four'; were 'four' sent already, it would reach
    // Push Kit before 'three': let it, before Push Kit answers 'three'.
    await until(() => started.has(carolsSecond.id));
    await started.get(four.id);
    rig.fake.release();
    await drained(rig);

    const toBob = rig.fake.accepted.filter((a) => a.tokens.includes(TOKEN_A));
    assert.deepEqual(toBob.map((a) => messageIdOf(a.body)), [three.id, four.id]);
    assert.equal(toBob[1].body.payload.notification.badge.setNum, 2, 'the badge Bob sees last counts both');
    assert.deepEqual(outboxRows().map((r) => r.status), ['sent', 'sent', 'sent', 'sent']);
  });
});

describe('several processes on one outbox', () => {
  // A second process: its own connection to the database and its own outbox, on the rig's clock.
  let otherDb: Db;
  let other: PushOutbox;
  /** An outbox of process `instance` on connection `db`, sharing the rig's certificates, client and clock. */
  const outboxOf = (db: Db, instance: string, leaseMs?: number) => new PushOutbox(db, rig.server.certificates, rig.server.client,
    rig.server.deliveries, pino({ level: 'silent' }), { now: () => clock, instance, leaseMs });
  const otherProcess = (leaseMs?: number) => {
    otherDb = openDb(rig.config.dataDir);
    other = outboxOf(otherDb, 'other-host:8080', leaseMs);
    return other;
  };
  const drain = async (outbox: PushOutbox) => {
    outbox.kick();
    await outbox.idle();
  };
  beforeEach(aliceAndOfflineBob);
  afterEach(async () => {
    await other?.stop();
    otherDb?.close();
    await rig.stop();
  });

  test('rows another live process is sending are left to it: one push, not two', LIMIT, async () => {
    otherProcess();
    rig.fake.hold = true;
    const m = await send('hello', 'c1');
    const first = drained(rig);
    await until(() => rig.fake.heldOpen === 1);
    // The other process drains meanwhile: the row is claimed and its lease holds.
    await drain(other);
    assert.equal(rig.fake.heldOpen, 1, 'the other process sent nothing');
    rig.fake.release();
    await first;
    await drain(other);
    assert.deepEqual(messageIdsPushed(), [m.id]);
    assert.equal(onlyRow().status, 'sent');
  });

  test('a token another process is sending to gets its next push from no one else meanwhile: the order holds', LIMIT, async () => {
    otherProcess();
    rig.fake.holdIf = (body) => String(body.payload.notification.body).includes('first');
    const m1 = await send('first', 'c1');
    const first = drained(rig);
    await until(() => rig.fake.heldOpen === 1);
    // Queued while the server's own process is still sending the first to the same token.
    const m2 = await send('second', 'c2');
    await drain(other);
    assert.deepEqual(messageIdsPushed(), [], 'the other process did not send the second past the first');
    rig.fake.release();
    await first;
    await drain(rig.server.outbox);
    assert.deepEqual(messageIdsPushed(), [m1.id, m2.id]);
  });

  test('rows of a process that died while sending go out from another once their lease ran out, not before', LIMIT, async () => {
    await rig.server.outbox.stop();
    otherProcess();
    const m = await send('hello', 'c1');
    // As a process that claimed the row and died leaves it.
    rig.server.db.prepare("UPDATE push_outbox SET status = 'sending', claimed_by = 'gone-host:8080', lease_until = ?").run(clock + 1000);
    await drain(other);
    assert.deepEqual(messageIdsPushed(), [], 'the lease still holds');
    clock += 1001;
    await drain(other);
    assert.deepEqual(messageIdsPushed(), [m.id]);
    assert.equal(onlyRow().status, 'sent');
  });

  test('a process that sends for longer than the lease keeps renewing it', LIMIT, async () => {
    await rig.server.outbox.stop();
    // Two processes with a 300 ms lease (renewed every 100 ms of real time, dated by the rig's clock).
    const first = outboxOf(rig.server.db, 'first-host:8080', 300);
    otherProcess(300);
    rig.fake.hold = true;
    const m = await send('hello', 'c1');
    first.kick();
    await until(() => rig.fake.heldOpen === 1);
    const lease = () => (rig.server.db.prepare('SELECT lease_until FROM push_outbox').get() as { lease_until: number }).lease_until;
    const claimedAt = clock;
    assert.equal(lease(), claimedAt + 300);
    clock += 250;
    await until(() => lease() === claimedAt + 550);
    clock += 200; // past the first lease, within the renewed one
    await drain(other);
    assert.equal(rig.fake.heldOpen, 1, 'the other process sent nothing');
    rig.fake.release();
    await first.stop();
    assert.deepEqual(messageIdsPushed(), [m.id]);
  });
});

