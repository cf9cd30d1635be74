/*
 * @pushuikit/kitsim: the control panel of the host kit simulations (tools/sim), for host tests in a
 * module's src/test. Implemented by control.js and the kits/ folder; exists only in this repository's
 * host toolchain (npm test), not on a device.
 */
import { common, Want } from '@kit.AbilityKit';
import { voipCall } from '@kit.CallServiceKit';

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

/** The app's state in AppGallery Connect, as Push Kit checks it. All true after reset(). */
export declare class AgcState {
  /** Created as a HarmonyOS app; false: 1000900010 (getToken, deleteToken, bind, unbind). */
  harmonyOsApp: boolean;
  /** Project settings > Open capability management: push enabled; false: 1000900010. */
  pushCapabilityEnabled: boolean;
  /** Signing profile requested again after enabling push; false: 1000900010. */
  profileReissued: boolean;
  /** Grow > Push Kit activated; false: getToken 1000900012. */
  pushServiceActivated: boolean;
  /** Device location matches the data processing location; false: getToken 1000900013. */
  dataLocationMatches: boolean;
}

/** What the device did with one Push Kit REST request (PushSim.receive). */
export type PushOutcome = 'not-for-this-device' | 'shown' | 'hidden:profile' | 'hidden:foreground' |
  'hidden:disabled' | 'received:DEFAULT' | 'received:IM' | 'received:VoIP' | 'received:BACKGROUND' |
  'dropped' | 'cached' | 'extension' | 'system';

export declare class PushSim {
  readonly agc: AgcState;
  /** The app runs on a cloud real device: 1000900010. */
  cloudDebugging: boolean;
  /** A HUAWEI ID is signed in (binding PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT needs it, else 1000900016). */
  huaweiIdLoggedIn: boolean;
  /** false: getToken/deleteToken 1000900011, bind/unbind 1000900009. */
  networkAvailable: boolean;
  /** The app is in the foreground (false after reset). */
  appInForeground: boolean;
  /** API 12-13, foregroundShow false, foreground: show the notification (true) or not (false, default). */
  legacyForegroundShowsBanner: boolean;
  latencyMs: number;
  /** 112 characters starting "MA"; undefined before the first getToken and after deleteToken. */
  readonly token: string | undefined;
  readonly getTokenCalls: number;
  readonly deleteTokenCalls: number;
  /** appProfileId -> AppProfileType; cleared by a new token and by deleteToken. */
  readonly profiles: Map<string, number>;
  /** Push Kit's call id of the latest VoIP push (push-voip: content.callId, what reportIncomingCall needs). */
  readonly lastVoipCallId: string | undefined;
  /** Notifications on screen (REST notification objects), oldest first. */
  readonly shown: Record<string, Object>[];
  /** The latest background message (REST body) waiting for a foreground getToken. */
  readonly cachedBackground: Record<string, Object> | undefined;
  /** Only codes the API declares are accepted (else failNext throws). */
  readonly failures: FailureQueue;
  /** The system gives the app a new token (the next getToken returns it); the profile bindings go. */
  rotateToken(): string;
  /**
   * The device receives one Push Kit REST v3 request: pushType is the push-type header (0, 1, 2, 6, 7, 10),
   * body the request body ({ payload, target?: { token: string[] }, pushOptions? }). Calls at most the
   * receiver the push-type maps to. A malformed request throws a TypeError.
   */
  receive(pushType: number, body: Record<string, Object>): PushOutcome;
  /**
   * The user taps a shown notification (default: the newest): it goes from `shown`, and the Want the system
   * starts EntryAbility with is returned (clickAction.data flat in parameters; action for actionType 1).
   * Throws when nothing is shown.
   */
  tap(notification?: Record<string, Object>): Want;
}

export type VoipCallDirection = 'incoming' | 'outgoing';
/** What the user did on the system call UI. */
export type VoipUserAction = 'answered' | 'rejected' | 'hungUp';
/** A VoIP push's fate: not reported yet, reported (a call), refused (an ErrorReason), late, or failed. */
export type VoipPushOutcome = 'pending' | 'reported' | 'refused' | 'late' | 'failed';
export type VoipAnswerMedia = 'voice' | 'video';

