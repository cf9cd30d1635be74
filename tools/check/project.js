'use strict';
// The HarmonyOS project as hvigor sees it: the modules listed in build-profile.json5, with what each
// one's module.json5 and oh-package.json5 declare.
const fs = require('fs');
const path = require('path');
const JSON5 = require('json5');

const SKIP_DIRS = new Set(['node_modules', 'oh_modules', 'build', '.hvigor', '.preview', '.git']);
// The folders of a module whose sources DevEco compiles or runs: app, local unit tests, device tests.
const SOURCE_DIRS = ['src/main', 'src/test', 'src/ohosTest', 'src/mock'];

/** A file system view with in-memory overrides, so the tool's own tests can plant code without copying. */
class FileView {
  constructor(root, overrides) {
    this.root = root;
    this.overrides = new Map();
    for (const [rel, text] of Object.entries(overrides || {})) this.overrides.set(path.resolve(root, rel), text);
  }

  exists(p) {
    return this.overrides.has(path.resolve(p)) || fs.existsSync(p);
  }

  read(p) {
    const abs = path.resolve(p);
    if (this.overrides.has(abs)) return this.overrides.get(abs);
    return fs.readFileSync(abs, 'utf8');
  }

  /** Files under `dir` (recursively) whose names match `re`, including overrides that do not exist on disk. */
  list(dir, re) {
    const out = new Set();
    const walk = (d) => {
      let entries;
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch (e) {
        return;
      }
      for (const e of entries) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(p);
        } else if (re.test(e.name)) {
          out.add(p);
        }
      }
    };
    walk(dir);
    const prefix = path.resolve(dir) + path.sep;
    for (const p of this.overrides.keys()) if (p.startsWith(prefix) && re.test(path.basename(p))) out.add(p);
    return [...out].sort();
  }
}

class ConfigError extends Error {
  constructor(file, message, line, col) {
    super(message);
    this.file = file;
    this.line = line || 1;
    this.col = col || 1;
  }
}

/** Parses a JSON5 file; a syntax error becomes a ConfigError that knows its line and column. */
function readJson5(view, file) {
  let text;
  try {
    text = view.read(file);
  } catch (e) {
    throw new ConfigError(file, `cannot read: ${e.code || e.message}`);
  }
  try {
    return JSON5.parse(text);
  } catch (e) {
    throw new ConfigError(file, `invalid JSON5: ${e.message.replace(/^JSON5: /, '')}`, e.lineNumber, e.columnNumber);
  }
}

/**
 * Loads the modules named by build-profile.json5. Problems that stop a module from being understood are
 * returned as `problems` (ConfigErrors); the rest of the project is still loaded.
 */
function loadProject(root, view) {
  const problems = [];
  const tryRead = (file) => {
    try {
      return readJson5(view, file);
    } catch (e) {
      if (e instanceof ConfigError) problems.push(e);
      else throw e;
      return undefined;
    }
  };
  const buildProfileFile = path.join(root, 'build-profile.json5');
  const buildProfile = tryRead(buildProfileFile);
  const rootPackage = tryRead(path.join(root, 'oh-package.json5')) || {};
  const modules = [];
  const declared = buildProfile && buildProfile.modules;
  if (buildProfile && !Array.isArray(declared)) {
    problems.push(new ConfigError(buildProfileFile, 'build-profile.json5 has no "modules" list'));
  }
  for (const m of Array.isArray(declared) ? declared : []) {
    const dir = path.resolve(root, m.srcPath || '');
    const moduleJsonFile = path.join(dir, 'src/main/module.json5');
    if (!view.exists(moduleJsonFile)) {
      problems.push(new ConfigError(buildProfileFile, `module "${m.name}": ${path.relative(root, moduleJsonFile)} does not exist`));
      continue;
    }
    const moduleJson = tryRead(moduleJsonFile);
    const pkg = tryRead(path.join(dir, 'oh-package.json5'));
    if (!moduleJson || !pkg) continue;
    const main = pkg.main ? path.resolve(dir, pkg.main) : undefined;
    modules.push({
      name: m.name,
      dir,
      rel: path.relative(root, dir).split(path.sep).join('/'),
      type: moduleJson.module && moduleJson.module.type,
      moduleJson,
      moduleJsonFile,
      packageName: pkg.name,
      main: main && /\.(ets|ts)$/.test(main) ? main : undefined,
      dependencies: Object.assign({}, pkg.dependencies || {}, pkg.devDependencies || {}),
    });
  }
  return { root, buildProfile, rootPackage, modules, problems };
}

/**
 * Where a `file:` dependency leads: the named package's `main` (default Index.ets), or for a deep import
 * (`@scope/pkg/sub/File`) that path inside the package. `declaringDir` holds the oh-package.json5 that
 * declares the dependency; the spec is relative to it, as ohpm reads it.
 */
function fileDependencyTarget(view, declaringDir, spec, subpath) {
  const pkgDir = path.resolve(declaringDir, spec.slice('file:'.length));
  if (subpath) return path.join(pkgDir, subpath);
  return path.resolve(pkgDir, readJson5(view, path.join(pkgDir, 'oh-package.json5')).main || 'Index.ets');
}

function sourceFiles(view, mod) {
  const files = [];
  for (const sub of SOURCE_DIRS) files.push(...view.list(path.join(mod.dir, sub), /\.(ets|ts)$/));
  if (mod.main && !files.includes(mod.main)) files.push(mod.main);
  return files.filter((f) => !/\.d\.e?ts$/.test(f));
}

module.exports = { FileView, ConfigError, readJson5, loadProject, sourceFiles, fileDependencyTarget };
