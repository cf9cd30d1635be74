// @kit.NetworkKit webSocket on the host is a real client (npm ws) against a real server: these tests run one
// on 127.0.0.1 and check the device's documented shapes, event order and error codes (see NetworkKit.js).
import { test, describe, beforeEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import '../globals.js';
import { KitSim } from '../control.js';
import { webSocket, connection, WS_MAX_SEND_BYTES } from '../kits/NetworkKit.js';
import { codeOf, freePort } from './helpers.mjs';


/** A WebSocket server: /deny answers the upgrade with 401; every connection and its request is kept. */
function startServer() {
  const httpServer = http.createServer((req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const server = { connections: [], requests: [], onConnection: undefined, httpServer, wss };
  wss.on('headers', (headers) => headers.push('X-Server: sim-test'));
  httpServer.on('upgrade', (req, socket, head) => {
    server.requests.push(req);
    if (req.url === '/deny') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = { ws, received: [], closed: undefined };
      ws.on('message', (data, isBinary) => peer.received.push(isBinary ? [...data] : data.toString()));
      ws.on('close', (code, reason) => {
        peer.closed = { code, reason: reason.toString() };
      });
      server.connections.push(peer);
      if (server.onConnection) server.onConnection(peer);
    });
  });
  return new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => {
    server.url = `ws://127.0.0.1:${httpServer.address().port}`;
    resolve(server);
  }));
}

function stopServer(server) {
  for (const c of server.wss.clients) c.terminate();
  server.httpServer.closeAllConnections();
  return new Promise((resolve) => server.httpServer.close(() => resolve()));
}


