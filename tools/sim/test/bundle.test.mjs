// A module's host suite reaches the network simulations the way npm test builds it: tools/test/bundle.js
// maps `@ohos/axios` to tools/sim/axios.js and `@kit.NetworkKit` to the kit simulation, the suite runs in
// its own process under hypium, talks to real servers, and that process ends when the suites do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';

const require = createRequire(import.meta.url);
const { bundleSuites, ROOT } = require('../../test/bundle.js');
const EVENT_PREFIX = '@@hypium-host ';

const SUITE = `import { describe, it, expect } from '@ohos/hypium';
import axios, { AxiosError, AxiosResponse } from '@ohos/axios';
import { webSocket } from '@kit.NetworkKit';
import { BusinessError } from '@kit.BasicServicesKit';
import { KitSim } from '@pushuikit/kitsim';

declare const process: { env: Record<string, string> };

export default function testsuite() {
  describe('HostNetwork', () => {
    it('axiosGet', 0, async () => {
      const res: AxiosResponse<Record<string, string>> = await axios.get(process.env.SIM_HTTP + '/json');
      expect(res.status).assertEqual(200);
      expect(res.data['hello']).assertEqual('world');
    });
    it('axiosRefusedIsTheDeviceCode', 0, async () => {
      let code: Object = 0;
      try {
        await axios.get(process.env.SIM_REFUSED);
      } catch (e) {
        code = (e as AxiosError).code as Object;
      }
      expect(code).assertEqual(2300007);
    });
    it('webSocketEcho', 0, async () => {
      const ws = webSocket.createWebSocket();
      const got = await new Promise<string>((resolve) => {
        ws.on('open', () => {
          ws.send('ping');
        });
        ws.on('message', (err: BusinessError, data: string | ArrayBuffer) => resolve(data as string));
        ws.connect(process.env.SIM_WS);
      });
      expect(got).assertEqual('echo:ping');
      expect(KitSim.network.openSockets).assertEqual(1);
      await ws.close();
    });
  });
}
`;

let httpServer;
let wsServer;
let dir;

before(async () => {
  httpServer = http.createServer((req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"hello":"world"}'));
  await new Promise((r) => httpServer.listen(0, '127.0.0.1', r));
  wsServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wsServer.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${data}`)));
  await new Promise((r) => wsServer.on('listening', r));
  fs.mkdirSync(path.join(ROOT, '.test-out'), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, '.test-out', 'sim-bundle-'));
  fs.mkdirSync(path.join(dir, 'src/test'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src/test/List.test.ets'), SUITE);
});

after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  httpServer.closeAllConnections();
  await new Promise((r) => httpServer.close(r));
  for (const c of wsServer.clients) c.terminate();
  await new Promise((r) => wsServer.close(r));
});

function run(file, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, out });
    });
  });
}

test('a suite bundled by tools/test/bundle.js uses @ohos/axios and webSocket against real servers, and exits', async () => {
  const outFile = path.join(dir, 'suite.cjs');
  await bundleSuites(dir, outFile);
  const refused = http.createServer();
  await new Promise((r) => refused.listen(0, '127.0.0.1', r));
  const refusedUrl = `http://127.0.0.1:${refused.address().port}/`;
  await new Promise((r) => refused.close(r));

  const r = await run(outFile, {
    SIM_HTTP: `http://127.0.0.1:${httpServer.address().port}`,
    SIM_REFUSED: refusedUrl,
    SIM_WS: `ws://127.0.0.1:${wsServer.address().port}/`,
  });
  const events = r.out.split('\n').filter((l) => l.startsWith(EVENT_PREFIX)).map((l) => JSON.parse(l.slice(EVENT_PREFIX.length)));
  const summary = events.find((e) => e.type === 'summary');
  assert.ok(summary, r.out);
  assert.deepEqual({ pass: summary.pass, failure: summary.failure, error: summary.error }, { pass: 3, failure: 0, error: 0 },
    JSON.stringify(events.filter((e) => e.type === 'spec'), null, 1));
  assert.equal(r.signal, null, 'the suite process ended by itself');
  assert.equal(r.status, 0);
});
