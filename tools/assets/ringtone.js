#!/usr/bin/env node
'use strict';
// Writes the app's own incoming-call ringtone (no third-party audio): features/call/src/main/resources/rawfile/
// common/ringtone/ringtone.wav, played by the call module's SystemRinger with AVPlayer in a loop (push-voip:
// "可以使用AVPlayer播放应用铃声"). Two sine tones alternating three times, then a pause, 2 s in all: a 16-bit
// PCM mono WAV at 16 kHz and a modest level, with short fades so that no segment clicks. Deterministic: the same
// bytes on every run (tools/assets/test checks the committed file against them).
//   node tools/assets/ringtone.js            writes the file
//   node tools/assets/ringtone.js --check    exits 1 if the committed file differs
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const OUTPUT = path.join(ROOT, 'features/call/src/main/resources/rawfile/common/ringtone/ringtone.wav');

const SAMPLE_RATE = 16000;
const DURATION_S = 2;
/** Tone A, tone B (Hz), each TONE_S long, ABABAB, then silence to DURATION_S. */
const TONES = [880, 1175];
const TONE_S = 0.25;
const TONE_COUNT = 6;
/** Peak level: a third of full scale, so that the ringtone is clear but not harsh on a phone speaker. */
const LEVEL = 0.33;
const FADE_S = 0.01;

/** The 16-bit samples. */
function samples() {
  const total = SAMPLE_RATE * DURATION_S;
  const perTone = Math.round(SAMPLE_RATE * TONE_S);
  const fade = Math.round(SAMPLE_RATE * FADE_S);
  const out = new Int16Array(total);
  for (let i = 0; i < total; i++) {
    const tone = Math.floor(i / perTone);
    if (tone >= TONE_COUNT) break;
    const t = i % perTone;
    const envelope = Math.min(1, t / fade, (perTone - 1 - t) / fade);
    const value = LEVEL * envelope * Math.sin((2 * Math.PI * TONES[tone % TONES.length] * t) / SAMPLE_RATE);
    out[i] = Math.round(value * 32767);
  }
  return out;
}

/** The whole WAV file: RIFF header, fmt chunk (PCM, mono, 16 bit), data chunk. */
function ringtoneWav() {
  const pcm = samples();
  const dataBytes = pcm.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(SAMPLE_RATE, 24);
  buf.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < pcm.length; i++) buf.writeInt16LE(pcm[i], 44 + i * 2);
  return buf;
}

if (require.main === module) {
  const wav = ringtoneWav();
  if (process.argv.includes('--check')) {
    const same = fs.existsSync(OUTPUT) && fs.readFileSync(OUTPUT).equals(wav);
    process.stdout.write(`${path.relative(ROOT, OUTPUT)}: ${same ? 'up to date' : 'differs; run node tools/assets/ringtone.js'}\n`);
    process.exit(same ? 0 : 1);
  }
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  fs.writeFileSync(OUTPUT, wav);
  process.stdout.write(`wrote ${path.relative(ROOT, OUTPUT)} (${wav.length} bytes)\n`);
}

module.exports = { ringtoneWav, OUTPUT, SAMPLE_RATE, DURATION_S, LEVEL };
