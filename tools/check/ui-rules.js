'use strict';
// Project rules for what the user sees (shared/DESIGN.md, issue 12), on .ets files under src/main:
//   literal-text   user-visible text must come from string resources (base, en_US, zh_CN);
//   literal-colour colours must come from colour resources (with a dark counterpart);
//   a11y           icon-only controls and avatars need accessibilityText, touch targets are at least 48 vp.
// Diagnostics: { file, line, col, severity, rule, message }, as in arkui-rules.js.
const ts = require('ohos-typescript');

// Components whose first argument is text shown as it is (Text(content), Button(label), Span(value)).
const TEXT_FIRST_ARG = new Set(['Text', 'Button', 'Span', 'Marquee']);
// Components and calls whose option objects carry text in these properties (the SDK's ResourceStr members:
// TextInputOptions/TextAreaOptions/SearchOptions placeholder/text/value, MenuItemOptions content/labelInfo,
// SelectOption value, toast/dialog/popup/menu title/message/subtitle, button text/value, Marquee src).
const TEXT_OPTION_CALLS = new Set(['TextInput', 'TextArea', 'Search', 'MenuItem', 'MenuItemGroup', 'Select', 'Marquee',
  'Badge', 'Hyperlink', 'showToast', 'openToast', 'showDialog', 'showActionMenu', 'show', 'bindPopup', 'bindMenu',
  'bindContextMenu', 'openCustomDialog', 'getPromptAction', 'menus', 'toolbarConfiguration', 'swipeAction']);
const TEXT_OPTION_KEYS = new Set(['placeholder', 'text', 'value', 'message', 'title', 'subtitle', 'content',
  'labelInfo', 'src', 'header', 'footer']);
// Attribute methods whose first argument is shown or read aloud.
const TEXT_ATTRIBUTES = new Set(['title', 'subTitle', 'tabBar', 'accessibilityText', 'accessibilityDescription',
  'placeholder']);
// Attribute methods that take a colour.
const COLOUR_ATTRIBUTE = /^(fill|stroke|color|.*Color)$/;
// Option-object keys that hold a colour (shadow color, Badge style badgeColor/borderColor, gradient colors...).
const COLOUR_KEY = /^(color|colors|fill|stroke|.*Color)$/;
const MIN_TARGET_VP = 48;
const ICONS = new Set(['Image', 'SymbolGlyph']);

/** Text a language would translate: anything with a letter (digits, punctuation, emoji and symbols are the same in en and zh). */
function hasLetter(s) {
  return /\p{L}/u.test(s);
}

/** The string and template literals an expression may evaluate to (through ?:, ??, ||, +, parentheses and casts). */
function literalLeaves(expr, out) {
  const acc = out || [];
  if (!expr) return acc;
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) {
    literalLeaves(expr.expression, acc);
  } else if (ts.isConditionalExpression(expr)) {
    literalLeaves(expr.whenTrue, acc);
    literalLeaves(expr.whenFalse, acc);
  } else if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.QuestionQuestionToken,
    ts.SyntaxKind.BarBarToken].includes(expr.operatorToken.kind)) {
    literalLeaves(expr.left, acc);
    literalLeaves(expr.right, acc);
  } else if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
    acc.push({ node: expr, text: expr.text });
  } else if (ts.isTemplateExpression(expr)) {
    // Only the written parts count: `${n}` shows data, `${n} min` shows English.
    acc.push({ node: expr, text: expr.head.text + expr.templateSpans.map((s) => s.literal.text).join('') });
  }
  return acc;
}

