// @kit.BasicServicesKit on the host. BusinessError is a type only; deviceInfo describes an API 12 phone
// unless a test changes it (KitSim.device).
export const deviceInfo = {
  deviceType: 'phone',
  brand: 'HUAWEI',
  marketName: 'Host simulation',
  osFullName: 'HarmonyOS-5.0.0.0',
  sdkApiVersion: 12,
  distributionOSApiVersion: 50000,
};

export default { deviceInfo };
