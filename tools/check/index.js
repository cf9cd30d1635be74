'use strict';
// `npm run check`: type checking, the ArkTS linter, our ArkUI rules and the config check, as one list of
// diagnostics { file, line, col, severity, rule, message }.
const path = require('path');
const ts = require('ohos-typescript');
const { FileView, loadProject } = require('./project');
const { buildProgram } = require('./program');
const { checkArkUI, decoratorNames } = require('./arkui-rules');
const { checkConfig } = require('./config-rules');
const { checkKitUse } = require('./kit-rules');
const { checkUiPolicy } = require('./ui-rules');
const { checkResourceSets } = require('./resource-rules');

function fromTsDiagnostic(d, rule) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  const severity = d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning';
  if (!d.file) return { file: undefined, line: 1, col: 1, severity, rule: rule || `TS${d.code}`, message };
  const pos = d.file.getLineAndCharacterOfPosition(d.start || 0);
  return { file: d.file.fileName, line: pos.line + 1, col: pos.character + 1, severity, rule: rule || `TS${d.code}`, message };
}

// Struct members bound by the parent (or by @Require) have no initializer by design; with `strict` on,
// tsc would still report TS2564 for them, which the ArkTS compiler does not.
const PARENT_BOUND = new Set(['Link', 'ObjectLink', 'Consume', 'Prop', 'BuilderParam', 'Require']);

function isParentBoundMember(d) {
  if (d.code !== 2564 || !d.file) return false;
  let node = findNodeAt(d.file, d.start);
  while (node && !ts.isPropertyDeclaration(node)) node = node.parent;
  if (!node || !node.parent || node.parent.kind !== ts.SyntaxKind.StructDeclaration) return false;
  return decoratorNames(node).some((name) => PARENT_BOUND.has(name));
}

function findNodeAt(sf, pos) {
  let found;
  const visit = (n) => {
    if (pos >= n.getStart(sf) && pos < n.getEnd()) {
      found = n;
      ts.forEachChild(n, visit);
    }
  };
  visit(sf);
  return found;
}

// The linter names its rule at the end of the message: "... (arkts-no-any-unknown)".
function linterRule(d) {
  const m = /\((arkts-[a-z0-9-]+)\)\s*$/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '));
  return m ? m[1] : 'arkts-linter';
}

/** `type.name` of every resource of every module and AppScope (a HAR is compiled with its HAP's table). */
function resourceNames(project, view) {
  const names = new Set();
  const roots = [path.join(project.root, 'AppScope/resources'), ...project.modules.map((m) => path.join(m.dir, 'src/main/resources'))];
  for (const root of roots) {
    for (const file of view.list(root, /./)) {
      const rel = path.relative(root, file).split(path.sep); // [qualifier, kind, file]
      if (rel.length !== 3) continue;
      const base = rel[2].replace(/\.[^.]*$/, '');
      if (rel[1] === 'element' && rel[2].endsWith('.json')) {
        let json;
        try {
          json = JSON.parse(view.read(file));
        } catch (e) {
          continue; // the config check reports unreadable resource files
        }
        for (const [type, list] of Object.entries(json)) {
          for (const item of Array.isArray(list) ? list : []) if (item && item.name) names.add(`${type}.${item.name}`);
        }
      } else if (rel[1] === 'media' || rel[1] === 'profile') {
        names.add(`${rel[1]}.${base}`);
      }
    }
  }
  return names;
}

/**
 * Runs every check on the project at `root`. `overrides` maps project-relative paths to file contents
 * that replace (or add to) what is on disk.
 */
function runCheck(root, opts) {
  const started = Date.now();
  const options = opts || {};
  const view = new FileView(path.resolve(root), options.overrides);
  const project = loadProject(view.root, view);
  const out = [];
  for (const p of project.problems) out.push({ file: p.file, line: p.line, col: p.col, severity: 'error', rule: 'config', message: p.message });

  const { builderProgram, program, files, ownDeclarations, unresolved } = buildProgram(project, view);
  const uiContext = { components: program.getCompilerOptions().ets.components, resources: resourceNames(project, view) };
  const projectFiles = new Set(files.map((f) => path.resolve(f)));
  const isProjectFile = (sf) => projectFiles.has(path.resolve(sf.fileName));
  const declarationFiles = new Set(ownDeclarations.map((f) => path.resolve(f)));
  for (const d of program.getOptionsDiagnostics()) out.push(fromTsDiagnostic(d));
  for (const d of program.getGlobalDiagnostics()) out.push(fromTsDiagnostic(d));
  for (const sf of program.getSourceFiles()) {
    if (!isProjectFile(sf) && !declarationFiles.has(path.resolve(sf.fileName))) continue;
    for (const d of program.getSyntacticDiagnostics(sf)) out.push(fromTsDiagnostic(d));
    for (const d of program.getSemanticDiagnostics(sf)) if (!isParentBoundMember(d)) out.push(fromTsDiagnostic(d));
  }
  for (const u of unresolved) {
    const sf = program.getSourceFile(u.file);
    const at = sf ? sf.text.search(new RegExp(`['"]${u.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`)) : -1;
    const pos = sf && at >= 0 ? sf.getLineAndCharacterOfPosition(at) : { line: 0, character: 0 };
    out.push({ file: u.file, line: pos.line + 1, col: pos.character + 1, severity: 'error', rule: 'undeclared-dependency',
      message: `'${u.name}' is imported but ${u.module.rel}/oh-package.json5 does not declare it as a dependency` });
  }
  if (!options.noLint) {
    const lint = ts.ArkTSLinter_1_1.runArkTSLinter(builderProgram, undefined, undefined, '1.1');
    for (const d of lint) {
      if (d.file && !isProjectFile(d.file)) continue;
      out.push(fromTsDiagnostic(d, linterRule(d)));
    }
  }
  for (const sf of program.getSourceFiles()) {
    if (!isProjectFile(sf)) continue;
    if (sf.fileName.endsWith('.ets')) out.push(...checkArkUI(sf, program.getTypeChecker(), uiContext));
    if (sf.fileName.endsWith('.ets')) out.push(...checkUiPolicy(sf, program.getTypeChecker(), uiContext));
    out.push(...checkKitUse(sf, program.getTypeChecker()));
  }
  out.push(...checkConfig(project, view, program, uiContext.resources));
  out.push(...checkResourceSets(project, view));

  const seen = new Set();
  const diagnostics = [];
  for (const d of out) {
    d.file = d.file ? path.relative(view.root, d.file).split(path.sep).join('/') : '(project)';
    const key = `${d.file}:${d.line}:${d.col}:${d.rule}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(d);
    }
  }
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { diagnostics, fileCount: files.length, moduleCount: project.modules.length, ms: Date.now() - started };
}

function format(d) {
  return `${d.file}:${d.line}:${d.col} ${d.severity} ${d.rule} ${d.message}`;
}

module.exports = { runCheck, format };