/** The colour literals in an expression: '#..'/'rgb(..)' strings, numbers, Color.X other than Transparent. */
function colourLiterals(expr, out, inArray) {
  const acc = out || [];
  if (!expr) return acc;
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) {
    colourLiterals(expr.expression, acc, inArray);
  } else if (ts.isConditionalExpression(expr)) {
    colourLiterals(expr.whenTrue, acc, inArray);
    colourLiterals(expr.whenFalse, acc, inArray);
  } else if (ts.isArrayLiteralExpression(expr)) {
    // linearGradient colors: [[colour, stop], ...]: numbers inside arrays are stops, not colours.
    for (const e of expr.elements) colourLiterals(e, acc, true);
  } else if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
    if (/^\s*(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\s*\()/i.test(expr.text)) acc.push({ node: expr, text: `'${expr.text}'` });
  } else if (ts.isNumericLiteral(expr) && !inArray) {
    acc.push({ node: expr, text: expr.getText() });
  } else if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression) && expr.expression.text === 'Color' &&
      expr.name.text !== 'Transparent') {
    acc.push({ node: expr, text: `Color.${expr.name.text}` });
  }
  return acc;
}

/** The name a call is made by: `Text(..)` -> Text, `x.showToast(..)` -> showToast. */
function calleeName(call) {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** `Comp(args) { body }.a(..).b(..)` -> { root: the component expression, name, attrs: [{ name, call }] }. */
function chainOf(expr) {
  const attrs = [];
  let e = expr;
  for (;;) {
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
      attrs.push({ name: e.expression.name.text, call: e });
      e = e.expression.expression;
    } else {
      break;
    }
  }
  if ((ts.isCallExpression(e) || e.kind === ts.SyntaxKind.EtsComponentExpression) && ts.isIdentifier(e.expression)) {
    return { root: e, name: e.expression.text, attrs: attrs.reverse() };
  }
  return undefined;
}

function isMainSource(fileName) {
  return /[\\/]src[\\/]main[\\/].*\.ets$/.test(fileName);
}

