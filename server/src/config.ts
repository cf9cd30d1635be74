// Server settings from the environment, with the certificates (Push Kit service accounts) they name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A Huawei service-account key file, as AppGallery Connect downloads it. */
export interface ServiceAccount {
  project_id: string;
  key_id: string;
  private_key: string;
  sub_account: string;
}

/** A push certificate: the Client ID devices upload, and how to push for it. */
export interface Certificate {
  /** = the Push Kit Client ID the app uploads with its token. */
  name: string;
  /** undefined: dry run (requests are built, validated and recorded, not sent). */
  serviceAccount?: ServiceAccount;
  category: string;
  /** The click action of message notifications (a skill action of the app's ability). */
  action: string;
  voip: boolean;
  testMessage: boolean;
  /** A disabled certificate pushes nothing: its pushes are refused (and logged as such). */
  enabled: boolean;
  /** Where it is configured: environment ones are read-only in the console. */
  source: 'environment' | 'console';
}

/** The notification categories of Push Kit's push-type 0 (push-scenariozed-api-request-param, Notification.category). */
export const CATEGORIES = ['IM', 'VOIP', 'MISS_CALL', 'SUBSCRIPTION', 'TRAVEL', 'HEALTH', 'WORK', 'ACCOUNT', 'EXPRESS', 'FINANCE',
  'DEVICE_REMINDER', 'MAIL', 'MARKETING'] as const;
export const DEFAULT_ACTION = 'action.pushuikit.chat';
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';
export const ACTION_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$';
/** A service-account file is a few kilobytes; anything far larger is not one. */
export const MAX_SERVICE_ACCOUNT_CHARS = 16 * 1024;

export class ServiceAccountError extends Error {}

/**
 * Reads a service-account key file as AppGallery Connect downloads it, checking what the JWT needs: the
 * four fields, and a private key that parses as RSA (PS256). The message never quotes the file: it holds
 * the private key.
 */
