// The Settings feature through the API: the do-not-disturb window (validation, persistence, the `settings`
// event to every device of the user, and push suppression against the fake Push Kit on the rig's clock),
// and the editable display name (PUT /me: validation, the `profile` event, its own rate limit). Time is
// the rig's injected clock, frozen unless a test moves it.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call, bindDevice, drained, LiveDevice, until, sendMessage } from './helpers.js';
import type { Rig } from './helpers.js';

const BOB_PHONE = 'IQAAAACy0bobphonebobphonebobphonebobphone';
const DEFAULTS = { dnd: false, dndStart: 1320, dndEnd: 420, timeZone: 'UTC', preview: true, multiDevicePolicy: 'allOffline' };

let rig: Rig;
let clock: number;
let alice: string;
let bob: string;

/** A fresh server whose clock reads `iso`, with Alice and Bob; Bob's phone is bound and offline. */
async function aliceAndOfflineBob(iso: string, extra: NodeJS.ProcessEnv = {}): Promise<void> {
  clock = Date.parse(iso);
  rig = await startRig({ CALL_TIMEOUT_MS: '60000', ...extra }, () => clock);
  alice = await login(rig, 'alice', 'Alice');
  bob = await login(rig, 'bob', 'Bob');
  await bindDevice(rig, bob, 'phone', BOB_PHONE);
}

async function putSettings(token: string, body: unknown) {
  return call(rig, token, 'PUT', '/settings', body);
}

/** Sends raw JSON text, so numbers such as 22.0 or 1e309 reach the server as written. */
async function raw(token: string, method: 'PUT', url: string, json: string) {
  return rig.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: json });
}

function assertBadRequest(r: { statusCode: number; body: string; json(): { error?: unknown; field?: unknown } }, field: string, what: string): void {
  assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
  assert.equal(typeof r.json().error, 'string', what);
  assert.equal(r.json().field, field, `${what}: ${r.body}`);
}

/** Outbox rows (pushes queued) for one message or call, of any kind. */
function queued(refId: string): number {
  return (rig.server.db.prepare('SELECT COUNT(*) AS n FROM push_outbox WHERE ref_id = ?').get(refId) as { n: number }).n;
}

