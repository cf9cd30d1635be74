// The store's migrations: a database made by an earlier version opens, keeps its data, gains what the
// new code needs, and ends in the shape a new database has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../src/db.js';
import type { Db } from '../src/db.js';
import { CALL_HISTORY_SQL, CONVERSATION_LIST_SQL, LIVE_CALL_SQL, PAGE_SQL, UNREAD_SQL, UNSEEN_SQL } from '../src/service.js';
import { DUE_SQL } from '../src/push/outbox.js';
import { withTempDb } from './helpers.js';

/** The current user_version: one per migration. */
const VERSION = 9;

/** The calls table of versions 0 to 3. */
const OLD_CALLS = `CREATE TABLE calls (id TEXT PRIMARY KEY, caller_id TEXT NOT NULL, callee_id TEXT NOT NULL, media TEXT NOT NULL,
  state TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  CREATE INDEX calls_ringing ON calls(state, expires_at);`;

/** The settings table of versions 0 to 4 (do-not-disturb without a window). */
const OLD_SETTINGS = `CREATE TABLE settings (user_id TEXT PRIMARY KEY REFERENCES users(id), dnd INTEGER NOT NULL DEFAULT 0,
  preview INTEGER NOT NULL DEFAULT 1, multi_device_policy TEXT NOT NULL DEFAULT 'allOffline');`;

/** Each table's columns (name, type, NOT NULL, default, primary key), by table and column name. */
function shape(db: Db): Record<string, unknown[]> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (db.pragma(`table_info(${name})`) as { name: string }[])
    .map(({ name: column, type, notnull, dflt_value, pk }: any) => ({ column, type, notnull, dflt_value, pk }))
    .sort((a, b) => a.column.localeCompare(b.column))]));
}

