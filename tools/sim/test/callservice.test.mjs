// The Call Service Kit simulation (voipCall and the system's call UI) must behave as Huawei documents it
// (harmonyos-references/call-voipcall, call-error-code; harmonyos-guides/incoming-calls, outgoing-calls, push-voip),
// or the call suites built on it prove nothing.
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '../globals.js';
import { KitSim } from '../control.js';
import { voipCall, DOCUMENTED_CODES, REPORT_DEADLINE_MS, VoipSim } from '../kits/CallServiceKit.js';
import { image } from '../kits/ImageKit.js';
import { codeOf, thrownCode } from './helpers.mjs';

const { VoipCallType, VoipCallState, VoipCallUiEvent, ErrorReason, VoipCallFailureCause, CallAudioEvent } = voipCall;
const RINGING = VoipCallState.VOIP_CALL_STATE_RINGING;
const DIALING = VoipCallState.VOIP_CALL_STATE_DIALING;
const ANSWERED = VoipCallState.VOIP_CALL_STATE_ANSWERED;
const ACTIVE = VoipCallState.VOIP_CALL_STATE_ACTIVE;
const HOLDING = VoipCallState.VOIP_CALL_STATE_HOLDING;
const DISCONNECTING = VoipCallState.VOIP_CALL_STATE_DISCONNECTING;
const DISCONNECTED = VoipCallState.VOIP_CALL_STATE_DISCONNECTED;
const IDLE = VoipCallState.VOIP_CALL_STATE_IDLE;
const VOICE = VoipCallType.VOIP_CALL_VOICE;
const VIDEO = VoipCallType.VOIP_CALL_VIDEO;

const avatar = () => image.createPixelMapSync(new ArrayBuffer(112 * 112 * 4), { size: { width: 112, height: 112 } });

/** A VoipCallAttribute as the incoming-calls guide builds it. */
function incoming(callId = 'k1', extra = {}) {
  return {
    callId, voipCallType: VOICE, userName: 'alice', userProfile: avatar(), abilityName: 'EntryAbility',
    voipCallState: RINGING, ...extra,
  };
}

const outgoing = (callId = 'o1', extra = {}) => incoming(callId, { voipCallState: DIALING, ...extra });

/** Subscribes a callback and returns the events it gets. */
function listen() {
  const got = [];
  const cb = (info) => got.push(info);
  voipCall.on('voipCallUiEvent', cb);
  return { got, cb };
}


beforeEach(() => KitSim.reset());

