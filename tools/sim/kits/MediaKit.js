// @kit.MediaKit on the host: media.createAVPlayer and the AVPlayer state machine, enough to play a ringtone the way
// harmonyos-guides/push-voip says ("可以使用AVPlayer播放应用铃声，...usage设置为STREAM_USAGE_RINGTONE"): set url or fdSrc
// in idle, audioRendererInfo in initialized, prepare(), play(), stop(), release(). Nothing is decoded or heard;
// every play/pause/stop/reset/release is recorded (KitSim.media). Written from harmonyos-references/
// arkts-apis-media-avplayer (which state allows which call, the error codes per call) and arkts-apis-media-f.
// - A call in a state that does not allow it rejects with 5400102, the only code play/pause/stop/reset/release
//   document; prepare also documents 5400106, createAVPlayer 5400101 (failNext).
// - A property set in the wrong state is ignored and reported through on('error') with 5400102 (the reference
//   says only "只允许在idle状态下设置"; OpenHarmony's player reports it so), a wrong type with 401.
// - A call is judged in the state it is made in: prepare() right after setting url (before stateChange reports
//   'initialized') is 5400102. State changes reach on('stateChange') callbacks (state, reason 1 = USER) before the
//   call's promise resolves.
// - A media file never ends by itself: KitSim.media.endOfStream() completes every playing non-looping player.
import { businessError, later, withCallback, FailureQueue, PARAM_ERROR } from '../errors.js';
import { audio } from './AudioKit.js';

export const ERR_NO_MEMORY = 5400101;
export const ERR_OPERATION_NOT_ALLOWED = 5400102;
export const ERR_UNSUPPORTED_FORMAT = 5400106;

export const DOCUMENTED_CODES = Object.freeze({
  createAVPlayer: Object.freeze([ERR_NO_MEMORY]),
  prepare: Object.freeze([ERR_OPERATION_NOT_ALLOWED, ERR_UNSUPPORTED_FORMAT]),
  play: Object.freeze([ERR_OPERATION_NOT_ALLOWED]),
  pause: Object.freeze([ERR_OPERATION_NOT_ALLOWED]),
  stop: Object.freeze([ERR_OPERATION_NOT_ALLOWED]),
  reset: Object.freeze([ERR_OPERATION_NOT_ALLOWED]),
  release: Object.freeze([ERR_OPERATION_NOT_ALLOWED]),
});

/** arkts-apis-media-f §createAVPlayer: "推荐单个应用创建的音视频播放实例...不超过16个". */
export const RECOMMENDED_MAX_PLAYERS = 16;

/** StateChangeReason.USER: the state changed because the app called. */
const REASON_USER = 1;

