// The fan-out benchmark, run by bench.ts in a process of its own (argv[2]: the number of members): a group
// message to that many offline members, their pushes through the fake Push Kit, which runs in yet another
// process, so that the event-loop figure is the server's alone. Prints figures; asserts none.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createServer } from '../src/app.js';
import { CLIENT_ID, TEST_KEYS, testEnvironment } from '../test/helpers.js';

const FAN_OUT = Number(process.argv[2]);
if (!Number.isInteger(FAN_OUT) || FAN_OUT < 1) throw new Error(`fan-out: the number of members must be a positive integer, got "${process.argv[2]}"`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-bench-'));
// The fake Push Kit runs in its own process: the event-loop figure below is the server's alone.
const fake = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-pushkit-child.ts'), [],
  { execArgv: ['--import', 'tsx'], env: { ...process.env, FAKE_PUBLIC_KEY: TEST_KEYS.publicPem } });
const base = await new Promise<string>((resolve) => fake.once('message', (m: { base: string }) => resolve(m.base)));
const accepted = () => new Promise<{ tokens: number; requests: number }>((resolve) => {
  fake.once('message', (m: { tokens: number; requests: number }) => resolve(m));
  fake.send({ count: true });
});
const server = await createServer(loadConfig(testEnvironment(dir, base)), { log: pino({ level: 'warn' }) });
const members: string[] = [];
for (let i = 0; i < FAN_OUT; i++) {
  server.service.createUser(`m${i}`, `Member ${i}`, null);
  server.service.bindDevice(`m${i}`, 'phone', `IQAAAACy0bench${String(i).padStart(8, '0')}xxxxxxxx`, CLIENT_ID);
  members.push(`m${i}`);
}
server.service.createUser('sender', 'Sender', null);
const group = server.service.createGroup('sender', 'Everyone', members);
// How long other work waits for the event loop while the message is stored, its pushes written and sent.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const started = performance.now();
await server.service.sendMessage('sender', { groupId: group.groupId, text: 'hello everyone', clientMsgId: 'fan1' });
const stored = performance.now() - started;
await server.service.fanoutIdle();
const written = performance.now() - started;
let count = await accepted();
while (count.tokens < FAN_OUT && performance.now() - started < 180000) {
  await new Promise((r) => setTimeout(r, 20));
  count = await accepted();
}
const total = performance.now() - started;
loop.disable();
console.log(`fan-out: a group message to ${FAN_OUT} offline members through the fake Push Kit (in its own process)`);
console.log(`  message committed (and acknowledged) in ${stored.toFixed(0)} ms; its ${FAN_OUT} pushes written in slices by ${written.toFixed(0)} ms`);
console.log(`  all ${count.tokens} tokens accepted by Push Kit after ${total.toFixed(0)} ms in ${count.requests} requests`);
console.log(`  event-loop delay meanwhile: max ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`);
await server.close();
fake.disconnect();
fs.rmSync(dir, { recursive: true, force: true });
