'use strict';
// tools/test/run.js with a module that opts in to the end-to-end harness (src/test/e2e.json5): its suites
// get the harness's URL from abilityDelegatorRegistry.getArguments().parameters, and the harness and its
// server are gone after the run, whether the suites passed, failed or hung, and even if the runner dies.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { alive, until } = require('./processes');
const { spawn, spawnSync } = require('child_process');
const { copyProject } = require('../../check/test/helpers');

const TEST_DIR = 'common/base/src/test';
let dir;
let original;
let report;



/**
 * A suite that writes what it got (the runner's arguments, the harness's /state and its own pid) to
 * `report`, then does `then` (TypeScript run inside an async hypium `it`).
 */
function plant({ e2e, then = '' }) {
  const marker = path.join(dir, TEST_DIR, 'e2e.json5');
  if (e2e === undefined) fs.rmSync(marker, { force: true });
  else fs.writeFileSync(marker, e2e);
  fs.writeFileSync(path.join(dir, TEST_DIR, 'List.test.ets'), `import { describe, it, expect } from '@ohos/hypium';
import { abilityDelegatorRegistry } from '@kit.TestKit';
import fs from 'fs';
import http from 'http';

// Node's http, not fetch: tools/sim/globals.js replaces the global Event (ArkUI's @Event) that fetch needs.
function get(url: string): Promise<{ status: number, body: any }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

export default function testsuite() {
  describe('E2E', () => {
    it('reaches the harness', 0, async () => {
      const args = abilityDelegatorRegistry.getArguments();
      const url = args.parameters['harnessUrl'];
      let state = undefined;
      if (url !== undefined) state = (await get(url + '/state')).body;
      fs.writeFileSync(${JSON.stringify(report)}, JSON.stringify({ args, state, pid: process.pid }));
      if (state !== undefined) {
        expect(state.serverUrl).assertEqual(args.parameters['serverUrl']);
        expect((await get(state.serverUrl + '/healthz')).status).assertEqual(200);
      }
      ${then}
    });
  });
}
`);
}

function run(env = {}) {
  fs.rmSync(report, { force: true });
  const r = spawnSync(process.execPath, [path.join(dir, 'tools/test/run.js'), '--only', 'base'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 90000 }); // a runner waiting forever on its harness fails
  if (r.error) throw new Error(`run.js: ${r.error.message}\n${r.stdout}${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const got = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined;
  return { status: r.status, out: r.stdout + r.stderr, last: lines[lines.length - 1], got };
}

/** Nothing of the harness is left: its process, its server's and the temporary DATA_DIR. */
async function assertGone(state) {
  await until(() => !alive(state.harnessPid) && !alive(state.server.pid), 5000).catch(() => {});
  assert.equal(alive(state.harnessPid), false, 'the harness process is gone');
  assert.equal(alive(state.server.pid), false, 'the server process is gone');
  assert.equal(fs.existsSync(path.dirname(state.dataDir)), false, 'the temporary DATA_DIR is removed');
}

describe('tools/test/run.js with the end-to-end harness', () => {
  before(() => {
    dir = copyProject();
    report = path.join(dir, 'e2e-report.json');
    original = fs.readFileSync(path.join(dir, TEST_DIR, 'List.test.ets'), 'utf8');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a module with src/test/e2e.json5 gets the harness URL from getArguments(), and the harness is stopped after', async () => {
    plant({ e2e: '{}\n' });
    const r = run();
    assert.equal(r.status, 0, r.out);
    assert.equal(r.last, '1 passed, 0 failed');
    assert.match(r.out, /ok {3}base {9}1 passed, 0 failed \(end-to-end harness up in \d+\.\d s\)/);
    const { args, state } = r.got;
    assert.equal(args.bundleName, 'com.example.pushuikit');
    assert.equal(typeof args.testCaseNames, 'string');
    assert.equal(typeof args.testRunnerClassName, 'string');
    assert.deepEqual(args.parameters, { harnessUrl: state.harnessUrl, serverUrl: state.serverUrl, pushKitUrl: state.pushKitUrl });
    await assertGone(state);
  });

  test('a module without the marker runs without a harness and with no parameters', () => {
    plant({ e2e: undefined });
    const r = run();
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(r.got.args.parameters, {});
    assert.equal(r.got.state, undefined);
    assert.doesNotMatch(r.out, /end-to-end harness/);
  });

  test('failing end-to-end suites still stop the harness', async () => {
    plant({ e2e: '{}\n', then: "expect('offline').assertEqual('online');" });
    const r = run();
    assert.equal(r.status, 1);
    assert.equal(r.last, '0 passed, 1 failed');
    await assertGone(r.got.state);
  });

  test('suites that hang are stopped at the timeout, and so is the harness', async () => {
    plant({ e2e: '{}\n', then: 'for (;;) { }' });
    const r = run({ PUSHUIKIT_SUITE_TIMEOUT_MS: '4000' });
    assert.equal(r.status, 1);
    assert.match(r.out, /FAILED base: run the suites\n\s+timed out after 4 s/);
    assert.equal(alive(r.got.pid), false);
    await assertGone(r.got.state);
  });

  test('a server that dies during the suites fails the module', async () => {
    plant({ e2e: '{}\n', then: "process.kill(state.server.pid, 'SIGKILL'); await new Promise((r) => setTimeout(r, 300));" });
    const r = run();
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /FAILED base: the end-to-end harness\n\s+the companion server exited by itself \(SIGKILL\)/);
    await assertGone(r.got.state);
  });

  test('a harness that cannot start fails the module with the reason, and no suite runs', () => {
    plant({ e2e: "{ serverEnv: { PORT: '1' } }\n" });
    const r = run();
    assert.equal(r.status, 1);
    assert.match(r.out, /FAIL base {9}the end-to-end harness did not start/);
    assert.match(r.out, /FAILED base: start the end-to-end harness\n\s+the end-to-end harness did not start: .*\n[\s\S]*PORT is set by the harness/);
    assert.equal(r.got, undefined);
  });

  test('a marker with an unknown key fails the module', () => {
    plant({ e2e: "{ serverEnvironment: {} }\n" });
    const r = run();
    assert.equal(r.status, 1);
    assert.match(r.out, /src\/test\/e2e\.json5: unknown key "serverEnvironment"/);
  });

  test('a runner killed mid-run leaves no harness or server behind', async () => {
    plant({ e2e: '{}\n', then: 'for (;;) { }' });
    fs.rmSync(report, { force: true });
    const runner = spawn(process.execPath, [path.join(dir, 'tools/test/run.js'), '--only', 'base'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((r) => runner.once('exit', r));
    let got;
    try {
      await until(() => fs.existsSync(report) && fs.readFileSync(report, 'utf8').endsWith('}'), 30000);
      got = JSON.parse(fs.readFileSync(report, 'utf8'));
      runner.kill('SIGKILL');
      await exited;
      await assertGone(got.state);
    } finally {
      runner.kill('SIGKILL');
      if (got && alive(got.pid)) process.kill(got.pid, 'SIGKILL'); // the orphaned suite process (not the harness's job)
    }
  });
});
