// WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the COMMIT that takes the
// WAL past wal_autocheckpoint pages, on the committing thread: it copies every page written since into the
// database file and syncs it. On the relay benchmark that was half of what a message's commit cost the event
// loop (server/BENCHMARKS.md). Here a worker thread with its own connection checkpoints after each group
// commit, and after other writes once the change count moved (looked at every WATCH_INTERVAL_MS), so the
// server's thread only appends to the WAL.
//
// The server's connection keeps a (raised) automatic checkpoint as the backstop. SQLite starts the WAL
// over only when a write begins with every frame copied, which a checkpoint racing the next commit
// rarely achieves under load: the backstop's checkpoint, finding nearly everything copied already, is
// short and lets the WAL restart. It also covers a worker that stopped.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './db.js';

/** The server's own automatic checkpoint while the worker runs (pages; SQLite's default is 1,000). */
export const BACKSTOP_CHECKPOINT_PAGES = 4000;
/**
 * How often writes made outside the group commit (the outbox, the fan-out's slices, read marks, calls) are
 * looked for: a count of changes compared, no message to the thread unless there were some.
 */
export const WATCH_INTERVAL_MS = 20;

export interface CheckpointResult {
  /** 1 when another checkpoint held the lock. */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames of them copied into the database file. */
  checkpointed: number;
  /** Why the checkpoint failed (the thread carries on). */
  error?: string;
}

export class Checkpointer {
  private readonly worker: Worker;
  private running = false;
  private again = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Checkpoints made and the last one's result (tests and the benchmark read them). */
  readonly stats: { checkpoints: number; last: CheckpointResult | undefined } = { checkpoints: 0, last: undefined };

  private readonly watch: NodeJS.Timeout;
  private changesSeen = -1;
  private failing = false;

  constructor(private readonly db: Db, private readonly log: Logger, backstopPages = BACKSTOP_CHECKPOINT_PAGES) {
    // No flags of the server's process (a loader, --input-type): the worker is plain JavaScript.
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file: db.name }, execArgv: [] });
    db.pragma(`wal_autocheckpoint = ${Math.floor(backstopPages)}`);
    this.worker.on('message', (result: CheckpointResult) => {
      // A failure is logged when it starts, not at every commit while it lasts.
      if (result.error !== undefined && !this.failing) this.log.warn({ err: result.error }, 'a WAL checkpoint failed; retrying after the next write');
      this.failing = result.error !== undefined;
      this.stats.checkpoints += 1;
      this.stats.last = result;
      this.running = false;
      if (this.again) {
        this.kick();
      } else {
        this.worker.unref();
        this.settle();
      }
    });
    this.worker.on('error', (e) => this.lost(e.message));
    this.worker.on('exit', (code) => this.lost(`exit code ${code}`));
    // An idle thread must not keep the process alive (after the listeners: adding one refs it again); one
    // that was asked to checkpoint does until it answered, or a caller awaiting idle() would be left hanging.
    this.worker.unref();
    const changes = db.prepare('SELECT total_changes() AS n').pluck();
    this.watch = setInterval(() => {
      const n = changes.get() as number;
      if (n !== this.changesSeen) {
        this.changesSeen = n;
        this.kick();
      }
    }, WATCH_INTERVAL_MS);
    this.watch.unref();
  }

  /** Something was committed: checkpoint it (one request at a time; kicks meanwhile make one more). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    this.worker.ref();
    this.worker.postMessage(0);
  }

  /** Resolves when no checkpoint is running or asked for (tests). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watch);
    await this.worker.terminate();
    this.settle();
  }

  private settle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** The thread died: the server's own automatic checkpoint, at SQLite's default, takes over. */
  private lost(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    clearInterval(this.watch);
    this.settle();
    this.log.error({ reason }, 'the checkpoint thread stopped; the server checkpoints the database itself now');
    try {
      this.db.pragma('wal_autocheckpoint = 1000');
    } catch {
      // The database is closing too.
    }
  }
}
