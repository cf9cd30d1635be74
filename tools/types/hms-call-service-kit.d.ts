/*
 * @kit.CallServiceKit, the part the app calls (voipCall), written from Huawei's public API reference:
 *   voipCall:    https://developer.huawei.com/consumer/cn/doc/harmonyos-references/call-voipcall
 *   error codes: https://developer.huawei.com/consumer/cn/doc/harmonyos-references/call-error-code
 * and the guides https://developer.huawei.com/consumer/cn/doc/harmonyos-guides/incoming-calls,
 * .../harmonyos-guides/outgoing-calls and .../harmonyos-guides/push-voip (a VoIP push must be reported with
 * reportIncomingCall within 10 seconds).
 * The real declarations ship with the HarmonyOS SDK's HMS part (hms/ets/api/@hms.telephony.voipCall.d.ts,
 * re-exported by hms/ets/kits/@kit.CallServiceKit.d.ts; not on npm). ../shared/tools/realcheck checks the app
 * against those, so every name and type here must be the SDK's: a disagreement is a bug here.
 * Left out: CallerInfoQueryExtensionAbility/CallerInfo/CallerInfoQueryExtensionContext (caller-ID extension), and
 * what later releases added (VOIP_CALL_EVENT_MUTE_RINGTONE, isUserMuteRingToneAllowed,
 * isDialingAllowedDuringCarrierCall: 6.0.2(22), newer than the API 17 SDK realcheck uses).
 *
 * Every function declares the same errors (BusinessError.code): 401 parameter error, 1007200001 invalid parameter
 * value (missing field, a state not allowed, an unknown callId, a repeated report), 1007200002 cannot connect to
 * the service, 1007200003 system internal error (more than 3 incoming or 1 outgoing call, a carrier call
 * in progress when dialling), 1007200999 unknown error. The SDK has no type for these codes.
 */
declare module '@kit.CallServiceKit' {
  import type { Callback } from '@ohos.base';
  import type image from '@ohos.multimedia.image';

  /** SystemCapability.Telephony.VoipCallManager (Phone, Tablet), since 4.1.0(11). */
  namespace voipCall {
    /**
     * Subscribes to what the user does on the system's call banner / lock screen (answer, reject, hang up, mute).
     * Subscribe before reporting the call (incoming-calls step 2).
     */
    function on(type: 'voipCallUiEvent', callback: Callback<VoipCallUiEventInfo>): void;

    /** Unsubscribes `callback`, or every callback of the app when it is omitted. */
    function off(type: 'voipCallUiEvent', callback?: Callback<VoipCallUiEventInfo>): void;

    /**
     * Reports a change of the call's state (ANSWERED, ACTIVE, HOLDING, DISCONNECTING, DISCONNECTED); cannot change
     * the call type (use the overload with callType, since 5.0.0(12)).
     */
    function reportCallStateChange(callId: string, callState: VoipCallState): Promise<void>;

    /** The same, also setting the call type (a video call answered by voice, an upgrade or downgrade). 5.0.0(12). */
    function reportCallStateChange(callId: string, callState: VoipCallState, callType: VoipCallType): Promise<void>;

    /**
     * Reports an incoming call (voipCallState VOIP_CALL_STATE_RINGING): the system shows its banner or lock-screen
     * call UI. Resolves ErrorReason.ERROR_NONE, or why the system refused the call. After a VoIP push the app must
     * call it within 10 seconds, with the push's callId (harmonyos-guides/push-voip).
     */
    function reportIncomingCall(voipCallAttribute: VoipCallAttribute): Promise<ErrorReason>;

    /** Reports an outgoing call (voipCallState must be VOIP_CALL_STATE_DIALING, else 1007200001). 5.0.0(12). */
    function reportOutgoingCall(voipCallAttribute: VoipCallAttribute): Promise<ErrorReason>;

    /** Reports that the app muted/unmuted or switched the speaker (answer to a MUTED/UNMUTED UI event). 5.0.0(12). */
    function reportCallAudioEventChange(callId: string, callAudioEvent: CallAudioEvent): Promise<void>;

