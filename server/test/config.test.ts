// Configuration: clear errors that never echo the private key; dry run without certificates.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, certificateFor, loadConfig } from '../src/config.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-config-'));
}

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-very-secret-material\n-----END PRIVATE KEY-----\n';

describe('configuration', () => {
  test('defaults: 127.0.0.1:8080, ./data, dry run for any Client ID', () => {
    const c = loadConfig({ INIT_CWD: '/srv/app' });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, '/srv/app/data');
    assert.equal(c.dryRun, true);
    assert.equal(certificateFor(c, 'any-client')?.serviceAccount, undefined);
  });

  test('one certificate from PUSH_SERVICE_ACCOUNT and PUSH_CLIENT_ID; others get no push', () => {
    const dir = tempDir();
    const sa = path.join(dir, 'sa.json');
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', key_id: 'k', private_key: KEY, sub_account: 's' }));
    const c = loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '123', PUSH_VOIP: '1' });
    assert.equal(c.dryRun, false);
    assert.equal(certificateFor(c, '123')?.voip, true);
    assert.equal(certificateFor(c, '999'), undefined);
  });

  test('a broken service account is a clear error that does not echo the key', () => {
    const dir = tempDir();
    const sa = path.join(dir, 'sa.json');
    fs.writeFileSync(sa, JSON.stringify({ project_id: 'p', private_key: KEY, sub_account: 's' }));
    assert.throws(() => loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' }), (e: Error) =>
      e instanceof ConfigError && /"key_id" is missing/.test(e.message) && !e.message.includes('secret-material'));
    fs.writeFileSync(sa, `{"private_key": "${KEY.replace(/\n/g, '\\n')}", oops}`);
    assert.throws(() => loadConfig({ PUSH_SERVICE_ACCOUNT: sa, PUSH_CLIENT_ID: '1' }), (e: Error) =>
      e instanceof ConfigError && !e.message.includes('secret-material'));
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
  });

  test('numbers are checked', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be an integer/);
    assert.throws(() => loadConfig({ CALL_TIMEOUT_MS: '5' }), /CALL_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ PUSH_CLIENT_ID: '1' }), /go together/);
  });
});
