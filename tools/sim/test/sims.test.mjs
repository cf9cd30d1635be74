// The host kit simulations must behave as the device documents, or every suite built on them lies.
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '../globals.js';
import { KitSim } from '../control.js';
import { notificationManager } from '../kits/NotificationKit.js';
import { pushService, pushCommon } from '../kits/PushKit.js';
import { preferences } from '../kits/ArkData.js';
import { hilog, formatHilog } from '../kits/PerformanceAnalysisKit.js';
import { connection } from '../kits/NetworkKit.js';
import { UIAbility, bundleManager } from '../kits/AbilityKit.js';
import { cryptoFramework } from '../kits/CryptoArchitectureKit.js';
import { util } from '../kits/ArkTS.js';
import crypto from 'node:crypto';
import { FailureQueue } from '../errors.js';
import { codeOf } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ctx = () => KitSim.abilityContext();

beforeEach(() => KitSim.reset());

describe('NotificationKit', () => {
  test('the dialog enables notifications when the user allows', async () => {
    assert.equal(await notificationManager.isNotificationEnabled(), false);
    await notificationManager.requestEnableNotification(ctx());
    assert.equal(await notificationManager.isNotificationEnabled(), true);
    assert.equal(KitSim.notification.dialogCount, 1);
  });

  test('no dialog when notifications are already on', async () => {
    KitSim.notification.setSystemSwitch(true);
    await notificationManager.requestEnableNotification(ctx());
    assert.equal(KitSim.notification.dialogCount, 0);
  });

  test('a refusal is 1600004 and the dialog is never shown again', async () => {
    KitSim.notification.dialogAnswer = 'deny';
    assert.equal(await codeOf(notificationManager.requestEnableNotification(ctx())), 1600004);
    KitSim.notification.dialogAnswer = 'allow';
    assert.equal(await codeOf(notificationManager.requestEnableNotification(ctx())), 1600004);
    assert.equal(KitSim.notification.dialogCount, 1);
  });

  test('a second request while the dialog shows is 1600013', async () => {
    KitSim.notification.dialogAnswer = 'wait';
    const first = notificationManager.requestEnableNotification(ctx());
    await KitSim.settle();
    assert.equal(KitSim.notification.dialogShowing, true);
    assert.equal(await codeOf(notificationManager.requestEnableNotification(ctx())), 1600013);
    KitSim.notification.answerDialog(true);
    await first;
    assert.equal(KitSim.notification.dialogShowing, false);
    assert.throws(() => KitSim.notification.answerDialog(true), /no dialog/);
  });

  test('the callback form reports the same outcome', async () => {
    KitSim.notification.dialogAnswer = 'deny';
    const err = await new Promise((resolve) => notificationManager.requestEnableNotification(ctx(), (e) => resolve(e)));
    assert.equal(err.code, 1600004);
  });

  test('the settings sheet lets the user turn notifications on after a refusal', async () => {
    KitSim.notification.dialogAnswer = 'deny';
    await codeOf(notificationManager.requestEnableNotification(ctx()));
    KitSim.notification.settingsAnswer = 'enable';
    await notificationManager.openNotificationSettings(ctx());
    assert.equal(KitSim.notification.settingsOpened, 1);
    assert.equal(await notificationManager.isNotificationEnabled(), true);
    assert.equal(await codeOf(notificationManager.openNotificationSettings(undefined)), 401);
  });

  test('setBadgeNumber sets the badge, rejects bad numbers with 401 and counts overlapping calls', async () => {
    KitSim.notification.badgeLatencyMs = 5;
    await Promise.all([notificationManager.setBadgeNumber(3), notificationManager.setBadgeNumber(4)]);
    assert.equal(KitSim.notification.maxBadgeInFlight, 2);
    assert.deepEqual(KitSim.notification.badgeHistory, [3, 4]);
    assert.equal(KitSim.notification.badge, 4);
    assert.equal(await codeOf(notificationManager.setBadgeNumber(-1)), 401);
    assert.equal(await codeOf(notificationManager.setBadgeNumber(1.5)), 401);
    assert.equal(KitSim.notification.badge, 4);
  });

  test('setBadgeBySystem (a Push Kit badge): setNum wins over addNum, addNum adds, none changes nothing', () => {
    KitSim.notification.setBadgeBySystem({ addNum: 2 });
    KitSim.notification.setBadgeBySystem({ setNum: 5, addNum: 9 });
    KitSim.notification.setBadgeBySystem(undefined);
    KitSim.notification.setBadgeBySystem({ addNum: 1 });
    assert.deepEqual(KitSim.notification.badgeHistory, [2, 5, 6]);
    assert.equal(KitSim.notification.badge, 6);
  });

  test('injected failures hit the next call only', async () => {
    KitSim.notification.failures.failNext('setBadgeNumber', 1600001);
    assert.equal(await codeOf(notificationManager.setBadgeNumber(1)), 1600001);
    assert.equal(await codeOf(notificationManager.setBadgeNumber(1)), 0);
  });
});

