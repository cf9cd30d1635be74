// The store failing under a send: SQLite busy (another process holds the write lock) or full. The API
// answers 503 with Retry-After, promptly, never a hung request; nothing acknowledged is lost, and the
// refused send succeeds when retried with the same clientMsgId.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startRig, login, call, bindDevice, drained } from './helpers.js';

const TOKEN_A = 'IQAAAACy0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('storage faults during a send', () => {
  test('SQLite busy: 503 with Retry-After after the short busy timeout; reads go on; a retry succeeds', async () => {
    const rig = await startRig({ DB_BUSY_TIMEOUT_MS: '50' });
    const other = new Database(path.join(rig.config.dataDir, 'pushuikit.db'));
    try {
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      const first = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'before', clientMsgId: 'b1' });
      assert.equal(first.statusCode, 201);
      other.exec('BEGIN IMMEDIATE'); // another process (a backup, the sqlite3 shell) holds the write lock
      const busy = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'during', clientMsgId: 'b2' });
      assert.equal(busy.statusCode, 503);
      assert.equal(busy.headers['retry-after'], '1');
      assert.equal(typeof busy.json().error, 'string');
      const read = await call(rig, bob, 'GET', `/conversations/${first.json().conversationId}/messages`);
      assert.equal(read.statusCode, 200, 'WAL readers are not blocked');
      assert.deepEqual(read.json().messages.map((m: { text: string }) => m.text), ['before']);
      other.exec('COMMIT');
      const retried = await call(rig, alice, 'POST', '/messages', { to: 'bob', text: 'during', clientMsgId: 'b2' });
      assert.equal(retried.statusCode, 201);
      assert.equal(retried.json().seq, 2, 'the refused send left no gap and no half-written row');
    } finally {
      other.close();
      await rig.stop();
    }
  });

  test('disk full: 503, nothing acknowledged is lost, no push for what was refused, and a retry succeeds', async () => {
    const rig = await startRig();
    try {
      const alice = await login(rig, 'alice');
      const bob = await login(rig, 'bob');
      await bindDevice(rig, bob, 'phone', TOKEN_A);
      const db = rig.server.db;
      // max_page_count at the current size: the next page SQLite needs fails with SQLITE_FULL, as on a full disk.
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      const acknowledged: string[] = [];
      let refused: { clientMsgId: string; text: string } | undefined;
      for (let i = 0; i < 200 && !refused; i++) {
        const body = { to: 'bob', text: `${i} ${'x'.repeat(3000)}`, clientMsgId: `f${i}` };
        const r = await call(rig, alice, 'POST', '/messages', body);
        if (r.statusCode === 201) acknowledged.push(r.json().id);
        else {
          assert.equal(r.statusCode, 503, r.body);
          assert.equal(r.headers['retry-after'], '1');
          refused = { clientMsgId: body.clientMsgId, text: body.text };
        }
      }
      assert.ok(refused, 'the store filled up');
      db.pragma(`max_page_count = ${2 ** 30}`);
      await drained(rig);
      const pushed = rig.fake.accepted.map((a) => a.body.payload.notification.clickAction.data.messageId as string);
      assert.deepEqual(pushed.sort(), [...acknowledged].sort(), 'one push per acknowledged message, none for the refused one');

      const retried = await call(rig, alice, 'POST', '/messages', { to: 'bob', ...refused });
      assert.equal(retried.statusCode, 201);
      const conversationId = retried.json().conversationId;
      const page = (await call(rig, bob, 'GET', `/conversations/${conversationId}/messages?limit=100`)).json();
      assert.deepEqual(page.messages.map((m: { id: string }) => m.id).sort(), [...acknowledged, retried.json().id].sort());
      await drained(rig);
      assert.equal(rig.fake.accepted.length, acknowledged.length + 1);
    } finally {
      await rig.stop();
    }
  });
});
