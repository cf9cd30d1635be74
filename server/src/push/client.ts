// The Push Kit v3 client: POST {base}/v3/{projectId}/messages:send with the service-account JWT.
// Network errors, 5xx and 503 (traffic control) are retried with bounded exponential backoff and
// jitter; malformed requests are never retried; invalid tokens are reported for removal; a rejected
// JWT is renewed once.
import type { Logger } from 'pino';
import type { Certificate, ServiceAccount } from '../config.js';
import { ServiceAccountJwt } from './jwt.js';
import type { NewEntry, Outcome, SendContext } from './deliveries.js';
import { categoryOf, loggedBody } from './deliveries.js';
import { MAX_BODY_BYTES, MAX_TEST_TOKENS, MAX_TOKENS, bodyBytes } from './payloads.js';
import { backoffDelay } from './backoff.js';
import type { HttpPost } from './transport.js';

export const CODE_SUCCESS = '80000000';
export const CODE_PARTIAL = '80100000';
export const CODE_ALL_TOKENS_INVALID = '80300007';
const JWT_REJECTED = new Set(['80200001', '80200005']);
/** Reasons under illegalTokens that mean the token will never work again. */
const DEAD_TOKEN_REASONS = ['tokenFormatError', 'tokenPlatformNotSupport'];

/** Push Kit's answer to the last request made (none in dry run, or when no answer came). */
export interface PushResponse {
  status: number;
  code: string;
  msg: string;
}

export type SendOutcome =
  /** Push Kit accepted the request; `invalidTokens` must be forgotten. */
  | { kind: 'sent'; invalidTokens: string[]; code: string; response?: PushResponse; logged?: number }
  /** Worth trying again later (network, 5xx, traffic control). */
  | { kind: 'retry'; reason: string; response?: PushResponse; logged?: number }
  /** Will not succeed as it is (malformed, rights, configuration): do not retry. */
  | { kind: 'rejected'; reason: string; invalidTokens: string[]; response?: PushResponse; logged?: number };

/** The v3 request as it goes out: for the console, which shows it with the tokens and the JWT redacted. */
export interface PushRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export const REDACTED = '<redacted>';

