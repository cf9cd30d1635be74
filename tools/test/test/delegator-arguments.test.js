'use strict';
// The runner's parameters reach the suites as on a device: abilityDelegatorRegistry.getArguments() (of
// @kit.TestKit) answers the documented AbilityDelegatorArgs, and Hypium.hypiumTest gets the same arguments.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { bundleSuites } = require('../bundle');

const FIXTURE = path.join(__dirname, 'fixtures/parameters');
const EVENT_PREFIX = '@@hypium-host ';
let dir;
let bundle;

function runWith(parameters) {
  const r = spawnSync(process.execPath, [bundle], {
    encoding: 'utf8', env: { ...process.env, PUSHUIKIT_TEST_PARAMETERS: parameters }, timeout: 30000,
  });
  const events = r.stdout.split('\n').filter((l) => l.startsWith(EVENT_PREFIX)).map((l) => JSON.parse(l.slice(EVENT_PREFIX.length)));
  const seen = r.stdout.split('\n').find((l) => l.startsWith('@@parameters '));
  return { events, args: seen && JSON.parse(seen.slice('@@parameters '.length)), specs: events.filter((e) => e.type === 'spec') };
}

describe('abilityDelegatorRegistry.getArguments() in host suites', () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-params-'));
    bundle = path.join(dir, 'suites.cjs');
    await bundleSuites(FIXTURE, bundle);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('has the documented shape, with the runner parameters', () => {
    const r = runWith(JSON.stringify({ harnessUrl: 'http://127.0.0.1:1' }));
    assert.deepEqual(r.args, {
      bundleName: 'com.example.pushuikit',
      parameters: { harnessUrl: 'http://127.0.0.1:1' },
      testCaseNames: '',
      testRunnerClassName: 'OpenHarmonyTestRunner',
    });
    assert.deepEqual(r.specs.map((s) => [s.name, s.code]), [['sees the parameters', 0], ['runs unless hypium filters by class', 0]]);
  });

  test('Hypium gets the same parameters (its own, like class, take effect)', () => {
    const r = runWith(JSON.stringify({ harnessUrl: 'http://127.0.0.1:1', class: 'Chosen' }));
    assert.deepEqual(r.specs.map((s) => s.suite), ['Chosen']);
  });

  test('no parameters: an empty object', () => {
    const r = runWith('');
    assert.deepEqual(r.args.parameters, {});
    assert.notEqual(r.specs[0].code, 0, 'no harness URL');
  });

  test('malformed parameters fail the load with the reason', () => {
    for (const bad of ['{not json', '["a"]', JSON.stringify({ harnessUrl: 1 })]) {
      const r = runWith(bad);
      const load = r.events.find((e) => e.type === 'loadError');
      assert.ok(load, `loadError for ${bad}`);
      assert.match(load.message, /JSON|must be a JSON object|must be a string/);
    }
  });
});

describe('the simulation itself', () => {
  test('answers a copy each time, and @kit.TestKit exports the AbilityKit one', async () => {
    const ability = await import('../../sim/kits/AbilityKit.js');
    const testKit = await import('../../sim/kits/TestKit.js');
    assert.equal(testKit.abilityDelegatorRegistry, ability.abilityDelegatorRegistry);
    ability.setDelegatorParameters({ a: 'b' });
    const args = ability.abilityDelegatorRegistry.getArguments();
    args.parameters.a = 'changed';
    assert.equal(ability.abilityDelegatorRegistry.getArguments().parameters.a, 'b');
    ability.setDelegatorParameters({});
  });
});
