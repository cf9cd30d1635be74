'use strict';
// The end-to-end harness (tools/test/e2e): the real companion server in its own process behind a JSON
// control API. What the hypium suites rely on: the URLs and Client IDs, pushes recorded by a Push Kit that
// checks the JWT, a server that can be stopped and started again with its data, and nothing left behind.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { alive, until } = require('./processes');
const { startHarness } = require('../e2e/client');
const WebSocket = require('ws');

const PUSH_TOKEN = 'IQAAAACy0e2ee2ee2ee2ee2ee2ee2ee2ee2ee2ee2e';



async function json(url, method = 'GET') {
  const r = await fetch(url, { method });
  assert.match(r.headers.get('content-type') || '', /^application\/json/, `${method} ${url}`);
  return { status: r.status, body: await r.json() };
}

async function api(base, method, url, token, body) {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const password = (userId) => `pw-${userId}-e2e-harness`;

describe('the end-to-end harness', () => {
  let h;
  let state;
  before(async () => {
    h = await startHarness();
    state = (await json(`${h.url}/state`)).body;
  });
  after(async () => {
    if (h) await h.stop();
  });

  test('starts within a few seconds and reports its URLs', () => {
    assert.ok(h.startupMs < 10000, `started in ${h.startupMs} ms`);
    assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(state.harnessUrl, h.url);
    assert.equal(state.serverUrl, h.serverUrl);
    assert.equal(state.pushKitUrl, h.pushKitUrl);
    assert.notEqual(state.serverUrl, state.pushKitUrl);
  });

  test('/state names the normal, VoIP and test Client IDs and a running server', () => {
    assert.deepEqual(state.clientIds, { alert: '111222333', voip: '444555666', test: '777888999' });
    assert.equal(state.server.running, true);
    assert.equal(state.server.unexpectedExits, 0);
    assert.ok(alive(state.server.pid), 'the server is a process of its own');
    assert.notEqual(state.server.pid, state.harnessPid);
  });

  test('the real server answers /healthz', async () => {
    const r = await json(`${state.serverUrl}/healthz`);
    assert.deepEqual(r, { status: 200, body: { ok: true } });
  });

  test('unknown paths are 404 and wrong methods 405, in JSON', async () => {
    const missing = await json(`${h.url}/nothing/here`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no such control: GET \/nothing\/here/);
    const method = await json(`${h.url}/server/stop`, 'GET');
    assert.equal(method.status, 405);
    assert.equal(typeof method.body.error, 'string');
  });

  test("a message to an offline user with a bound device reaches the fake Push Kit, with a valid JWT", async () => {
    assert.equal((await json(`${h.url}/pushkit/reset`, 'POST')).status, 200);
    const alice = await api(state.serverUrl, 'POST', '/accounts', undefined, { userId: 'alice', password: password('alice'), displayName: 'Alice' });
    const bob = await api(state.serverUrl, 'POST', '/accounts', undefined, { userId: 'bob', password: password('bob'), displayName: 'Bob' });
    assert.equal(alice.status, 201);
    assert.equal(bob.status, 201);
    const bind = await api(state.serverUrl, 'PUT', '/devices/bob-phone', bob.body.token, { pushToken: PUSH_TOKEN, clientId: state.clientIds.alert });
    assert.equal(bind.status, 204);
    const sent = await api(state.serverUrl, 'POST', '/messages', alice.body.token, { to: 'bob', text: 'hello from the harness', clientMsgId: 'h1' });
    assert.equal(sent.status, 201);

    let log;
    await until(async () => {
      log = (await json(`${h.url}/pushkit/requests`)).body;
      return log.requests.length > 0;
    });
    assert.deepEqual(log.rejected, [], 'the fake accepted the JWT and the body');
    assert.equal(log.requests.length, 1);
    const [push] = log.requests;
    assert.equal(push.pushType, 0);
    assert.deepEqual(push.tokens, [PUSH_TOKEN]);
    assert.equal(push.body.payload.notification.title, 'Alice');
    assert.equal(push.body.payload.notification.body, 'hello from the harness');
    assert.equal(push.body.payload.notification.clickAction.data.messageId, sent.body.id);
    assert.equal(push.jwt, undefined, 'no credentials in the control API');

    assert.equal((await json(`${h.url}/pushkit/reset`, 'POST')).status, 200);
    assert.deepEqual((await json(`${h.url}/pushkit/requests`)).body, { requests: [], rejected: [], received: 0 });
  });

  test('/server/requests counts the HTTP requests the server served, by method and path; socket requests are not', async () => {
    const counts = async () => (await json(`${h.url}/server/requests`)).body.counts;
    const before = await counts();
    const alice = await api(state.serverUrl, 'POST', '/accounts', undefined, { userId: 'dana', password: password('dana'), displayName: 'Dana' });
    await api(state.serverUrl, 'POST', '/accounts', undefined, { userId: 'carol', password: password('carol'), displayName: 'Carol' });
    const rest = await api(state.serverUrl, 'POST', '/messages', alice.body.token, { to: 'carol', text: 'over REST', clientMsgId: 'h2' });
    assert.equal(rest.status, 201);
    await api(state.serverUrl, 'GET', '/conversations?limit=5', alice.body.token);
    const afterRest = await counts();
    assert.equal(afterRest['POST /api/v1/messages'], (before['POST /api/v1/messages'] ?? 0) + 1, 'counted at once: no waiting');
    assert.equal(afterRest['GET /api/v1/conversations'], (before['GET /api/v1/conversations'] ?? 0) + 1, 'without the query');
    assert.equal(Object.keys(afterRest).some((k) => k.includes('e2e-barrier')), false, 'its own barrier is not counted');
    const answered = (await json(`${h.url}/server/requests`)).body.answered;
    assert.equal(answered['POST /api/v1/messages'], (before['POST /api/v1/messages'] ?? 0) + 1, 'answered ones are counted apart');

    const socket = new WebSocket(`${state.serverUrl.replace('http', 'ws')}/api/v1/ws?deviceId=dana-harness`,
      { headers: { authorization: `Bearer ${alice.body.token}` } });
    const frames = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    socket.send(JSON.stringify({ type: 'send', clientMsgId: 'h3', to: 'carol', text: 'over the socket' }));
    await until(() => frames.some((f) => f.type === 'ack' && f.clientMsgId === 'h3'));
    socket.close();
    const afterSocket = await counts();
    assert.equal(afterSocket['POST /api/v1/messages'], afterRest['POST /api/v1/messages'], 'a socket send is no POST');
    assert.equal(afterSocket['GET /api/v1/ws'], afterRest['GET /api/v1/ws'], 'an upgrade is not a request');
  });

  test('the server can be stopped mid-session and started again with its data', async () => {
    const pidBefore = (await json(`${h.url}/state`)).body.server.pid;
    const stopped = await json(`${h.url}/server/stop`, 'POST');
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.running, false);
    assert.equal(stopped.body.wasRunning, true);
    assert.equal(alive(pidBefore), false, 'the server process has exited');
    await assert.rejects(fetch(`${state.serverUrl}/healthz`), 'nothing listens while it is stopped');
    assert.equal((await json(`${h.url}/state`)).body.server.running, false);
    assert.equal((await json(`${h.url}/server/stop`, 'POST')).body.wasRunning, false, 'stopping twice is harmless');

    const started = await json(`${h.url}/server/start`, 'POST');
    assert.equal(started.status, 200);
    assert.equal(started.body.running, true);
    assert.equal(started.body.serverUrl, state.serverUrl, 'the same port');
    assert.equal((await json(`${state.serverUrl}/healthz`)).status, 200);

    const bob = await api(state.serverUrl, 'POST', '/session', undefined, { userId: 'bob', password: password('bob') });
    assert.equal(bob.status, 200, 'the account survived the restart');
    const conversations = await api(state.serverUrl, 'GET', '/conversations', bob.body.token);
    assert.equal(conversations.body.conversations[0].lastMessage.text, 'hello from the harness');
    const now = (await json(`${h.url}/state`)).body.server;
    assert.equal(now.starts, 2);
    assert.equal(now.unexpectedExits, 0, 'a stop asked for is not a crash');
  });

  test('calls time out after 30 s by default, long enough for a test', async () => {
    const alice = await api(state.serverUrl, 'POST', '/session', undefined, { userId: 'alice', password: password('alice') });
    const call = await api(state.serverUrl, 'POST', '/calls', alice.body.token, { to: 'bob', media: 'audio' });
    assert.equal(call.status, 201);
    assert.equal(call.body.expiresAt - call.body.createdAt, 30000);
  });
});