    /**
     * Reports that an incoming call could not be set up. Also the answer to a VoIP push for a call the app already
     * reported through its own connection: ROUTE_BUSY (harmonyos-guides/push-voip).
     */
    function reportIncomingCallError(callId: string, voipCallFailureCause: VoipCallFailureCause): Promise<void>;

    /** The call's details (call-voipcall §VoipCallAttribute). */
    interface VoipCallAttribute {
      /** The app's unique id of the call; for a VoIP push, the callId the push delivered. */
      callId: string;
      voipCallType: VoipCallType;
      /** The name the system UI shows. */
      userName: string;
      /** The avatar: at most 221x221 pixels (112x112 recommended), under 196608 of getPixelBytesNumber(). */
      userProfile: image.PixelMap;
      /** The UIAbility the system starts when the user answers. */
      abilityName: string;
      /** RINGING for reportIncomingCall, DIALING for reportOutgoingCall. */
      voipCallState: VoipCallState;
      /** Show the banner for an incoming call (default true). 5.0.0(12). */
      showBannerForIncomingCall?: boolean;
      /** Default false. 5.0.0(12). */
      isConferenceCall?: boolean;
      /** A video call may be answered by voice (default true). 5.0.0(12). */
      isVoiceAnswerSupported?: boolean;
    }

    enum VoipCallType {
      VOIP_CALL_VOICE = 0,
      VOIP_CALL_VIDEO = 1
    }

    enum VoipCallState {
      VOIP_CALL_STATE_IDLE = 0,
      VOIP_CALL_STATE_RINGING = 1,
      VOIP_CALL_STATE_ACTIVE = 2,
      VOIP_CALL_STATE_HOLDING = 3,
      VOIP_CALL_STATE_DISCONNECTED = 4,
      /** 5.0.0(12). */
      VOIP_CALL_STATE_DIALING = 5,
      /** 5.0.0(12). */
      VOIP_CALL_STATE_ANSWERED = 6,
      /** 5.0.0(12). */
      VOIP_CALL_STATE_DISCONNECTING = 7
    }

    /** What the user did on the system call UI. */
    enum VoipCallUiEvent {
      VOIP_CALL_EVENT_NONE = 0,
      VOIP_CALL_EVENT_VOICE_ANSWER = 1,
      VOIP_CALL_EVENT_VIDEO_ANSWER = 2,
      VOIP_CALL_EVENT_REJECT = 3,
      /** Hung up on the UI, or by another cause (the user answered a carrier call). */
      VOIP_CALL_EVENT_HANGUP = 4,
      /** 5.0.0(12). */
      VOIP_CALL_EVENT_MUTED = 5,
      /** 5.0.0(12). */
      VOIP_CALL_EVENT_UNMUTED = 6,
      /** 5.0.0(12); reserved, not sent yet. */
      VOIP_CALL_EVENT_SPEAKER_ON = 7,
      /** 5.0.0(12); reserved, not sent yet. */
      VOIP_CALL_EVENT_SPEAKER_OFF = 8
    }

    /** Why the system refused a reported call (the value reportIncomingCall/reportOutgoingCall resolve with). */
    enum ErrorReason {
      ERROR_NONE = 0,
      /** A carrier (cellular) call exists. */
      CELLULAR_CALL_EXISTS = 1,
      /** Another app's VoIP call exists. */
      VOIP_CALL_EXISTS = 2,
      /** The call is invalid, e.g. its callId failed verification. */
      INVALID_CALL = 3,
      /** The user answered the cellular call first. */
      USER_ANSWER_CELLULAR_FIRST = 4
    }

    interface VoipCallUiEventInfo {
      callId: string;
      voipCallUiEvent: VoipCallUiEvent;
      errorReason: ErrorReason;
    }

    enum VoipCallFailureCause {
      OTHER = 0,
      /** The app's line is busy. */
      ROUTE_BUSY = 1,
      CONNECTION_FAILED = 2
    }

    /** 5.0.0(12). */
    enum CallAudioEvent {
      AUDIO_EVENT_MUTED = 0,
      AUDIO_EVENT_UNMUTED = 1,
      AUDIO_EVENT_SPEAKER_ON = 2,
      AUDIO_EVENT_SPEAKER_OFF = 3
    }
  }

  export { voipCall };
}
