// The service-account JWT that authorises Push Kit v3 requests: PS256 over the key's private_key,
// cached and renewed five minutes before it expires.
import { SignJWT, importPKCS8 } from 'jose';
import type { CryptoKey } from 'jose';
import type { ServiceAccount } from '../config.js';

export const TOKEN_AUDIENCE = 'https://oauth-login.cloud.huawei.com/oauth2/v3/token';
const LIFETIME_SECONDS = 3600;
const RENEW_BEFORE_SECONDS = 300;

export class ServiceAccountJwt {
  private key: Promise<CryptoKey> | undefined;
  private cached: { jwt: string; expiresAt: number } | undefined;
  /** How many JWTs were signed (tests check renewal). */
  signed = 0;

  constructor(private readonly account: ServiceAccount, private readonly now: () => number = Date.now) {}

  async get(): Promise<string> {
    const nowSeconds = Math.floor(this.now() / 1000);
    if (this.cached && this.cached.expiresAt - RENEW_BEFORE_SECONDS > nowSeconds) return this.cached.jwt;
    this.key ??= importPKCS8(this.account.private_key, 'PS256');
    const jwt = await new SignJWT({})
      .setProtectedHeader({ kid: this.account.key_id, typ: 'JWT', alg: 'PS256' })
      .setIssuer(this.account.sub_account)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + LIFETIME_SECONDS)
      .sign(await this.key);
    this.signed += 1;
    this.cached = { jwt, expiresAt: nowSeconds + LIFETIME_SECONDS };
    return jwt;
  }

  /** Push Kit rejected the JWT (80200001/80200005): the next get() signs a new one. */
  invalidate(): void {
    this.cached = undefined;
  }
}
