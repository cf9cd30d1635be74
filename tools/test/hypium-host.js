// Runs a module's hypium suites under Node: a minimal AbilityDelegator for Hypium.hypiumTest that turns
// hypium's OHOS_REPORT lines into one JSON event per line on stdout (prefixed, so that console output
// of the code under test cannot be mistaken for results). The runner's parameters (a JSON object of
// strings in PUSHUIKIT_TEST_PARAMETERS, e.g. the end-to-end harness's URL) reach Hypium and the suites as
// on a device: abilityDelegatorRegistry.getArguments().parameters.
import { Hypium } from '@ohos/hypium';
import { UIAbilityContext, abilityDelegatorRegistry, setDelegatorParameters } from '../sim/kits/AbilityKit.js';

export const EVENT_PREFIX = '@@hypium-host ';
export const PARAMETERS_ENV = 'PUSHUIKIT_TEST_PARAMETERS';

function parametersFromEnv() {
  const raw = process.env[PARAMETERS_ENV];
  if (raw === undefined || raw === '') return {};
  const parsed = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError(`${PARAMETERS_ENV} must be a JSON object`);
  return parsed;
}

function emit(event) {
  process.stdout.write(`${EVENT_PREFIX}${JSON.stringify(event)}\n`);
}

export function runSuites(testsuite) {
  let currentClass = '';
  const delegator = {
    print(message) {
      this.printSync(message);
      return Promise.resolve();
    },
    printSync(message) {
      const text = String(message);
      const cls = /OHOS_REPORT_STATUS: class=(.*)/.exec(text);
      if (cls) currentClass = cls[1].trim();
      const code = /OHOS_REPORT_STATUS_CODE: (-?\d+)/.exec(text);
      const test = /OHOS_REPORT_STATUS: test=(.*)/.exec(text);
      if (code && test && code[1] !== '1') {
        const stack = /OHOS_REPORT_STATUS: stack=([\s\S]*?)\nOHOS_REPORT_STATUS: stream=/.exec(text);
        emit({ type: 'spec', suite: currentClass, name: test[1].trim(), code: Number(code[1]),
          message: stack ? stack[1].trim() : '' });
      }
      const hookError = /OHOS_REPORT_STATUS: suiteconsuming=\d+\nOHOS_REPORT_STATUS: (.*)/.exec(text);
      if (hookError) emit({ type: 'hookError', suite: currentClass, message: hookError[1].trim() });
      const summary = /Tests run: (\d+), Failure: (\d+), Error: (\d+), Pass: (\d+), Ignore: (\d+)/.exec(text);
      if (summary) {
        emit({ type: 'summary', run: Number(summary[1]), failure: Number(summary[2]), error: Number(summary[3]),
          pass: Number(summary[4]), ignore: Number(summary[5]) });
      }
    },
    finishTest() {
      emit({ type: 'finished' });
      return Promise.resolve();
    },
    getAppContext() {
      return new UIAbilityContext('TestAbility');
    },
    executeShellCommand(cmd, timeout, callback) {
      if (callback) callback(new Error('no shell on the host'), undefined);
    },
  };
  try {
    setDelegatorParameters(parametersFromEnv());
    Hypium.hypiumTest(delegator, abilityDelegatorRegistry.getArguments(), testsuite);
  } catch (e) {
    emit({ type: 'loadError', message: e && e.stack ? e.stack : String(e) });
  }
}
