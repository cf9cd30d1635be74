// WAL checkpoints on a worker thread (src/checkpoints.ts): the worker copies what the group commits wrote,
// the WAL stays bounded under writes that never pause, and a lost thread hands the work back to SQLite.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pino } from 'pino';
import type { Db } from '../src/db.js';
import { CommitQueue } from '../src/commits.js';
import { Checkpointer } from '../src/checkpoints.js';
import { until, withTempDb } from './helpers.js';

const withDb = (run: (db: Db, dir: string) => Promise<void>) => withTempDb('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)', run);

const quiet = pino({ level: 'silent' });
const walBytes = (db: Db) => fs.statSync(`${db.name}-wal`).size;
const pageSize = (db: Db) => db.pragma('page_size', { simple: true }) as number;

describe('checkpoints on a worker thread', () => {
  test('after a commit the worker copies the whole WAL into the database file', withDb(async (db) => {
    const checkpointer = new Checkpointer(db, quiet);
    try {
      const queue = new CommitQueue(db, undefined, () => checkpointer.kick());
      await Promise.all(Array.from({ length: 50 }, (_, i) => queue.run(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(i, 'x'.repeat(500)))));
      await until(() => checkpointer.stats.checkpoints > 0);
      await checkpointer.idle();
      const last = checkpointer.stats.last!;
      assert.ok(last.log > 0, 'the commit wrote to the WAL');
      assert.equal(last.checkpointed, last.log, 'every frame is in the database file');
      // The server's own checkpoint is raised, not off: it is the backstop.
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 4000);
    } finally {
      await checkpointer.stop();
    }
  }));

  test('writes made outside the group commit are checkpointed too, without being announced', withDb(async (db) => {
    const checkpointer = new Checkpointer(db, quiet);
    try {
      await until(() => checkpointer.stats.checkpoints > 0); // the first look finds the schema's writes
      await checkpointer.idle();
      const before = checkpointer.stats.checkpoints;
      db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(1, 'an outbox row, say');
      await until(() => checkpointer.stats.checkpoints > before);
      await checkpointer.idle();
      assert.ok(checkpointer.stats.last!.log > 0);
      assert.equal(checkpointer.stats.last!.checkpointed, checkpointer.stats.last!.log);
    } finally {
      await checkpointer.stop();
    }
  }));

  test('writes that never pause keep the WAL bounded, not growing with what was written', withDb(async (db) => {
    const backstop = 200;
    const checkpointer = new Checkpointer(db, quiet, backstop);
    try {
      const queue = new CommitQueue(db, undefined, () => checkpointer.kick());
      // Rows spread over the table, so each commit rewrites many pages (about 110): some 13,000 in all, 65 ×
      // the backstop.
      const rows = 4000;
      const batches = 120;
      for (let batch = 0; batch < batches; batch++) {
        await Promise.all(Array.from({ length: rows / 40 }, (_, i) => queue.run(() =>
          db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)').run((i * 7919 + batch * 104729) % rows, `${batch}`.repeat(900)))));
      }
      assert.ok(checkpointer.stats.checkpoints > 0, 'the worker checkpointed');
      // How far past the backstop the WAL gets depends on the threads' speeds, not on how much was written:
      // the backstop runs inside a commit and is skipped while the worker's checkpoint holds the lock, and a
      // worker short of CPU (other processes on the two cores) holds it over several commits. Seen: 360 to
      // 1,400 pages. The WAL file keeps its largest size, so it shows the largest the WAL ever got.
      const bound = (batches / 4) * (rows / 40) * (pageSize(db) + 24);
      assert.ok(walBytes(db) <= bound, `WAL ${walBytes(db)} bytes, bound ${bound} (about a quarter of what was written)`);
    } finally {
      await checkpointer.stop();
    }
  }));

  test('a thread that cannot start is logged, and SQLite checkpoints on the event loop again', withDb(async (db, dir) => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    // The worker opens the database by its path: gone, it fails; the open connection is not affected.
    fs.renameSync(db.name, path.join(dir, 'moved.db'));
    const checkpointer = new Checkpointer(db, log);
    try {
      await until(() => lines.some((l) => l.includes('the checkpoint thread stopped')));
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
      checkpointer.kick(); // after the loss: nothing to ask, nothing thrown
      await checkpointer.idle();
    } finally {
      await checkpointer.stop();
    }
  }));

  test('the thread holds a process only while a checkpoint is asked for, not one that forgot to stop it', withDb(async (_db, dir) => {
    const serverDir = path.resolve(import.meta.dirname, '..');
    const script = path.join(dir, 'forgets.mts');
    fs.writeFileSync(script, `import { openDb } from '${serverDir}/src/db.ts';
      import { Checkpointer } from '${serverDir}/src/checkpoints.ts';
      const c = new Checkpointer(openDb(${JSON.stringify(dir)}), { error: () => {} } as never);
      // Nothing else holds the process: a thread asked to checkpoint must hold it until it answered.
      c.kick();
      await c.idle();
      if (c.stats.checkpoints < 1) throw new Error('the thread did not run');`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: serverDir, timeout: 20000, encoding: 'utf8' });
    assert.equal(child.error, undefined, 'it exited by itself');
    assert.equal(child.status, 0, child.stderr);
  }));
});
