// The host kit simulations must behave as the device documents, or every suite built on them lies.
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '../globals.js';
import { KitSim } from '../control.js';
import { notificationManager } from '../kits/NotificationKit.js';
import { pushService, pushCommon, PushSim, DOCUMENTED_CODES } from '../kits/PushKit.js';
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

// Push Kit REST push-type header values (harmonyos-references/push-scenariozed-api-request-struct).
const ALERT = 0;
const EXTENSION = 2;
const BACKGROUND = 6;
const VOIP = 10;

/** A REST v3 Notification as a server sends it (category, title, body and clickAction are required). */
function notification(extra = {}) {
  return {
    category: 'IM', title: 'alice', body: 'hi',
    clickAction: { actionType: 1, action: 'com.example.pushuikit.chat', data: { route: 'chat', peer: 'alice' } },
    ...extra,
  };
}

const alertTo = (token, n = notification()) => ({ payload: { notification: n }, target: { token: [token] } });

/** A device that has a token and may show notifications. */
async function readyDevice() {
  KitSim.notification.setSystemSwitch(true);
  return pushService.getToken();
}

/** Registers a receiver for `type` and returns the payloads it gets. */
function listen(type) {
  const got = [];
  pushService.receiveMessage(type, new UIAbility(), (p) => got.push(p));
  return got;
}

const APP_ACCOUNT = pushCommon.AppProfileType.PROFILE_TYPE_APPLICATION_ACCOUNT;
const HUAWEI_ID = pushCommon.AppProfileType.PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT;

describe('PushKit token', () => {
  test('a token is 112 characters of [A-Za-z0-9_-] starting with MA, stable until deleteToken or rotation', async () => {
    const t1 = await pushService.getToken();
    assert.match(t1, /^MA[A-Za-z0-9_-]{110}$/);
    assert.equal(await pushService.getToken(), t1);
    await pushService.deleteToken();
    const t2 = await pushService.getToken();
    assert.notEqual(t2, t1);
    const t3 = KitSim.push.rotateToken();
    assert.notEqual(t3, t2);
    assert.equal(await pushService.getToken(), t3);
    assert.match(t3, /^MA[A-Za-z0-9_-]{110}$/);
  });

  test('two devices get different tokens', async () => {
    const other = new PushSim();
    assert.notEqual(other.rotateToken(), KitSim.push.rotateToken());
  });

  test('a new token unbinds every profile', async () => {
    await pushService.getToken();
    await pushService.bindAppProfileId(APP_ACCOUNT, 'h_abc');
    KitSim.push.rotateToken();
    assert.equal(KitSim.push.profiles.size, 0);
  });

  test('deleteToken deletes the profiles and the cached background message too', async () => {
    const token = await pushService.getToken();
    await pushService.bindAppProfileId(APP_ACCOUNT, 'h_abc');
    KitSim.push.receive(BACKGROUND, { payload: { extraData: 'x' }, target: { token: [token] } });
    await pushService.deleteToken();
    assert.equal(KitSim.push.profiles.size, 0);
    assert.equal(KitSim.push.cachedBackground, undefined);
    assert.equal(KitSim.push.token, undefined);
  });
});

