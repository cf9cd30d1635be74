'use strict';
// ArkUI rules that the ArkTS compiler (ets-loader) enforces beyond type checking and the ArkTS linter.
// Each was confirmed against the real compiler front end (../shared/tools/realcheck) or is a project rule,
// marked as such. Diagnostics: { file, line, col, severity, rule, message }.
const ts = require('ohos-typescript');

const COMPONENT_DECORATORS = new Set(['Component', 'ComponentV2', 'CustomDialog']);
// Owned state: the component creates the value, so it must be initialised where it is declared.
const MUST_INIT = new Set(['State', 'Provide', 'StorageLink', 'StorageProp', 'LocalStorageLink',
  'LocalStorageProp', 'Local', 'Provider', 'Consumer']);
// Bound state: the value comes from an ancestor, so a local initialiser is an error.
const MUST_NOT_INIT = new Set(['Link', 'ObjectLink', 'Consume']);
// Members the parent must pass when it creates the component.
const MUST_PASS = new Set(['Link', 'ObjectLink']);
const SYNTAX_COMPONENTS = new Set(['ForEach', 'LazyForEach', 'Repeat']);

function decoratorNames(node) {
  const out = [];
  for (const d of ts.getAllDecorators(node) || []) {
    const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
    if (ts.isIdentifier(e)) out.push(e.text);
  }
  return out;
}

function decoratorNode(node, name) {
  return (ts.getAllDecorators(node) || []).find((d) => {
    const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
    return ts.isIdentifier(e) && e.text === name;
  });
}

function isStruct(node) {
  return node.kind === ts.SyntaxKind.StructDeclaration;
}

function memberName(m) {
  return m.name && ts.isIdentifier(m.name) ? m.name.text : '?';
}

/** The identifier a UI expression starts from: `Column() {..}.width(1)` -> Column, `this.row(x)` -> row. */
function rootCall(expr) {
  let e = expr;
  for (;;) {
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) &&
        (ts.isCallExpression(e.expression.expression) || e.expression.expression.kind === ts.SyntaxKind.EtsComponentExpression)) {
      e = e.expression.expression; // an attribute call on a component: go to the component
    } else if (ts.isPropertyAccessExpression(e) && (ts.isCallExpression(e.expression) ||
        e.expression.kind === ts.SyntaxKind.EtsComponentExpression)) {
      e = e.expression;
    } else {
      break;
    }
  }
  if (e.kind === ts.SyntaxKind.EtsComponentExpression) return { call: e, callee: e.expression };
  if (ts.isCallExpression(e)) return { call: e, callee: e.expression };
  return undefined;
}

