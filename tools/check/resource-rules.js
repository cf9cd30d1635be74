'use strict';
// Project rules on resources and devices (shared/DESIGN.md, issue 12):
//   missing-translation  every string (and plural) name of a module exists in base, en_US and zh_CN;
//   dark-colour          every colour name exists in base and dark (each module and AppScope);
//   device-types         every module.json5 runs on phone (and foldables), tablet and 2in1.
const path = require('path');
const { ConfigError, readJson5 } = require('./project');
const { locate } = require('./config-rules');

const LANGUAGES = ['en_US', 'zh_CN'];
const DEVICE_TYPES = ['phone', 'tablet', '2in1'];

function checkResourceSets(project, view) {
  const out = [];
  const report = (file, needle, rule, message) => {
    const pos = locate(view, file, needle);
    out.push({ file, line: pos.line, col: pos.col, severity: 'error', rule, message });
  };
  /** The names of an element file's entries, or undefined when it does not exist or does not parse. */
  const namesIn = (file, type) => {
    if (!view.exists(file)) return undefined;
    let json;
    try {
      json = readJson5(view, file);
    } catch (e) {
      if (e instanceof ConfigError) return undefined; // the config check reports it
      throw e;
    }
    const names = [];
    const list = json && Array.isArray(json[type]) ? json[type] : [];
    // Entries are objects in order: the i-th '{' after the list's key is entry i (values hold no braces).
    const text = view.read(file);
    const braces = [];
    for (let at = text.indexOf('{', text.indexOf(`"${type}"`)); at >= 0; at = text.indexOf('{', at + 1)) braces.push(at);
    list.forEach((item, i) => {
      if (item && typeof item.name === 'string' && item.name.length > 0) {
        names.push(item.name);
      } else {
        // hvigor rejects a nameless entry, and nothing could refer to it anyway.
        const at = braces[i] === undefined ? 0 : braces[i];
        const before = text.slice(0, at).split('\n');
        out.push({ file, line: before.length, col: before[before.length - 1].length + 1, severity: 'error', rule: 'resource',
          message: `entry ${i + 1} of "${type}" has no "name"` });
      }
    });
    return names;
  };
  /** Reports each name of `from` that `to` lacks, at `to`. */
  const compare = (rule, fromFile, fromNames, toFile, toNames, why) => {
    const have = new Set(toNames);
    for (const name of fromNames) {
      if (!have.has(name)) {
        report(toFile, toNames.length > 0 ? `"${toNames[toNames.length - 1]}"` : undefined, rule,
          `"${name}" (in ${path.relative(project.root, fromFile)}) is missing here` +
          `${view.exists(toFile) ? '' : ' (the file does not exist)'}: ${why}`);
      }
    }
  };

  const roots = [{ dir: path.join(project.root, 'AppScope/resources') },
    ...project.modules.map((m) => ({ dir: path.join(m.dir, 'src/main/resources') }))];
  for (const { dir } of roots) {
    for (const kind of ['string', 'plural']) {
      const baseFile = path.join(dir, 'base/element', `${kind}.json`);
      const base = namesIn(baseFile, kind);
      const sets = [{ file: baseFile, names: base }, ...LANGUAGES.map((lang) => path.join(dir, lang, 'element', `${kind}.json`))
        .map((file) => ({ file, names: namesIn(file, kind) }))];
      if (sets.every((x) => x.names === undefined)) continue;
      const why = `every ${kind} must exist in base, ${LANGUAGES.join(' and ')}`;
      // Each name of any of the three must be in all three; it is reported at each file that lacks it.
      for (const to of sets) {
        for (const from of sets) {
          if (from === to || from.names === undefined) continue;
          const earlier = sets.slice(0, sets.indexOf(from)).filter((x) => x !== to && x.names !== undefined);
          const fresh = from.names.filter((n) => !earlier.some((x) => x.names.includes(n)));
          compare('missing-translation', from.file, fresh, to.file, to.names || [], why);
        }
      }
    }
    const lightFile = path.join(dir, 'base/element/color.json');
    const darkFile = path.join(dir, 'dark/element/color.json');
    const light = namesIn(lightFile, 'color');
    const dark = namesIn(darkFile, 'color');
    if (light !== undefined || dark !== undefined) {
      compare('dark-colour', lightFile, light || [], darkFile, dark || [], 'every colour needs a dark-mode value');
      compare('dark-colour', darkFile, dark || [], lightFile, light || [], 'a dark colour needs its light (base) value');
    }
  }

  for (const mod of project.modules) {
    const types = (mod.moduleJson.module || {}).deviceTypes;
    const list = Array.isArray(types) ? types : [];
    const missing = DEVICE_TYPES.filter((t) => !list.includes(t));
    if (missing.length > 0) {
      report(mod.moduleJsonFile, '"deviceTypes"', 'device-types', `deviceTypes lacks ${missing.map((t) => `"${t}"`).join(', ')}: ` +
        `every module runs on ${DEVICE_TYPES.join(', ')} (foldables run as phone)`);
    }
  }
  return out;
}

module.exports = { checkResourceSets };