describe('voipCall enums', () => {
  test('values are those of @hms.telephony.voipCall.d.ts, with reverse names like a TS enum', () => {
    assert.deepEqual([VoipCallType.VOIP_CALL_VOICE, VoipCallType.VOIP_CALL_VIDEO], [0, 1]);
    assert.deepEqual([IDLE, RINGING, ACTIVE, HOLDING, DISCONNECTED, DIALING, ANSWERED, DISCONNECTING], [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(VoipCallUiEvent.VOIP_CALL_EVENT_REJECT, 3);
    assert.equal(VoipCallUiEvent.VOIP_CALL_EVENT_SPEAKER_OFF, 8);
    assert.equal(ErrorReason.USER_ANSWER_CELLULAR_FIRST, 4);
    assert.equal(VoipCallFailureCause.ROUTE_BUSY, 1);
    assert.equal(CallAudioEvent.AUDIO_EVENT_SPEAKER_OFF, 3);
    assert.equal(VoipCallState[RINGING], 'VOIP_CALL_STATE_RINGING');
  });
});

describe('reportIncomingCall', () => {
  test('a valid report resolves ERROR_NONE, makes a ringing call with a banner and is recorded', async () => {
    KitSim.notification.setSystemSwitch(true);
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.ERROR_NONE);
    const c = KitSim.voip.call('k1');
    assert.equal(c.state, RINGING);
    assert.equal(c.direction, 'incoming');
    assert.equal(c.banner, true);
    assert.equal(c.avatarShown, true);
    assert.equal(KitSim.voip.stateOf('k1'), RINGING);
    assert.deepEqual(KitSim.voip.reports.map((r) => [r.api, r.callId, r.reason, r.error]),
      [['reportIncomingCall', 'k1', ErrorReason.ERROR_NONE, undefined]]);
  });

  test('no banner without notification permission or with showBannerForIncomingCall false (call-faq-1)', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    assert.equal(KitSim.voip.call('k1').banner, false);
    KitSim.notification.setSystemSwitch(true);
    await voipCall.reportIncomingCall(incoming('k2', { showBannerForIncomingCall: false }));
    assert.equal(KitSim.voip.call('k2').banner, false);
  });

  test('an avatar over 221x221 pixels is not shown, and the call is still taken (call-faq-2)', async () => {
    const big = image.createPixelMapSync(new ArrayBuffer(4), { size: { width: 222, height: 10 } });
    assert.equal(await voipCall.reportIncomingCall(incoming('k1', { userProfile: big })), ErrorReason.ERROR_NONE);
    assert.equal(KitSim.voip.call('k1').avatarShown, false);
  });

  test('missing fields and wrong types are 401', async () => {
    assert.equal(await codeOf(voipCall.reportIncomingCall(undefined)), 401);
    for (const key of ['callId', 'voipCallType', 'userName', 'userProfile', 'abilityName', 'voipCallState']) {
      const a = incoming('k1');
      delete a[key];
      assert.equal(await codeOf(voipCall.reportIncomingCall(a)), 401, key);
    }
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1', { userProfile: {} }))), 401);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1', { voipCallType: '0' }))), 401);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1', { isVoiceAnswerSupported: 1 }))), 401);
    assert.equal(KitSim.voip.calls.size, 0);
  });

  test('a state other than RINGING, an unknown type, an empty callId or a repeated report is 1007200001', async () => {
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1', { voipCallState: ACTIVE }))), 1007200001);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1', { voipCallType: 2 }))), 1007200001);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming(''))), 1007200001);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1'))), 0);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1'))), 1007200001);
    assert.deepEqual(KitSim.voip.reports.map((r) => r.error), [1007200001, 1007200001, 1007200001, undefined, 1007200001]);
  });

  test('a fourth incoming call is 1007200003 (at most 3); one ended makes room', async () => {
    for (const id of ['a', 'b', 'c']) assert.equal(await voipCall.reportIncomingCall(incoming(id)), ErrorReason.ERROR_NONE);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('d'))), 1007200003);
    await voipCall.reportCallStateChange('a', DISCONNECTED);
    assert.equal(await voipCall.reportIncomingCall(incoming('d')), ErrorReason.ERROR_NONE);
  });

  test('another app\'s VoIP call, a carrier call, or an injected refusal resolve an ErrorReason and take no call', async () => {
    KitSim.voip.otherAppCallActive = true;
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.VOIP_CALL_EXISTS);
    KitSim.voip.otherAppCallActive = false;
    KitSim.voip.carrierCallActive = true;
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.CELLULAR_CALL_EXISTS);
    KitSim.voip.carrierCallActive = false;
    KitSim.voip.refuseNext('reportIncomingCall', ErrorReason.USER_ANSWER_CELLULAR_FIRST);
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.USER_ANSWER_CELLULAR_FIRST);
    assert.equal(KitSim.voip.calls.size, 0);
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.ERROR_NONE);
    assert.throws(() => KitSim.voip.refuseNext('reportIncomingCall', ErrorReason.ERROR_NONE), /other than ERROR_NONE/);
    assert.throws(() => KitSim.voip.refuseNext('reportCallStateChange', ErrorReason.INVALID_CALL), /only/);
  });

  test('the service unreachable is 1007200002 for every API', async () => {
    KitSim.voip.serviceAvailable = false;
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1'))), 1007200002);
    assert.equal(await codeOf(voipCall.reportOutgoingCall(outgoing('o1'))), 1007200002);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', ACTIVE)), 1007200002);
    assert.equal(await codeOf(voipCall.reportCallAudioEventChange('k1', CallAudioEvent.AUDIO_EVENT_MUTED)), 1007200002);
    assert.equal(await codeOf(voipCall.reportIncomingCallError('k1', VoipCallFailureCause.OTHER)), 1007200002);
    assert.equal(thrownCode(() => voipCall.on('voipCallUiEvent', () => {})), 1007200002);
    assert.equal(thrownCode(() => voipCall.off('voipCallUiEvent')), 1007200002);
  });

  test('the answer comes on a later turn, decided when called', async () => {
    const p = voipCall.reportIncomingCall(incoming('k1'));
    assert.ok(p instanceof Promise);
    assert.equal(KitSim.voip.stateOf('k1'), RINGING);
    assert.equal(await p, ErrorReason.ERROR_NONE);
  });
});

