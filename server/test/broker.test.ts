// Two server processes on one machine, one database, and a real redis-server between them: a user's
// sockets on either process get what the other delivers, and a logout on one closes sockets on the other.
// Skipped, with the reason printed, where redis-server is not installed (Debian: apt-get install redis-server).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { until } from './helpers.js';

const SERVER_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const redisMissing = spawnSync('redis-server', ['--version']).error ? 'redis-server is not installed (apt-get install redis-server): the cross-process broker test did not run' : false;
if (redisMissing) console.log(`# ${redisMissing}`);

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: SERVER_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return child;
}

async function serverAt(port: number, dataDir: string, brokerUrl: string): Promise<string> {
  start(process.execPath, ['--import', 'tsx', 'src/main.ts'], { PORT: String(port), DATA_DIR: dataDir, BROKER_URL: brokerUrl, LOG_LEVEL: 'warn' });
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return base;
    } catch {
      if (Date.now() > end) throw new Error(`the server on ${port} did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
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

test('two processes share live delivery through Redis', { skip: redisMissing, timeout: 90000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-broker-'));
  dirs.push(dir);
  const redisPort = await freePort();
  start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const brokerUrl = `redis://127.0.0.1:${redisPort}`;
  await until(() => spawnSync('redis-cli', ['-p', String(redisPort), 'ping']).stdout?.toString().trim() === 'PONG', 10000);
  // One process makes the database first; the second opens it made.
  const a = await serverAt(await freePort(), path.join(dir, 'data'), brokerUrl);
  const b = await serverAt(await freePort(), path.join(dir, 'data'), brokerUrl);

  const register = async (userId: string) => {
    const r = await fetch(`${a}/api/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, password: `${userId}-broker-password`, displayName: userId }) });
    assert.equal(r.status, 201);
    return ((await r.json()) as { token: string }).token;
  };
  const alice = await register('alice');
  const bob = await register('bob');
  const aliceOnA = await Socket.open(a, alice, 'phone');
  const bobOnB = await Socket.open(b, bob, 'phone');

  aliceOnA.ws.send(JSON.stringify({ type: 'send', to: 'bob', text: 'from process A', clientMsgId: 'x1' }));
  await until(() => bobOnB.events.some((e) => e.type === 'message' && e.message.text === 'from process A'), 10000);
  assert.ok(aliceOnA.events.some((e) => e.type === 'ack' && e.clientMsgId === 'x1'));

  const viaB = await fetch(`${b}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bob}` },
    body: JSON.stringify({ to: 'alice', text: 'from process B', clientMsgId: 'y1' }) });
  assert.equal(viaB.status, 201);
  await until(() => aliceOnA.events.some((e) => e.type === 'message' && e.message.text === 'from process B'), 10000);
  assert.equal(bobOnB.events.filter((e) => e.type === 'message').length, 2, 'bob\'s own message reached his socket on B once, and A\'s once');

  // Bob signs out through process A: his socket on process B is closed as the session ended.
  assert.equal((await fetch(`${a}/api/v1/session`, { method: 'DELETE', headers: { authorization: `Bearer ${bob}` } })).status, 204);
  await until(() => bobOnB.closed !== undefined, 10000);
  assert.equal(bobOnB.closed, 4001);
  aliceOnA.ws.close();
});