/** Alice writes to Bob at the clock's `iso`: whether a push to Bob was queued for it (and reached Push Kit). */
async function pushedAt(iso: string, text: string): Promise<boolean> {
  clock = Date.parse(iso);
  const before = rig.fake.accepted.length;
  const m = await sendMessage<{ id: string }>(rig, alice, { to: 'bob' }, text, `c-${text.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  await drained(rig);
  const sent = rig.fake.accepted.slice(before).filter((r) => r.body.payload.notification?.clickAction.data.messageId === m.id).length;
  assert.equal(sent, queued(m.id), 'what was queued is what Push Kit received');
  return queued(m.id) > 0;
}

describe('settings: the do-not-disturb window', () => {
  beforeEach(() => aliceAndOfflineBob('2024-06-03T12:00:00Z'));
  afterEach(async () => { await rig.stop(); });

  test('a new user has the defaults: dnd off, 22:00 to 07:00, UTC', async () => {
    const r = await call(rig, bob, 'GET', '/settings');
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), DEFAULTS);
  });

  test('PUT takes any subset, answers all settings, and a fresh GET reads the same', async () => {
    const one = await putSettings(bob, { timeZone: 'Asia/Shanghai' });
    assert.equal(one.statusCode, 200, one.body);
    assert.deepEqual(one.json(), { ...DEFAULTS, timeZone: 'Asia/Shanghai' });
    const two = await putSettings(bob, { dnd: true, dndStart: 0, dndEnd: 1439 });
    assert.deepEqual(two.json(), { ...DEFAULTS, timeZone: 'Asia/Shanghai', dnd: true, dndStart: 0, dndEnd: 1439 }, 'the zone set before is kept');
    const all = { dnd: false, dndStart: 1439, dndEnd: 0, timeZone: 'Asia/Kathmandu', preview: false, multiDevicePolicy: 'anyOffline' };
    assert.deepEqual((await putSettings(bob, all)).json(), all);
    assert.deepEqual((await call(rig, bob, 'GET', '/settings')).json(), all);
    assert.deepEqual((await call(rig, alice, 'GET', '/settings')).json(), DEFAULTS, 'Bob\'s settings are not Alice\'s');
  });

  test('22.0 is the integer 22 (JSON does not tell them apart); the same values again answer the same', async () => {
    assert.equal((await raw(bob, 'PUT', '/settings', '{"dndStart":22.0}')).json().dndStart, 22);
    const a = await putSettings(bob, { dndEnd: 30, timeZone: 'Europe/Berlin' });
    assert.deepEqual((await putSettings(bob, { dndEnd: 30, timeZone: 'Europe/Berlin' })).json(), a.json());
  });

  test('every malformed value is 400 naming its field, and changes nothing', async () => {
    const cases: [string, string][] = [
      ['{"dnd":"true"}', 'body/dnd'], ['{"dnd":1}', 'body/dnd'], ['{"dnd":null}', 'body/dnd'],
      ['{"dndStart":"22"}', 'body/dndStart'], ['{"dndStart":22.5}', 'body/dndStart'], ['{"dndStart":-1}', 'body/dndStart'],
      ['{"dndStart":1440}', 'body/dndStart'], ['{"dndStart":1e309}', 'body/dndStart'], ['{"dndStart":null}', 'body/dndStart'],
      ['{"dndStart":true}', 'body/dndStart'], ['{"dndStart":[600]}', 'body/dndStart'],
      ['{"dndEnd":"420"}', 'body/dndEnd'], ['{"dndEnd":419.9}', 'body/dndEnd'], ['{"dndEnd":1440}', 'body/dndEnd'], ['{"dndEnd":-0.5}', 'body/dndEnd'],
      ['{"timeZone":"Mars/Base"}', 'body/timeZone'], ['{"timeZone":"+05:30"}', 'body/timeZone'], ['{"timeZone":"UTC+8"}', 'body/timeZone'],
      ['{"timeZone":""}', 'body/timeZone'], ['{"timeZone":"UTC "}', 'body/timeZone'], ['{"timeZone":8}', 'body/timeZone'],
      ['{"timeZone":null}', 'body/timeZone'], [`{"timeZone":"${'A'.repeat(65)}"}`, 'body/timeZone'],
      [`{"timeZone":"Asia/${'x'.repeat(60)}"}`, 'body/timeZone'],
      ['{"multiDevicePolicy":"sometimes"}', 'body/multiDevicePolicy'], ['{"preview":"false"}', 'body/preview'],
      ['{"quietHours":true}', 'body/quietHours'], ['{"dnd":true,"dndstart":600}', 'body/dndstart'],
      ['{}', 'body'], ['[]', 'body'], ['"dnd"', 'body'],
      // A valid field beside a bad one: nothing of the request is applied.
      ['{"dnd":true,"dndEnd":1440}', 'body/dndEnd'], ['{"dnd":true,"timeZone":"Mars/Base"}', 'body/timeZone'],
    ];
    const live = await LiveDevice.connect(rig, bob, 'tablet');
    for (const [json, field] of cases) assertBadRequest(await raw(bob, 'PUT', '/settings', json), field, json);
    assert.match((await raw(bob, 'PUT', '/settings', '{"timeZone":"Mars/Base"}')).json().error, /IANA time zone/);
    assert.match((await raw(bob, 'PUT', '/settings', '{"dndStart":1440}')).json().error, /<= 1439/);
    assert.deepEqual((await call(rig, bob, 'GET', '/settings')).json(), DEFAULTS, 'nothing changed');
    assert.deepEqual(live.of('settings'), [], 'and nobody was told of a change');
    await live.close();
  });

  test('after a change every device of the user gets the full settings, the one that asked included; nobody else', async () => {
    const phone = await LiveDevice.connect(rig, bob, 'phone');
    const tablet = await LiveDevice.connect(rig, bob, 'tablet');
    const alices = await LiveDevice.connect(rig, alice, 'phone');
    const r = await putSettings(bob, { dnd: true, timeZone: 'Asia/Kolkata' });
    const expected = { type: 'settings', settings: { ...DEFAULTS, dnd: true, timeZone: 'Asia/Kolkata' } };
    assert.deepEqual(r.json(), expected.settings);
    await until(() => phone.of('settings').length === 1 && tablet.of('settings').length === 1);
    assert.deepEqual(phone.of('settings'), [expected]);
    assert.deepEqual(tablet.of('settings'), [expected]);
    await putSettings(bob, { dndEnd: 360 });
    await until(() => tablet.of('settings').length === 2);
    assert.deepEqual(tablet.of('settings')[1].settings, { ...expected.settings, dndEnd: 360 }, 'always the whole settings, not the change');
    // Alice's socket saw everything up to a later event of her own: no settings event of Bob's among it.
    await putSettings(alice, { preview: false });
    await until(() => alices.of('settings').length === 1);
    assert.deepEqual(alices.of('settings')[0].settings, { ...DEFAULTS, preview: false });
    assert.equal(phone.of('settings').length, 2, 'Bob\'s devices do not get Alice\'s');
    await Promise.all([phone.close(), tablet.close(), alices.close()]);
  });
});

describe('do-not-disturb against the server clock: pushes to an offline user', () => {
  // Monday 3 June 2024. Bob lives in Shanghai (UTC+8): his 22:00 is 14:00 UTC, his 07:00 is 23:00 UTC.
  beforeEach(async () => {
    await aliceAndOfflineBob('2024-06-03T12:00:00Z');
    assert.equal((await putSettings(bob, { dnd: true, dndStart: 1320, dndEnd: 420, timeZone: 'Asia/Shanghai' })).statusCode, 200);
  });
  afterEach(async () => { await rig.stop(); });

  test('before the window (21:59 local) a message is pushed', async () => {
    assert.equal(await pushedAt('2024-06-03T13:59:00Z', 'at 21:59'), true);
  });

  test('from its start (22:00 local, inclusive) no push is queued; the message is stored and unread', async () => {
    assert.equal(await pushedAt('2024-06-03T14:00:00Z', 'at 22:00'), false);
    assert.equal(rig.fake.requests, 0);
    assert.equal((await call(rig, bob, 'GET', '/unread')).json().total, 1, 'it counts as unread');
  });

  test('across midnight and until just before its end (06:59 local) nothing is pushed', async () => {
    assert.equal(await pushedAt('2024-06-03T16:00:00Z', 'at 00:00'), false);
    assert.equal(await pushedAt('2024-06-03T22:59:59Z', 'at 06:59'), false);
    assert.equal(rig.fake.requests, 0);
  });

  test('at its end (07:00 local, exclusive) pushes go again, with the badge of everything unread', async () => {
    assert.equal(await pushedAt('2024-06-03T22:00:00Z', 'at 06:00'), false);
    assert.equal(await pushedAt('2024-06-03T23:00:00Z', 'at 07:00'), true);
    assert.equal(rig.fake.accepted[0].body.payload.notification.badge.setNum, 2, 'the quiet message counts on the badge');
  });

  test('the window is Bob\'s local time: at 14:00 UTC a user in UTC is outside 22:00-07:00 and gets the push', async () => {
    await putSettings(bob, { timeZone: 'UTC' });
    assert.equal(await pushedAt('2024-06-03T14:00:00Z', 'utc 14:00'), true);
    await putSettings(bob, { timeZone: 'Asia/Shanghai' });
    assert.equal(await pushedAt('2024-06-03T14:01:00Z', 'shanghai 22:01'), false);
  });

  test('a message still arrives over the socket during the window', async () => {
    clock = Date.parse('2024-06-03T15:00:00Z');
    const tablet = await LiveDevice.connect(rig, bob, 'tablet');
    const m = await sendMessage<{ id: string }>(rig, alice, { to: 'bob' }, 'quiet but live', 'live1');
    await until(() => tablet.of('message').length === 1);
    assert.equal(tablet.of('message')[0].message.id, m.id);
    await tablet.close();
  });

  test('dnd off: pushed inside the window\'s hours, and with an all-day window too', async () => {
    await putSettings(bob, { dnd: false });
    assert.equal(await pushedAt('2024-06-03T14:00:00Z', 'off at 22:00'), true);
    await putSettings(bob, { dndStart: 600, dndEnd: 600 });
    assert.equal(await pushedAt('2024-06-03T18:00:00Z', 'off all day'), true);
    await putSettings(bob, { dnd: true });
    assert.equal(await pushedAt('2024-06-03T06:00:00Z', 'on all day at 14:00 local'), false, 'start == end: quiet all day');
  });

  test('a window within one day (09:00-17:00 local): inside it quiet, outside pushed', async () => {
    await putSettings(bob, { dndStart: 540, dndEnd: 1020 });
    assert.equal(await pushedAt('2024-06-03T00:59:00Z', 'at 08:59'), true);
    assert.equal(await pushedAt('2024-06-03T01:00:00Z', 'at 09:00'), false);
    assert.equal(await pushedAt('2024-06-03T08:59:00Z', 'at 16:59'), false);
    assert.equal(await pushedAt('2024-06-03T09:00:00Z', 'at 17:00'), true);
  });

  test('call invitations and missed calls are quiet in the window too, and pushed outside it', async () => {
    clock = Date.parse('2024-06-03T14:30:00Z');
    const quiet = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'audio' })).json();
    clock = quiet.expiresAt;
    rig.server.service.sweepCalls();
    assert.equal((await call(rig, bob, 'GET', `/calls/${quiet.callId}`)).json().state, 'missed');
    await drained(rig);
    assert.equal(queued(quiet.callId), 0, 'neither the invitation nor the missed call');
    assert.equal(rig.fake.requests, 0);

    clock = Date.parse('2024-06-04T01:00:00Z'); // 09:00 local
    const loud = (await call(rig, alice, 'POST', '/calls', { to: 'bob', media: 'video' })).json();
    clock = loud.expiresAt;
    rig.server.service.sweepCalls();
    await drained(rig);
    assert.deepEqual((rig.server.db.prepare('SELECT kind FROM push_outbox WHERE ref_id = ? ORDER BY id').all(loud.callId) as { kind: string }[])
      .map((r) => r.kind), ['call', 'missedCall']);
  });
});

describe('PUT /me: the display name', () => {
  beforeEach(() => aliceAndOfflineBob('2024-06-03T12:00:00Z'));
  afterEach(async () => { await rig.stop(); });

  test('answers as GET /me does, trimmed; GET /me and the peer\'s pages read the new name', async () => {
    const m = await sendMessage<{ conversationId: string }>(rig, alice, { to: 'bob' }, 'before the rename', 'r1');
    const me = (await call(rig, alice, 'GET', '/me')).json();
    const r = await call(rig, alice, 'PUT', '/me', { displayName: '  Alice Liddell \u3000' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { userId: 'alice', displayName: 'Alice Liddell', pushProfileId: me.pushProfileId });
    assert.deepEqual((await call(rig, alice, 'GET', '/me')).json(), r.json());
    const page = (await call(rig, bob, 'GET', `/conversations/${m.conversationId}/messages`)).json();
    assert.equal(page.messages[0].senderName, 'Alice Liddell', 'old messages show the new name (joined at read time)');
    assert.equal((await call(rig, bob, 'GET', '/conversations')).json().conversations[0].name, 'Alice Liddell');
    await sendMessage(rig, alice, { to: 'bob' }, 'after the rename', 'r2');
    await drained(rig);
    assert.equal(rig.fake.accepted.at(-1)?.body.payload.notification.title, 'Alice Liddell', 'and so does the next push');
  });

  test('characters are counted, not UTF-16 units: 64 emoji fit, 65 do not', async () => {
    const r = await call(rig, alice, 'PUT', '/me', { displayName: '😀'.repeat(64) });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().displayName, '😀'.repeat(64));
    assertBadRequest(await call(rig, alice, 'PUT', '/me', { displayName: '😀'.repeat(65) }), 'body/displayName', '65 emoji');
    assert.equal((await call(rig, alice, 'PUT', '/me', { displayName: '👩‍👩‍👧 e\u0301' })).statusCode, 200, 'joiners and combining marks are not controls');
  });

  test('the user\'s devices get a profile event; a member of their conversations does not', async () => {
    await sendMessage(rig, alice, { to: 'bob' }, 'hi', 'p1');
    const phone = await LiveDevice.connect(rig, alice, 'phone');
    const tablet = await LiveDevice.connect(rig, alice, 'tablet');
    const bobs = await LiveDevice.connect(rig, bob, 'phone');
    await call(rig, alice, 'PUT', '/me', { displayName: 'Al' });
    const expected = { type: 'profile', userId: 'alice', displayName: 'Al' };
    await until(() => phone.of('profile').length === 1 && tablet.of('profile').length === 1);
    assert.deepEqual(phone.of('profile'), [expected]);
    assert.deepEqual(tablet.of('profile'), [expected]);
    // Bob's socket saw everything up to a later event of his own: no profile event of Alice's among it.
    await call(rig, bob, 'PUT', '/me', { displayName: 'Bobby' });
    await until(() => bobs.of('profile').length === 1);
    assert.deepEqual(bobs.of('profile'), [{ type: 'profile', userId: 'bob', displayName: 'Bobby' }]);
    assert.equal(phone.of('profile').length, 1);
    await Promise.all([phone.close(), tablet.close(), bobs.close()]);
  });

  test('empty, blank, too long, control characters, wrong types and unknown fields are 400, and change nothing', async () => {
    const cases: [string, string][] = [
      ['{"displayName":""}', 'body/displayName'], ['{"displayName":"   "}', 'body/displayName'],
      ['{"displayName":"\\u3000\\u00a0"}', 'body/displayName'], [`{"displayName":"${'x'.repeat(65)}"}`, 'body/displayName'],
      ['{"displayName":"a\\u0000b"}', 'body/displayName'], ['{"displayName":"Al\\nice"}', 'body/displayName'],
      ['{"displayName":"\\tAlice"}', 'body/displayName'], ['{"displayName":"Alice\\r\\n"}', 'body/displayName'],
      ['{"displayName":"A\\u007f"}', 'body/displayName'], ['{"displayName":"A\\u0085"}', 'body/displayName'],
      ['{"displayName":"\\ud800"}', 'body/displayName'], ['{"displayName":42}', 'body/displayName'],
      ['{"displayName":null}', 'body/displayName'], ['{"displayName":["Al"]}', 'body/displayName'],
      ['{"displayName":"\u200b"}', 'body/displayName'], ['{"displayName":"\u200d\u200c"}', 'body/displayName'],
      ['{"displayName":"Bob\u202e"}', 'body/displayName'], ['{"displayName":"A\u2066B\u2069"}', 'body/displayName'],
      ['{"displayName":"A\u2028B"}', 'body/displayName'],
      ['{"displayName":"Al","userId":"bob"}', 'body/userId'], ['{"name":"Al"}', 'body'], ['{}', 'body'], ['"Al"', 'body'],
    ];
    const live = await LiveDevice.connect(rig, alice, 'phone');
    for (const [json, field] of cases) assertBadRequest(await raw(alice, 'PUT', '/me', json), field, json);
    assert.match((await raw(alice, 'PUT', '/me', '{"displayName":"a\\u0001"}')).json().error, /control or invisible/);
    assert.match((await raw(alice, 'PUT', '/me', '{"name":"Al"}')).json().error, /required property 'displayName'/, 'a missing name is named in the text');
    assert.equal((await call(rig, alice, 'GET', '/me')).json().displayName, 'Alice', 'nothing changed');
    assert.deepEqual(live.of('profile'), [], 'and nobody was told');
    await live.close();
    // Joiners that scripts and emoji sequences need are fine.
    assert.equal((await raw(alice, 'PUT', '/me', '{"displayName":"👩\\u200d💻 می\\u200cخواهم"}')).statusCode, 200);
    assert.equal((await raw(alice, 'PUT', '/me', '{"displayName":"Alice"}')).statusCode, 200);
  });

  test('registration refuses the same names (one rule for a name, whichever way it is set)', async () => {
    const r = await rig.inject({ method: 'POST', url: '/api/v1/accounts', payload: { userId: 'zed', password: 'long enough', displayName: 'Z\ned' } });
    assertBadRequest(r, 'body/displayName', 'a line break at registration');
  });
});

describe('PUT /me: rate limit', () => {
  beforeEach(() => aliceAndOfflineBob('2024-06-03T12:00:00Z', { RATE_PROFILE_CHANGES_PER_MIN: '3' }));
  afterEach(async () => { await rig.stop(); });

  test('name changes have their own per-user limit (429 with Retry-After); reading and other users are not held', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await call(rig, alice, 'PUT', '/me', { displayName: `Alice ${i}` })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429]);
    const limited = await call(rig, alice, 'PUT', '/me', { displayName: 'Alice 9' });
    assert.match(limited.json().error, /at most 3 per minute/);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await call(rig, alice, 'GET', '/me')).json().displayName, 'Alice 2', 'a limited change is not applied');
    assert.equal((await call(rig, bob, 'PUT', '/me', { displayName: 'Bobby' })).statusCode, 200, 'per user');
    assert.equal((await putSettings(alice, { dnd: true })).statusCode, 200, 'settings are not name changes');
  });
});