describe('reportOutgoingCall', () => {
  test('DIALING is required (outgoing-calls), else 1007200001', async () => {
    assert.equal(await codeOf(voipCall.reportOutgoingCall(outgoing('o1', { voipCallState: RINGING }))), 1007200001);
    assert.equal(await voipCall.reportOutgoingCall(outgoing('o1')), ErrorReason.ERROR_NONE);
    assert.equal(KitSim.voip.call('o1').direction, 'outgoing');
    assert.equal(KitSim.voip.call('o1').banner, false);
    assert.equal(await codeOf(voipCall.reportOutgoingCall(outgoing('o1'))), 1007200001);
  });

  test('a second outgoing call or a carrier call in progress is 1007200003', async () => {
    await voipCall.reportOutgoingCall(outgoing('o1'));
    assert.equal(await codeOf(voipCall.reportOutgoingCall(outgoing('o2'))), 1007200003);
    await voipCall.reportCallStateChange('o1', DISCONNECTED);
    KitSim.voip.carrierCallActive = true;
    assert.equal(await codeOf(voipCall.reportOutgoingCall(outgoing('o2'))), 1007200003);
  });

  test('an incoming and an outgoing call can coexist', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    assert.equal(await voipCall.reportOutgoingCall(outgoing('o1')), ErrorReason.ERROR_NONE);
    assert.equal(KitSim.voip.calls.size, 2);
  });
});

describe('reportCallStateChange', () => {
  test('incoming: RINGING -> ANSWERED -> ACTIVE -> HOLDING -> ACTIVE -> DISCONNECTING -> DISCONNECTED', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    for (const s of [ANSWERED, ACTIVE, HOLDING, ACTIVE, DISCONNECTING]) {
      await voipCall.reportCallStateChange('k1', s);
      assert.equal(KitSim.voip.stateOf('k1'), s);
    }
    await voipCall.reportCallStateChange('k1', DISCONNECTED);
    assert.equal(KitSim.voip.call('k1'), undefined);
    assert.equal(KitSim.voip.stateOf('k1'), DISCONNECTED);
    assert.equal(KitSim.voip.ended.length, 1);
  });

  test('the guide\'s unawaited ANSWERED then ACTIVE apply in order', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    const a = voipCall.reportCallStateChange('k1', ANSWERED);
    const b = voipCall.reportCallStateChange('k1', ACTIVE);
    await Promise.all([a, b]);
    assert.equal(KitSim.voip.stateOf('k1'), ACTIVE);
  });

  test('RINGING -> ACTIVE (one report) and RINGING -> DISCONNECTED (reject, cancel) are allowed', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    await voipCall.reportIncomingCall(incoming('k2'));
    await voipCall.reportCallStateChange('k1', ACTIVE);
    await voipCall.reportCallStateChange('k2', DISCONNECTED);
    assert.equal(KitSim.voip.stateOf('k1'), ACTIVE);
    assert.equal(KitSim.voip.stateOf('k2'), DISCONNECTED);
  });

  test('outgoing: DIALING -> ACTIVE, never ANSWERED', async () => {
    await voipCall.reportOutgoingCall(outgoing('o1'));
    assert.equal(await codeOf(voipCall.reportCallStateChange('o1', ANSWERED)), 1007200001);
    await voipCall.reportCallStateChange('o1', ACTIVE);
    assert.equal(KitSim.voip.stateOf('o1'), ACTIVE);
  });

  test('transitions outside the documented flows are 1007200001 and change nothing', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    for (const s of [IDLE, RINGING, DIALING, HOLDING]) {
      assert.equal(await codeOf(voipCall.reportCallStateChange('k1', s)), 1007200001, VoipCallState[s]);
    }
    await voipCall.reportCallStateChange('k1', ACTIVE);
    for (const s of [ACTIVE, ANSWERED, RINGING]) {
      assert.equal(await codeOf(voipCall.reportCallStateChange('k1', s)), 1007200001, VoipCallState[s]);
    }
    await voipCall.reportCallStateChange('k1', DISCONNECTING);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', ACTIVE)), 1007200001);
    assert.equal(KitSim.voip.stateOf('k1'), DISCONNECTING);
  });

  test('an unknown or ended callId is 1007200001; bad values 1007200001; bad types 401', async () => {
    assert.equal(await codeOf(voipCall.reportCallStateChange('nope', ACTIVE)), 1007200001);
    await voipCall.reportIncomingCall(incoming('k1'));
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', 9)), 1007200001);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', ACTIVE, 5)), 1007200001);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1')), 401);
    assert.equal(await codeOf(voipCall.reportCallStateChange(1, ACTIVE)), 401);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', 'ACTIVE')), 401);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', ACTIVE, '1')), 401);
    await voipCall.reportCallStateChange('k1', DISCONNECTED);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', DISCONNECTED)), 1007200001);
  });

  test('the 2-argument form keeps the type; the 3-argument form sets it, also in place while ACTIVE', async () => {
    await voipCall.reportIncomingCall(incoming('k1', { voipCallType: VIDEO }));
    await voipCall.reportCallStateChange('k1', ANSWERED, VOICE);
    assert.equal(KitSim.voip.call('k1').type, VOICE);
    await voipCall.reportCallStateChange('k1', ACTIVE);
    assert.equal(KitSim.voip.call('k1').type, VOICE);
    await voipCall.reportCallStateChange('k1', ACTIVE, VIDEO);
    assert.equal(KitSim.voip.call('k1').type, VIDEO);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', ACTIVE, VIDEO)), 1007200001);
  });
});

