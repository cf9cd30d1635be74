// The push outbox: rows are written in the same transaction as the message (or call) they announce,
// and a worker drains them. Rows a crash (or a failed write after Push Kit answered) left in 'sending' go
// back to 'pending' when the next drain starts: delivery to Push Kit is at-least-once for the moment
// between Push Kit's answer and our commit, and the stable notifyId makes a repeat replace the
// notification instead of adding one.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db.js';
import type { CertificateStore } from './certificates.js';
import type { DeliveryLog, SendContext } from './deliveries.js';
import { MAX_TEST_TOKENS, MAX_TOKENS } from './payloads.js';
import { PushKitClient, PushRequestError } from './client.js';
import { backoffDelay } from './backoff.js';

export interface OutboxTarget {
  token: string;
  clientId: string;
}

interface DueRow {
  id: number;
  token: string;
  client_id: string;
  payload_id: number;
  attempts: number;
  push_type: number;
  body: string;
  user_id: string;
}

// Rows claimed at a time: a claim (one query and one transaction) holds the event loop, so it stays small; the
// drain claims again until nothing is due, in id order, so per-token order holds across claims.
const CLAIM_LIMIT = 250;
/** Sends of a row (each one the client's bounded in-request attempts) before it is marked failed. */
export const MAX_ATTEMPTS = 8;
/** After its n-th failed send a row waits backoffDelay(n, RETRY_BASE_MS, RETRY_MAX_MS). */
export const RETRY_BASE_MS = 2000;
export const RETRY_MAX_MS = 10 * 60 * 1000;
const PARALLEL_REQUESTS = 4;
/**
 * A claim holds its rows this long, renewed every third of it while the drain runs. Several server
 * processes may share one database (docs/scaling.md): another one takes over rows whose lease ran out
 * (their process died), never rows a live process is sending.
 */
export const LEASE_MS = 60_000;

export interface OutboxOptions {
  /** The clock of next_at and of leases (default Date.now). */
  now?: () => number;
  /** The backoff's jitter (default Math.random). */
  random?: () => number;
  /** Whose claims are whose: stable across restarts of one process, distinct between processes (default 'local'). */
  instance?: string;
  /** How long a claim holds unless renewed (default LEASE_MS; tests shorten it). */
  leaseMs?: number;
}

/**
 * Due rows, oldest first (params: now, this process, now, limit). A token another live process is sending
 * to is left alone until it is done: its pushes must reach Push Kit in the order they were queued (see
 * send()), and that process may hold the token's earlier rows.
 */
export const DUE_SQL = `SELECT o.id, o.token, o.client_id, o.payload_id, o.attempts, o.user_id, p.push_type, p.body
  FROM push_outbox o JOIN push_payloads p ON p.id = o.payload_id
  WHERE o.status = 'pending' AND o.next_at <= ? AND NOT EXISTS (SELECT 1 FROM push_outbox s
    WHERE s.status = 'sending' AND s.token = o.token AND s.claimed_by IS NOT ? AND s.lease_until >= ?)
  ORDER BY o.id LIMIT ?`;

export class PushOutbox {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private queuedSinceKick = false;

  private readonly now: () => number;
  private readonly random: () => number;
  private readonly instance: string;
  private readonly leaseMs: number;

  constructor(private readonly db: Db, private readonly certificates: CertificateStore, private readonly client: PushKitClient,
    private readonly deliveries: DeliveryLog, private readonly log: Logger, options: OutboxOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.instance = options.instance ?? 'local';
    this.leaseMs = options.leaseMs ?? LEASE_MS;
  }

