// @kit.PushKit on the host: pushService and pushCommon as Huawei's reference documents them
// (harmonyos-references/push-pushservice, harmonyos-references/push-error-code, and the SDK's
// @hms.core.push.pushService.d.ts), plus the device side of the Push Kit REST v3 API (`receive`).
// - Each API fails only with the codes its declaration lists (DOCUMENTED_CODES); the simulated causes
//   are the documented ones: AppGallery Connect state (`agc`), network, device type.
// - The token is 112 characters and stays the same until rotateToken() or deleteToken() + getToken();
//   a new token unbinds every profile.
// - receiveMessage accepts the push types of the running API level, once per type.
// - receive(pushType, body) decides what the device does with one REST request: show a notification,
//   call a receiver, cache, or nothing; tap() is the user opening a shown notification.
import crypto from 'node:crypto';
import { businessError, later, withCallback, FailureQueue, PARAM_ERROR } from '../errors.js';
import { deviceInfo } from './BasicServicesKit.js';
import { sim as notificationSim } from './NotificationKit.js';
import { Want } from './AbilityKit.js';
import { sim as voipSim } from './CallServiceKit.js';

export const ERR_INTERNAL = 1000900001;
export const ERR_DUPLICATE_RECEIVER = 1000900005;
export const ERR_CONNECT_FAILED = 1000900008;
export const ERR_PUSH_INTERNAL = 1000900009;
export const ERR_ILLEGAL_APP_IDENTITY = 1000900010;
export const ERR_NO_NETWORK = 1000900011;
export const ERR_PUSH_RIGHT_NOT_ACTIVATED = 1000900012;
export const ERR_CROSS_LOCATION = 1000900013;
export const ERR_DEVICE_NOT_SUPPORTED = 1000900014;
export const ERR_TOO_MANY_PROFILES = 1000900015;
export const ERR_ACCOUNT_NOT_LOGGED_IN = 1000900016;

/**
 * The error codes each API declares (@throws in @hms.core.push.pushService.d.ts, the same list in
 * harmonyos-references/push-pushservice). getToken and deleteToken declare 401 only for a bad callback
 * argument, which the sim raises itself, so it cannot be injected for them.
 */
export const DOCUMENTED_CODES = Object.freeze({
  getToken: Object.freeze([ERR_INTERNAL, ERR_CONNECT_FAILED, ERR_PUSH_INTERNAL, ERR_ILLEGAL_APP_IDENTITY,
    ERR_NO_NETWORK, ERR_PUSH_RIGHT_NOT_ACTIVATED, ERR_CROSS_LOCATION, ERR_DEVICE_NOT_SUPPORTED]),
  deleteToken: Object.freeze([ERR_INTERNAL, ERR_CONNECT_FAILED, ERR_PUSH_INTERNAL, ERR_ILLEGAL_APP_IDENTITY,
    ERR_NO_NETWORK]),
  bindAppProfileId: Object.freeze([PARAM_ERROR, ERR_INTERNAL, ERR_CONNECT_FAILED, ERR_PUSH_INTERNAL,
    ERR_ILLEGAL_APP_IDENTITY, ERR_TOO_MANY_PROFILES, ERR_ACCOUNT_NOT_LOGGED_IN]),
  unbindAppProfileId: Object.freeze([PARAM_ERROR, ERR_INTERNAL, ERR_CONNECT_FAILED, ERR_PUSH_INTERNAL,
    ERR_ILLEGAL_APP_IDENTITY]),
  receiveMessage: Object.freeze([PARAM_ERROR, ERR_INTERNAL, ERR_DUPLICATE_RECEIVER]),
});

/** At most this many app-account profiles may be bound per app on a device (harmonyos-guides/push-send-alert). */
export const MAX_PROFILES = 10;
/** Push tokens are 112 characters (harmonyos-references/push-pushservice: "字符长度为112"). */
export const TOKEN_LENGTH = 112;

/** receiveMessage push types and the API level that brought them (the d.ts overloads' @since). */
const PUSH_TYPE_SINCE = { IM: 10, VoIP: 10, BACKGROUND: 10, EMERGENCY: 12, DEFAULT: 14 };

/**
 * Device types that can get a token, and since which API level (push-error-code 1000900014: Phone,
 * Tablet, PC/2in1; Wearable since 5.1.0(18), TV since 5.1.1(19)).
 */