/** The states each call is allowed in (arkts-apis-media-avplayer), and where it leads. */
const CALLS = {
  prepare: { from: ['initialized', 'stopped'], to: 'prepared' },
  play: { from: ['prepared', 'paused', 'completed'], to: 'playing' },
  pause: { from: ['playing'], to: 'paused' },
  stop: { from: ['prepared', 'playing', 'paused', 'completed'], to: 'stopped' },
  reset: { from: ['initialized', 'prepared', 'playing', 'paused', 'completed', 'stopped', 'error'], to: 'idle' },
  release: { from: ['idle', 'initialized', 'prepared', 'playing', 'paused', 'completed', 'stopped', 'error'], to: 'released' },
};
const LOOP_STATES = ['prepared', 'playing', 'paused', 'completed'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export class AVPlayer {
  constructor(owner) {
    this.owner = owner;
    this.stateValue = 'idle';
    this.urlValue = undefined;
    this.fdSrcValue = undefined;
    this.rendererInfo = undefined;
    this.loopValue = false;
    this.listeners = { stateChange: [], error: [] };
  }

  get state() {
    return this.stateValue;
  }

  /** The usage the player renders with: audioRendererInfo's, else STREAM_USAGE_MUSIC (an audio-only source). */
  get usage() {
    return this.rendererInfo ? this.rendererInfo.usage : audio.StreamUsage.STREAM_USAGE_MUSIC;
  }

  get source() {
    return this.urlValue !== undefined ? this.urlValue : this.fdSrcValue;
  }

  get url() {
    return this.urlValue;
  }

  set url(value) {
    if (this.setSource(value, typeof value === 'string' && value.length > 0, 'url')) this.urlValue = value;
  }

  get fdSrc() {
    return this.fdSrcValue;
  }

  set fdSrc(value) {
    if (this.setSource(value, isObject(value) && Number.isInteger(value.fd), 'fdSrc')) this.fdSrcValue = { ...value };
  }

  setSource(value, valid, name) {
    if (this.stateValue !== 'idle') return this.propertyError(ERR_OPERATION_NOT_ALLOWED, `${name} can be set in idle only`);
    if (!valid) return this.propertyError(PARAM_ERROR, `${name} is invalid`);
    // idle -> initialized, on a later turn (the app calls prepare from its stateChange callback).
    queueMicrotask(() => {
      if (this.stateValue === 'idle' && this.source !== undefined) this.moveTo('initialized');
    });
    return true;
  }

  get audioRendererInfo() {
    return this.rendererInfo;
  }

  set audioRendererInfo(value) {
    if (this.stateValue !== 'initialized') {
      this.propertyError(ERR_OPERATION_NOT_ALLOWED, 'audioRendererInfo can be set in initialized only');
      return;
    }
    if (!isObject(value) || typeof audio.StreamUsage[value.usage] !== 'string' || !Number.isInteger(value.rendererFlags)) {
      this.propertyError(PARAM_ERROR, 'audioRendererInfo needs a StreamUsage usage and integer rendererFlags');
      return;
    }
    this.rendererInfo = { ...value };
  }

  get loop() {
    return this.loopValue;
  }

  set loop(value) {
    if (!LOOP_STATES.includes(this.stateValue)) {
      this.propertyError(ERR_OPERATION_NOT_ALLOWED, 'loop can be set in prepared/playing/paused/completed only');
      return;
    }
    if (typeof value !== 'boolean') {
      this.propertyError(PARAM_ERROR, 'loop is a boolean');
      return;
    }
    this.loopValue = value;
  }

  propertyError(code, message) {
    const e = businessError(code, message);
    queueMicrotask(() => {
      for (const cb of [...this.listeners.error]) cb(e);
    });
    return false;
  }

  moveTo(state) {
    this.stateValue = state;
    for (const cb of [...this.listeners.stateChange]) cb(state, REASON_USER);
  }

  on(type, callback) {
    if (!(type in this.listeners) || typeof callback !== 'function') {
      throw businessError(PARAM_ERROR, `Parameter error. on('${type}') is not simulated or has no callback`);
    }
    this.listeners[type].push(callback);
  }

  off(type, callback) {
    if (!(type in this.listeners)) throw businessError(PARAM_ERROR, `Parameter error. off('${type}') is not simulated`);
    this.listeners[type] = callback === undefined ? [] : this.listeners[type].filter((cb) => cb !== callback);
  }

  /**
   * The state is checked when the app calls (a call made before the stateChange it must wait for fails, as on a
   * device) and again when the call takes effect, on a later turn.
   */
  call(name, callback) {
    const rule = CALLS[name];
    const notAllowed = () => businessError(ERR_OPERATION_NOT_ALLOWED, `Operation not allowed. ${name}() in state ${this.stateValue}`);
    const early = this.owner.failures.take(name) || (rule.from.includes(this.stateValue) ? undefined : notAllowed());
    return withCallback(later(0, () => {
      if (early) throw early;
      if (!rule.from.includes(this.stateValue)) throw notAllowed();
      const was = this.stateValue;
      if (name === 'reset') {
        this.urlValue = undefined;
        this.fdSrcValue = undefined;
        this.rendererInfo = undefined;
        this.loopValue = false;
      }
      this.moveTo(rule.to);
      if (name !== 'prepare') this.owner.record(name, this, was);
    }), callback);
  }

  prepare(callback) {
    return this.call('prepare', callback);
  }

  play(callback) {
    return this.call('play', callback);
  }

  pause(callback) {
    return this.call('pause', callback);
  }

  stop(callback) {
    return this.call('stop', callback);
  }

  reset(callback) {
    return this.call('reset', callback);
  }

  release(callback) {
    return this.call('release', callback);
  }
}

export class MediaSim {
  constructor() {
    this.reset();
  }

  reset() {
    /** Every AVPlayer created, oldest first. */
    this.players = [];
    /** Every play/pause/stop/reset/release: { op, usage, source, loop, from } (from: the state it left). */
    this.log = [];
    this.failures = new FailureQueue(DOCUMENTED_CODES);
  }

  record(op, player, from) {
    this.log.push({ op, usage: player.usage, source: player.source, loop: player.loop, from });
  }

  /** Players not released (the reference recommends at most 16). */
  get livePlayers() {
    return this.players.filter((p) => p.state !== 'released').length;
  }

  /** How many players are playing now, of `usage` if given. */
  playing(usage) {
    return this.players.filter((p) => p.state === 'playing' && (usage === undefined || p.usage === usage)).length;
  }

  /** A ringtone plays: a player with STREAM_USAGE_RINGTONE is playing. */
  get ringing() {
    return this.playing(audio.StreamUsage.STREAM_USAGE_RINGTONE) > 0;
  }

  /** Every playing player that does not loop reaches the end of its media: 'completed'. Returns how many. */
  endOfStream() {
    let n = 0;
    for (const p of this.players) {
      if (p.state === 'playing' && !p.loop) {
        p.moveTo('completed');
        n += 1;
      }
    }
    return n;
  }
}

export const sim = new MediaSim();

export const media = {
  createAVPlayer(callback) {
    return withCallback(later(0, () => {
      const f = sim.failures.take('createAVPlayer');
      if (f) throw f;
      const p = new AVPlayer(sim);
      sim.players.push(p);
      return p;
    }), callback);
  },
};

export default { media };
