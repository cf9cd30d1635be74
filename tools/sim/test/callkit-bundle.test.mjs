// An ArkTS host suite reaches the call kits the way npm test builds it: tools/test/bundle.js maps
// @kit.CallServiceKit, @kit.ImageKit, @kit.SensorServiceKit, @kit.MediaKit and @kit.AudioKit to tools/sim/kits and
// @pushuikit/kitsim to control.js; a VoIP push is reported, answered on the system UI, and the phone rings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { bundleSuites, ROOT } = require('../../test/bundle.js');
const EVENT_PREFIX = '@@hypium-host ';

const SUITE = `import { describe, expect, it, beforeEach } from '@ohos/hypium';
import { voipCall } from '@kit.CallServiceKit';
import { image } from '@kit.ImageKit';
import { vibrator } from '@kit.SensorServiceKit';
import { media } from '@kit.MediaKit';
import { audio } from '@kit.AudioKit';
import { BusinessError } from '@kit.BasicServicesKit';
import { KitSim, VoipPush } from '@pushuikit/kitsim';

export default function testsuite() {
  describe('HostCallKits', () => {
    beforeEach(() => {
      KitSim.reset();
    });

    it('voipPushReportedAndAnswered', 0, async () => {
      const events: voipCall.VoipCallUiEventInfo[] = [];
      voipCall.on('voipCallUiEvent', (info: voipCall.VoipCallUiEventInfo) => {
        events.push(info);
      });
      const push: VoipPush = KitSim.voip.pushArrived('k1');
      KitSim.voip.advance(3000);
      const reason = await voipCall.reportIncomingCall({
        callId: 'k1',
        voipCallType: voipCall.VoipCallType.VOIP_CALL_VOICE,
        userName: 'alice',
        userProfile: image.createPixelMapSync(new ArrayBuffer(100), { size: { width: 90, height: 90 } }),
        abilityName: 'EntryAbility',
        voipCallState: voipCall.VoipCallState.VOIP_CALL_STATE_RINGING
      });
      expect(reason).assertEqual(voipCall.ErrorReason.ERROR_NONE);
      expect(push.outcome).assertEqual('reported');
      expect(KitSim.voip.answer('k1')).assertTrue();
      await KitSim.settle();
      expect(events.length).assertEqual(1);
      expect(events[0].voipCallUiEvent).assertEqual(voipCall.VoipCallUiEvent.VOIP_CALL_EVENT_VOICE_ANSWER);
      await voipCall.reportCallStateChange('k1', voipCall.VoipCallState.VOIP_CALL_STATE_ACTIVE);
      expect(KitSim.voip.stateOf('k1')).assertEqual(voipCall.VoipCallState.VOIP_CALL_STATE_ACTIVE);
      let code = 0;
      try {
        await voipCall.reportCallStateChange('nope', voipCall.VoipCallState.VOIP_CALL_STATE_ACTIVE);
      } catch (e) {
        code = (e as BusinessError).code;
      }
      expect(code).assertEqual(1007200001);
    });

    it('rings', 0, async () => {
      await vibrator.startVibration({ type: 'time', duration: 1000 }, { id: 0, usage: 'ring' });
      const player = await media.createAVPlayer();
      player.on('stateChange', async (state: string) => {
        if (state === 'initialized') {
          player.audioRendererInfo = { usage: audio.StreamUsage.STREAM_USAGE_RINGTONE, rendererFlags: 0 };
          await player.prepare();
          player.loop = true;
          await player.play();
        }
      });
      player.url = 'fd://3';
      await KitSim.settle();
      expect(KitSim.media.ringing).assertTrue();
      expect(KitSim.vibrator.vibrating).assertTrue();
      await player.stop();
      await player.release();
      await vibrator.stopVibration();
      expect(KitSim.media.ringing).assertFalse();
      expect(KitSim.vibrator.vibrating).assertFalse();
    });
  });
}
`;

let dir;

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a suite bundled by tools/test/bundle.js drives voipCall, the system call UI, vibrator and AVPlayer', async () => {
  fs.mkdirSync(path.join(ROOT, '.test-out'), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, '.test-out', 'callkit-bundle-'));
  fs.mkdirSync(path.join(dir, 'src/test'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src/test/List.test.ets'), SUITE);
  const outFile = path.join(dir, 'suite.cjs');
  await bundleSuites(dir, outFile);
  const r = spawnSync(process.execPath, [outFile], { cwd: ROOT, encoding: 'utf8', timeout: 20000 });
  const out = `${r.stdout}${r.stderr}`;
  const events = out.split('\n').filter((l) => l.startsWith(EVENT_PREFIX)).map((l) => JSON.parse(l.slice(EVENT_PREFIX.length)));
  const summary = events.find((e) => e.type === 'summary');
  assert.ok(summary, out);
  assert.deepEqual({ pass: summary.pass, failure: summary.failure, error: summary.error }, { pass: 2, failure: 0, error: 0 },
    JSON.stringify(events.filter((e) => e.type === 'spec'), null, 1));
  assert.equal(r.status, 0);
});
