'use strict';
// WCAG 2.x contrast of the app's colour resources (issue 12): text needs 4.5:1 against what it sits on,
// large text (18 pt, or 14 pt bold) and icons or glyphs 3:1 (WCAG 1.4.3 and 1.4.11), in light and dark.
// The pairs to check are declared in contrast-pairs.json; tools/check/test/contrast.test.js runs them.
const fs = require('fs');
const path = require('path');

const MINIMUM = { text: 4.5, large: 3, icon: 3 };
const THEMES = { light: 'base', dark: 'dark' };

/** '#RGB', '#RRGGBB' or '#AARRGGBB' (ArkUI puts alpha first) -> { r, g, b, a } with a in 0..1; throws otherwise. */
function parseColour(text) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text);
  if (!m) throw new Error(`not a #RGB, #RRGGBB or #AARRGGBB colour: ${JSON.stringify(text)}`);
  let hex = m[1];
  if (hex.length === 3) hex = hex.split('').map((c) => c + c).join('');
  const a = hex.length === 8 ? parseInt(hex.slice(0, 2), 16) / 255 : 1;
  const rgb = hex.slice(-6);
  return { r: parseInt(rgb.slice(0, 2), 16), g: parseInt(rgb.slice(2, 4), 16), b: parseInt(rgb.slice(4, 6), 16), a };
}

/** `top` painted over the opaque `bottom` (alpha compositing in sRGB, as the renderer blends). */
function over(top, bottom) {
  const mix = (t, b) => t * top.a + b * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function luminance(c) {
  const lin = (v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** The contrast ratio (1..21) of `fg` drawn on `bg`; a translucent bg is first laid on `under` (opaque). */
function contrast(fg, bg, under) {
  const back = bg.a < 1 ? over(bg, under || { r: 255, g: 255, b: 255, a: 1 }) : bg;
  const front = fg.a < 1 ? over(fg, back) : fg;
  const l1 = luminance(front);
  const l2 = luminance(back);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

/** Colour values by theme and module: { light: { 'common/base': Map(name -> '#..') }, dark: {...} }. */
function loadColours(root, modules) {
  const out = { light: {}, dark: {} };
  for (const mod of modules) {
    const res = mod === 'AppScope' ? path.join(root, 'AppScope/resources') : path.join(root, mod, 'src/main/resources');
    for (const [theme, qualifier] of Object.entries(THEMES)) {
      const file = path.join(res, qualifier, 'element/color.json');
      const map = new Map();
      if (fs.existsSync(file)) {
        for (const c of JSON.parse(fs.readFileSync(file, 'utf8')).color || []) if (c.name) map.set(c.name, c.value);
      }
      out[theme][mod] = map;
    }
  }
  return out;
}

/**
 * A colour of `mod` as `$r('app.color.name')` there finds it: the module's own table, then the base HAR's
 * (compiled into every module), then AppScope's. Undefined when none defines it.
 */
function lookup(colours, theme, mod, name) {
  for (const m of [mod, 'common/base', 'AppScope']) {
    const table = colours[theme][m];
    if (table && table.has(name)) return table.get(name);
  }
  return undefined;
}

/** Each declared pair in each theme: { pair, theme, ratio, minimum, ok } (throws on unknown names). */
function evaluate(colours, pairs) {
  const results = [];
  for (const pair of pairs) {
    if (!MINIMUM[pair.kind]) throw new Error(`pair ${JSON.stringify(pair)}: kind must be one of ${Object.keys(MINIMUM).join(', ')}`);
    for (const theme of Object.keys(THEMES)) {
      const fgText = lookup(colours, theme, pair.module, pair.fg);
      const bgText = lookup(colours, theme, pair.module, pair.bg);
      if (fgText === undefined || bgText === undefined) {
        throw new Error(`pair ${pair.fg} on ${pair.bg} (${pair.module}): no ${theme} value for ${fgText === undefined ? pair.fg : pair.bg}`);
      }
      const page = lookup(colours, theme, pair.module, 'page_background');
      const ratio = contrast(parseColour(fgText), parseColour(bgText), page ? parseColour(page) : undefined);
      results.push({ pair, theme, fg: fgText, bg: bgText, ratio, minimum: MINIMUM[pair.kind], ok: ratio >= MINIMUM[pair.kind] });
    }
  }
  return results;
}

module.exports = { MINIMUM, parseColour, contrast, loadColours, lookup, evaluate };