const TOKEN_DEVICES_SINCE = { phone: 0, tablet: 0, '2in1': 0, wearable: 18, tv: 19 };

/** Device types without notification badges (push-scenariozed-api-request-param §Notification.badge). */
const NO_BADGE_DEVICES = ['wearable', 'tv'];

/** The REST `push-type` header (harmonyos-references/push-scenariozed-api-request-struct). */
export const REST_PUSH_TYPE = Object.freeze({ ALERT: 0, FORM_UPDATE: 1, EXTENSION: 2, BACKGROUND: 6, LIVE_VIEW: 7, VOIP: 10 });

const BUNDLE_NAME = 'com.example.pushuikit';
const ENTRY_ABILITY = 'EntryAbility';

export const pushCommon = {
  AppProfileType: {
    PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT: 1,
    PROFILE_TYPE_APPLICATION_ACCOUNT: 2,
    1: 'PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT',
    2: 'PROFILE_TYPE_APPLICATION_ACCOUNT',
  },
};

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;

function malformed(what) {
  return new TypeError(`PushSim.receive: malformed Push Kit request: ${what}`);
}

/**
 * The fields of a REST v3 Notification the device relies on, checked as the REST API documents them
 * (harmonyos-references/push-scenariozed-api-request-param §Notification, §ClickAction, §Badge): a request
 * that breaks them would be refused by the server and never reach a device, so it is a broken test.
 */
function checkNotification(n) {
  if (!isObject(n)) throw malformed('payload.notification must be an object');
  for (const key of ['category', 'title', 'body']) {
    if (typeof n[key] !== 'string') throw malformed(`notification.${key} is required (a string)`);
  }
  const click = n.clickAction;
  if (!isObject(click)) throw malformed('notification.clickAction is required');
  // push-type 0 and 2 allow actionType 0 (open the app) and 1 (open a page) only (§点击行为类型).
  if (click.actionType !== 0 && click.actionType !== 1) throw malformed('clickAction.actionType must be 0 or 1');
  if (click.actionType === 1 && typeof click.action !== 'string' && typeof click.uri !== 'string') {
    throw malformed('clickAction with actionType 1 needs action or uri');
  }
  if (click.data !== undefined && !isObject(click.data)) throw malformed('clickAction.data must be a JSON object');
  if (n.profileId !== undefined && (typeof n.profileId !== 'string' || n.profileId.length > 64)) {
    throw malformed('notification.profileId must be a string of at most 64 characters');
  }
  if (n.foregroundShow !== undefined && typeof n.foregroundShow !== 'boolean') throw malformed('foregroundShow must be a boolean');
  if (n.notifyId !== undefined && !isInt(n.notifyId, -1, 2147483647)) throw malformed('notifyId must be -1 or in [0, 2147483647]');
  if (n.badge !== undefined) {
    if (!isObject(n.badge)) throw malformed('notification.badge must be an object');
    if (n.badge.addNum !== undefined && !isInt(n.badge.addNum, 1, 99)) throw malformed('badge.addNum must be an integer in 1..99');
    if (n.badge.setNum !== undefined && !isInt(n.badge.setNum, 0, 99)) throw malformed('badge.setNum must be an integer in 0..99');
  }
}

function checkExtraData(payload) {
  if (typeof payload.extraData !== 'string') throw malformed('payload.extraData is required (a string)');
}

function checkRequest(pushType, body) {
  if (!Object.values(REST_PUSH_TYPE).includes(pushType)) {
    throw new TypeError(`PushSim.receive: push-type ${pushType} does not exist (0, 1, 2, 6, 7 or 10)`);
  }
  if (!isObject(body) || !isObject(body.payload)) throw malformed('the body needs a payload object');
  if (body.target !== undefined) {
    const tokens = isObject(body.target) ? body.target.token : undefined;
    if (!Array.isArray(tokens) || tokens.length === 0 || tokens.length > 1000 || tokens.some((t) => typeof t !== 'string')) {
      throw malformed('target.token must be an array of 1..1000 token strings');
    }
  }
  const payload = body.payload;
  if (pushType === REST_PUSH_TYPE.ALERT) checkNotification(payload.notification);
  if (pushType === REST_PUSH_TYPE.EXTENSION) {
    checkNotification(payload.notification);
    // ExtensionPayload: "notification.category必填，且取值为“PLAY_VOICE”".
    if (payload.notification.category !== 'PLAY_VOICE') throw malformed('a push-type 2 notification has category PLAY_VOICE');
    checkExtraData(payload);
  }
  if (pushType === REST_PUSH_TYPE.BACKGROUND || pushType === REST_PUSH_TYPE.VOIP) checkExtraData(payload);
  if (pushType === REST_PUSH_TYPE.BACKGROUND && payload.proxyData !== undefined) {
    throw malformed('proxyData (writing to the app\'s database) is not simulated');
  }
}

