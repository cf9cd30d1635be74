'use strict';
// WCAG AA contrast of the colour resources (issue 12): every declared text-on-background pair, in light and
// dark, and every colour the app's .ets files use as a text colour is declared, so no new one skips the check.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./helpers');
const { parseColour, contrast, loadColours, evaluate } = require('../contrast');

const PAIRS_FILE = path.join(ROOT, 'tools/check/contrast-pairs.json');
const MODULES = ['AppScope', 'entry', 'features/chat', 'features/call', 'features/settings', 'common/base', 'common/im', 'common/push'];
// Attributes that colour text, glyphs or placeholders.
const TEXT_COLOUR_ATTRIBUTE = /\.(fontColor|placeholderColor)\(/g;

function pairs() {
  return JSON.parse(fs.readFileSync(PAIRS_FILE, 'utf8')).pairs;
}

function etsFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return etsFiles(p);
    return e.name.endsWith('.ets') ? [p] : [];
  });
}

/** The argument text of the call whose '(' is at `open`. */
function argumentAt(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Every `.fontColor(... $r('app.color.X') ...)` of a module's src/main: { module, name, where }. */
function textColourUses(root) {
  const uses = [];
  for (const mod of MODULES.filter((m) => m !== 'AppScope')) {
    for (const file of etsFiles(path.join(root, mod, 'src/main/ets'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(TEXT_COLOUR_ATTRIBUTE)) {
        const arg = argumentAt(text, m.index + m[0].length - 1);
        const line = text.slice(0, m.index).split('\n').length;
        for (const r of arg.matchAll(/app\.color\.(\w+)/g)) {
          uses.push({ module: mod, name: r[1], where: `${path.relative(root, file)}:${line}` });
        }
      }
    }
  }
  return uses;
}

describe('colour arithmetic', () => {
  const ratio = (fg, bg) => Math.round(contrast(parseColour(fg), parseColour(bg)) * 100) / 100;

  test('#RGB, #RRGGBB and #AARRGGBB (alpha first, as ArkUI writes it)', () => {
    assert.deepEqual(parseColour('#F0a'), { r: 255, g: 0, b: 170, a: 1 });
    assert.deepEqual(parseColour('#0A59F7'), { r: 10, g: 89, b: 247, a: 1 });
    assert.deepEqual(parseColour('#800A59F7'), { r: 10, g: 89, b: 247, a: 128 / 255 });
    assert.throws(() => parseColour('rgb(1, 2, 3)'), /not a #RGB/);
    assert.throws(() => parseColour('#12345'), /not a #RGB/);
  });

  test('WCAG ratios: black on white is 21, #777 on white just misses 4.5', () => {
    assert.equal(ratio('#000000', '#FFFFFF'), 21);
    assert.equal(ratio('#FFFFFF', '#FFFFFF'), 1);
    assert.equal(ratio('#777777', '#FFFFFF'), 4.48);
    assert.equal(ratio('#FFFFFF', '#777777'), 4.48);
  });

  test('a translucent foreground is composited over its background first', () => {
    // 60 % black on white is #666666.
    assert.equal(ratio('#99000000', '#FFFFFF'), ratio('#666666', '#FFFFFF'));
    assert.equal(ratio('#00000000', '#FFFFFF'), 1);
  });
});

describe('the app\'s colours (contrast-pairs.json)', () => {
  const colours = loadColours(ROOT, MODULES);

  test('every declared pair reaches WCAG AA in light and dark', () => {
    const failing = evaluate(colours, pairs()).filter((r) => !r.ok)
      .map((r) => `${r.theme}: ${r.pair.fg} ${r.fg} on ${r.pair.bg} ${r.bg} (${r.pair.module}, ${r.pair.kind}) is ` +
        `${r.ratio.toFixed(2)}:1, needs ${r.minimum}:1`);
    assert.deepEqual(failing, []);
  });

  test('a colour that fails is reported (the check can fail)', () => {
    const planted = loadColours(ROOT, MODULES);
    planted.dark['common/base'].set('text_secondary', '#33FFFFFF');
    const failing = evaluate(planted, pairs()).filter((r) => !r.ok);
    assert.ok(failing.some((r) => r.theme === 'dark' && r.pair.fg === 'text_secondary'));
    assert.ok(failing.every((r) => r.theme === 'dark' && r.pair.fg === 'text_secondary'));
  });

  test('every pair names colours that exist, in a known module, with a known kind', () => {
    for (const p of pairs()) assert.ok(MODULES.includes(p.module), `unknown module ${p.module}`);
    assert.doesNotThrow(() => evaluate(colours, pairs()));
    assert.throws(() => evaluate(colours, [{ module: 'entry', fg: 'no_such_colour', bg: 'login_background', kind: 'text' }]),
      /no light value for no_such_colour/);
    assert.throws(() => evaluate(colours, [{ module: 'entry', fg: 'login_text', bg: 'login_background', kind: 'huge' }]), /kind/);
  });

  test('every text colour used in src/main is the foreground of a declared pair of its module', () => {
    const declared = new Set(pairs().map((p) => `${p.module} ${p.fg}`));
    const undeclared = textColourUses(ROOT).filter((u) => !declared.has(`${u.module} ${u.name}`))
      .map((u) => `${u.where}: ${u.name} is used as a text colour but is no "fg" of a ${u.module} pair in contrast-pairs.json`);
    assert.deepEqual(undeclared, []);
  });

  test('the scan finds text colours in attributes, SymbolGlyph arrays and conditionals', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'contrast-'));
    try {
      const file = path.join(dir, 'entry/src/main/ets/pages/P.ets');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, "Text('')\n  .fontColor(a ? $r('app.color.one') : $r('app.color.two'))\n" +
        "SymbolGlyph(x)\n  .fontColor([$r('app.color.three')])\n  .backgroundColor($r('app.color.not_text'))\n");
      assert.deepEqual(textColourUses(dir).map((u) => `${u.name} ${u.where}`),
        ['one entry/src/main/ets/pages/P.ets:2', 'two entry/src/main/ets/pages/P.ets:2', 'three entry/src/main/ets/pages/P.ets:4']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
