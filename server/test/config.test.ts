// Configuration: clear errors that never echo the private key; dry run without certificates.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config.js';
import type { Config } from '../src/config.js';
import { openDb } from '../src/db.js';
import { CertificateStore } from '../src/push/certificates.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-config-'));
}

// A real key (the file is checked: it must parse as RSA), and a fake one with a marker to look for in messages.
const KEY = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const FAKE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-very-secret-material\n-----END PRIVATE KEY-----\n';

/** The certificates a server with this configuration (and an empty database) pushes with. */
function storeOf(c: Config): CertificateStore {
  return new CertificateStore(openDb(tempDir()), c);
}

describe('configuration', () => {
  test('defaults: 127.0.0.1:8080, ./data, dry run for any Client ID', () => {
    const c = loadConfig({ INIT_CWD: '/srv/app' });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, '/srv/app/data');
    const store = storeOf(c);
    assert.equal(store.dryRun, true);
    assert.equal(store.find('any-client')?.serviceAccount, undefined);
    assert.equal(store.find('any-client')?.enabled, true);
  });

  test('one certificate from PUSH_SERVICE_ACCOUNT and PUSH_CLIENT_ID; others get no push', () => {
    const dir = tempDir();
    const sa = path.join(dir, 'sa.json');
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', key_id: 'k', private_key: KEY, sub_account: 's' }));
    const c = loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '123', PUSH_VOIP: '1' });
    const store = storeOf(c);
    assert.equal(store.dryRun, false);
    assert.equal(store.find('123')?.voip, true);
    assert.equal(store.find('123')?.action, 'action.pushuikit.chat');
    assert.equal(store.find('999'), undefined);
    assert.deepEqual(store.lookup('999'), { refused: 'no certificate for Client ID 999' });
  });

  test('a broken service account is a clear error that does not echo the key', () => {
    const dir = tempDir();
    const sa = path.join(dir, 'sa.json');
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', private_key: KEY, sub_account: 's' }));
    assert.throws(() => loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' }), (e: Error) =>
      e instanceof ConfigError && /"key_id" is missing/.test(e.message) && !e.message.includes('secret-material'));
    fs.writeFileSync(sa, `{"private_key": "${FAKE_KEY.replace(/\n/g, '\\n')}", oops}`);
    assert.throws(() => loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' }), (e: Error) =>
      e instanceof ConfigError && !e.message.includes('secret-material'));
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', key_id: 'k', private_key: FAKE_KEY, sub_account: 's' }));
    assert.throws(() => loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' }), (e: Error) =>
      e instanceof ConfigError && /"private_key" is not a PEM private key/.test(e.message) && !e.message.includes('secret-material'));
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', key_id: 'k', private_key: ec, sub_account: 's' }));
    assert.throws(() => loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' }), /not an RSA private key \(it is ec\)/);
  });

  test('a PKCS#1 key ("RSA PRIVATE KEY") is taken and kept as PKCS#8, which the JWT signer imports', () => {
    const dir = tempDir();
    const sa = path.join(dir, 'sa.json');
    const pkcs1 = crypto.createPrivateKey(KEY).export({ type: 'pkcs1', format: 'pem' }).toString();
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', key_id: 'k', private_key: pkcs1, sub_account: 's' }));
    const c = loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' });
    assert.match(c.certificates.get('1')?.serviceAccount?.private_key ?? '', /^-----BEGIN PRIVATE KEY-----/);
  });

  test('CERT_ENCRYPTION_KEY is 32 bytes as base64 or hex, and a wrong one is not echoed', () => {
    assert.equal(loadConfig({ CERT_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') }).certEncryptionKey?.length, 32);
    assert.equal(loadConfig({ CERT_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex') }).certEncryptionKey?.length, 32);
    assert.equal(loadConfig({}).certEncryptionKey, undefined);
    const short = crypto.randomBytes(16).toString('base64');
    assert.throws(() => loadConfig({ CERT_ENCRYPTION_KEY: short }), (e: Error) =>
      e instanceof ConfigError && /32 random bytes/.test(e.message) && !e.message.includes(short));
  });

  test('PUSH_CERTS must be a list of named certificates without duplicates', () => {
    const dir = tempDir();
    const certs = path.join(dir, 'certs.json');
    fs.writeFileSync(certs, '{}');
    assert.throws(() => loadConfig({ PUSH_CERTS: certs }), /non-empty JSON list/);
    fs.writeFileSync(certs, JSON.stringify([{ name: 'a b' }]));
    assert.throws(() => loadConfig({ PUSH_CERTS: certs }), /Client ID/);
    fs.writeFileSync(certs, JSON.stringify([{ name: 'a' }, { name: 'a' }]));
    assert.throws(() => loadConfig({ PUSH_CERTS: certs }), /appears twice/);
    fs.writeFileSync(certs, JSON.stringify([{ name: 'a', category: 'CHAT' }]));
    assert.throws(() => loadConfig({ PUSH_CERTS: certs }), /"category" must be one of IM, VOIP/);
    fs.writeFileSync(certs, JSON.stringify([{ name: 'a', action: 'open page' }]));
    assert.throws(() => loadConfig({ PUSH_CERTS: certs }), /"action" must match/);
  });

  test('numbers are checked', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be an integer/);
    assert.throws(() => loadConfig({ CALL_TIMEOUT_MS: '5' }), /CALL_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ PUSH_CLIENT_ID: '1' }), /go together/);
  });
});
