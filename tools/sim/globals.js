// ArkUI globals on the host: state-management decorators are no-ops (observation is the UI runtime's
// job, which only exists on a device); AppStorage, LocalStorage and PersistentStorage keep values in
// memory with their documented semantics (setOrCreate creates, set only updates an existing key).
import { UIAbilityContext } from './kits/AbilityKit.js';
import { deviceInfo } from './kits/BasicServicesKit.js';

// The system capabilities the simulated device knows: the API level that brought each one and the device
// types that have it, from the SDK's device-define files (sdk/default/{hms,openharmony}/ets/api/device-define/
// *.json, HarmonyOS 5.0.5 SDK). canIUse answers for deviceInfo's deviceType and sdkApiVersion.
const EVERY_LEVEL = 0;
export const SYSCAPS = {
  // phone.json, tablet.json, 2in1.json, wearable.json, car.json
  'SystemCapability.Notification.Notification': { since: EVERY_LEVEL, devices: ['phone', 'tablet', '2in1', 'wearable', 'car'] },
  // phone.json and tablet.json only; openNotificationSettings is @since 13.
  'SystemCapability.Notification.NotificationSettings': { since: 13, devices: ['phone', 'tablet'] },
  // phone-hmos, tablet-hmos, 2in1-hmos and car-hmos.json; not wearable-hmos.json. (Push tokens on
  // wearables since 5.1.0(18) are not reflected: the SDK we read is API 17 and says nothing later.)
  'SystemCapability.Push.PushService': { since: EVERY_LEVEL, devices: ['phone', 'tablet', '2in1', 'car'] },
  // @hms.telephony.voipCall (Call Service Kit): phone-hmos.json and tablet-hmos.json only.
  'SystemCapability.Telephony.VoipCallManager': { since: EVERY_LEVEL, devices: ['phone', 'tablet'] },
};

/**
 * canIUse(syscap) as ArkUI implements it (harmonyos-references/js-apis-syscap; openharmony/arkui_ace_engine
 * jsi_syscap_module.cpp): true or false for one string argument, false for a capability the system does not
 * have (an unknown name included), and null when the argument count is not 1 or the argument is no string.
 */
function canIUse(...args) {
  if (args.length !== 1 || typeof args[0] !== 'string') return null;
  const cap = SYSCAPS[args[0]];
  if (cap === undefined) return false;
  return deviceInfo.sdkApiVersion >= cap.since && cap.devices.includes(deviceInfo.deviceType);
}

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
  canIUse,
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
