// A large group's pushes: queued as a job in the message's transaction, written in slices afterwards, each
// member once, resumed after a restart from where the last slice committed.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createServer } from '../src/app.js';
import { FANOUT_INLINE_MAX } from '../src/service.js';
import { CLIENT_ID, LiveDevice, TEST_SCRYPT_LOG2N, call, drained, login, startRig } from './helpers.js';
import type { Rig } from './helpers.js';

const LIMIT = { timeout: 60000 };
const MEMBERS = FANOUT_INLINE_MAX + 150;

const memberId = (i: number) => `member${String(i).padStart(4, '0')}`;
const tokenOf = (id: string) => `IQAAAACy0${id}-phone-xxxxxxxx`;

describe('large-group fan-out', () => {
  let rig: Rig;
  let alice: string;
  let groupId: string;
  /** member0007 signs in (the others are created without a password): it will be online. */
  let onlineToken: string;

  beforeEach(async () => {
    rig = await startRig({ RATE_DEVICES_PER_MIN: '100000' });
    const ids: string[] = [];
    onlineToken = await login(rig, memberId(7));
    for (let i = 0; i < MEMBERS; i++) {
      const id = memberId(i);
      if (i !== 7) rig.server.service.createUser(id, `Member ${i}`, null);
      rig.server.service.bindDevice(id, 'phone', tokenOf(id), CLIENT_ID);
      ids.push(id);
    }
    alice = await login(rig, 'alice', 'Alice');
    groupId = (await call(rig, alice, 'POST', '/groups', { name: 'Everyone', members: ids })).json().groupId;
  });
  afterEach(async () => rig.stop());

  test('the message commits with a job, not with every push; then each offline, unmuted member gets one push', LIMIT, async () => {
    const muted = memberId(3);
    rig.server.service.putConversationSettings(muted, groupId, { muted: true });
    const online = memberId(7);
    const device = await LiveDevice.connect(rig, onlineToken, 'phone');
    const sent = await call(rig, alice, 'POST', '/messages', { groupId, text: 'hello everyone', clientMsgId: 'big1' });
    assert.equal(sent.statusCode, 201);
    const messageId = sent.json().id;
    const jobs = rig.server.db.prepare('SELECT message_id FROM fanout_jobs').all();
    const queuedWithMessage = (rig.server.db.prepare("SELECT COUNT(*) AS n FROM push_outbox WHERE ref_id = ?").get(messageId) as { n: number }).n;
    assert.ok(jobs.length === 1 || queuedWithMessage > 0, 'a job, or slices already written');
    await drained(rig);
    assert.deepEqual(rig.server.db.prepare('SELECT message_id FROM fanout_jobs').all(), [], 'the job is done');
    const tokens = rig.fake.tokensOf();
    assert.equal(tokens.length, MEMBERS - 2, 'every member but the muted and the online one');
    assert.equal(new Set(tokens).size, tokens.length, 'each once');
    assert.ok(!tokens.includes(tokenOf(muted)) && !tokens.includes(tokenOf(online)));
    assert.ok(device.of('message').some((e) => e.message.id === messageId), 'the online member got it over the socket');
    await device.close();
  });

  test('after a restart the job resumes after the last committed slice: members before its cursor are not pushed again', LIMIT, async () => {
    rig.server.service.stop(); // no slice runs: the job stays as a crash right after the commit would leave it
    const sent = await call(rig, alice, 'POST', '/messages', { groupId, text: 'resume me', clientMsgId: 'big2' });
    assert.equal(sent.statusCode, 201);
    assert.equal((rig.server.db.prepare('SELECT COUNT(*) AS n FROM fanout_jobs').get() as { n: number }).n, 1);
    // As if slices up to member0099 had committed before the crash (their pushes already sent).
    const cursor = memberId(99);
    rig.server.db.prepare('UPDATE fanout_jobs SET after_user = ?').run(cursor);
    await rig.server.close();
    rig.server = await createServer(rig.config, { log: pino({ level: 'silent' }), scryptLog2N: TEST_SCRYPT_LOG2N });
    await drained(rig);
    const tokens = rig.fake.tokensOf();
    assert.equal(tokens.length, MEMBERS - 100);
    assert.ok(tokens.every((t) => t > tokenOf(cursor)), 'only members after the cursor');
    assert.equal(new Set(tokens).size, tokens.length);
  });

  test('a small group is pushed in the message\'s own transaction', LIMIT, async () => {
    const small = (await call(rig, alice, 'POST', '/groups', { name: 'Few', members: [memberId(1), memberId(2)] })).json().groupId;
    const sent = (await call(rig, alice, 'POST', '/messages', { groupId: small, text: 'hi', clientMsgId: 'small1' })).json();
    assert.equal((rig.server.db.prepare('SELECT COUNT(*) AS n FROM push_outbox WHERE ref_id = ?').get(sent.id) as { n: number }).n, 2);
    assert.deepEqual(rig.server.db.prepare('SELECT message_id FROM fanout_jobs').all(), []);
  });
});
