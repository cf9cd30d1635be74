'use strict';
// npm test must fail when a hypium test fails, when suites cannot load, and when a suite runs nothing.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { copyProject } = require('../../check/test/helpers');

const LIST = 'common/base/src/test/List.test.ets';
let dir;
let original;

function runBase() {
  const r = spawnSync(process.execPath, [path.join(dir, 'tools/test/run.js'), '--only', 'base'], { cwd: dir, encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  return { status: r.status, out: r.stdout, last: lines[lines.length - 1] };
}

function plant(text) {
  fs.writeFileSync(path.join(dir, LIST), text);
}

describe('tools/test/run.js', () => {
  before(() => {
    dir = copyProject();
    original = fs.readFileSync(path.join(dir, LIST), 'utf8');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('passes and ends with "N passed, 0 failed" when every test passes', () => {
    plant(original);
    const r = runBase();
    assert.equal(r.status, 0, r.out);
    assert.match(r.last, /^[1-9]\d* passed, 0 failed$/);
  });

  test('a failing hypium it fails the run and is named in the report', () => {
    plant(`import { describe, it, expect } from '@ohos/hypium';\n` +
      `export default function testsuite() {\n  describe('Planted', () => {\n` +
      `    it('passes', 0, () => { expect(1).assertEqual(1); });\n` +
      `    it('fails', 0, () => { expect(1 + 1).assertEqual(3); });\n  });\n}\n`);
    const r = runBase();
    assert.equal(r.status, 1);
    assert.equal(r.last, '1 passed, 1 failed');
    assert.match(r.out, /FAILED base: Planted > fails/);
  });

  test('a failing async it fails the run', () => {
    plant(`import { describe, it, expect } from '@ohos/hypium';\n` +
      `export default function testsuite() {\n  describe('Async', () => {\n` +
      `    it('rejects', 0, async () => { await Promise.resolve(); expect('a').assertEqual('b'); });\n  });\n}\n`);
    const r = runBase();
    assert.equal(r.status, 1);
    assert.equal(r.last, '0 passed, 1 failed');
  });

  test('a suite that throws while loading fails the run', () => {
    plant(`import { describe } from '@ohos/hypium';\n` +
      `export default function testsuite() {\n  describe('Broken', () => {\n    throw new Error('cannot load');\n  });\n}\n`);
    const r = runBase();
    assert.equal(r.status, 1);
    assert.match(r.out, /cannot load/);
  });

  test('a module whose suites register no test fails the run', () => {
    plant('export default function testsuite() {\n}\n');
    const r = runBase();
    assert.equal(r.status, 1);
    assert.match(r.out, /registered no tests/);
  });

  test('an import that cannot be bundled fails the run with the reason', () => {
    plant(`import { nothing } from '@kit.NoSuchKit';\nexport default function testsuite() {\n  nothing();\n}\n`);
    const r = runBase();
    assert.equal(r.status, 1);
    assert.match(r.out, /no host simulation of @kit.NoSuchKit/);
  });
});
