// @ohos/hamock on the host: hypium's mock API, which hamock re-exports, plus @MockSetup, which runs the
// decorated method once so that its mocks are in place before the tests use the class.
export { MockKit, when, ArgumentMatchers } from '@ohos/hypium';

export function MockSetup(target, propertyName, descriptor) {
  const setup = descriptor && descriptor.value;
  if (typeof setup === 'function') setup.call(target);
}