export class PushSim {
  constructor() {
    this.agc = {};
    this.reset();
  }

  reset() {
    /** VoIP pushes delivered, and Push Kit's callId of the latest (what reportIncomingCall must use). */
    this.voipCalls = 0;
    this.lastVoipCallId = undefined;
    /**
     * The app's state in AppGallery Connect. The first three are documented causes of 1000900010
     * (harmonyos-references/push-error-code); since HarmonyOS NEXT Developer Beta2 no Client ID or
     * fingerprint is configured on the device (harmonyos-guides/push-config-setting), so module.json5's
     * client_id plays no part here.
     */
    Object.assign(this.agc, {
      /** The app was created as a HarmonyOS app (else 1000900010). */
      harmonyOsApp: true,
      /** Project settings > Open capability management: push enabled (else 1000900010). */
      pushCapabilityEnabled: true,
      /** The signing profile was requested again after enabling push (else 1000900010). */
      profileReissued: true,
      /** Grow > Push Kit activated (else getToken 1000900012). */
      pushServiceActivated: true,
      /** The device's location matches the project's data processing location (else getToken 1000900013). */
      dataLocationMatches: true,
    });
    /** The app runs on a cloud real device (1000900010: "不支持云真机调试"). */
    this.cloudDebugging = false;
    this.networkAvailable = true;
    /** A HUAWEI ID is signed in on the device (needed to bind PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT). */
    this.huaweiIdLoggedIn = true;
    /** The app's UIAbility is in the foreground (decides foregroundShow, IM and BACKGROUND delivery). */
    this.appInForeground = false;
    /**
     * API 12-13 (before receiveMessage('DEFAULT')) with foregroundShow:false in the foreground: undocumented
     * (no page says whether foregroundShow is honoured before 5.0.2(14)). We choose the strictest: not shown and
     * no callback. true shows it instead.
     */
    this.legacyForegroundShowsBanner = false;
    this.latencyMs = 0;
    /** Per device: tokens differ between devices (a fresh seed on every reset) and between serials. */
    this.seed = crypto.randomBytes(16).toString('hex');
    this.token = undefined;
    this.tokenSerial = 0;
    this.getTokenCalls = 0;
    this.deleteTokenCalls = 0;
    /** appProfileId -> AppProfileType */
    this.profiles = new Map();
    /** push type -> { ability, handler } */
    this.receivers = new Map();
    /** Notifications on screen (the REST notification objects), oldest first. */
    this.shown = [];
    /** The latest background message (REST body) that waits for a foreground getToken. */
    this.cachedBackground = undefined;
    this.failures = new FailureQueue(DOCUMENTED_CODES);
  }

  /**
   * The system replaces the token (harmonyos-guides/push-get-token: reinstall, factory reset, ...); the next
   * getToken returns it. "当Push Token变更后，账号与应用的绑定关系自动解除" (harmonyos-guides/push-send-alert):
   * the profile bindings go.
   */
  rotateToken() {
    this.token = this.newToken();
    this.profiles.clear();
    return this.token;
  }

  /** "MA" (as every documented sample token) and 110 characters of [A-Za-z0-9_-]. */
  newToken() {
    this.tokenSerial += 1;
    const bytes = crypto.createHash('shake256', { outputLength: 83 }).update(`${this.seed}:${this.tokenSerial}`).digest();
    return `MA${bytes.toString('base64url')}`.slice(0, TOKEN_LENGTH);
  }

