// The Push Kit v3 client: POST {base}/v3/{projectId}/messages:send with the service-account JWT.
// Network errors, 5xx and 503 (traffic control) are retried with bounded exponential backoff and
// jitter; malformed requests are never retried; invalid tokens are reported for removal; a rejected
// JWT is renewed once.
import type { Logger } from 'pino';
import type { Certificate } from '../config.js';
import { ServiceAccountJwt } from './jwt.js';
import { MAX_BODY_BYTES, MAX_TEST_TOKENS, MAX_TOKENS, bodyBytes } from './payloads.js';
import { backoffDelay } from './backoff.js';

export const CODE_SUCCESS = '80000000';
export const CODE_PARTIAL = '80100000';
export const CODE_ALL_TOKENS_INVALID = '80300007';
const JWT_REJECTED = new Set(['80200001', '80200005']);
/** Reasons under illegalTokens that mean the token will never work again. */
const DEAD_TOKEN_REASONS = ['tokenFormatError', 'tokenPlatformNotSupport'];

export type SendOutcome =
  /** Push Kit accepted the request; `invalidTokens` must be forgotten. */
  | { kind: 'sent'; invalidTokens: string[]; code: string }
  /** Worth trying again later (network, 5xx, traffic control). */
  | { kind: 'retry'; reason: string }
  /** Will not succeed as it is (malformed, rights, configuration): do not retry. */
  | { kind: 'rejected'; reason: string; invalidTokens: string[] };

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ClientDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: Logger;
  /** Dry-run requests go here instead of Push Kit. */
  record: (mode: string, cert: Certificate, pushType: number, body: Record<string, unknown>, result: string) => void;
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
  private readonly jwts = new Map<string, ServiceAccountJwt>();

  constructor(private readonly base: string, private readonly retry: RetryOptions, private readonly deps: ClientDeps) {}

  jwtFor(cert: Certificate): ServiceAccountJwt | undefined {
    if (!cert.serviceAccount) return undefined;
    let jwt = this.jwts.get(cert.name);
    if (!jwt) {
      jwt = new ServiceAccountJwt(cert.serviceAccount);
      this.jwts.set(cert.name, jwt);
    }
    return jwt;
  }

  async send(cert: Certificate, pushType: number, body: Record<string, unknown>, tokens: string[]): Promise<SendOutcome> {
    validateRequest(cert, body, tokens);
    const request = { ...body, target: { token: tokens } };
    const jwt = this.jwtFor(cert);
    if (!jwt || !cert.serviceAccount) {
      this.deps.record('dry-run', cert, pushType, request, 'not sent: no service account (dry run)');
      return { kind: 'sent', invalidTokens: [], code: 'dry-run' };
    }
    const url = `${this.base}/v3/${encodeURIComponent(cert.serviceAccount.project_id)}/messages:send`;
    let renewed = false;
    let lastReason = '';
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await this.deps.sleep(backoffDelay(attempt - 1, this.retry.baseDelayMs, this.retry.maxDelayMs, this.deps.random));
      let status = 0;
      let text = '';
      try {
        const response = await this.deps.fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await jwt.get()}`, 'push-type': String(pushType) },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(15000),
        });
        status = response.status;
        text = await response.text();
      } catch (e) {
        lastReason = `network error: ${(e as Error).message}`;
        continue;
      }
      if (status === 503 || status >= 500) {
        lastReason = `HTTP ${status}`;
        continue;
      }
      let code = '';
      let msg = '';
      try {
        const parsed = JSON.parse(text) as { code?: unknown; msg?: unknown };
        code = String(parsed.code ?? '');
        msg = typeof parsed.msg === 'string' ? parsed.msg : JSON.stringify(parsed.msg ?? '');
      } catch {
        return { kind: 'rejected', reason: `HTTP ${status} with a body that is not JSON`, invalidTokens: [] };
      }
      this.deps.record('sent', cert, pushType, request, `${status} ${code}`);
      if (code === CODE_SUCCESS) return { kind: 'sent', invalidTokens: [], code };
      if (code === CODE_PARTIAL) return { kind: 'sent', invalidTokens: deadTokens(msg, tokens, false), code };
      if (code === CODE_ALL_TOKENS_INVALID) {
        return { kind: 'rejected', reason: `${code} all tokens invalid`, invalidTokens: deadTokens(msg, tokens, true) };
      }
      if (JWT_REJECTED.has(code) && !renewed) {
        renewed = true;
        jwt.invalidate();
        this.deps.log.warn({ certificate: cert.name, code }, 'Push Kit rejected the JWT; signing a new one');
        attempt -= 1; // the renewal is not a retry of a failure
        continue;
      }
      return { kind: 'rejected', reason: `HTTP ${status} ${code} ${msg.slice(0, 200)}`, invalidTokens: [] };
    }
    return { kind: 'retry', reason: lastReason };
  }
}
