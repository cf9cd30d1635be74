// The control panel of the host simulations, imported by host tests as '@pushuikit/kitsim'.
// Typed for ArkTS in index.d.ts (keep the two in step; tools/sim/test checks they match).
import { sim as notification } from './kits/NotificationKit.js';
import { sim as push } from './kits/PushKit.js';
import { sim as voip } from './kits/CallServiceKit.js';
import { sim as vibrator } from './kits/SensorServiceKit.js';
import { sim as media } from './kits/MediaKit.js';
import { sim as preferences } from './kits/ArkData.js';
import { sim as hilog } from './kits/PerformanceAnalysisKit.js';
import { sim as network } from './kits/NetworkKit.js';
import { sim as localization } from './kits/LocalizationKit.js';
import { promptAction } from './kits/ArkUI.js';
import { UIAbilityContext, sim as ability } from './kits/AbilityKit.js';
import { deviceInfo, useApiLevel } from './kits/BasicServicesKit.js';
import { resetGlobals } from './globals.js';

export class KitSim {
  static notification = notification;
  static push = push;
  /** @kit.CallServiceKit: the system's VoIP calls, its call UI (answer, reject, hangup, ...) and VoIP push deadlines. */
  static voip = voip;
  /** @kit.SensorServiceKit vibrator: every start and stop, and what vibrates now. */
  static vibrator = vibrator;
  /** @kit.MediaKit AVPlayer: every player and every play/stop (a ringtone is STREAM_USAGE_RINGTONE). */
  static media = media;
  static preferences = preferences;
  static hilog = hilog;
  static network = network;
  /** @kit.LocalizationKit i18n: the device's time zone and language. */
  static localization = localization;
  static ability = ability;
  /** deviceInfo of @kit.BasicServicesKit; tests may change deviceType (or the API level with useApiLevel). */
  static device = deviceInfo;

  /**
   * The device runs the HarmonyOS release of this API level (12..20): sets sdkApiVersion,
   * distributionOSApiVersion (e.g. 14 -> 50002 for 5.0.2) and osFullName together.
   */
  static useApiLevel(level) {
    useApiLevel(level);
  }

  /** A fresh device: every simulation back to its initial state. */
  static reset() {
    notification.reset();
    push.reset();
    voip.reset();
    vibrator.reset();
    media.reset();
    preferences.reset();
    hilog.reset();
    network.reset();
    localization.reset();
    ability.reset();
    promptAction.shown.length = 0;
    deviceInfo.deviceType = 'phone';
    useApiLevel(12);
    resetGlobals();
  }

  static abilityContext() {
    return new UIAbilityContext('EntryAbility');
  }

  /** Lets every queued microtask and zero-delay timer run: the kits answer asynchronously. */
  static async settle(rounds = 10) {
    for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
  }
}
