'use strict';
// npm run check must fail, with a clear message, on each kind of mistake the ArkTS compiler rejects.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { ROOT, read, edit, check, errors, copyProject } = require('./helpers');

const FEATURE_VIEW = 'features/call/src/main/ets/view/CallListView.ets';
const FEATURE_PAGE = 'features/call/src/main/ets/pages/Planted.ets';
const STRUCT_OPEN = 'struct CallListView {';

function expectOne(diagnostics, rule, file, pattern) {
  const found = errors(diagnostics, rule);
  assert.equal(found.length, 1, `expected one ${rule} error, got:\n${diagnostics.map((d) => JSON.stringify(d)).join('\n')}`);
  assert.equal(found[0].file, file);
  if (pattern) assert.match(found[0].message, pattern);
  return found[0];
}

describe('the project itself', () => {
  test('is clean', () => {
    const diagnostics = check({});
    assert.deepEqual(diagnostics.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`), []);
  });
});

describe('type checking and the ArkTS linter', () => {
  test('any in a feature file is an arkts-no-any-unknown error at its line', () => {
    const d = expectOne(check({ [FEATURE_VIEW]: `${read(FEATURE_VIEW)}\nlet x: any = 1;\n` }),
      'arkts-no-any-unknown', FEATURE_VIEW);
    assert.equal(d.line, read(FEATURE_VIEW).split('\n').length + 1);
  });

  test('a misspelt attribute inside build() is a type error that names the right one', () => {
    expectOne(check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, '.fontSize(24)', '.fontSizee(24)') }), 'TS2551', FEATURE_VIEW,
      /fontSizee.*fontSize/);
  });

  test('destructuring and untyped object literals are linter errors', () => {
    const planted = `${read(FEATURE_VIEW)}\nconst point = { x: 1 };\nconst [a, b] = [1, 2];\n`;
    const d = check({ [FEATURE_VIEW]: planted });
    assert.ok(errors(d, 'arkts-no-untyped-obj-literals').length >= 1);
    assert.ok(errors(d, 'arkts-no-destruct-decls').length >= 1);
  });

  test('an import of a module the importing module does not declare is an error', () => {
    const planted = `import { ConversationListView } from '@pushuikit/chat';\n${read(FEATURE_VIEW)}`;
    const d = expectOne(check({ [FEATURE_VIEW]: planted }), 'undeclared-dependency', FEATURE_VIEW, /features\/call\/oh-package.json5/);
    assert.deepEqual([d.line, d.col], [1, 38]);
  });
});

describe('ArkUI rules', () => {
  const page = (body) => `@Entry\n@Component\nstruct Planted {\n  build() {\n${body}\n  }\n}\n`;

  test('an @Entry build() with two root nodes', () => {
    expectOne(check({ [FEATURE_PAGE]: page('    Column() {}\n    Row() {}') }), 'build-root', FEATURE_PAGE, /exactly one root node, found 2/);
  });

  test('a component build() with a plain statement as second root', () => {
    const planted = edit(FEATURE_VIEW, '  build() {\n', "  build() {\n    console.log('x');\n");
    assert.ok(errors(check({ [FEATURE_VIEW]: planted }), 'build-root').length === 1);
  });

  test('an @Entry whose root is an if statement', () => {
    expectOne(check({ [FEATURE_PAGE]: page('    if (true) {\n      Column() {}\n    }') }), 'build-root', FEATURE_PAGE, /must be a component/);
  });

  test('a struct without build()', () => {
    expectOne(check({ [FEATURE_PAGE]: '@Component\nexport struct Planted {\n}\n' }), 'struct-build', FEATURE_PAGE);
  });

  test('@Link initialised locally', () => {
    expectOne(check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, STRUCT_OPEN, `${STRUCT_OPEN}\n  @Link count: number = 1;`) }),
      'decorator-init', FEATURE_VIEW, /@Link property 'count' must not be initialised locally/);
  });

  test('@Consume and @ObjectLink initialised locally', () => {
    const d = check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, STRUCT_OPEN,
      `${STRUCT_OPEN}\n  @Consume('k') a: number = 1;\n  @ObjectLink b: Date = new Date();`) });
    assert.equal(errors(d, 'decorator-init').length, 2);
  });

  test('@State and @StorageLink without an initialiser', () => {
    const d = check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, STRUCT_OPEN,
      `${STRUCT_OPEN}\n  @State a: number;\n  @StorageLink('k') b: string;`) });
    assert.equal(errors(d, 'decorator-init').length, 2);
  });

  test('uninitialised @Link, @Prop and @Consume are fine', () => {
    const planted = `@Component\nexport struct Child {\n  @Link a: number;\n  @Prop b: string;\n  @Consume('navPathStack') c: NavPathStack;\n` +
      `  build() {\n    Text(this.b)\n  }\n}\n`;
    assert.deepEqual(errors(check({ [FEATURE_PAGE]: planted })), []);
  });

  test('a parent that does not pass a @Link member', () => {
    const planted = `@Component\nstruct Child {\n  @Link a: number;\n  build() {\n    Text('x')\n  }\n}\n` +
      `@Component\nexport struct Parent {\n  @State n: number = 0;\n  build() {\n    Column() {\n      Child()\n      Child({ a: this.n })\n    }\n  }\n}\n`;
    expectOne(check({ [FEATURE_PAGE]: planted }), 'component-args', FEATURE_PAGE, /'a'.*'Child'/);
  });

  test('a parent that does not pass a @Require member, even one with a default', () => {
    const planted = `@Component\nstruct Child {\n  @Require @State c: number = 1;\n  @Prop optional: string = '';\n` +
      `  build() {\n    Text('x')\n  }\n}\n@Component\nexport struct Parent {\n  build() {\n    Column() {\n      Child()\n    }\n  }\n}\n`;
    expectOne(check({ [FEATURE_PAGE]: planted }), 'component-args', FEATURE_PAGE, /'c'.*@Require/);
  });

  test('@Prop and @Link of function type', () => {
    const d = check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, STRUCT_OPEN,
      `${STRUCT_OPEN}\n  @Prop cb: () => void = () => {};\n  @Link other: (x: number) => string;`) });
    assert.equal(errors(d, 'decorator-type').length, 2);
  });

  test('a variable declaration among the children in build()', () => {
    expectOne(check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, '    Column() {\n', '    Column() {\n      let y = 1;\n') }),
      'build-syntax', FEATURE_VIEW, /Only UI component syntax/);
  });

  test('statements inside a ForEach item builder are checked too', () => {
    const planted = edit(FEATURE_VIEW, '    Column() {\n',
      '    Column() {\n      ForEach([1], (n: number) => {\n        this.calls = n;\n      }, (n: number) => `${n}`)\n');
    assert.equal(errors(check({ [FEATURE_VIEW]: planted.replace(STRUCT_OPEN, `${STRUCT_OPEN}\n  calls: number = 0;`) }),
      'build-syntax').length, 1);
  });

  test('a method that is not a @Builder called in build()', () => {
    const planted = edit(FEATURE_VIEW, '    Column() {\n', '    Column() {\n      this.helper()\n')
      .replace('  build() {', '  private helper(): void {}\n\n  build() {');
    expectOne(check({ [FEATURE_VIEW]: planted }), 'build-syntax', FEATURE_VIEW, /'this.helper\(\)' is not a component/);
  });

  const nested = (body) => `@Component\nexport struct Planted {\n  build() {\n    Column() {\n${body}\n    }\n  }\n}\n`;

  test('children of a component that takes none', () => {
    expectOne(check({ [FEATURE_PAGE]: nested("      Image('x.png') {\n        Text('a')\n      }") }),
      'component-nesting', FEATURE_PAGE, /'Image' cannot have children/);
  });

  test('children a container does not accept, through if and ForEach', () => {
    const body = "      List() {\n        if (true) {\n          Text('a')\n        }\n        ForEach([1], (n: number) => {\n" +
      "          ListItem() {\n            Text(`${n}`)\n          }\n        }, (n: number) => `${n}`)\n      }\n" +
      "      Text('x') {\n        Span('ok')\n        Column() {}\n      }";
    const d = errors(check({ [FEATURE_PAGE]: nested(body) }), 'component-nesting');
    assert.deepEqual(d.map((x) => x.message), [
      "'List' can only have ListItem, ListItemGroup, Section as children, not 'Text'",
      "'Text' can only have Span, ImageSpan, ContainerSpan, SymbolSpan as children, not 'Column'",
    ]);
  });

  test('a second child of a single-child component, and a child of a labelled Button', () => {
    const body = "      Scroll() {\n        Text('a')\n        Text('b')\n      }\n      Button('label') {\n        Text('c')\n      }\n" +
      "      Button() {\n        Text('fine')\n      }";
    const d = errors(check({ [FEATURE_PAGE]: nested(body) }), 'component-nesting');
    assert.equal(d.length, 2, JSON.stringify(d));
    assert.match(d[0].message, /'Scroll' can have only one child, found 2/);
    assert.match(d[1].message, /Button with a label/);
  });

  test('a ListItem outside a List', () => {
    expectOne(check({ [FEATURE_PAGE]: nested("      ListItem() {\n        Text('a')\n      }") }), 'component-nesting', FEATURE_PAGE,
      /'ListItem' can only be a child of List/);
  });

  test('@Watch naming a method the struct does not have', () => {
    expectOne(check({ [FEATURE_VIEW]: edit(FEATURE_VIEW, STRUCT_OPEN, `${STRUCT_OPEN}\n  @State @Watch('onGone') n: number = 0;`) }),
      'decorator-watch', FEATURE_VIEW, /onGone/);
  });

  test('a parent passing a @Consume member', () => {
    const planted = `@Component\nstruct Child {\n  @Consume('k') v: number;\n  build() {\n    Text('x')\n  }\n}\n` +
      `@Component\nexport struct Parent {\n  @Provide('k') v: number = 1;\n  build() {\n    Column() {\n      Child({ v: 2 })\n    }\n  }\n}\n`;
    expectOne(check({ [FEATURE_PAGE]: planted }), 'component-args', FEATURE_PAGE, /cannot be passed by the parent/);
  });

  test('@Styles with parameters, and a static state member', () => {
    const planted = edit(FEATURE_VIEW, STRUCT_OPEN, `${STRUCT_OPEN}\n  @State static shared: number = 0;`) +
      '\n@Styles\nfunction sized(size: number) {\n  .width(size)\n}\n';
    const d = check({ [FEATURE_VIEW]: planted });
    assert.equal(errors(d, 'styles-params').length, 1);
    assert.equal(errors(d, 'decorator-init').length, 1);
  });

  test('ForEach without a key generator', () => {
    const planted = edit(FEATURE_VIEW, '    Column() {\n', '    Column() {\n      ForEach([1, 2], (n: number) => {\n        Text(`${n}`)\n      })\n');
    expectOne(check({ [FEATURE_VIEW]: planted }), 'foreach-key', FEATURE_VIEW, /key generator/);
  });

  test('two @Entry components in one file', () => {
    const planted = `${page('    Column() {}')}@Entry\n@Component\nstruct Second {\n  build() {\n    Column() {}\n  }\n}\n`;
    expectOne(check({ [FEATURE_PAGE]: planted }), 'single-entry', FEATURE_PAGE);
  });

  test('an unknown resource name, and a malformed one', () => {
    const planted = edit(FEATURE_VIEW, "$r('app.string.calls_empty')", "$r('app.string.no_such_string')")
      .replace("$r('app.string.calls_title')", "$r('calls_title')");
    const d = check({ [FEATURE_VIEW]: planted });
    assert.equal(errors(d, 'resource').length, 2);
    assert.ok(errors(d, 'resource').some((x) => /no_such_string/.test(x.message)));
  });
});

describe('what the user sees: languages, colours, accessibility (issue 12)', () => {
  const ui = (body, extra) => `import { Theme } from '@pushuikit/base';\n\n@ComponentV2\nexport struct Planted {\n` +
    `  @Local n: number = 0;\n\n  build() {\n    Column() {\n${body}\n    }\n  }\n}\n${extra || ''}`;
  const lines = (d) => d.map((x) => `${x.line}: ${x.message}`).join('\n');

  test('literal-text: text literals passed to Text, Button, option objects, attributes and toasts', () => {
    const body = "      Text('Hello')\n      Button(this.n > 0 ? 'Yes' : '')\n      TextInput({ placeholder: 'Name', text: '' })\n" +
      "      Text(`${this.n} min`)\n      Image($r('app.media.startIcon'))\n        .accessibilityText('Photo')\n" +
      "        .onClick(() => {\n          this.getUIContext().getPromptAction().showToast({ message: 'Saved' });\n        })";
    const d = errors(check({ [FEATURE_PAGE]: ui(body) }), 'literal-text');
    assert.deepEqual(d.map((x) => x.line), [9, 10, 11, 12, 14, 16], lines(d));
    assert.match(d[0].message, /"Hello" passed to Text\(\).*string\.json/);
    assert.match(d[5].message, /"Saved" passed to showToast\(\) \{ message \}/);
  });

  test('literal-text: resources, empty strings, digits, symbols and data are fine', () => {
    const body = "      Text($r('app.string.calls_title'))\n      Text('')\n      Text('99+')\n      Text('·')\n" +
      "      Text(`${this.n}`)\n      Button($r('app.string.calls_retry'))\n      TextInput({ placeholder: $r('app.string.calls_title') })";
    assert.deepEqual(errors(check({ [FEATURE_PAGE]: ui(body) }), 'literal-text'), []);
  });

  test('literal-text: only src/main is checked (tests may write English)', () => {
    const file = 'features/call/src/ohosTest/ets/test/Planted.ets';
    assert.deepEqual(errors(check({ [file]: ui("      Text('Hello')") }), 'literal-text'), []);
  });

  test('literal-colour: hex, rgb(), number and Color.X colours in attributes and option objects', () => {
    const body = "      Text($r('app.string.calls_title'))\n        .fontColor('#FF0000')\n        .backgroundColor(Color.Red)\n" +
      "        .shadow({ radius: 2, color: 0xff0000 })\n        .borderColor(this.n > 0 ? 'rgb(1, 2, 3)' : $r('app.color.call_text'))";
    const d = errors(check({ [FEATURE_PAGE]: ui(body) }), 'literal-colour');
    assert.deepEqual(d.map((x) => x.line), [10, 11, 12, 13], lines(d));
    assert.match(d[1].message, /Color\.Red in \.backgroundColor\(\).*dark\/element\/color\.json/);
  });

  test('literal-colour: resources and Color.Transparent are fine', () => {
    const body = "      Text($r('app.string.calls_title'))\n        .fontColor($r('app.color.call_text'))\n" +
      '        .backgroundColor(Color.Transparent)\n        .linearGradient({ colors: [[$r(\'app.color.call_background\'), 0], ' +
      "[$r('app.color.call_text'), 1]] })";
    assert.deepEqual(errors(check({ [FEATURE_PAGE]: ui(body) }), 'literal-colour'), []);
  });

  test('a11y: a tappable Image and an icon-only Button without accessibilityText', () => {
    const body = "      Image($r('app.media.startIcon'))\n        .width(48)\n        .height(48)\n        .onClick(() => {})\n" +
      "      Button() {\n        Image($r('app.media.startIcon'))\n      }\n      .width(48)\n      .height(48)";
    const d = errors(check({ [FEATURE_PAGE]: ui(body) }), 'a11y');
    assert.deepEqual(d.map((x) => x.line), [9, 13], lines(d));
    assert.match(d[1].message, /icon-only Button/);
    const labelled = body.replace('.onClick(() => {})', ".onClick(() => {})\n        .accessibilityText($r('app.string.call_close'))")
      .replace('\n      .height(48)', "\n      .height(48)\n      .accessibilityText($r('app.string.call_close'))");
    assert.deepEqual(errors(check({ [FEATURE_PAGE]: ui(labelled) }), 'a11y'), []);
  });

  test('a11y: touch targets under 48 vp, also through Theme constants, unless responseRegion widens them', () => {
    const body = "      Button($r('app.string.calls_retry'))\n        .width(40)\n      Text($r('app.string.calls_title'))\n" +
      '        .height(Theme.AVATAR_SIZE)\n        .onClick(() => {})\n' +
      "      Text($r('app.string.calls_title'))\n        .height(Theme.ROW_HEIGHT)\n        .onClick(() => {})\n" +
      "      Text($r('app.string.calls_title'))\n        .height(24)";
    const d = errors(check({ [FEATURE_PAGE]: ui(body) }), 'a11y');
    assert.deepEqual(d.map((x) => x.line), [10, 12], lines(d));
    assert.match(d[1].message, /height is 44 vp.*48 vp/);
    const widened = body.replace('.width(40)', ".width(40)\n        .responseRegion({ x: -4, y: -4, width: 48, height: 48 })")
      .replace('.height(Theme.AVATAR_SIZE)', '.height(48)');
    assert.deepEqual(errors(check({ [FEATURE_PAGE]: ui(widened) }), 'a11y'), []);
  });

  test('a11y: base\'s Avatar must tell screen readers the name', () => {
    const file = 'common/base/src/main/ets/avatar/Avatar.ets';
    expectOne(check({ [file]: edit(file, '      .accessibilityText(this.name)\n', '') }), 'a11y', file, /avatar component 'Avatar'/);
  });

  const CHAT_RES = 'features/chat/src/main/resources';
  // Only the planted module's findings: the test must not depend on the state of the others.
  const inModule = (d, dir) => d.filter((x) => x.file.startsWith(dir));
  test('missing-translation: a name missing from one language is reported at that file', () => {
    const zh = `${CHAT_RES}/zh_CN/element/string.json`;
    const d = inModule(errors(check({ [zh]: edit(zh, '    { "name": "chat_send", "value": "发送" },\n', '') }),
      'missing-translation'), CHAT_RES);
    assert.equal(d.length, 1, lines(d));
    assert.equal(d[0].file, zh);
    assert.match(d[0].message, /"chat_send".*base\/element\/string\.json/);
    assert.ok(d[0].line > 1);
  });

  test('missing-translation: a name only in en_US is missing from base (and zh_CN)', () => {
    const en = `${CHAT_RES}/en_US/element/string.json`;
    const d = errors(check({ [en]: edit(en, '"chat_send", "value": "Send" },', '"chat_send", "value": "Send" },\n    { "name": "chat_extra", "value": "Extra" },') }),
      'missing-translation').filter((x) => x.file.startsWith(CHAT_RES));
    assert.deepEqual(d.map((x) => x.file).sort(), [`${CHAT_RES}/base/element/string.json`, `${CHAT_RES}/zh_CN/element/string.json`]);
  });

  test('missing-translation: a base plural.json without language files', () => {
    const file = 'features/call/src/main/resources/base/element/plural.json';
    const plural = '{ "plural": [{ "name": "calls_count", "value": [{ "quantity": "one", "value": "%d call" }, ' +
      '{ "quantity": "other", "value": "%d calls" }] }] }';
    const d = inModule(errors(check({ [file]: plural }), 'missing-translation'), 'features/call/');
    assert.deepEqual(d.map((x) => x.file), ['features/call/src/main/resources/en_US/element/plural.json',
      'features/call/src/main/resources/zh_CN/element/plural.json']);
    assert.match(d[0].message, /does not exist/);
  });

  test('dark-colour: a colour without its dark value, and a dark colour without its light one', () => {
    const light = `${CHAT_RES}/base/element/color.json`;
    const dark = `${CHAT_RES}/dark/element/color.json`;
    const extra = (file, name) => edit(file, '  "color": [\n', `  "color": [\n    { "name": "${name}", "value": "#123456" },\n`);
    const d = errors(check({ [light]: extra(light, 'chat_only_light'), [dark]: extra(dark, 'chat_only_dark') }), 'dark-colour');
    assert.deepEqual(d.map((x) => `${x.file} ${/"(\w+)"/.exec(x.message)[1]}`).sort(),
      [`${light} chat_only_dark`, `${dark} chat_only_light`]);
  });

  test('a colour entry without a name', () => {
    const light = `${CHAT_RES}/base/element/color.json`;
    const d = expectOne(check({ [light]: edit(light, '"name": "chat_text",', '') }), 'resource', light, /has no "name"/);
    assert.equal(d.line, 7); // the entry's opening brace
  });

  test('device-types: a module that does not list 2in1', () => {
    const file = 'features/call/src/main/module.json5';
    expectOne(check({ [file]: edit(file, ',\n      "2in1"', '') }), 'device-types', file, /"2in1"/);
  });
});

describe('kit adapters (shared/DESIGN.md)', () => {
  const VM = 'features/settings/src/main/ets/viewmodel/NotificationsViewModel.ets';

  test('a kit called from a view model is an error at the call', () => {
    const planted = `import { notificationManager } from '@kit.NotificationKit';\n${read(VM)}\n` +
      'export function clearBadge(): Promise<void> {\n  return notificationManager.setBadgeNumber(0);\n}\n';
    const d = expectOne(check({ [VM]: planted }), 'kit-adapter', VM, /'notificationManager' from @kit.NotificationKit/);
    assert.equal(d.line, read(VM).split('\n').length + 3);
  });

  test('types from a kit are fine anywhere', () => {
    const planted = `import { Want } from '@kit.AbilityKit';\nimport { BusinessError } from '@kit.BasicServicesKit';\n` +
      `import { pushCommon } from '@kit.PushKit';\n${read(VM)}\n` +
      'export function describeWant(w: Want, e: BusinessError, p: pushCommon.PushPayload): string {\n' +
      '  return `${w.action ?? ""} ${e.code} ${p.type}`;\n}\n';
    assert.deepEqual(errors(check({ [VM]: planted }), 'kit-adapter'), []);
  });

  test('an adapter file may call its kit', () => {
    const ADAPTER = 'features/settings/src/main/ets/kit/Badge.ets';
    const code = `import { notificationManager } from '@kit.NotificationKit';\n\n` +
      'export function clearBadge(): Promise<void> {\n  return notificationManager.setBadgeNumber(0);\n}\n';
    assert.deepEqual(errors(check({ [ADAPTER]: code })), []);
  });
});

describe('config check', () => {
  const ENTRY_MODULE = 'entry/src/main/module.json5';
  const CALL_ROUTES = 'features/call/src/main/resources/base/profile/route_map.json';

  test('invalid JSON5 in a module.json5 names the file and line', () => {
    const d = expectOne(check({ [ENTRY_MODULE]: edit(ENTRY_MODULE, '"type": "entry",', '"type": "entry",,') }), 'config', ENTRY_MODULE, /invalid JSON5/);
    assert.ok(d.line > 1);
  });

  test('a module.json5 without a required key, or named unlike build-profile.json5', () => {
    const file = 'features/chat/src/main/module.json5';
    const planted = read(file).replace('"deliveryWithInstall": true,', '').replace('"name": "chat"', '"name": "chats"');
    const d = errors(check({ [file]: planted }), 'config').map((x) => x.message);
    assert.ok(d.some((m) => /needs "deliveryWithInstall"/.test(m)), d.join('\n'));
    assert.ok(d.some((m) => /"chats" differs from "chat"/.test(m)), d.join('\n'));
  });

  test('a route whose buildFunction is not exported', () => {
    expectOne(check({ [CALL_ROUTES]: edit(CALL_ROUTES, '"IncomingCallPageBuilder"', '"NoSuchBuilder"') }), 'config', CALL_ROUTES, /NoSuchBuilder/);
  });

  test('a route whose page file does not exist', () => {
    expectOne(check({ [CALL_ROUTES]: edit(CALL_ROUTES, 'pages/IncomingCallPage.ets', 'pages/Gone.ets') }), 'config', CALL_ROUTES, /does not exist/);
  });

  test('a pages entry without a file', () => {
    const file = 'entry/src/main/resources/base/profile/main_pages.json';
    expectOne(check({ [file]: '{ "src": ["pages/Index", "pages/Missing"] }' }), 'config', file, /pages\/Missing/);
  });

  test('a second ability with the push listener skill', () => {
    const planted = edit(ENTRY_MODULE, '    "abilities": [\n', '    "abilities": [\n      { "name": "Other", "srcEntry": "./ets/entryability/EntryAbility.ets", "skills": [{ "actions": ["action.ohos.push.listener"] }] },\n');
    expectOne(check({ [ENTRY_MODULE]: planted }), 'config', ENTRY_MODULE, /exactly one ability.*found 2/);
  });

  test('no ability with the push listener skill', () => {
    expectOne(check({ [ENTRY_MODULE]: read(ENTRY_MODULE).replace('"action.ohos.push.listener"', '"action.other"') }),
      'config', 'build-profile.json5', /found 0/);
  });

  test('a uris skill without "actions": [""], and a home skill with uris', () => {
    const planted = read(ENTRY_MODULE)
      .replace('"actions": [\n              ""\n            ],', '"actions": [\n              "action.view"\n            ],')
      .replace('"action.system.home"\n            ]', '"action.system.home"\n            ],\n            "uris": [{ "scheme": "https" }]');
    const d = errors(check({ [ENTRY_MODULE]: planted }), 'config');
    assert.ok(d.some((x) => /home skill must not declare "uris"/.test(x.message)), JSON.stringify(d));
    assert.ok(d.some((x) => /"actions": \[""\]/.test(x.message)), JSON.stringify(d));
  });

  test('entry without client_id metadata or the INTERNET permission', () => {
    const planted = read(ENTRY_MODULE).replace('"name": "client_id"', '"name": "other"').replace('ohos.permission.INTERNET', 'ohos.permission.VIBRATE');
    const d = errors(check({ [ENTRY_MODULE]: planted }), 'config');
    assert.ok(d.some((x) => /client_id/.test(x.message)));
    assert.ok(d.some((x) => /INTERNET/.test(x.message)));
  });

  test('a module calling a kit that needs a permission it does not request', () => {
    const file = 'common/im/src/main/module.json5';
    const planted = edit(file, '{ "name": "ohos.permission.GET_NETWORK_INFO" }', '{ "name": "ohos.permission.VIBRATE" }');
    expectOne(check({ [file]: planted }), 'permission', 'common/im/src/main/ets/kit/SystemNetworkWatch.ets', /GET_NETWORK_INFO/);
  });

  test('a feature that depends on another feature breaks the layering', () => {
    const file = 'features/call/oh-package.json5';
    const planted = edit(file, '"@pushuikit/base": "file:../../common/base"', '"@pushuikit/base": "file:../../common/base",\n    "@pushuikit/chat": "file:../chat"');
    expectOne(check({ [file]: planted }), 'layering', file, /another feature/);
  });

  test('common/push depending on common/im breaks the layering', () => {
    const file = 'common/push/oh-package.json5';
    const planted = edit(file, '"@pushuikit/base": "file:../base"', '"@pushuikit/base": "file:../base",\n    "@pushuikit/im": "file:../im"');
    expectOne(check({ [file]: planted }), 'layering', file, /must not depend on common\/im/);
  });

  test('an unknown $string reference in module.json5', () => {
    expectOne(check({ [ENTRY_MODULE]: edit(ENTRY_MODULE, '$string:EntryAbility_desc', '$string:nope') }), 'resource', ENTRY_MODULE);
  });
});

describe('the command line', () => {
  test('prints path:line:col severity rule message, a summary, and exits 1 on errors', () => {
    const dir = copyProject();
    try {
      fs.appendFileSync(path.join(dir, FEATURE_VIEW), '\nlet x: any = 1;\n');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'tools/check/cli.js'), dir], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /^features\/call\/src\/main\/ets\/view\/CallListView\.ets:\d+:\d+ error arkts-no-any-unknown .+/);
      assert.match(lines[lines.length - 1], /^check: 1 error, 0 warnings in \d+ files of 7 modules/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('exits 0 on the clean project', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'tools/check/cli.js'), ROOT], { encoding: 'utf8' });
    assert.match(out, /check: 0 errors/);
  });
});

describe('third-party declarations (tools/types)', () => {
  const IM_PACKAGE = 'common/im/oh-package.json5';
  const CALL_PACKAGE = 'features/call/oh-package.json5';
  const withDependency = (file, dep) => edit(file, '"@pushuikit/base": "file:', `${dep},\n    "@pushuikit/base": "file:`);
  const NET = 'common/im/src/main/ets/Net.ets';
  const net = (call) => `import axios, { AxiosResponse } from '@ohos/axios';\n\nexport class Net {\n` +
    `  static async fetchText(url: string): Promise<string> {\n    const r: AxiosResponse<string> = await ${call}<string>(url, { timeout: 5000 });\n` +
    `    return r.data;\n  }\n}\n`;

  test('@ohos/axios is typed by npm axios', () => {
    const packageJson = withDependency(IM_PACKAGE, '"@ohos/axios": "^2.2.4"');
    assert.deepEqual(errors(check({ [IM_PACKAGE]: packageJson, [NET]: net('axios.get') })), []);
    expectOne(check({ [IM_PACKAGE]: packageJson, [NET]: net('axios.gett') }), 'TS2551', NET, /'gett'.*AxiosStatic/);
  });

  test('@ohos/lottie is declared with the API the app may use', () => {
    const RING = 'features/call/src/main/ets/view/Ring.ets';
    const ring = (renderer) => `import lottie, { AnimationItem } from '@ohos/lottie';\n\n@Component\nexport struct Ring {\n` +
      '  private settings: RenderingContextSettings = new RenderingContextSettings(true);\n' +
      '  private context: CanvasRenderingContext2D = new CanvasRenderingContext2D(this.settings);\n' +
      '  private ring: AnimationItem | undefined = undefined;\n\n  build() {\n    Canvas(this.context)\n' +
      `      .onReady(() => {\n        this.ring = lottie.loadAnimation({\n          container: this.context,\n` +
      `          renderer: '${renderer}',\n          path: 'common/lottie/ring.json'\n        });\n      })\n  }\n}\n`;
    const packageJson = withDependency(CALL_PACKAGE, '"@ohos/lottie": "^2.0.0"');
    assert.deepEqual(errors(check({ [CALL_PACKAGE]: packageJson, [RING]: ring('canvas') })), []);
    assert.equal(errors(check({ [CALL_PACKAGE]: packageJson, [RING]: ring('svg') })).length, 1);
  });

  test('@kit.PushKit is declared for the calls the push module makes', () => {
    const file = 'common/push/src/main/ets/kit/Planted.ets';
    const code = (type) => `import { pushCommon, pushService } from '@kit.PushKit';\n\nexport async function bind(id: string): Promise<string> {\n` +
      `  await pushService.bindAppProfileId(pushCommon.AppProfileType.${type}, id);\n  return pushService.getToken();\n}\n`;
    assert.deepEqual(errors(check({ [file]: code('PROFILE_TYPE_APPLICATION_ACCOUNT') })), []);
    expectOne(check({ [file]: code('PROFILE_TYPE_APP') }), 'TS2339', file, /PROFILE_TYPE_APP/);
  });
});
