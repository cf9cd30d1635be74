// The Push Kit client's HTTP transport (src/push/transport.ts) against a plain node:http server.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { keepAliveTransport } from '../src/push/transport.js';

/** A server that hands each request to `answer`; counts the connections opened to it. */
async function serve(answer: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void) {
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => answer(req, body, res));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

test('posts the headers and body, and answers any status with its text', async () => {
  const seen: { method?: string; type?: string; pushType?: string; body?: string }[] = [];
  const server = await serve((req, body, res) => {
    seen.push({ method: req.method, type: req.headers['content-type'], pushType: req.headers['push-type'] as string, body });
    res.writeHead(seen.length === 1 ? 200 : 503, { 'content-type': 'application/json' }).end(`{"n":${seen.length}}`);
  });
  const transport = keepAliveTransport();
  try {
    const headers = { 'Content-Type': 'application/json', 'push-type': '0' };
    assert.deepEqual(await transport.post(`${server.base}/v3/p/messages:send`, headers, '{"a":1}', 5000), { status: 200, text: '{"n":1}' });
    // An error status is an answer, not a failure: the client decides what it means.
    assert.deepEqual(await transport.post(`${server.base}/v3/p/messages:send`, headers, '{"a":2}', 5000), { status: 503, text: '{"n":2}' });
    assert.deepEqual(seen, [
      { method: 'POST', type: 'application/json', pushType: '0', body: '{"a":1}' },
      { method: 'POST', type: 'application/json', pushType: '0', body: '{"a":2}' },
    ]);
  } finally {
    await transport.close();
    await server.close();
  }
});

test('requests one after another share a kept-alive connection', async () => {
  const server = await serve((_req, _body, res) => res.end('{}'));
  const transport = keepAliveTransport();
  try {
    for (let i = 0; i < 20; i++) await transport.post(server.base, {}, '{}', 5000);
    // A second one may open while the first goes back to the pool; a connection per request would be 20.
    assert.ok(server.connections() <= 2, `${server.connections()} connections for 20 requests`);
  } finally {
    await transport.close();
    await server.close();
  }
});

test('no answer within the timeout is an error, not a wait without end', { timeout: 10000 }, async () => {
  const held: http.ServerResponse[] = [];
  const server = await serve((_req, _body, res) => held.push(res));
  const transport = keepAliveTransport();
  try {
    await assert.rejects(transport.post(server.base, {}, '{}', 300), /timeout/i);
    assert.equal(held.length, 1);
  } finally {
    await transport.close();
    await server.close();
  }
});

test('a refused connection is an error', async () => {
  const server = await serve((_req, _body, res) => res.end('{}'));
  const base = server.base;
  await server.close();
  const transport = keepAliveTransport();
  try {
    await assert.rejects(transport.post(base, {}, '{}', 5000), /ECONNREFUSED/);
  } finally {
    await transport.close();
  }
});
