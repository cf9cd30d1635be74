// Demo sessions: HS256 JWTs (jose) signed with a per-installation secret kept in the database.
import crypto from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Db } from './db.js';
import { metaValue } from './db.js';

export class Sessions {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;

  constructor(db: Db, ttlSeconds: number, private readonly now: () => number = Date.now) {
    const secret = metaValue(db, 'session_secret', () => crypto.randomBytes(32).toString('base64url'));
    this.key = new TextEncoder().encode(secret);
    this.ttlSeconds = ttlSeconds;
  }

  issue(userId: string): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setAudience('pushuikit')
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
  }

  /** The user id of a valid token, or undefined (bad signature, expired, malformed). */
  async verify(token: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: 'pushuikit', algorithms: ['HS256'], currentDate: new Date(this.now()) });
      return typeof payload.sub === 'string' ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
