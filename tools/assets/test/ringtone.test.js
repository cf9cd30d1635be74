'use strict';
// The shipped ringtone is the generator's output, a small PCM WAV AVPlayer plays (16-bit mono, ~2 s, modest level).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const { ringtoneWav, OUTPUT, SAMPLE_RATE, DURATION_S } = require('../ringtone');

test('the committed ringtone is what tools/assets/ringtone.js writes', () => {
  assert.ok(fs.existsSync(OUTPUT), 'run node tools/assets/ringtone.js');
  assert.ok(fs.readFileSync(OUTPUT).equals(ringtoneWav()), 'the file differs from the generator: run node tools/assets/ringtone.js');
});

test('it is a small 16-bit mono PCM WAV of about 2 s', () => {
  const wav = fs.readFileSync(OUTPUT);
  assert.ok(wav.length < 100 * 1024, `${wav.length} bytes`);
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(4), wav.length - 8);
  assert.equal(wav.toString('ascii', 8, 16), 'WAVEfmt ');
  assert.equal(wav.readUInt16LE(20), 1, 'PCM');
  assert.equal(wav.readUInt16LE(22), 1, 'mono');
  assert.equal(wav.readUInt32LE(24), SAMPLE_RATE);
  assert.equal(wav.readUInt16LE(34), 16, 'bits per sample');
  assert.equal(wav.toString('ascii', 36, 40), 'data');
  assert.equal(wav.readUInt32LE(40), SAMPLE_RATE * DURATION_S * 2);
});

test('its level is modest and it ends in silence, so the loop does not click', () => {
  const wav = fs.readFileSync(OUTPUT);
  let peak = 0;
  for (let i = 44; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
  // Audible, yet at most half of full scale: a phone speaker at full ringer volume is loud enough.
  assert.ok(peak > 0.25 * 32767 && peak <= 0.5 * 32767, `peak ${peak}`);
  assert.equal(wav.readInt16LE(44), 0, 'starts at zero');
  assert.equal(wav.readInt16LE(wav.length - 2), 0, 'ends at zero');
});
