// @kit.SensorServiceKit on the host: `vibrator`'s start/stop, recorded, as harmonyos-references/js-apis-vibrator
// documents them (names from @ohos.vibrator.d.ts). harmonyos-guides/push-voip: after reporting an incoming VoIP call
// "可以调用vibrator.startVibration触发振动". Controlled by tests as KitSim.vibrator.
// - Each API fails only with the codes the reference lists for it (DOCUMENTED_CODES). A parameter error (401) is
//   thrown at once, the others come through the promise/callback (the reference says only "以异常的形式抛出").
// - ohos.permission.VIBRATE must be declared (else 201).
// - Usage 'alarm' | 'ring' | 'notification' | 'communication' follow the ring/vibrate/silent switch ("静音时不振动"),
//   the others the haptics switch ("关闭时不振动"): the call succeeds and nothing vibrates.
// - A vibration does not end by itself on the host: finish() ends it, as its duration or count would.
import { businessError, later, withCallback, FailureQueue, PARAM_ERROR } from '../errors.js';

export const ERR_PERMISSION = 201;
export const ERR_NOT_SUPPORTED = 801;
export const ERR_DEVICE_OPERATION = 14600101;

export const DOCUMENTED_CODES = Object.freeze({
  startVibration: Object.freeze([ERR_PERMISSION, PARAM_ERROR, ERR_NOT_SUPPORTED, ERR_DEVICE_OPERATION]),
  stopVibration: Object.freeze([ERR_PERMISSION, PARAM_ERROR]),
  isSupportEffect: Object.freeze([ERR_PERMISSION, PARAM_ERROR]),
});

/** VibrateTime.duration: "取值范围(0,1800000]区间内所有整数". */
export const MAX_DURATION_MS = 1800000;

const USAGES = ['unknown', 'alarm', 'ring', 'notification', 'communication', 'touch', 'media', 'physicalFeedback', 'simulateReality'];
/** Usages under the three-state (ring / vibrate / silent) switch; the rest follow the haptics switch. */
const RINGER_USAGES = ['alarm', 'ring', 'notification', 'communication'];

const EffectId = Object.freeze({ EFFECT_CLOCK_TIMER: 'haptic.clock.timer' });
const HapticFeedback = Object.freeze({
  EFFECT_SOFT: 'haptic.effect.soft', EFFECT_HARD: 'haptic.effect.hard', EFFECT_SHARP: 'haptic.effect.sharp',
});
const VibratorStopMode = Object.freeze({ VIBRATOR_STOP_MODE_TIME: 'time', VIBRATOR_STOP_MODE_PRESET: 'preset' });

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isIntIn = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;

function paramError(what) {
  return businessError(PARAM_ERROR, `Parameter error. ${what}`);
}

/** VibrateTime, VibratePreset, VibrateFromFile and VibrateFromPattern as js-apis-vibrator §VibrateEffect defines them. */
function checkEffect(effect) {
  if (!isObject(effect)) throw paramError('effect must be a VibrateEffect');
  switch (effect.type) {
    case 'time':
      if (!isIntIn(effect.duration, 1, MAX_DURATION_MS)) throw paramError(`duration must be an integer in (0, ${MAX_DURATION_MS}]`);
      return;
    case 'preset':
      if (typeof effect.effectId !== 'string' || effect.effectId.length === 0) throw paramError('effectId must be a string');
      if (effect.count !== undefined && !isIntIn(effect.count, 1, Number.MAX_SAFE_INTEGER)) throw paramError('count must be a positive integer');
      if (effect.intensity !== undefined && !isIntIn(effect.intensity, 1, 100)) throw paramError('intensity must be an integer in (0, 100]');
      return;
    case 'file':
      if (!isObject(effect.hapticFd) || !Number.isInteger(effect.hapticFd.fd)) throw paramError('hapticFd must be a HapticFileDescriptor');
      return;
    case 'pattern':
      if (!isObject(effect.pattern)) throw paramError('pattern must be a VibratorPattern');
      return;
    default:
      throw paramError(`effect.type ${effect.type} is none of time, preset, file, pattern`);
  }
}

function checkAttribute(attribute) {
  if (!isObject(attribute)) throw paramError('attribute must be a VibrateAttribute');
  if (!USAGES.includes(attribute.usage)) throw paramError(`usage ${attribute.usage} is no Usage`);
  if (attribute.id !== undefined && !Number.isInteger(attribute.id)) throw paramError('id must be an integer');
}