/** Records every event of a device WebSocket with the arguments its callback got. */
function record(ws) {
  const events = [];
  const waiters = [];
  for (const type of ['open', 'message', 'close', 'error', 'dataEnd', 'headerReceive']) {
    ws.on(type, (...args) => {
      events.push({ type, args });
      for (const w of [...waiters]) {
        if (w.type === type && events.filter((e) => e.type === type).length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }
  return {
    events,
    types: () => events.map((e) => e.type),
    of: (type) => events.filter((e) => e.type === type),
    /** Resolves when `count` events of `type` have arrived; fails after 3 s. */
    waitFor(type, count = 1) {
      if (events.filter((e) => e.type === type).length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} #${count}; got ${events.map((e) => e.type)}`)), 3000);
        waiters.push({ type, count, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
  };
}

/** Waits until `predicate()` holds (real I/O on the server side); fails after 3 s. */
async function until(predicate, what) {
  const end = Date.now() + 3000;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Some time for events that must not come. */
const quietly = () => new Promise((r) => setTimeout(r, 100));

let server;
before(async () => {
  server = await startServer();
});
after(() => stopServer(server));
beforeEach(() => {
  KitSim.reset();
  server.connections.length = 0;
  server.requests.length = 0;
  server.onConnection = undefined;
});

async function openSocket(path = '/chat', options) {
  const ws = webSocket.createWebSocket();
  const rec = record(ws);
  assert.equal(await ws.connect(`${server.url}${path}`, options), true);
  await rec.waitFor('open');
  await until(() => server.connections.length > 0, 'the server to accept');
  return { ws, rec, peer: server.connections[server.connections.length - 1] };
}

describe('webSocket: a connection', () => {
  test('open, text and binary messages both ways, then a close with code and reason', async () => {
    server.onConnection = (peer) => {
      peer.ws.send('hello');
      peer.ws.send(Buffer.from([1, 2, 3]));
    };
    const { ws, rec, peer } = await openSocket();
    const open = rec.of('open')[0];
    assert.equal(open.args.length, 2, 'open is an AsyncCallback (err, value)');
    assert.equal(open.args[0], undefined);
    assert.deepEqual(open.args[1], { status: 101, message: 'Switching Protocols' });
    assert.equal(KitSim.network.openSockets, 1);

    await rec.waitFor('message', 2);
    const [text, binary] = rec.of('message').map((e) => e.args);
    assert.deepEqual(text, [undefined, 'hello']);
    assert.ok(binary[1] instanceof ArrayBuffer, 'a binary frame arrives as an ArrayBuffer');
    assert.deepEqual([...new Uint8Array(binary[1])], [1, 2, 3]);
    assert.deepEqual(rec.types().filter((t) => t === 'message' || t === 'dataEnd'), ['message', 'dataEnd', 'message', 'dataEnd']);

    assert.equal(await ws.send('hi'), true);
    assert.equal(await ws.send(Uint8Array.of(9, 8).buffer), true);
    await until(() => peer.received.length === 2, 'two messages at the server');
    assert.deepEqual(peer.received, ['hi', [9, 8]], 'a string goes as a text frame, an ArrayBuffer as a binary one');

    assert.equal(await ws.close({ code: 1000, reason: 'bye' }), true);
    await rec.waitFor('close');
    assert.deepEqual(rec.of('close')[0].args, [undefined, { code: 1000, reason: 'bye' }]);
    await until(() => peer.closed !== undefined, 'the server to see the close');
    assert.deepEqual(peer.closed, { code: 1000, reason: 'bye' });
    assert.equal(rec.of('error').length, 0);
    assert.equal(KitSim.network.openSockets, 0);
  });

  test('after a close, send and close reject with 2302999 and the same WebSocket can connect again', async () => {
    const { ws, rec } = await openSocket();
    await ws.close();
    await rec.waitFor('close');
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1000, reason: '' });
    assert.equal(await codeOf(ws.send('late')), 2302999);
    assert.equal(await codeOf(ws.close()), 2302999);
    assert.equal(await ws.connect(`${server.url}/again`), true);
    await rec.waitFor('open', 2);
    assert.equal(KitSim.network.openSockets, 1);
  });

  test('the callback forms report like the promises', async () => {
    const ws = webSocket.createWebSocket();
    const rec = record(ws);
    const connected = await new Promise((resolve) => ws.connect(`${server.url}/cb`, (err, value) => resolve([err, value])));
    assert.deepEqual(connected, [undefined, true]);
    await rec.waitFor('open');
    const sent = await new Promise((resolve) => ws.send('x', (err, value) => resolve([err, value])));
    assert.deepEqual(sent, [undefined, true]);
    const closed = await new Promise((resolve) => ws.close({ code: 1001, reason: 'away' }, (err, value) => resolve([err, value])));
    assert.deepEqual(closed, [undefined, true]);
    await rec.waitFor('close');
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1001, reason: 'away' });
    const failed = await new Promise((resolve) => ws.send('y', (err) => resolve(err)));
    assert.equal(failed.code, 2302999);
  });

  test('connect options: header names and values reach the server; headerReceive gives the response headers', async () => {
    const { rec } = await openSocket('/auth', { header: { Authorization: 'Bearer t0k3n', 'X-Empty': '', 'X-Number': 5 } });
    const req = server.requests[0];
    assert.equal(req.headers.authorization, 'Bearer t0k3n');
    assert.equal(req.headers['x-empty'], undefined, 'empty values are not sent');
    assert.equal(req.headers['x-number'], undefined, 'only string values are sent');
    const headers = rec.of('headerReceive')[0];
    assert.equal(headers.args.length, 1, 'headerReceive is a Callback (value)');
    assert.equal(headers.args[0]['x-server'], 'sim-test');
    assert.ok(rec.types().indexOf('headerReceive') < rec.types().indexOf('open'));
  });

  test('a close code outside 1000-1015 is sent as 1000, as the device does', async () => {
    const { ws, rec, peer } = await openSocket();
    await ws.close({ code: 4000, reason: 'app' });
    await rec.waitFor('close');
    await until(() => peer.closed !== undefined, 'the server to see the close');
    assert.deepEqual(peer.closed, { code: 1000, reason: 'app' });
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1000, reason: 'app' });
  });

  test('close while connecting: open comes, then the close', async () => {
    const ws = webSocket.createWebSocket();
    const rec = record(ws);
    await ws.connect(`${server.url}/early`);
    assert.equal(await ws.close({ code: 1000, reason: 'changed my mind' }), true);
    await rec.waitFor('close');
    assert.deepEqual(rec.types().filter((t) => t !== 'headerReceive'), ['open', 'close']);
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1000, reason: 'changed my mind' });
  });
});

