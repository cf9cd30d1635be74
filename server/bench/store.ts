// The storing alone, run by bench.ts in a process of its own (argv[2]: JSON StoreOptions): the relay's
// messages (the same plan) through Service.sendMessage with the same number in flight, and no sockets,
// no JSON, no HTTP. What it costs per message is what any arrangement of threads has to spend somewhere
// to store a message, so bench.ts sets it against the CPU the machine leaves the server at the goal.
// Reports over the IPC channel; asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createServer } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { testEnvironment } from '../test/helpers.js';
import { messagePlan } from './stats.js';

export interface StoreOptions {
  clients: number;
  messages: number;
  inFlight: number;
  seed: number;
}

export interface StoreResult {
  messages: number;
  seconds: number;
  /** Process CPU (all threads: the event loop, SQLite's checkpoint thread, libuv) per message, µs. */
  cpuMicros: number;
  /** The event loop's busy time per message, µs. */
  loopMicros: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as StoreOptions;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-bench-'));
try {
  // No Push Kit is reached: the receivers have no devices. (In the socket run they are online, so their
  // push decision needs no device query; here it makes one, an empty one.)
  const server = await createServer(loadConfig(testEnvironment(dir, 'http://127.0.0.1:9')), { log: pino({ level: 'warn' }) });
  for (let i = 0; i < o.clients; i++) server.service.createUser(`u${i}`, `User ${i}`, null);
  const { from, to } = messagePlan(o.seed, o.clients, o.messages);
  let next = 0;
  const loop0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: o.inFlight }, async () => {
    while (next < o.messages) {
      const n = next++;
      await server.service.sendMessage(`u${from[n]}`, { to: `u${to[n]}`, text: `bench message ${n}`, clientMsgId: `c${n}` });
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loop = performance.eventLoopUtilization(loop0);
  await server.close();
  const result: StoreResult = {
    messages: o.messages, seconds, cpuMicros: (cpu.user + cpu.system) / o.messages, loopMicros: (loop.active * 1000) / o.messages,
  };
  if (process.send) {
    const send = process.send.bind(process);
    await new Promise<void>((resolve) => send(result, undefined, undefined, () => resolve()));
    process.disconnect();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
