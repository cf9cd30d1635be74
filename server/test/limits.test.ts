// Least privilege and abuse limits: file modes, WebSocket caps, request limits, push-token moves, and
// what the log may contain.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { startRig, login, call, bindDevice, passwordOf, LiveDevice, until, CLIENT_ID } from './helpers.js';
import type { Rig } from './helpers.js';
import { openDb } from '../src/db.js';
import { CLOSE_REPLACED, CLOSE_TOO_MANY_DEVICES, CLOSE_TOO_MANY_FRAMES } from '../src/app.js';

const TOKEN_A = 'IQAAAACy0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('files', () => {
  test('the data folder is 0700 and the database files 0600', async () => {
    const rig = await startRig();
    try {
      await login(rig, 'alice'); // a write, so the -wal and -shm files exist
      const dataDir = rig.config.dataDir;
      assert.equal(mode(dataDir), 0o700);
      for (const name of ['pushuikit.db', 'pushuikit.db-wal', 'pushuikit.db-shm']) {
        assert.equal(mode(path.join(dataDir, name)), 0o600, name);
      }
    } finally {
      await rig.stop();
    }
  });

  test('looser modes left by an older version are tightened at start', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-modes-'));
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'pushuikit.db'), '');
    fs.chmodSync(path.join(dataDir, 'pushuikit.db'), 0o644);
    const db = openDb(dataDir);
    try {
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(path.join(dataDir, 'pushuikit.db')), 0o600);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('WebSocket limits', () => {
  test('a user has at most MAX_DEVICES_ONLINE devices online; one more is closed with 4008', async () => {
    const rig = await startRig({ MAX_DEVICES_ONLINE: '2' });
    try {
      const token = await login(rig, 'alice');
      const phone = await LiveDevice.connect(rig, token, 'phone');
      const tablet = await LiveDevice.connect(rig, token, 'tablet');
      const third = await connectRaw(rig, token, 'laptop');
      assert.equal(third.code, CLOSE_TOO_MANY_DEVICES);
      assert.match(third.reason, /at most 2 devices/);
      assert.deepEqual([...rig.server.hub.onlineDevices('alice')].sort(), ['phone', 'tablet']);
      await phone.close();
      await until(() => rig.server.hub.onlineDevices('alice').size === 1);
      const laptop = await LiveDevice.connect(rig, token, 'laptop');
      assert.equal(laptop.closed, undefined, 'a freed place can be taken');
      await laptop.close();
      await tablet.close();
    } finally {
      await rig.stop();
    }
  });

  test('a device over MAX_SOCKETS_PER_DEVICE keeps its newest socket; the oldest is closed with 4009', async () => {
    const rig = await startRig({ MAX_SOCKETS_PER_DEVICE: '1' });
    try {
      const token = await login(rig, 'bob');
      const old = await LiveDevice.connect(rig, token, 'phone');
      const fresh = await LiveDevice.connect(rig, token, 'phone');
      await until(() => old.closed !== undefined);
      assert.equal(old.closed?.code, CLOSE_REPLACED);
      assert.equal(fresh.closed, undefined);
      assert.deepEqual([...rig.server.hub.onlineDevices('bob')], ['phone'], 'still online through the new socket');
      await fresh.close();
    } finally {
      await rig.stop();
    }
  });

  test('a socket that floods frames is closed with 4029', async () => {
    const rig = await startRig();
    try {
      const token = await login(rig, 'carol');
      const device = await LiveDevice.connect(rig, token, 'phone');
      for (let i = 0; i < 25; i++) device.socket.send(JSON.stringify({ type: 'ping' }));
      await until(() => device.closed !== undefined);
      assert.equal(device.closed?.code, CLOSE_TOO_MANY_FRAMES);
      assert.equal(device.of('pong').length, 20);
    } finally {
      await rig.stop();
    }
  });

  test('connections per user are rate limited (429 on the upgrade)', async () => {
    const rig = await startRig({ RATE_SOCKETS_PER_MIN: '2' });
    try {
      const token = await login(rig, 'dave');
      (await LiveDevice.connect(rig, token, 'a')).socket.terminate();
      (await LiveDevice.connect(rig, token, 'b')).socket.terminate();
      await assert.rejects(LiveDevice.connect(rig, token, 'c'), /429/);
    } finally {
      await rig.stop();
    }
  });

  test('a protocol error is logged once as a warning, without a stack trace', async () => {
    const rig = await startRig();
    try {
      const token = await login(rig, 'erin');
      const device = await LiveDevice.connect(rig, token, 'phone');
      device.socket.send('x'.repeat(64 * 1024 + 1)); // over maxPayload
      await until(() => device.closed !== undefined);
      await until(() => rig.logs.some((l) => l.includes('WebSocket protocol error')));
      const lines = rig.logs.filter((l) => l.includes('WebSocket protocol error')).map((l) => JSON.parse(l) as { level: number });
      assert.equal(lines.length, 1);
      assert.equal(lines[0].level, 40);
      assert.ok(rig.logs.every((l) => !l.includes('"stack"') && !/\n\s+at /.test(l)), 'no stack trace');
    } finally {
      await rig.stop();
    }
  });
});

