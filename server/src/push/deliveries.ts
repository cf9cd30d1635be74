// The delivery log of the push console: one entry per Push Kit request the server made (each try of the
// client's in-request retries is its own entry), and one per push refused before a request was made (a
// disabled or missing certificate). Tokens are never stored: the body keeps only their count. New entries
// are announced to listeners (the console's live stream); old ones are pruned after the retention.
import { EventEmitter } from 'node:events';
import type { Db } from '../db.js';

export type Outcome = 'sent' | 'partial' | 'failed' | 'retry' | 'refused' | 'dryRun';
export const OUTCOMES: readonly Outcome[] = ['sent', 'partial', 'failed', 'retry', 'refused', 'dryRun'];
/** The console's result filter. */
export const RESULT_FILTERS = { success: ['sent', 'partial'], failure: ['failed', 'retry', 'refused'], dryRun: ['dryRun'] } as const;
export type ResultFilter = keyof typeof RESULT_FILTERS;

/** Who a request was for and why: the outbox's rows, or the console's test push. */
export interface SendContext {
  userIds: string[];
  /** The outbox row's send number (1 = first), or 1 for a test push. */
  attempt: number;
  test: boolean;
}

/** What a request came to: the same in what is recorded and in what the log answers. */
interface Outcomes {
  category: string | null;
  tokens: number;
  status: number | null;
  code: string | null;
  message: string;
  outcome: Outcome;
  invalidTokens: number;
  latencyMs: number | null;
}

export interface NewEntry extends Outcomes {
  certificate: string;
  pushType: number;
  /** The request body with its tokens replaced by a count. */
  body: Record<string, unknown>;
  context: SendContext;
}

export interface Entry extends Outcomes {
  id: number;
  at: number;
  userId: string | null;
  users: number;
  certificate: string;
  pushType: 'notification' | 'voip';
  attempt: number;
  dryRun: boolean;
  test: boolean;
}

export interface Query {
  userId?: string;
  certificate?: string;
  result?: ResultFilter;
  before?: number;
  limit: number;
}

export interface CertificateTotals {
  name: string;
  sent: number;
  failed: number;
  dropped: number;
  hourly: { start: number; sent: number; failed: number }[];
}

interface Row {
  id: number;
  created_at: number;
  user_id: string | null;
  users: number;
  client_id: string;
  push_type: number;
  category: string | null;
  tokens: number;
  status: number | null;
  code: string | null;
  result: string;
  outcome: string;
  invalid_tokens: number;
  attempt: number;
  latency_ms: number | null;
  test: number;
  body: string;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const PRUNE_EVERY_MS = HOUR_MS;
/** Rows deleted per statement when pruning: a big backlog is removed in steps, not in one long lock. */
const PRUNE_BATCH = 5000;

/** The notification category of a push-type 0 body (null for VoIP). */
export function categoryOf(pushType: number, body: Record<string, unknown>): string | null {
  if (pushType !== 0) return null;
  const category = (body.payload as { notification?: { category?: unknown } } | undefined)?.notification?.category;
  return typeof category === 'string' ? category : null;
}

/** The body as the log keeps it: the tokens replaced by their count. */
export function loggedBody(body: Record<string, unknown>, tokens: number): Record<string, unknown> {
  return { ...body, target: { token: `[${tokens} tokens]` } };
}

function toEntry(r: Row): Entry {
  return {
    id: r.id, at: r.created_at, userId: r.user_id, users: r.users, certificate: r.client_id,
    pushType: r.push_type === 10 ? 'voip' : 'notification', category: r.category, tokens: r.tokens, status: r.status,
    code: r.code, message: r.result, outcome: r.outcome as Outcome, invalidTokens: r.invalid_tokens, attempt: r.attempt,
    latencyMs: r.latency_ms, dryRun: r.outcome === 'dryRun', test: r.test === 1,
  };
}

export class DeliveryLog {
  private readonly events = new EventEmitter();
  private readonly insert;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db, private readonly retentionDays: number, private readonly now: () => number = Date.now) {
    // One listener per open console stream; the streams are limited by the admin API.
    this.events.setMaxListeners(0);
    this.insert = db.prepare(`INSERT INTO push_log (mode, client_id, push_type, tokens, body, result, created_at, user_id, users, category,
      status, code, outcome, invalid_tokens, attempt, latency_ms, test) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`);
  }