describe('webSocket: failures', () => {
  test('a refused port: connect resolves true, then one error 200 and neither open nor close', async () => {
    const ws = webSocket.createWebSocket();
    const rec = record(ws);
    assert.equal(await ws.connect(`ws://127.0.0.1:${await freePort()}/`), true);
    await rec.waitFor('error');
    await quietly();
    assert.deepEqual(rec.types(), ['error']);
    const args = rec.of('error')[0].args;
    assert.equal(args.length, 1, 'error is an ErrorCallback (err)');
    assert.equal(args[0].code, 200);
    assert.equal(args[0].data, '0');
    assert.equal(KitSim.network.openSockets, 0);
    assert.equal(await codeOf(ws.send('x')), 2302999);
  });

  test('the server refuses the upgrade (401): error 200 with the status, no open, no close', async () => {
    const ws = webSocket.createWebSocket();
    const rec = record(ws);
    assert.equal(await ws.connect(`${server.url}/deny`), true);
    await rec.waitFor('error');
    await quietly();
    assert.deepEqual(rec.types(), ['error']);
    assert.equal(rec.of('error')[0].args[0].code, 200);
    assert.equal(rec.of('error')[0].args[0].data, '401');
    assert.equal(await ws.connect(`${server.url}/retry`), true, 'the WebSocket may connect again');
    await rec.waitFor('open');
  });

  test('the server closes: close with its code and reason, no error', async () => {
    const { rec, peer } = await openSocket();
    peer.ws.close(4001, 'session ended');
    await rec.waitFor('close');
    assert.deepEqual(rec.of('close')[0].args, [undefined, { code: 4001, reason: 'session ended' }]);
    assert.equal(rec.of('error').length, 0);
    assert.equal(KitSim.network.openSockets, 0);
  });

  test('the server closes without a status code: close 1000', async () => {
    const { rec, peer } = await openSocket();
    peer.ws.close();
    await rec.waitFor('close');
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1000, reason: '' });
  });

  test('the server vanishes without a close frame: error 200, then close 1005 "The link is down"', async () => {
    const { rec, peer } = await openSocket();
    peer.ws.terminate();
    await rec.waitFor('close');
    assert.deepEqual(rec.types().filter((t) => t === 'error' || t === 'close'), ['error', 'close']);
    assert.equal(rec.of('error')[0].args[0].code, 200);
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1005, reason: 'The link is down' });
  });
});

describe('webSocket: the simulated network', () => {
  test('dropSockets kills open sockets without a close handshake: error 200, then close 1005', async () => {
    const a = await openSocket('/a');
    const b = await openSocket('/b');
    assert.equal(KitSim.network.openSockets, 2);
    assert.equal(KitSim.network.dropSockets(), 2);
    await a.rec.waitFor('close');
    await b.rec.waitFor('close');
    for (const { rec } of [a, b]) {
      assert.deepEqual(rec.types().filter((t) => t === 'error' || t === 'close'), ['error', 'close']);
      assert.equal(rec.of('error')[0].args[0].code, 200);
      assert.deepEqual(rec.of('close')[0].args[1], { code: 1005, reason: 'The link is down' });
    }
    assert.equal(KitSim.network.openSockets, 0);
    await until(() => a.peer.closed && b.peer.closed, 'the server to lose both');
    assert.equal(a.peer.closed.code, 1006, 'no close frame reached the server');
    assert.equal(KitSim.network.dropSockets(), 0);
  });

  test('going offline drops open sockets and tells NetConnections; connects fail until it is back', async () => {
    const { rec } = await openSocket();
    const conn = connection.createNetConnection();
    const net = [];
    conn.on('netLost', () => net.push('lost'));
    conn.register();
    KitSim.network.setOnline(false);
    assert.deepEqual(net, ['lost']);
    await rec.waitFor('close');
    assert.deepEqual(rec.of('close')[0].args[1], { code: 1005, reason: 'The link is down' });

    const ws = webSocket.createWebSocket();
    const offline = record(ws);
    const accepted = server.connections.length;
    assert.equal(await ws.connect(`${server.url}/offline`), true, 'the request is created; it fails later');
    await offline.waitFor('error');
    await quietly();
    assert.deepEqual(offline.types(), ['error']);
    assert.equal(offline.of('error')[0].args[0].code, 200);
    assert.equal(server.connections.length, accepted, 'nothing reached the server');

    KitSim.network.setOnline(true);
    assert.equal(await ws.connect(`${server.url}/online`), true);
    await offline.waitFor('open');
  });

  test('cutOff: one simulated device loses its link, the others keep theirs, until restoreLink', async () => {
    const bob = await openSocket('/ws?deviceId=bob-phone');
    const alice = await openSocket('/ws?deviceId=alice-phone');
    assert.equal(KitSim.network.cutOff('deviceId=bob-phone'), 1);
    await bob.rec.waitFor('close');
    assert.deepEqual(bob.rec.of('close')[0].args[1], { code: 1005, reason: 'The link is down' });
    await quietly();
    assert.deepEqual(alice.rec.of('close'), [], 'the other device is not affected');

    const again = webSocket.createWebSocket();
    const rec = record(again);
    const accepted = server.connections.length;
    assert.equal(await again.connect(`${server.url}/ws?deviceId=bob-phone`), true);
    await rec.waitFor('error');
    assert.equal(server.connections.length, accepted, 'a cut-off device reaches nothing');

    KitSim.network.restoreLink('deviceId=bob-phone');
    assert.equal(await again.connect(`${server.url}/ws?deviceId=bob-phone`), true);
    await rec.waitFor('open');
  });

  test('KitSim.reset closes old sockets without events to the old listeners', async () => {
    const { rec, peer } = await openSocket();
    KitSim.reset();
    assert.equal(KitSim.network.openSockets, 0);
    await until(() => peer.closed !== undefined, 'the server to lose the socket');
    await quietly();
    assert.deepEqual(rec.types().filter((t) => t === 'error' || t === 'close'), []);
  });
});