describe('FailureQueue', () => {
  test('with a table of documented codes, an undocumented API or code is a broken test setup', () => {
    const q = new FailureQueue({ get: [1, 2] });
    q.failNext('get', 2);
    assert.throws(() => q.failNext('get', 3), /does not document error 3/);
    assert.throws(() => q.failNext('put', 1), /not an API/);
    assert.equal(q.take('get').code, 2);
    assert.equal(q.take('get'), undefined);
  });

  test('without a table any API and code are accepted', () => {
    const q = new FailureQueue();
    q.failNext('anything', 123);
    assert.equal(q.take('anything').code, 123);
  });
});

describe('PushKit', () => {
  test('getToken returns a stable token until deleteToken or rotation', async () => {
    const t1 = await pushService.getToken();
    assert.equal(await pushService.getToken(), t1);
    await pushService.deleteToken();
    const t2 = await pushService.getToken();
    assert.notEqual(t2, t1);
    const t3 = KitSim.push.rotateToken();
    assert.equal(await pushService.getToken(), t3);
    assert.equal(t1.length, 130);
  });

  test('getToken fails with the documented codes', async () => {
    KitSim.push.clientIdConfigured = false;
    assert.equal(await codeOf(pushService.getToken()), 1000900010);
    KitSim.push.clientIdConfigured = true;
    KitSim.push.networkAvailable = false;
    assert.equal(await codeOf(pushService.getToken()), 1000900011);
    KitSim.push.networkAvailable = true;
    KitSim.push.pushRightActivated = false;
    assert.equal(await codeOf(pushService.getToken()), 1000900012);
    KitSim.push.pushRightActivated = true;
    KitSim.push.failures.failNext('getToken', 1000900016);
    assert.equal(await codeOf(pushService.getToken()), 1000900016);
    assert.equal(await codeOf(pushService.getToken()), 0);
  });

  test('profiles bind and unbind; bad arguments are 401', async () => {
    const type = pushCommon.AppProfileType.PROFILE_TYPE_APPLICATION_ACCOUNT;
    await pushService.bindAppProfileId(type, 'h_abc');
    assert.equal(KitSim.push.profiles.get('h_abc'), 2);
    await pushService.unbindAppProfileId('h_abc');
    assert.equal(KitSim.push.profiles.size, 0);
    assert.equal(await codeOf(pushService.bindAppProfileId(7, 'x')), 401);
    assert.equal(await codeOf(pushService.bindAppProfileId(type, '')), 401);
  });

  test('receiveMessage delivers by push type and validates its arguments', () => {
    const ability = new UIAbility();
    const got = [];
    pushService.receiveMessage('VoIP', ability, (p) => got.push(p));
    assert.equal(KitSim.push.deliver('VoIP', { type: 'VoIP', data: '{}' }), true);
    assert.equal(KitSim.push.deliver('IM', { type: 'IM', data: '{}' }), false);
    assert.equal(got.length, 1);
    assert.throws(() => pushService.receiveMessage('SMS', ability, () => {}), (e) => e.code === 401);
    assert.throws(() => pushService.receiveMessage('IM', undefined, () => {}), (e) => e.code === 401);
  });
});

describe('PushKit limits', () => {
  test('a second receiver for the same push type is 1000900005', () => {
    const ability = new UIAbility();
    pushService.receiveMessage('IM', ability, () => {});
    assert.throws(() => pushService.receiveMessage('IM', ability, () => {}), (e) => e.code === 1000900005);
    pushService.receiveMessage('VoIP', ability, () => {});
  });

  test('more than ten bound profiles is 1000900015; rebinding one is not', async () => {
    const type = pushCommon.AppProfileType.PROFILE_TYPE_APPLICATION_ACCOUNT;
    for (let i = 0; i < 10; i++) await pushService.bindAppProfileId(type, `p${i}`);
    await pushService.bindAppProfileId(type, 'p3');
    assert.equal(await codeOf(pushService.bindAppProfileId(type, 'p10')), 1000900015);
  });

  test('binding the HUAWEI ID profile without a signed-in HUAWEI ID is 1000900016', async () => {
    KitSim.push.huaweiIdLoggedIn = false;
    const osAccount = pushCommon.AppProfileType.PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT;
    assert.equal(await codeOf(pushService.bindAppProfileId(osAccount, 'x')), 1000900016);
  });
});

