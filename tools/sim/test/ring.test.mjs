// Ringing on the host: @kit.SensorServiceKit vibrator (js-apis-vibrator) and @kit.MediaKit AVPlayer with
// @kit.AudioKit's STREAM_USAGE_RINGTONE (arkts-apis-media-avplayer; harmonyos-guides/push-voip).
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import '../globals.js';
import { KitSim } from '../control.js';
import { vibrator, DOCUMENTED_CODES as VIBRATOR_CODES, MAX_DURATION_MS } from '../kits/SensorServiceKit.js';
import { media, DOCUMENTED_CODES as MEDIA_CODES } from '../kits/MediaKit.js';
import { audio } from '../kits/AudioKit.js';
import { codeOf, thrownCode } from './helpers.mjs';

const RINGTONE = audio.StreamUsage.STREAM_USAGE_RINGTONE;
const ring = { type: 'time', duration: 1000 };
const RING = { id: 0, usage: 'ring' };


beforeEach(() => KitSim.reset());

describe('vibrator', () => {
  test('start and stop are recorded; what vibrates now is known', async () => {
    await vibrator.startVibration(ring, RING);
    assert.equal(KitSim.vibrator.vibrating, true);
    assert.deepEqual(KitSim.vibrator.active, { effect: ring, attribute: RING });
    await vibrator.stopVibration();
    assert.equal(KitSim.vibrator.vibrating, false);
    assert.deepEqual(KitSim.vibrator.log.map((e) => e.op), ['start', 'stop']);
    assert.equal(KitSim.vibrator.starts, 1);
  });

  test('stopVibration(mode) stops only that mode; the callback forms work', async () => {
    await vibrator.startVibration({ type: 'preset', effectId: vibrator.EffectId.EFFECT_CLOCK_TIMER, count: 3 }, RING);
    await vibrator.stopVibration(vibrator.VibratorStopMode.VIBRATOR_STOP_MODE_TIME);
    assert.equal(KitSim.vibrator.vibrating, true);
    await new Promise((resolve, reject) => vibrator.stopVibration('preset', (e) => (e ? reject(e) : resolve())));
    assert.equal(KitSim.vibrator.vibrating, false);
    const err = await new Promise((resolve) => vibrator.startVibration(ring, RING, (e) => resolve(e)));
    assert.equal(err, undefined);
    await new Promise((resolve) => vibrator.stopVibration(() => resolve()));
    assert.equal(KitSim.vibrator.vibrating, false);
  });

  test('bad effects and attributes are 401, thrown at once', () => {
    for (const effect of [undefined, { type: 'time' }, { type: 'time', duration: 0 }, { type: 'time', duration: MAX_DURATION_MS + 1 },
      { type: 'time', duration: 1.5 }, { type: 'preset' }, { type: 'preset', effectId: 'x', intensity: 101 }, { type: 'buzz' }]) {
      assert.equal(thrownCode(() => vibrator.startVibration(effect, RING)), 401, JSON.stringify(effect));
    }
    assert.equal(thrownCode(() => vibrator.startVibration(ring, {})), 401, 'usage is required');
    assert.equal(thrownCode(() => vibrator.startVibration(ring, { usage: 'loud' })), 401);
    assert.equal(thrownCode(() => vibrator.stopVibration('all')), 401);
    assert.equal(KitSim.vibrator.log.length, 0);
  });

  test('without ohos.permission.VIBRATE: 201; no motor or an unsupported preset: 801', async () => {
    KitSim.vibrator.permissionDeclared = false;
    assert.equal(await codeOf(vibrator.startVibration(ring, RING)), 201);
    assert.equal(await codeOf(vibrator.stopVibration()), 201);
    assert.equal(await codeOf(vibrator.isSupportEffect('haptic.clock.timer')), 201);
    KitSim.vibrator.permissionDeclared = true;
    assert.equal(await vibrator.isSupportEffect('haptic.clock.timer'), true);
    assert.equal(await vibrator.isSupportEffect('haptic.ringtone.Dream_It_Possible'), false);
    assert.equal(await codeOf(vibrator.startVibration({ type: 'preset', effectId: 'haptic.ringtone.Dream_It_Possible' }, RING)), 801);
    KitSim.vibrator.hasVibrator = false;
    assert.equal(await codeOf(vibrator.startVibration(ring, RING)), 801);
    assert.equal(KitSim.vibrator.vibrating, false);
  });

  test('silent mode mutes ring usage, the haptics switch the others; both calls succeed', async () => {
    KitSim.vibrator.silentMode = true;
    await vibrator.startVibration(ring, RING);
    assert.equal(KitSim.vibrator.vibrating, false);
    await vibrator.startVibration(ring, { usage: 'touch' });
    assert.equal(KitSim.vibrator.vibrating, true);
    KitSim.vibrator.hapticsEnabled = false;
    await vibrator.startVibration(ring, { usage: 'touch' });
    assert.equal(KitSim.vibrator.vibrating, false);
    assert.deepEqual(KitSim.vibrator.log.map((e) => e.suppressed), ['silent', undefined, 'haptics-off']);
  });

  test('failNext takes only documented codes', async () => {
    assert.deepEqual([...VIBRATOR_CODES.startVibration], [201, 401, 801, 14600101]);
    assert.throws(() => KitSim.vibrator.failures.failNext('stopVibration', 14600101), /does not document/);
    KitSim.vibrator.failures.failNext('startVibration', 14600101);
    assert.equal(await codeOf(vibrator.startVibration(ring, RING)), 14600101);
    assert.equal(await codeOf(vibrator.startVibration(ring, RING)), 0);
  });

  test('finish() ends the running vibration; reset forgets everything', async () => {
    await vibrator.startVibration(ring, RING);
    KitSim.vibrator.finish();
    assert.equal(KitSim.vibrator.vibrating, false);
    KitSim.vibrator.permissionDeclared = false;
    KitSim.vibrator.silentMode = true;
    KitSim.reset();
    assert.deepEqual(KitSim.vibrator.log, []);
    assert.equal(KitSim.vibrator.permissionDeclared, true);
    assert.equal(KitSim.vibrator.silentMode, false);
  });
});

