/*
 * @ohos/hamock (ohpm), from the package README: https://ohpm.openharmony.cn/#/cn/detail/@ohos%2Fhamock
 * It re-exports hypium's mock API (MockKit, when, ArgumentMatchers) and adds the @MockSetup method
 * decorator, which runs the decorated method of a test class to install its mocks. On the host,
 * tools/test maps @ohos/hamock to hypium's implementation.
 */
declare module '@ohos/hamock' {
  export { MockKit, when, ArgumentMatchers, VerificationMode } from '@ohos/hypium';

  export function MockSetup(target: Object, propertyName: string, descriptor: PropertyDescriptor): void;
}
