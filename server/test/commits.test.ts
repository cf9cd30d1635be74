// Group commit (src/commits.ts), write transactions, and the statement cache (src/db.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import ts from 'typescript';
import type { Db } from '../src/db.js';
import { COMMIT_WINDOW_MS, CommitQueue } from '../src/commits.js';
import { withTempDb } from './helpers.js';

const withDb = (run: (db: Db, dir: string) => Promise<void>) => withTempDb('CREATE TABLE t (k TEXT PRIMARY KEY)', run);

describe('group commit', () => {
  test('jobs queued in one turn of the event loop share one commit, in order', withDb(async (db) => {
    const queue = new CommitQueue(db);
    const insert = (k: string) => queue.run(() => db.prepare('INSERT INTO t (k) VALUES (?)').run(k).lastInsertRowid);
    const results = await Promise.all(['a', 'b', 'c'].map(insert));
    assert.deepEqual(results, [1, 2, 3]);
    assert.deepEqual(queue.stats, { commits: 1, jobs: 3 });
    await insert('d');
    assert.deepEqual(queue.stats, { commits: 2, jobs: 4 });
  }));

  test('writes that keep coming on later turns join the batch; the first turn without one commits it', withDb(async (db) => {
    const queue = new CommitQueue(db);
    const insert = (k: string) => queue.run(() => db.prepare('INSERT INTO t (k) VALUES (?)').run(k).changes);
    // As frames read on three turns of the event loop in a row (each before the queue looks, as reading
    // sockets comes before setImmediate callbacks in a turn): one commit for all of them.
    const later = new Promise<number[]>((resolve) => setImmediate(() => {
      const b = insert('b');
      setImmediate(() => resolve(Promise.all([b, insert('c')])));
    }));
    const first = insert('a');
    await Promise.all([first, later]);
    assert.deepEqual(queue.stats, { commits: 1, jobs: 3 });
  }));

  test('a stream that never pauses is committed COMMIT_WINDOW_MS after its first write, not when it ends', withDb(async (db) => {
    const queue = new CommitQueue(db, Number.MAX_SAFE_INTEGER); // no batch-size limit: the window alone commits
    const started = performance.now();
    let n = 0;
    let firstCommitAfter = Number.NaN;
    // A write on every turn for 20 windows.
    await new Promise<void>((resolve) => {
      const turn = () => {
        if (queue.stats.commits > 0 && Number.isNaN(firstCommitAfter)) firstCommitAfter = n;
        if (performance.now() - started > 20 * COMMIT_WINDOW_MS) return resolve();
        setImmediate(turn); // first, so that each write comes before the queue looks (as sockets are read)
        void queue.run(() => db.prepare('INSERT INTO t (k) VALUES (?)').run(`k${n++}`));
      };
      turn();
    });
    await queue.run(() => 0);
    assert.ok(queue.stats.commits > 1, `${queue.stats.commits} commits for ${n} writes over 20 windows`);
    assert.ok(firstCommitAfter < n, 'the first commit came while writes were still coming');
  }));

  test('a job that throws undoes only its own writes and gets its own error', withDb(async (db) => {
    const queue = new CommitQueue(db);
    const insert = (k: string) => db.prepare('INSERT INTO t (k) VALUES (?)').run(k);
    const outcomes = await Promise.allSettled([
      queue.run(() => insert('a')),
      queue.run(() => { insert('b'); throw new Error('refused'); }),
      queue.run(() => insert('a')), // a conflict: the key exists (written by the first job of this batch)
      queue.run(() => insert('c')),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.message, 'refused');
    assert.match((outcomes[2] as PromiseRejectedResult).reason.code, /SQLITE_CONSTRAINT/);
    assert.deepEqual(db.prepare('SELECT k FROM t ORDER BY k').all(), [{ k: 'a' }, { k: 'c' }]);
    assert.deepEqual(queue.stats, { commits: 1, jobs: 4 });
  }));

  test('a promise settles only after the commit: another connection already sees the write', withDb(async (db, dir) => {
    const queue = new CommitQueue(db);
    const reader = new Database(path.join(dir, 'pushuikit.db'), { readonly: true });
    try {
      let seenInside: unknown;
      await queue.run(() => {
        db.prepare("INSERT INTO t (k) VALUES ('x')").run();
        seenInside = reader.prepare("SELECT k FROM t WHERE k = 'x'").get();
      });
      assert.equal(seenInside, undefined, 'not visible before the commit');
      assert.deepEqual(reader.prepare("SELECT k FROM t WHERE k = 'x'").get(), { k: 'x' }, 'visible when the promise resolves');
    } finally {
      reader.close();
    }
  }));

  test('a batch takes the write lock when it begins: another process\'s commit after its first read cannot fail it', withDb(async (db, dir) => {
    // A deferred transaction that read first cannot write once another connection has committed since:
    // SQLite answers SQLITE_BUSY_SNAPSHOT at once, whatever the busy timeout (https://sqlite.org/rescode.html#busy_snapshot).
    // Two server processes on one database would fail each other's batches so.
    const queue = new CommitQueue(db);
    const other = new Database(path.join(dir, 'pushuikit.db'), { timeout: 20 });
    try {
      let otherWrite = '';
      await queue.run(() => {
        db.prepare('SELECT count(*) FROM t').get();
        try {
          other.prepare("INSERT INTO t (k) VALUES ('theirs')").run();
          otherWrite = 'committed';
        } catch (error) {
          otherWrite = (error as { code?: string }).code ?? String(error);
        }
        db.prepare("INSERT INTO t (k) VALUES ('ours')").run();
      });
      assert.equal(otherWrite, 'SQLITE_BUSY', 'the other process waited for the batch\'s lock');
      assert.deepEqual(db.prepare('SELECT k FROM t').all(), [{ k: 'ours' }]);
    } finally {
      other.close();
    }
  }));

  test('a storage failure fails the whole batch: nothing of it is stored', withDb(async (db) => {
    const queue = new CommitQueue(db);
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const outcomes = await Promise.allSettled([
      queue.run(() => db.prepare("INSERT INTO t (k) VALUES ('a')").run()),
      queue.run(() => { throw full; }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
    assert.equal((outcomes[0] as PromiseRejectedResult).reason, full);
    assert.deepEqual(db.prepare('SELECT k FROM t').all(), []);
  }));

  test('a batch holds at most maxBatch jobs', withDb(async (db) => {
    const queue = new CommitQueue(db, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => queue.run(() => db.prepare('INSERT INTO t (k) VALUES (?)').run(k))));
    assert.deepEqual(queue.stats, { commits: 3, jobs: 5 });
  }));
});

test('db.prepare answers the statement it prepared before for the same SQL', withDb(async (db) => {
  const sql = 'SELECT k FROM t WHERE k = ?';
  assert.equal(db.prepare(sql), db.prepare(sql));
  assert.notEqual(db.prepare(sql), db.prepare(`${sql} `));
}));

test('every transaction in src/ takes the write lock when it begins (.immediate()), but the nested-only savepoint', () => {
  // The batch test above shows why; test/shared-db.test.ts shows it on two server processes. This keeps a
  // transaction added later from being a deferred one.
  const src = path.resolve(import.meta.dirname, '../src');
  const found: string[] = [];
  const deferred: string[] = [];
  for (const name of fs.readdirSync(src, { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const file = ts.createSourceFile(name, fs.readFileSync(path.join(src, name), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'transaction') {
        const where = `${name}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        found.push(where);
        const parent = node.parent;
        const immediate = ts.isPropertyAccessExpression(parent) && parent.name.text === 'immediate' && ts.isCallExpression(parent.parent);
        // The one exception: CommitQueue's savepoint wrapper, only ever called inside a batch's transaction.
        const savepoint = ts.isBinaryExpression(parent) && parent.left.getText() === 'this.savepoint';
        if (!immediate && !savepoint) deferred.push(where);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  assert.ok(found.length >= 15, `the scan found the transactions (${found.length})`);
  assert.deepEqual(deferred, []);
});