describe('PushKit error codes', () => {
  test('failNext accepts only the codes the API declares', async () => {
    assert.throws(() => KitSim.push.failures.failNext('getToken', 1000900016), /does not document/);
    assert.throws(() => KitSim.push.failures.failNext('getToken', 401), /does not document/);
    assert.throws(() => KitSim.push.failures.failNext('deleteToken', 1000900012), /does not document/);
    assert.throws(() => KitSim.push.failures.failNext('unbindAppProfileId', 1000900015), /does not document/);
    assert.throws(() => KitSim.push.failures.failNext('receiveMessage', 1000900008), /does not document/);
    assert.throws(() => KitSim.push.failures.failNext('getPushToken', 1000900001), /not an API/);
    KitSim.push.failures.failNext('getToken', 1000900013);
    assert.equal(await codeOf(pushService.getToken()), 1000900013);
    assert.equal(await codeOf(pushService.getToken()), 0);
    KitSim.push.failures.failNext('receiveMessage', 1000900001);
    assert.throws(() => pushService.receiveMessage('IM', new UIAbility(), () => {}), (e) => e.code === 1000900001);
  });

  test('DOCUMENTED_CODES is the d.ts list per API', () => {
    const tail = (codes) => codes.map((c) => (c === 401 ? 401 : c - 1000900000));
    assert.deepEqual(tail(DOCUMENTED_CODES.getToken), [1, 8, 9, 10, 11, 12, 13, 14]);
    assert.deepEqual(tail(DOCUMENTED_CODES.deleteToken), [1, 8, 9, 10, 11]);
    assert.deepEqual(tail(DOCUMENTED_CODES.bindAppProfileId), [401, 1, 8, 9, 10, 15, 16]);
    assert.deepEqual(tail(DOCUMENTED_CODES.unbindAppProfileId), [401, 1, 8, 9, 10]);
    assert.deepEqual(tail(DOCUMENTED_CODES.receiveMessage), [401, 1, 5]);
  });

  for (const [cause, set] of [
    ['the app is not a HarmonyOS app in AGC', () => { KitSim.push.agc.harmonyOsApp = false; }],
    ['push is not enabled in Open capability management', () => { KitSim.push.agc.pushCapabilityEnabled = false; }],
    ['the signing profile was not requested again', () => { KitSim.push.agc.profileReissued = false; }],
    ['a cloud real device', () => { KitSim.push.cloudDebugging = true; }],
  ]) {
    test(`1000900010 from getToken, deleteToken, bind and unbind when ${cause}`, async () => {
      set();
      assert.equal(await codeOf(pushService.getToken()), 1000900010);
      assert.equal(await codeOf(pushService.deleteToken()), 1000900010);
      assert.equal(await codeOf(pushService.bindAppProfileId(APP_ACCOUNT, 'p')), 1000900010);
      assert.equal(await codeOf(pushService.unbindAppProfileId('p')), 1000900010);
    });
  }

  test('the app\'s client_id metadata plays no part in Push Kit (not needed since NEXT Developer Beta2)', async () => {
    KitSim.ability.metadata = [];
    assert.equal(await codeOf(pushService.getToken()), 0);
  });

  test('push rights not activated (12) and a cross-location device (13) fail getToken only', async () => {
    KitSim.push.agc.pushServiceActivated = false;
    assert.equal(await codeOf(pushService.getToken()), 1000900012);
    assert.equal(await codeOf(pushService.bindAppProfileId(APP_ACCOUNT, 'p')), 0);
    assert.equal(await codeOf(pushService.deleteToken()), 0);
    KitSim.push.agc.pushServiceActivated = true;
    KitSim.push.agc.dataLocationMatches = false;
    assert.equal(await codeOf(pushService.getToken()), 1000900013);
    assert.equal(await codeOf(pushService.unbindAppProfileId('p')), 0);
  });

  test('no network: 1000900011 from getToken and deleteToken, 1000900009 from bind and unbind', async () => {
    KitSim.push.networkAvailable = false;
    assert.equal(await codeOf(pushService.getToken()), 1000900011);
    assert.equal(await codeOf(pushService.deleteToken()), 1000900011);
    assert.equal(await codeOf(pushService.bindAppProfileId(APP_ACCOUNT, 'p')), 1000900009);
    assert.equal(await codeOf(pushService.unbindAppProfileId('p')), 1000900009);
  });

  test('1000900014 on devices without tokens: a watch before API 18, a TV before 19, a car', async () => {
    KitSim.device.deviceType = 'wearable';
    KitSim.useApiLevel(17);
    assert.equal(await codeOf(pushService.getToken()), 1000900014);
    KitSim.useApiLevel(18);
    assert.equal(await codeOf(pushService.getToken()), 0);
    KitSim.device.deviceType = 'tv';
    assert.equal(await codeOf(pushService.getToken()), 1000900014);
    KitSim.useApiLevel(19);
    assert.equal(await codeOf(pushService.getToken()), 0);
    KitSim.device.deviceType = 'car';
    assert.equal(await codeOf(pushService.getToken()), 1000900014);
    KitSim.device.deviceType = '2in1';
    assert.equal(await codeOf(pushService.getToken()), 0);
  });
});

