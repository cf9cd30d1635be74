// The benchmark's load generator, in its own process (bench.ts forks it with node --import tsx; options as
// one JSON argument, reports over the IPC channel). One code path for the three modes:
//   rest    — POST /api/v1/messages per message, the receiver hears it on its WebSocket;
//   socket  — {type:"send"} frames over the sender's WebSocket, answered by ack/nack;
//   ceiling — the same frames to bench/plain-relay.ts (no storage, no authentication).
// Task "setup" creates the accounts (200 clients and the idle users) and writes their tokens to a file;
// task "run" opens the sockets, says "ready", waits for "go", then sends and measures.
import fs from 'node:fs';
import http from 'node:http';
import { WebSocket } from 'ws';
import { messagePlan, percentile } from './stats.js';

export type Mode = 'ceiling' | 'rest' | 'socket';

export interface LoadOptions {
  task: 'setup' | 'run';
  /** http://host:port of the server (or of the plain relay). */
  base: string;
  mode: Mode;
  clients: number;
  messages: number;
  inFlight: number;
  /** Extra authenticated sockets that stay open and silent during the measured phase. */
  idleSockets: number;
  /** Idle sockets are devices i0..i<n-1> of users idle0, idle1, ...: this many devices per user. */
  idleDevicesPerUser: number;
  /** Written by "setup", read by "run" (rest and socket modes). */
  tokensFile: string;
  seed: number;
}

export interface Tokens {
  active: string[];
  idle: string[];
}

export interface LoadResult {
  /** Socket mode against a server that does not take {type:"send"} frames: why (no figures). */
  unsupported?: string;
  /** The run stopped early (a socket closed): why. The figures cover what was delivered until then. */
  aborted?: string;
  messages: number;
  acked: number;
  delivered: number;
  /** Failed sends by reason (HTTP status, nack, ...). */
  failures: Record<string, number>;
  /** First send to last receive. */
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  /** The load generator's own CPU time in the measured phase (user + system). */
  clientCpuSeconds: number;
}

export type FromLoad = { type: 'ready' } | { type: 'setupDone' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };
export type ToLoad = { type: 'go' };

