// npm test's end-to-end harness: the real companion server in its own process (a temporary DATA_DIR, the
// server tests' service account with a normal, a VoIP and a test Client ID, Push Kit = the server tests'
// fake, which verifies each JWT and records each request), and a small JSON control API on 127.0.0.1 for
// the hypium suites (see README.md next to this file). Run through tsx, since it imports the server's
// TypeScript test helpers:
//   node --import tsx tools/test/e2e/harness.mjs [--server-env '{"HEARTBEAT_MS":"5000"}']
// When ready it prints one line, `@@e2e-harness {"url": ..., ...}`, on stdout and nothing more there.
// It ends on POST /shutdown, SIGTERM, SIGINT, and when its stdin is a pipe that closes (whoever started
// it is gone); it never leaves the server process or the data folder behind.
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FakePushKit } from '../../../server/test/fake-pushkit.ts';
import { CLIENT_ID, VOIP_CLIENT_ID, TEST_CLIENT_ID, TEST_KEYS, testEnvironment } from '../../../server/test/helpers.ts';

export const READY_PREFIX = '@@e2e-harness ';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SERVER_DIR = path.resolve(HERE, '../../../server');
const SERVER_START_TIMEOUT_MS = 30000;
const SERVER_STOP_TIMEOUT_MS = 10000;
const LOG_LINES = 300;
/** request-log.mjs's lines on the server's stdout. */
const REQUEST_PREFIX = '@@e2e-request ';
const ANSWERED_PREFIX = '@@e2e-answered ';
const BARRIER_PATH = '/healthz?e2e-barrier=';
const BARRIER_TIMEOUT_MS = 5000;

/** Limits far above what a suite does, and a call timeout a test can wait out. Overridable by --server-env. */
const SERVER_DEFAULTS = {
  CALL_TIMEOUT_MS: '30000',
  HEARTBEAT_MS: '30000',
  RATE_MESSAGES_PER_MIN: '100000',
  RATE_CALLS_PER_MIN: '100000',
  RATE_DEVICES_PER_MIN: '100000',
  RATE_REQUESTS_PER_MIN: '1000000',
  RATE_SOCKETS_PER_MIN: '100000',
  RATE_SIGN_IN_PER_ADDRESS_PER_MIN: '100000',
  RATE_SIGN_IN_PER_USER_PER_MIN: '100000',
  TOKEN_MOVES_PER_DAY: '1000',
  LOG_LEVEL: 'warn',
};
/** Set by the harness only: where the server listens, keeps its data and sends its pushes. */
const OWNED = new Set(['HOST', 'PORT', 'DATA_DIR', 'PUSH_CERTS', 'PUSH_API_BASE', 'PUSH_SERVICE_ACCOUNT', 'PUSH_CLIENT_ID']);
/** The server's settings a developer's shell may hold (config.ts); the test server must not inherit them. */
const SERVER_SETTING = /^(HOST|PORT|DATA_DIR|INIT_CWD|LOG_LEVEL|PUSH_|CALL_TIMEOUT_MS|SESSION_TTL_SECONDS|AUTH_MODE|EXTERNAL_JWT_|MAX_|DB_BUSY_|TOKEN_MOVES_|BODY_LIMIT_|HEARTBEAT_MS|RATE_)/;

class UsageError extends Error {}

function parseServerEnv(argv) {
  const i = argv.indexOf('--server-env');
  if (i < 0) return {};
  let env;
  try {
    env = JSON.parse(argv[i + 1]);
  } catch {
    throw new UsageError('--server-env must be a JSON object');
  }
  if (env === null || typeof env !== 'object' || Array.isArray(env)) throw new UsageError('--server-env must be a JSON object');
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(k)) throw new UsageError(`--server-env: "${k}" is not an environment variable name`);
    if (OWNED.has(k)) throw new UsageError(`--server-env: ${k} is set by the harness`);
    if (typeof v !== 'string') throw new UsageError(`--server-env: ${k} must be a string`);
  }
  return env;
}

