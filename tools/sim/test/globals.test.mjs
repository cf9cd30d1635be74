// ArkUI's state decorators on the host change nothing: a decorated field stays a writable field, and the
// `Event` decorator global stays Node's Event class for the code (fetch, WebSocket) that extends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../globals.js';

/** What esbuild emits for a field decorator applied directly (TypeScript's experimental decorators). */
function decorateField(decorator, target, key) {
  const result = decorator(target, key);
  if (result) Object.defineProperty(target, key, result);
}

test('@Trace, @Local and @Param applied to a field leave it writable', () => {
  class Model {}
  for (const name of ['Trace', 'Local', 'Param', 'State', 'Event']) decorateField(globalThis[name], Model.prototype, `f${name}`);
  const m = new Model();
  for (const name of ['Trace', 'Local', 'Param', 'State', 'Event']) {
    m[`f${name}`] = 'set';
    assert.equal(m[`f${name}`], 'set', name);
  }
});

test('a decorator applied to a method keeps its descriptor', () => {
  const descriptor = { value: () => 1, writable: true, configurable: true };
  assert.equal(globalThis.Builder({}, 'm', descriptor), undefined);
});

test('Event is still a class: new and extends work', () => {
  const e = new globalThis.Event('x');
  assert.equal(e.type, 'x');
  class Custom extends globalThis.Event {}
  assert.equal(new Custom('y').type, 'y');
});
