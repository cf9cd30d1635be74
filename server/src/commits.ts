// Group commit: writes that arrive close together share one SQLite transaction, so a burst of messages
// costs one commit instead of one each. A batch is committed once a turn of the event loop brings no new
// write (the burst is in), at the latest COMMIT_WINDOW_MS after its first, or at MAX_BATCH. Each job runs in
// its own savepoint: a job that throws (a validation error, a conflict) undoes only its own writes and gets
// its own error; the others commit. Every job's promise settles after the commit (or the failed commit), so
// an acknowledgement never announces a write that is not durable.
import type { Db } from './db.js';
import { isStorageUnavailable } from './db.js';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The longest the first write of a batch waits for others while they keep coming. */
export const COMMIT_WINDOW_MS = 2;
/** A batch never grows past this: the event loop is blocked while it commits. */
export const MAX_BATCH = 256;

export class CommitQueue {
  private pending: Job[] = [];
  private scheduled = false;
  /** Jobs ever queued: a turn of the event loop that did not change it brought no write. */
  private queued = 0;
  /** Commits made and jobs in them (the tests and the benchmark read them). */
  readonly stats = { commits: 0, jobs: 0 };

  /** A nested transaction is a SAVEPOINT in better-sqlite3; one wrapper serves every job. */
  private readonly savepoint: (work: () => unknown) => unknown;

  /** `onCommit` runs after each commit (the checkpoint thread is told there is something to copy). */
  constructor(private readonly db: Db, private readonly maxBatch = MAX_BATCH, private readonly onCommit: () => void = () => {}) {
    this.savepoint = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` inside the next shared transaction; resolves with its result once that has committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.queued += 1;
      if (this.pending.length >= this.maxBatch) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        this.commitWhenQuiet(performance.now(), this.queued);
      }
    });
  }

  /**
   * Commits at the end of the first turn of the event loop that read no new write, or COMMIT_WINDOW_MS after
   * `started`. A fixed wait (2 ms) left the event loop idle for a third of the relay benchmark while the
   * burst it waited for had long arrived; this took the socket path from about 8,100 to 9,100 msgs/s at the
   * same CPU per message and p99 (server/BENCHMARKS.md). A quiet moment costs one loop turn, not 2 ms.
   */
  private commitWhenQuiet(started: number, seen: number): void {
    setImmediate(() => {
      if (this.queued !== seen && performance.now() - started < COMMIT_WINDOW_MS) {
        this.commitWhenQuiet(started, this.queued);
        return;
      }
      this.scheduled = false;
      this.flush();
    });
  }

  /** Commits what is pending now. */
  flush(): void {
    const jobs = this.pending;
    if (jobs.length === 0) return;
    this.pending = [];
    let results: { ok: boolean; value: unknown }[];
    try {
      // Optimistic: jobs rarely fail, and a savepoint per job costs about as much as the job itself. When one
      // throws, the batch is rolled back and run again with a savepoint per job, so each failure stays its own.
      results = this.runAll(jobs, false) ?? this.runAll(jobs, true) as { ok: boolean; value: unknown }[];
    } catch (error) {
      // The commit itself failed (busy, full): nothing of this batch is stored.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.commits += 1;
    this.stats.jobs += jobs.length;
    this.onCommit();
    jobs.forEach((job, i) => (results[i].ok ? job.resolve(results[i].value) : job.reject(results[i].value)));
  }

  /**
   * One transaction for the batch. Without savepoints, undefined when a job threw (everything rolled back);
   * with them, each job's result or error.
   */
  private runAll(jobs: Job[], savepoints: boolean): { ok: boolean; value: unknown }[] | undefined {
    const results: { ok: boolean; value: unknown }[] = [];
    const failed = new Error('a job failed: run the batch again with savepoints');
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          if (!savepoints) {
            try {
              results.push({ ok: true, value: job.work() });
            } catch (error) {
              // A storage error fails the batch as one; any other undoes the batch for the second run.
              throw isStorageUnavailable(error) ? error : failed;
            }
            continue;
          }
          try {
            // Rolled back alone when it throws.
            results.push({ ok: true, value: this.savepoint(job.work) });
          } catch (error) {
            // A full disk or a lock can end the whole transaction (SQLite may roll it back on its own):
            // the batch fails as one, and every job is told the store could not take it.
            if (isStorageUnavailable(error)) throw error;
            results.push({ ok: false, value: error });
          }
        }
      }).immediate();
    } catch (error) {
      if (error === failed) return undefined;
      throw error;
    }
    return results;
  }

}