describe('reportCallAudioEventChange', () => {
  test('records mute and speaker on a live call; unknown call or event is 1007200001', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    await voipCall.reportCallAudioEventChange('k1', CallAudioEvent.AUDIO_EVENT_MUTED);
    await voipCall.reportCallAudioEventChange('k1', CallAudioEvent.AUDIO_EVENT_SPEAKER_ON);
    assert.equal(KitSim.voip.call('k1').muted, true);
    assert.equal(KitSim.voip.call('k1').speakerOn, true);
    await voipCall.reportCallAudioEventChange('k1', CallAudioEvent.AUDIO_EVENT_UNMUTED);
    assert.equal(KitSim.voip.call('k1').muted, false);
    assert.equal(await codeOf(voipCall.reportCallAudioEventChange('k2', CallAudioEvent.AUDIO_EVENT_MUTED)), 1007200001);
    assert.equal(await codeOf(voipCall.reportCallAudioEventChange('k1', 4)), 1007200001);
    assert.equal(await codeOf(voipCall.reportCallAudioEventChange('k1')), 401);
  });
});

describe('reportIncomingCallError', () => {
  test('ends a ringing incoming call the app could not set up', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    await voipCall.reportIncomingCallError('k1', VoipCallFailureCause.CONNECTION_FAILED);
    assert.equal(KitSim.voip.stateOf('k1'), DISCONNECTED);
    assert.equal(KitSim.voip.ended[0].failureCause, VoipCallFailureCause.CONNECTION_FAILED);
  });

  test('answers a VoIP push for a call already reported (ROUTE_BUSY, push-voip) and leaves the call alone', async () => {
    await voipCall.reportIncomingCall(incoming('k1'));
    const push = KitSim.voip.pushArrived('k1');
    await voipCall.reportIncomingCallError('k1', VoipCallFailureCause.ROUTE_BUSY);
    assert.equal(push.outcome, 'failed');
    assert.equal(push.late, false);
    assert.equal(KitSim.voip.stateOf('k1'), RINGING);
  });

  test('no push and no ringing incoming call, or an unknown cause, is 1007200001; bad types 401', async () => {
    assert.equal(await codeOf(voipCall.reportIncomingCallError('k1', VoipCallFailureCause.OTHER)), 1007200001);
    await voipCall.reportOutgoingCall(outgoing('o1'));
    assert.equal(await codeOf(voipCall.reportIncomingCallError('o1', VoipCallFailureCause.OTHER)), 1007200001);
    KitSim.voip.pushArrived('k1');
    assert.equal(await codeOf(voipCall.reportIncomingCallError('k1', 3)), 1007200001);
    assert.equal(await codeOf(voipCall.reportIncomingCallError('k1')), 401);
    assert.equal(KitSim.voip.pushes[0].outcome, 'pending');
  });
});

