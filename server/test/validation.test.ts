// Input validation without coercion: every finding of the hostile-input review, one case each.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, login, call } from './helpers.js';
import type { Rig } from './helpers.js';

/** Sends raw JSON text (so 1e309 and lone surrogates reach the server as written). */
async function raw(rig: Rig, token: string, method: 'POST' | 'PUT', url: string, json: string) {
  return rig.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: json });
}

function assertBadRequest(r: { statusCode: number; json(): { error?: unknown; field?: unknown } }, field: string, what: string): void {
  assert.equal(r.statusCode, 400, what);
  const body = r.json();
  assert.equal(typeof body.error, 'string', what);
  assert.equal(body.field, field, `${what}: ${JSON.stringify(body)}`);
}

describe('validation', () => {
  let rig: Rig;
  let alice: string;
  let bob: string;
  let conversationId: string;
  before(async () => {
    rig = await startRig();
    alice = await login(rig, 'alice', 'Alice');
    bob = await login(rig, 'bob', 'Bob');
    conversationId = (await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'first', clientMsgId: 'v0' })).json().conversationId;
  });
  after(async () => { await rig.stop(); });

  test('numbers in query strings are finite integers in range, written as plain digits', async () => {
    const bad = ['1e309', '-1e309', '9'.repeat(400), '0', '101', '-1', '1.5', '0x10', ' 5', '5 ', 'abc', '', '1e1'];
    for (const value of bad) {
      const r = await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?limit=${encodeURIComponent(value)}`);
      assertBadRequest(r, 'querystring/limit', `limit=${value.slice(0, 20)}`);
    }
    assertBadRequest(await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?limit=1&limit=2`), 'querystring/limit', 'two limits');
    assertBadRequest(await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?before=1e309`), 'querystring/before', 'before=1e309');
    const ok = await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?limit=100&before=2`);
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().messages.map((m: { text: string }) => m.text), ['first']);
  });

  test('body numbers are integers: not strings, not Infinity, not fractions', async () => {
    const url = `/conversations/${conversationId}/read`;
    for (const json of ['{"upToSeq":"1"}', '{"upToSeq":1e309}', '{"upToSeq":-1e309}', '{"upToSeq":1.5}', '{"upToSeq":null}', '{"upToSeq":true}', '{"upToSeq":[1]}']) {
      assertBadRequest(await raw(rig, bob, 'POST', url, json), 'body/upToSeq', json);
    }
    assert.equal((await raw(rig, bob, 'POST', url, '{"upToSeq":1}')).statusCode, 200);
  });

  test('wrong types are refused, not converted', async () => {
    const r = await raw(rig, alice, 'POST', '/messages', '{"to":["bob"],"text":42,"clientMsgId":7}');
    assert.equal(r.statusCode, 400);
    const page = (await call(rig, bob, 'GET', `/conversations/${conversationId}/messages`)).json();
    assert.deepEqual(page.messages.map((m: { text: string }) => m.text), ['first'], 'nothing was stored');
    assertBadRequest(await raw(rig, alice, 'POST', '/messages', '{"to":"bob","text":42,"clientMsgId":"t1"}'), 'body/text', 'text 42');
    assertBadRequest(await raw(rig, alice, 'POST', '/messages', '{"to":"bob","text":"x","clientMsgId":7}'), 'body/clientMsgId', 'clientMsgId 7');
    for (const json of ['{"dnd":null}', '{"dnd":"true"}', '{"dnd":1}', '{"preview":"false"}', '{"multiDevicePolicy":["allOffline"]}']) {
      assert.equal((await raw(rig, bob, 'PUT', '/settings', json)).statusCode, 400, json);
    }
    await call(rig, bob, 'PUT', '/settings', { dnd: true });
    await raw(rig, bob, 'PUT', '/settings', '{"dnd":null}');
    assert.equal((await call(rig, bob, 'GET', '/settings')).json().dnd, true, 'a refused change leaves the setting as it was');
    assertBadRequest(await raw(rig, alice, 'POST', '/groups', '{"name":"G","members":"bob"}'), 'body/members', 'members "bob"');
    assertBadRequest(await raw(rig, alice, 'POST', '/calls', '{"to":"bob","media":["audio"]}'), 'body/media', 'media ["audio"]');
  });

  test('names are trimmed and may not be blank', async () => {
    assertBadRequest(await call(rig, alice, 'POST', '/groups', { name: ' \t\n ', members: ['bob'] }), 'body/name', 'blank group name');
    assertBadRequest(await call(rig, alice, 'POST', '/groups', { name: '\u3000', members: ['bob'] }), 'body/name', 'ideographic space');
    const group = await call(rig, alice, 'POST', '/groups', { name: '  Team  ', members: ['bob'] });
    assert.equal(group.statusCode, 201);
    const listed = (await call(rig, bob, 'GET', '/conversations')).json().conversations;
    assert.equal(listed.find((c: { id: string }) => c.id === group.json().groupId).name, 'Team');
    assertBadRequest(await call(rig, alice, 'POST', '/messages', { to: 'bob', text: '   ', clientMsgId: 'blank' }), 'body/text', 'blank text');
  });

  test('ill-formed Unicode is refused; what is acknowledged is what is read back', async () => {
    for (const text of ['"\\ud800"', '"a\\udfffb"', '"\\ude00\\ud83d"']) {
      const r = await raw(rig, alice, 'POST', '/messages', `{"to":"bob","text":${text},"clientMsgId":"s${text.length}"}`);
      assertBadRequest(r, 'body/text', text);
      assert.match(r.json().error, /well-formed/);
    }
    assertBadRequest(await raw(rig, alice, 'POST', '/groups', '{"name":"\\ud800","members":["bob"]}'), 'body/name', 'group name');
    const reg = await rig.inject({ method: 'POST', url: '/api/v1/accounts', headers: { 'content-type': 'application/json' },
      payload: '{"userId":"zed","password":"long enough","displayName":"Z\\udc00"}' });
    assertBadRequest(reg, 'body/displayName', 'display name');
    const text = 'emoji 😀 and 你好 and e\u0301';
    const sent = await call(rig, alice, 'POST', '/messages', { to: 'bob', text, clientMsgId: 'u1' });
    assert.equal(sent.statusCode, 201);
    assert.equal(sent.json().text, text);
    const page = (await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?limit=1`)).json();
    assert.equal(page.messages[0].text, text);
  });

  test('an unknown field is 400 naming that field', async () => {
    const count = async () => (await call(rig, bob, 'GET', `/conversations/${conversationId}/messages`)).json().messages.length;
    const before = await count();
    assertBadRequest(await raw(rig, alice, 'POST', '/messages', '{"to":"bob","text":"x","clientMsgId":"k1","admin":true}'), 'body/admin', 'admin');
    assertBadRequest(await raw(rig, alice, 'POST', '/messages', '{"to":"bob","text":"x","clientMsgId":"k2","a/b~c":1}'), 'body/a~1b~0c', 'escaped as a JSON pointer');
    assertBadRequest(await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?limit=1&sort=asc`), 'querystring/sort', 'query parameter');
    assert.equal(await count(), before, 'nothing was stored');
  });

  test('every error is JSON, a WebSocket path without an upgrade included', async () => {
    const noUpgrade = await call(rig, alice, 'GET', '/ws?deviceId=phone');
    assert.equal(noUpgrade.statusCode, 426);
    assert.match(noUpgrade.headers['content-type'] as string, /application\/json/);
    assert.match(noUpgrade.json().error, /WebSocket upgrade/);
    const anonymous = await rig.inject({ method: 'GET', url: '/api/v1/ws?deviceId=phone' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(typeof anonymous.json().error, 'string');
    const notJson = await rig.inject({ method: 'POST', url: '/api/v1/messages', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, payload: '{"to":' });
    assert.equal(notJson.statusCode, 400);
    assert.equal(typeof notJson.json().error, 'string');
    const plain = await rig.inject({ method: 'POST', url: '/api/v1/messages', headers: { authorization: `Bearer ${alice}`, 'content-type': 'text/plain' }, payload: 'hello' });
    assertBadRequest(plain, 'body', 'a text/plain body is a string, not an object');
    const xml = await rig.inject({ method: 'POST', url: '/api/v1/messages', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/xml' }, payload: '<m/>' });
    assert.equal(xml.statusCode, 415);
    assert.equal(typeof xml.json().error, 'string');
  });
});
