// The checkpoint thread that src/checkpoints.ts starts. Plain JavaScript: a worker thread does not inherit
// the tsx loader, and this file needs none of it. Its own connection copies committed WAL pages into the
// database file each time the server says it committed (one message in, one answer out).
// PASSIVE neither waits for nor blocks the server's writes: https://sqlite.org/c3ref/wal_checkpoint_v2.html
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { fileMustExist: true });
// The database file is synced after each checkpoint, as the server's own connection would do it.
db.pragma('synchronous = NORMAL');

parentPort.on('message', () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    // busy: 1 when another checkpoint (the server's backstop) held the lock; log: frames in the WAL;
    // checkpointed: how many of them are in the database file now.
    parentPort.postMessage({ busy: result.busy, log: result.log, checkpointed: result.checkpointed });
  } catch (e) {
    // A full disk or an I/O error may pass: the next request tries again.
    parentPort.postMessage({ busy: 0, log: 0, checkpointed: 0, error: `${e.code ?? ''} ${e.message}`.trim() });
  }
});
