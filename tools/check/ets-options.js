'use strict';
// The `ets` block of the ArkTS compiler options, which tells ohos-typescript how to parse structs,
// build() and component syntax. The component lists are derived from the SDK's component declarations
// (@arkts/declarations/dist/component), so a newer SDK package brings its new components with it.
const fs = require('fs');
const path = require('path');

// Decorators the ArkTS compiler keeps on the emitted class; `emitParameters` = the decorator takes arguments.
const EMIT_DECORATORS = [
  ['Entry', true], ['Component', false], ['Reusable', false], ['CustomDialog', false],
  ['Consume', true], ['Link', false], ['LocalStorageLink', true], ['LocalStorageProp', true],
  ['ObjectLink', false], ['Prop', false], ['Provide', true], ['State', false],
  ['StorageLink', true], ['StorageProp', true], ['Builder', false], ['LocalBuilder', false],
  ['BuilderParam', false], ['Observed', false], ['Require', false], ['Track', false],
  // State management V2
  ['ComponentV2', true], ['ObservedV2', false], ['Trace', false], ['Local', false], ['Param', false],
  ['Once', false], ['Event', false], ['Provider', true], ['Consumer', true], ['Monitor', true],
  ['Computed', false], ['Type', true],
].map(([name, emitParameters]) => ({ name, emitParameters }));

// Decorated members that a parent may leave uninitialised because they are bound, not owned.
const PROPERTY_DECORATORS = ['Link', 'Prop', 'ObjectLink', 'Consume']
  .map((name) => ({ name, needInitialization: false }));

const SKIP = new Set(['Common', 'ForEach', 'LazyForEach', 'WithTheme']);

function componentDir(declarationsDir) {
  return path.join(declarationsDir, 'component');
}

/**
 * Components are the `declare const X: XInterface` (or `declare const X: ...`) values that have an
 * attribute type `XAttribute`; extendable ones also have `declare const XInstance: XAttribute`.
 */
function deriveComponents(declarationsDir) {
  const dir = componentDir(declarationsDir);
  const consts = new Map(); // name -> type text
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.d.ts')).sort();
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/^declare const (\w+)\s*:\s*([^;]+);/gm)) consts.set(m[1], m[2].trim());
  }
  const components = [];
  const extendComponents = [];
  for (const [name, type] of consts) {
    // Gestures and the `Common` styles pseudo-component have the same shape but are not components.
    // ForEach/LazyForEach are syntax components (below), not components.
    if (name.endsWith('Instance') || SKIP.has(name) || /Gesture/.test(name)) continue;
    const instance = consts.get(`${name}Instance`);
    const isComponent = /Interface\b/.test(type) || instance !== undefined;
    if (!isComponent) continue;
    components.push(name);
    if (instance !== undefined) {
      extendComponents.push({ name, type: instance.replace(/<.*$/, ''), instance: `${name}Instance` });
    }
  }
  components.sort();
  extendComponents.sort((a, b) => a.name.localeCompare(b.name));
  return { components, extendComponents, files: files.map((f) => path.join(dir, f)) };
}

function etsOptions(declarationsDir) {
  const { components, extendComponents } = deriveComponents(declarationsDir);
  return {
    render: { method: ['build', 'pageTransition'], decorator: ['LocalBuilder', 'Builder'] },
    components,
    extend: { decorator: ['Extend', 'AnimatableExtend'], components: extendComponents },
    styles: {
      decorator: 'Styles',
      component: { name: 'Common', type: 'T', instance: 'CommonInstance' },
      property: 'stateStyles',
    },
    concurrent: { decorator: 'Concurrent' },
    customComponent: 'CustomComponent',
    syntaxComponents: {
      paramsUICallback: ['ForEach', 'LazyForEach'],
      attrUICallback: [{ name: 'Repeat', attributes: ['each', 'template'] }],
    },
    propertyDecorators: PROPERTY_DECORATORS,
    emitDecorators: EMIT_DECORATORS,
  };
}

module.exports = { etsOptions, deriveComponents };
