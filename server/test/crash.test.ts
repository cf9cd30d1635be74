// Durability: the server is killed with SIGKILL while messages are being accepted and pushes are in
// flight; after a restart no accepted message is lost and every message reaches Push Kit exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakePushKit } from './fake-pushkit.js';
import { CLIENT_ID, TEST_KEYS, apiAt, freePort, passwordOf, startServerProcess, testEnvironment, until } from './helpers.js';

const TOKEN = 'IQAAAACy0crashcrashcrashcrashcrashcrashcrash';
const MESSAGES = 40;

test('SIGKILL mid-way, restart: no lost message, no lost or duplicated push', { timeout: 60000 }, async () => {
  const fake = new FakePushKit(TEST_KEYS.publicPem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-crash-'));
  const env = testEnvironment(dir, await fake.start());
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = await startServerProcess(env, port);
  try {
    const alice = (await (await apiAt(base, 'POST', '/accounts', undefined, { userId: 'alice', password: passwordOf('alice'), displayName: 'Alice' })).json()).token as string;
    const bob = (await (await apiAt(base, 'POST', '/accounts', undefined, { userId: 'bob', password: passwordOf('bob'), displayName: 'Bob' })).json()).token as string;
    assert.equal((await apiAt(base, 'PUT', '/devices/phone', bob, { pushToken: TOKEN, clientId: CLIENT_ID })).status, 204);

    fake.hold = true; // Push Kit "hangs": requests stay in flight
    const accepted = new Set<string>();
    const sends = Array.from({ length: MESSAGES }, async (_, i) => {
      try {
        const r = await apiAt(base, 'POST', '/messages', alice, { to: 'bob', text: `message ${i}`, clientMsgId: `crash${i}` });
        if (r.status === 201) accepted.add(`crash${i}`);
      } catch {
        // the server died under this request: not accepted, the client will retry it
      }
    });
    await until(() => fake.requests > 0 && accepted.size >= 5, 20000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await Promise.all(sends);
    await exited;
    // The child's exit can be seen before its held connections' close; releasing them first would answer
    // requests whose sender is gone, and the fake would count them as received.
    await until(() => fake.heldOpen === 0, 5000);
    const acceptedBeforeCrash = [...accepted];
    fake.release();
    assert.equal(fake.accepted.length, 0, 'nothing reached Push Kit before the crash');

    child = await startServerProcess(env, port);
    // The client retries everything it did not see accepted, with the same clientMsgId.
    for (let i = 0; i < MESSAGES; i++) {
      const r = await apiAt(base, 'POST', '/messages', alice, { to: 'bob', text: `message ${i}`, clientMsgId: `crash${i}` });
      assert.ok(r.status === 200 || r.status === 201, `retry ${i}: ${r.status}`);
      if (acceptedBeforeCrash.includes(`crash${i}`)) assert.equal(r.status, 200, `crash${i} was accepted before the crash and must still exist`);
    }
    const conversations = (await (await apiAt(base, 'GET', '/conversations', bob)).json()).conversations;
    const page = await (await apiAt(base, 'GET', `/conversations/${conversations[0].id}/messages?limit=100`, bob)).json();
    assert.equal(page.messages.length, MESSAGES);
    assert.equal(new Set(page.messages.map((m: { clientMsgId: string }) => m.clientMsgId)).size, MESSAGES);

    await until(() => fake.tokensOf(0).length >= MESSAGES, 20000);
    await new Promise((r) => setTimeout(r, 1500)); // anything extra would arrive now
    const pushed = fake.accepted.flatMap((a) => a.tokens.map(() => a.body.payload.notification.clickAction.data.messageId as string));
    assert.equal(pushed.length, MESSAGES, 'one push per message and token');
    assert.equal(new Set(pushed).size, MESSAGES, 'no message pushed twice');
    assert.deepEqual(new Set(pushed), new Set(page.messages.map((m: { id: string }) => m.id)));
  } finally {
    child.kill('SIGKILL');
    await fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