describe('documented error codes only', () => {
  test('failNext accepts only the five declared codes of a voipCall API', async () => {
    for (const api of Object.keys(DOCUMENTED_CODES)) {
      assert.deepEqual([...DOCUMENTED_CODES[api]], [401, 1007200001, 1007200002, 1007200003, 1007200999]);
    }
    assert.throws(() => KitSim.voip.failNext('reportIncomingCall', 1007200004), /does not document/);
    assert.throws(() => KitSim.voip.failNext('reportIncomingCall', 201), /does not document/);
    assert.throws(() => KitSim.voip.failNext('reportCallStateChange', 8300001), /does not document/);
    assert.throws(() => KitSim.voip.failures.failNext('unRegisterCallback', 401), /not an API/);
    assert.throws(() => KitSim.voip.failNext('answerCall', 1007200999), /not an API/);
  });

  test('an injected failure hits the next call of that API only, and is recorded', async () => {
    KitSim.voip.failNext('reportIncomingCall', 1007200999);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1'))), 1007200999);
    assert.equal(KitSim.voip.calls.size, 0);
    assert.equal(await codeOf(voipCall.reportIncomingCall(incoming('k1'))), 0);
    KitSim.voip.failNext('reportCallStateChange', 1007200003);
    assert.equal(await codeOf(voipCall.reportCallStateChange('k1', ACTIVE)), 1007200003);
    assert.equal(KitSim.voip.stateOf('k1'), RINGING);
    KitSim.voip.failNext('on', 1007200002);
    assert.equal(thrownCode(() => voipCall.on('voipCallUiEvent', () => {})), 1007200002);
    assert.equal(KitSim.voip.listenerCount, 0);
    assert.deepEqual(KitSim.voip.reports.map((r) => r.error), [1007200999, undefined, 1007200003, 1007200002]);
  });

  test('every code the sim raises by itself is one its API documents', async () => {
    await Promise.all([
      voipCall.reportIncomingCall(undefined),
      voipCall.reportIncomingCall(incoming('')),
      voipCall.reportCallStateChange('x', ACTIVE),
      voipCall.reportIncomingCallError('x', 0),
    ].map(codeOf));
    await voipCall.reportOutgoingCall(outgoing('o1'));
    await codeOf(voipCall.reportOutgoingCall(outgoing('o2')));
    KitSim.voip.serviceAvailable = false;
    await codeOf(voipCall.reportCallAudioEventChange('o1', 0));
    const failed = KitSim.voip.reports.filter((r) => r.error !== undefined);
    for (const r of failed) assert.ok(DOCUMENTED_CODES[r.api].includes(r.error), `${r.api} ${r.error}`);
    assert.deepEqual([...new Set(failed.map((r) => r.error))].sort((x, y) => x - y), [401, 1007200001, 1007200002, 1007200003]);
  });
});

