'use strict';
// The About page's licence list covers exactly the third-party packages the app ships.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const JSON5 = require('json5');
const { PACKAGES, build, OUTPUT } = require('../licenses');

const ROOT = path.resolve(__dirname, '../../..');

/** Third-party runtime dependencies of every module in build-profile.json5 (file: dependencies are ours). */
function shippedPackages() {
  const profile = JSON5.parse(fs.readFileSync(path.join(ROOT, 'build-profile.json5'), 'utf8'));
  const names = new Set();
  for (const mod of profile.modules) {
    const pkg = JSON5.parse(fs.readFileSync(path.join(ROOT, mod.srcPath, 'oh-package.json5'), 'utf8'));
    for (const [name, spec] of Object.entries(pkg.dependencies || {})) {
      if (!String(spec).startsWith('file:')) names.add(name);
    }
  }
  return names;
}

test('every third-party package a module ships has its licence listed, and nothing else is', () => {
  const shipped = [...shippedPackages()].sort();
  const listed = PACKAGES.map((p) => p.name).sort();
  assert.ok(shipped.length >= 3, `found ${shipped.join(', ')}`);
  assert.deepEqual(listed, shipped);
});

test('the committed licences file is what tools/assets/licenses.js writes, with full texts', () => {
  assert.ok(fs.existsSync(OUTPUT), 'run node tools/assets/licenses.js');
  assert.equal(fs.readFileSync(OUTPUT, 'utf8'), build(), 'out of date: run node tools/assets/licenses.js');
  const file = JSON.parse(fs.readFileSync(OUTPUT, 'utf8'));
  for (const p of file.packages) {
    assert.match(p.license, /^(MIT|Apache-2\.0)$/);
    assert.ok(p.text.length > 900, `${p.name}: the licence text is missing`);
    if (p.license === 'MIT') assert.ok(p.text.includes(p.copyright) && p.copyright.length > 0, `${p.name}: no copyright line`);
  }
});
