// The control panel of the host simulations, imported by host tests as '@pushuikit/kitsim'.
// Typed for ArkTS in index.d.ts (keep the two in step; tools/sim/test checks they match).
import { sim as notification } from './kits/NotificationKit.js';
import { sim as push } from './kits/PushKit.js';
import { sim as preferences } from './kits/ArkData.js';
import { sim as hilog } from './kits/PerformanceAnalysisKit.js';
import { sim as network } from './kits/NetworkKit.js';
import { promptAction } from './kits/ArkUI.js';
import { UIAbilityContext, sim as ability } from './kits/AbilityKit.js';
import { deviceInfo } from './kits/BasicServicesKit.js';
import { resetGlobals } from './globals.js';

export class KitSim {
  static notification = notification;
  static push = push;
  static preferences = preferences;
  static hilog = hilog;
  static network = network;
  static ability = ability;
  /** deviceInfo of @kit.BasicServicesKit; tests may change sdkApiVersion. */
  static device = deviceInfo;

  /** A fresh device: every simulation back to its initial state. */
  static reset() {
    notification.reset();
    push.reset();
    preferences.reset();
    hilog.reset();
    network.reset();
    ability.reset();
    promptAction.shown.length = 0;
    deviceInfo.sdkApiVersion = 12;
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
