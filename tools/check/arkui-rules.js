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
// Members whose value comes from storage or an ancestor: a parent may not pass them.
const NOT_FROM_PARENT = new Set(['Consume', 'StorageLink', 'StorageProp', 'LocalStorageLink', 'LocalStorageProp']);
const STATE_DECORATORS = new Set([...MUST_INIT, ...MUST_NOT_INIT, 'Prop', 'Watch', 'BuilderParam', 'Require', 'Param',
  'Once', 'Event']);

// Component nesting, from the ArkUI component reference (each confirmed with ../shared/tools/realcheck).
const ATOMIC = new Set(['Image', 'TextInput', 'TextArea', 'Divider', 'Blank', 'Progress', 'LoadingProgress', 'Slider',
  'Radio', 'Search', 'Marquee', 'Span', 'ImageSpan', 'SymbolGlyph', 'Circle', 'Line', 'Rect', 'Path', 'PatternLock',
  'Video', 'Web']);
const SINGLE_CHILD = new Set(['Button', 'Scroll', 'Refresh', 'Gauge', 'ListItem', 'GridItem', 'TabContent']);
const ALLOWED_CHILDREN = new Map([
  ['Text', ['Span', 'ImageSpan', 'ContainerSpan', 'SymbolSpan']],
  ['List', ['ListItem', 'ListItemGroup', 'Section']],
  ['ListItemGroup', ['ListItem']],
  ['Tabs', ['TabContent']],
  ['Grid', ['GridItem']],
  ['WaterFlow', ['FlowItem']],
]);
const ALLOWED_PARENTS = new Map([
  ['Span', ['Text', 'RichEditor', 'ContainerSpan']],
  ['ImageSpan', ['Text', 'ContainerSpan']],
  ['ListItem', ['List', 'ListItemGroup']],
  ['GridItem', ['Grid']],
  ['TabContent', ['Tabs']],
  ['FlowItem', ['WaterFlow']],
]);