describe('voipCallUiEvent and the system call UI', () => {
  test('on/off: only the type voipCallUiEvent and a function; 401 otherwise', () => {
    assert.equal(thrownCode(() => voipCall.on('callStateChange', () => {})), 401);
    assert.equal(thrownCode(() => voipCall.on('voipCallUiEvent')), 401);
    assert.equal(thrownCode(() => voipCall.off('voipCallUiEvents')), 401);
    assert.equal(thrownCode(() => voipCall.off('voipCallUiEvent', 42)), 401);
  });

  test('answer reaches every registered callback with the documented payload, a turn later', async () => {
    const a = listen();
    const b = listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    assert.equal(KitSim.voip.answer('k1'), true);
    assert.equal(a.got.length, 0);
    await KitSim.settle();
    const expected = { callId: 'k1', voipCallUiEvent: VoipCallUiEvent.VOIP_CALL_EVENT_VOICE_ANSWER, errorReason: ErrorReason.ERROR_NONE };
    assert.deepEqual(a.got, [expected]);
    assert.deepEqual(b.got, [expected]);
    assert.equal(KitSim.voip.uiEvents[0].delivered, 2);
  });

  test('an unsubscribed callback gets nothing; off() without a callback removes all; one function is one subscription', async () => {
    const a = listen();
    const b = listen();
    voipCall.on('voipCallUiEvent', a.cb);
    assert.equal(KitSim.voip.listenerCount, 2);
    voipCall.off('voipCallUiEvent', a.cb);
    await voipCall.reportIncomingCall(incoming('k1'));
    KitSim.voip.reject('k1');
    await KitSim.settle();
    assert.equal(a.got.length, 0);
    assert.deepEqual(b.got.map((e) => e.voipCallUiEvent), [VoipCallUiEvent.VOIP_CALL_EVENT_REJECT]);
    voipCall.off('voipCallUiEvent');
    await voipCall.reportIncomingCall(incoming('k2'));
    KitSim.voip.answer('k2');
    await KitSim.settle();
    assert.equal(b.got.length, 1);
    assert.equal(KitSim.voip.uiEvents[1].delivered, 0);
  });

  test('a callback registered after the tap but before delivery gets the event; one removed before it does not', async () => {
    const a = listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    KitSim.voip.answer('k1');
    voipCall.off('voipCallUiEvent', a.cb);
    const b = listen();
    await KitSim.settle();
    assert.equal(a.got.length, 0);
    assert.equal(b.got.length, 1);
  });

  test('the UI refuses calls never reported, already ended, outgoing, or decided', async () => {
    const a = listen();
    assert.equal(KitSim.voip.answer('ghost'), false);
    assert.equal(KitSim.voip.reject('ghost'), false);
    assert.equal(KitSim.voip.hangup('ghost'), false);
    await voipCall.reportIncomingCall(incoming('k1'));
    assert.equal(KitSim.voip.hangup('k1'), false, 'a ringing call is rejected, not hung up');
    assert.equal(KitSim.voip.answer('k1'), true);
    assert.equal(KitSim.voip.answer('k1'), false, 'one answer');
    assert.equal(KitSim.voip.reject('k1'), false, 'no reject after answering');
    assert.equal(KitSim.voip.hangup('k1'), true, 'hang up while connecting');
    assert.equal(KitSim.voip.hangup('k1'), false);
    await voipCall.reportCallStateChange('k1', DISCONNECTED);
    assert.equal(KitSim.voip.answer('k1'), false);
    await voipCall.reportOutgoingCall(outgoing('o1'));
    assert.equal(KitSim.voip.answer('o1'), false);
    assert.equal(KitSim.voip.reject('o1'), false);
    assert.equal(KitSim.voip.hangup('o1'), true, 'an outgoing call is hung up while dialling');
    await KitSim.settle();
    assert.deepEqual(a.got.map((e) => [e.callId, e.voipCallUiEvent]), [
      ['k1', VoipCallUiEvent.VOIP_CALL_EVENT_VOICE_ANSWER], ['k1', VoipCallUiEvent.VOIP_CALL_EVENT_HANGUP],
      ['o1', VoipCallUiEvent.VOIP_CALL_EVENT_HANGUP]]);
  });

  test('an answered call reported ACTIVE can be hung up and muted; mute follows the reported audio state', async () => {
    const a = listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    await voipCall.reportCallStateChange('k1', ACTIVE);
    assert.equal(KitSim.voip.answer('k1'), false, 'answered in the app: no answer button any more');
    assert.equal(KitSim.voip.reject('k1'), false);
    assert.equal(KitSim.voip.unmute('k1'), false);
    assert.equal(KitSim.voip.mute('k1'), true);
    await voipCall.reportCallAudioEventChange('k1', CallAudioEvent.AUDIO_EVENT_MUTED);
    assert.equal(KitSim.voip.mute('k1'), false);
    assert.equal(KitSim.voip.unmute('k1'), true);
    assert.equal(KitSim.voip.hangup('k1'), true);
    await KitSim.settle();
    assert.deepEqual(a.got.map((e) => e.voipCallUiEvent), [VoipCallUiEvent.VOIP_CALL_EVENT_MUTED,
      VoipCallUiEvent.VOIP_CALL_EVENT_UNMUTED, VoipCallUiEvent.VOIP_CALL_EVENT_HANGUP]);
  });

  test('video answer only for a video call and not on a locked screen; voice only if isVoiceAnswerSupported', async () => {
    const a = listen();
    await voipCall.reportIncomingCall(incoming('v1'));
    assert.equal(KitSim.voip.answer('v1', 'video'), false, 'a voice call has no video answer');
    await voipCall.reportIncomingCall(incoming('v2', { voipCallType: VIDEO, isVoiceAnswerSupported: false }));
    assert.equal(KitSim.voip.answer('v2', 'voice'), false);
    KitSim.voip.screenLocked = true;
    assert.equal(KitSim.voip.answer('v2', 'video'), false);
    assert.equal(KitSim.voip.answer('v2'), false, 'locked: voice only, which this call does not support');
    await voipCall.reportIncomingCall(incoming('v3', { voipCallType: VIDEO }));
    assert.equal(KitSim.voip.answer('v3'), true, 'locked: the default is voice');
    KitSim.voip.screenLocked = false;
    assert.equal(KitSim.voip.answer('v2'), true, 'unlocked: the default for a video call is video');
    assert.throws(() => KitSim.voip.answer('v1', 'audio'), /voice' or 'video/);
    await KitSim.settle();
    assert.deepEqual(a.got.map((e) => [e.callId, e.voipCallUiEvent]), [
      ['v3', VoipCallUiEvent.VOIP_CALL_EVENT_VOICE_ANSWER], ['v2', VoipCallUiEvent.VOIP_CALL_EVENT_VIDEO_ANSWER]]);
  });

  test('answering a carrier call hangs up every live VoIP call (push-voip) and blocks new outgoing calls', async () => {
    const a = listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    await voipCall.reportCallStateChange('k1', ACTIVE);
    await voipCall.reportIncomingCall(incoming('k2'));
    assert.equal(KitSim.voip.carrierCallAnswered(), 2);
    await KitSim.settle();
    assert.deepEqual(a.got.map((e) => [e.callId, e.voipCallUiEvent, e.errorReason]), [
      ['k1', VoipCallUiEvent.VOIP_CALL_EVENT_HANGUP, ErrorReason.USER_ANSWER_CELLULAR_FIRST],
      ['k2', VoipCallUiEvent.VOIP_CALL_EVENT_HANGUP, ErrorReason.USER_ANSWER_CELLULAR_FIRST]]);
    assert.equal(await codeOf(voipCall.reportOutgoingCall(outgoing('o1'))), 1007200003);
  });

  test('the UI changes nothing itself: the call keeps its reported state until the app reports', async () => {
    listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    KitSim.voip.reject('k1');
    await KitSim.settle();
    assert.equal(KitSim.voip.stateOf('k1'), RINGING);
    await voipCall.reportCallStateChange('k1', DISCONNECTED);
    assert.equal(KitSim.voip.stateOf('k1'), DISCONNECTED);
  });
});