/** The shape of a new database. */
function freshShape(): Record<string, unknown[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-fresh-'));
  const db = openDb(dir);
  try {
    assert.equal(db.pragma('user_version', { simple: true }), VERSION);
    return shape(db);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a database of the version before accounts is migrated, its data kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-migrate-'));
  try {
    // The tables that version had, as it made them (user_version 0).
    const old = new Database(path.join(dir, 'pushuikit.db'));
    old.exec(`
      CREATE TABLE users (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE conversations (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
      CREATE TABLE members (conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, read_seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (conversation_id, user_id));
      CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, sender_id TEXT NOT NULL, text TEXT NOT NULL,
        client_msg_id TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (conversation_id, seq), UNIQUE (sender_id, client_msg_id));
      ${OLD_CALLS}
      ${OLD_SETTINGS}
      INSERT INTO users VALUES ('alice', 'Alice', 1), ('bob', 'Bob', 1);
      INSERT INTO settings (user_id) VALUES ('alice'), ('bob');
      INSERT INTO conversations VALUES ('d_ab', 'direct', '', 1, 1);
      INSERT INTO members VALUES ('d_ab', 'alice', 1), ('d_ab', 'bob', 0);
      INSERT INTO messages VALUES ('m1', 'd_ab', 1, 'alice', 'hello', 'c1', 1);
    `);
    old.close();

    const db = openDb(dir);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), VERSION);
      const users = db.prepare('SELECT id, display_name, password_hash FROM users ORDER BY id').all();
      assert.deepEqual(users, [{ id: 'alice', display_name: 'Alice', password_hash: null }, { id: 'bob', display_name: 'Bob', password_hash: null }]);
      const wrote = db.prepare('SELECT user_id, wrote FROM members ORDER BY user_id').all();
      assert.deepEqual(wrote, [{ user_id: 'alice', wrote: 1 }, { user_id: 'bob', wrote: 0 }], 'who wrote is taken from the messages');
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('sessions', 'token_moves')").get() as { n: number }).n, 2);
      assert.deepEqual(shape(db), freshShape(), 'the migrated store has the shape of a new one');
    } finally {
      db.close();
    }
    // Opening again runs no migration twice.
    const again = openDb(dir);
    assert.equal(again.pragma('user_version', { simple: true }), VERSION);
    again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a database of version 1 (before conversation settings) gains pin, mute and hide, its data kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-migrate-'));
  try {
    // The tables of version 1 that this migration touches or reads, as that version made them.
    const old = new Database(path.join(dir, 'pushuikit.db'));
    old.exec(`
      CREATE TABLE users (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, password_hash TEXT, created_at INTEGER NOT NULL);
      CREATE TABLE conversations (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
      CREATE TABLE members (conversation_id TEXT NOT NULL REFERENCES conversations(id), user_id TEXT NOT NULL REFERENCES users(id),
        read_seq INTEGER NOT NULL DEFAULT 0, wrote INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (conversation_id, user_id));
      CREATE INDEX members_user ON members(user_id);
      CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id), seq INTEGER NOT NULL,
        sender_id TEXT NOT NULL, text TEXT NOT NULL, client_msg_id TEXT NOT NULL, created_at INTEGER NOT NULL,
        UNIQUE (conversation_id, seq), UNIQUE (sender_id, client_msg_id));
      ${OLD_CALLS}
      ${OLD_SETTINGS}
      INSERT INTO users VALUES ('alice', 'Alice', 'scrypt$x', 1), ('bob', 'Bob', NULL, 1);
      INSERT INTO conversations VALUES ('d_ab', 'direct', '', 2, 1);
      INSERT INTO members VALUES ('d_ab', 'alice', 2, 1), ('d_ab', 'bob', 1, 0);
      INSERT INTO messages VALUES ('m1', 'd_ab', 1, 'alice', 'hello', 'c1', 1), ('m2', 'd_ab', 2, 'alice', 'there', 'c2', 2);
      PRAGMA user_version = 1;
    `);
    old.close();

    const db = openDb(dir);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), VERSION);
      assert.deepEqual(db.prepare('SELECT * FROM members ORDER BY user_id').all(), [
        { conversation_id: 'd_ab', user_id: 'alice', read_seq: 2, wrote: 1, pinned: 0, muted: 0, hidden_seq: null },
        { conversation_id: 'd_ab', user_id: 'bob', read_seq: 1, wrote: 0, pinned: 0, muted: 0, hidden_seq: null },
      ], 'members keep their rows and get the defaults: not pinned, not muted, not hidden');
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n, 2);
      assert.deepEqual(db.prepare('SELECT id, password_hash FROM users ORDER BY id').all(),
        [{ id: 'alice', password_hash: 'scrypt$x' }, { id: 'bob', password_hash: null }]);
      assert.deepEqual(shape(db), freshShape(), 'the migrated store has the shape of a new one');
    } finally {
      db.close();
    }
    const again = openDb(dir);
    assert.equal(again.pragma('user_version', { simple: true }), VERSION, 'opening again runs no migration twice');
    again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A store of version `from`, made from a new one by `oldSql` (today's tables with the older ones swapped in, and
 * data), then opened as the server opens it: `check` sees the migrated store; after it the store must have the shape
 * of a new one, and opening it again must migrate nothing.
 */
