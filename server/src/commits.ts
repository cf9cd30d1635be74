// Group commit: writes that arrive close together (within COMMIT_WINDOW_MS, up to MAX_BATCH)
// share one SQLite transaction, so a burst of messages costs one commit instead of one each. Each job
// runs in its own savepoint: a job that throws (a validation error, a conflict) undoes only its own
// writes and gets its own error; the others commit. Every job's promise settles after the commit (or
// the failed commit), so an acknowledgement never announces a write that is not durable.
import type { Db } from './db.js';
import { isStorageUnavailable } from './db.js';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How long the first write of a batch waits for others to join it. */
export const COMMIT_WINDOW_MS = 2;
/** A batch never grows past this: the event loop is blocked while it commits. */
export const MAX_BATCH = 256;

export class CommitQueue {
  private pending: Job[] = [];
  private scheduled = false;
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
      if (this.pending.length >= this.maxBatch) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        // A short window: the frames and requests that arrive meanwhile join this batch. Measured on the relay
        // benchmark (server/BENCHMARKS.md), 2 ms cut the server's CPU per message and its p99 against flushing
        // at the end of each loop turn: fewer, larger commits.
        setTimeout(() => {
          this.scheduled = false;
          this.flush();
        }, COMMIT_WINDOW_MS);
      }
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
      })();
    } catch (error) {
      if (error === failed) return undefined;
      throw error;
    }
    return results;
  }

}