  /**
   * Queues a push for each target (whose Client ID the caller found a certificate for). Call inside the
   * transaction that writes what the push announces. Returns how many rows were queued.
   */
  enqueue(kind: string, refId: string, userId: string, pushType: number, body: Record<string, unknown>, targets: OutboxTarget[]): number {
    const json = JSON.stringify(body);
    const hash = crypto.createHash('sha256').update(`${pushType}:${json}`).digest('base64url');
    this.db.prepare('INSERT OR IGNORE INTO push_payloads (hash, push_type, body) VALUES (?, ?, ?)').run(hash, pushType, json);
    const payload = this.db.prepare('SELECT id FROM push_payloads WHERE hash = ?').get(hash) as { id: number };
    const insert = this.db.prepare(`INSERT OR IGNORE INTO push_outbox (kind, ref_id, user_id, token, client_id, payload_id, next_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    let queued = 0;
    const now = this.now();
    for (const t of targets) queued += insert.run(kind, refId, userId, t.token, t.clientId, payload.id, now, now).changes;
    if (queued > 0) this.queuedSinceKick = true;
    return queued;
  }

  /**
   * Drains soon if something was queued since the last kick: a message to online users queues nothing, and
   * must not cost a drain's queries. (Rows of a transaction that rolled back leave the flag set: one drain
   * finds nothing, which is harmless.)
   */
  kickIfQueued(): void {
    if (!this.queuedSinceKick) return;
    this.kick();
  }

  /** Drains now (which first requeues what a crash left mid-send) and every pollMs. */
  start(pollMs = 1000): void {
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, pollMs);
      this.timer.unref();
    };
    tick();
  }

  /** Something was queued: drain soon. */
  kick(): void {
    this.queuedSinceKick = false;
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainLoop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when nothing is due (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }

  private async drainLoop(): Promise<void> {
    try {
      this.requeueUnfinished();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'push outbox drain failed');
      return;
    }
    do {
      this.again = false;
      try {
        while (!this.stopped && await this.drainOnce()) { /* until nothing is due, or stop() */ }
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'push outbox drain failed');
      }
    } while (this.again && !this.stopped);
  }

  /**
   * Rows this process left in 'sending' are not in flight when a drain starts: only one drain runs at a time
   * in a process (kick() starts one only when none is running) and a drain ends only after all its requests
   * have (see the worker in drainOnce). A crash, or a database error after Push Kit answered (sendBatch could
   * not record the outcome), left them there: they go out again, now rather than at the next restart. Rows of
   * another process sharing the database go out again only once their lease ran out: that process died
   * while sending them. Once per drain, not per pass, so a write that keeps failing is not a send loop.
   */
  private requeueUnfinished(): void {
    const requeued = this.db.prepare(`UPDATE push_outbox SET status = 'pending', claimed_by = NULL
      WHERE status = 'sending' AND (claimed_by IS NULL OR claimed_by = ? OR lease_until < ?)`).run(this.instance, this.now()).changes;
    if (requeued > 0) this.log.warn({ requeued }, 'requeued pushes left mid-send (a crash, or a failed write after sending)');
  }

  /** Claims due rows, sends them in batches of identical payloads; false when nothing was due. */
  private async drainOnce(): Promise<boolean> {
    const now = this.now();
    const due = this.db.prepare(DUE_SQL);
    // Looked for without a lock first: the poll finds nothing most of the time, and must not take the write lock.
    if (due.all(now, this.instance, now, 1).length === 0) return false;
    // Read again and claimed under the write lock (IMMEDIATE): another process draining the same database
    // cannot claim the same rows between the read and the update.
    const claim = this.db.prepare("UPDATE push_outbox SET status = 'sending', claimed_by = ?, lease_until = ? WHERE id = ?");
    const rows = this.db.transaction(() => {
      const found = due.all(now, this.instance, now, CLAIM_LIMIT) as DueRow[];
      for (const r of found) claim.run(this.instance, now + this.leaseMs, r.id);
      return found;
    }).immediate();
    if (rows.length === 0) return false;
    const renew = setInterval(() => this.renewLease(), this.leaseMs / 3);
    renew.unref();
    try {
      await this.send(rows);
    } finally {
      clearInterval(renew);
    }
    return true;
  }

  /** Keeps this process's claimed rows its own while it is still sending them. */
  private renewLease(): void {
    try {
      this.db.prepare("UPDATE push_outbox SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?").run(this.now() + this.leaseMs, this.instance);
    } catch (e) {
      // Tried again in a third of the lease; a lease that runs out means at worst a second send (at-least-once).
      this.log.error({ err: (e as Error).message }, 'could not renew the lease of claimed pushes');
    }
  }

  /** Sends claimed rows in batches of identical payloads. */
  private async send(rows: DueRow[]): Promise<void> {
    // Pushes to one token must reach Push Kit in the order they were queued: the last to arrive sets the
    // badge. A token's n-th row of this claim goes into a batch of round n, rounds are sent in order, and a
    // batch starts only once the batches before it that share a token with it are done; batches for
    // unrelated tokens still go out side by side.
    const batches = new Map<string, { round: number; rows: DueRow[] }>();
    const rowsOfToken = new Map<string, number>();
    for (const r of rows) {
      const round = rowsOfToken.get(r.token) ?? 0;
      rowsOfToken.set(r.token, round + 1);
      const key = `${round}\u0000${r.client_id}\u0000${r.payload_id}`;
      const batch = batches.get(key) ?? { round, rows: [] };
      batch.rows.push(r);
      batches.set(key, batch);
    }
    const jobs: DueRow[][] = [];
    for (const { rows: list } of [...batches.values()].sort((a, b) => a.round - b.round)) {
      const cert = this.certificates.find(list[0].client_id);
      const size = cert?.testMessage ? MAX_TEST_TOKENS : MAX_TOKENS;
      for (let i = 0; i < list.length; i += size) jobs.push(list.slice(i, i + size));
    }
    const lastJobOfToken = new Map<string, number>();
    const waitsFor = jobs.map((job, i) => {
      const earlier = new Set<number>();
      for (const r of job) {
        const j = lastJobOfToken.get(r.token);
        if (j !== undefined) earlier.add(j);
        lastJobOfToken.set(r.token, i);
      }
      return [...earlier];
    });
    const done: Promise<void>[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !this.stopped) {
        const i = next++;
        const job = jobs[i];
        let finished = () => {};
        done[i] = new Promise<void>((resolve) => { finished = resolve; });
        try {
          // Jobs are taken in order, so those it waits for are already taken (no deadlock).
          await Promise.all(waitsFor[i].map((j) => done[j]));
          await this.sendBatch(job);
        } catch (e) {
          // The outcome could not be recorded: the rows stay 'sending' until the next drain requeues them.
          // Carry on with the other batches; returning early would let a new drain requeue rows in flight.
          this.log.error({ err: (e as Error).message, rows: job.length }, 'could not record a push batch; it will be sent again');
        } finally {
          finished();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, jobs.length) }, worker));
  }

  private async sendBatch(rows: DueRow[]): Promise<void> {
    // Looked up at send time: a certificate disabled, deleted or changed in the console applies to what is queued.
    const found = this.certificates.lookup(rows[0].client_id);
    const context = { userIds: rows.map((r) => r.user_id), attempt: rows[0].attempts + 1, test: false };
    const body = JSON.parse(rows[0].body) as Record<string, unknown>;
    if (!('cert' in found)) {
      this.refused(rows, found.refused, context);
      return;
    }
    const cert = found.cert;
    const tokens = rows.map((r) => r.token);
    let outcome;
    try {
      outcome = await this.client.send(cert, rows[0].push_type, body, tokens, context);
    } catch (e) {
      const reason = e instanceof PushRequestError ? e.message : `unexpected: ${(e as Error).message}`;
      this.log.error({ certificate: cert.name, reason }, 'push request not sent');
      this.refused(rows, reason, context);
      return;
    }
    if (outcome.kind === 'retry') {
      this.retryLater(rows, outcome.reason);
      return;
    }
    const invalid = new Set(outcome.invalidTokens);
    if (invalid.size > 0) this.dropTokens([...invalid]);
    const delivered = rows.filter((r) => !invalid.has(r.token)).map((r) => r.id);
    const dropped = rows.filter((r) => invalid.has(r.token)).map((r) => r.id);
    this.db.transaction(() => {
      if (outcome.kind === 'sent') this.finish(delivered, 'sent', null);
      else this.finish(delivered, 'failed', outcome.reason);
      this.finish(dropped, 'dropped', 'invalid token');
    }).immediate();
    if (outcome.kind === 'rejected') this.log.error({ certificate: cert.name, reason: outcome.reason }, 'Push Kit rejected a request');
  }

  /** No request was made: the rows fail with the reason, and the delivery log says so. */
  private refused(rows: DueRow[], reason: string, context: SendContext): void {
    this.finish(rows.map((r) => r.id), 'failed', reason);
    this.logFinal(rows, 'refused', reason, context);
  }

  /** An entry that is not a request: a refusal before sending, or giving up after the last retry. */
  private logFinal(rows: DueRow[], outcome: 'refused' | 'failed', reason: string, context: SendContext): void {
    this.deliveries.recordUnsent(rows[0].client_id, rows[0].push_type, JSON.parse(rows[0].body) as Record<string, unknown>, rows.length,
      reason, outcome, context);
  }

  private finish(ids: number[], status: string, error: string | null): void {
    const update = this.db.prepare('UPDATE push_outbox SET status = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => update.run(status, error, id))).immediate();
  }

  private retryLater(rows: DueRow[], reason: string): void {
    const attempts = rows[0].attempts + 1;
    if (attempts >= MAX_ATTEMPTS) {
      this.log.error({ reason, attempts }, 'giving up on a push after repeated failures');
      this.finish(rows.map((r) => r.id), 'failed', reason);
      this.logFinal(rows, 'failed', `gave up after ${attempts} sends: ${reason}`, { userIds: rows.map((r) => r.user_id), attempt: attempts, test: false });
      return;
    }
    const nextAt = this.now() + backoffDelay(attempts, RETRY_BASE_MS, RETRY_MAX_MS, this.random);
    const update = this.db.prepare("UPDATE push_outbox SET status = 'pending', attempts = ?, next_at = ?, last_error = ? WHERE id = ?");
    this.db.transaction(() => rows.forEach((r) => update.run(attempts, nextAt, reason, r.id))).immediate();
    this.log.warn({ reason, attempts, nextAt }, 'push will be retried');
  }

  /** Push Kit says these tokens are dead: forget the devices that had them. */
  private dropTokens(tokens: string[]): void {
    const remove = this.db.prepare('DELETE FROM devices WHERE push_token = ?');
    this.db.transaction(() => tokens.forEach((t) => remove.run(t))).immediate();
    this.log.info({ count: tokens.length }, 'removed devices whose tokens Push Kit reported invalid');
  }
}