  /** Why AppGallery Connect refuses the app's identity (1000900010), or undefined. */
  identityProblem() {
    if (!this.agc.harmonyOsApp) return 'the app was not created as a HarmonyOS app in AppGallery Connect';
    if (!this.agc.pushCapabilityEnabled) return 'push is not enabled in Project settings > Open capability management';
    if (!this.agc.profileReissued) return 'the signing profile was not requested again after enabling push';
    if (this.cloudDebugging) return 'cloud real-device debugging is not supported';
    return undefined;
  }

  tokenSupported() {
    const since = TOKEN_DEVICES_SINCE[deviceInfo.deviceType];
    return since !== undefined && deviceInfo.sdkApiVersion >= since;
  }

  /**
   * Throws what `api` would fail with now: an injected failure first, then the simulated conditions, each
   * raising only a code the API declares. The order among conditions is undocumented; we check the device
   * first, then the network, then the server's verdicts (identity, rights, location).
   */
  failIfUnavailable(api) {
    const f = this.failures.take(api);
    if (f) throw f;
    const tokenApi = api === 'getToken' || api === 'deleteToken';
    if (api === 'getToken' && !this.tokenSupported()) {
      throw businessError(ERR_DEVICE_NOT_SUPPORTED, `The device does not support getting token (${deviceInfo.deviceType}, API ${deviceInfo.sdkApiVersion}).`);
    }
    if (!this.networkAvailable) {
      // bind/unbind declare no 1000900011; 1000900009's documented causes include "网络不可用".
      if (tokenApi) throw businessError(ERR_NO_NETWORK, 'The network is unavailable.');
      throw businessError(ERR_PUSH_INTERNAL, 'Internal error of the push service (simulated cause: network unavailable).');
    }
    const why = this.identityProblem();
    if (why) throw businessError(ERR_ILLEGAL_APP_IDENTITY, `Illegal application identity (simulated cause: ${why}).`);
    if (api === 'getToken' && !this.agc.pushServiceActivated) {
      throw businessError(ERR_PUSH_RIGHT_NOT_ACTIVATED, 'Push rights are not activated.');
    }
    if (api === 'getToken' && !this.agc.dataLocationMatches) {
      throw businessError(ERR_CROSS_LOCATION, 'Cross-location application is not allowed to obtain the token.');
    }
  }

  /** Hands a PushPayload to the receiver of `type`: 'received:<type>', or 'dropped' when nobody listens. */
  deliverTo(type, payload) {
    const r = this.receivers.get(type);
    if (!r) return 'dropped';
    r.handler(payload);
    return `received:${type}`;
  }

  /**
   * The profile check of harmonyos-guides/push-send-alert §开发通知消息账号校验: the message's profileId must be
   * bound on the device; for a HUAWEI ID binding the HUAWEI ID must still be signed in.
   */
  profileMatches(profileId) {
    const type = this.profiles.get(profileId);
    if (type === undefined) return false;
    return type !== pushCommon.AppProfileType.PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT || this.huaweiIdLoggedIn;
  }

  /** The system shows a notification, replacing one with the same notifyId, and applies its badge. */
  show(n) {
    // harmonyos-guides/push-send-alert step 2: without notification permission (requestEnableNotification)
    // the app does not receive notification messages.
    if (!notificationSim.enabled) return 'hidden:disabled';
    if (n.notifyId !== undefined && n.notifyId >= 0) {
      this.shown = this.shown.filter((s) => s.notifyId !== n.notifyId);
    }
    this.shown.push(n);
    if (!NO_BADGE_DEVICES.includes(deviceInfo.deviceType)) notificationSim.setBadgeBySystem(n.badge);
    return 'shown';
  }

