// @kit.CallServiceKit on the host: `voipCall` as Huawei's reference documents it, and the system's side of
// VoIP calls (the call banner / lock-screen UI the user answers on), controlled by tests as KitSim.voip.
// Sources (developer.huawei.com/consumer/cn/doc/...):
//   harmonyos-references/call-voipcall     the API, its enums and its error codes per function
//   harmonyos-references/call-error-code   the causes of 1007200001/2/3/999
//   harmonyos-guides/incoming-calls, outgoing-calls, call-introduction, call-faq-1, push-voip  the flows
// - The system keeps every live call (callId -> state last reported); DISCONNECTED ends it.
// - Each API fails only with the codes its declaration lists (DOCUMENTED_CODES), for the documented causes.
// - A VoIP push must be answered with reportIncomingCall within REPORT_DEADLINE_MS (push-voip); the sim's own
//   clock (advance) measures it.
// - The user plays on the system UI with answer/reject/hangup/mute/unmute; events reach the callbacks
//   registered with on('voipCallUiEvent') when they are delivered (a microtask later, as an IPC callback).
// Where the reference is silent the sim makes a choice and says so ("our choice"), the strictest where it can.
import { businessError, later, FailureQueue, PARAM_ERROR } from '../errors.js';
import { PixelMap, tsEnum } from './ImageKit.js';
import { sim as notificationSim } from './NotificationKit.js';

export const ERR_INVALID_VALUE = 1007200001;
export const ERR_SERVICE_UNAVAILABLE = 1007200002;
export const ERR_SYSTEM_INTERNAL = 1007200003;
export const ERR_UNKNOWN = 1007200999;

/** Every voipCall function declares the same five codes (call-voipcall; @throws of @hms.telephony.voipCall.d.ts). */
const CODES = Object.freeze([PARAM_ERROR, ERR_INVALID_VALUE, ERR_SERVICE_UNAVAILABLE, ERR_SYSTEM_INTERNAL, ERR_UNKNOWN]);
export const DOCUMENTED_CODES = Object.freeze({
  on: CODES,
  off: CODES,
  reportIncomingCall: CODES,
  reportOutgoingCall: CODES,
  reportCallStateChange: CODES,
  reportCallAudioEventChange: CODES,
  reportIncomingCallError: CODES,
});

/**
 * harmonyos-guides/push-voip: "应用需要在10秒内调用voipCall.reportIncomingCall()接口上报通话来电状态" (the app must
 * report the incoming call within 10 seconds of the VoIP push), with the callId of that push.
 */
export const REPORT_DEADLINE_MS = 10000;
/** call-introduction §通话数量 and call-error-code 1007200003: at most 3 incoming and 1 outgoing VoIP call. */
export const MAX_INCOMING_CALLS = 3;
export const MAX_OUTGOING_CALLS = 1;
/**
 * call-voipcall §VoipCallAttribute.userProfile and call-faq-2: at most 221x221 pixels and getPixelBytesNumber()
 * under 196608 (the page says "bit"; 221x221 RGBA is 195364 bytes, so it is bytes), else the avatar is not shown.
 */
export const MAX_PROFILE_SIDE = 221;
export const MAX_PROFILE_BYTES = 196608;

