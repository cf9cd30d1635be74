// @kit.AbilityKit on the host: enough of the stage model for logic that receives Wants and contexts.
// UIAbility keeps `context`, `launchWant` and `lastRequestWant` as the system sets them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { businessError } from '../errors.js';

// Bundled into a host suite (CommonJS) there is no import.meta.url; the runner starts suites in the project root.
const ROOT = typeof import.meta.url === 'string' ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
  : process.cwd();

/** The folder of the app's module `name` (its src/main/module.json5 says "name": name), or undefined. */
function moduleDir(name) {
  const candidates = ['entry', ...['common', 'features'].flatMap((top) => {
    const dir = path.join(ROOT, top);
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((d) => path.join(top, d)) : [];
  })];
  return candidates.map((c) => path.join(ROOT, c)).find((dir) => {
    const file = path.join(dir, 'src/main/module.json5');
    return fs.existsSync(file) && new RegExp(`"name"\\s*:\\s*"${name}"`).test(fs.readFileSync(file, 'utf8'));
  });
}

/**
 * A module's resourceManager, rawfiles only: getRawFd/closeRawFd (harmonyos-references/js-apis-resource-manager)
 * open the module's src/main/resources/rawfile/<path> (offset 0, the file's length) and fail with 9001005
 * (invalid relative path) for a file that is not there.
 */
class RawfileResourceManager {
  constructor(dir) {
    this.dir = dir;
    this.open = new Map();
  }

  getRawFd(relative) {
    const file = path.join(this.dir, 'src/main/resources/rawfile', String(relative));
    if (typeof relative !== 'string' || relative.includes('..') || !fs.existsSync(file)) {
      return Promise.reject(businessError(9001005, 'Invalid relative path.'));
    }
    const fd = fs.openSync(file, 'r');
    this.open.set(relative, fd);
    return Promise.resolve({ fd, offset: 0, length: fs.statSync(file).size });
  }

  closeRawFd(relative) {
    const fd = this.open.get(relative);
    if (fd === undefined) return Promise.reject(businessError(9001005, 'Invalid relative path.'));
    fs.closeSync(fd);
    this.open.delete(relative);
    return Promise.resolve();
  }
}

/**
 * application.createModuleContext (harmonyos-references/js-apis-app-ability-application, API 12): the
 * context of another module of this app, e.g. an HSP's, for its resources. 401 for bad arguments and
 * 16000050 (internal error) for a module the app does not have.
 */
export const application = {
  createModuleContext(context, moduleName) {
    if (context === null || typeof context !== 'object' || typeof moduleName !== 'string') {
      return Promise.reject(businessError(401, 'Parameter error.'));
    }
    const dir = moduleDir(moduleName);
    if (dir === undefined) return Promise.reject(businessError(16000050, 'Internal error.'));
    return Promise.resolve({ resourceManager: new RawfileResourceManager(dir), moduleName });
  },
};
export class Want {
  constructor(init) {
    Object.assign(this, init || {});
  }
}

let contextSerial = 0;

/** What the abilities did with the system: the Wants they started (e.g. system settings pages). */
export class AbilitySim {
  constructor() {
    this.reset();
  }

  reset() {
    this.started = [];
    this.startFailure = undefined;
    /** The metadata of entry's module.json5 as the installed app has it. */
    this.metadata = [{ name: 'client_id', value: '1234567890' }];
  }
}

export const sim = new AbilitySim();

/** A UIAbilityContext stand-in: an object with the identity fields logic code reads. */
export class UIAbilityContext {
  constructor(abilityName) {
    contextSerial += 1;
    this.id = contextSerial;
    this.abilityInfo = { bundleName: 'com.example.pushuikit', moduleName: 'entry', name: abilityName || 'EntryAbility' };
    this.filesDir = '/data/storage/el2/base/haps/entry/files';
    this.cacheDir = '/data/storage/el2/base/haps/entry/cache';
  }

  startAbility(want) {
    if (sim.startFailure !== undefined) {
      const e = new Error('simulated startAbility failure');
      e.code = sim.startFailure;
      sim.startFailure = undefined;
      return Promise.reject(e);
    }
    sim.started.push(want);
    return Promise.resolve();
  }

  terminateSelf() {
    return Promise.resolve();
  }
}

export class UIAbility {
  constructor() {
    this.context = new UIAbilityContext(new.target.name);
    this.launchWant = undefined;
    this.lastRequestWant = undefined;
  }
}

export const AbilityConstant = {
  LaunchReason: { UNKNOWN: 0, START_ABILITY: 1, CALL: 2, CONTINUATION: 3, APP_RECOVERY: 4, SHARE: 5, AUTO_STARTUP: 8, INSIGHT_INTENT: 9 },
  LastExitReason: { UNKNOWN: 0, NORMAL: 2, CPP_CRASH: 3, JS_ERROR: 4, APP_FREEZE: 5 },
  OnContinueResult: { AGREE: 0, REJECT: 1, MISMATCH: 2 },
};

const BundleFlag = {
  GET_BUNDLE_INFO_DEFAULT: 0x00000000,
  GET_BUNDLE_INFO_WITH_APPLICATION: 0x00000001,
  GET_BUNDLE_INFO_WITH_HAP_MODULE: 0x00000002,
  GET_BUNDLE_INFO_WITH_ABILITY: 0x00000004,
  GET_BUNDLE_INFO_WITH_METADATA: 0x00000020,
};

/** bundleManager.getBundleInfoForSelf: module metadata only when both flags ask for it, as documented. */
export const bundleManager = {
  BundleFlag,
  getBundleInfoForSelf(flags) {
    if (typeof flags !== 'number') return Promise.reject(Object.assign(new Error('Parameter error'), { code: 401 }));
    const withModules = (flags & BundleFlag.GET_BUNDLE_INFO_WITH_HAP_MODULE) !== 0;
    const withMetadata = withModules && (flags & BundleFlag.GET_BUNDLE_INFO_WITH_METADATA) !== 0;
    return Promise.resolve({
      name: 'com.example.pushuikit',
      hapModulesInfo: withModules ? [{ name: 'entry', metadata: withMetadata ? sim.metadata.map((m) => ({ ...m })) : [] }] : [],
    });
  },
};

/**
 * abilityDelegatorRegistry.getArguments(): the AbilityDelegatorArgs the test runner was started with
 * (`aa test -b <bundle> -s <key> <value>` on a device). On the host, tools/test/hypium-host.js sets the
 * parameters before the suites load; npm test's end-to-end harness passes `harnessUrl` this way. The
 * SDK exports the registry from @kit.TestKit (tools/sim/kits/TestKit.js re-exports this one).
 */
const delegatorArguments = {
  bundleName: 'com.example.pushuikit',
  parameters: {},
  testCaseNames: '',
  testRunnerClassName: 'OpenHarmonyTestRunner',
};

export const abilityDelegatorRegistry = {
  getArguments() {
    return { ...delegatorArguments, parameters: { ...delegatorArguments.parameters } };
  },
};

/** Host only (hypium-host.js): the runner's parameters, a Record<string, string> as documented. */
export function setDelegatorParameters(parameters) {
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value !== 'string') throw new TypeError(`test parameter ${key} must be a string`);
  }
  delegatorArguments.parameters = { ...parameters };
}

// Namespaces that code uses only for types at compile time (common.UIAbilityContext, ...).
export const common = {};
export const wantConstant = { Params: {}, Flags: {} };
export default { UIAbility, AbilityConstant, Want, common, bundleManager, application };
