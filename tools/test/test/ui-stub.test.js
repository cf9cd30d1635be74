'use strict';
// UI files (with a struct) reach host suites as stubs of their exports; anything else they export is refused.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { uiStub } = require('../bundle');

test('a struct becomes an empty class and a builder a function that throws', () => {
  const out = uiStub([
    "import { Theme } from '@pushuikit/base';",
    '@ComponentV2',
    'export struct ChatPage {',
    '  build() { Column() { Text("x") } }',
    '}',
    '@Builder',
    'export function ChatPageBuilder() {',
    '  ChatPage()',
    '}',
  ].join('\n'), 'ChatPage.ets');
  assert.match(out, /export class ChatPage \{\}/);
  assert.match(out, /export function ChatPageBuilder\(\) \{ throw new Error/);
  assert.doesNotMatch(out, /import/);
});

test('a struct file that also exports logic is refused with what to move', () => {
  assert.throws(() => uiStub('export struct A {\n build() {}\n}\nexport class Helper {}\n', 'A.ets'),
    /A\.ets: a file with a struct may export only structs and @Builder functions, not class Helper/);
  assert.throws(() => uiStub('struct A {\n build() {}\n}\nexport { A };\n', 'A.ets'), /export \{ \.\.\. \}/);
  assert.throws(() => uiStub('export struct A {\n build() {}\n}\nexport const X: number = 1;\n', 'A.ets'), /const X/);
});
