#!/usr/bin/env node
'use strict';
// npm test: `npm run check`, then the host toolchain's own tests (node:test), then every module's hypium
// suites under Node (src/test/List.test.ets), then the companion server's type check and tests. Prints a compact
// report and ends with `N passed, N failed[, N skipped]`; exits 1 if anything failed. A module with
// src/test/e2e.json5 runs its suites against the real companion server: the end-to-end harness
// (tools/test/e2e) starts before them, its URL reaches them as the runner parameter `harnessUrl`, and it
// is shut down after them, whatever happened.
//   node tools/test/run.js [--no-check] [--only NAME]...   NAME: a module name, "tools" or "server"
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const JSON5 = require('json5');
const { bundleSuites, ROOT } = require('./bundle');
const { startHarness } = require('./e2e/client');

// PUSHUIKIT_SUITE_TIMEOUT_MS: for the runner's own tests of a hanging suite.
const SUITE_TIMEOUT_MS = Number(process.env.PUSHUIKIT_SUITE_TIMEOUT_MS) || 120000;
const EVENT_PREFIX = '@@hypium-host ';
const NODE_TEST_PREFIX = '@@node-test '; // see node-reporter.mjs
const PARAMETERS_ENV = 'PUSHUIKIT_TEST_PARAMETERS'; // see hypium-host.js
const E2E_MARKER = 'src/test/e2e.json5';

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function record(group, name, outcome, message) {
  if (outcome === 'pass') totals.passed += 1;
  else if (outcome === 'skip') totals.skipped += 1;
  else {
    totals.failed += 1;
    failures.push({ group, name, message });
  }
}

function line(text) {
  process.stdout.write(`${text}\n`);
}

function runCheck() {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools/check/cli.js'), ROOT], { encoding: 'utf8' });
  const out = (r.stdout || '').trim().split('\n');
  const summary = out[out.length - 1] || '';
  const ok = r.status === 0;
  line(`${ok ? 'ok  ' : 'FAIL'} check        ${summary}`);
  record('check', 'npm run check', ok ? 'pass' : 'fail', ok ? '' : [...out.slice(0, -1), r.stderr || ''].join('\n').trim());
}

function findToolTests() {
  const files = [];
  const roots = [path.join(ROOT, 'tools')];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !['node_modules', 'fixtures', 'data'].includes(e.name)) walk(p);
      else if (e.isFile() && /\.test\.m?js$/.test(e.name) && path.basename(path.dirname(p)) === 'test') files.push(p);
    }
  };
  for (const r of roots) if (fs.existsSync(r)) walk(r);
  return files.sort();
}

/** Runs node:test files (optionally through a loader such as tsx) and records each test. */
function runNodeTests(group, files, cwd, nodeArgs) {
  if (files.length === 0) return;
  const r = spawnSync(process.execPath, [...nodeArgs, '--test', `--test-reporter=${path.join(__dirname, 'node-reporter.mjs')}`, ...files],
    { encoding: 'utf8', cwd, timeout: 10 * 60 * 1000, maxBuffer: 64 * 1024 * 1024 });
  let passed = 0;
  let failed = 0;
  for (const l of (r.stdout || '').split('\n')) {
    if (!l.startsWith(NODE_TEST_PREFIX)) continue;
    const ev = JSON.parse(l.slice(NODE_TEST_PREFIX.length));
    record(group, `${path.relative(ROOT, ev.file || '')} > ${ev.name}`, ev.type, ev.message);
    if (ev.type === 'pass') passed += 1;
    if (ev.type === 'fail') failed += 1;
  }
  if (r.status !== 0 && failed === 0) {
    record(group, 'node --test', 'fail', `exited with ${r.status}${r.signal ? ` (${r.signal})` : ''}\n${(r.stderr || '').slice(-2000)}`);
    failed += 1;
  }
  line(`${failed ? 'FAIL' : 'ok  '} ${group.padEnd(12)} ${passed} passed, ${failed} failed (${files.length} files)`);
}

const SERVER = path.join(ROOT, 'server');

/** The companion server: its TypeScript type-checked, then its node:test suites run through tsx. */
function runServer() {
  if (!fs.existsSync(path.join(SERVER, 'package.json'))) return;
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [SERVER] }), '-p', 'tsconfig.json'],
    { encoding: 'utf8', cwd: SERVER });
  const ok = tsc.status === 0;
  line(`${ok ? 'ok  ' : 'FAIL'} server tsc   ${ok ? 'no type errors' : 'type errors'}`);
  record('server', 'tsc --noEmit', ok ? 'pass' : 'fail', ok ? '' : `${tsc.stdout}${tsc.stderr}`.trim());
  const testDir = path.join(SERVER, 'test');
  const files = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(testDir, f));
  runNodeTests('server', files, SERVER, ['--import', 'tsx']);
}

function modulesWithSuites() {
  const profile = JSON5.parse(fs.readFileSync(path.join(ROOT, 'build-profile.json5'), 'utf8'));
  return profile.modules
    .map((m) => ({ name: m.name, dir: path.resolve(ROOT, m.srcPath) }))
    .filter((m) => fs.existsSync(path.join(m.dir, 'src/test/List.test.ets')));
}