describe('the reporting deadline after a VoIP push (push-voip: within 10 s)', () => {
  test('a report within 10 s settles the push in time', async () => {
    const push = KitSim.voip.pushArrived('k1');
    KitSim.voip.advance(REPORT_DEADLINE_MS);
    assert.deepEqual(KitSim.voip.overdue(), []);
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.ERROR_NONE);
    assert.equal(push.outcome, 'reported');
    assert.equal(push.late, false);
    assert.equal(push.settledAt, REPORT_DEADLINE_MS);
    assert.equal(KitSim.voip.reports[0].late, undefined);
  });

  test('after 10 s the push is overdue and a report is refused (INVALID_CALL, no call, recorded late)', async () => {
    const a = listen();
    const push = KitSim.voip.pushArrived('k1');
    KitSim.voip.advance(REPORT_DEADLINE_MS + 1);
    assert.deepEqual(KitSim.voip.overdue(), [push]);
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.INVALID_CALL);
    assert.equal(push.outcome, 'late');
    assert.equal(push.late, true);
    assert.equal(KitSim.voip.reports.find((r) => r.api === 'reportIncomingCall').late, true);
    assert.equal(KitSim.voip.call('k1'), undefined);
    assert.equal(KitSim.voip.answer('k1'), false);
    assert.deepEqual(KitSim.voip.overdue(), []);
    await KitSim.settle();
    assert.equal(a.got.length, 0);
  });

  test('the deadline is judged when the app calls, not when the answer arrives', async () => {
    KitSim.voip.pushArrived('k1');
    KitSim.voip.advance(9000);
    const p = voipCall.reportIncomingCall(incoming('k1'));
    KitSim.voip.advance(5000);
    assert.equal(await p, ErrorReason.ERROR_NONE);
  });

  test('a report without a push (the app\'s own connection) has no deadline; each push is its own', async () => {
    KitSim.voip.advance(60000);
    assert.equal(await voipCall.reportIncomingCall(incoming('s1')), ErrorReason.ERROR_NONE);
    const first = KitSim.voip.pushArrived('k1');
    KitSim.voip.advance(11000);
    const second = KitSim.voip.pushArrived('k2');
    assert.equal(await voipCall.reportIncomingCall(incoming('k2')), ErrorReason.ERROR_NONE);
    assert.equal(second.outcome, 'reported');
    assert.equal(first.outcome, 'pending');
    assert.deepEqual(KitSim.voip.overdue(), [first]);
  });

  test('reportIncomingCallError settles a push too, and is late after 10 s', async () => {
    const push = KitSim.voip.pushArrived('k1');
    KitSim.voip.advance(12000);
    await voipCall.reportIncomingCallError('k1', VoipCallFailureCause.CONNECTION_FAILED);
    assert.equal(push.outcome, 'failed');
    assert.equal(push.late, true);
  });

  test('pushArrived and advance refuse nonsense', () => {
    assert.throws(() => KitSim.voip.pushArrived(''), /non-empty/);
    assert.throws(() => KitSim.voip.advance(-1), /duration/);
  });
});

