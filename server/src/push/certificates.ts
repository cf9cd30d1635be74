// Push certificates: the read-only ones from the environment, and those added in the console, whose private
// keys are stored encrypted (AES-256-GCM with CERT_ENCRYPTION_KEY; the certificate's name is the associated
// data, so a key cannot be moved to another row). They are kept decrypted in memory only, and every change
// applies to the next push without a restart.
import crypto from 'node:crypto';
import type { Db } from '../db.js';
import type { Certificate, Config, ServiceAccount } from '../config.js';
import { ConfigError, DEFAULT_ACTION, keyFingerprint } from '../config.js';

export interface CertificateInfo {
  name: string;
  source: 'environment' | 'console';
  enabled: boolean;
  category: string;
  action: string;
  voip: boolean;
  testMessage: boolean;
  serviceAccount: { projectId: string; keyId: string; subAccount: string; fingerprint: string } | null;
  createdAt: number | null;
  updatedAt: number | null;
  devices: number;
}

export interface CertificateFields {
  category: string;
  action: string;
  voip: boolean;
  testMessage: boolean;
  enabled: boolean;
}

/** Why a Client ID gets no push: no certificate by that name, or it is disabled. */
export type Lookup = { cert: Certificate } | { refused: string };

interface Row {
  name: string;
  project_id: string;
  key_id: string;
  sub_account: string;
  private_key_enc: string;
  fingerprint: string;
  category: string;
  action: string;
  voip: number;
  test_message: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const FORMAT = 'v1';

export class CertificateStoreError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
  }
}

