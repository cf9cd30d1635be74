// @kit.PushKit on the host: pushService and pushCommon with Push Kit's documented error codes.
// - getToken needs the app's client_id in module.json5 (1000900010 illegal app identity otherwise), a
//   network (1000900011) and Push Kit enabled in AppGallery Connect (1000900012); the token stays the
//   same until deleteToken or a rotation by the system.
// - receiveMessage registers one handler per push type for the ability; messages are delivered to it.
import { businessError, later, withCallback, FailureQueue, PARAM_ERROR } from '../errors.js';

export const ERR_ILLEGAL_APP_IDENTITY = 1000900010;
export const ERR_NO_NETWORK = 1000900011;
export const ERR_PUSH_RIGHT_NOT_ACTIVATED = 1000900012;
export const ERR_DUPLICATE_RECEIVER = 1000900005;
export const ERR_TOO_MANY_PROFILES = 1000900015;
export const ERR_ACCOUNT_NOT_LOGGED_IN = 1000900016;
/** At most this many app-account profiles may be bound per app on a device. */
export const MAX_PROFILES = 10;

const PUSH_TYPES = ['DEFAULT', 'IM', 'VoIP', 'BACKGROUND', 'EMERGENCY'];

export const pushCommon = {
  AppProfileType: {
    PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT: 1,
    PROFILE_TYPE_APPLICATION_ACCOUNT: 2,
    1: 'PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT',
    2: 'PROFILE_TYPE_APPLICATION_ACCOUNT',
  },
};

export class PushSim {
  constructor() {
    this.reset();
  }

  reset() {
    this.clientIdConfigured = true;
    this.networkAvailable = true;
    this.pushRightActivated = true;
    /** A HUAWEI ID is signed in on the device (needed to bind PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT). */
    this.huaweiIdLoggedIn = true;
    this.latencyMs = 0;
    this.token = undefined;
    this.tokenSerial = 0;
    this.getTokenCalls = 0;
    this.deleteTokenCalls = 0;
    /** appProfileId -> AppProfileType */
    this.profiles = new Map();
    /** push type -> { ability, handler } */
    this.receivers = new Map();
    this.failures = new FailureQueue();
  }

  /** The system replaces the token (e.g. after restoring the device); the next getToken returns it. */
  rotateToken() {
    this.token = this.newToken();
    return this.token;
  }

  newToken() {
    this.tokenSerial += 1;
    // Real tokens are opaque strings of about 130 characters.
    return `IQAAAACy0${String(this.tokenSerial).padStart(4, '0')}`.padEnd(130, 'x');
  }

  /** Push Kit hands a message to the app's registered handler; false when nobody listens for the type. */
  deliver(pushType, payload) {
    const r = this.receivers.get(pushType);
    if (!r) return false;
    r.handler(payload);
    return true;
  }

  failIfUnavailable(api) {
    const f = this.failures.take(api);
    if (f) throw f;
    if (!this.clientIdConfigured) throw businessError(ERR_ILLEGAL_APP_IDENTITY, 'Illegal application identity.');
    if (!this.networkAvailable) throw businessError(ERR_NO_NETWORK, 'No network.');
    if (!this.pushRightActivated) throw businessError(ERR_PUSH_RIGHT_NOT_ACTIVATED, 'Push right is not activated.');
  }
}

export const sim = new PushSim();

export const pushService = {
  getToken(callback) {
    sim.getTokenCalls += 1;
    return withCallback(later(sim.latencyMs, () => {
      sim.failIfUnavailable('getToken');
      if (sim.token === undefined) sim.token = sim.newToken();
      return sim.token;
    }), callback);
  },

  deleteToken(callback) {
    sim.deleteTokenCalls += 1;
    return withCallback(later(sim.latencyMs, () => {
      sim.failIfUnavailable('deleteToken');
      sim.token = undefined;
    }), callback);
  },

  receiveMessage(pushType, ability, onMessage) {
    if (!PUSH_TYPES.includes(pushType) || ability === null || typeof ability !== 'object' ||
        typeof onMessage !== 'function') {
      throw businessError(PARAM_ERROR, 'Parameter error: receiveMessage(pushType, ability, callback)');
    }
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