describe('webSocket: arguments and states', () => {
  test('connect: 401 for a non-string url or bad options, 2302001 for a bad URL, 2302003 when connected', async () => {
    const ws = webSocket.createWebSocket();
    assert.equal(await codeOf(ws.connect(42)), 401);
    assert.equal(await codeOf(ws.connect(`${server.url}/`, 'header')), 401);
    assert.equal(await codeOf(ws.connect(`${server.url}/`, { protocol: 7 })), 401);
    assert.equal(await codeOf(ws.connect('http://127.0.0.1/')), 2302001);
    assert.equal(await codeOf(ws.connect('ws://')), 2302001);
    assert.equal(await codeOf(ws.connect('not a url')), 2302001);
    assert.equal(await codeOf(ws.connect(`${server.url}/`, { caPath: '/nonexistent/ca.pem' })), 2302002);
    const rec = record(ws);
    await ws.connect(`${server.url}/first`);
    assert.equal(await codeOf(ws.connect(`${server.url}/second`)), 2302003, 'still connecting');
    await rec.waitFor('open');
    assert.equal(await codeOf(ws.connect(`${server.url}/second`)), 2302003, 'connected');
  });

  test('a URL longer than 1024 characters is 2302001 before API 15, allowed up to 2048 from then', async () => {
    const long = `${server.url}/${'a'.repeat(1100)}`;
    const ws = webSocket.createWebSocket();
    assert.equal(await codeOf(ws.connect(long)), 2302001);
    KitSim.device.sdkApiVersion = 15;
    const rec = record(ws);
    assert.equal(await ws.connect(long), true);
    await rec.waitFor('open');
    assert.equal(await codeOf(webSocket.createWebSocket().connect(`${server.url}/${'a'.repeat(2100)}`)), 2302001);
  });

  test('send: only after open; a string or a non-empty ArrayBuffer up to 5 MB - 16 bytes, else 401', async () => {
    const fresh = webSocket.createWebSocket();
    assert.equal(await codeOf(fresh.send('too early')), 2302999, 'never connected');
    const rec = record(fresh);
    await fresh.connect(`${server.url}/connecting`);
    assert.equal(await codeOf(fresh.send('still too early')), 2302999, 'connecting');
    await rec.waitFor('open');
    const { ws, peer } = await openSocket();
    assert.equal(await codeOf(ws.send(Uint8Array.of(1))), 401, 'a typed array is not an ArrayBuffer');
    assert.equal(await codeOf(ws.send(new ArrayBuffer(0))), 401);
    assert.equal(await codeOf(ws.send({ text: 'x' })), 401);
    assert.equal(await codeOf(ws.send('x'.repeat(WS_MAX_SEND_BYTES + 1))), 401);
    assert.equal(await ws.send(''), true, 'an empty string is a message');
    await until(() => peer.received.length === 1, 'the empty message');
    assert.deepEqual(peer.received, ['']);
  });

  test('on/off: unknown events and missing callbacks are 401; off without a callback removes them all', async () => {
    const ws = webSocket.createWebSocket();
    assert.throws(() => ws.on('opened', () => {}), (e) => e.code === 401);
    assert.throws(() => ws.on('open'), (e) => e.code === 401);
    const seen = [];
    const one = () => seen.push('one');
    ws.on('open', one);
    ws.on('open', () => seen.push('two'));
    ws.off('open', one);
    const rec = record(ws);
    await ws.connect(`${server.url}/`);
    await rec.waitFor('open');
    assert.deepEqual(seen, ['two']);
    ws.off('close');
    await ws.close();
    await quietly();
    assert.equal(rec.of('close').length, 0);
  });

  test('close: 401 for bad options, 2302999 without a connection', async () => {
    const ws = webSocket.createWebSocket();
    assert.equal(await codeOf(ws.close()), 2302999);
    assert.equal(await codeOf(ws.close('now')), 401);
  });
});
