// @kit.BasicServicesKit on the host. BusinessError is a type only; deviceInfo describes an API 12 phone
// unless a test changes it (KitSim.device, KitSim.useApiLevel).
export const deviceInfo = {
  deviceType: 'phone',
  brand: 'HUAWEI',
  marketName: 'Host simulation',
  osFullName: 'HarmonyOS-5.0.0.0',
  sdkApiVersion: 12,
  distributionOSApiVersion: 50000,
};

/**
 * HarmonyOS releases by API level, as M.F.S(N) (e.g. Push Kit's "@since 5.0.2(14)"). deviceInfo's
 * distributionOSApiVersion is M*10000 + F*100 + S (harmonyos-faqs/faq-basics-service-kit-18: "6.0.0(20)
 * is 60000"; harmonyos-references/js-apis-device-info gives 50001 as an example).
 */
export const RELEASES = {
  12: [5, 0, 0],
  13: [5, 0, 1],
  14: [5, 0, 2],
  15: [5, 0, 3],
  16: [5, 0, 4],
  17: [5, 0, 5],
  18: [5, 1, 0],
  19: [5, 1, 1],
  20: [6, 0, 0],
};

/** Makes the simulated device run the HarmonyOS release of this API level (all version fields agree). */
export function useApiLevel(level) {
  const release = RELEASES[level];
  if (release === undefined) {
    throw new Error(`useApiLevel: no HarmonyOS release is known for API ${level} (known: ${Object.keys(RELEASES).join(', ')})`);
  }
  const [major, feature, patch] = release;
  deviceInfo.sdkApiVersion = level;
  deviceInfo.distributionOSApiVersion = major * 10000 + feature * 100 + patch;
  // The fourth number is the build; the host has none.
  deviceInfo.osFullName = `HarmonyOS-${major}.${feature}.${patch}.0`;
}

export default { deviceInfo };