function migrateFrom(from: number, oldSql: string, check: (db: Db) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-migrate-'));
  try {
    const made = openDb(dir);
    made.exec(oldSql);
    made.pragma(`user_version = ${from}`);
    made.close();

    const db = openDb(dir);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), VERSION);
      check(db);
      assert.deepEqual(shape(db), freshShape(), 'the migrated store has the shape of a new one');
    } finally {
      db.close();
    }
    const again = openDb(dir);
    assert.equal(again.pragma('user_version', { simple: true }), VERSION, 'opening again runs no migration twice');
    again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a database of version 2 (before delete for me) gains deleted_messages, its data kept', () => {
  // Version 2 had every table of today but deleted_messages, and the calls and settings tables of before versions 4 and 5.
  migrateFrom(2, `DROP TABLE deleted_messages; DROP TABLE calls; ${OLD_CALLS} DROP TABLE settings; ${OLD_SETTINGS}
    INSERT INTO users (id, display_name, created_at) VALUES ('alice', 'Alice', 1), ('bob', 'Bob', 1);
    INSERT INTO conversations VALUES ('d_ab', 'direct', '', 1, 1);
    INSERT INTO members (conversation_id, user_id, read_seq, wrote, hidden_seq) VALUES ('d_ab', 'alice', 1, 1, NULL), ('d_ab', 'bob', 0, 0, 1);
    INSERT INTO messages VALUES ('m1', 'd_ab', 1, 'alice', 'hello', 'c1', 1);`, (db) => {
    assert.deepEqual(db.prepare('SELECT user_id, read_seq, hidden_seq FROM members ORDER BY user_id').all(),
      [{ user_id: 'alice', read_seq: 1, hidden_seq: null }, { user_id: 'bob', read_seq: 0, hidden_seq: 1 }]);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n, 1);
    db.prepare("INSERT INTO deleted_messages VALUES ('bob', 'd_ab', 1)").run();
    assert.throws(() => db.prepare("INSERT INTO deleted_messages VALUES ('bob', 'd_ab', 2)").run(), /FOREIGN KEY/,
      'only a message that exists can be deleted');
  });
});

test('a database of version 3 (before call history) gains answer and end times, who ended a call and seen marks', () => {
  // Version 3 had every table of today but the calls and settings of before: a new store with the old ones.
  migrateFrom(3, `DROP TABLE calls; ${OLD_CALLS} DROP TABLE settings; ${OLD_SETTINGS}
    INSERT INTO calls VALUES ('c1', 'alice', 'bob', 'audio', 'missed', 1000, 61000), ('c2', 'alice', 'bob', 'video', 'rejected', 2000, 62000),
      ('c3', 'alice', 'bob', 'audio', 'cancelled', 3000, 63000), ('c4', 'alice', 'bob', 'audio', 'accepted', 4000, 64000),
      ('c5', 'alice', 'bob', 'audio', 'ringing', 5000, 65000);`, (db) => {
    assert.deepEqual(db.prepare('SELECT id, state, answered_at, ended_at, ended_by, callee_seen FROM calls ORDER BY id').all(), [
      { id: 'c1', state: 'missed', answered_at: null, ended_at: 61000, ended_by: null, callee_seen: 1 },
      { id: 'c2', state: 'rejected', answered_at: null, ended_at: null, ended_by: 'bob', callee_seen: 1 },
      { id: 'c3', state: 'cancelled', answered_at: null, ended_at: null, ended_by: 'alice', callee_seen: 1 },
      { id: 'c4', state: 'ended', answered_at: null, ended_at: null, ended_by: null, callee_seen: 1 },
      { id: 'c5', state: 'ringing', answered_at: null, ended_at: null, ended_by: null, callee_seen: 0 },
    ], 'a missed call ended at its expiry; who rejected or cancelled is known; an accepted call (it could not be hung up) is ended; '
      + 'old missed calls are seen, a ringing one may still become an unseen missed call');
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL ORDER BY name").all() as
      { name: string }[]).map((r) => r.name);
    assert.deepEqual(indexes, ['calls_callee', 'calls_caller', 'calls_live_callee', 'calls_live_caller', 'calls_ringing', 'calls_unseen']);
  });
});

