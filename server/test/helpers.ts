// Starts the server for a test: a temporary data folder, a certificate whose service account is the
// test key, and Push Kit pointed at the fake.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import type { Config } from '../src/config.js';
import { createServer } from '../src/app.js';
import type { Server } from '../src/app.js';
import { openDb } from '../src/db.js';
import type { Db } from '../src/db.js';
import { FakePushKit, KEY_ID, PROJECT_ID, SUB_ACCOUNT, testKeyPair } from './fake-pushkit.js';

export const CLIENT_ID = '111222333';
export const VOIP_CLIENT_ID = '444555666';
export const TEST_CLIENT_ID = '777888999';

/** The service account's key pair: the server signs with the private half, the fake verifies with the public. */
export const TEST_KEYS = testKeyPair();

export interface Rig {
  server: Server;
  fake: FakePushKit;
  config: Config;
  dir: string;
  logs: string[];
  inject: Server['app']['inject'];
  stop(): Promise<void>;
}

/** Writes the service account and the certificate list; returns the environment to start with. */
export function testEnvironment(dir: string, fakeBase: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const sa = path.join(dir, 'service-account.json');
  fs.writeFileSync(sa, JSON.stringify({ project_id: PROJECT_ID, key_id: KEY_ID, private_key: TEST_KEYS.privatePem, sub_account: SUB_ACCOUNT, type: 'service_account' }));
  const certs = path.join(dir, 'certs.json');
  fs.writeFileSync(certs, JSON.stringify([
    { name: CLIENT_ID, serviceAccount: sa, category: 'IM', voip: false },
    { name: VOIP_CLIENT_ID, serviceAccount: sa, category: 'IM', voip: true },
    { name: TEST_CLIENT_ID, serviceAccount: sa, category: 'IM', testMessage: true },
  ]));
  return { DATA_DIR: path.join(dir, 'data'), PUSH_CERTS: certs, PUSH_API_BASE: fakeBase, CALL_TIMEOUT_MS: '1500', HEARTBEAT_MS: '5000', ...extra };
}

export async function startRig(extra: NodeJS.ProcessEnv = {}, now?: () => number): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-server-'));
  const fake = new FakePushKit(TEST_KEYS.publicPem);
  const base = await fake.start();
  const config = loadConfig(testEnvironment(dir, base, extra));
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => { logs.push(line); } });
  const server = await createServer(config, { log, now, sleep: () => new Promise((r) => setTimeout(r, 1)), scryptLog2N: TEST_SCRYPT_LOG2N });
  return {
    server, fake, config, dir, logs,
    inject: server.app.inject.bind(server.app),
    async stop() {
      await server.close();
      await fake.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Passwords are hashed with less work in tests (the production cost is 2^15). */
export const TEST_SCRYPT_LOG2N = 10;

/** The password the helpers give a user. */
export function passwordOf(userId: string): string {
  return `pw-${userId}-correct-horse`;
}

/** Registers `userId` (or signs in, when it exists) and returns a session token. */
export async function login(rig: Rig, userId: string, displayName = userId): Promise<string> {
  const r = await rig.inject({ method: 'POST', url: '/api/v1/accounts', payload: { userId, password: passwordOf(userId), displayName } });
  if (r.statusCode === 201) return r.json().token as string;
  const again = await rig.inject({ method: 'POST', url: '/api/v1/session', payload: { userId, password: passwordOf(userId) } });
  if (again.statusCode !== 200) throw new Error(`login ${userId}: ${r.statusCode} ${r.body} / ${again.statusCode} ${again.body}`);
  return again.json().token as string;
}

/** The push profile id the server issued to the owner of `token` (GET /me). */
export async function pushProfileIdOf(rig: Rig, token: string): Promise<string> {
  return (await call(rig, token, 'GET', '/me')).json().pushProfileId as string;
}

export async function call(rig: Rig, token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return rig.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object });
}

/** POST /messages, expecting 201 (a new message): the stored message. */
export async function sendMessage<T>(rig: Rig, from: string, to: { to: string } | { groupId: string }, text: string,
  clientMsgId: string): Promise<T> {
  const r = await call(rig, from, 'POST', '/messages', { ...to, text, clientMsgId });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as T;
}

/** GET /conversations, expecting 200: the items. */
export async function listConversations<T>(rig: Rig, token: string): Promise<T[]> {
  const r = await call(rig, token, 'GET', '/conversations');
  assert.equal(r.statusCode, 200, r.body);
  return r.json().conversations as T[];
}

export async function bindDevice(rig: Rig, token: string, deviceId: string, pushToken: string, clientId = CLIENT_ID): Promise<void> {
  const r = await call(rig, token, 'PUT', `/devices/${deviceId}`, { pushToken, clientId });
  if (r.statusCode !== 204) throw new Error(`bind ${deviceId}: ${r.statusCode} ${r.body}`);
}

/** Waits until the outbox has sent what is due. */
export async function drained(rig: Rig): Promise<void> {
  // A large group's pushes are queued in slices after its message: wait for those first.
  await rig.server.service.fanoutIdle();
  rig.server.outbox.kick();
  await rig.server.outbox.idle();
}

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A TCP port free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * The server as `npm start` runs it, in a child process on `port` (tests that kill it or run several);
 * resolves once GET /healthz answers.
 */
export async function startServerProcess(env: NodeJS.ProcessEnv, port: number, timeoutMs = 30000): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR, env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the server on port ${port} did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A request to a server started as a process (`base` is http://127.0.0.1:<port>); JSON in, Response out. */
export async function apiAt(base: string, method: string, url: string, token: string | undefined, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/v1${url}`, {
    method,
    // No content type without a body: fastify refuses an empty JSON body (400).
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A test body given a database opened in a temporary folder (with `sql` run first), both gone afterwards. */
export function withTempDb(sql: string, run: (db: Db, dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-db-'));
    const db = openDb(dir);
    db.exec(sql);
    try {
      await run(db, dir);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A live device: a WebSocket to the server that collects events. */
export class LiveDevice {
  readonly events: any[] = [];
  socket!: WebSocket;
  closed: { code: number } | undefined;

  static async connect(rig: Rig, token: string, deviceId: string, options: { autoPong?: boolean; tokenInQuery?: boolean } = {}): Promise<LiveDevice> {
    if (!rig.server.app.server.listening) await rig.server.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (rig.server.app.server.address() as AddressInfo).port;
    const d = new LiveDevice();
    const url = `ws://127.0.0.1:${port}/api/v1/ws?deviceId=${deviceId}${options.tokenInQuery ? `&token=${token}` : ''}`;
    d.socket = new WebSocket(url, { headers: options.tokenInQuery ? {} : { authorization: `Bearer ${token}` }, autoPong: options.autoPong ?? true });
    d.socket.on('message', (data) => d.events.push(JSON.parse(data.toString())));
    d.socket.on('close', (code) => { d.closed = { code }; });
    await new Promise<void>((resolve, reject) => {
      d.socket.once('error', reject);
      d.socket.once('open', () => resolve());
    });
    await until(() => d.events.some((e) => e.type === 'hello'));
    return d;
  }

  of(type: string): any[] {
    return this.events.filter((e) => e.type === type);
  }

  async close(): Promise<void> {
    this.socket.close();
    await until(() => this.closed !== undefined);
  }
}
