'use strict';
// The config check: what hvigor and the device would reject, or what breaks push, in module.json5,
// app.json5, route maps and page lists, plus the module layering of shared/DESIGN.md.
const path = require('path');
const ts = require('ohos-typescript');
const { ConfigError, readJson5 } = require('./project');
const { decoratorNames } = require('./arkui-rules');

const PUSH_LISTENER = 'action.ohos.push.listener';
// Required keys of module.json5 per module type (the SDK's module.json schema).
const REQUIRED_KEYS = {
  entry: ['name', 'type', 'deviceTypes', 'deliveryWithInstall'],
  feature: ['name', 'type', 'deviceTypes', 'deliveryWithInstall'],
  shared: ['name', 'type', 'deviceTypes', 'deliveryWithInstall'],
  har: ['name', 'type', 'deviceTypes'],
};

/** Line and column of the first occurrence of `needle` in `file`, for pointing at a config entry. */
function locate(view, file, needle) {
  let text = '';
  try {
    text = view.read(file);
  } catch (e) {
    return { line: 1, col: 1 };
  }
  const i = needle === undefined ? -1 : text.indexOf(needle);
  if (i < 0) return { line: 1, col: 1 };
  const before = text.slice(0, i).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

function layerOf(mod) {
  if (mod.type === 'entry') return 'entry';
  if (mod.rel.startsWith('features/')) return 'feature';
  return 'common';
}

/** Kit calls of the app and the permission each needs (their @permission in the SDK declarations). */
const PERMISSION_OF_CALL = [
  ['webSocket.createWebSocket', 'ohos.permission.INTERNET'],
  ['connection.createNetConnection', 'ohos.permission.GET_NETWORK_INFO'],
];

function checkConfig(project, view, program, resources) {
  const out = [];
  const report = (file, needle, message, rule) => {
    const pos = locate(view, file, needle);
    out.push({ file, line: pos.line, col: pos.col, severity: 'error', rule: rule || 'config', message });
  };
  const tryJson5 = (file) => {
    try {
      return readJson5(view, file);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      out.push({ file: e.file, line: e.line, col: e.col, severity: 'error', rule: 'config', message: e.message });
      return undefined;
    }
  };
  /** `$profile:name` -> the profile file of a module, or undefined (reported) when it is missing. */
  const profileFile = (mod, ref, key) => {
    const m = /^\$profile:(\w+)$/.exec(ref || '');
    if (!m) {
      report(mod.moduleJsonFile, key, `"${key}" must be a "$profile:<name>" reference, found ${JSON.stringify(ref)}`);
      return undefined;
    }
    const file = path.join(mod.dir, 'src/main/resources/base/profile', `${m[1]}.json`);
    if (!view.exists(file)) {
      report(mod.moduleJsonFile, ref, `"${key}" names ${path.relative(project.root, file)}, which does not exist`);
      return undefined;
    }
    return file;
  };
  // `$string:app_name` style references in module.json5/app.json5 must name existing resources.
  const checkResourceRefs = (file, json) => {
    const visit = (v) => {
      if (typeof v === 'string') {
        const m = /^\$(string|media|color|float|profile|boolean|integer):(\w+)$/.exec(v);
        if (m && !resources.has(`${m[1]}.${m[2]}`)) report(file, v, `unknown resource ${v}`, 'resource');
      } else if (v && typeof v === 'object') {
        for (const x of Object.values(v)) visit(x);
      }
    };
    visit(json);
  };

  const appJsonFile = path.join(project.root, 'AppScope/app.json5');
  const appJson = tryJson5(appJsonFile);
  if (appJson) checkResourceRefs(appJsonFile, appJson);

  // Every JSON resource (element, profile) must parse: hvigor fails on the first broken one.
  for (const mod of project.modules) {
    for (const file of view.list(path.join(mod.dir, 'src/main/resources'), /\.json$/)) tryJson5(file);
  }

  const listeners = [];
  const routeNames = new Map();
  const byPackage = new Map(project.modules.map((m) => [m.packageName, m]));
  for (const mod of project.modules) {
    const mj = mod.moduleJson.module || {};
    const mjFile = mod.moduleJsonFile;
    checkResourceRefs(mjFile, mj);
    const required = REQUIRED_KEYS[mj.type];
    if (!required) {
      report(mjFile, '"type"', `module type ${JSON.stringify(mj.type)} is not one of ${Object.keys(REQUIRED_KEYS).join(', ')}`);
    } else {
      for (const key of required.filter((k) => mj[k] === undefined)) report(mjFile, '"module"', `a ${mj.type} module.json5 needs "${key}"`);
    }
    if (mj.name !== mod.name) {
      report(mjFile, '"name"', `module name ${JSON.stringify(mj.name)} differs from "${mod.name}" in build-profile.json5`);
    }
    if (mod.type !== 'entry' && !mod.main) {
      report(path.join(mod.dir, 'oh-package.json5'), '"main"', `module ${mod.name} needs "main": "Index.ets" (its barrel)`);
    } else if (mod.main && !view.exists(mod.main)) {
      report(path.join(mod.dir, 'oh-package.json5'), '"main"', `"main" names ${path.relative(project.root, mod.main)}, which does not exist`);
    }

    if (mj.pages !== undefined) {
      const file = profileFile(mod, mj.pages, 'pages');
      const pages = file && tryJson5(file);
      for (const page of (pages && pages.src) || []) {
        const src = path.join(mod.dir, 'src/main/ets', `${page}.ets`);
        if (!view.exists(src)) report(file, page, `page "${page}" does not exist: expected ${path.relative(project.root, src)}`);
        else if (!/@Entry\b/.test(view.read(src))) report(file, page, `page "${page}" has no @Entry component`);
      }
    }

    if (mj.routerMap !== undefined) {
      const file = profileFile(mod, mj.routerMap, 'routerMap');
      const map = file && tryJson5(file);
      for (const r of (map && map.routerMap) || []) {
        if (routeNames.has(r.name)) {
          report(file, `"${r.name}"`, `route "${r.name}" is also registered by module ${routeNames.get(r.name)}; names must be unique in the app`);
        }
        routeNames.set(r.name, mod.name);
        const src = path.join(mod.dir, r.pageSourceFile || '');
        if (!r.pageSourceFile || !view.exists(src)) {
          report(file, `"${r.name}"`, `route "${r.name}": pageSourceFile ${JSON.stringify(r.pageSourceFile)} does not exist`);
          continue;
        }
        const sf = program.getSourceFile(src);
        const exported = sf && sf.statements.some((st) => ts.isFunctionDeclaration(st) && st.name &&
          st.name.text === r.buildFunction && (ts.getCombinedModifierFlags(st) & ts.ModifierFlags.Export) &&
          decoratorNames(st).includes('Builder'));
        if (!exported) {
          report(file, `"${r.buildFunction}"`, `route "${r.name}": ${r.pageSourceFile} does not export a @Builder function "${r.buildFunction}"`);
        }
      }
    }

    for (const ability of mj.abilities || []) {
      if (ability.srcEntry && !view.exists(path.join(mod.dir, 'src/main', ability.srcEntry))) {
        report(mjFile, ability.srcEntry, `ability ${ability.name}: srcEntry ${ability.srcEntry} does not exist`);
      }
      for (const skill of ability.skills || []) {
        const actions = skill.actions || [];
        const entities = skill.entities || [];
        if (actions.includes(PUSH_LISTENER)) listeners.push({ mod, ability });
        const isHome = entities.includes('entity.system.home') || actions.includes('action.system.home');
        if (isHome && skill.uris) {
          report(mjFile, 'entity.system.home', `ability ${ability.name}: the home skill must not declare "uris" (the launcher icon stops opening the app)`);
        }
        if (skill.uris && !actions.includes('')) {
          report(mjFile, '"uris"', `ability ${ability.name}: a skill with "uris" must also declare "actions": [""] so that links without an action reach it`);
        }
      }
    }

    // A kit call that needs a permission fails on the device (201) unless the module requests it; the SDK's
    // @permission tags say which (realcheck reports them as TS28007).
    const requested = new Set((mj.requestPermissions || []).map((p) => p.name));
    for (const file of view.list(path.join(mod.dir, 'src/main/ets'), /\.ets$/)) {
      const text = view.read(file);
      for (const [call, permission] of PERMISSION_OF_CALL) {
        if (text.includes(call) && !requested.has(permission)) {
          report(file, call, `${call}() needs ${permission}: request it in ${path.relative(project.root, mjFile)}`, 'permission');
        }
      }
    }

    if (mod.type === 'entry') {
      if (!(mj.metadata || []).some((m) => m.name === 'client_id' && typeof m.value === 'string' && m.value.length > 0)) {
        report(mjFile, '"module"', 'entry must declare metadata "client_id" (the Push Kit Client ID); without it getToken() fails');
      }
      if (!(mj.requestPermissions || []).some((p) => p.name === 'ohos.permission.INTERNET')) {
        report(mjFile, '"module"', 'entry must request ohos.permission.INTERNET (the app talks to its server)');
      }
    }

    // Layering (shared/DESIGN.md): entry -> features -> common; no feature imports another; the push
    // module stays independent of the IM client; the base HAR depends on no module.
    for (const dep of Object.keys(mod.dependencies)) {
      const target = byPackage.get(dep);
      if (!target) continue;
      const from = layerOf(mod);
      const to = layerOf(target);
      let why;
      if (to === 'entry') why = 'nothing may depend on entry';
      else if (from === 'feature' && to === 'feature') why = 'a feature never depends on another feature; navigate by route name';
      else if (from === 'common' && to === 'feature') why = 'common modules never depend on features';
      else if (mod.name === 'push' && target.name === 'im') why = 'common/push must not depend on common/im; entry plugs im into push\'s ports';
      else if (mod.type === 'har' && target.type === 'shared') why = 'the base HAR holds no state and depends on no HSP';
      if (why) report(path.join(mod.dir, 'oh-package.json5'), `"${dep}"`, `${mod.name} -> ${target.name}: ${why}`, 'layering');
    }
  }

  // A module that could not be read may hold the listener: count only when every module loaded.
  if (listeners.length !== 1 && project.problems.length === 0) {
    const file = listeners.length > 0 ? listeners[1].mod.moduleJsonFile : path.join(project.root, 'build-profile.json5');
    report(file, PUSH_LISTENER, `exactly one ability must declare the "${PUSH_LISTENER}" skill, found ${listeners.length}` +
      (listeners.length ? ` (${listeners.map((l) => `${l.mod.name}/${l.ability.name}`).join(', ')})` : ''));
  }
  return out;
}

module.exports = { checkConfig, locate };
