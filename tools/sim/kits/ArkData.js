// @kit.ArkData on the host: user preferences (@ohos.data.preferences). Each named store lives for the
// whole test process, like the file on a device lives across app restarts; `sim.reset()` wipes the
// device, `sim.restartApp()` drops only the in-memory cache (what flush() did not write is lost).
import { businessError, later, FailureQueue, PARAM_ERROR } from '../errors.js';

const MAX_KEY_LENGTH = 1024;
const MAX_VALUE_LENGTH = 16 * 1024 * 1024;

export class PreferencesSim {
  constructor() {
    this.reset();
  }

  reset() {
    /** name -> Map of flushed ("on disk") values */
    this.disk = new Map();
    /** name -> Preferences instance (the in-memory cache) */
    this.cache = new Map();
    this.failures = new FailureQueue();
  }

  restartApp() {
    this.cache.clear();
  }

  /** What a store holds on disk, for assertions. */
  stored(name) {
    return Object.fromEntries(this.disk.get(name) || new Map());
  }
}

export const sim = new PreferencesSim();

function checkKey(key) {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw businessError(PARAM_ERROR, `Parameter error: key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
}

function checkValue(value) {
  const ok = ['number', 'string', 'boolean'].includes(typeof value) || Array.isArray(value) || value instanceof Uint8Array;
  if (!ok) throw businessError(PARAM_ERROR, 'Parameter error: value type is not supported');
  if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH) throw businessError(PARAM_ERROR, 'Parameter error: value too long');
}

const copy = (v) => (Array.isArray(v) ? [...v] : v instanceof Uint8Array ? new Uint8Array(v) : v);

class Preferences {
  constructor(name) {
    this.name = name;
    this.values = new Map(sim.disk.get(name) || new Map());
  }

  getSync(key, defValue) {
    checkKey(key);
    return this.values.has(key) ? copy(this.values.get(key)) : defValue;
  }

  get(key, defValue) {
    return later(0, () => this.getSync(key, defValue));
  }

  hasSync(key) {
    checkKey(key);
    return this.values.has(key);
  }

  has(key) {
    return later(0, () => this.hasSync(key));
  }

  putSync(key, value) {
    checkKey(key);
    checkValue(value);
    this.values.set(key, copy(value));
  }

  put(key, value) {
    return later(0, () => this.putSync(key, value));
  }

  deleteSync(key) {
    checkKey(key);
    this.values.delete(key);
  }

  delete(key) {
    return later(0, () => this.deleteSync(key));
  }

  clearSync() {
    this.values.clear();
  }

  clear() {
    return later(0, () => this.clearSync());
  }

  getAllSync() {
    return Object.fromEntries(this.values);
  }

  flush() {
    return later(0, () => {
      const f = sim.failures.take('flush');
      if (f) throw f;
      sim.disk.set(this.name, new Map(this.values));
    });
  }

  flushSync() {
    const f = sim.failures.take('flush');
    if (f) throw f;
    sim.disk.set(this.name, new Map(this.values));
  }
}

function nameOf(options) {
  const name = typeof options === 'string' ? options : options && options.name;
  if (typeof name !== 'string' || name.length === 0 || name.includes('/')) {
    throw businessError(PARAM_ERROR, 'Parameter error: preferences name');
  }
  return name;
}

function getPreferencesSync(context, options) {
  if (context === null || typeof context !== 'object') throw businessError(PARAM_ERROR, 'Parameter error: context');
  const name = nameOf(options);
  const f = sim.failures.take('getPreferences');
  if (f) throw f;
  if (!sim.cache.has(name)) sim.cache.set(name, new Preferences(name));
  return sim.cache.get(name);
}

export const preferences = {
  getPreferences: (context, options) => later(0, () => getPreferencesSync(context, options)),
  getPreferencesSync,
  deletePreferences: (context, options) => later(0, () => {
    const name = nameOf(options);
    sim.cache.delete(name);
    sim.disk.delete(name);
  }),
  removePreferencesFromCache: (context, options) => later(0, () => {
    sim.cache.delete(nameOf(options));
  }),
  removePreferencesFromCacheSync: (context, options) => {
    sim.cache.delete(nameOf(options));
  },
};

export default { preferences };