/** What send() posts for these tokens, with the tokens and the bearer JWT replaced by REDACTED. */
export function redactedRequest(base: string, cert: Certificate, pushType: number, body: Record<string, unknown>, tokens: string[]): PushRequest {
  const project = cert.serviceAccount?.project_id ?? '<dry run: no project>';
  return {
    method: 'POST',
    url: `${base}/v3/${encodeURIComponent(project)}/messages:send`,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${REDACTED}`, 'push-type': String(pushType) },
    body: { ...body, target: { token: tokens.map(() => REDACTED) } },
  };
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** No answer (its headers, or the next part of its body) within this long is a network error, retried. */
export const REQUEST_TIMEOUT_MS = 15000;

export interface ClientDeps {
  post: HttpPost;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: Logger;
  /** Each request made (and each dry-run request built), for the delivery log; answers the entry's id. */
  record: (entry: NewEntry) => number | void;
  /** Milliseconds for latencies (default performance.now). */
  clock?: () => number;
}

export class PushRequestError extends Error {}

function deadTokens(msg: string, tokens: string[], allInvalid: boolean): string[] {
  try {
    const parsed = JSON.parse(msg) as { illegalTokens?: Record<string, unknown> };
    const illegal = parsed.illegalTokens;
    if (illegal && typeof illegal === 'object') {
      const dead = new Set<string>();
      for (const reason of DEAD_TOKEN_REASONS) {
        const list = illegal[reason];
        if (Array.isArray(list)) for (const t of list) if (typeof t === 'string' && tokens.includes(t)) dead.add(t);
      }
      return [...dead];
    }
  } catch {
    // not JSON: no breakdown
  }
  return allInvalid ? [...tokens] : [];
}

/** Checks what Push Kit would reject as malformed before it goes out (also in dry run). */
export function validateRequest(cert: Certificate, body: Record<string, unknown>, tokens: string[]): void {
  const limit = cert.testMessage ? MAX_TEST_TOKENS : MAX_TOKENS;
  if (tokens.length === 0 || tokens.length > limit) throw new PushRequestError(`a request needs 1..${limit} tokens, got ${tokens.length}`);
  const size = bodyBytes(body);
  if (size > MAX_BODY_BYTES) throw new PushRequestError(`the body is ${size} bytes, over Push Kit's ${MAX_BODY_BYTES}`);
}

export class PushKitClient {
  // Keyed by the service-account object: a certificate whose key is replaced in the console gets a new
  // object, so the next request signs with the new key; the old signer is collected with the old object.
  private readonly jwts = new WeakMap<ServiceAccount, ServiceAccountJwt>();
  private readonly clock: () => number;

  constructor(private readonly base: string, private readonly retry: RetryOptions, private readonly deps: ClientDeps) {
    this.clock = deps.clock ?? (() => performance.now());
  }

  jwtFor(cert: Certificate): ServiceAccountJwt | undefined {
    if (!cert.serviceAccount) return undefined;
    let jwt = this.jwts.get(cert.serviceAccount);
    if (!jwt) {
      jwt = new ServiceAccountJwt(cert.serviceAccount);
      this.jwts.set(cert.serviceAccount, jwt);
    }
    return jwt;
  }

  /** Posts one request (with bounded in-request retries); every try is recorded with `context`. */
  async send(cert: Certificate, pushType: number, body: Record<string, unknown>, tokens: string[], context: SendContext): Promise<SendOutcome> {
    validateRequest(cert, body, tokens);
    const request = { ...body, target: { token: tokens } };
    const category = categoryOf(pushType, body);
    let logged: number | undefined;
    const record = (outcome: Outcome, message: string, response: Partial<PushResponse>, invalidTokens: number, latencyMs: number | null) => {
      logged = this.deps.record({
        certificate: cert.name, pushType, category, body: loggedBody(body, tokens.length),
        tokens: tokens.length, status: response.status ?? null, code: response.code || null, message, outcome, invalidTokens,
        latencyMs, context,
      }) ?? undefined;
    };
    const jwt = this.jwtFor(cert);
    if (!jwt || !cert.serviceAccount) {
      record('dryRun', 'not sent: no service account (dry run)', {}, 0, null);
      return { kind: 'sent', invalidTokens: [], code: 'dry-run', logged };
    }
    const url = `${this.base}/v3/${encodeURIComponent(cert.serviceAccount.project_id)}/messages:send`;
    let renewed = false;
    let lastReason = '';
    let lastResponse: PushResponse | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await this.deps.sleep(backoffDelay(attempt - 1, this.retry.baseDelayMs, this.retry.maxDelayMs, this.deps.random));
      let status = 0;
      let text = '';
      const started = this.clock();
      const elapsed = () => Math.round(this.clock() - started);
      try {
        const answer = await this.deps.post(url,
          { 'Content-Type': 'application/json', Authorization: `Bearer ${await jwt.get()}`, 'push-type': String(pushType) },
          JSON.stringify(request), REQUEST_TIMEOUT_MS);
        status = answer.status;
        text = answer.text;
      } catch (e) {
        lastReason = `network error: ${(e as Error).message}`;
        record('retry', lastReason, {}, 0, elapsed());
        continue;
      }
      let code = '';
      let msg = '';
      let json = true;
      try {
        const parsed = JSON.parse(text) as { code?: unknown; msg?: unknown };
        code = String(parsed.code ?? '');
        msg = typeof parsed.msg === 'string' ? parsed.msg : JSON.stringify(parsed.msg ?? '');
      } catch {
        json = false;
      }
      lastResponse = { status, code, msg: msg.slice(0, 500) };
      if (status === 503 || status >= 500) {
        lastReason = `HTTP ${status}`;
        record('retry', `${lastReason} ${msg}`.trim(), lastResponse, 0, elapsed());
        continue;
      }
      if (!json) {
        const reason = `HTTP ${status} with a body that is not JSON`;
        record('failed', reason, lastResponse, 0, elapsed());
        return { kind: 'rejected', reason, invalidTokens: [], response: lastResponse, logged };
      }
      if (code === CODE_SUCCESS) {
        record('sent', msg || 'Success', lastResponse, 0, elapsed());
        return { kind: 'sent', invalidTokens: [], code, response: lastResponse, logged };
      }
      if (code === CODE_PARTIAL) {
        const invalid = deadTokens(msg, tokens, false);
        record('partial', msg, lastResponse, invalid.length, elapsed());
        return { kind: 'sent', invalidTokens: invalid, code, response: lastResponse, logged };
      }
      if (code === CODE_ALL_TOKENS_INVALID) {
        const invalid = deadTokens(msg, tokens, true);
        record('failed', msg || 'all tokens invalid', lastResponse, invalid.length, elapsed());
        return { kind: 'rejected', reason: `${code} all tokens invalid`, invalidTokens: invalid, response: lastResponse, logged };
      }
      if (JWT_REJECTED.has(code) && !renewed) {
        renewed = true;
        jwt.invalidate();
        record('retry', `${msg} (JWT refused: signing a new one)`.trim(), lastResponse, 0, elapsed());
        this.deps.log.warn({ certificate: cert.name, code }, 'Push Kit rejected the JWT; signing a new one');
        attempt -= 1; // the renewal is not a retry of a failure
        continue;
      }
      record('failed', msg, lastResponse, 0, elapsed());
      return { kind: 'rejected', reason: `HTTP ${status} ${code} ${msg.slice(0, 200)}`, invalidTokens: [], response: lastResponse, logged };
    }
    return { kind: 'retry', reason: lastReason, response: lastResponse, logged };
  }
}