interface LiveEvent {
  type: string;
  clientMsgId?: string;
  message?: { clientMsgId?: string };
  error?: string;
  status?: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(base: string, method: string, path: string, body: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs fn(0..count-1) with at most `limit` at a time; results in index order. */
async function pool<T>(count: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

const idleUsers = (o: LoadOptions) => Math.ceil(o.idleSockets / o.idleDevicesPerUser);

async function setup(o: LoadOptions): Promise<void> {
  // scrypt runs on libuv's thread pool: a few sign-ups at a time use both cores.
  const create = async (userId: string): Promise<string> => {
    const r = await request(o.base, 'POST', '/api/v1/accounts',
      JSON.stringify({ userId, password: `bench-password-${userId}`, displayName: `Bench ${userId}` }));
    if (r.status !== 201) throw new Error(`creating ${userId}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    return (JSON.parse(r.text) as { token: string }).token;
  };
  const active = await pool(o.clients, 4, (i) => create(`u${i}`));
  const idle = await pool(idleUsers(o), 4, (k) => create(`idle${k}`));
  fs.writeFileSync(o.tokensFile, JSON.stringify({ active, idle } satisfies Tokens));
}

/** Opens a socket and resolves on the server's hello; later events go to onEvent. */
function openSocket(url: string, onEvent: (event: LiveEvent) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let hello = false;
    ws.on('message', (data) => {
      const event = JSON.parse((data as Buffer).toString()) as LiveEvent;
      if (hello) onEvent(event);
      else if (event.type === 'hello') {
        hello = true;
        resolve(ws);
      }
    });
    ws.on('error', (e) => {
      if (!hello) reject(e);
    });
    ws.once('close', (code, reason) => {
      if (!hello) reject(new Error(`${url.replace(/token=[^&]*/, 'token=…')}: closed ${code} ${reason.toString()} before hello`));
    });
  });
}

async function run(o: LoadOptions): Promise<LoadResult | undefined> {
  const tokens: Tokens = o.mode === 'ceiling' ? { active: [], idle: [] } : JSON.parse(fs.readFileSync(o.tokensFile, 'utf8')) as Tokens;
  const wsBase = o.base.replace(/^http/, 'ws');
  const activeUrl = (i: number) => (o.mode === 'ceiling' ? `${wsBase}/?user=u${i}`
    : `${wsBase}/api/v1/ws?deviceId=d${i}&token=${encodeURIComponent(tokens.active[i])}`);
  const idleUrl = (k: number) => {
    const user = Math.floor(k / o.idleDevicesPerUser);
    const device = k % o.idleDevicesPerUser;
    return o.mode === 'ceiling' ? `${wsBase}/?user=idle${user}_${device}`
      : `${wsBase}/api/v1/ws?deviceId=i${device}&token=${encodeURIComponent(tokens.idle[user])}`;
  };

  // What the measured phase tracks: sent and not yet received (with the receiver), and sends awaiting an ack.
  const pending = new Map<string, { start: number; to: number }>();
  const acks = new Map<string, (failure: string | null) => void>();
  const latencies: number[] = [];
  let lastReceive = 0;
  let measuring = false;
  let aborted: string | undefined;
  let drained: (() => void) | undefined;
  const onEvent = (j: number) => (event: LiveEvent) => {
    if (event.type === 'message') {
      const id = event.message?.clientMsgId;
      const p = id === undefined ? undefined : pending.get(id);
      if (p && p.to === j) {
        lastReceive = performance.now();
        latencies.push(lastReceive - p.start);
        pending.delete(id as string);
        if (pending.size === 0) drained?.();
      }
    } else if (event.type === 'ack' || event.type === 'nack') {
      const id = event.clientMsgId ?? '';
      const done = acks.get(id);
      if (!done) return;
      acks.delete(id);
      done(event.type === 'ack' ? null : `nack ${event.status ?? '?'} ${event.error ?? ''}`.trim());
    }
  };
  const abort = (why: string) => {
    aborted ??= why;
    for (const done of acks.values()) done('aborted');
    acks.clear();
    drained?.();
  };

  const sockets = await pool(o.clients, 50, (i) => openSocket(activeUrl(i), onEvent(i)));
  const closes: { code: number; reason: string }[] = [];
  sockets.forEach((ws, i) => ws.on('close', (code, reason) => {
    closes.push({ code, reason: reason.toString() });
    if (measuring) abort(`u${i}'s socket closed (${code} ${reason.toString()})`);
  }));
  const idle = await pool(o.idleSockets, 50, (k) => openSocket(idleUrl(k), () => {}));
  let idleClosed = 0;
  for (const ws of idle) ws.on('close', () => { if (measuring) idleClosed += 1; });

  const text = (n: number) => `bench message ${n}`;
  const sendFrame = (from: number, to: number, clientMsgId: string, body: string) => new Promise<string | null>((resolve) => {
    acks.set(clientMsgId, resolve);
    sockets[from].send(JSON.stringify({ type: 'send', clientMsgId, to: `u${to}`, text: body }));
  });
  const sendRest = async (from: number, to: number, clientMsgId: string, body: string): Promise<string | null> => {
    try {
      const r = await request(o.base, 'POST', '/api/v1/messages', JSON.stringify({ to: `u${to}`, text: body, clientMsgId }), tokens.active[from]);
      return r.status === 201 ? null : `HTTP ${r.status}`;
    } catch (e) {
      return `request failed: ${(e as Error).message}`;
    }
  };
  const send = o.mode === 'rest' ? sendRest : sendFrame;

  if (o.mode === 'socket') {
    // Does this server take messages over the socket? A server that does not closes it with 1008.
    const probe = await Promise.race([
      sendFrame(0, 1, 'probe', 'probe'),
      new Promise<string>((resolve) => sockets[0].once('close', (code, reason) => resolve(`closed ${code} ${reason.toString()}`))),
      new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 10 s'), 10_000).unref()),
    ]);
    if (probe !== null) {
      sockets.concat(idle).forEach((ws) => ws.terminate());
      return { unsupported: probe, messages: o.messages, acked: 0, delivered: 0, failures: {}, seconds: 0, throughput: 0,
        p50: NaN, p99: NaN, max: NaN, clientCpuSeconds: 0 };
    }
  }

  // The plan: the same random pairs in every mode and round.
  const { from, to } = messagePlan(o.seed, o.clients, o.messages);

  process.send?.({ type: 'ready' } satisfies FromLoad);
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  measuring = true;
  const failures: Record<string, number> = {};
  let acked = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const firstSend = performance.now();
  await Promise.all(Array.from({ length: o.inFlight }, async () => {
    while (next < o.messages && aborted === undefined) {
      const n = next++;
      const clientMsgId = `c${n}`;
      pending.set(clientMsgId, { start: performance.now(), to: to[n] });
      const failure = await send(from[n], to[n], clientMsgId, text(n));
      if (failure === null) {
        acked += 1;
      } else {
        pending.delete(clientMsgId);
        failures[failure] = (failures[failure] ?? 0) + 1;
      }
    }
  }));
  // Acknowledged but not yet heard by the receiver: wait for them (30 s at most).
  if (pending.size > 0 && aborted === undefined) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, 30_000).unref();
    });
  }
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  if (pending.size > 0) failures['acknowledged, never received'] = pending.size;
  if (idleClosed > 0) failures['idle sockets closed by the server (not messages)'] = idleClosed;
  latencies.sort((a, b) => a - b);
  const seconds = latencies.length > 0 ? (lastReceive - firstSend) / 1000 : 0;
  sockets.concat(idle).forEach((ws) => ws.terminate());
  return {
    aborted, messages: o.messages, acked, delivered: latencies.length, failures,
    seconds, throughput: seconds > 0 ? latencies.length / seconds : 0,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  try {
    if (o.task === 'setup') {
      await setup(o);
      process.send?.({ type: 'setupDone' } satisfies FromLoad);
    } else {
      const result = await run(o);
      if (result) process.send?.({ type: 'result', result } satisfies FromLoad);
    }
  } catch (e) {
    process.send?.({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies FromLoad);
  }
  agent.destroy();
  process.disconnect?.();
}

await main();