describe('reset', () => {
  test('KitSim.reset() forgets calls, pushes, reports, callbacks, failures, refusals, conditions and the clock', async () => {
    const a = listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    KitSim.voip.pushArrived('k2');
    KitSim.voip.advance(5000);
    KitSim.voip.failNext('reportIncomingCall', 1007200003);
    KitSim.voip.refuseNext('reportOutgoingCall', ErrorReason.VOIP_CALL_EXISTS);
    Object.assign(KitSim.voip, { serviceAvailable: false, carrierCallActive: true, otherAppCallActive: true, screenLocked: true });
    KitSim.voip.answer('k1');
    KitSim.reset();
    await KitSim.settle();
    assert.equal(a.got.length, 0, 'an event pending at reset reaches no one');
    const fresh = new VoipSim();
    for (const key of ['time', 'serviceAvailable', 'carrierCallActive', 'otherAppCallActive', 'screenLocked']) {
      assert.equal(KitSim.voip[key], fresh[key], key);
    }
    assert.equal(KitSim.voip.calls.size, 0);
    assert.deepEqual([KitSim.voip.pushes, KitSim.voip.reports, KitSim.voip.ended, KitSim.voip.uiEvents], [[], [], [], []]);
    assert.equal(KitSim.voip.listenerCount, 0);
    assert.equal(await voipCall.reportIncomingCall(incoming('k1')), ErrorReason.ERROR_NONE);
    assert.equal(await voipCall.reportOutgoingCall(outgoing('o1')), ErrorReason.ERROR_NONE);
  });
});

describe('the typed control panel (index.d.ts)', () => {
  test('the records it declares have every member it names', async () => {
    listen();
    await voipCall.reportIncomingCall(incoming('k1'));
    KitSim.voip.pushArrived('k1');
    KitSim.voip.answer('k1');
    await KitSim.settle();
    await voipCall.reportCallStateChange('k1', DISCONNECTED);
    const instances = { VoipCallRecord: KitSim.voip.ended[0], VoipReport: KitSim.voip.reports[1],
      VoipPush: KitSim.voip.pushes[0], VoipUiEventRecord: KitSim.voip.uiEvents[0] };
    const dts = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../index.d.ts'), 'utf8');
    let checked = 0;
    for (const m of dts.matchAll(/export declare class (\w+) \{([\s\S]*?)\n\}/g)) {
      const target = instances[m[1]];
      if (!target) continue;
      for (const member of m[2].matchAll(/^\s+(?:readonly )?(\w+)(\??)[(:]/gm)) {
        // Optional members of a report (error, reason, late) exist only when they apply.
        if (member[2] === '?') continue;
        assert.ok(member[1] in target, `${m[1]}.${member[1]} is declared in index.d.ts but missing`);
        checked += 1;
      }
    }
    assert.ok(checked > 25, `only ${checked} members checked`);
  });
});