  record(e: NewEntry): Entry {
    const users = [...new Set(e.context.userIds)];
    const row = this.insert.get(e.outcome === 'dryRun' ? 'dry-run' : e.context.test ? 'test' : 'sent', e.certificate, e.pushType,
      e.tokens, JSON.stringify(e.body), e.message.slice(0, 500), this.now(), users.length === 1 ? users[0] : null, users.length,
      e.category, e.status, e.code, e.outcome, e.invalidTokens, e.context.attempt, e.latencyMs, e.context.test ? 1 : 0) as Row;
    const entry = toEntry(row);
    this.events.emit('entry', entry);
    return entry;
  }

  /** An entry that is not a request: a push refused before one was made, or given up after the last retry. */
  recordUnsent(certificate: string, pushType: number, body: Record<string, unknown>, tokens: number, reason: string,
    outcome: 'refused' | 'failed', context: SendContext): Entry {
    return this.record({ certificate, pushType, category: categoryOf(pushType, body), body: loggedBody(body, tokens), tokens,
      status: null, code: null, message: reason, outcome, invalidTokens: 0, latencyMs: null, context });
  }

  onEntry(listener: (entry: Entry) => void): () => void {
    this.events.on('entry', listener);
    return () => this.events.off('entry', listener);
  }

  query(q: Query): { entries: Entry[]; nextBefore: number | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.userId !== undefined) { where.push('user_id = ?'); args.push(q.userId); }
    if (q.certificate !== undefined) { where.push('client_id = ?'); args.push(q.certificate); }
    if (q.result !== undefined) {
      const outcomes = RESULT_FILTERS[q.result];
      where.push(`outcome IN (${outcomes.map(() => '?').join(', ')})`);
      args.push(...outcomes);
    }
    if (q.before !== undefined) { where.push('id < ?'); args.push(q.before); }
    const sql = `SELECT * FROM push_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit + 1) as Row[];
    const more = rows.length > q.limit;
    const entries = rows.slice(0, q.limit).map(toEntry);
    return { entries, nextBefore: more ? entries[entries.length - 1].id : null };
  }

  get(id: number): (Entry & { request: unknown }) | undefined {
    const row = this.db.prepare('SELECT * FROM push_log WHERE id = ?').get(id) as Row | undefined;
    return row ? { ...toEntry(row), request: JSON.parse(row.body) as unknown } : undefined;
  }

  /**
   * Per certificate over the last 24 hours, in tokens: sent (accepted by Push Kit, invalid ones excluded),
   * failed (final failures and refusals; a retry is not final), dropped (invalid tokens whose devices were
   * forgotten); hourly, oldest hour first.
   */
  stats(): { since: number; certificates: CertificateTotals[] } {
    const end = Math.floor(this.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
    const since = end - DAY_MS;
    const rows = this.db.prepare(`SELECT client_id, (created_at - ?) / ${HOUR_MS} AS bucket,
        SUM(CASE WHEN outcome IN ('sent', 'partial') THEN tokens - invalid_tokens ELSE 0 END) AS sent,
        SUM(CASE WHEN outcome IN ('failed', 'refused') THEN tokens - invalid_tokens ELSE 0 END) AS failed,
        SUM(invalid_tokens) AS dropped
      FROM push_log WHERE created_at >= ? GROUP BY client_id, bucket`).all(since, since) as
      { client_id: string; bucket: number; sent: number; failed: number; dropped: number }[];
    const byName = new Map<string, CertificateTotals>();
    for (const r of rows) {
      let totals = byName.get(r.client_id);
      if (!totals) {
        totals = { name: r.client_id, sent: 0, failed: 0, dropped: 0,
          hourly: Array.from({ length: 24 }, (_, i) => ({ start: since + i * HOUR_MS, sent: 0, failed: 0 })) };
        byName.set(r.client_id, totals);
      }
      totals.sent += r.sent;
      totals.failed += r.failed;
      totals.dropped += r.dropped;
      const hour = totals.hourly[Math.min(23, Math.max(0, r.bucket))];
      hour.sent += r.sent;
      hour.failed += r.failed;
    }
    return { since, certificates: [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) };
  }

  /** Deletes entries older than the retention; returns how many. */
  prune(): number {
    const cutoff = this.now() - this.retentionDays * DAY_MS;
    const remove = this.db.prepare(`DELETE FROM push_log WHERE id IN (SELECT id FROM push_log WHERE created_at < ? LIMIT ${PRUNE_BATCH})`);
    let total = 0;
    for (;;) {
      const n = remove.run(cutoff).changes;
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  }

  start(): void {
    this.prune();
    this.timer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.events.removeAllListeners();
  }
}