/** AES-256-GCM: "v1:" + base64(iv[12] | tag[16] | ciphertext). */
function seal(key: Buffer, name: string, plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

function open(key: Buffer, name: string, sealed: string): string {
  if (!sealed.startsWith(`${FORMAT}:`)) throw new Error('unknown format');
  const raw = Buffer.from(sealed.slice(FORMAT.length + 1), 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(name, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

export class CertificateStore {
  private readonly stored = new Map<string, { cert: Certificate; row: Row }>();
  /** Environment keys' fingerprints, worked out once (parsing a key costs a little on every listing). */
  private readonly fingerprints = new WeakMap<ServiceAccount, string>();

  /**
   * Loads and decrypts the stored certificates. A database with stored keys and no CERT_ENCRYPTION_KEY,
   * or a key that does not open them, is a configuration error: the server must not start and silently
   * push nothing (or in dry run) for those apps.
   */
  constructor(private readonly db: Db, private readonly config: Config, private readonly now: () => number = Date.now) {
    const rows = db.prepare('SELECT * FROM push_certificates ORDER BY name').all() as Row[];
    if (rows.length > 0 && !config.certEncryptionKey) {
      throw new ConfigError(`the database holds ${rows.length} push certificate(s) added in the console, whose keys are encrypted: set CERT_ENCRYPTION_KEY to the key they were stored with`);
    }
    for (const row of rows) {
      if (config.certificates.has(row.name)) {
        throw new ConfigError(`push certificate ${row.name} is configured in the environment and was also added in the console: remove one`);
      }
      let privateKey: string;
      try {
        privateKey = open(config.certEncryptionKey as Buffer, row.name, row.private_key_enc);
      } catch {
        throw new ConfigError(`CERT_ENCRYPTION_KEY does not decrypt the stored push certificate ${row.name}: is it the key the certificates were stored with?`);
      }
      const account = { project_id: row.project_id, key_id: row.key_id, sub_account: row.sub_account, private_key: privateKey };
      this.stored.set(row.name, { cert: this.toCertificate(row, account), row });
    }
  }

  /** No certificate at all, anywhere: every Client ID pushes in dry run (requests are built and logged, not sent). */
  get dryRun(): boolean {
    return this.config.certificates.size === 0 && this.stored.size === 0;
  }

  /** Whether certificates can be added in the console (a key to encrypt them is configured). */
  get canStore(): boolean {
    return this.config.certEncryptionKey !== undefined;
  }

  /** The certificate that pushes to this Client ID, or why there is none. */
  lookup(clientId: string): Lookup {
    if (this.dryRun) {
      return { cert: { name: clientId, category: 'IM', action: DEFAULT_ACTION, voip: true, testMessage: false, enabled: true, source: 'environment' } };
    }
    const cert = this.config.certificates.get(clientId) ?? this.stored.get(clientId)?.cert;
    if (!cert) return { refused: `no certificate for Client ID ${clientId}` };
    if (!cert.enabled) return { refused: `certificate ${clientId} is disabled` };
    return { cert };
  }

  /** The enabled certificate for a Client ID, or undefined. */
  find(clientId: string): Certificate | undefined {
    const found = this.lookup(clientId);
    return 'cert' in found ? found.cert : undefined;
  }

  /**
   * The settings a payload for this Client ID is built with (category, action, VoIP, test mode): its
   * certificate even when disabled, or defaults when there is none. Whether it is sent is decided at send time.
   */
  forPayload(clientId: string): Certificate {
    const found = this.lookup(clientId);
    if ('cert' in found) return found.cert;
    return this.stored.get(clientId)?.cert ?? this.config.certificates.get(clientId)
      ?? { name: clientId, category: 'IM', action: DEFAULT_ACTION, voip: false, testMessage: false, enabled: false, source: 'console' };
  }

  list(): CertificateInfo[] {
    const counts = new Map((this.db.prepare('SELECT client_id, COUNT(*) AS n FROM devices GROUP BY client_id').all() as { client_id: string; n: number }[])
      .map((r) => [r.client_id, r.n]));
    const all = [...this.config.certificates.values()].map((c) => this.info(c, undefined, counts.get(c.name) ?? 0));
    for (const { cert, row } of this.stored.values()) all.push(this.info(cert, row, counts.get(cert.name) ?? 0));
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): CertificateInfo {
    const info = this.list().find((c) => c.name === name);
    if (!info) throw new CertificateStoreError(404, `no certificate named ${name}`);
    return info;
  }

  add(name: string, account: ServiceAccount, fields: CertificateFields): CertificateInfo {
    const key = this.requireKey();
    if (this.config.certificates.has(name) || this.stored.has(name)) {
      throw new CertificateStoreError(409, `a certificate named ${name} already exists`, 'body/name');
    }
    const now = this.now();
    const row: Row = {
      name, project_id: account.project_id, key_id: account.key_id, sub_account: account.sub_account,
      private_key_enc: seal(key, name, account.private_key), fingerprint: keyFingerprint(account.private_key),
      category: fields.category, action: fields.action, voip: fields.voip ? 1 : 0, test_message: fields.testMessage ? 1 : 0,
      enabled: fields.enabled ? 1 : 0, created_at: now, updated_at: now,
    };
    this.db.prepare(`INSERT INTO push_certificates (name, project_id, key_id, sub_account, private_key_enc, fingerprint, category, action,
      voip, test_message, enabled, created_at, updated_at) VALUES (@name, @project_id, @key_id, @sub_account, @private_key_enc, @fingerprint,
      @category, @action, @voip, @test_message, @enabled, @created_at, @updated_at)`).run(row);
    this.stored.set(name, { cert: this.toCertificate(row, account), row });
    return this.get(name);
  }

  update(name: string, patch: Partial<CertificateFields> & { serviceAccount?: ServiceAccount }): CertificateInfo {
    const current = this.editable(name);
    const row: Row = { ...current.row, updated_at: this.now() };
    if (patch.category !== undefined) row.category = patch.category;
    if (patch.action !== undefined) row.action = patch.action;
    if (patch.voip !== undefined) row.voip = patch.voip ? 1 : 0;
    if (patch.testMessage !== undefined) row.test_message = patch.testMessage ? 1 : 0;
    if (patch.enabled !== undefined) row.enabled = patch.enabled ? 1 : 0;
    const account = patch.serviceAccount;
    if (account) {
      Object.assign(row, { project_id: account.project_id, key_id: account.key_id, sub_account: account.sub_account,
        private_key_enc: seal(this.requireKey(), name, account.private_key), fingerprint: keyFingerprint(account.private_key) });
    }
    this.db.prepare(`UPDATE push_certificates SET project_id = @project_id, key_id = @key_id, sub_account = @sub_account,
      private_key_enc = @private_key_enc, fingerprint = @fingerprint, category = @category, action = @action, voip = @voip,
      test_message = @test_message, enabled = @enabled, updated_at = @updated_at WHERE name = @name`).run(row);
    // The Push Kit client keeps one JWT signer per service-account object: a new key is a new object and signs
    // anew, an unchanged one keeps its signer.
    this.stored.set(name, { cert: this.toCertificate(row, account ?? current.cert.serviceAccount as ServiceAccount), row });
    return this.get(name);
  }

  remove(name: string): void {
    this.editable(name);
    this.db.prepare('DELETE FROM push_certificates WHERE name = ?').run(name);
    this.stored.delete(name);
  }

  private editable(name: string): { cert: Certificate; row: Row } {
    if (this.config.certificates.has(name)) {
      throw new CertificateStoreError(403, `certificate ${name} is configured in the server's environment and is read-only here`);
    }
    const found = this.stored.get(name);
    if (!found) throw new CertificateStoreError(404, `no certificate named ${name}`);
    return found;
  }

  private requireKey(): Buffer {
    if (!this.config.certEncryptionKey) {
      throw new CertificateStoreError(409, 'the server has no CERT_ENCRYPTION_KEY, so it cannot store a private key: set one (openssl rand -base64 32) and restart');
    }
    return this.config.certEncryptionKey;
  }

  private toCertificate(row: Row, serviceAccount: ServiceAccount): Certificate {
    return {
      name: row.name,
      serviceAccount,
      category: row.category, action: row.action, voip: row.voip === 1, testMessage: row.test_message === 1,
      enabled: row.enabled === 1, source: 'console',
    };
  }

  private fingerprintOf(sa: ServiceAccount): string {
    let fingerprint = this.fingerprints.get(sa);
    if (fingerprint === undefined) {
      fingerprint = keyFingerprint(sa.private_key);
      this.fingerprints.set(sa, fingerprint);
    }
    return fingerprint;
  }

  private info(cert: Certificate, row: Row | undefined, devices: number): CertificateInfo {
    const sa = cert.serviceAccount;
    return {
      name: cert.name, source: cert.source, enabled: cert.enabled, category: cert.category, action: cert.action,
      voip: cert.voip, testMessage: cert.testMessage,
      serviceAccount: sa ? { projectId: sa.project_id, keyId: sa.key_id, subAccount: sa.sub_account,
        fingerprint: row?.fingerprint ?? this.fingerprintOf(sa) } : null,
      createdAt: row?.created_at ?? null, updatedAt: row?.updated_at ?? null, devices,
    };
  }
}