const VoipCallType = tsEnum({ VOIP_CALL_VOICE: 0, VOIP_CALL_VIDEO: 1 });
const VoipCallState = tsEnum({
  VOIP_CALL_STATE_IDLE: 0, VOIP_CALL_STATE_RINGING: 1, VOIP_CALL_STATE_ACTIVE: 2, VOIP_CALL_STATE_HOLDING: 3,
  VOIP_CALL_STATE_DISCONNECTED: 4, VOIP_CALL_STATE_DIALING: 5, VOIP_CALL_STATE_ANSWERED: 6,
  VOIP_CALL_STATE_DISCONNECTING: 7,
});
const VoipCallUiEvent = tsEnum({
  VOIP_CALL_EVENT_NONE: 0, VOIP_CALL_EVENT_VOICE_ANSWER: 1, VOIP_CALL_EVENT_VIDEO_ANSWER: 2, VOIP_CALL_EVENT_REJECT: 3,
  VOIP_CALL_EVENT_HANGUP: 4, VOIP_CALL_EVENT_MUTED: 5, VOIP_CALL_EVENT_UNMUTED: 6, VOIP_CALL_EVENT_SPEAKER_ON: 7,
  VOIP_CALL_EVENT_SPEAKER_OFF: 8,
});
const ErrorReason = tsEnum({
  ERROR_NONE: 0, CELLULAR_CALL_EXISTS: 1, VOIP_CALL_EXISTS: 2, INVALID_CALL: 3, USER_ANSWER_CELLULAR_FIRST: 4,
});
const VoipCallFailureCause = tsEnum({ OTHER: 0, ROUTE_BUSY: 1, CONNECTION_FAILED: 2 });
const CallAudioEvent = tsEnum({ AUDIO_EVENT_MUTED: 0, AUDIO_EVENT_UNMUTED: 1, AUDIO_EVENT_SPEAKER_ON: 2, AUDIO_EVENT_SPEAKER_OFF: 3 });

const S = VoipCallState;
const E = VoipCallUiEvent;

/**
 * The states reportCallStateChange may move a call to, by its current state. The reference has no table; this is
 * the flows of incoming-calls (RINGING -> ANSWERED -> ACTIVE, RINGING -> ACTIVE, RINGING -> DISCONNECTED on reject,
 * -> DISCONNECTED on hang-up) and outgoing-calls (DIALING -> ACTIVE when the callee answers), plus HOLDING and
 * DISCONNECTING (call-voipcall §VoipCallState). Anything else is a "通话状态错误" (call-error-code 1007200001
 * cause 2): our choice, the strictest. DIALING comes only from reportOutgoingCall, RINGING only from
 * reportIncomingCall, IDLE never. The same state again is allowed only with the 3-argument form changing the type
 * (a voice call upgraded to video while ACTIVE or HOLDING); otherwise it is a repeated report (cause 5).
 */
const NEXT_STATES = new Map([
  [S.VOIP_CALL_STATE_RINGING, [S.VOIP_CALL_STATE_ANSWERED, S.VOIP_CALL_STATE_ACTIVE, S.VOIP_CALL_STATE_DISCONNECTING, S.VOIP_CALL_STATE_DISCONNECTED]],
  [S.VOIP_CALL_STATE_DIALING, [S.VOIP_CALL_STATE_ACTIVE, S.VOIP_CALL_STATE_DISCONNECTING, S.VOIP_CALL_STATE_DISCONNECTED]],
  [S.VOIP_CALL_STATE_ANSWERED, [S.VOIP_CALL_STATE_ACTIVE, S.VOIP_CALL_STATE_DISCONNECTING, S.VOIP_CALL_STATE_DISCONNECTED]],
  [S.VOIP_CALL_STATE_ACTIVE, [S.VOIP_CALL_STATE_HOLDING, S.VOIP_CALL_STATE_DISCONNECTING, S.VOIP_CALL_STATE_DISCONNECTED]],
  [S.VOIP_CALL_STATE_HOLDING, [S.VOIP_CALL_STATE_ACTIVE, S.VOIP_CALL_STATE_DISCONNECTING, S.VOIP_CALL_STATE_DISCONNECTED]],
  [S.VOIP_CALL_STATE_DISCONNECTING, [S.VOIP_CALL_STATE_DISCONNECTED]],
]);
const TYPE_CHANGE_STATES = [S.VOIP_CALL_STATE_ACTIVE, S.VOIP_CALL_STATE_HOLDING];
/** States in which the call is connected or connecting on the system UI: hang-up and mute buttons. */
const IN_CALL_STATES = [S.VOIP_CALL_STATE_DIALING, S.VOIP_CALL_STATE_ANSWERED, S.VOIP_CALL_STATE_ACTIVE, S.VOIP_CALL_STATE_HOLDING];