function createRules(sf, checker, ctx) {
  const out = [];
  const components = new Set(ctx.components);
  const report = (node, rule, message, severity) => {
    const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    out.push({ file: sf.fileName, line: pos.line + 1, col: pos.character + 1, severity: severity || 'error', rule, message });
  };
  const declOf = (node) => {
    const sym = checker.getSymbolAtLocation(node);
    const target = sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    return target && target.declarations && target.declarations[0];
  };

  /** Is `callee` something that may stand as a statement of build(): a component or a builder? */
  const isUiCallee = (callee) => {
    if (ts.isIdentifier(callee)) {
      if (components.has(callee.text) || SYNTAX_COMPONENTS.has(callee.text)) return true;
      const decl = declOf(callee);
      if (!decl) return false;
      if (isStruct(decl)) return true;
      return decoratorNames(decl).some((n) => n === 'Builder' || n === 'LocalBuilder');
    }
    if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const decl = declOf(callee.name);
      return !!decl && decoratorNames(decl).some((n) => n === 'Builder' || n === 'LocalBuilder' || n === 'BuilderParam');
    }
    return false;
  };

  const checkForEach = (call, name) => {
    if ((name === 'ForEach' || name === 'LazyForEach') && call.arguments.length < 3) {
      // Project rule: without a key generator ArkUI keys items by index + JSON.stringify, which rebuilds
      // every row when one changes and mixes up row state after inserts.
      report(call, 'foreach-key', `${name} needs a key generator (third argument) that returns a stable id per item`);
    }
    const itemGen = call.arguments[1];
    if (itemGen && (ts.isArrowFunction(itemGen) || ts.isFunctionExpression(itemGen)) && ts.isBlock(itemGen.body)) {
      checkUiBlock(itemGen.body);
    }
  };

  const checkCustomComponentArgs = (call, decl) => {
    const required = decl.members.filter((m) => ts.isPropertyDeclaration(m) && !m.initializer &&
      decoratorNames(m).some((n) => MUST_PASS.has(n) || n === 'Require'));
    if (required.length === 0) return;
    const arg = call.arguments[0];
    const passed = new Set();
    if (arg && ts.isObjectLiteralExpression(arg)) {
      for (const p of arg.properties) if (p.name && ts.isIdentifier(p.name)) passed.add(p.name.text);
    } else if (arg) {
      return; // not a literal: cannot tell statically
    }
    for (const m of required) {
      if (!passed.has(memberName(m))) {
        report(call, 'component-args', `Property '${memberName(m)}' of the custom component '${decl.name.text}' ` +
          `is missing: @${decoratorNames(m).find((n) => MUST_PASS.has(n) || n === 'Require')} members must be passed by the parent`);
      }
    }
  };

  /** A statement of build(), of a @Builder or of a component's child block. */
  const checkUiStatement = (st) => {
    if (ts.isIfStatement(st)) {
      checkUiBody(st.thenStatement);
      if (st.elseStatement) checkUiBody(st.elseStatement);
      return;
    }
    if (ts.isExpressionStatement(st)) {
      const root = rootCall(st.expression);
      if (root && isUiCallee(root.callee)) {
        if (ts.isIdentifier(root.callee) && SYNTAX_COMPONENTS.has(root.callee.text)) {
          checkForEach(root.call, root.callee.text);
        } else if (ts.isIdentifier(root.callee)) {
          const decl = declOf(root.callee);
          if (decl && isStruct(decl)) checkCustomComponentArgs(root.call, decl);
        }
        if (root.call.kind === ts.SyntaxKind.EtsComponentExpression && root.call.body) checkUiBlock(root.call.body);
        return;
      }
    }
    report(st, 'build-syntax', 'Only UI component syntax can be written in build(): components, custom ' +
      'components, @Builder calls, if/else and ForEach. Compute values in a view model or a method instead.');
  };
  const checkUiBody = (node) => {
    if (ts.isBlock(node)) checkUiBlock(node);
    else checkUiStatement(node);
  };
  function checkUiBlock(block) {
    for (const st of block.statements) checkUiStatement(st);
  }

  const checkStruct = (node) => {
    const decorators = decoratorNames(node);
    const isEntry = decorators.includes('Entry');
    const isComponent = isEntry || decorators.some((d) => COMPONENT_DECORATORS.has(d));
    if (!isComponent) return;
    const name = node.name ? node.name.text : '?';
    const builds = node.members.filter((m) => ts.isMethodDeclaration(m) && memberName(m) === 'build');
    if (builds.length !== 1) {
      report(node.name || node, 'struct-build', `struct '${name}' must have exactly one build() method, found ${builds.length}`);
    }
    for (const b of builds) {
      if (!b.body) continue;
      const roots = b.body.statements;
      if (roots.length !== 1) {
        report(b.name, 'build-root', `build() of '${name}' must have exactly one root node, found ${roots.length}` +
          (roots.length > 1 ? ': wrap them in a container such as Column' : ''));
      } else if (isEntry && !ts.isExpressionStatement(roots[0])) {
        report(roots[0], 'build-root', `the root of an @Entry page's build() must be a component, not a statement`);
      }
      checkUiBlock(b.body);
    }
    for (const m of node.members) {
      if (ts.isMethodDeclaration(m) && m.body && decoratorNames(m).includes('Builder')) checkUiBlock(m.body);
      if (!ts.isPropertyDeclaration(m)) continue;
      for (const d of decoratorNames(m)) {
        if (MUST_INIT.has(d) && !m.initializer) {
          report(m.name, 'decorator-init', `@${d} property '${memberName(m)}' must be initialised where it is declared`);
        }
        if (MUST_NOT_INIT.has(d) && m.initializer) {
          report(m.name, 'decorator-init', `@${d} property '${memberName(m)}' must not be initialised locally: ` +
            (d === 'Consume' ? 'its value comes from an ancestor\'s @Provide' : 'its value comes from the parent component'));
        }
        if (d === 'Prop' || d === 'Link' || d === 'ObjectLink') checkBoundType(m, d);
      }
    }
  };

  // @Prop/@Link/@ObjectLink carry state, which must be data: no functions, no any/unknown, and
  // @ObjectLink needs an @Observed class instance, not a primitive.
  const checkBoundType = (m, d) => {
    const type = checker.getTypeAtLocation(m.name);
    const where = m.type || m.name;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) {
      report(where, 'decorator-type', `@${d} property '${memberName(m)}' needs a concrete type, not any/unknown`);
      return;
    }
    const parts = type.isUnion() ? type.types : [type];
    if (parts.some((t) => t.getCallSignatures().length > 0)) {
      report(where, 'decorator-type', `@${d} property '${memberName(m)}' cannot have a function type; ` +
        'pass callbacks as plain members (or @BuilderParam for UI)');
    }
    if (d === 'ObjectLink' && parts.some((t) => t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike |
        ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike))) {
      report(where, 'decorator-type', `@ObjectLink property '${memberName(m)}' must be an @Observed class type`);
    }
  };

  const checkResources = (node) => {
    if (!ctx.resources) return;
    const visit = (n) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === '$r' &&
          n.arguments.length > 0 && ts.isStringLiteral(n.arguments[0])) {
        const ref = n.arguments[0].text;
        const m = /^(app|sys)\.(\w+)\.(\w+)$/.exec(ref);
        if (!m) {
          report(n.arguments[0], 'resource', `'${ref}' is not a resource reference of the form 'app.type.name'`);
        } else if (m[1] === 'app' && !ctx.resources.has(`${m[2]}.${m[3]}`)) {
          report(n.arguments[0], 'resource', `unknown resource '${ref}': no module or AppScope defines ${m[2]} '${m[3]}'`);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
  };

  const run = () => {
    const entries = sf.statements.filter((s) => isStruct(s) && decoratorNames(s).includes('Entry'));
    for (const extra of entries.slice(1)) {
      report(decoratorNode(extra, 'Entry'), 'single-entry', 'a file may contain only one @Entry component');
    }
    for (const st of sf.statements) {
      if (isStruct(st)) checkStruct(st);
      if (ts.isFunctionDeclaration(st) && st.body && decoratorNames(st).includes('Builder')) checkUiBlock(st.body);
    }
    checkResources(sf);
    return out;
  };
  return { run };
}

function checkArkUI(sf, checker, ctx) {
  return createRules(sf, checker, ctx).run();
}

module.exports = { checkArkUI };