async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** The companion server as a child process: `node --import tsx src/main.ts` in server/, like crash.test.ts. */
class ServerProcess {
  constructor(env, port) {
    this.env = env;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.child = undefined;
    this.starts = 0;
    /** Exits the harness did not ask for (a crash while the suites ran). */
    this.unexpectedExits = [];
    this.log = [];
    /** HTTP requests the server received, by `METHOD /path` (no query), over all its starts. */
    this.requests = new Map();
    /** Those it has answered (the answer written to the connection). */
    this.answered = new Map();
    this.stdoutRest = '';
    this.barriers = new Map();
    this.barrierCount = 0;
  }

  get running() {
    return this.child !== undefined;
  }

  keep(prefix, chunk) {
    for (const l of chunk.toString('utf8').split('\n')) if (l) this.log.push(`${prefix}${l}`);
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
  }

  /** The server's stdout: request-log.mjs's lines are counted (or end a barrier), the others kept in the log. */
  stdout(chunk) {
    const lines = (this.stdoutRest + chunk.toString('utf8')).split('\n');
    this.stdoutRest = lines.pop();
    for (const line of lines) {
      if (line.startsWith(ANSWERED_PREFIX)) {
        const [method, url = ''] = line.slice(ANSWERED_PREFIX.length).split(' ');
        if (url.startsWith(BARRIER_PATH)) continue;
        const key = `${method} ${url.split('?')[0]}`;
        this.answered.set(key, (this.answered.get(key) ?? 0) + 1);
        continue;
      }
      if (!line.startsWith(REQUEST_PREFIX)) {
        if (line) this.keep('', `${line}\n`);
        continue;
      }
      const [method, url = ''] = line.slice(REQUEST_PREFIX.length).split(' ');
      if (url.startsWith(BARRIER_PATH)) {
        this.barriers.get(url.slice(BARRIER_PATH.length))?.();
        continue;
      }
      const key = `${method} ${url.split('?')[0]}`;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    }
  }

