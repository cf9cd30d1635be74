// Durability: the server is killed with SIGKILL while messages are being accepted and pushes are in
// flight; after a restart no accepted message is lost and every message reaches Push Kit exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakePushKit } from './fake-pushkit.js';
import { CLIENT_ID, TEST_KEYS, passwordOf, testEnvironment, until } from './helpers.js';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = 'IQAAAACy0crashcrashcrashcrashcrashcrashcrash';
const MESSAGES = 40;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startChild(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR, env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function api(port: number, method: string, url: string, token: string | undefined, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/api/v1${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('SIGKILL mid-way, restart: no lost message, no lost or duplicated push', { timeout: 60000 }, async () => {
  const fake = new FakePushKit(TEST_KEYS.publicPem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-crash-'));
  const env = testEnvironment(dir, await fake.start());
  const port = await freePort();
  let child = await startChild(env, port);
  try {
    const alice = (await (await api(port, 'POST', '/accounts', undefined, { userId: 'alice', password: passwordOf('alice'), displayName: 'Alice' })).json()).token as string;
    const bob = (await (await api(port, 'POST', '/accounts', undefined, { userId: 'bob', password: passwordOf('bob'), displayName: 'Bob' })).json()).token as string;
    assert.equal((await api(port, 'PUT', '/devices/phone', bob, { pushToken: TOKEN, clientId: CLIENT_ID })).status, 204);

    fake.hold = true; // Push Kit "hangs": requests stay in flight
    const accepted = new Set<string>();
    const sends = Array.from({ length: MESSAGES }, async (_, i) => {
      try {
        const r = await api(port, 'POST', '/messages', alice, { to: 'bob', text: `message ${i}`, clientMsgId: `crash${i}` });
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

    child = await startChild(env, port);
    // The client retries everything it did not see accepted, with the same clientMsgId.
    for (let i = 0; i < MESSAGES; i++) {
      const r = await api(port, 'POST', '/messages', alice, { to: 'bob', text: `message ${i}`, clientMsgId: `crash${i}` });
      assert.ok(r.status === 200 || r.status === 201, `retry ${i}: ${r.status}`);
      if (acceptedBeforeCrash.includes(`crash${i}`)) assert.equal(r.status, 200, `crash${i} was accepted before the crash and must still exist`);
    }
    const conversations = (await (await api(port, 'GET', '/conversations', bob)).json()).conversations;
    const page = await (await api(port, 'GET', `/conversations/${conversations[0].id}/messages?limit=100`, bob)).json();
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
