// Two server processes on one machine, one database, and a real redis-server between them: a user's
// sockets on either process get what the other delivers, and a logout on one closes sockets on the other.
// Skipped, with the reason printed, where redis-server is not installed (Debian: apt-get install redis-server).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { FakePushKit } from './fake-pushkit.js';
import { CLIENT_ID, TEST_KEYS, apiAt, freePort, startServerProcess, testEnvironment, until } from './helpers.js';

const SERVER_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const redisMissing = spawnSync('redis-server', ['--version']).error ? 'redis-server is not installed (apt-get install redis-server): the cross-process broker test did not run' : false;
if (redisMissing) console.log(`# ${redisMissing}`);

const children: ChildProcess[] = [];
const dirs: string[] = [];
const fakes: FakePushKit[] = [];
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(fakes.map((f) => f.stop()));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: SERVER_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return child;
}

async function serverAt(port: number, env: NodeJS.ProcessEnv): Promise<string> {
  children.push(await startServerProcess(env, port));
  return `http://127.0.0.1:${port}`;
}

class Socket {
  readonly events: any[] = [];
  closed: number | undefined;
  private constructor(readonly ws: WebSocket) {}
  static async open(base: string, token: string, deviceId: string): Promise<Socket> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/ws?deviceId=${deviceId}`, { headers: { authorization: `Bearer ${token}` } });
    const s = new Socket(ws);
    ws.on('message', (data) => s.events.push(JSON.parse(data.toString())));
    ws.on('close', (code) => { s.closed = code; });
    await until(() => s.events.some((e) => e.type === 'hello'), 10000);
    return s;
  }
}

/**
 * A redis-server, two server processes A and B on one database with Push Kit pointed at a fake, and the
 * accounts alice and bob (their tokens).
 */
async function cluster(): Promise<{ a: string; b: string; fake: FakePushKit; alice: string; bob: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-broker-'));
  dirs.push(dir);
  const fake = new FakePushKit(TEST_KEYS.publicPem);
  fakes.push(fake);
  const redisPort = await freePort();
  start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await until(() => spawnSync('redis-cli', ['-p', String(redisPort), 'ping']).stdout?.toString().trim() === 'PONG', 10000);
  const env = testEnvironment(dir, await fake.start(), { BROKER_URL: `redis://127.0.0.1:${redisPort}` });
  // One process makes the database first; the second opens it made.
  const a = await serverAt(await freePort(), env);
  const b = await serverAt(await freePort(), env);
  const register = async (userId: string) => {
    const r = await apiAt(a, 'POST', '/accounts', undefined, { userId, password: `${userId}-broker-password`, displayName: userId });
    assert.equal(r.status, 201);
    return ((await r.json()) as { token: string }).token;
  };
  return { a, b, fake, alice: await register('alice'), bob: await register('bob') };
}

test('two processes share live delivery through Redis', { skip: redisMissing, timeout: 90000 }, async () => {
  const { a, b, alice, bob } = await cluster();
  const aliceOnA = await Socket.open(a, alice, 'phone');
  const bobOnB = await Socket.open(b, bob, 'phone');

  aliceOnA.ws.send(JSON.stringify({ type: 'send', to: 'bob', text: 'from process A', clientMsgId: 'x1' }));
  await until(() => bobOnB.events.some((e) => e.type === 'message' && e.message.text === 'from process A'), 10000);
  assert.ok(aliceOnA.events.some((e) => e.type === 'ack' && e.clientMsgId === 'x1'));

  const viaB = await apiAt(b, 'POST', '/messages', bob, { to: 'alice', text: 'from process B', clientMsgId: 'y1' });
  assert.equal(viaB.status, 201);
  await until(() => aliceOnA.events.some((e) => e.type === 'message' && e.message.text === 'from process B'), 10000);
  assert.equal(bobOnB.events.filter((e) => e.type === 'message').length, 2, 'bob\'s own message reached his socket on B once, and A\'s once');

  // Bob signs out through process A: his socket on process B is closed as the session ended.
  assert.equal((await apiAt(a, 'DELETE', '/session', bob)).status, 204);
  await until(() => bobOnB.closed !== undefined, 10000);
  assert.equal(bobOnB.closed, 4001);
  aliceOnA.ws.close();
});

test('presence is shared: no push to a user online on the other process, a push once they left', { skip: redisMissing, timeout: 90000 }, async () => {
  const { a, b, fake, alice, bob } = await cluster();
  const token = 'IQAAAACy0brokerbrokerbrokerbrokerbrokerbroker';
  assert.equal((await apiAt(b, 'PUT', '/devices/phone', bob, { pushToken: token, clientId: CLIENT_ID })).status, 204);
  const aliceSends = async (text: string, clientMsgId: string) => assert.equal((await apiAt(a, 'POST', '/messages', alice, { to: 'bob', text, clientMsgId })).status, 201);
  const pushedTexts = () => fake.accepted.map((r) => r.body.payload.notification.body as string);

  // Both write, so each hears of the other's presence; Bob is offline: his first message is pushed.
  await aliceSends('hi', 'p0');
  assert.equal((await apiAt(b, 'POST', '/messages', bob, { to: 'alice', text: 'hello', clientMsgId: 'q0' })).status, 201);
  const aliceOnA = await Socket.open(a, alice, 'phone');

  // B announces Bob's device to the other processes before it tells his contacts he is online, on the same
  // Redis connection: once Alice's socket on A has the presence event, A counts Bob online.
  const bobOnB = await Socket.open(b, bob, 'phone');
  await until(() => aliceOnA.events.some((e) => e.type === 'presence' && e.userId === 'bob' && e.online === true), 10000);
  await aliceSends('while bob is online on B', 'p1');
  await until(() => bobOnB.events.some((e) => e.type === 'message' && e.message.text === 'while bob is online on B'), 10000);

  bobOnB.ws.close();
  await until(() => aliceOnA.events.some((e) => e.type === 'presence' && e.userId === 'bob' && e.online === false), 10000);
  await aliceSends('after bob left', 'p2');
  await until(() => pushedTexts().includes('after bob left'), 10000);
  // A push for p1 would have gone out at once, long before p2's. Both processes drain the one outbox: each
  // push once, as a row is claimed by one process only.
  assert.deepEqual(pushedTexts(), ['hi', 'after bob left'], 'no push while Bob was online on the other process (allOffline), none twice');
  aliceOnA.ws.close();
});