describe('CryptoArchitectureKit and ArkTS util', () => {
  test('SHA256 digests match, and the Md resets after a digest', async () => {
    const md = cryptoFramework.createMd('SHA256');
    const data = new util.TextEncoder().encodeInto('salt:alice');
    await md.update({ data });
    const out = await md.digest();
    assert.equal(Buffer.from(out.data).toString('hex'), crypto.createHash('sha256').update('salt:alice').digest('hex'));
    md.updateSync({ data: new Uint8Array([1]) });
    assert.equal(Buffer.from(md.digestSync().data).toString('hex'), crypto.createHash('sha256').update(Buffer.from([1])).digest('hex'));
    assert.equal(md.getMdLength(), 32);
  });

  test('unknown algorithms and non-binary input are 401', () => {
    assert.throws(() => cryptoFramework.createMd('SHA3'), (e) => e.code === 401);
    assert.throws(() => cryptoFramework.createMd('SHA256').updateSync({ data: 'text' }), (e) => e.code === 401);
  });

  test('generateRandomUUID gives distinct v4 UUIDs', () => {
    const a = util.generateRandomUUID();
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, util.generateRandomUUID());
  });
});

describe('AbilityKit', () => {
  test('getBundleInfoForSelf returns module metadata only with both flags', async () => {
    const F = bundleManager.BundleFlag;
    const full = await bundleManager.getBundleInfoForSelf(F.GET_BUNDLE_INFO_WITH_HAP_MODULE | F.GET_BUNDLE_INFO_WITH_METADATA);
    assert.deepEqual(full.hapModulesInfo[0].metadata, [{ name: 'client_id', value: '1234567890' }]);
    const modulesOnly = await bundleManager.getBundleInfoForSelf(F.GET_BUNDLE_INFO_WITH_HAP_MODULE);
    assert.deepEqual(modulesOnly.hapModulesInfo[0].metadata, []);
    assert.deepEqual((await bundleManager.getBundleInfoForSelf(F.GET_BUNDLE_INFO_WITH_METADATA)).hapModulesInfo, []);
  });

  test('startAbility records the Want, or fails once when told to', async () => {
    const context = KitSim.abilityContext();
    await context.startAbility({ bundleName: 'com.huawei.hmos.settings', uri: 'application_info_entry' });
    assert.equal(KitSim.ability.started.length, 1);
    KitSim.ability.startFailure = 16000001;
    assert.equal(await codeOf(context.startAbility({ bundleName: 'x' })), 16000001);
    assert.equal(await codeOf(context.startAbility({ bundleName: 'x' })), 0);
    KitSim.reset();
    assert.equal(KitSim.ability.started.length, 0);
  });
});

describe('ArkData preferences', () => {
  test('values survive an app restart only after flush', async () => {
    const p = await preferences.getPreferences(ctx(), 'push');
    await p.put('token', 'a');
    await p.flush();
    await p.put('unflushed', 1);
    KitSim.preferences.restartApp();
    const again = await preferences.getPreferences(ctx(), 'push');
    assert.notEqual(again, p);
    assert.equal(await again.get('token', ''), 'a');
    assert.equal(await again.get('unflushed', 0), 0);
  });

  test('the same name gives the same cached instance; reset wipes the device', async () => {
    const a = await preferences.getPreferences(ctx(), { name: 'x' });
    assert.equal(await preferences.getPreferences(ctx(), 'x'), a);
    a.putSync('k', true);
    a.flushSync();
    KitSim.reset();
    const b = preferences.getPreferencesSync(ctx(), 'x');
    assert.equal(b.getSync('k', false), false);
  });

  test('bad keys, values and names are 401; flush can fail', async () => {
    const p = await preferences.getPreferences(ctx(), 'y');
    assert.throws(() => p.putSync('', 1), (e) => e.code === 401);
    assert.throws(() => p.putSync('k', { a: 1 }), (e) => e.code === 401);
    assert.equal(await codeOf(preferences.getPreferences(undefined, 'y')), 401);
    assert.equal(await codeOf(preferences.getPreferences(ctx(), 'a/b')), 401);
    KitSim.preferences.failures.failNext('flush', 15500000);
    assert.equal(await codeOf(p.flush()), 15500000);
  });
});

describe('hilog', () => {
  test('shows only public arguments, like a device', () => {
    assert.equal(formatHilog('%{public}s=%{public}d %{private}s %s 100%%', ['a', 3.7, 'secret', 'hidden']),
      'a=3 <private> <private> 100%');
    hilog.warn(0x1, 'T', '%{public}s', 'hello');
    assert.equal(KitSim.hilog.find('hello', 'WARN').length, 1);
    assert.equal(KitSim.hilog.find('hello', 'ERROR').length, 0);
  });
});

