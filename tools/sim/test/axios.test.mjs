// @ohos/axios on the host (tools/sim/axios.js) is npm axios doing real HTTP: these tests run a server on
// 127.0.0.1 and check the same API, and that failures without an answer carry the device's codes.
import { test, describe, beforeEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import '../globals.js';
import { KitSim } from '../control.js';
import axios, { AxiosError, isAxiosError, CanceledError } from '../axios.js';
import { freePort } from './helpers.mjs';

/**
 * /json, /echo (method, headers and body back), /status/N, /slow (never answers), /hangup (closes without
 * an answer), /partial (7 of 100 bytes, then closes).
 */
function startServer() {
  const server = http.createServer((req, res) => {
    server.hits += 1;
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/slow') return;
      if (req.url === '/hangup') {
        req.socket.destroy();
        return;
      }
      if (req.url === '/partial') {
        res.writeHead(200, { 'Content-Length': '100', 'Content-Type': 'text/plain' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      const status = /^\/status\/(\d+)/.exec(req.url);
      if (status) {
        res.writeHead(Number(status[1]), { 'Content-Type': 'application/json' }).end('{"error":"planned"}');
        return;
      }
      const body = req.url === '/json' ? { hello: 'world' } :
        { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      res.writeHead(200, { 'Content-Type': 'application/json', 'Retry-After': '7' }).end(JSON.stringify(body));
    });
  });
  server.hits = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    server.url = `http://127.0.0.1:${server.address().port}`;
    resolve(server);
  }));
}


const failureOf = async (promise) => {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
};

let server;
before(async () => {
  server = await startServer();
});
after(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});
beforeEach(() => {
  KitSim.reset();
  server.hits = 0;
});

describe('@ohos/axios on the host: real HTTP, the same API', () => {
  test('GET parses JSON and gives status and headers', async () => {
    const res = await axios.get(`${server.url}/json`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, { hello: 'world' });
    assert.equal(res.headers['retry-after'], '7');
  });

  test('an instance with baseURL, default headers and a request interceptor POSTs JSON', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1`, timeout: 2000, headers: { 'Content-Type': 'application/json' } });
    api.interceptors.request.use((config) => {
      config.headers.set('Authorization', 'Bearer abc');
      return config;
    });
    const res = await api.post('/messages', { text: 'hi' });
    assert.equal(res.data.method, 'POST');
    assert.equal(res.data.url, '/api/v1/messages');
    assert.equal(res.data.headers.authorization, 'Bearer abc');
    assert.deepEqual(JSON.parse(res.data.body), { text: 'hi' });
  });

  test('4xx and 5xx reject with ERR_BAD_REQUEST / ERR_BAD_RESPONSE and the response, as on a device', async () => {
    const e404 = await failureOf(axios.get(`${server.url}/status/404`));
    assert.ok(isAxiosError(e404));
    assert.equal(e404.code, 'ERR_BAD_REQUEST');
    assert.equal(e404.response.status, 404);
    assert.deepEqual(e404.response.data, { error: 'planned' });
    const e503 = await failureOf(axios.get(`${server.url}/status/503`));
    assert.equal(e503.code, 'ERR_BAD_RESPONSE');
    const all = await axios.get(`${server.url}/status/409`, { validateStatus: (s) => s > 0 });
    assert.equal(all.status, 409);
  });

  test('the default export carries axios statics; its instances and their instances share the adapter', async () => {
    assert.equal(axios.AxiosError, AxiosError);
    assert.equal(typeof axios.isAxiosError, 'function');
    assert.equal(typeof axios.create().create, 'function');
    const nested = axios.create({ timeout: 1000 }).create({ baseURL: `http://127.0.0.1:${await freePort()}` });
    const e = await failureOf(nested.get('/x'));
    assert.equal(e.code, 2300007);
  });

  test('a cancelled request is CanceledError (ERR_CANCELED) on both', async () => {
    const controller = new AbortController();
    const pending = axios.get(`${server.url}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const e = await failureOf(pending);
    assert.ok(e instanceof CanceledError);
    assert.equal(e.code, 'ERR_CANCELED');
  });
});

describe('@ohos/axios on the host: failures without an answer carry the device codes', () => {
  test('a timeout is 2300028 (not ECONNABORTED), with Node\'s error as the cause', async () => {
    const e = await failureOf(axios.get(`${server.url}/slow`, { timeout: 50 }));
    assert.ok(isAxiosError(e));
    assert.equal(e.code, 2300028);
    assert.equal(e.response, undefined);
    assert.deepEqual(JSON.parse(e.message), { code: 2300028, message: 'Operation timeout.' });
    assert.equal(e.cause.code, 'ECONNABORTED');
    assert.equal(e.config.timeout, 50);
  });

  test('a refused connection is 2300007 (not ECONNREFUSED)', async () => {
    const e = await failureOf(axios.get(`http://127.0.0.1:${await freePort()}/`));
    assert.equal(e.code, 2300007);
    assert.equal(e.cause.code, 'ECONNREFUSED');
    assert.ok(e instanceof AxiosError);
  });

  test('a server that closes without answering is 2300052', async () => {
    const e = await failureOf(axios.get(`${server.url}/hangup`));
    assert.equal(e.code, 2300052);
  });

  test('an answer cut off mid-body is 2300018, without a response (Node would keep one)', async () => {
    const e = await failureOf(axios.get(`${server.url}/partial`));
    assert.equal(e.code, 2300018);
    assert.equal(e.response, undefined);
  });

  test('offline: 2300006 for a host name, 2300007 for an address; nothing is sent; back online it works', async () => {
    KitSim.network.setOnline(false);
    assert.equal((await failureOf(axios.get('http://im.example.com/x'))).code, 2300006);
    assert.equal((await failureOf(axios.post(`${server.url}/echo`, { a: 1 }))).code, 2300007);
    assert.equal(server.hits, 0);
    KitSim.network.setOnline(true);
    assert.equal((await axios.get(`${server.url}/json`)).status, 200);
  });
});