  /**
   * The requests counted so far. While the server runs, first a request of the harness's own goes through
   * it: once its line is read, every request the server received before it has been counted.
   */
  async requestCounts() {
    if (this.child) {
      const token = String(++this.barrierCount);
      const seen = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the server did not log the barrier request')), BARRIER_TIMEOUT_MS);
        this.barriers.set(token, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      try {
        await fetch(`${this.url}${BARRIER_PATH}${token}`);
        await seen;
      } finally {
        this.barriers.delete(token);
      }
    }
    const sorted = (map) => Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { counts: sorted(this.requests), answered: sorted(this.answered) };
  }

  async start() {
    if (this.child) return;
    const started = Date.now();
    const preload = (file) => ['--import', pathToFileURL(path.join(HERE, file)).href];
    const child = spawn(process.execPath,
      ['--import', 'tsx', ...preload('stdin-guard.mjs'), ...preload('request-log.mjs'), 'src/main.ts'],
      { cwd: SERVER_DIR, env: { ...this.env, PORT: String(this.port) }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.starts += 1;
    this.stdoutRest = '';
    child.stdout.on('data', (c) => this.stdout(c));
    child.stderr.on('data', (c) => this.keep('', c));
    child.stdin.on('error', () => {}); // the server died first: nothing to tell it
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.exited.then(({ code, signal }) => {
      if (this.child === child) {
        this.child = undefined;
        if (!child.stopping) this.unexpectedExits.push({ code, signal, at: new Date().toISOString(), log: this.log.slice(-40) });
      }
    });
    const deadline = started + SERVER_START_TIMEOUT_MS;
    for (;;) {
      if (this.child !== child) {
        const { code, signal } = await child.exited;
        throw new Error(`the companion server exited while starting (${signal || `code ${code}`}):\n${this.log.slice(-40).join('\n')}`);
      }
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return Date.now() - started;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`the companion server did not answer /healthz within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${this.log.slice(-40).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGTERM (the server closes its sockets and database), SIGKILL if it has not exited in time. */
  async stop() {
    const child = this.child;
    if (!child) return undefined;
    child.stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
    const exit = await child.exited;
    clearTimeout(timer);
    return exit;
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function main(argv = process.argv.slice(2)) {
  const t0 = Date.now();
  const serverEnvOverrides = parseServerEnv(argv);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-e2e-'));
  const fake = new FakePushKit(TEST_KEYS.publicPem);
  let server;
  let control;
  let closing;

  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SERVER_SETTING.test(k)));

  async function shutdown() {
    if (!closing) {
      closing = (async () => {
        try {
          await server?.stop();
        } finally {
          control?.closeAllConnections();
          await new Promise((r) => (control?.listening ? control.close(() => r()) : r()));
          await fake.stop().catch(() => {});
          fs.rmSync(dir, { recursive: true, force: true });
        }
      })();
    }
    return closing;
  }
  const exitAfterShutdown = () => shutdown().then(() => process.exit(0), (e) => {
    process.stderr.write(`e2e harness: ${e.stack || e}\n`);
    process.exit(1);
  });
  process.once('SIGTERM', exitAfterShutdown);
  process.once('SIGINT', exitAfterShutdown);
  const stdin = fs.fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) { // a pipe (child_process uses a socket pair), not a terminal or /dev/null
    process.stdin.on('end', exitAfterShutdown);
    process.stdin.on('error', exitAfterShutdown);
    process.stdin.resume();
  }

  try {
    const pushKitUrl = await fake.start();
    const env = { ...inherited, ...testEnvironment(dir, pushKitUrl, { ...SERVER_DEFAULTS, ...serverEnvOverrides }), HOST: '127.0.0.1' };
    server = new ServerProcess(env, await freePort());
    // One operation on the server at a time: a stop and a start sent together run in order.
    let queue = Promise.resolve();
    const serially = (fn) => {
      const run = queue.then(fn, fn);
      queue = run.catch(() => {});
      return run;
    };

    const state = () => ({
      harnessUrl: `http://127.0.0.1:${control.address().port}`,
      serverUrl: server.url,
      pushKitUrl,
      clientIds: { alert: CLIENT_ID, voip: VOIP_CLIENT_ID, test: TEST_CLIENT_ID },
      dataDir: env.DATA_DIR,
      harnessPid: process.pid,
      server: { running: server.running, pid: server.child?.pid ?? null, starts: server.starts, unexpectedExits: server.unexpectedExits.length },
    });

    const routes = {
      'GET /state': () => state(),
      'GET /pushkit/requests': () => ({
        requests: fake.accepted.map((r) => ({ pushType: r.pushType, tokens: r.tokens, body: r.body, bytes: r.bytes })),
        rejected: [...fake.rejected],
        received: fake.requests,
      }),
      'POST /pushkit/reset': () => {
        fake.reset();
        return { ok: true };
      },
      'GET /server/log': () => ({ lines: [...server.log], unexpectedExits: server.unexpectedExits }),
      'GET /server/requests': async () => server.requestCounts(),
      'POST /server/stop': () => serially(async () => {
        const wasRunning = server.running;
        const exit = await server.stop();
        return { running: false, wasRunning, exitCode: exit?.code ?? null, signal: exit?.signal ?? null };
      }),
      'POST /server/start': () => serially(async () => {
        const wasRunning = server.running;
        const startMs = wasRunning ? 0 : await server.start();
        return { running: true, wasRunning, serverUrl: server.url, startMs };
      }),
      'POST /shutdown': (res) => {
        res.once('finish', exitAfterShutdown);
        return { ok: true, unexpectedExits: server.unexpectedExits };
      },
    };
    const known = new Set(Object.keys(routes).map((k) => k.split(' ')[1]));

    control = http.createServer((req, res) => {
      req.resume(); // no endpoint takes a body
      const url = new URL(req.url || '/', 'http://127.0.0.1');
      const route = routes[`${req.method} ${url.pathname}`];
      if (!route) {
        if (known.has(url.pathname)) return send(res, 405, { error: `${req.method} is not allowed on ${url.pathname}` });
        return send(res, 404, { error: `no such control: ${req.method} ${url.pathname}` });
      }
      if (closing && url.pathname !== '/state') return send(res, 503, { error: 'the harness is shutting down' });
      Promise.resolve()
        .then(() => route(res))
        .then((body) => send(res, 200, body), (e) => send(res, 500, { error: String(e && e.message ? e.message : e) }));
    });
    await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
    const serverStartMs = await server.start();
    const ready = { url: `http://127.0.0.1:${control.address().port}`, serverUrl: server.url, pushKitUrl,
      startupMs: Date.now() - t0, serverStartMs };
    process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
  } catch (e) {
    await shutdown().catch(() => {});
    throw e;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`e2e harness: ${e instanceof UsageError ? e.message : e.stack || e}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