/** Opens a socket and waits for the server to close it; returns the close code and reason. */
async function connectRaw(rig: Rig, token: string, deviceId: string): Promise<{ code: number; reason: string }> {
  if (!rig.server.app.server.listening) await rig.server.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (rig.server.app.server.address() as AddressInfo).port;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws?deviceId=${deviceId}`, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('the server did not close the socket'));
    }, 5000);
    socket.once('error', reject);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

describe('request limits', () => {
  test('every authenticated request counts toward a per-user limit', async () => {
    const rig = await startRig({ RATE_REQUESTS_PER_MIN: '5' });
    try {
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      const codes = [];
      for (let i = 0; i < 6; i++) codes.push((await call(rig, alice, 'GET', '/unread')).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
      const limited = await call(rig, alice, 'GET', '/settings');
      assert.equal(limited.statusCode, 429);
      assert.match(limited.json().error, /at most 5 per minute/);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await call(rig, bob, 'GET', '/unread')).statusCode, 200, 'per user');
    } finally {
      await rig.stop();
    }
  });
});

describe('push-token moves', () => {
  test('a token moving to another user is logged without the token, and moves are limited per day', async () => {
    let shift = 0;
    const rig = await startRig({ TOKEN_MOVES_PER_DAY: '2' }, () => Date.now() + shift);
    try {
      const bob = await login(rig, 'bob');
      const carol = await login(rig, 'carol');
      await bindDevice(rig, bob, 'phone', TOKEN_A);
      await bindDevice(rig, bob, 'phone', TOKEN_A); // the same user again: not a move
      assert.equal(rig.logs.filter((l) => l.includes('moved to another user')).length, 0);
      await bindDevice(rig, carol, 'phone', TOKEN_A);
      const moved = rig.logs.filter((l) => l.includes('moved to another user')).map((l) => JSON.parse(l));
      assert.equal(moved.length, 1);
      assert.equal(moved[0].fromUser, 'bob');
      assert.equal(moved[0].toUser, 'carol');
      assert.equal(typeof moved[0].tokenRef, 'string');
      assert.ok(rig.logs.every((l) => !l.includes(TOKEN_A)), 'the token itself is never logged');

      await bindDevice(rig, bob, 'phone', TOKEN_A); // move 2
      const third = await call(rig, carol, 'PUT', '/devices/phone', { pushToken: TOKEN_A, clientId: CLIENT_ID });
      assert.equal(third.statusCode, 429);
      assert.equal(third.json().field, 'body/pushToken');
      assert.ok(Number(third.headers['retry-after']) > 0);
      const holder = rig.server.db.prepare('SELECT user_id FROM devices WHERE push_token = ?').get(TOKEN_A) as { user_id: string };
      assert.equal(holder.user_id, 'bob', 'a refused move changes nothing');

      shift += 24 * 3600 * 1000 + 1000;
      assert.equal((await call(rig, carol, 'PUT', '/devices/phone', { pushToken: TOKEN_A, clientId: CLIENT_ID })).statusCode, 204, 'a day later it may move again');
    } finally {
      await rig.stop();
    }
  });
});

describe('secrets in the log', () => {
  test('passwords, session tokens and push tokens never reach the log', async () => {
    const rig = await startRig();
    try {
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', TOKEN_A);
      await rig.inject({ method: 'POST', url: '/api/v1/session', payload: { userId: 'alice', password: 'wrong password' } });
      await bindDevice(rig, bob, 'phone', TOKEN_A, 'unknown-client'); // logs a warning about the device
      await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'hello', clientMsgId: 'm1' });
      const ws = await LiveDevice.connect(rig, alice, 'phone', { tokenInQuery: true });
      ws.socket.send('not json');
      await until(() => ws.closed !== undefined);
      assert.ok(rig.logs.length > 0);
      for (const secret of [passwordOf('alice'), passwordOf('bob'), 'wrong password', alice, bob, TOKEN_A]) {
        assert.ok(rig.logs.every((l) => !l.includes(secret)), `${secret.slice(0, 6)}... is not logged`);
      }
    } finally {
      await rig.stop();
    }
  });
});