/** A VoIP call as the system keeps it (KitSim.voip.call(callId), KitSim.voip.ended). */
export declare class VoipCallRecord {
  readonly callId: string;
  readonly direction: VoipCallDirection;
  readonly type: voipCall.VoipCallType;
  /** The state the app last reported (DISCONNECTED once ended). */
  readonly state: voipCall.VoipCallState;
  readonly userName: string;
  readonly abilityName: string;
  /** An incoming call's banner: needs notifications enabled and showBannerForIncomingCall not false. */
  readonly banner: boolean;
  /** userProfile at most 221x221 pixels and under 196608 bytes. */
  readonly avatarShown: boolean;
  readonly conference: boolean;
  readonly voiceAnswerSupported: boolean;
  /** As reported with reportCallAudioEventChange. */
  readonly muted: boolean;
  readonly speakerOn: boolean;
  readonly userAction: VoipUserAction | undefined;
  readonly reportedAt: number;
  readonly endedAt: number | undefined;
  /** Set when reportIncomingCallError ended the call. */
  readonly failureCause: voipCall.VoipCallFailureCause | undefined;
}

/** One call of a voipCall function. */
export declare class VoipReport {
  readonly api: string;
  readonly callId: string | undefined;
  readonly args: Object[];
  /** KitSim.voip.time when the app called. */
  readonly at: number;
  /** The BusinessError code it failed with. */
  readonly error?: number;
  /** What reportIncomingCall / reportOutgoingCall resolved. */
  readonly reason?: voipCall.ErrorReason;
  /** A reportIncomingCall more than 10 s after the VoIP push of its callId. */
  readonly late?: boolean;
}

export declare class VoipPush {
  readonly callId: string;
  readonly arrivedAt: number;
  readonly settledAt: number | undefined;
  readonly outcome: VoipPushOutcome;
  /** Settled more than REPORT_DEADLINE_MS (10 s) after it arrived. */
  readonly late: boolean;
}

export declare class VoipUiEventRecord {
  readonly callId: string;
  readonly voipCallUiEvent: voipCall.VoipCallUiEvent;
  readonly errorReason: voipCall.ErrorReason;
  /** How many callbacks it reached (0 until delivered, a microtask after the tap). */
  readonly delivered: number;
}

/**
 * @kit.CallServiceKit's system side. The user's taps (answer, reject, hangup, mute, unmute) return true when the
 * system UI offered that button and sent the event to the on('voipCallUiEvent') callbacks (a microtask later), false
 * otherwise (a call never reported, ended, or in a state without that button).
 */
export declare class VoipSim {
  /** The sim's clock (ms), moved only by advance(): measures the 10 s reporting deadline after a VoIP push. */
  readonly time: number;
  /** false: every voipCall API fails with 1007200002. */
  serviceAvailable: boolean;
  /** A carrier call is in progress: reportOutgoingCall 1007200003, reportIncomingCall CELLULAR_CALL_EXISTS. */
  carrierCallActive: boolean;
  /** Another app's VoIP call exists: reports resolve VOIP_CALL_EXISTS. */
  otherAppCallActive: boolean;
  /** Locked screen: voice answer only. */
  screenLocked: boolean;
  latencyMs: number;
  /** callId -> live call. */
  readonly calls: Map<string, VoipCallRecord>;
  readonly ended: VoipCallRecord[];
  readonly reports: VoipReport[];
  readonly pushes: VoipPush[];
  readonly uiEvents: VoipUiEventRecord[];
  readonly listenerCount: number;
  /** Only the codes the API declares (401, 1007200001, 1007200002, 1007200003, 1007200999). */
  readonly failures: FailureQueue;
  failNext(api: string, code: number, message?: string): void;
  /** The next reportIncomingCall/reportOutgoingCall resolves this ErrorReason (not ERROR_NONE) and takes no call. */
  refuseNext(api: string, reason: voipCall.ErrorReason): void;
  advance(ms: number): void;
  /** A VoIP push for callId reached the app now: reportIncomingCall must follow within 10 s (push-voip). */
  pushArrived(callId: string): VoipPush;
  /** Pushes still pending past their deadline. */
  overdue(): VoipPush[];
  call(callId: string): VoipCallRecord | undefined;
  stateOf(callId: string): voipCall.VoipCallState | undefined;
  /** Default media: the call's type (voice on a locked screen). */
  answer(callId: string, media?: VoipAnswerMedia): boolean;
  reject(callId: string): boolean;
  hangup(callId: string): boolean;
  mute(callId: string): boolean;
  unmute(callId: string): boolean;
  /** The user answers a carrier call: HANGUP (USER_ANSWER_CELLULAR_FIRST) to every live call; returns how many. */
  carrierCallAnswered(): number;
}

