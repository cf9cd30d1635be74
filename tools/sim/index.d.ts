/*
 * @pushuikit/kitsim: the control panel of the host kit simulations (tools/sim), for host tests in a
 * module's src/test. Implemented by control.js and the kits/ folder; exists only in this repository's
 * host toolchain (npm test), not on a device.
 */
import { common } from '@kit.AbilityKit';

export type DialogAnswer = 'allow' | 'deny' | 'wait';
export type SettingsAnswer = 'enable' | 'disable' | 'nothing';

export declare class FailureQueue {
  /** The next call of `api` fails with a BusinessError of this code. */
  failNext(api: string, code: number, message?: string): void;
  clear(): void;
}

export declare class NotificationSim {
  enabled: boolean;
  userRefused: boolean;
  dialogAnswer: DialogAnswer;
  settingsAnswer: SettingsAnswer;
  readonly dialogCount: number;
  readonly settingsOpened: number;
  readonly dialogShowing: boolean;
  readonly badge: number;
  readonly badgeHistory: number[];
  badgeLatencyMs: number;
  readonly maxBadgeInFlight: number;
  readonly failures: FailureQueue;
  answerDialog(allow: boolean): void;
  setSystemSwitch(enabled: boolean): void;
}

export declare class PushSim {
  clientIdConfigured: boolean;
  huaweiIdLoggedIn: boolean;
  networkAvailable: boolean;
  pushRightActivated: boolean;
  latencyMs: number;
  readonly token: string | undefined;
  readonly getTokenCalls: number;
  readonly deleteTokenCalls: number;
  readonly profiles: Map<string, number>;
  readonly failures: FailureQueue;
  rotateToken(): string;
  deliver(pushType: string, payload: PushPayloadLike): boolean;
}

export declare class PushPayloadLike {
  type: string;
  data: string;
}

export declare class PreferencesSim {
  readonly failures: FailureQueue;
  restartApp(): void;
}

export declare class HilogLine {
  level: string;
  domain: number;
  tag: string;
  text: string;
}

export declare class HilogSim {
  readonly lines: HilogLine[];
  find(needle: string, level?: string): HilogLine[];
}

export declare class NetworkSim {
  readonly online: boolean;
  /** Offline also breaks every open WebSocket (as dropSockets does) and makes new connects fail. */
  setOnline(online: boolean): void;
  /** WebSockets of @kit.NetworkKit that are open now (past 'open', not yet closed). */
  readonly openSockets: number;
  /**
   * Kills every WebSocket's connection without a close handshake, like a lost link: the app sees 'error'
   * (code 200), then 'close' (1005, 'The link is down'); an attempt still connecting sees only 'error'.
   * Returns how many sockets it dropped.
   */
  dropSockets(): number;
  /** One device of several loses its network: sockets whose URL contains `urlPart` drop, new ones fail. */
  cutOff(urlPart: string): number;
  restoreLink(urlPart: string): void;
}

export declare class StartedWant {
  bundleName?: string;
  abilityName?: string;
  uri?: string;
  parameters?: Record<string, Object>;
}

export declare class MetadataEntry {
  name: string;
  value: string;
}

export declare class AbilitySim {
  readonly started: StartedWant[];
  /** The installed entry module's metadata (client_id, ...), as bundleManager reports it. */
  metadata: MetadataEntry[];
  /** The next startAbility fails with this code. */
  startFailure: number | undefined;
}

/** deviceInfo of @kit.BasicServicesKit. Change the API level with KitSim.useApiLevel, not field by field. */
export declare class DeviceSim {
  /** 'phone' (reset), 'tablet', '2in1', 'wearable', 'tv', 'car'. */
  deviceType: string;
  readonly sdkApiVersion: number;
  /** M*10000 + F*100 + S of the release M.F.S(N): 50000 for 5.0.0(12), 50002 for 5.0.2(14), 60000 for 6.0.0(20). */
  readonly distributionOSApiVersion: number;
  readonly osFullName: string;
}

export declare class KitSim {
  static readonly notification: NotificationSim;
  static readonly push: PushSim;
  static readonly preferences: PreferencesSim;
  static readonly hilog: HilogSim;
  static readonly network: NetworkSim;
  static readonly device: DeviceSim;
  static readonly ability: AbilitySim;
  /** A fresh device: an API 12 phone, every simulation back to its initial state. */
  static reset(): void;
  /**
   * The device runs the HarmonyOS release of this API level (12..20; anything else throws): sets
   * sdkApiVersion, distributionOSApiVersion and osFullName consistently.
   */
  static useApiLevel(level: number): void;
  static abilityContext(): common.UIAbilityContext;
  static settle(rounds?: number): Promise<void>;
}
