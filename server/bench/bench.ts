// npm run bench: the relay measured from outside. Each run starts a fresh server process (or, for the
// ceiling, bench/plain-relay.ts) and a separate load-generator process (bench/load.ts); rounds run the three
// modes in rotated order, so machine noise falls on each alike. Then the same messages stored with no sockets
// (bench/store.ts), set against the CPU this machine leaves the server at the goal (half the ceiling), and the
// time to fan a group message out to 10,000 offline members through the fake Push Kit (bench/fan-out.ts, a
// fresh process). Prints figures; asserts none.
//
// Environment: BENCH_ROUNDS (3), BENCH_MESSAGES (20000), BENCH_CLIENTS (200), BENCH_IN_FLIGHT (64),
// BENCH_MODES (ceiling,rest,socket), BENCH_IDLE_SOCKETS (0), BENCH_IDLE_DEVICES_PER_USER (100),
// BENCH_PRELOAD_MESSAGES (0), BENCH_FAN_OUT (10000; 0 skips it), BENCH_SERVER_DIR (the server/ folder whose
// src/main.ts is measured: this one unless set, e.g. another checkout to compare against), BENCH_SERVER_NODE_ARGS
// (extra node options for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": figures are then skewed).
import { execFileSync, fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromLoad, LoadOptions, LoadResult, Mode, ToLoad } from './load.js';
import { preloadMessages } from './preload.js';
import { median } from './stats.js';
import type { StoreOptions, StoreResult } from './store.js';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MEASURED_DIR = path.resolve(process.env.BENCH_SERVER_DIR || SERVER_DIR);

function envInt(key: string, fallback: number, min = 0): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${key} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

const ROUNDS = envInt('BENCH_ROUNDS', 3, 1);
const MESSAGES = envInt('BENCH_MESSAGES', 20000, 1);
const CLIENTS = envInt('BENCH_CLIENTS', 200, 2);
const IN_FLIGHT = envInt('BENCH_IN_FLIGHT', 64, 1);
const IDLE_SOCKETS = envInt('BENCH_IDLE_SOCKETS', 0);
const IDLE_DEVICES_PER_USER = Math.min(1000, envInt('BENCH_IDLE_DEVICES_PER_USER', 100, 1));
const PRELOAD = envInt('BENCH_PRELOAD_MESSAGES', 0);
const FAN_OUT = envInt('BENCH_FAN_OUT', 10000);
const MODES = (process.env.BENCH_MODES || 'ceiling,rest,socket').split(',').map((m) => m.trim()) as Mode[];
for (const m of MODES) if (!['ceiling', 'rest', 'socket'].includes(m)) throw new Error(`BENCH_MODES: unknown mode "${m}"`);

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // no getconf: Linux's usual 100
}

/** A process's CPU time so far (user + system, all threads) from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14 and stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The server's environment: nothing inherited but the basics, limits raised for 200 clients on one address. */
function serverEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return {
    PATH, HOME, TMPDIR, LANG, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn',
    RATE_MESSAGES_PER_MIN: '100000', RATE_REQUESTS_PER_MIN: '1000000', RATE_SIGN_IN_PER_ADDRESS_PER_MIN: '100000',
    RATE_SOCKETS_PER_MIN: '100000', MAX_DEVICES_ONLINE: String(Math.max(10, IDLE_DEVICES_PER_USER)),
  };
}

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Starts the server (or the plain relay) with `node --import tsx` and waits for GET /healthz. */
async function startProcess(script: string, env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const cwd = script === 'src/main.ts' ? MEASURED_DIR : SERVER_DIR;
  const nodeArgs = script === 'src/main.ts' ? (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${tail}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${script} did not answer /healthz within 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base, output: () => tail };
}

