// @kit.NotificationKit on the host: the notification switch, the authorization dialog and the badge,
// with the documented behaviour of notificationManager (API 12+):
// - requestEnableNotification shows the dialog only while notifications are off and the user has not
//   refused before; after a refusal it fails with 1600004 without a dialog; while a dialog is on screen
//   a second request fails with 1600013.
// - openNotificationSettings (API 13+) opens the notification settings sheet, where the user may
//   change the switch.
// - setBadgeNumber sets the launcher badge; it is asynchronous, so calls may overlap. Push Kit
//   notifications change it too (setBadgeBySystem).
import { businessError, later, withCallback, FailureQueue, PARAM_ERROR } from '../errors.js';

export const ERR_NOTIFICATION_DISABLED = 1600004;
export const ERR_DIALOG_SHOWING = 1600013;

export class NotificationSim {
  constructor() {
    this.reset();
  }

  reset() {
    /** The system switch of this app's notifications. */
    this.enabled = false;
    /** The user refused in the dialog before: the dialog is not shown again. */
    this.userRefused = false;
    /** How the simulated user answers the next dialog: 'allow', 'deny' or 'wait' (answerDialog later). */
    this.dialogAnswer = 'allow';
    /** What the user does in the settings sheet: 'enable', 'disable' or 'nothing'. */
    this.settingsAnswer = 'nothing';
    this.dialogCount = 0;
    this.settingsOpened = 0;
    this.pendingDialog = undefined;
    this.badge = 0;
    this.badgeHistory = [];
    this.badgeLatencyMs = 0;
    this.badgeInFlight = 0;
    this.maxBadgeInFlight = 0;
    this.failures = new FailureQueue();
  }

  get dialogShowing() {
    return this.pendingDialog !== undefined;
  }

  /** The user answers the dialog that is on screen (dialogAnswer 'wait'). */
  answerDialog(allow) {
    const pending = this.pendingDialog;
    if (!pending) throw new Error('NotificationSim.answerDialog: no dialog is showing');
    this.pendingDialog = undefined;
    this.applyAnswer(allow, pending.resolve, pending.reject);
  }

  applyAnswer(allow, resolve, reject) {
    if (allow) {
      this.enabled = true;
      resolve();
    } else {
      this.userRefused = true;
      reject(businessError(ERR_NOTIFICATION_DISABLED, 'Notification disabled.'));
    }
  }

  /**
   * The system applies a Push Kit notification's badge (harmonyos-references/push-scenariozed-api-request-param
   * §Badge): setNum is the number shown and wins over addNum, which adds to it; without a badge object (or
   * with neither field) the badge stays as it is. Recorded in badgeHistory like setBadgeNumber.
   */
  setBadgeBySystem(badge) {
    if (badge === undefined || badge === null) return;
    if (typeof badge.setNum === 'number') this.badge = badge.setNum;
    else if (typeof badge.addNum === 'number') this.badge += badge.addNum;
    else return;
    this.badgeHistory.push(this.badge);
  }

  /** The user flips the switch in system settings while the app is in the background. */
  setSystemSwitch(enabled) {
    this.enabled = enabled;
  }
}

export const sim = new NotificationSim();

function isContext(ctx) {
  return ctx !== null && typeof ctx === 'object';
}

export const notificationManager = {
  isNotificationEnabled(callback) {
    const f = sim.failures.take('isNotificationEnabled');
    return withCallback(later(0, () => {
      if (f) throw f;
      return sim.enabled;
    }), callback);
  },

  isNotificationEnabledSync() {
    const f = sim.failures.take('isNotificationEnabled');
    if (f) throw f;
    return sim.enabled;
  },

  requestEnableNotification(context, callback) {
    const cb = typeof context === 'function' ? context : callback;
    const ctx = typeof context === 'function' ? undefined : context;
    const promise = new Promise((resolve, reject) => {
      queueMicrotask(() => {
        const f = sim.failures.take('requestEnableNotification');
        if (f) return reject(f);
        if (ctx !== undefined && !isContext(ctx)) return reject(businessError(PARAM_ERROR, 'Parameter error: context'));
        if (sim.enabled) return resolve();
        if (sim.pendingDialog) {
          return reject(businessError(ERR_DIALOG_SHOWING, 'A notification dialog box is already displayed.'));
        }
        if (sim.userRefused) return reject(businessError(ERR_NOTIFICATION_DISABLED, 'Notification disabled.'));
        sim.dialogCount += 1;
        if (sim.dialogAnswer === 'wait') {
          sim.pendingDialog = { resolve, reject };
        } else {
          sim.applyAnswer(sim.dialogAnswer === 'allow', resolve, reject);
        }
        return undefined;
      });
    });
    return withCallback(promise, cb);
  },

  openNotificationSettings(context) {
    return later(0, () => {
      const f = sim.failures.take('openNotificationSettings');
      if (f) throw f;
      if (!isContext(context)) throw businessError(PARAM_ERROR, 'Parameter error: context');
      sim.settingsOpened += 1;
      if (sim.settingsAnswer === 'enable') {
        sim.enabled = true;
        sim.userRefused = false;
      } else if (sim.settingsAnswer === 'disable') {
        sim.enabled = false;
      }
    });
  },

  setBadgeNumber(badgeNumber, callback) {
    const promise = (async () => {
      if (typeof badgeNumber !== 'number' || !Number.isInteger(badgeNumber) || badgeNumber < 0) {
        throw businessError(PARAM_ERROR, `Parameter error: badgeNumber ${badgeNumber}`);
      }
      sim.badgeInFlight += 1;
      sim.maxBadgeInFlight = Math.max(sim.maxBadgeInFlight, sim.badgeInFlight);
      try {
        await later(sim.badgeLatencyMs, () => undefined);
        const f = sim.failures.take('setBadgeNumber');
        if (f) throw f;
        sim.badge = badgeNumber;
        sim.badgeHistory.push(badgeNumber);
      } finally {
        sim.badgeInFlight -= 1;
      }
    })();
    return withCallback(promise, callback);
  },
};

export class Notification {}
export default { notificationManager };