const isEnumValue = (e, v) => Number.isInteger(v) && typeof e[v] === 'string';
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function paramError(what) {
  return businessError(PARAM_ERROR, `Parameter error. ${what}`);
}

function invalidValue(what) {
  return businessError(ERR_INVALID_VALUE, `Invalid parameter value. ${what}`);
}

/**
 * 401 for what the declaration's types rule out (a missing argument or field, a wrong JS type): the universal
 * "Mandatory parameters are left unspecified / Incorrect parameter types". call-error-code lists "必填参数未传递" under
 * 1007200001 too; which one the service raises for a missing field is not said: our choice is 401.
 */
function checkAttribute(a) {
  if (!isObject(a)) throw paramError('voipCallAttribute must be a VoipCallAttribute object');
  for (const key of ['callId', 'userName', 'abilityName']) {
    if (typeof a[key] !== 'string') throw paramError(`voipCallAttribute.${key} must be a string`);
  }
  for (const key of ['voipCallType', 'voipCallState']) {
    if (typeof a[key] !== 'number') throw paramError(`voipCallAttribute.${key} must be a number`);
  }
  if (!(a.userProfile instanceof PixelMap)) throw paramError('voipCallAttribute.userProfile must be an image.PixelMap');
  for (const key of ['showBannerForIncomingCall', 'isConferenceCall', 'isVoiceAnswerSupported']) {
    if (a[key] !== undefined && typeof a[key] !== 'boolean') throw paramError(`voipCallAttribute.${key} must be a boolean`);
  }
}

/** 1007200001 causes 3 (type) and 2 (state) of call-error-code, and an empty callId (nothing to identify). */
function checkAttributeValues(a, requiredState, stateName) {
  if (a.callId.length === 0) throw invalidValue('callId is empty');
  if (!isEnumValue(VoipCallType, a.voipCallType)) throw invalidValue(`voipCallType ${a.voipCallType} is neither VOIP_CALL_VOICE nor VOIP_CALL_VIDEO`);
  if (a.voipCallState !== requiredState) throw invalidValue(`voipCallState must be ${stateName}`);
}

function profileShown(p) {
  return !p.released && p.width <= MAX_PROFILE_SIDE && p.height <= MAX_PROFILE_SIDE && p.getPixelBytesNumber() < MAX_PROFILE_BYTES;
}

export class VoipSim {
  constructor() {
    this.reset();
  }

  reset() {
    /** The sim's clock in ms (advance() moves it): measures the reporting deadline after a VoIP push. */
    this.time = 0;
    /** false: Call Service Kit cannot be reached, every API fails with 1007200002 (call-error-code). */
    this.serviceAvailable = true;
    /**
     * A carrier call is in progress: reportOutgoingCall fails with 1007200003 (call-error-code cause 2),
     * reportIncomingCall resolves CELLULAR_CALL_EXISTS (our reading of the enum).
     */
    this.carrierCallActive = false;
    /** Another app has a VoIP call: reports resolve ErrorReason.VOIP_CALL_EXISTS. */
    this.otherAppCallActive = false;
    /** The screen is locked: only voice answer (push-voip: "锁屏状态下只支持接听语音"). */
    this.screenLocked = false;
    /** callId -> the live call (reported and not yet DISCONNECTED). */
    this.calls = new Map();
    /** Calls that ended (reported DISCONNECTED, or ended by reportIncomingCallError), oldest first. */
    this.ended = [];
    /** Every call of a voipCall function, in order: { api, callId, args, at, error?, reason?, late? }. */
    this.reports = [];
    /** Every VoIP push the device received (pushArrived): { callId, arrivedAt, settledAt?, outcome, late }. */
    this.pushes = [];
    /** Every UI event the system sent: { callId, voipCallUiEvent, errorReason, delivered (callbacks reached) }. */
    this.uiEvents = [];
    this.listeners = [];
    /** ErrorReason values the next reportIncomingCall/reportOutgoingCall resolve with (refuseNext). */
    this.refusals = new Map();
    this.failures = new FailureQueue(DOCUMENTED_CODES);
    this.latencyMs = 0;
  }