/** The name of a decorator: `@State` and `@Watch('x')` both give their identifier. */
function decoratorName(d) {
  const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

function decoratorNames(node) {
  return (ts.getAllDecorators(node) || []).map(decoratorName).filter((n) => n !== undefined);
}

function decoratorNode(node, name) {
  return (ts.getAllDecorators(node) || []).find((d) => decoratorName(d) === name);
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

  const checkForEach = (call, name, parent) => {
    if ((name === 'ForEach' || name === 'LazyForEach') && call.arguments.length < 3) {
      // Project rule: without a key generator ArkUI keys items by index + JSON.stringify, which rebuilds
      // every row when one changes and mixes up row state after inserts.
      report(call, 'foreach-key', `${name} needs a key generator (third argument) that returns a stable id per item`);
    }
    const itemGen = call.arguments[1];
    if (itemGen && (ts.isArrowFunction(itemGen) || ts.isFunctionExpression(itemGen)) && ts.isBlock(itemGen.body)) {
      checkUiBlock(itemGen.body, parent);
    }
  };

  const checkCustomComponentArgs = (call, decl) => {
    // @Link/@ObjectLink have no value of their own; @Require demands the parent's value even when the
    // member has a local default.
    const required = decl.members.filter((m) => ts.isPropertyDeclaration(m) &&
      (decoratorNames(m).includes('Require') || (!m.initializer && decoratorNames(m).some((n) => MUST_PASS.has(n)))));
    const arg = call.arguments[0];
    const passed = new Set();
    if (arg && ts.isObjectLiteralExpression(arg)) {
      for (const p of arg.properties) if (p.name && ts.isIdentifier(p.name)) passed.add(p.name.text);
    } else if (arg) {
      return; // not a literal: cannot tell statically
    }
    for (const m of decl.members) {
      const forbidden = ts.isPropertyDeclaration(m) && decoratorNames(m).find((n) => NOT_FROM_PARENT.has(n));
      if (forbidden && passed.has(memberName(m))) {
        report(call, 'component-args', `Property '${memberName(m)}' of the custom component '${decl.name.text}' ` +
          `cannot be passed by the parent: @${forbidden} members get their value from ${forbidden === 'Consume' ? 'an ancestor\'s @Provide' : 'storage'}`);
      }
    }
    for (const m of required) {
      if (!passed.has(memberName(m))) {
        report(call, 'component-args', `Property '${memberName(m)}' of the custom component '${decl.name.text}' ` +
          `is missing: @${decoratorNames(m).find((n) => MUST_PASS.has(n) || n === 'Require')} members must be passed by the parent`);
      }
    }
  };

  /**
   * A statement of build(), of a @Builder or of a component's child block; `parent` is the built-in
   * component whose children these are (if/else and ForEach are transparent), or undefined.
   * Returns how many child nodes it adds to the parent (ForEach counts as one).
   */
  const checkUiStatement = (st, parent) => {
    if (ts.isIfStatement(st)) {
      const a = checkUiBody(st.thenStatement, parent);
      const b = st.elseStatement ? checkUiBody(st.elseStatement, parent) : 0;
      return Math.max(a, b);
    }
    if (ts.isExpressionStatement(st)) {
      const root = rootCall(st.expression);
      if (root && isUiCallee(root.callee)) {
        const name = ts.isIdentifier(root.callee) ? root.callee.text : undefined;
        if (name && SYNTAX_COMPONENTS.has(name)) {
          checkForEach(root.call, name, parent);
          return 1;
        }
        if (name && !components.has(name)) {
          const decl = declOf(root.callee);
          if (decl && isStruct(decl)) checkCustomComponentArgs(root.call, decl);
          return 1;
        }
        if (name) checkNesting(root.call, name, parent);
        if (root.call.kind === ts.SyntaxKind.EtsComponentExpression && root.call.body) {
          const children = checkUiBlock(root.call.body, name);
          if (name) checkChildCount(root.call, name, children);
        }
        return 1;
      }
    }
    const what = ts.isExpressionStatement(st) ? `'${st.expression.getText(sf).slice(0, 40)}' is not a component or a @Builder call. `
      : '';
    report(st, 'build-syntax', `Only UI component syntax can be written in build(): ${what}Allowed are components, ` +
      'custom components, @Builder calls, if/else and ForEach; compute values in a view model or a method instead.');
    return 0;
  };
  const checkUiBody = (node, parent) => (ts.isBlock(node) ? checkUiBlock(node, parent) : checkUiStatement(node, parent));
  function checkUiBlock(block, parent) {
    let children = 0;
    for (const st of block.statements) children += checkUiStatement(st, parent);
    return children;
  }

  const checkNesting = (call, name, parent) => {
    if (parent === undefined) return; // top of build() or of a @Builder: the parent is not known here
    const allowed = ALLOWED_CHILDREN.get(parent);
    if (allowed && !allowed.includes(name)) {
      report(call, 'component-nesting', `'${parent}' can only have ${allowed.join(', ')} as children, not '${name}'`);
    }
    const parents = ALLOWED_PARENTS.get(name);
    if (parents && !parents.includes(parent)) {
      report(call, 'component-nesting', `'${name}' can only be a child of ${parents.join(', ')}, not of '${parent}'`);
    }
  };

  const checkChildCount = (call, name, children) => {
    if (children === 0) return;
    if (ATOMIC.has(name)) {
      report(call, 'component-nesting', `'${name}' cannot have children`);
    } else if (name === 'Button' && call.arguments && call.arguments.length > 0 && !ts.isObjectLiteralExpression(call.arguments[0])) {
      report(call, 'component-nesting', `a Button with a label cannot have children; use Button() { ... } without the label`);
    } else if (SINGLE_CHILD.has(name) && children > 1) {
      report(call, 'component-nesting', `'${name}' can have only one child, found ${children}: wrap them in a container`);
    }
  };

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
      const decorators = decoratorNames(m);
      if (decorators.some((d) => STATE_DECORATORS.has(d)) && (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static)) {
        report(m.name, 'decorator-init', `static member '${memberName(m)}' cannot have a state decorator`);
      }
      const watch = decoratorNode(m, 'Watch');
      if (watch && ts.isCallExpression(watch.expression) && watch.expression.arguments.length > 0 &&
          ts.isStringLiteral(watch.expression.arguments[0])) {
        const callback = watch.expression.arguments[0].text;
        if (!node.members.some((x) => ts.isMethodDeclaration(x) && memberName(x) === callback)) {
          report(watch, 'decorator-watch', `@Watch('${callback}') on '${memberName(m)}': struct '${name}' has no method '${callback}'`);
        }
      }
      for (const d of decorators) {
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
    const checkStyles = (fn) => {
      if (decoratorNames(fn).includes('Styles') && fn.parameters.length > 0) {
        report(fn.name || fn, 'styles-params', '@Styles functions cannot have parameters; use @Extend for parameterised styles');
      }
    };
    for (const st of sf.statements) {
      if (ts.isFunctionDeclaration(st)) checkStyles(st);
      if (isStruct(st)) {
        for (const m of st.members) if (ts.isMethodDeclaration(m)) checkStyles(m);
      }
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

module.exports = { checkArkUI, decoratorNames };