describe('PushKit profiles', () => {
  test('profiles bind and unbind; bad arguments are 401', async () => {
    await pushService.bindAppProfileId(APP_ACCOUNT, 'h_abc');
    assert.equal(KitSim.push.profiles.get('h_abc'), 2);
    await pushService.unbindAppProfileId('h_abc');
    assert.equal(KitSim.push.profiles.size, 0);
    assert.equal(await codeOf(pushService.bindAppProfileId(7, 'x')), 401);
    assert.equal(await codeOf(pushService.bindAppProfileId(APP_ACCOUNT, '')), 401);
  });

  test('more than ten bound profiles is 1000900015; rebinding one is not', async () => {
    for (let i = 0; i < 10; i++) await pushService.bindAppProfileId(APP_ACCOUNT, `p${i}`);
    await pushService.bindAppProfileId(APP_ACCOUNT, 'p3');
    assert.equal(await codeOf(pushService.bindAppProfileId(APP_ACCOUNT, 'p10')), 1000900015);
  });

  test('binding the HUAWEI ID profile without a signed-in HUAWEI ID is 1000900016', async () => {
    KitSim.push.huaweiIdLoggedIn = false;
    assert.equal(await codeOf(pushService.bindAppProfileId(HUAWEI_ID, 'x')), 1000900016);
  });
});

describe('PushKit receiveMessage', () => {
  test('DEFAULT is refused with 401 at API 13 and accepted at 14', () => {
    KitSim.useApiLevel(13);
    assert.throws(() => pushService.receiveMessage('DEFAULT', new UIAbility(), () => {}), (e) => e.code === 401);
    KitSim.useApiLevel(14);
    pushService.receiveMessage('DEFAULT', new UIAbility(), () => {});
  });

  test('IM, VoIP, BACKGROUND and EMERGENCY are accepted at API 12; unknown types and bad arguments are 401', () => {
    const ability = new UIAbility();
    for (const type of ['IM', 'VoIP', 'BACKGROUND', 'EMERGENCY']) pushService.receiveMessage(type, ability, () => {});
    assert.throws(() => pushService.receiveMessage('SMS', ability, () => {}), (e) => e.code === 401);
    assert.throws(() => pushService.receiveMessage('toString', ability, () => {}), (e) => e.code === 401);
    assert.throws(() => pushService.receiveMessage('ALERT', ability, () => {}), (e) => e.code === 401);
    assert.throws(() => pushService.receiveMessage('IM', undefined, () => {}), (e) => e.code === 401);
  });

  test('a second receiver for the same push type is 1000900005', () => {
    const ability = new UIAbility();
    pushService.receiveMessage('IM', ability, () => {});
    assert.throws(() => pushService.receiveMessage('IM', ability, () => {}), (e) => e.code === 1000900005);
    pushService.receiveMessage('VoIP', ability, () => {});
  });
});