test('a database of version 4 (do-not-disturb without a window) gains the window and the time zone, with the defaults', () => {
  // Version 4 had every table of today but the settings of before.
  migrateFrom(4, `DROP TABLE settings; ${OLD_SETTINGS}
    INSERT INTO users (id, display_name, created_at) VALUES ('alice', 'Alice', 1), ('bob', 'Bob', 1);
    INSERT INTO settings VALUES ('alice', 1, 0, 'anyOffline'), ('bob', 0, 1, 'allOffline');`, (db) => {
    assert.deepEqual(db.prepare('SELECT * FROM settings ORDER BY user_id').all(), [
      { user_id: 'alice', dnd: 1, preview: 0, multi_device_policy: 'anyOffline', dnd_start: 0, dnd_end: 0, time_zone: 'UTC' },
      { user_id: 'bob', dnd: 0, preview: 1, multi_device_policy: 'allOffline', dnd_start: 1320, dnd_end: 420, time_zone: 'UTC' },
    ], 'every row keeps its values; do-not-disturb that was on stays all day, the others get the window 22:00 to 07:00 UTC');
    db.prepare("INSERT INTO users (id, display_name, created_at) VALUES ('carol', 'Carol', 1)").run();
    db.prepare("INSERT INTO settings (user_id) VALUES ('carol')").run();
    assert.deepEqual(db.prepare("SELECT dnd, dnd_start, dnd_end, time_zone FROM settings WHERE user_id = 'carol'").get(),
      { dnd: 0, dnd_start: 1320, dnd_end: 420, time_zone: 'UTC' }, 'a new row gets the same defaults');
  });
});

test('a database of version 5 (before the push console) gains the delivery-log details, devices\' last time online and the console tables', () => {
  migrateFrom(5, `DROP TABLE push_log; DROP TABLE devices; DROP TABLE push_certificates; DROP TABLE admin_sessions; DROP TABLE admins;
    CREATE TABLE push_log (id INTEGER PRIMARY KEY, mode TEXT NOT NULL, client_id TEXT NOT NULL, push_type INTEGER NOT NULL,
      tokens INTEGER NOT NULL, body TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL);
    CREATE TABLE devices (user_id TEXT NOT NULL REFERENCES users(id), device_id TEXT NOT NULL, push_token TEXT NOT NULL,
      client_id TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (user_id, device_id));
    CREATE UNIQUE INDEX devices_token ON devices(push_token);
    INSERT INTO users (id, display_name, created_at) VALUES ('alice', 'Alice', 1);
    INSERT INTO devices VALUES ('alice', 'phone', 'token-0123456789abcdef', '123', 5);
    INSERT INTO push_log VALUES (1, 'dry-run', '123', 0, 1, '{}', 'not sent', 7), (2, 'sent', '123', 0, 1, '{}', '200 80000000', 8);`, (db) => {
    assert.deepEqual(db.prepare('SELECT id, outcome, attempt, users, user_id, test FROM push_log ORDER BY id').all(), [
      { id: 1, outcome: 'dryRun', attempt: 1, users: 0, user_id: null, test: 0 },
      { id: 2, outcome: 'sent', attempt: 1, users: 0, user_id: null, test: 0 },
    ], 'old entries are kept, a dry run is marked as such');
    assert.deepEqual(db.prepare('SELECT device_id, last_online_at FROM devices').all(), [{ device_id: 'phone', last_online_at: null }]);
  });
});

test('a database of version 7 (outbox claims without a claimant) gains the claimant and the lease; a row left mid-send has neither', () => {
  migrateFrom(7, `DROP TABLE push_outbox;
    CREATE TABLE push_outbox (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref_id TEXT NOT NULL, user_id TEXT NOT NULL, token TEXT NOT NULL,
      client_id TEXT NOT NULL, payload_id INTEGER NOT NULL REFERENCES push_payloads(id), status TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL, UNIQUE (kind, ref_id, token));
    CREATE INDEX outbox_due ON push_outbox(status, next_at);
    INSERT INTO push_payloads (id, hash, push_type, body) VALUES (1, 'h', 0, '{}');
    INSERT INTO push_outbox (kind, ref_id, user_id, token, client_id, payload_id, status, next_at, created_at)
      VALUES ('message', 'm1', 'bob', 't1', '123', 1, 'sending', 1, 1);`, (db) => {
    assert.deepEqual(db.prepare('SELECT ref_id, status, claimed_by, lease_until FROM push_outbox').all(),
      [{ ref_id: 'm1', status: 'sending', claimed_by: null, lease_until: null }]);
  });
});

