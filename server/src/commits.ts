// Group commit: writes that arrive close together (in one turn of the event loop, or up to MAX_BATCH)
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

/** A batch never grows past this: the event loop is blocked while it commits. */
export const MAX_BATCH = 256;

export class CommitQueue {
  private pending: Job[] = [];
  private scheduled = false;
  /** Commits made and jobs in them (the tests and the benchmark read them). */
  readonly stats = { commits: 0, jobs: 0 };

  /** A nested transaction is a SAVEPOINT in better-sqlite3; one wrapper serves every job. */
  private readonly savepoint: (work: () => unknown) => unknown;

  constructor(private readonly db: Db, private readonly maxBatch = MAX_BATCH) {
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
        // setImmediate runs after the I/O callbacks of this loop turn: every frame and request already
        // read joins this batch, and none waits for a timer.
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Commits what is pending now. */
  flush(): void {
    const jobs = this.pending;
    if (jobs.length === 0) return;
    this.pending = [];
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
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
      // The commit itself failed (busy, full): nothing of this batch is stored.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.commits += 1;
    this.stats.jobs += jobs.length;
    jobs.forEach((job, i) => (results[i].ok ? job.resolve(results[i].value) : job.reject(results[i].value)));
  }
}
