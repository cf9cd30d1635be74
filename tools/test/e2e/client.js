'use strict';
// Starts and stops the end-to-end harness (harness.mjs) as a child process: used by tools/test/run.js for
// modules with src/test/e2e.json5, and by the harness's own tests.
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '../../..');
const HARNESS = path.join(__dirname, 'harness.mjs');
const READY_PREFIX = '@@e2e-harness ';
const START_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 15000;

/**
 * Starts the harness; resolves when its server answers /healthz, to
 * `{ url, serverUrl, pushKitUrl, startupMs, child, stderr(), stop() }`. Rejects with the reason (and the
 * harness's own output) when it cannot start; nothing is left running then.
 */
function startHarness(options = {}) {
  const { serverEnv, timeoutMs = START_TIMEOUT_MS } = options;
  const started = Date.now();
  const args = ['--import', 'tsx', HARNESS];
  if (serverEnv && Object.keys(serverEnv).length > 0) args.push('--server-env', JSON.stringify(serverEnv));
  // stdin stays an open pipe: when this process dies, the harness sees it close and shuts down.
  const child = spawn(process.execPath, args, { cwd: path.join(ROOT, 'server'), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => {
    err = (err + c.toString('utf8')).slice(-20000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM'); // the harness stops its server and removes its data folder
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      exited.then(() => {
        clearTimeout(killer);
        reject(new Error(`the end-to-end harness did not start: ${why}${err.trim() ? `\n${err.trim().slice(-4000)}` : ''}`));
      });
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    exited.then(({ code, signal }) => fail(`it exited (${signal || `code ${code}`})`));
    child.stdout.on('data', (c) => {
      if (settled) return;
      out += c.toString('utf8');
      const l = out.split('\n').find((x) => x.startsWith(READY_PREFIX));
      if (!l) return;
      settled = true;
      clearTimeout(timer);
      const ready = JSON.parse(l.slice(READY_PREFIX.length));
      resolve({
        ...ready,
        startupMs: Date.now() - started,
        harnessStartupMs: ready.startupMs,
        child,
        exited,
        stderr: () => err,
        stop: () => stopHarness(ready.url, child, exited),
      });
    });
  });
}

/**
 * POST /shutdown, then waits for the process to end (SIGKILL after a while; its server follows through
 * the stdin guard). Resolves to the shutdown answer (with `unexpectedExits` of the server), or to
 * `{ error }` when the harness could not answer.
 */
async function stopHarness(url, child, exited) {
  let answer;
  if (child.exitCode === null && child.signalCode === null) {
    try {
      const r = await fetch(`${url}/shutdown`, { method: 'POST', signal: AbortSignal.timeout(5000) });
      answer = await r.json();
    } catch (e) {
      answer = { error: `POST /shutdown: ${e.message}` };
      child.kill('SIGTERM');
    }
  } else {
    answer = { error: `the harness had already exited (${child.signalCode || `code ${child.exitCode}`})` };
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(killer);
  return answer;
}

module.exports = { startHarness, READY_PREFIX, HARNESS };
