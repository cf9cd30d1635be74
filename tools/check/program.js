'use strict';
// One ohos-typescript program over every module's sources, with the ArkTS compiler's options, the SDK
// declarations of @arkts/declarations, oh-package.json5 module resolution and the real ArkTS linter.
const crypto = require('crypto');
const path = require('path');
const ts = require('ohos-typescript');
const { etsOptions, deriveComponents } = require('./ets-options');
const { sourceFiles, readJson5, fileDependencyTarget } = require('./project');

// The package's exports map hides package.json, so find it through the resolution paths.
const DECLARATIONS = path.join(require.resolve.paths('@arkts/declarations')
  .map((p) => path.join(p, '@arkts/declarations')).find((p) => require('fs').existsSync(p)), 'dist');
const SDK_PREFIX = /^@(ohos|kit|arkts|system)\./;

let sdkPathsCache;
function sdkPaths() {
  if (!sdkPathsCache) {
    const base = require(path.join(DECLARATIONS, 'tsconfig.base.json'));
    sdkPathsCache = new Map();
    for (const [name, targets] of Object.entries(base.compilerOptions.paths)) {
      sdkPathsCache.set(name, path.resolve(DECLARATIONS, targets[0]));
    }
  }
  return sdkPathsCache;
}

/** `paths` of tools/types/tsconfig.json: third-party ohpm packages typed by their npm twins. */
function thirdPartyPaths(root, view) {
  const file = path.join(root, 'tools/types/tsconfig.json');
  const out = new Map();
  if (!view.exists(file)) return out;
  const cfg = readJson5(view, file).compilerOptions || {};
  const baseUrl = path.resolve(path.dirname(file), cfg.baseUrl || '.');
  for (const [name, targets] of Object.entries(cfg.paths || {})) out.set(name, path.resolve(baseUrl, targets[0]));
  return out;
}

function compilerOptions() {
  const converted = ts.convertCompilerOptionsFromJson({
    target: 'es2021',
    module: 'es2020',
    lib: ['es2021'],
    moduleResolution: 'node',
    strict: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    typeRoots: [],
  }, '');
  return Object.assign(converted.options, {
    ets: etsOptions(DECLARATIONS),
    compatibleSdkVersion: 12,
    packageManagerType: 'ohpm',
  });
}

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

// SDK and declaration files never change during a process: parsing them is most of a check's time,
// so the tool's own tests (many checks of planted variants) share them, as a language service does.
const sharedSourceFiles = new Map();

/**
 * Builds the program. Returns { builderProgram, program, files, ownDeclarations, unresolved }: `files`
 * are the modules' sources, `ownDeclarations` the .d.ts files we wrote, and `unresolved` the bare
 * imports of packages the importing module does not declare in its oh-package.json5.
 */
function buildProgram(project, view) {
  const options = compilerOptions();
  const modules = [...project.modules].sort((a, b) => b.dir.length - a.dir.length);
  const owner = (file) => modules.find((m) => file.startsWith(m.dir + path.sep));
  const files = [];
  for (const m of project.modules) files.push(...sourceFiles(view, m));
  const typesDir = path.join(project.root, 'tools/types');
  const typeDeclarations = view.list(typesDir, /\.d\.ts$/);
  const declarationFiles = [...deriveComponents(DECLARATIONS).files, path.join(DECLARATIONS, 'global.d.ts'), ...typeDeclarations];
  const sdk = sdkPaths();
  const thirdParty = thirdPartyPaths(project.root, view);
  const rootDeps = Object.assign({}, project.rootPackage.dependencies, project.rootPackage.devDependencies);
  const targets = new Map(); // declaring dir + spec + subpath -> file (undefined: unreadable package)
  const targetOf = (declaringDir, spec, subpath) => {
    const key = `${declaringDir}\u0000${spec}\u0000${subpath}`;
    if (!targets.has(key)) {
      let file;
      try {
        file = fileDependencyTarget(view, declaringDir, spec, subpath);
      } catch (e) {
        file = undefined; // the config check reports the broken oh-package.json5
      }
      targets.set(key, file);
    }
    return targets.get(key);
  };
  const unresolved = [];

  const host = ts.createIncrementalCompilerHost(options, ts.sys);
  const originalGetSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => view.exists(f);
  host.readFile = (f) => (view.exists(f) ? view.read(f) : undefined);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const abs = path.resolve(fileName);
    if (view.overrides.has(abs)) {
      const kind = /\.ets$/.test(abs) ? ts.ScriptKind.ETS : ts.ScriptKind.TS;
      const text = view.overrides.get(abs);
      const sf = ts.createSourceFile(fileName, text, languageVersion, true, kind, options);
      sf.version = crypto.createHash('sha1').update(text).digest('hex'); // builder programs need versions
      return sf;
    }
    const immutable = abs.includes(`${path.sep}node_modules${path.sep}`);
    if (immutable && sharedSourceFiles.has(abs)) return sharedSourceFiles.get(abs);
    const sf = originalGetSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (immutable && sf) sharedSourceFiles.set(abs, sf);
    return sf;
  };
  const resolveOne = (name, containingFile) => {
    const asFile = (file) => {
      if (!file || !view.exists(file)) return undefined;
      const extension = /\.d\.e?ts$/.test(file) ? (file.endsWith('.d.ets') ? ts.Extension.Dets : ts.Extension.Dts)
        : (file.endsWith('.ets') ? ts.Extension.Ets : ts.Extension.Ts);
      return { resolvedFileName: file, extension, isExternalLibraryImport: false };
    };
    if (SDK_PREFIX.test(name)) return asFile(sdk.get(name)); // unknown kits fall back to tools/types
    if (name.startsWith('.') || path.isAbsolute(name)) {
      return ts.resolveModuleName(name, containingFile, options, host).resolvedModule;
    }
    const mod = owner(containingFile);
    if (!mod) {
      // Our own declarations (tools/types, tools/sim) may refer to the mapped third-party packages.
      if (thirdParty.has(name)) return asFile(thirdParty.get(name));
      return ts.resolveModuleName(name, containingFile, options, host).resolvedModule;
    }
    const pkg = packageNameOf(name);
    const fromModule = mod.dependencies[pkg] !== undefined;
    const spec = fromModule ? mod.dependencies[pkg] : rootDeps[pkg];
    if (spec === undefined) {
      unresolved.push({ file: containingFile, name, module: mod });
      return undefined;
    }
    if (typeof spec === 'string' && spec.startsWith('file:')) {
      return asFile(targetOf(fromModule ? mod.dir : project.root, spec, name.slice(pkg.length + 1)));
    }
    return asFile(thirdParty.get(name)); // undefined: an ambient `declare module` in tools/types
  };
  host.resolveModuleNames = (names, containingFile) => names.map((n) => resolveOne(n, containingFile));

  const builderProgram = ts.createEmitAndSemanticDiagnosticsBuilderProgram(
    [...files, ...declarationFiles], options, host);
  // Declarations we wrote are checked like sources: a mistake there silently turns types into any.
  const ownDeclarations = [...typeDeclarations, path.join(project.root, 'tools/sim/index.d.ts')].filter((f) => view.exists(f));
  return { builderProgram, program: builderProgram.getProgram(), files, ownDeclarations, unresolved };
}

module.exports = { buildProgram, DECLARATIONS };