/** The steps of `sql`'s query plan (EXPLAIN QUERY PLAN details). */
function queryPlan(db: Db, sql: string, ...params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

test('unread counts and the conversation list start from the user\'s memberships and reach each conversation by key', withTempDb('', async (db) => {
  const plan = (sql: string, ...params: unknown[]) => queryPlan(db, sql, ...params);
  for (const sql of [UNREAD_SQL.list, UNREAD_SQL.total, CONVERSATION_LIST_SQL]) {
    const steps = plan(sql, 'bob');
    assert.ok(steps.some((d) => /^SEARCH m USING (COVERING )?INDEX members_user \(user_id=\?\)$/.test(d)), steps.join(' | '));
    assert.ok(steps.some((d) => /^SEARCH c USING INDEX sqlite_autoindex_conversations_1 \(id=\?\)$/.test(d)), steps.join(' | '));
    assert.ok(!steps.some((d) => /^SCAN (m|c|msg|g)\b/.test(d)), `no table scan: ${steps.join(' | ')}`);
  }
}));

test('call history merges two index walks; the busy check and the missed-call badge read only live or unseen rows', withTempDb('', async (db) => {
  const plan = (sql: string, ...params: unknown[]) => queryPlan(db, sql, ...params);
  const history = plan(CALL_HISTORY_SQL, 'bob', 1, 'bob', 1, 31);
  assert.ok(history.includes('MERGE (UNION ALL)'), history.join(' | '));
  assert.ok(history.includes('SEARCH calls USING INDEX calls_caller (caller_id=? AND created_at<?)'), history.join(' | '));
  assert.ok(history.includes('SEARCH calls USING INDEX calls_callee (callee_id=? AND created_at<?)'), history.join(' | '));
  assert.ok(!history.some((d) => /^SCAN|TEMP B-TREE/.test(d)), `no scan, no sort: ${history.join(' | ')}`);
  const live = plan(LIVE_CALL_SQL, 'alice', 'bob', 'alice', 'bob');
  assert.ok(live.includes('SEARCH calls USING INDEX calls_live_caller (caller_id=?)'), live.join(' | '));
  assert.ok(live.includes('SEARCH calls USING INDEX calls_live_callee (callee_id=?)'), live.join(' | '));
  const count = plan(UNSEEN_SQL.count, 'bob');
  assert.ok(count.some((d) => /^SEARCH calls USING (COVERING )?INDEX calls_unseen \(callee_id=\?\)$/.test(d)), count.join(' | '));
  const mark = plan(UNSEEN_SQL.mark, 'bob', 5);
  assert.ok(mark.includes('SEARCH calls USING INDEX calls_unseen (callee_id=? AND created_at<?)'), mark.join(' | '));
}));

test('the history and catch-up pages walk the messages index and probe deleted_messages by its primary key', withTempDb('', async (db) => {
  for (const [name, sql] of Object.entries(PAGE_SQL)) {
    const plan = queryPlan(db, sql, 'd_ab', 1, 'bob', 31);
    assert.ok(plan.some((d) => /^SEARCH msg USING INDEX \S+ \(conversation_id=\? AND seq[<>]\?\)/.test(d)), `${name}: ${plan.join(' | ')}`);
    assert.ok(plan.some((d) => d === 'SEARCH d USING PRIMARY KEY (user_id=? AND conversation_id=? AND seq=?)'), `${name}: ${plan.join(' | ')}`);
    assert.ok(!plan.some((d) => /^SCAN|TEMP B-TREE/.test(d)), `${name}: no scan, no sort: ${plan.join(' | ')}`);
  }
}));

test('the outbox finds due rows by its due index, and a token in flight by the index of rows being sent', withTempDb('', async (db) => {
  const plan = queryPlan(db, DUE_SQL, 1, 'host:1', 1, 10);
  assert.ok(plan.includes('SEARCH o USING INDEX outbox_due (status=? AND next_at<?)'), plan.join(' | '));
  assert.ok(plan.includes('SEARCH s USING INDEX outbox_sending (token=?)'), plan.join(' | '));
}));