describe('PushKit receive: notifications (push-type 0)', () => {
  test('a notification payload never reaches the VoIP, IM or BACKGROUND receivers', async () => {
    KitSim.useApiLevel(14);
    const token = await readyDevice();
    const others = [listen('VoIP'), listen('IM'), listen('BACKGROUND')];
    assert.equal(KitSim.push.receive(ALERT, alertTo(token)), 'shown');
    KitSim.push.appInForeground = true;
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, notification({ foregroundShow: false }))), 'dropped');
    assert.deepEqual(others, [[], [], []]);
  });

  test('foregroundShow false in the background is shown, not delivered', async () => {
    KitSim.useApiLevel(14);
    const token = await readyDevice();
    const got = listen('DEFAULT');
    const n = notification({ foregroundShow: false });
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, n)), 'shown');
    assert.deepEqual(KitSim.push.shown, [n]);
    assert.equal(got.length, 0);
  });

  test('foregroundShow false in the foreground on API 14 goes to DEFAULT as an ALERT envelope, not shown', async () => {
    KitSim.useApiLevel(14);
    const token = await readyDevice();
    const got = listen('DEFAULT');
    KitSim.push.appInForeground = true;
    const n = notification({ foregroundShow: false });
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, n)), 'received:DEFAULT');
    assert.equal(got.length, 1);
    assert.equal(got[0].type, 'ALERT');
    assert.deepEqual(JSON.parse(got[0].data), { data: '', header: { token }, messageAction: 0, notification: n });
    assert.equal(KitSim.push.shown.length, 0);
  });

  test('foregroundShow false in the foreground on API 13: hidden without a callback, or shown when told so', async () => {
    KitSim.useApiLevel(13);
    const token = await readyDevice();
    KitSim.push.appInForeground = true;
    const n = notification({ foregroundShow: false });
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, n)), 'hidden:foreground');
    assert.equal(KitSim.push.shown.length, 0);
    KitSim.push.legacyForegroundShowsBanner = true;
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, n)), 'shown');
  });

  test('foregroundShow true (the default) in the foreground is shown and calls no receiver', async () => {
    KitSim.useApiLevel(14);
    const token = await readyDevice();
    const got = listen('DEFAULT');
    KitSim.push.appInForeground = true;
    assert.equal(KitSim.push.receive(ALERT, alertTo(token)), 'shown');
    assert.equal(got.length, 0);
  });

  test('a notification for a profile that is not bound is hidden; a bound one is shown', async () => {
    const token = await readyDevice();
    await pushService.bindAppProfileId(APP_ACCOUNT, 'bob');
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, notification({ profileId: 'alice' }))), 'hidden:profile');
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, notification({ profileId: 'bob' }))), 'shown');
    assert.equal(KitSim.push.receive(ALERT, alertTo(token)), 'shown');
    KitSim.push.rotateToken();
    assert.equal(KitSim.push.receive(ALERT, { payload: { notification: notification({ profileId: 'bob' }) } }), 'hidden:profile');
  });

  test('a HUAWEI ID profile matches only while the HUAWEI ID is signed in', async () => {
    const token = await readyDevice();
    await pushService.bindAppProfileId(HUAWEI_ID, 'hw');
    KitSim.push.huaweiIdLoggedIn = false;
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, notification({ profileId: 'hw' }))), 'hidden:profile');
  });

  test('a request for another token, or any request to a device without a token, is not for this device', async () => {
    assert.equal(KitSim.push.receive(ALERT, { payload: { notification: notification() } }), 'not-for-this-device');
    const token = await readyDevice();
    assert.equal(KitSim.push.receive(ALERT, alertTo(`${token}x`)), 'not-for-this-device');
    assert.equal(KitSim.push.receive(ALERT, { payload: { notification: notification() } }), 'shown');
    await pushService.deleteToken();
    assert.equal(KitSim.push.receive(ALERT, alertTo(token)), 'not-for-this-device');
  });

  test('without notification permission nothing is shown', async () => {
    const token = await pushService.getToken();
    assert.equal(KitSim.push.receive(ALERT, alertTo(token, notification({ badge: { setNum: 3 } }))), 'hidden:disabled');
    assert.equal(KitSim.notification.badge, 0);
  });

  test('the badge: setNum sets it (over addNum), addNum adds, no badge leaves it', async () => {
    const token = await readyDevice();
    KitSim.push.receive(ALERT, alertTo(token, notification({ badge: { addNum: 2 } })));
    KitSim.push.receive(ALERT, alertTo(token, notification({ badge: { addNum: 1 } })));
    KitSim.push.receive(ALERT, alertTo(token));
    assert.equal(KitSim.notification.badge, 3);
    KitSim.push.receive(ALERT, alertTo(token, notification({ badge: { setNum: 7, addNum: 1 } })));
    assert.equal(KitSim.notification.badge, 7);
    assert.deepEqual(KitSim.notification.badgeHistory, [2, 3, 7]);
  });

  test('a notification with the notifyId of a shown one replaces it', async () => {
    const token = await readyDevice();
    KitSim.push.receive(ALERT, alertTo(token, notification({ notifyId: 5, body: 'one' })));
    KitSim.push.receive(ALERT, alertTo(token, notification({ notifyId: 6 })));
    KitSim.push.receive(ALERT, alertTo(token, notification({ notifyId: 5, body: 'two' })));
    assert.deepEqual(KitSim.push.shown.map((n) => n.body), ['hi', 'two']);
  });

  test('tap opens EntryAbility with clickAction.data flat in want.parameters; actionType 0 has no action', async () => {
    const token = await readyDevice();
    assert.throws(() => KitSim.push.tap(), /no notification is shown/);
    KitSim.push.receive(ALERT, alertTo(token, notification({ clickAction: { actionType: 0, data: { k: 'v' } } })));
    KitSim.push.receive(ALERT, alertTo(token));
    const want = KitSim.push.tap();
    assert.deepEqual({ ...want }, { bundleName: 'com.example.pushuikit', abilityName: 'EntryAbility',
      action: 'com.example.pushuikit.chat', parameters: { route: 'chat', peer: 'alice' } });
    const home = KitSim.push.tap();
    assert.equal(home.action, undefined);
    assert.deepEqual(home.parameters, { k: 'v' });
    assert.equal(KitSim.push.shown.length, 0);
  });
});

