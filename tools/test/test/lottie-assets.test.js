'use strict';
// The Lottie animations the app ships (rawfile/**/lottie/*.json) are ours: each must be a bodymovin document
// @ohos/lottie can play (version, frame rate, a frame range, a size, layers whose keyframes lie in range).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../../..');

function lottieFiles() {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && e.name.endsWith('.json') && p.includes(`${path.sep}rawfile${path.sep}`) && p.includes(`${path.sep}lottie${path.sep}`)) found.push(p);
    }
  };
  for (const top of ['features', 'common', 'entry']) walk(path.join(ROOT, top));
  return found;
}

function keyframeTimes(node, times) {
  if (Array.isArray(node)) node.forEach((n) => keyframeTimes(n, times));
  else if (node && typeof node === 'object') {
    if (node.a === 1 && Array.isArray(node.k)) node.k.forEach((kf) => times.push(kf.t));
    Object.values(node).forEach((v) => keyframeTimes(v, times));
  }
  return times;
}

/** What is wrong with a bodymovin document, '' for nothing. */
function lottieProblem(doc) {
  for (const key of ['v', 'fr', 'ip', 'op', 'w', 'h', 'layers']) if (!(key in doc)) return `no "${key}"`;
  if (!(doc.fr > 0) || !(doc.op > doc.ip) || !(doc.w > 0) || !(doc.h > 0)) return 'frame rate, range or size not positive';
  if (!Array.isArray(doc.layers) || doc.layers.length === 0) return 'no layers';
  for (const layer of doc.layers) {
    if (typeof layer.ty !== 'number' || !layer.ks) return `layer ${layer.nm}: no type or transform`;
    const bad = keyframeTimes(layer.ks, []).find((t) => typeof t !== 'number' || t < doc.ip || t > doc.op);
    if (bad !== undefined) return `layer ${layer.nm}: keyframe at ${bad} outside ${doc.ip}..${doc.op}`;
  }
  return '';
}

test('the app ships its ringing animation', () => {
  assert.ok(lottieFiles().some((f) => f.endsWith(path.join('lottie', 'ringing.json'))));
});

test('every shipped Lottie animation is a playable bodymovin document', () => {
  for (const file of lottieFiles()) {
    assert.equal(lottieProblem(JSON.parse(fs.readFileSync(file, 'utf8'))), '', path.relative(ROOT, file));
  }
});

test('the check finds what a broken animation lacks', () => {
  assert.equal(lottieProblem({ v: '5', fr: 30, ip: 0, op: 60, w: 1, h: 1 }), 'no "layers"');
  assert.equal(lottieProblem({ v: '5', fr: 30, ip: 0, op: 0, w: 1, h: 1, layers: [] }), 'frame rate, range or size not positive');
  assert.match(lottieProblem({ v: '5', fr: 30, ip: 0, op: 60, w: 1, h: 1,
    layers: [{ ty: 4, nm: 'x', ks: { s: { a: 1, k: [{ t: 0 }, { t: 90 }] } } }] }), /keyframe at 90/);
});
