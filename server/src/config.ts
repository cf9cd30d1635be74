// Server settings from the environment, with the certificates (Push Kit service accounts) they name.
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
  voip: boolean;
  testMessage: boolean;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  pushApiBase: string;
  /** By Client ID. */
  certificates: Map<string, Certificate>;
  /** No certificate configured: every Client ID gets a dry-run certificate. */
  dryRun: boolean;
  callTimeoutMs: number;
  sessionTtlSeconds: number;
  bodyLimitBytes: number;
  heartbeatMs: number;
  /** Per user per minute. */
  rateLimits: { messages: number; calls: number; devices: number };
}

export class ConfigError extends Error {}

const CLIENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

function readServiceAccount(file: string): ServiceAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    // Never echo the file's content: it holds the private key.
    throw new ConfigError(`service account ${file}: cannot read it as JSON (${(e as NodeJS.ErrnoException).code ?? 'syntax error'})`);
  }
  const sa = raw as Record<string, unknown>;
  for (const key of ['project_id', 'key_id', 'private_key', 'sub_account']) {
    if (typeof sa[key] !== 'string' || (sa[key] as string).length === 0) {
      throw new ConfigError(`service account ${file}: "${key}" is missing`);
    }
  }
  if (!(sa.private_key as string).includes('PRIVATE KEY')) {
    throw new ConfigError(`service account ${file}: "private_key" is not a PEM private key`);
  }
  return { project_id: sa.project_id as string, key_id: sa.key_id as string, private_key: sa.private_key as string,
    sub_account: sa.sub_account as string };
}

function certificateFrom(entry: Record<string, unknown>, where: string, baseDir: string): Certificate {
  const name = entry.name;
  if (typeof name !== 'string' || !CLIENT_ID.test(name)) throw new ConfigError(`${where}: "name" must be the Push Kit Client ID`);
  const saPath = entry.serviceAccount;
  if (saPath !== undefined && typeof saPath !== 'string') throw new ConfigError(`${where}: "serviceAccount" must be a path`);
  const category = entry.category ?? 'IM';
  if (typeof category !== 'string') throw new ConfigError(`${where}: "category" must be a string`);
  return {
    name,
    serviceAccount: saPath ? readServiceAccount(path.resolve(baseDir, saPath)) : undefined,
    category,
    voip: entry.voip === true,
    testMessage: entry.testMessage === true,
  };
}

function intFrom(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
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
      category: env.PUSH_CATEGORY ?? 'IM', voip: env.PUSH_VOIP === '1', testMessage: env.PUSH_TEST_MESSAGE === '1' },
    'PUSH_SERVICE_ACCOUNT', process.cwd());
    certificates.set(cert.name, cert);
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: intFrom(env, 'PORT', 8080, 0, 65535),
    // Relative to where `npm start` was typed (npm runs workspace scripts inside server/).
    dataDir: path.resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || './data'),
    pushApiBase: (env.PUSH_API_BASE || 'https://push-api.cloud.huawei.com').replace(/\/+$/, ''),
    certificates,
    dryRun: certificates.size === 0,
    callTimeoutMs: intFrom(env, 'CALL_TIMEOUT_MS', 60000, 1000, 600000),
    sessionTtlSeconds: intFrom(env, 'SESSION_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    heartbeatMs: intFrom(env, 'HEARTBEAT_MS', 30000, 50, 600000),
    rateLimits: {
      messages: intFrom(env, 'RATE_MESSAGES_PER_MIN', 120, 1, 100000),
      calls: intFrom(env, 'RATE_CALLS_PER_MIN', 20, 1, 100000),
      devices: intFrom(env, 'RATE_DEVICES_PER_MIN', 20, 1, 100000),
    },
  };
}

/** The certificate for a device's Client ID; in dry run every Client ID has one. */
export function certificateFor(config: Config, clientId: string): Certificate | undefined {
  if (config.dryRun) return { name: clientId, category: 'IM', voip: true, testMessage: false };
  return config.certificates.get(clientId);
}