  /** The next call of `api` fails with BusinessError `code`; a code the API does not document throws here. */
  failNext(api, code, message) {
    this.failures.failNext(api, code, message);
  }

  /**
   * The next reportIncomingCall / reportOutgoingCall resolves `reason` (an ErrorReason other than ERROR_NONE)
   * instead of taking the call, for the refusals the sim does not derive itself (e.g. USER_ANSWER_CELLULAR_FIRST).
   */
  refuseNext(api, reason) {
    if (api !== 'reportIncomingCall' && api !== 'reportOutgoingCall') {
      throw new Error(`refuseNext: only reportIncomingCall and reportOutgoingCall resolve an ErrorReason, not '${api}'`);
    }
    if (!isEnumValue(ErrorReason, reason) || reason === ErrorReason.ERROR_NONE) {
      throw new Error(`refuseNext: ${reason} is not an ErrorReason other than ERROR_NONE`);
    }
    const list = this.refusals.get(api) || [];
    list.push(reason);
    this.refusals.set(api, list);
  }

  advance(ms) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance: ${ms} is not a duration`);
    this.time += ms;
  }

  /**
   * Push Kit delivered a VoIP message for `callId` to the app (call it next to KitSim.push.receive(10, ...)): from
   * now the app has REPORT_DEADLINE_MS to report it (reportIncomingCall, or reportIncomingCallError if it cannot).
   */
  pushArrived(callId) {
    if (typeof callId !== 'string' || callId.length === 0) throw new Error('pushArrived: callId must be a non-empty string');
    const push = { callId, arrivedAt: this.time, settledAt: undefined, outcome: 'pending', late: false };
    this.pushes.push(push);
    return push;
  }

  /** Pushes not reported yet whose deadline has passed. */
  overdue() {
    return this.pushes.filter((p) => p.outcome === 'pending' && this.time - p.arrivedAt > REPORT_DEADLINE_MS);
  }

  /** The live call `callId`, or undefined. */
  call(callId) {
    return this.calls.get(callId);
  }

  /** The state last reported for `callId` (DISCONNECTED once ended), or undefined if it was never reported. */
  stateOf(callId) {
    const live = this.calls.get(callId);
    if (live) return live.state;
    return this.ended.some((c) => c.callId === callId) ? S.VOIP_CALL_STATE_DISCONNECTED : undefined;
  }

  get listenerCount() {
    return this.listeners.length;
  }

  // --- the user on the system call UI: each returns true if the system sent the event, false if the UI did not
  // offer that button (a call never reported, already ended, or in a state without it).

  /**
   * The user answers a ringing incoming call, by voice or video (default: the call's type; voice on a locked
   * screen). Refused: a call that
   * is not ringing or was already answered/rejected, video on a voice call, video on a locked screen, voice on a
   * video call with isVoiceAnswerSupported false.
   */
  answer(callId, media) {
    if (media !== undefined && media !== 'voice' && media !== 'video') throw new Error(`answer: media is 'voice' or 'video', not ${media}`);
    const c = this.calls.get(callId);
    if (!c || c.direction !== 'incoming' || c.state !== S.VOIP_CALL_STATE_RINGING || c.userAction !== undefined) return false;
    const video = media === undefined ? c.type === VoipCallType.VOIP_CALL_VIDEO && !this.screenLocked : media === 'video';
    if (video && (c.type !== VoipCallType.VOIP_CALL_VIDEO || this.screenLocked)) return false;
    if (!video && c.type === VoipCallType.VOIP_CALL_VIDEO && c.voiceAnswerSupported === false) return false;
    c.userAction = 'answered';
    this.emit(callId, video ? E.VOIP_CALL_EVENT_VIDEO_ANSWER : E.VOIP_CALL_EVENT_VOICE_ANSWER, ErrorReason.ERROR_NONE);
    return true;
  }

  /** The user rejects a ringing incoming call they have not answered. */
  reject(callId) {
    const c = this.calls.get(callId);
    if (!c || c.direction !== 'incoming' || c.state !== S.VOIP_CALL_STATE_RINGING || c.userAction !== undefined) return false;
    c.userAction = 'rejected';
    this.emit(callId, E.VOIP_CALL_EVENT_REJECT, ErrorReason.ERROR_NONE);
    return true;
  }

  /** The user hangs up a call in progress (dialling, answered or active); a ringing call is rejected instead. */
  hangup(callId) {
    const c = this.calls.get(callId);
    if (!c || !this.inCall(c)) return false;
    c.userAction = 'hungUp';
    this.emit(callId, E.VOIP_CALL_EVENT_HANGUP, ErrorReason.ERROR_NONE);
    return true;
  }

  /** The user taps mute on a call in progress that the app has not reported muted (reportCallAudioEventChange). */
  mute(callId) {
    const c = this.calls.get(callId);
    if (!c || !this.inCall(c) || c.muted) return false;
    this.emit(callId, E.VOIP_CALL_EVENT_MUTED, ErrorReason.ERROR_NONE);
    return true;
  }

  unmute(callId) {
    const c = this.calls.get(callId);
    if (!c || !this.inCall(c) || !c.muted) return false;
    this.emit(callId, E.VOIP_CALL_EVENT_UNMUTED, ErrorReason.ERROR_NONE);
    return true;
  }

  /**
   * The user answers a carrier call: every live VoIP call gets VOIP_CALL_EVENT_HANGUP ("用户点击接听运营商来电之后，会
   * 回调应用内通话挂断状态", push-voip) and a carrier call is then in progress. The errorReason is our reading of
   * ErrorReason.USER_ANSWER_CELLULAR_FIRST ("用户选择接听蜂窝"). Returns how many calls got the event.
   */
  carrierCallAnswered() {
    let n = 0;
    for (const c of this.calls.values()) {
      if (c.userAction === 'rejected' || c.userAction === 'hungUp') continue;
      c.userAction = 'hungUp';
      this.emit(c.callId, E.VOIP_CALL_EVENT_HANGUP, ErrorReason.USER_ANSWER_CELLULAR_FIRST);
      n += 1;
    }
    this.carrierCallActive = true;
    return n;
  }

  inCall(c) {
    if (c.userAction === 'rejected' || c.userAction === 'hungUp') return false;
    return IN_CALL_STATES.includes(c.state) || c.userAction === 'answered';
  }

  /** Delivers one UI event on a later microtask to the callbacks registered then. */
  emit(callId, voipCallUiEvent, errorReason) {
    const record = { callId, voipCallUiEvent, errorReason, delivered: 0 };
    this.uiEvents.push(record);
    queueMicrotask(() => {
      for (const cb of [...this.listeners]) {
        record.delivered += 1;
        cb({ callId, voipCallUiEvent, errorReason });
      }
    });
  }

  // --- the service side of the API

  record(api, callId, args) {
    const entry = { api, callId, args, at: this.time };
    this.reports.push(entry);
    return entry;
  }

  /** An injected failure, then the service being unreachable. */
  failIfUnavailable(api) {
    const f = this.failures.take(api);
    if (f) throw f;
    if (!this.serviceAvailable) throw businessError(ERR_SERVICE_UNAVAILABLE, 'Operation failed. Cannot connect to service.');
  }

  liveCount(direction) {
    let n = 0;
    for (const c of this.calls.values()) if (c.direction === direction) n += 1;
    return n;
  }

  pendingPush(callId) {
    return this.pushes.find((p) => p.callId === callId && p.outcome === 'pending');
  }

  settle(push, outcome) {
    push.settledAt = this.time;
    push.outcome = outcome;
    push.late = push.settledAt - push.arrivedAt > REPORT_DEADLINE_MS;
  }

  takeRefusal(api) {
    const list = this.refusals.get(api);
    return list && list.length > 0 ? list.shift() : undefined;
  }

  addCall(a, direction) {
    const call = {
      callId: a.callId,
      direction,
      type: a.voipCallType,
      state: a.voipCallState,
      userName: a.userName,
      abilityName: a.abilityName,
      /** An incoming call's banner: shown unless showBannerForIncomingCall is false or notifications are off (call-faq-1). */
      banner: direction === 'incoming' && a.showBannerForIncomingCall !== false && notificationSim.enabled,
      avatarShown: profileShown(a.userProfile),
      conference: a.isConferenceCall === true,
      voiceAnswerSupported: a.isVoiceAnswerSupported !== false,
      muted: false,
      speakerOn: false,
      /** What the user did on the system UI: undefined, 'answered', 'rejected' or 'hungUp'. */
      userAction: undefined,
      reportedAt: this.time,
      endedAt: undefined,
      failureCause: undefined,
    };
    this.calls.set(a.callId, call);
    return call;
  }

  endCall(c) {
    c.state = S.VOIP_CALL_STATE_DISCONNECTED;
    c.endedAt = this.time;
    this.calls.delete(c.callId);
    this.ended.push(c);
  }

  reportIncomingCall(a, entry) {
    checkAttribute(a);
    this.failIfUnavailable('reportIncomingCall');
    checkAttributeValues(a, S.VOIP_CALL_STATE_RINGING, 'VOIP_CALL_STATE_RINGING (call-faq-1)');
    // call-error-code 1007200001 cause 5: the same call reported twice.
    if (this.calls.has(a.callId)) throw invalidValue(`call ${a.callId} was already reported`);
    const push = this.pendingPush(a.callId);
    if (push && this.time - push.arrivedAt > REPORT_DEADLINE_MS) {
      // What the system does with a report after the 10 s of push-voip is not documented. Our choice, the
      // strictest: the call is not taken and no UI appears; ErrorReason.INVALID_CALL ("callId未通过校验").
      this.settle(push, 'late');
      if (entry) entry.late = true;
      return ErrorReason.INVALID_CALL;
    }
    if (this.otherAppCallActive) return this.refused(push, ErrorReason.VOIP_CALL_EXISTS);
    // CELLULAR_CALL_EXISTS as reportIncomingCall's answer while a carrier call is in progress: our reading of the enum.
    if (this.carrierCallActive) return this.refused(push, ErrorReason.CELLULAR_CALL_EXISTS);
    if (this.liveCount('incoming') >= MAX_INCOMING_CALLS) {
      throw businessError(ERR_SYSTEM_INTERNAL, `System internal error. At most ${MAX_INCOMING_CALLS} incoming VoIP calls.`);
    }
    const refusal = this.takeRefusal('reportIncomingCall');
    if (refusal !== undefined) return this.refused(push, refusal);
    if (push) this.settle(push, 'reported');
    this.addCall(a, 'incoming');
    return ErrorReason.ERROR_NONE;
  }

  refused(push, reason) {
    if (push) this.settle(push, 'refused');
    return reason;
  }

  reportOutgoingCall(a) {
    checkAttribute(a);
    this.failIfUnavailable('reportOutgoingCall');
    // outgoing-calls: "上报去电时，通话状态必须是VOIP_CALL_STATE_DIALING，否则...返回1007200001错误码".
    checkAttributeValues(a, S.VOIP_CALL_STATE_DIALING, 'VOIP_CALL_STATE_DIALING (outgoing-calls)');
    if (this.calls.has(a.callId)) throw invalidValue(`call ${a.callId} was already reported`);
    // call-error-code 1007200003: "有运营商通话存在时，不能发起应用内通话去电", and at most one outgoing call.
    if (this.carrierCallActive) throw businessError(ERR_SYSTEM_INTERNAL, 'System internal error. A carrier call is in progress.');
    if (this.liveCount('outgoing') >= MAX_OUTGOING_CALLS) {
      throw businessError(ERR_SYSTEM_INTERNAL, `System internal error. At most ${MAX_OUTGOING_CALLS} outgoing VoIP call.`);
    }
    if (this.otherAppCallActive) return ErrorReason.VOIP_CALL_EXISTS;
    const refusal = this.takeRefusal('reportOutgoingCall');
    if (refusal !== undefined) return refusal;
    this.addCall(a, 'outgoing');
    return ErrorReason.ERROR_NONE;
  }

  reportCallStateChange(args) {
    const [callId, callState, callType] = args;
    if (args.length < 2 || typeof callId !== 'string' || typeof callState !== 'number' ||
        (callType !== undefined && typeof callType !== 'number')) {
      throw paramError('reportCallStateChange(callId: string, callState: VoipCallState[, callType: VoipCallType])');
    }
    this.failIfUnavailable('reportCallStateChange');
    if (!isEnumValue(VoipCallState, callState)) throw invalidValue(`callState ${callState} is no VoipCallState`);
    if (callType !== undefined && !isEnumValue(VoipCallType, callType)) throw invalidValue(`callType ${callType} is no VoipCallType`);
    // call-error-code 1007200001 cause 4: a callId not among the existing calls (never reported, or ended).
    const c = this.calls.get(callId);
    if (!c) throw invalidValue(`no call ${callId}`);
    const typeChanges = callType !== undefined && callType !== c.type;
    const allowed = (NEXT_STATES.get(c.state) || []).includes(callState) ||
      (callState === c.state && typeChanges && TYPE_CHANGE_STATES.includes(c.state));
    if (!allowed) {
      throw invalidValue(`call ${callId} cannot go from ${VoipCallState[c.state]} to ${VoipCallState[callState]}`);
    }
    if (callType !== undefined) c.type = callType;
    if (callState === S.VOIP_CALL_STATE_DISCONNECTED) this.endCall(c);
    else c.state = callState;
  }

  reportCallAudioEventChange(callId, event) {
    if (typeof callId !== 'string' || typeof event !== 'number') {
      throw paramError('reportCallAudioEventChange(callId: string, callAudioEvent: CallAudioEvent)');
    }
    this.failIfUnavailable('reportCallAudioEventChange');
    if (!isEnumValue(CallAudioEvent, event)) throw invalidValue(`callAudioEvent ${event} is no CallAudioEvent`);
    const c = this.calls.get(callId);
    if (!c) throw invalidValue(`no call ${callId}`);
    if (event === CallAudioEvent.AUDIO_EVENT_MUTED || event === CallAudioEvent.AUDIO_EVENT_UNMUTED) {
      c.muted = event === CallAudioEvent.AUDIO_EVENT_MUTED;
    } else {
      c.speakerOn = event === CallAudioEvent.AUDIO_EVENT_SPEAKER_ON;
    }
  }

  /**
   * Settles the pending VoIP push of `callId` (push-voip: a push for a call already reported through the app's own
   * connection gets ROUTE_BUSY; the live call stays). Without a pending push, it ends the ringing incoming call the
   * app could not set up (call-voipcall: "如果应用来电消息建立失败，需调用reportIncomingCallError"). Neither: 1007200001.
   */
  reportIncomingCallError(callId, cause) {
    if (typeof callId !== 'string' || typeof cause !== 'number') {
      throw paramError('reportIncomingCallError(callId: string, voipCallFailureCause: VoipCallFailureCause)');
    }
    this.failIfUnavailable('reportIncomingCallError');
    if (!isEnumValue(VoipCallFailureCause, cause)) throw invalidValue(`voipCallFailureCause ${cause} is no VoipCallFailureCause`);
    const push = this.pendingPush(callId);
    if (push) {
      this.settle(push, 'failed');
      return;
    }
    const c = this.calls.get(callId);
    if (!c || c.direction !== 'incoming' || c.state !== S.VOIP_CALL_STATE_RINGING) {
      throw invalidValue(`no VoIP push or ringing incoming call ${callId}`);
    }
    c.failureCause = cause;
    this.endCall(c);
  }

  on(type, callback) {
    if (type !== 'voipCallUiEvent' || typeof callback !== 'function') throw paramError("on('voipCallUiEvent', callback)");
    this.failIfUnavailable('on');
    // The same function twice is one subscription (undocumented; our choice: no duplicate events).
    if (!this.listeners.includes(callback)) this.listeners.push(callback);
  }

  off(type, callback) {
    if (type !== 'voipCallUiEvent' || (callback !== undefined && typeof callback !== 'function')) {
      throw paramError("off('voipCallUiEvent'[, callback])");
    }
    this.failIfUnavailable('off');
    // call-voipcall: without a callback, every callback of the app is removed.
    this.listeners = callback === undefined ? [] : this.listeners.filter((cb) => cb !== callback);
  }

  /**
   * Runs `fn` as a service call: recorded, decided now (at the sim's current time), answered on a later turn. A
   * failure is recorded with its code and rejects the promise (every error, 401 included, comes through the promise).
   */
  serve(api, callId, args, fn) {
    const entry = this.record(api, callId, args);
    let outcome;
    try {
      const value = fn(entry);
      if (api === 'reportIncomingCall' || api === 'reportOutgoingCall') entry.reason = value;
      outcome = { value };
    } catch (e) {
      entry.error = e.code;
      outcome = { error: e };
    }
    return later(this.latencyMs, () => {
      if (outcome.error) throw outcome.error;
      return outcome.value;
    });
  }

  /** Runs a synchronous API (on/off): recorded, throws at once. */
  serveSync(api, args, fn) {
    const entry = this.record(api, undefined, args);
    try {
      fn();
    } catch (e) {
      entry.error = e.code;
      throw e;
    }
  }
}

export const sim = new VoipSim();

const callIdOf = (a) => (isObject(a) && typeof a.callId === 'string' ? a.callId : undefined);

export const voipCall = {
  VoipCallType,
  VoipCallState,
  VoipCallUiEvent,
  ErrorReason,
  VoipCallFailureCause,
  CallAudioEvent,

  on(type, callback) {
    sim.serveSync('on', [type, callback], () => sim.on(type, callback));
  },

  off(type, callback) {
    sim.serveSync('off', callback === undefined ? [type] : [type, callback], () => sim.off(type, callback));
  },

  reportIncomingCall(voipCallAttribute) {
    return sim.serve('reportIncomingCall', callIdOf(voipCallAttribute), [voipCallAttribute], (entry) => sim.reportIncomingCall(voipCallAttribute, entry));
  },

  reportOutgoingCall(voipCallAttribute) {
    return sim.serve('reportOutgoingCall', callIdOf(voipCallAttribute), [voipCallAttribute], () => sim.reportOutgoingCall(voipCallAttribute));
  },

  reportCallStateChange(...args) {
    return sim.serve('reportCallStateChange', args[0], args, () => sim.reportCallStateChange(args));
  },

  reportCallAudioEventChange(callId, callAudioEvent) {
    return sim.serve('reportCallAudioEventChange', callId, [callId, callAudioEvent], () => sim.reportCallAudioEventChange(callId, callAudioEvent));
  },

  reportIncomingCallError(callId, voipCallFailureCause) {
    return sim.serve('reportIncomingCallError', callId, [callId, voipCallFailureCause],
      () => sim.reportIncomingCallError(callId, voipCallFailureCause));
  },
};

export default { voipCall };