/** One vibrator start or stop (KitSim.vibrator.log). */
export declare class VibratorLogEntry {
  readonly op: 'start' | 'stop';
  /** start: the VibrateEffect and VibrateAttribute passed. */
  readonly effect?: Record<string, Object>;
  readonly attribute?: Record<string, Object>;
  /** start: 'silent' (ring/alarm/notification/communication in silent mode) or 'haptics-off'; undefined: it vibrates. */
  readonly suppressed?: string;
  /** stop: 'time' or 'preset'; undefined: every mode. */
  readonly mode?: string;
}

export declare class ActiveVibration {
  readonly effect: Record<string, Object>;
  readonly attribute: Record<string, Object>;
}

/** @kit.SensorServiceKit vibrator. A vibration does not end by itself on the host: finish() ends it. */
export declare class VibratorSim {
  /** false: every call fails with 201 (ohos.permission.VIBRATE not requested in module.json5). */
  permissionDeclared: boolean;
  /** false: startVibration 801. */
  hasVibrator: boolean;
  /** Preset effect ids the device has (another: startVibration 801, isSupportEffect false). */
  readonly supportedEffects: Set<string>;
  /** The ring/vibrate/silent switch on silent: 'ring', 'alarm', 'notification', 'communication' do not vibrate. */
  silentMode: boolean;
  /** The haptics switch: off, the other usages do not vibrate. */
  hapticsEnabled: boolean;
  readonly log: VibratorLogEntry[];
  readonly active: ActiveVibration | undefined;
  readonly vibrating: boolean;
  readonly starts: number;
  /** Only the codes the API declares (startVibration 201/401/801/14600101, stopVibration 201/401). */
  readonly failures: FailureQueue;
  finish(): void;
}

/** One AVPlayer play/pause/stop/reset/release (KitSim.media.log). */
export declare class MediaLogEntry {
  readonly op: string;
  /** audio.StreamUsage the player renders with (STREAM_USAGE_RINGTONE = 6 for a ringtone). */
  readonly usage: number;
  /** The url string or the fdSrc object. */
  readonly source: string | Record<string, Object> | undefined;
  readonly loop: boolean;
  /** The AVPlayerState it left. */
  readonly from: string;
}

/** @kit.MediaKit AVPlayer. Media never ends by itself on the host: endOfStream() completes non-looping players. */
export declare class MediaSim {
  readonly log: MediaLogEntry[];
  /** Players not released (the reference recommends at most 16). */
  readonly livePlayers: number;
  /** A player with audioRendererInfo.usage STREAM_USAGE_RINGTONE is playing. */
  readonly ringing: boolean;
  /** Only the codes the API declares (createAVPlayer 5400101, prepare 5400102/5400106, the others 5400102). */
  readonly failures: FailureQueue;
  /** How many players are playing, of this audio.StreamUsage if given. */
  playing(usage?: number): number;
  endOfStream(): number;
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

/** @kit.LocalizationKit i18n on the host. */
export declare class LocalizationSim {
  /** The device's time zone id, e.g. 'Asia/Shanghai' (what i18n.getTimeZone() answers). */
  timeZone: string;
  /** What i18n.System.getSystemLanguage() answers, e.g. 'zh-Hans' or 'en-Latn-US'. */
  language: string;
  reset(): void;
}

export declare class KitSim {
  static readonly notification: NotificationSim;
  static readonly push: PushSim;
  static readonly voip: VoipSim;
  static readonly vibrator: VibratorSim;
  static readonly media: MediaSim;
  static readonly preferences: PreferencesSim;
  static readonly hilog: HilogSim;
  static readonly network: NetworkSim;
  static readonly localization: LocalizationSim;
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