function checkUiPolicy(sf, checker, ctx) {
  if (!isMainSource(sf.fileName)) return [];
  const out = [];
  const components = new Set(ctx.components);
  const report = (node, rule, message) => {
    const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    out.push({ file: sf.fileName, line: pos.line + 1, col: pos.character + 1, severity: 'error', rule, message });
  };

  const reportText = (expr, where) => {
    for (const leaf of literalLeaves(expr)) {
      if (!hasLetter(leaf.text)) continue;
      report(leaf.node, 'literal-text', `${JSON.stringify(leaf.text.slice(0, 40))} passed to ${where} is user-visible ` +
        'text: put it in string.json (base, en_US, zh_CN) and pass $r(\'app.string.<name>\')');
    }
  };
  /** Text-carrying properties of option objects, also nested ones (dialog buttons, menu items). */
  const reportTextOptions = (expr, where) => {
    if (!expr) return;
    if (ts.isArrayLiteralExpression(expr)) {
      for (const e of expr.elements) reportTextOptions(e, where);
      return;
    }
    if (!ts.isObjectLiteralExpression(expr)) return;
    for (const p of expr.properties) {
      if (!ts.isPropertyAssignment(p) || !p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
      if (TEXT_OPTION_KEYS.has(p.name.text)) reportText(p.initializer, `${where} { ${p.name.text} }`);
      reportTextOptions(p.initializer, where);
    }
  };
  const reportColours = (expr, where) => {
    for (const c of colourLiterals(expr)) {
      report(c.node, 'literal-colour', `colour literal ${c.text} in ${where}: use a colour resource ` +
        '$r(\'app.color.<name>\') defined in base/element/color.json and dark/element/color.json');
    }
  };

  /** A numeric size: a literal, or a `static readonly X: number = <literal>` constant such as Theme.ROW_HEIGHT. */
  const numericValue = (expr) => {
    if (!expr) return undefined;
    if (ts.isNumericLiteral(expr)) return Number(expr.text);
    if (ts.isPropertyAccessExpression(expr) || ts.isIdentifier(expr)) {
      let sym = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(expr) ? expr.name : expr);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const decl = sym && sym.valueDeclaration;
      const readonly = decl && (ts.isVariableDeclaration(decl) ? (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0
        : ts.isPropertyDeclaration(decl) && (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly) !== 0);
      if (readonly && decl.initializer && ts.isNumericLiteral(decl.initializer)) return Number(decl.initializer.text);
    }
    return undefined;
  };

  const checkA11y = (chain) => {
    const has = (name) => chain.attrs.some((a) => a.name === name);
    const clickable = has('onClick') || chain.name === 'Button';
    let iconOnly = false;
    if (chain.name === 'Button' && chain.root.kind === ts.SyntaxKind.EtsComponentExpression && chain.root.body &&
        (chain.root.arguments.length === 0 || ts.isObjectLiteralExpression(chain.root.arguments[0]))) {
      const kids = chain.root.body.statements;
      const child = kids.length === 1 && ts.isExpressionStatement(kids[0]) ? chainOf(kids[0].expression) : undefined;
      iconOnly = !!child && ICONS.has(child.name);
    }
    if ((iconOnly || (ICONS.has(chain.name) && has('onClick'))) && !has('accessibilityText')) {
      report(chain.root, 'a11y', `${iconOnly ? 'an icon-only Button' : `a tappable ${chain.name}`} needs ` +
        '.accessibilityText($r(\'app.string.<name>\')): a screen reader has nothing else to say for it');
    }
    if (clickable && !has('responseRegion')) {
      for (const a of chain.attrs) {
        const sizes = [];
        if (a.name === 'width' || a.name === 'height') sizes.push([a.name, a.call.arguments[0]]);
        if (a.name === 'size' && a.call.arguments[0] && ts.isObjectLiteralExpression(a.call.arguments[0])) {
          for (const p of a.call.arguments[0].properties) {
            if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) sizes.push([p.name.text, p.initializer]);
          }
        }
        for (const [dim, arg] of sizes) {
          const v = numericValue(arg);
          if (v !== undefined && v < MIN_TARGET_VP) {
            report(arg, 'a11y', `${chain.name} is tappable but its ${dim} is ${v} vp: a touch target needs at least ` +
              `${MIN_TARGET_VP} vp; make it larger or add .responseRegion(...) covering ${MIN_TARGET_VP} vp`);
          }
        }
      }
    }
  };

  // An avatar is an image of a person to a screen reader: it must say whose.
  const checkAvatar = (st) => {
    if (!st.name || !/Avatar$/.test(st.name.text)) return;
    const build = st.members.find((m) => ts.isMethodDeclaration(m) && m.name && m.name.getText(sf) === 'build');
    if (!build || !build.body) return;
    if (!/\.accessibilityText\(/.test(build.body.getText(sf))) {
      report(st.name, 'a11y', `avatar component '${st.name.text}' must set .accessibilityText(...) to the person's or group's name`);
    }
  };

  const visit = (n) => {
    if (n.kind === ts.SyntaxKind.StructDeclaration) checkAvatar(n);
    if (ts.isExpressionStatement(n)) {
      const chain = chainOf(n.expression);
      if (chain && (components.has(chain.name) || chain.name === 'Button')) checkA11y(chain);
    }
    if (ts.isCallExpression(n) || n.kind === ts.SyntaxKind.EtsComponentExpression) {
      const name = calleeName(n);
      const args = n.arguments || [];
      const isAttribute = ts.isPropertyAccessExpression(n.expression);
      if (name && !isAttribute && TEXT_FIRST_ARG.has(name) && args[0]) reportText(args[0], `${name}()`);
      if (name === 'Hyperlink' && args[1]) reportText(args[1], 'Hyperlink()');
      if (name && isAttribute && TEXT_ATTRIBUTES.has(name) && args[0]) reportText(args[0], `.${name}()`);
      if (name && TEXT_OPTION_CALLS.has(name)) for (const a of args) reportTextOptions(a, `${name}()`);
      if (name && isAttribute && COLOUR_ATTRIBUTE.test(name) && args[0]) reportColours(args[0], `.${name}()`);
    }
    if (ts.isPropertyAssignment(n) && n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) &&
        COLOUR_KEY.test(n.name.text)) {
      reportColours(n.initializer, `{ ${n.name.text} }`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

module.exports = { checkUiPolicy, hasLetter };