/** spawnSync's answer, without blocking: the end-to-end harness's output keeps flowing meanwhile. */
function runProcess(args, options) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let size = 0;
    let error;
    const keep = (list) => (c) => {
      size += c.length;
      if (size <= options.maxBuffer) list.push(c);
      else if (!error) {
        error = Object.assign(new Error('output over maxBuffer'), { code: 'ENOBUFS' });
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => {
      error = error || Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
      child.kill('SIGKILL');
    }, options.timeout);
    child.on('error', (e) => {
      error = error || e;
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, error, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/**
 * The module's src/test/e2e.json5, or undefined: `{}`, `{ serverEnv: { NAME: 'value' } }` for the server,
 * `{ parameters: { timeout: '30000' } }` for hypium (as `aa test -s timeout 30000` on a device).
 */
function e2eOptions(mod) {
  const file = path.join(mod.dir, E2E_MARKER);
  if (!fs.existsSync(file)) return undefined;
  const options = JSON5.parse(fs.readFileSync(file, 'utf8'));
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`${E2E_MARKER} must be an object`);
  for (const key of Object.keys(options)) {
    if (key !== 'serverEnv' && key !== 'parameters') throw new Error(`${E2E_MARKER}: unknown key "${key}"`);
  }
  for (const [name, value] of Object.entries(options.parameters || {})) {
    if (typeof value !== 'string') throw new Error(`${E2E_MARKER}: parameters.${name} must be a string`);
  }
  return options;
}

async function runModule(mod) {
  const group = mod.name;
  const outFile = path.join(ROOT, '.test-out', `${mod.name}.cjs`);
  try {
    await bundleSuites(mod.dir, outFile);
  } catch (e) {
    const msg = (e.errors || []).map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('\n') || e.message;
    record(group, 'bundle the suites', 'fail', msg);
    line(`FAIL ${mod.name.padEnd(12)} could not bundle src/test`);
    return;
  }
  const parameters = {};
  let harness;
  try {
    const e2e = e2eOptions(mod);
    if (e2e) {
      harness = await startHarness({ serverEnv: e2e.serverEnv });
      Object.assign(parameters, e2e.parameters || {},
        { harnessUrl: harness.url, serverUrl: harness.serverUrl, pushKitUrl: harness.pushKitUrl });
    }
  } catch (e) {
    record(group, 'start the end-to-end harness', 'fail', e.message);
    line(`FAIL ${mod.name.padEnd(12)} the end-to-end harness did not start`);
    return;
  }
  let r;
  let harnessAnswer;
  try {
    r = await runProcess(['--enable-source-maps', outFile], {
      cwd: ROOT, timeout: SUITE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, [PARAMETERS_ENV]: JSON.stringify(parameters) },
    });
  } finally {
    if (harness) harnessAnswer = await harness.stop();
  }
  let passed = 0;
  let failed = 0;
  let finished = false;
  let loadFailed = false;
  let summary;
  for (const l of (r.stdout || '').split('\n')) {
    if (!l.startsWith(EVENT_PREFIX)) continue;
    const ev = JSON.parse(l.slice(EVENT_PREFIX.length));
    if (ev.type === 'spec') {
      const ok = ev.code === 0;
      record(group, `${ev.suite} > ${ev.name}`, ok ? 'pass' : 'fail', ev.message);
      if (ok) passed += 1;
      else failed += 1;
    } else if (ev.type === 'loadError' || ev.type === 'hookError') {
      record(group, ev.type === 'loadError' ? 'load the suites' : `${ev.suite} (hook)`, 'fail', ev.message);
      failed += 1;
      loadFailed = loadFailed || ev.type === 'loadError';
    } else if (ev.type === 'summary') {
      summary = ev;
    } else if (ev.type === 'finished') {
      finished = true;
    }
  }
  if (summary && summary.ignore > 0) totals.skipped += summary.ignore;
  if (!finished && !loadFailed) {
    const why = r.error && r.error.code === 'ETIMEDOUT' ? `timed out after ${SUITE_TIMEOUT_MS / 1000} s`
      : `stopped before the end (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`;
    record(group, 'run the suites', 'fail', `${why}\n${(r.stderr || '').slice(-3000)}`);
    failed += 1;
  } else if (passed + failed === 0) {
    record(group, 'run the suites', 'fail', 'src/test/List.test.ets registered no tests');
    failed += 1;
  }
  if (harnessAnswer && (harnessAnswer.error || harnessAnswer.unexpectedExits.length > 0)) {
    const crashes = (harnessAnswer.unexpectedExits || []).map((x) => `the companion server exited by itself (${x.signal || `code ${x.code}`}) at ${x.at}:\n${x.log.join('\n')}`);
    record(group, 'the end-to-end harness', 'fail', [harnessAnswer.error, ...crashes].filter(Boolean).join('\n'));
    failed += 1;
  }
  line(`${failed ? 'FAIL' : 'ok  '} ${mod.name.padEnd(12)} ${passed} passed, ${failed} failed${harness ? ` (end-to-end harness up in ${(harness.startupMs / 1000).toFixed(1)} s)` : ''}`);
}

async function main() {
  const args = process.argv.slice(2);
  const only = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '--only') only.push(args[++i]);
  const wanted = (name) => only.length === 0 || only.includes(name);
  if (!args.includes('--no-check') && only.length === 0) runCheck();
  if (wanted('tools')) runNodeTests('tools', findToolTests(), ROOT, []);
  if (wanted('server')) runServer();
  for (const mod of modulesWithSuites()) if (wanted(mod.name)) await runModule(mod);
  for (const f of failures) {
    line(`\n--- FAILED ${f.group}: ${f.name}`);
    if (f.message) line(f.message.split('\n').map((l) => `    ${l}`).join('\n'));
  }
  line('');
  line(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  process.exitCode = totals.failed > 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(e.stack || e.message);
  line(`${totals.passed} passed, ${totals.failed + 1} failed`);
  process.exitCode = 1;
});
