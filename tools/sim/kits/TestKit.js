// @kit.TestKit on the host: only abilityDelegatorRegistry.getArguments(), for host suites that read the
// runner's parameters (npm test's end-to-end harness URL). UiTest (Driver, ON) needs a device.
export { abilityDelegatorRegistry } from './AbilityKit.js';
