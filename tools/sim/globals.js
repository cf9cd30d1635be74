// ArkUI globals on the host: state-management decorators are no-ops (observation is the UI runtime's
// job, which only exists on a device); AppStorage, LocalStorage and PersistentStorage keep values in
// memory with their documented semantics (setOrCreate creates, set only updates an existing key).
import { UIAbilityContext } from './kits/AbilityKit.js';
import { deviceInfo } from './kits/BasicServicesKit.js';

// System capabilities that appeared after API 12, with the API level that brought them; every other
// capability the app asks about exists on a phone of any supported level.
const SYSCAP_SINCE = { 'SystemCapability.Notification.NotificationSettings': 13 };

const noopDecorator = () => undefined;
const decoratorFactory = (...args) => {
  // @Observed class X {}: the class itself.
  if (args.length === 1 && typeof args[0] === 'function') return args[0];
  // @Trace field / @Builder method, applied directly (target, key[, descriptor]): change nothing. Returning
  // a value here would make it the member's property descriptor (a read-only field).
  if (args.length >= 2 && (typeof args[1] === 'string' || typeof args[1] === 'symbol')) return undefined;
  // @Monitor('a') / @Entry({...}): a factory, whose decorator changes nothing.
  return noopDecorator;
};

class KeyValueStore {
  constructor(initial) {
    this.map = new Map(Object.entries(initial || {}));
  }

  has(key) {
    return this.map.has(key);
  }

  get(key) {
    return this.map.get(key);
  }

  set(key, value) {
    if (!this.map.has(key)) return false;
    this.map.set(key, value);
    return true;
  }

  setOrCreate(key, value) {
    this.map.set(key, value);
    return true;
  }

  delete(key) {
    return this.map.delete(key);
  }

  keys() {
    return this.map.keys();
  }

  size() {
    return this.map.size;
  }

  clear() {
    this.map.clear();
    return true;
  }
}

export const AppStorage = new KeyValueStore();
export class LocalStorage extends KeyValueStore {}
export const PersistentStorage = {
  persistProp(key, defaultValue) {
    if (!AppStorage.has(key)) AppStorage.setOrCreate(key, defaultValue);
  },
  deleteProp(key) {
    AppStorage.delete(key);
  },
};

const defaultContext = new UIAbilityContext('EntryAbility');

const globals = {
  AppStorage,
  LocalStorage,
  PersistentStorage,
  getContext: () => defaultContext,
  canIUse: (syscap) => deviceInfo.sdkApiVersion >= (SYSCAP_SINCE[syscap] || 0),
  $r: (ref, ...params) => ({ id: 0, type: 0, params, bundleName: 'com.example.pushuikit', moduleName: 'entry', ref }),
};
for (const name of ['Observed', 'ObservedV2', 'Trace', 'Track', 'Component', 'ComponentV2', 'Entry', 'State',
  'Prop', 'Link', 'ObjectLink', 'Provide', 'Consume', 'StorageLink', 'StorageProp', 'LocalStorageLink',
  'LocalStorageProp', 'Watch', 'Builder', 'BuilderParam', 'Local', 'Param', 'Once', 'Event', 'Provider',
  'Consumer', 'Monitor', 'Computed', 'Concurrent', 'Sendable', 'Require', 'Reusable', 'Type']) {
  const existing = globalThis[name];
  // `Event` is also the DOM class that Node's own fetch/WebSocket (undici) extends: keep it a class for
  // `new` and `extends`, and a decorator when called.
  globals[name] = typeof existing === 'function'
    ? new Proxy(existing, { apply: (_target, _this, args) => decoratorFactory(...args) })
    : decoratorFactory;
}
Object.assign(globalThis, globals);

export function resetGlobals() {
  AppStorage.clear();
}