  /**
   * The device receives one Push Kit REST v3 request: `pushType` is the `push-type` header, `body` the
   * request body ({ payload, target?: { token: [...] }, pushOptions? }). Returns what happened:
   * 'not-for-this-device', 'shown', 'hidden:profile', 'hidden:foreground', 'hidden:disabled',
   * 'received:DEFAULT' | 'received:IM' | 'received:VoIP' | 'received:BACKGROUND', 'dropped', 'cached',
   * 'extension' or 'system'. A malformed request (one the REST API would refuse) is a TypeError.
   */
  receive(pushType, body) {
    checkRequest(pushType, body);
    if (this.token === undefined) return 'not-for-this-device';
    if (body.target !== undefined && !body.target.token.includes(this.token)) return 'not-for-this-device';
    const header = { token: this.token };
    const payload = body.payload;
    switch (pushType) {
      case REST_PUSH_TYPE.ALERT: {
        const n = payload.notification;
        // A profileId that is not bound: not shown; the receipt says 144 "profileId不存在"
        // (harmonyos-guides/push-send-alert, harmonyos-guides/push-msg-receipt).
        if (n.profileId !== undefined && !this.profileMatches(n.profileId)) return 'hidden:profile';
        // foregroundShow (default true) applies to push-type 0 only (push-scenariozed-api-request-param).
        if (this.appInForeground && n.foregroundShow === false) {
          if (deviceInfo.sdkApiVersion >= PUSH_TYPE_SINCE.DEFAULT) {
            // harmonyos-references/push-pushcommon §PushPayload: a DEFAULT delivery has type 'ALERT' and data
            // is the whole message envelope.
            return this.deliverTo('DEFAULT', {
              type: 'ALERT', data: JSON.stringify({ data: '', header, messageAction: 0, notification: n }),
            });
          }
          if (!this.legacyForegroundShowsBanner) return 'hidden:foreground';
        }
        return this.show(n);
      }
      case REST_PUSH_TYPE.EXTENSION:
        // harmonyos-guides/push-send-extend-noti: in the foreground no notification and the app's 'IM'
        // receiver gets it; otherwise RemoteNotificationExtensionAbility runs (not simulated).
        // A profileId on push-type 2 is undocumented and not checked here.
        if (!this.appInForeground) return 'extension';
        return this.deliverTo('IM', {
          type: 'IM',
          data: JSON.stringify({ data: payload.extraData, header, messageAction: 0, notification: payload.notification }),
        });
      case REST_PUSH_TYPE.BACKGROUND:
        // harmonyos-guides/push-background: foreground -> the app; otherwise cached, only the latest kept,
        // and sent again on the next getToken() while the app is in the foreground.
        if (this.appInForeground && this.receivers.has('BACKGROUND')) {
          return this.deliverTo('BACKGROUND', { type: 'BACKGROUND', data: JSON.stringify({ data: payload.extraData, header }) });
        }
        this.cachedBackground = body;
        return 'cached';
      case REST_PUSH_TYPE.VOIP:
        // harmonyos-guides/push-voip: Push Kit starts the app's main ability, whose onCreate registers
        // receiveMessage('VoIP'); a test creates that ability before calling receive. The content is
        // {data: extraData, header, callId}: the callId is Push Kit's, the one reportIncomingCall must use
        // ("接口入参中的callId需要使用receiveMessage()回调中的callId"), and the 10 s to report it start now.
        if (!this.receivers.has('VoIP')) {
          return 'dropped';
        }
        this.voipCalls += 1;
        const callId = `voip${this.voipCalls}${crypto.randomBytes(6).toString('hex')}`;
        voipSim.pushArrived(callId);
        this.lastVoipCallId = callId;
        return this.deliverTo('VoIP', { type: 'VoIP', data: JSON.stringify({ data: payload.extraData, header, callId }) });
      default:
        // 1 (card refresh) and 7 (live view) are handled by the system, without an app callback.
        return 'system';
    }
  }

  /** The cached background message, sent again to a foreground app after getToken. */
  redeliverCachedBackground() {
    if (!this.appInForeground || this.cachedBackground === undefined) return;
    const body = this.cachedBackground;
    this.cachedBackground = undefined;
    const header = { token: this.token };
    // Undocumented: a resent message with no 'BACKGROUND' receiver registered. We choose the strictest:
    // it is lost (an app that registers after getToken misses it).
    queueMicrotask(() => {
      this.deliverTo('BACKGROUND', { type: 'BACKGROUND', data: JSON.stringify({ data: body.payload.extraData, header }) });
    });
  }

