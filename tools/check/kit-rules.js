'use strict';
// shared/DESIGN.md: system kits are called from thin adapter files only, so that logic depends on
// interfaces that host tests can drive. Types from a kit (Want, BusinessError, ...) may be used anywhere;
// a kit's values (notificationManager, pushService, preferences, ...) only in the places listed here.
const ts = require('ohos-typescript');

const KIT_MODULE = /^@(kit|ohos|hms)\./;
// Where calling a kit is the point of the file.
const ADAPTER_PLACES = [
  /\/kit\/[^/]+\.ets$/, // a module's kit adapters (common/push/src/main/ets/kit/...)
  /\/entryability\/[^/]+\.ets$/, // the UIAbility is the system's entry point
  /\/common\/base\/src\/main\/ets\/log\/Logger\.ets$/, // the hilog adapter
  /\/src\/(test|ohosTest|mock)\//, // tests drive the system directly
];

function isAdapter(fileName) {
  const normalised = fileName.split('\\').join('/');
  return ADAPTER_PLACES.some((re) => re.test(normalised));
}

/** Local names bound by an import declaration. */
function importedNames(decl) {
  const clause = decl.importClause;
  if (!clause || clause.isTypeOnly) return [];
  const names = [];
  if (clause.name) names.push(clause.name);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name);
  if (bindings && ts.isNamedImports(bindings)) {
    for (const el of bindings.elements) if (!el.isTypeOnly) names.push(el.name);
  }
  return names;
}

function checkKitUse(sf, checker) {
  if (isAdapter(sf.fileName)) return [];
  const out = [];
  const imports = new Map(); // symbol -> { name, module }
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !KIT_MODULE.test(st.moduleSpecifier.text)) continue;
    for (const name of importedNames(st)) {
      const symbol = checker.getSymbolAtLocation(name);
      if (symbol) imports.set(symbol, { name, module: st.moduleSpecifier.text });
    }
  }
  if (imports.size === 0) return out;
  const reported = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node) && !ts.isImportSpecifier(node.parent) && !ts.isImportClause(node.parent) &&
        !ts.isNamespaceImport(node.parent) && !ts.isPartOfTypeNode(node)) {
      const symbol = checker.getSymbolAtLocation(node);
      const kit = symbol && imports.get(symbol);
      // `class X extends UIAbility` is a value use too; `x: common.Context` is a type (caught above).
      if (kit && !reported.has(symbol) && !isTypeOnlyQualifier(node)) {
        reported.add(symbol);
        const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        out.push({ file: sf.fileName, line: pos.line + 1, col: pos.character + 1, severity: 'error', rule: 'kit-adapter',
          message: `'${node.text}' from ${kit.module} is called outside a kit adapter: put the call in an adapter ` +
            '(a kit/ folder) behind an interface, so logic stays testable and the system is reached in one place' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

// `pushCommon.PushPayload` inside a type, or `typeof x` in a type: a qualified name within a type node.
function isTypeOnlyQualifier(node) {
  let n = node;
  while (n.parent && (ts.isQualifiedName(n.parent) || ts.isPropertyAccessExpression(n.parent))) n = n.parent;
  return ts.isPartOfTypeNode(n) || (n.parent && ts.isExpressionWithTypeArguments(n.parent) && ts.isPartOfTypeNode(n.parent));
}

module.exports = { checkKitUse, isAdapter };
