// The store's migrations: a database made by the version before accounts opens, keeps its data, and
// gains what the new code needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../src/db.js';

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
      INSERT INTO users VALUES ('alice', 'Alice', 1), ('bob', 'Bob', 1);
      INSERT INTO conversations VALUES ('d_ab', 'direct', '', 1, 1);
      INSERT INTO members VALUES ('d_ab', 'alice', 1), ('d_ab', 'bob', 0);
      INSERT INTO messages VALUES ('m1', 'd_ab', 1, 'alice', 'hello', 'c1', 1);
    `);
    old.close();

    const db = openDb(dir);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), 1);
      const users = db.prepare('SELECT id, display_name, password_hash FROM users ORDER BY id').all();
      assert.deepEqual(users, [{ id: 'alice', display_name: 'Alice', password_hash: null }, { id: 'bob', display_name: 'Bob', password_hash: null }]);
      const wrote = db.prepare('SELECT user_id, wrote FROM members ORDER BY user_id').all();
      assert.deepEqual(wrote, [{ user_id: 'alice', wrote: 1 }, { user_id: 'bob', wrote: 0 }], 'who wrote is taken from the messages');
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('sessions', 'token_moves')").get() as { n: number }).n, 2);
    } finally {
      db.close();
    }
    // Opening again runs no migration twice.
    const again = openDb(dir);
    assert.equal(again.pragma('user_version', { simple: true }), 1);
    again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
