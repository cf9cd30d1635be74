// Who is calling: passwords (scrypt), sessions (HS256 JWTs backed by a row that logout deletes) and, in
// integrator mode, tokens signed by the integrator's own backend.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, importSPKI, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import type { Db } from './db.js';
import { metaValue } from './db.js';
import type { ExternalAuth } from './config.js';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
const KEY_LENGTH = 32;

/**
 * scrypt with a per-user random salt; the parameters are stored with each hash so they can be raised
 * later without locking anyone out. N = 2^15, r = 8 costs about 90 ms and 32 MiB per hash on our 2-core
 * machines; tests lower log2N through ServerDeps (never through the environment).
 */
export class Passwords {
  /** A hash of a password nobody has, verified for unknown users so they cost as much as known ones. */
  private readonly decoy: Promise<string>;

  constructor(private readonly log2N = 15) {
    this.decoy = this.hash(crypto.randomBytes(16).toString('base64url'));
  }

  async hash(password: string): Promise<string> {
    const salt = crypto.randomBytes(16);
    const key = await scrypt(password, salt, KEY_LENGTH, this.options(this.log2N, 8, 1));
    return `scrypt$${this.log2N}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /** True when `password` matches `stored`; an unknown user (stored undefined) takes as long and fails. */
  async verify(password: string, stored: string | null | undefined): Promise<boolean> {
    const parts = (stored ?? await this.decoy).split('$');
    const [scheme, log2N, r, p, salt, expected] = parts;
    if (parts.length !== 6 || scheme !== 'scrypt') return false;
    const want = Buffer.from(expected, 'base64url');
    const got = await scrypt(password, Buffer.from(salt, 'base64url'), want.length, this.options(Number(log2N), Number(r), Number(p)));
    // timingSafeEqual: the comparison does not tell how many leading bytes matched.
    const match = crypto.timingSafeEqual(got, want);
    return match && stored !== undefined && stored !== null;
  }

  private options(log2N: number, r: number, p: number): crypto.ScryptOptions {
    return { N: 2 ** log2N, r, p, maxmem: 256 * 2 ** log2N * r + 1024 * 1024 };
  }
}

export interface SessionInfo {
  userId: string;
  sessionId: string;
}

export interface IssuedSession {
  token: string;
  userId: string;
  expiresAt: number;
}

/**
 * Sessions: an HS256 JWT (sub = user, jti = session row, exp always) signed with a per-installation
 * secret kept in the database. The row makes logout real: a token whose row is gone is refused even
 * though its signature and exp are still good.
 */
/** Tokens whose signature is remembered as checked (the oldest forgotten first). */
const VERIFIED_TOKENS = 10000;

export class Sessions {
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, { sub: string; jti: string; expMs: number }>();
  private readonly insert;
  private readonly lookup;
  private readonly remove;
  private readonly oldest;
  private readonly expired;

  constructor(db: Db, private readonly ttlSeconds: number, private readonly maxPerUser: number,
    private readonly now: () => number = Date.now) {
    const secret = metaValue(db, 'session_secret', () => crypto.randomBytes(32).toString('base64url'));
    this.key = new TextEncoder().encode(secret);
    this.insert = db.prepare('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
    this.lookup = db.prepare('SELECT user_id FROM sessions WHERE id = ? AND expires_at > ?');
    this.remove = db.prepare('DELETE FROM sessions WHERE id = ?');
    this.oldest = db.prepare(`DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE user_id = ? AND expires_at > ?
      ORDER BY created_at DESC, id LIMIT -1 OFFSET ?) RETURNING id`);
    this.expired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  /** A new session; the user's oldest sessions beyond the cap end (their ids are returned in `ended`). */
  async issue(userId: string): Promise<IssuedSession & { ended: string[] }> {
    const now = this.now();
    const iat = Math.floor(now / 1000);
    const exp = iat + this.ttlSeconds;
    const sessionId = crypto.randomBytes(16).toString('base64url');
    this.expired.run(now);
    this.insert.run(sessionId, userId, now, exp * 1000);
    const ended = (this.oldest.all(userId, now, this.maxPerUser) as { id: string }[]).map((r) => r.id);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setJti(sessionId)
      .setAudience('pushuikit')
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, userId, expiresAt: exp * 1000, ended };
  }

  /** The session of a valid token, or undefined (bad signature, no exp, expired, logged out, malformed). */
  async verify(token: string): Promise<SessionInfo | undefined> {
    // A token whose signature was checked before needs only its expiry and its session row (logout):
    // the same string carries the same claims.
    let claims = this.verified.get(token);
    if (claims === undefined) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, this.key, { audience: 'pushuikit', algorithms: ['HS256'],
          requiredClaims: ['exp', 'sub', 'jti'], currentDate: new Date(this.now()) }));
      } catch {
        return undefined;
      }
      if (typeof payload.jti !== 'string' || typeof payload.sub !== 'string') return undefined; // jose checks presence, not type
      claims = { sub: payload.sub, jti: payload.jti, expMs: (payload.exp as number) * 1000 };
      if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, claims);
    }
    if (claims.expMs <= this.now()) {
      this.verified.delete(token);
      return undefined;
    }
    const row = this.lookup.get(claims.jti, this.now()) as { user_id: string } | undefined;
    if (!row || row.user_id !== claims.sub) return undefined;
    return { userId: row.user_id, sessionId: claims.jti };
  }

  revoke(sessionId: string): void {
    this.remove.run(sessionId);
  }
}

/** What an integrator's token says about its user. */
export interface ExternalIdentity {
  userId: string;
  displayName?: string;
}

export class ExternalTokenError extends Error {}

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Integrator mode: tokens signed by the integrator's backend with a shared HS256 secret or an RS256/ES256
 * key pair. iss, aud, sub, iat and exp are required, and a token may not live longer than configured.
 */
export class ExternalTokens {
  private readonly key: Promise<CryptoKey | Uint8Array>;
  private readonly algorithms: string[];

  constructor(private readonly config: ExternalAuth, private readonly now: () => number = Date.now) {
    if (config.secret) {
      this.key = Promise.resolve(config.secret);
      this.algorithms = ['HS256'];
    } else {
      // The algorithm follows the key: an RSA key verifies RS256, an EC P-256 key ES256; no other is accepted.
      const pem = config.publicKeyPem as string;
      const alg = crypto.createPublicKey(pem).asymmetricKeyType === 'rsa' ? 'RS256' : 'ES256';
      this.key = importSPKI(pem, alg);
      this.algorithms = [alg];
    }
  }

  async verify(token: string): Promise<ExternalIdentity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.key, {
        issuer: this.config.issuer, audience: this.config.audience, algorithms: this.algorithms,
        requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp'], currentDate: new Date(this.now()), clockTolerance: 60,
      }));
    } catch (e) {
      // jose's messages name the failed check (expired, claim, signature) and never echo the token.
      throw new ExternalTokenError((e as Error).message);
    }
    if ((payload.exp as number) - (payload.iat as number) > this.config.maxLifetimeSeconds) {
      throw new ExternalTokenError(`the token lives longer than ${this.config.maxLifetimeSeconds} s (exp - iat)`);
    }
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) throw new ExternalTokenError('"sub" must be a user id matching [A-Za-z0-9_-]{1,64}');
    const name = payload.name;
    return { userId: payload.sub, displayName: typeof name === 'string' ? name : undefined };
  }
}
