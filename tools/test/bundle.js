'use strict';
// Bundles a module's host suites (src/test/List.test.ets) with esbuild for Node: .ets is compiled as
// TypeScript, system kits come from tools/sim, @ohos/hamock from hypium, @ohos/axios from tools/sim/axios.js
// (npm axios), @pushuikit/* from the modules'
// oh-package.json5 `file:` dependencies, like the ArkTS compiler resolves them.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { FileView, readJson5, fileDependencyTarget } = require('../check/project');

const ROOT = path.resolve(__dirname, '../..');
const SIM = path.join(ROOT, 'tools/sim');
const view = new FileView(ROOT);

function kitFile(name) {
  const file = path.join(SIM, 'kits', `${name.slice('@kit.'.length)}.js`);
  return fs.existsSync(file) ? file : undefined;
}


/** The oh-package.json5 folder that owns `file` (its module, or the project root). */
function packageDirOf(file) {
  let dir = path.dirname(file);
  while (dir.startsWith(ROOT)) {
    if (fs.existsSync(path.join(dir, 'oh-package.json5'))) return dir;
    dir = path.dirname(dir);
  }
  return ROOT;
}

const STRUCT = /^[ \t]*(?:export[ \t]+)?struct[ \t]+\w+/m;

/**
 * Host suites run without an ArkUI runtime, so a UI file (one with a `struct`) is replaced by stubs of
 * its exports: a struct becomes an empty class and a @Builder function one that throws if called. Such
 * a file may export nothing else: logic belongs in view models, which the suites test for real.
 * Returns the stub source, or throws with the reason.
 */
function uiStub(source, file) {
  const stubs = [];
  const problems = [];
  const exportLine = /^[ \t]*export[ \t]+(default[ \t]+)?(\w+)[ \t]+(\w+)/gm;
  let m;
  while ((m = exportLine.exec(source)) !== null) {
    const kind = m[2];
    const name = m[3];
    if (kind === 'struct') {
      stubs.push(`export class ${name} {}`);
    } else if (kind === 'function') {
      stubs.push(`export function ${name}() { throw new Error(${JSON.stringify(`${name} builds UI: not available in host suites`)}); }`);
    } else {
      problems.push(`${kind} ${name}`);
    }
  }
  if (/^[ \t]*export[ \t]*\{/m.test(source)) problems.push('export { ... }');
  if (problems.length > 0) {
    throw new Error(`${file}: a file with a struct may export only structs and @Builder functions, not ${problems.join(', ')} (move it to a file of its own)`);
  }
  return stubs.join('\n') + '\n';
}

const resolverPlugin = {
  name: 'harmony-resolver',
  setup(build) {
    build.onLoad({ filter: /\.ets$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      if (!STRUCT.test(source)) return { contents: source, loader: 'ts' };
      try {
        return { contents: uiStub(source, path.relative(ROOT, args.path)), loader: 'ts' };
      } catch (e) {
        return { errors: [{ text: e.message }] };
      }
    });
    build.onResolve({ filter: /^@(kit|ohos)\./ }, (args) => {
      const file = kitFile(args.path.replace(/^@ohos\./, '@kit.'));
      if (file) return { path: file };
      return { errors: [{ text: `no host simulation of ${args.path} in tools/sim/kits (add one, with tests)` }] };
    });
    build.onResolve({ filter: /^@ohos\/hamock$/ }, () => ({ path: path.join(SIM, 'hamock.js') }));
    // @ohos/axios (an ohpm port of axios) is npm axios doing real HTTP, with the device's error codes.
    build.onResolve({ filter: /^@ohos\/axios$/ }, () => ({ path: path.join(SIM, 'axios.js') }));
    build.onResolve({ filter: /^@pushuikit\/kitsim$/ }, () => ({ path: path.join(SIM, 'control.js') }));
    build.onResolve({ filter: /^@pushuikit\// }, (args) => {
      for (const dir of [packageDirOf(args.importer), ROOT]) {
        const pkg = readJson5(view, path.join(dir, 'oh-package.json5'));
        const spec = Object.assign({}, pkg.dependencies, pkg.devDependencies)[args.path];
        if (typeof spec === 'string' && spec.startsWith('file:')) return { path: fileDependencyTarget(view, dir, spec, '') };
      }
      return { errors: [{ text: `${args.path} is not a dependency of ${path.relative(ROOT, packageDirOf(args.importer))}/oh-package.json5` }] };
    });
  },
};

/** Writes the bundle of `moduleDir`'s suites to `outFile`; resolves to esbuild's result. */
function bundleSuites(moduleDir, outFile) {
  const list = path.join(moduleDir, 'src/test/List.test.ets');
  const entry = [
    `import './tools/sim/quiet.js';`,
    `import './tools/sim/globals.js';`,
    `import testsuite from ${JSON.stringify('./' + path.relative(ROOT, list).split(path.sep).join('/'))};`,
    `import { runSuites } from './tools/test/hypium-host.js';`,
    'runSuites(testsuite);',
  ].join('\n');
  return esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'host-test-entry.js', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: outFile,
    sourcemap: 'inline',
    logLevel: 'silent',
    loader: { '.ets': 'ts' },
    resolveExtensions: ['.ets', '.ts', '.js', '.mjs', '.json'],
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    plugins: [resolverPlugin],
  });
}

module.exports = { bundleSuites, uiStub, resolverPlugin, ROOT };