describe('PushKit receive: other push types', () => {
  test('VoIP (push-type 10) hands extraData to the VoIP receiver; without one it is dropped', async () => {
    const token = await pushService.getToken();
    const body = { payload: { extraData: '{"callId":"c1"}' }, target: { token: [token] } };
    assert.equal(KitSim.push.receive(VOIP, body), 'dropped');
    const got = listen('VoIP');
    const im = listen('IM');
    assert.equal(KitSim.push.receive(VOIP, body), 'received:VoIP');
    assert.equal(got[0].type, 'VoIP');
    // push-voip: the content carries Push Kit's own callId (the one reportIncomingCall must use), and the
    // system starts counting the 10 s to report it.
    const content = JSON.parse(got[0].data);
    assert.deepEqual({ data: content.data, header: content.header }, { data: '{"callId":"c1"}', header: { token } });
    assert.match(content.callId, /^voip1[0-9a-f]{12}$/);
    assert.equal(KitSim.push.lastVoipCallId, content.callId);
    assert.deepEqual(KitSim.voip.pushes.map((p) => p.callId), [content.callId]);
    assert.equal(im.length, 0);
  });

  test('push-type 2 goes to the IM receiver in the foreground and to the extension otherwise', async () => {
    const token = await pushService.getToken();
    const got = listen('IM');
    const n = notification({ category: 'PLAY_VOICE' });
    const body = { payload: { notification: n, extraData: 'voice' }, target: { token: [token] } };
    assert.equal(KitSim.push.receive(EXTENSION, body), 'extension');
    KitSim.push.appInForeground = true;
    assert.equal(KitSim.push.receive(EXTENSION, body), 'received:IM');
    assert.deepEqual(JSON.parse(got[0].data), { data: 'voice', header: { token }, messageAction: 0, notification: n });
    assert.equal(KitSim.push.shown.length, 0);
  });

  test('background messages: delivered in the foreground; otherwise only the latest is cached and resent on a foreground getToken', async () => {
    const token = await pushService.getToken();
    const got = listen('BACKGROUND');
    const bg = (extraData) => ({ payload: { extraData }, target: { token: [token] } });
    assert.equal(KitSim.push.receive(BACKGROUND, bg('one')), 'cached');
    assert.equal(KitSim.push.receive(BACKGROUND, bg('two')), 'cached');
    await pushService.getToken();
    await KitSim.settle();
    assert.equal(got.length, 0); // still in the background: kept
    KitSim.push.appInForeground = true;
    await pushService.getToken();
    await KitSim.settle();
    assert.deepEqual(got.map((p) => JSON.parse(p.data).data), ['two']);
    assert.equal(KitSim.push.receive(BACKGROUND, bg('three')), 'received:BACKGROUND');
    assert.equal(KitSim.push.cachedBackground, undefined);
  });

  test('push-types 1 and 7 are the system\'s; other push-types and malformed requests are TypeErrors', async () => {
    const token = await readyDevice();
    const got = listen('IM');
    assert.equal(KitSim.push.receive(1, { payload: {}, target: { token: [token] } }), 'system');
    assert.equal(KitSim.push.receive(7, { payload: {} }), 'system');
    assert.equal(got.length, 0);
    assert.throws(() => KitSim.push.receive(3, { payload: {} }), TypeError);
    assert.throws(() => KitSim.push.receive(ALERT, { payload: {} }), TypeError);
    assert.throws(() => KitSim.push.receive(ALERT, { payload: { notification: { title: 't', body: 'b' } } }), TypeError);
    assert.throws(() => KitSim.push.receive(ALERT, alertTo(token, notification({ badge: { setNum: 100 } }))), TypeError);
    assert.throws(() => KitSim.push.receive(VOIP, { payload: { extraData: { a: 1 } } }), TypeError);
    assert.throws(() => KitSim.push.receive(EXTENSION, { payload: { notification: notification(), extraData: 'x' } }), TypeError);
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
      AbilitySim: KitSim.ability, DeviceSim: KitSim.device, AgcState: KitSim.push.agc, VoipSim: KitSim.voip,
      VibratorSim: KitSim.vibrator, MediaSim: KitSim.media };
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

describe('AbilityKit application.createModuleContext and rawfiles', () => {
  test('a module context reads that module\'s rawfile; a missing file is 9001005, an unknown module 16000050', async () => {
    const { application } = await import('../kits/AbilityKit.js');
    const ctx = await application.createModuleContext({}, 'call');
    const raw = await ctx.resourceManager.getRawFd('common/ringtone/ringtone.wav');
    assert.equal(raw.offset, 0);
    assert.ok(raw.length > 1000);
    await ctx.resourceManager.closeRawFd('common/ringtone/ringtone.wav');
    await assert.rejects(ctx.resourceManager.getRawFd('common/none.wav'), (e) => e.code === 9001005);
    await assert.rejects(ctx.resourceManager.getRawFd('../../module.json5'), (e) => e.code === 9001005);
    await assert.rejects(ctx.resourceManager.closeRawFd('common/ringtone/ringtone.wav'), (e) => e.code === 9001005);
    await assert.rejects(application.createModuleContext({}, 'nosuchmodule'), (e) => e.code === 16000050);
    await assert.rejects(application.createModuleContext(undefined, 'call'), (e) => e.code === 401);
  });
});

describe('LocalizationKit i18n (js-apis-i18n)', () => {
  test('getTimeZone() is the device zone; an id gives that zone; junk is refused', async () => {
    const { i18n, sim } = await import('../kits/LocalizationKit.js');
    sim.reset();
    assert.equal(i18n.getTimeZone().getID(), 'Asia/Shanghai');
    sim.timeZone = 'Europe/Berlin';
    assert.equal(i18n.getTimeZone().getID(), 'Europe/Berlin');
    assert.equal(i18n.getTimeZone('Asia/Kolkata').getID(), 'Asia/Kolkata');
    assert.throws(() => i18n.getTimeZone('Mars/Base'), (e) => e.code === 401);
    assert.equal(i18n.System.getSystemLanguage(), 'zh-Hans');
    sim.reset();
  });
});