describe('the end-to-end harness going away', () => {
  test('shutdown leaves no process and no data folder behind', async () => {
    const h = await startHarness();
    const state = (await json(`${h.url}/state`)).body;
    const answer = await h.stop();
    assert.deepEqual(answer, { ok: true, unexpectedExits: [] });
    assert.equal(alive(state.harnessPid), false, 'the harness exited');
    await until(() => !alive(state.server.pid), 2000);
    assert.equal(fs.existsSync(path.dirname(state.dataDir)), false, 'the temporary DATA_DIR is removed');
  });

  test('a server that dies by itself is reported at shutdown', async () => {
    const h = await startHarness();
    const state = (await json(`${h.url}/state`)).body;
    process.kill(state.server.pid, 'SIGKILL');
    await until(async () => (await json(`${h.url}/state`)).body.server.running === false);
    const answer = await h.stop();
    assert.equal(answer.unexpectedExits.length, 1);
    assert.equal(answer.unexpectedExits[0].signal, 'SIGKILL');
  });

  test('a killed harness takes its server with it', async () => {
    const h = await startHarness({ serverEnv: { CALL_TIMEOUT_MS: '5000' } });
    const state = (await json(`${h.url}/state`)).body;
    try {
      // --server-env reaches the server (and the test learns it is the right process).
      const a = await api(state.serverUrl, 'POST', '/accounts', undefined, { userId: 'carol', password: password('carol'), displayName: 'Carol' });
      await api(state.serverUrl, 'POST', '/accounts', undefined, { userId: 'dave', password: password('dave'), displayName: 'Dave' });
      const call = await api(state.serverUrl, 'POST', '/calls', a.body.token, { to: 'dave', media: 'video' });
      assert.equal(call.body.expiresAt - call.body.createdAt, 5000);

      h.child.kill('SIGKILL');
      await h.exited;
      await until(() => !alive(state.server.pid), 10000);
    } finally {
      if (alive(state.server.pid)) process.kill(state.server.pid, 'SIGKILL');
      fs.rmSync(path.dirname(state.dataDir), { recursive: true, force: true }); // nobody was left to remove it
    }
  });

  test('settings the harness owns cannot be overridden, and it says so', async () => {
    await assert.rejects(startHarness({ serverEnv: { PORT: '1' } }), /did not start[\s\S]*PORT is set by the harness/);
    await assert.rejects(startHarness({ serverEnv: { CALL_TIMEOUT_MS: 30000 } }), /CALL_TIMEOUT_MS must be a string/);
  });

  test('a server that cannot start fails the start with its own message', async () => {
    await assert.rejects(startHarness({ serverEnv: { CALL_TIMEOUT_MS: '5' } }),
      /exited while starting[\s\S]*CALL_TIMEOUT_MS must be an integer from 1000/);
  });
});