export class VibratorSim {
  constructor() {
    this.reset();
  }

  reset() {
    /** module.json5 requests ohos.permission.VIBRATE (a system_grant permission: declared is granted). */
    this.permissionDeclared = true;
    /** The device has a vibrator motor (false: startVibration 801). */
    this.hasVibrator = true;
    /** Preset effects the device has (isSupportEffect); another effectId: 801, our choice (the reference says check first). */
    this.supportedEffects = new Set([EffectId.EFFECT_CLOCK_TIMER, ...Object.values(HapticFeedback)]);
    /** The ring/vibrate/silent switch is on silent: alarm, ring, notification, communication do not vibrate. */
    this.silentMode = false;
    /** The haptics switch: off, the other usages do not vibrate. */
    this.hapticsEnabled = true;
    /** Every start and stop: { op: 'start', effect, attribute, suppressed } / { op: 'stop', mode }. */
    this.log = [];
    /** What vibrates now: { effect, attribute }, or undefined. */
    this.active = undefined;
    this.failures = new FailureQueue(DOCUMENTED_CODES);
  }

  get vibrating() {
    return this.active !== undefined;
  }

  get starts() {
    return this.log.filter((e) => e.op === 'start').length;
  }

  /** The current vibration ends as its duration or count would. */
  finish() {
    this.active = undefined;
  }

  failIfDenied(api) {
    const f = this.failures.take(api);
    if (f) throw f;
    if (!this.permissionDeclared) throw businessError(ERR_PERMISSION, 'Permission denied. ohos.permission.VIBRATE');
  }

  start(effect, attribute) {
    this.failIfDenied('startVibration');
    if (!this.hasVibrator) throw businessError(ERR_NOT_SUPPORTED, 'Capability not supported.');
    if (effect.type === 'preset' && !this.supportedEffects.has(effect.effectId)) {
      throw businessError(ERR_NOT_SUPPORTED, `Capability not supported. Effect ${effect.effectId}`);
    }
    const ringer = RINGER_USAGES.includes(attribute.usage);
    const suppressed = ringer ? (this.silentMode ? 'silent' : undefined) : (this.hapticsEnabled ? undefined : 'haptics-off');
    this.log.push({ op: 'start', effect: { ...effect }, attribute: { ...attribute }, suppressed });
    // A new vibration replaces the one running.
    this.active = suppressed === undefined ? { effect: { ...effect }, attribute: { ...attribute } } : undefined;
  }

  stop(mode) {
    this.failIfDenied('stopVibration');
    this.log.push({ op: 'stop', mode });
    // stopVibration(stopMode) stops that mode only ("此接口无法停止自定义振动"); stopVibration() stops everything.
    if (this.active && (mode === undefined || this.active.effect.type === mode)) this.active = undefined;
  }
}

export const sim = new VibratorSim();

export const vibrator = {
  EffectId,
  HapticFeedback,
  VibratorStopMode,

  startVibration(effect, attribute, callback) {
    checkEffect(effect);
    checkAttribute(attribute);
    if (callback !== undefined && typeof callback !== 'function') throw paramError('callback must be a function');
    return withCallback(later(0, () => sim.start(effect, attribute)), callback);
  },

  /** stopVibration(stopMode[, callback]) (API 9) or stopVibration([callback]) (API 10: every mode). */
  stopVibration(modeOrCallback, callback) {
    let mode;
    let cb = callback;
    if (typeof modeOrCallback === 'function') cb = modeOrCallback;
    else if (modeOrCallback !== undefined) {
      if (!Object.values(VibratorStopMode).includes(modeOrCallback)) throw paramError(`stopMode ${modeOrCallback} is no VibratorStopMode`);
      mode = modeOrCallback;
    }
    if (cb !== undefined && typeof cb !== 'function') throw paramError('callback must be a function');
    return withCallback(later(0, () => sim.stop(mode)), cb);
  },

  isSupportEffect(effectId, callback) {
    if (typeof effectId !== 'string') throw paramError('effectId must be a string');
    return withCallback(later(0, () => {
      sim.failIfDenied('isSupportEffect');
      return sim.supportedEffects.has(effectId);
    }), callback);
  },
};

export default { vibrator };