export function parseServiceAccount(text: string): ServiceAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ServiceAccountError('the service-account file is not JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ServiceAccountError('the service-account file is not a JSON object');
  const sa = raw as Record<string, unknown>;
  for (const key of ['project_id', 'key_id', 'private_key', 'sub_account']) {
    if (typeof sa[key] !== 'string' || (sa[key] as string).trim().length === 0) {
      throw new ServiceAccountError(`"${key}" is missing from the service-account file`);
    }
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(sa.private_key as string);
  } catch {
    throw new ServiceAccountError('"private_key" is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ServiceAccountError(`"private_key" is not an RSA private key (it is ${key.asymmetricKeyType ?? 'unknown'})`);
  }
  // PKCS#8 whatever the file used (PKCS#1 "RSA PRIVATE KEY" too): the JWT signer imports PKCS#8.
  return { project_id: sa.project_id as string, key_id: sa.key_id as string,
    private_key: key.export({ type: 'pkcs8', format: 'pem' }).toString(), sub_account: sa.sub_account as string };
}

/** SHA256:<base64> of the public key (SPKI, DER), as ssh-keygen -l prints key fingerprints. */
export function keyFingerprint(privateKeyPem: string): string {
  const spki = crypto.createPublicKey(crypto.createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  return `SHA256:${crypto.createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Integrator mode: the app signs in with a token from the integrator's own backend (the way IM vendors'
 * "UserSig" tokens work); the server checks it with this key and issues its own session.
 */
export interface ExternalAuth {
  /** HS256 shared secret, or the PEM public key of the backend's RS256/ES256 key pair. */
  secret?: Uint8Array;
  publicKeyPem?: string;
  issuer: string;
  audience: string;
  /** Tokens living longer than this (exp - iat) are refused: a leaked token must not work for months. */
  maxLifetimeSeconds: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  pushApiBase: string;
  /** From the environment (PUSH_CERTS or PUSH_SERVICE_ACCOUNT), by Client ID; the console adds more. */
  certificates: Map<string, Certificate>;
  /** AES-256 key that encrypts the private keys of certificates added in the console (CERT_ENCRYPTION_KEY). */
  certEncryptionKey?: Buffer;
  /** Console sessions live this long (ADMIN_SESSION_TTL_SECONDS). */
  adminSessionTtlSeconds: number;
  /** Delivery-log entries older than this are deleted (PUSH_LOG_RETENTION_DAYS). */
  pushLogRetentionDays: number;
  /** redis://... : live events cross server processes through Redis pub/sub (BROKER_URL); unset: one process. */
  brokerUrl?: string;
  callTimeoutMs: number;
  sessionTtlSeconds: number;
  /** Sign-in: with a password ('password', the demo), or only with tokens from an integrator's backend. */
  authMode: 'password' | 'external';
  external?: ExternalAuth;
  /** Live sessions per user; signing in once more ends the oldest. */
  maxSessionsPerUser: number;
  /** How long a write waits for another connection's lock before the API answers 503. */
  dbBusyTimeoutMs: number;
  /** Live WebSockets: devices per user, sockets per device. */
  maxDevicesOnline: number;
  maxSocketsPerDevice: number;
  /** How often one push token may move from one user to another per day. */
  tokenMovesPerDay: number;
  bodyLimitBytes: number;
  heartbeatMs: number;
  /** Per minute: per user (messages, calls, devices, requests, sockets, profile changes) and per client address (auth). */
  rateLimits: { messages: number; calls: number; devices: number; requests: number; sockets: number; profile: number;
    signInPerAddress: number; signInPerUser: number };
}

export class ConfigError extends Error {}

const CLIENT_ID = new RegExp(CLIENT_ID_PATTERN);
const ACTION = new RegExp(ACTION_PATTERN);

function readServiceAccount(file: string): ServiceAccount {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`service account ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parseServiceAccount(text);
  } catch (e) {
    if (e instanceof ServiceAccountError) throw new ConfigError(`service account ${file}: ${e.message}`);
    throw e;
  }
}

function certificateFrom(entry: Record<string, unknown>, where: string, baseDir: string): Certificate {
  const name = entry.name;
  if (typeof name !== 'string' || !CLIENT_ID.test(name)) throw new ConfigError(`${where}: "name" must be the Push Kit Client ID`);
  const saPath = entry.serviceAccount;
  if (saPath !== undefined && typeof saPath !== 'string') throw new ConfigError(`${where}: "serviceAccount" must be a path`);
  const category = entry.category ?? 'IM';
  if (typeof category !== 'string' || !(CATEGORIES as readonly string[]).includes(category)) {
    throw new ConfigError(`${where}: "category" must be one of ${CATEGORIES.join(', ')}`);
  }
  const action = entry.action ?? DEFAULT_ACTION;
  if (typeof action !== 'string' || !ACTION.test(action)) throw new ConfigError(`${where}: "action" must match ${ACTION_PATTERN}`);
  return {
    name,
    serviceAccount: saPath ? readServiceAccount(path.resolve(baseDir, saPath)) : undefined,
    category,
    action,
    voip: entry.voip === true,
    testMessage: entry.testMessage === true,
    enabled: true,
    source: 'environment',
  };
}

function intFrom(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

const MIN_SECRET_BYTES = 32;

function brokerUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.BROKER_URL;
  if (url === undefined || url === '') return undefined;
  // Only the scheme is echoed: the URL may carry a password.
  if (!/^rediss?:\/\//.test(url)) throw new ConfigError(`BROKER_URL must be a redis:// or rediss:// URL (got a "${url.split(':')[0]}:" URL)`);
  return url;
}

/** 32 bytes as base64 (what `openssl rand -base64 32` prints) or as 64 hex digits. The key is never echoed. */
function encryptionKeyFrom(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = env.CERT_ENCRYPTION_KEY;
  if (raw === undefined || raw === '') return undefined;
  const text = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) key = Buffer.from(text, 'base64');
  if (!key || key.length !== 32) {
    throw new ConfigError(`CERT_ENCRYPTION_KEY must be 32 random bytes as base64 (openssl rand -base64 32) or 64 hex digits; got ${text.length} characters`);
  }
  return key;
}

function externalAuthFrom(env: NodeJS.ProcessEnv): ExternalAuth {
  const secret = env.EXTERNAL_JWT_SECRET;
  const keyFile = env.EXTERNAL_JWT_PUBLIC_KEY;
  if ((secret ? 1 : 0) + (keyFile ? 1 : 0) !== 1) {
    throw new ConfigError('AUTH_MODE=external needs exactly one of EXTERNAL_JWT_SECRET (HS256) and EXTERNAL_JWT_PUBLIC_KEY (a PEM file, RS256/ES256)');
  }
  if (!env.EXTERNAL_JWT_ISSUER) throw new ConfigError('AUTH_MODE=external needs EXTERNAL_JWT_ISSUER (the iss your backend puts in its tokens)');
  const common = {
    issuer: env.EXTERNAL_JWT_ISSUER,
    audience: env.EXTERNAL_JWT_AUDIENCE || 'pushuikit',
    maxLifetimeSeconds: intFrom(env, 'EXTERNAL_JWT_MAX_LIFETIME_SECONDS', 24 * 3600, 60, 30 * 24 * 3600),
  };
  if (secret) {
    // Never echo the secret: only its length.
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new ConfigError(`EXTERNAL_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes, got ${Buffer.byteLength(secret)}`);
    return { ...common, secret: new TextEncoder().encode(secret) };
  }
  let pem: string;
  try {
    pem = fs.readFileSync(keyFile as string, 'utf8');
  } catch (e) {
    throw new ConfigError(`EXTERNAL_JWT_PUBLIC_KEY ${keyFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('BEGIN PUBLIC KEY')) throw new ConfigError(`EXTERNAL_JWT_PUBLIC_KEY ${keyFile}: not a PEM public key (SPKI)`);
    try {
    const type = crypto.createPublicKey(pem).asymmetricKeyType;
    if (type !== 'rsa' && type !== 'ec') throw new Error(`a ${type} key`);
  } catch (e) {
    throw new ConfigError(`EXTERNAL_JWT_PUBLIC_KEY ${keyFile}: not an RSA or EC public key (${(e as Error).message.slice(0, 80)})`);
  }
  return { ...common, publicKeyPem: pem };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const certificates = new Map<string, Certificate>();
  if (env.PUSH_CERTS) {
    let list: unknown;
    try {
      list = JSON.parse(fs.readFileSync(env.PUSH_CERTS, 'utf8'));
    } catch (e) {
      throw new ConfigError(`PUSH_CERTS ${env.PUSH_CERTS}: cannot read a JSON list (${(e as Error).message.slice(0, 80)})`);
    }
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`PUSH_CERTS ${env.PUSH_CERTS}: must be a non-empty JSON list`);
    list.forEach((entry, i) => {
      if (entry === null || typeof entry !== 'object') throw new ConfigError(`PUSH_CERTS[${i}]: must be an object`);
      const cert = certificateFrom(entry as Record<string, unknown>, `PUSH_CERTS[${i}]`, path.dirname(env.PUSH_CERTS as string));
      if (certificates.has(cert.name)) throw new ConfigError(`PUSH_CERTS[${i}]: Client ID ${cert.name} appears twice`);
      certificates.set(cert.name, cert);
    });
  } else if (env.PUSH_SERVICE_ACCOUNT || env.PUSH_CLIENT_ID) {
    if (!env.PUSH_SERVICE_ACCOUNT || !env.PUSH_CLIENT_ID) {
      throw new ConfigError('PUSH_SERVICE_ACCOUNT and PUSH_CLIENT_ID go together');
    }
    const cert = certificateFrom({ name: env.PUSH_CLIENT_ID, serviceAccount: env.PUSH_SERVICE_ACCOUNT,
      category: env.PUSH_CATEGORY ?? 'IM', action: env.PUSH_ACTION ?? DEFAULT_ACTION, voip: env.PUSH_VOIP === '1', testMessage: env.PUSH_TEST_MESSAGE === '1' },
    'PUSH_SERVICE_ACCOUNT', process.cwd());
    certificates.set(cert.name, cert);
  }
  const authMode = env.AUTH_MODE || 'password';
  if (authMode !== 'password' && authMode !== 'external') throw new ConfigError(`AUTH_MODE must be "password" or "external", got "${authMode}"`);
  return {
    host: env.HOST || '127.0.0.1',
    port: intFrom(env, 'PORT', 8080, 0, 65535),
    // Relative to where `npm start` was typed (npm runs workspace scripts inside server/).
    dataDir: path.resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || './data'),
    pushApiBase: (env.PUSH_API_BASE || 'https://push-api.cloud.huawei.com').replace(/\/+$/, ''),
    certificates,
    certEncryptionKey: encryptionKeyFrom(env),
    adminSessionTtlSeconds: intFrom(env, 'ADMIN_SESSION_TTL_SECONDS', 8 * 3600, 60, 7 * 24 * 3600),
    pushLogRetentionDays: intFrom(env, 'PUSH_LOG_RETENTION_DAYS', 7, 1, 365),
    brokerUrl: brokerUrlFrom(env),
    callTimeoutMs: intFrom(env, 'CALL_TIMEOUT_MS', 60000, 1000, 600000),
    sessionTtlSeconds: intFrom(env, 'SESSION_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    authMode,
    external: authMode === 'external' ? externalAuthFrom(env) : undefined,
    maxSessionsPerUser: intFrom(env, 'MAX_SESSIONS_PER_USER', 20, 1, 1000),
    dbBusyTimeoutMs: intFrom(env, 'DB_BUSY_TIMEOUT_MS', 1000, 0, 10000),
    maxDevicesOnline: intFrom(env, 'MAX_DEVICES_ONLINE', 10, 1, 1000),
    maxSocketsPerDevice: intFrom(env, 'MAX_SOCKETS_PER_DEVICE', 2, 1, 100),
    tokenMovesPerDay: intFrom(env, 'TOKEN_MOVES_PER_DAY', 3, 1, 1000),
    bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    heartbeatMs: intFrom(env, 'HEARTBEAT_MS', 30000, 50, 600000),
    rateLimits: {
      messages: intFrom(env, 'RATE_MESSAGES_PER_MIN', 120, 1, 100000),
      calls: intFrom(env, 'RATE_CALLS_PER_MIN', 20, 1, 100000),
      devices: intFrom(env, 'RATE_DEVICES_PER_MIN', 20, 1, 100000),
      requests: intFrom(env, 'RATE_REQUESTS_PER_MIN', 600, 1, 1000000),
      sockets: intFrom(env, 'RATE_SOCKETS_PER_MIN', 30, 1, 100000),
      profile: intFrom(env, 'RATE_PROFILE_CHANGES_PER_MIN', 10, 1, 100000),
      signInPerAddress: intFrom(env, 'RATE_SIGN_IN_PER_ADDRESS_PER_MIN', 30, 1, 100000),
      signInPerUser: intFrom(env, 'RATE_SIGN_IN_PER_USER_PER_MIN', 10, 1, 100000),
    },
  };
}