  /**
   * The user taps a shown notification (default: the newest). Returns the Want the system starts the app
   * with: clickAction.data's keys flat in want.parameters (harmonyos-guides/push-send-alert §数据传递, read as
   * want.parameters?.['testKey']); actionType 1 adds the action (and uri), actionType 0 opens the app.
   * We assume EntryAbility declares the action (the system would fall back to the home page otherwise).
   */
  tap(notification) {
    if (this.shown.length === 0) throw new Error('PushSim.tap: no notification is shown');
    const n = notification === undefined ? this.shown[this.shown.length - 1] : notification;
    const i = this.shown.indexOf(n);
    if (i < 0) throw new Error('PushSim.tap: that notification is not shown');
    this.shown.splice(i, 1);
    const click = n.clickAction;
    const want = new Want({ bundleName: BUNDLE_NAME, abilityName: ENTRY_ABILITY });
    if (click.actionType === 1) {
      if (click.action !== undefined) want.action = click.action;
      if (click.uri !== undefined) want.uri = click.uri;
    }
    want.parameters = { ...(click.data || {}) };
    return want;
  }
}

export const sim = new PushSim();

export const pushService = {
  getToken(callback) {
    sim.getTokenCalls += 1;
    return withCallback(later(sim.latencyMs, () => {
      sim.failIfUnavailable('getToken');
      if (sim.token === undefined) sim.token = sim.newToken();
      sim.redeliverCachedBackground();
      return sim.token;
    }), callback);
  },

  deleteToken(callback) {
    sim.deleteTokenCalls += 1;
    return withCallback(later(sim.latencyMs, () => {
      sim.failIfUnavailable('deleteToken');
      // "删除Push Token后，本应用下的所有Push Kit历史数据会一并删除" (harmonyos-guides/push-get-token).
      // On a device without token support there is nothing to delete (undocumented; deleteToken declares
      // no 1000900014, so it succeeds).
      sim.token = undefined;
      sim.profiles.clear();
      sim.cachedBackground = undefined;
    }), callback);
  },

  receiveMessage(pushType, ability, onMessage) {
    if (typeof pushType !== 'string' || !Object.hasOwn(PUSH_TYPE_SINCE, pushType) || ability === null ||
        typeof ability !== 'object' || typeof onMessage !== 'function') {
      throw businessError(PARAM_ERROR, 'Parameter error: receiveMessage(pushType, ability, callback)');
    }
    // A type newer than the running API level (e.g. 'DEFAULT' before 5.0.2(14)): undocumented. We choose the
    // strictest: 401 "Parameter verification failed", thrown at once, so the app must check the level.
    if (deviceInfo.sdkApiVersion < PUSH_TYPE_SINCE[pushType]) {
      throw businessError(PARAM_ERROR, `Parameter error: push type '${pushType}' needs API ${PUSH_TYPE_SINCE[pushType]}`);
    }
    const f = sim.failures.take('receiveMessage');
    if (f) throw f;
    if (sim.receivers.has(pushType)) {
      throw businessError(ERR_DUPLICATE_RECEIVER, 'Messages of the same push type cannot be received repeatedly.');
    }
    sim.receivers.set(pushType, { ability, handler: onMessage });
  },

  bindAppProfileId(appProfileType, appProfileId, callback) {
    return withCallback(later(sim.latencyMs, () => {
      if (appProfileType !== 1 && appProfileType !== 2) throw businessError(PARAM_ERROR, 'Parameter error: appProfileType');
      if (typeof appProfileId !== 'string' || appProfileId.length === 0) {
        throw businessError(PARAM_ERROR, 'Parameter error: appProfileId');
      }
      sim.failIfUnavailable('bindAppProfileId');
      if (appProfileType === 1 && !sim.huaweiIdLoggedIn) {
        throw businessError(ERR_ACCOUNT_NOT_LOGGED_IN, 'The os distributed account is not logged in.');
      }
      if (!sim.profiles.has(appProfileId) && sim.profiles.size >= MAX_PROFILES) {
        throw businessError(ERR_TOO_MANY_PROFILES, 'The number of bound profile-app relationships exceeds the maximum.');
      }
      sim.profiles.set(appProfileId, appProfileType);
    }), callback);
  },

  unbindAppProfileId(appProfileId, callback) {
    return withCallback(later(sim.latencyMs, () => {
      if (typeof appProfileId !== 'string' || appProfileId.length === 0) {
        throw businessError(PARAM_ERROR, 'Parameter error: appProfileId');
      }
      sim.failIfUnavailable('unbindAppProfileId');
      sim.profiles.delete(appProfileId);
    }), callback);
  },
};

export default { pushService, pushCommon };