async function stopProcess(p: Started): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The load generator in its own process; `next()` is its next report. */
function startLoad(options: LoadOptions) {
  const child = fork(path.join(SERVER_DIR, 'bench/load.ts'), [JSON.stringify(options)],
    { cwd: SERVER_DIR, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: FromLoad[] = [];
  let waiting: ((m: FromLoad) => void) | undefined;
  const deliver = (m: FromLoad) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else queue.push(m);
  };
  child.on('message', (m) => deliver(m as FromLoad));
  child.on('exit', (code) => deliver({ type: 'error', message: `load generator exited (${code}) without a report` }));
  return {
    async next(): Promise<FromLoad> {
      const m = queue.shift() ?? await new Promise<FromLoad>((resolve) => { waiting = resolve; });
      if (m.type === 'error') throw new Error(`load generator: ${m.message}`);
      return m;
    },
    go: () => child.send({ type: 'go' } satisfies ToLoad),
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const loadOptions = (task: 'setup' | 'run', base: string, mode: Mode, tokensFile: string): LoadOptions => ({
  task, base, mode, clients: CLIENTS, messages: MESSAGES, inFlight: IN_FLIGHT, idleSockets: IDLE_SOCKETS,
  idleDevicesPerUser: IDLE_DEVICES_PER_USER, tokensFile, seed: 14,
});

/**
 * Accounts are made once, by a first server on a template data directory (and the preload written into
 * it); every measured server starts on a copy, so the tokens stay valid and the runs begin alike.
 */
async function prepareTemplate(root: string): Promise<{ dir: string; tokensFile: string }> {
  const dir = path.join(root, 'template');
  const tokensFile = path.join(root, 'tokens.json');
  const port = await freePort();
  const server = await startProcess('src/main.ts', serverEnv(dir, port), port);
  const started = performance.now();
  const load = startLoad(loadOptions('setup', server.base, 'rest', tokensFile));
  try {
    await load.next();
  } finally {
    await load.stop();
    await stopProcess(server);
  }
  const idleUsers = Math.ceil(IDLE_SOCKETS / IDLE_DEVICES_PER_USER);
  console.log(`setup: ${CLIENTS + idleUsers} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s (not timed below)`);
  if (PRELOAD > 0) {
    const t = performance.now();
    preloadMessages(dir, CLIENTS, PRELOAD);
    const size = fs.statSync(path.join(dir, 'pushuikit.db')).size;
    console.log(`setup: ${PRELOAD} messages preloaded in ${((performance.now() - t) / 1000).toFixed(1)} s, database ${(size / 2 ** 20).toFixed(0)} MiB`);
  }
  return { dir, tokensFile };
}

interface Figures extends LoadResult {
  mode: Mode;
  round: number;
  serverCpuSeconds: number;
  /** Server CPU-seconds per 1,000 delivered messages. */
  cpuPer1000: number;
}

async function measure(mode: Mode, round: number, root: string, template: { dir: string; tokensFile: string }): Promise<Figures> {
  const port = await freePort();
  let dataDir: string | undefined;
  let server: Started;
  if (mode === 'ceiling') {
    const { PATH, HOME, TMPDIR, LANG } = process.env;
    server = await startProcess('bench/plain-relay.ts', { PATH, HOME, TMPDIR, LANG, HOST: '127.0.0.1', PORT: String(port) }, port);
  } else {
    dataDir = path.join(root, `run-${round}-${mode}`);
    fs.cpSync(template.dir, dataDir, { recursive: true });
    server = await startProcess('src/main.ts', serverEnv(dataDir, port), port);
  }
  const pid = server.child.pid as number;
  const load = startLoad(loadOptions('run', server.base, mode, template.tokensFile));
  try {
    let report = await load.next();
    let cpu = Number.NaN;
    if (report.type === 'ready') {
      const before = cpuSeconds(pid);
      load.go();
      report = await load.next();
      cpu = cpuSeconds(pid) - before;
    }
    if (report.type !== 'result') throw new Error(`load generator: unexpected ${report.type}`);
    const r = report.result;
    return { ...r, mode, round, serverCpuSeconds: cpu, cpuPer1000: r.delivered > 0 ? cpu / (r.delivered / 1000) : Number.NaN };
  } catch (e) {
    throw new Error(`${mode}, round ${round}: ${(e as Error).message}\nserver output:\n${server.output()}`);
  } finally {
    await load.stop();
    await stopProcess(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');

function roundLine(f: Figures): string {
  if (f.unsupported) return `  round ${f.round} ${f.mode.padEnd(7)} not supported by this server (${f.unsupported})`;
  const failures = Object.entries(f.failures).map(([k, v]) => `${v} × ${k}`).join(', ');
  return `  round ${f.round} ${f.mode.padEnd(7)} ${f.delivered}/${f.messages} in ${f.seconds.toFixed(2)} s = ${f.throughput.toFixed(0)} msgs/s; ` +
    `p50 ${ms(f.p50)} p99 ${ms(f.p99)} max ${ms(f.max)} ms; server ${f.serverCpuSeconds.toFixed(2)} CPU-s, ` +
    `load generator ${f.clientCpuSeconds.toFixed(2)} CPU-s${failures ? `; failed: ${failures}` : ''}${f.aborted ? `; ABORTED: ${f.aborted}` : ''}`;
}

/** The medians the goal's budget is worked out from (NaN where a mode did not run). */
interface RelaySummary {
  ceiling: number;
  /** The socket path: server and load-generator CPU per message, µs. */
  socketServerMicros: number;
  socketLoadMicros: number;
}

async function relay(): Promise<RelaySummary> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-bench-'));
  try {
    console.log(`relay: ${CLIENTS} clients${IDLE_SOCKETS ? ` + ${IDLE_SOCKETS} idle sockets (${IDLE_DEVICES_PER_USER} devices per user)` : ''}, ` +
      `${MESSAGES} one-to-one messages, ${IN_FLIGHT} in flight, ${ROUNDS} round(s), modes ${MODES.join(', ')} (order rotated per round)` +
      `${PRELOAD ? `, database preloaded with ${PRELOAD} messages` : ''}${MEASURED_DIR !== SERVER_DIR ? `; server from ${MEASURED_DIR}` : ''}`);
    const needsServer = MODES.some((m) => m !== 'ceiling');
    const template = needsServer ? await prepareTemplate(root) : { dir: '', tokensFile: '' };
    const all: Figures[] = [];
    let socketUnsupported: string | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const order = MODES.map((_, k) => MODES[(k + round - 1) % MODES.length]);
      for (const mode of order) {
        if (mode === 'socket' && socketUnsupported) continue; // probed once: no need to ask again
        const f = await measure(mode, round, root, template);
        if (f.unsupported) socketUnsupported = f.unsupported;
        all.push(f);
        console.log(roundLine(f));
      }
    }
    const ceilingOf = new Map(all.filter((f) => f.mode === 'ceiling').map((f) => [f.round, f.throughput]));
    let footnote = false;
    const rows = [['mode', 'msgs/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU-s / 1,000 msgs', '× ceiling']];
    for (const mode of MODES) {
      const runs = all.filter((f) => f.mode === mode && !f.unsupported);
      if (runs.length === 0) {
        rows.push([mode, '-', '-', '-', '-', '-', '-']);
        continue;
      }
      // The ratio is taken within each round (same machine state), then the median of those.
      const ratios = runs.map((f) => f.throughput / (ceilingOf.get(f.round) ?? Number.NaN));
      const flawed = runs.some((f) => f.aborted !== undefined || Object.keys(f.failures).length > 0);
      if (flawed) footnote = true;
      const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
      rows.push([`${mode}${flawed ? '*' : ''}`, fixed(median(runs.map((f) => f.throughput)), 0), ms(median(runs.map((f) => f.p50))),
        ms(median(runs.map((f) => f.p99))), ms(median(runs.map((f) => f.max))), fixed(median(runs.map((f) => f.cpuPer1000)), 3),
        fixed(median(ratios), 2)]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    console.log(`medians over ${ROUNDS} round(s):`);
    for (const r of rows) console.log(`  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')}`);
    if (footnote) console.log('  * some messages failed or a run stopped early: see the round lines above');
    if (socketUnsupported) console.log(`  socket path: not supported by this server yet (${socketUnsupported})`);
    const socket = all.filter((f) => f.mode === 'socket' && !f.unsupported && f.delivered > 0);
    return {
      ceiling: median(all.filter((f) => f.mode === 'ceiling').map((f) => f.throughput)),
      socketServerMicros: median(socket.map((f) => f.cpuPer1000 * 1000)),
      socketLoadMicros: median(socket.map((f) => (f.clientCpuSeconds * 1e6) / f.delivered)),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The relay's messages stored with no sockets (bench/store.ts, a process of its own). */
async function storeAlone(): Promise<StoreResult> {
  const options: StoreOptions = { clients: CLIENTS, messages: MESSAGES, inFlight: IN_FLIGHT, seed: 14 };
  const child = fork(path.join(SERVER_DIR, 'bench/store.ts'), [JSON.stringify(options)], { cwd: SERVER_DIR, execArgv: ['--import', 'tsx'] });
  let result: StoreResult | undefined;
  child.on('message', (m) => { result = m as StoreResult; });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || result === undefined) throw new Error(`store: the benchmark process exited with ${code}${result ? '' : ' and no result'}`);
  const r = result;
  console.log(`storing alone: the same ${r.messages} messages through Service.sendMessage, ${IN_FLIGHT} in flight, no sockets`);
  console.log(`  ${(r.messages / r.seconds).toFixed(0)} msgs/s; ${r.cpuMicros.toFixed(0)} µs of CPU per message (all threads), ` +
    `${r.loopMicros.toFixed(0)} µs of it on the event loop`);
  return r;
}

/**
 * What the goal (half the ceiling's throughput) leaves the server on this machine: the load generator's CPU
 * at that rate comes off the machine's cores first, since it shares them with the server.
 */
function budget(relayed: RelaySummary, stored: StoreResult): void {
  if (![relayed.ceiling, relayed.socketServerMicros, relayed.socketLoadMicros].every(Number.isFinite)) return;
  const cores = os.cpus().length;
  const rate = relayed.ceiling / 2;
  const loadCores = (rate * relayed.socketLoadMicros) / 1e6;
  const serverMicros = ((cores - loadCores) * 1e6) / rate;
  console.log(`the goal, 0.5 × the ceiling: ${rate.toFixed(0)} msgs/s on ${cores} cores`);
  console.log(`  the load generator needs ${relayed.socketLoadMicros.toFixed(0)} µs of CPU per socket message: ${loadCores.toFixed(2)} cores at that rate`);
  console.log(`  that leaves the server ${serverMicros.toFixed(0)} µs of CPU per message in all its threads, ` +
    `and ${(1e6 / rate).toFixed(0)} µs on its event loop`);
  console.log(`  the socket path used ${relayed.socketServerMicros.toFixed(0)} µs; storing alone used ${stored.cpuMicros.toFixed(0)} µs ` +
    `(${stored.loopMicros.toFixed(0)} µs on the event loop)`);
}

/** The fan-out, in a process of its own: the relay's garbage in this one would land in its figures. */
async function fanOut(): Promise<void> {
  const child = fork(path.join(SERVER_DIR, 'bench/fan-out.ts'), [String(FAN_OUT)], { execArgv: ['--import', 'tsx'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`fan-out: the benchmark process exited with ${code}`);
}

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
  `Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const relayed = await relay();
if (MODES.some((m) => m !== 'ceiling')) budget(relayed, await storeAlone());
if (FAN_OUT > 0) await fanOut();