/** A player with a ringtone source, in 'initialized'; returns it and the states it went through. */
async function ringtonePlayer() {
  const p = await media.createAVPlayer();
  const states = [];
  p.on('stateChange', (state) => states.push(state));
  p.url = 'fd://42';
  await KitSim.settle();
  return { p, states };
}

describe('AVPlayer', () => {
  test('the push-voip ringtone: url, RINGTONE usage, loop, prepare, play, stop, release', async () => {
    const { p, states } = await ringtonePlayer();
    assert.equal(p.state, 'initialized');
    p.audioRendererInfo = { usage: RINGTONE, rendererFlags: 0 };
    await p.prepare();
    p.loop = true;
    await p.play();
    assert.equal(KitSim.media.ringing, true);
    assert.equal(KitSim.media.playing(RINGTONE), 1);
    await p.stop();
    assert.equal(KitSim.media.ringing, false);
    await p.release();
    assert.deepEqual(states, ['initialized', 'prepared', 'playing', 'stopped', 'released']);
    assert.deepEqual(KitSim.media.log.map((e) => [e.op, e.usage, e.source, e.loop]),
      [['play', RINGTONE, 'fd://42', true], ['stop', RINGTONE, 'fd://42', true], ['release', RINGTONE, 'fd://42', true]]);
    assert.equal(KitSim.media.livePlayers, 0);
  });

  test('without audioRendererInfo an audio player is STREAM_USAGE_MUSIC, not a ringtone', async () => {
    const { p } = await ringtonePlayer();
    await p.prepare();
    await p.play();
    assert.equal(p.usage, audio.StreamUsage.STREAM_USAGE_MUSIC);
    assert.equal(KitSim.media.ringing, false);
  });

  test('calls in a state that does not allow them reject with 5400102 and change nothing', async () => {
    const p = await media.createAVPlayer();
    assert.equal(await codeOf(p.prepare()), 5400102);
    assert.equal(await codeOf(p.play()), 5400102);
    assert.equal(await codeOf(p.stop()), 5400102);
    assert.equal(await codeOf(p.reset()), 5400102, 'reset is not allowed in idle');
    p.url = 'fd://1';
    await KitSim.settle();
    assert.equal(await codeOf(p.play()), 5400102, 'play needs prepared');
    await p.prepare();
    assert.equal(await codeOf(p.pause()), 5400102);
    await p.release();
    assert.equal(await codeOf(p.release()), 5400102);
    assert.equal(p.state, 'released');
  });

  test('a call made before the stateChange it must wait for is 5400102 (prepare right after url, play right after prepare)', async () => {
    const p = await media.createAVPlayer();
    p.url = 'fd://1';
    assert.equal(await codeOf(p.prepare()), 5400102);
    assert.equal(p.state, 'initialized');
    const prepared = p.prepare();
    assert.equal(await codeOf(p.play()), 5400102);
    await prepared;
    assert.equal(p.state, 'prepared');
  });

  test('properties set in the wrong state are ignored and reported on error (5400102), bad values 401', async () => {
    const errors = [];
    const p = await media.createAVPlayer();
    p.on('error', (e) => errors.push(e.code));
    p.audioRendererInfo = { usage: RINGTONE, rendererFlags: 0 };
    p.loop = true;
    p.url = '';
    p.url = 'fd://1';
    await KitSim.settle();
    p.url = 'fd://2';
    p.audioRendererInfo = { usage: 99, rendererFlags: 0 };
    await KitSim.settle();
    assert.deepEqual(errors, [5400102, 5400102, 401, 5400102, 401]);
    assert.equal(p.url, 'fd://1');
    assert.equal(p.audioRendererInfo, undefined);
    assert.equal(p.loop, false);
  });

  test('stop, then prepare and play again; reset goes back to idle and forgets the source', async () => {
    const { p, states } = await ringtonePlayer();
    await p.prepare();
    await p.play();
    await p.stop();
    await p.prepare();
    await p.play();
    await p.reset();
    assert.equal(p.url, undefined);
    assert.deepEqual(states, ['initialized', 'prepared', 'playing', 'stopped', 'prepared', 'playing', 'idle']);
    assert.deepEqual(KitSim.media.log.map((e) => e.op), ['play', 'stop', 'play', 'reset']);
  });

  test('endOfStream completes non-looping players only; off() stops callbacks', async () => {
    const a = await ringtonePlayer();
    const b = await ringtonePlayer();
    for (const { p } of [a, b]) {
      await p.prepare();
    }
    b.p.loop = true;
    await a.p.play();
    await b.p.play();
    a.p.off('stateChange');
    assert.equal(KitSim.media.endOfStream(), 1);
    assert.equal(a.p.state, 'completed');
    assert.equal(a.states.at(-1), 'playing');
    assert.equal(b.p.state, 'playing');
    await a.p.play();
    assert.equal(a.p.state, 'playing');
  });

  test('the stateChange callback runs before the call resolves; fdSrc works as url', async () => {
    const p = await media.createAVPlayer();
    let seen;
    p.on('stateChange', (s) => {
      seen = s;
    });
    p.fdSrc = { fd: 7, offset: 0, length: 100 };
    await KitSim.settle();
    await p.prepare();
    assert.equal(seen, 'prepared');
    assert.deepEqual(p.source, { fd: 7, offset: 0, length: 100 });
  });

  test('failNext takes only documented codes; reset forgets players', async () => {
    assert.throws(() => KitSim.media.failures.failNext('play', 5400106), /does not document/);
    KitSim.media.failures.failNext('createAVPlayer', 5400101);
    assert.equal(await codeOf(media.createAVPlayer()), 5400101);
    const { p } = await ringtonePlayer();
    KitSim.media.failures.failNext('prepare', 5400106);
    assert.equal(await codeOf(p.prepare()), 5400106);
    assert.equal(p.state, 'initialized');
    assert.deepEqual(Object.keys(MEDIA_CODES), ['createAVPlayer', 'prepare', 'play', 'pause', 'stop', 'reset', 'release']);
    KitSim.reset();
    assert.equal(KitSim.media.players.length, 0);
    assert.equal(KitSim.media.livePlayers, 0);
  });
});

describe('AudioKit', () => {
  test('StreamUsage values are the SDK\'s; RINGTONE is 6 and names back to STREAM_USAGE_RINGTONE', () => {
    assert.equal(RINGTONE, 6);
    assert.equal(audio.StreamUsage[6], 'STREAM_USAGE_RINGTONE');
    assert.equal(audio.StreamUsage.STREAM_USAGE_VOICE_COMMUNICATION, 2);
    assert.equal(audio.StreamUsage.STREAM_USAGE_MUSIC, 1);
  });
});
