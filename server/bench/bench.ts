// npm run bench: relay throughput and latency with 200 WebSocket clients on loopback, and the time to fan
// a group message out to 10,000 offline members through the fake Push Kit. Prints figures; asserts none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { createServer } from '../src/app.js';
import { FakePushKit } from '../test/fake-pushkit.js';
import { CLIENT_ID, TEST_KEYS, testEnvironment } from '../test/helpers.js';

const CLIENTS = 200;
const MESSAGES = 10000;
const CONCURRENCY = 64;
const FAN_OUT = 10000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function relay(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-bench-'));
  // Every client registers from 127.0.0.1, and each sends more than the default per-user request limit.
  const config = loadConfig({ DATA_DIR: dir, RATE_MESSAGES_PER_MIN: '100000', RATE_REQUESTS_PER_MIN: '100000',
    RATE_SIGN_IN_PER_ADDRESS_PER_MIN: '100000' });
  const server = await createServer(config, { log: pino({ level: 'warn' }) });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  const tokens: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const r = await fetch(`${base}/api/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `u${i}`, password: `bench-password-${i}`, displayName: `User ${i}` }) });
    tokens.push(((await r.json()) as { token: string }).token);
  }
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  const sockets = await Promise.all(tokens.map((token, i) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/ws?deviceId=d${i}`, { headers: { authorization: `Bearer ${token}` } });
    ws.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string; message?: { clientMsgId: string; senderId: string } };
      if (event.type === 'message' && event.message && event.message.senderId !== `u${i}`) {
        const started = pending.get(event.message.clientMsgId);
        if (started !== undefined) {
          latencies.push(performance.now() - started);
          pending.delete(event.message.clientMsgId);
          received += 1;
        }
      }
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < MESSAGES) {
      const n = next++;
      const from = n % CLIENTS;
      const to = (from + 1 + (n % (CLIENTS - 1))) % CLIENTS;
      const clientMsgId = `b${n}`;
      pending.set(clientMsgId, performance.now());
      const r = await fetch(`${base}/api/v1/messages`, { method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[from]}` },
        body: JSON.stringify({ to: `u${to}`, text: `message ${n}`, clientMsgId }) });
      if (r.status !== 201) throw new Error(`send ${n}: ${r.status}`);
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  while (received < MESSAGES && performance.now() - started < 60000) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(`relay: ${CLIENTS} WebSocket clients, ${MESSAGES} messages over REST with ${CONCURRENCY} in flight`);
  console.log(`  delivered ${received}/${MESSAGES} in ${seconds.toFixed(2)} s = ${(received / seconds).toFixed(0)} messages/s`);
  console.log(`  send-to-receive latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
  sockets.forEach((s) => s.terminate());
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function fanOut(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-bench-'));
  const fake = new FakePushKit(TEST_KEYS.publicPem);
  const env = testEnvironment(dir, await fake.start());
  const server = await createServer(loadConfig(env), { log: pino({ level: 'warn' }) });
  const members: string[] = [];
  for (let i = 0; i < FAN_OUT; i++) {
    server.service.createUser(`m${i}`, `Member ${i}`, null);
    server.service.bindDevice(`m${i}`, 'phone', `IQAAAACy0bench${String(i).padStart(8, '0')}xxxxxxxx`, CLIENT_ID);
    members.push(`m${i}`);
  }
  server.service.createUser('sender', 'Sender', null);
  const group = server.service.createGroup('sender', 'Everyone', members);
  const started = performance.now();
  await server.service.sendMessage('sender', { groupId: group.groupId, text: 'hello everyone', clientMsgId: 'fan1' });
  const stored = performance.now() - started;
  while (fake.tokensOf().length < FAN_OUT && performance.now() - started < 120000) await new Promise((r) => setTimeout(r, 2));
  const total = performance.now() - started;
  console.log(`fan-out: a group message to ${FAN_OUT} offline members through the fake Push Kit`);
  console.log(`  message + ${FAN_OUT} outbox rows committed in ${stored.toFixed(0)} ms`);
  console.log(`  all ${fake.tokensOf().length} tokens accepted by Push Kit after ${total.toFixed(0)} ms in ${fake.accepted.length} requests`);
  await server.close();
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
await relay();
await fanOut();