describe('NetworkKit', () => {
  test('reports the default network and tells registered connections about changes', () => {
    const conn = connection.createNetConnection();
    const events = [];
    conn.on('netLost', () => events.push('lost'));
    conn.on('netAvailable', () => events.push('available'));
    conn.register();
    KitSim.network.setOnline(false);
    assert.equal(connection.hasDefaultNetSync(), false);
    KitSim.network.setOnline(true);
    conn.unregister();
    KitSim.network.setOnline(false);
    assert.deepEqual(events, ['lost', 'available']);
  });
});

describe('BasicServicesKit deviceInfo', () => {
  test('useApiLevel sets every version field of the release; reset goes back to API 12', () => {
    KitSim.useApiLevel(14);
    assert.deepEqual([KitSim.device.sdkApiVersion, KitSim.device.distributionOSApiVersion, KitSim.device.osFullName],
      [14, 50002, 'HarmonyOS-5.0.2.0']);
    KitSim.useApiLevel(18);
    assert.equal(KitSim.device.distributionOSApiVersion, 50100);
    KitSim.useApiLevel(20);
    assert.equal(KitSim.device.distributionOSApiVersion, 60000);
    assert.throws(() => KitSim.useApiLevel(11), /no HarmonyOS release/);
    KitSim.device.deviceType = 'tablet';
    KitSim.reset();
    assert.deepEqual([KitSim.device.sdkApiVersion, KitSim.device.distributionOSApiVersion, KitSim.device.deviceType],
      [12, 50000, 'phone']);
  });
});

describe('ArkUI globals', () => {
  test('AppStorage.set updates only existing keys; setOrCreate creates; PersistentStorage keeps a value', () => {
    assert.equal(globalThis.AppStorage.set('k', 1), false);
    assert.equal(globalThis.AppStorage.has('k'), false);
    globalThis.AppStorage.setOrCreate('k', 1);
    assert.equal(globalThis.AppStorage.set('k', 2), true);
    assert.equal(globalThis.AppStorage.get('k'), 2);
    globalThis.PersistentStorage.persistProp('k', 5);
    assert.equal(globalThis.AppStorage.get('k'), 2);
    KitSim.reset();
    assert.equal(globalThis.AppStorage.has('k'), false);
  });

  test('canIUse follows the API level of the simulated device', () => {
    assert.equal(globalThis.canIUse('SystemCapability.Notification.NotificationSettings'), false);
    KitSim.useApiLevel(13);
    assert.equal(globalThis.canIUse('SystemCapability.Notification.NotificationSettings'), true);
    assert.equal(globalThis.canIUse('SystemCapability.Notification.Notification'), true);
  });

  test('canIUse follows the device type: Push Kit on a phone, tablet or 2in1; VoIP calls on phones and tablets only', () => {
    for (const [type, push, voip] of [['phone', true, true], ['tablet', true, true], ['2in1', true, false], ['wearable', false, false]]) {
      KitSim.device.deviceType = type;
      assert.equal(globalThis.canIUse('SystemCapability.Push.PushService'), push, type);
      assert.equal(globalThis.canIUse('SystemCapability.Telephony.VoipCallManager'), voip, type);
    }
  });

  test('canIUse: an unknown capability is false, a non-string argument is null', () => {
    assert.equal(globalThis.canIUse('SystemCapability.No.Such'), false);
    assert.equal(globalThis.canIUse(undefined), null);
    assert.equal(globalThis.canIUse(42), null);
    assert.equal(globalThis.canIUse(), null);
  });

  test('state decorators leave classes and members as they are', () => {
    const Cls = globalThis.Observed(class A {
      constructor() {
        this.x = 1;
      }
    });
    assert.equal(new Cls().x, 1);
    assert.equal(typeof globalThis.Monitor('x'), 'function');
  });
});

describe('the typed control panel (index.d.ts)', () => {
  // Every member ArkTS tests can see must exist in the implementation, or a test would fail at run time
  // with a TypeError instead of an assertion.
  test('declares only members the implementation has', () => {
    const dts = fs.readFileSync(path.join(here, '../index.d.ts'), 'utf8');
    const instances = { NotificationSim: KitSim.notification, PushSim: KitSim.push, PreferencesSim: KitSim.preferences,
      HilogSim: KitSim.hilog, NetworkSim: KitSim.network, KitSim, FailureQueue: KitSim.push.failures,
      AbilitySim: KitSim.ability, DeviceSim: KitSim.device };
    let checked = 0;
    for (const m of dts.matchAll(/export declare class (\w+) \{([\s\S]*?)\n\}/g)) {
      const target = instances[m[1]];
      if (!target) continue;
      for (const member of m[2].matchAll(/^\s+(?:static )?(?:readonly )?(\w+)\??[(:]/gm)) {
        assert.ok(member[1] in target, `${m[1]}.${member[1]} is declared in index.d.ts but not implemented`);
        checked += 1;
      }
    }
    assert.ok(checked > 30, `only ${checked} members checked`);
  });
});
