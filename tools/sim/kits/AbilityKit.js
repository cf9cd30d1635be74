// @kit.AbilityKit on the host: enough of the stage model for logic that receives Wants and contexts.
// UIAbility keeps `context`, `launchWant` and `lastRequestWant` as the system sets them.
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
export default { UIAbility, AbilityConstant, Want, common, bundleManager };
