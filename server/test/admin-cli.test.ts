// npm run admin: the command line that manages console administrators, run as a child process with the
// password on stdin (not a terminal), against a database in a temporary DATA_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../src/db.js';
import { Passwords } from '../src/auth.js';
import { Admins } from '../src/admin/accounts.js';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = /^usage: npm run admin -- create <name> \| set-password <name> \| delete <name> \| list$/m;

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI with `args`, `stdin` piped in (closed at once when undefined), only DATA_DIR set. */
function cli(dataDir: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/admin-cli.ts', ...args], {
      cwd: SERVER_DIR, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Signs `name` in directly in the database (what the console's sign-in does); answers the session token. */
async function sessionOf(dataDir: string, name: string, password: string): Promise<string | undefined> {
  const db = openDb(dataDir);
  try {
    return (await new Admins(db, new Passwords(10), 3600).signIn(name, password))?.token;
  } finally {
    db.close();
  }
}

function sessionAlive(dataDir: string, token: string): boolean {
  const db = openDb(dataDir);
  try {
    return new Admins(db, new Passwords(10), 3600).session(token) !== undefined;
  } finally {
    db.close();
  }
}

test('npm run admin: create, duplicate, short password, list, set-password and delete (both end sessions), usage', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-admin-cli-'));
  const dataDir = path.join(dir, 'data');
  try {
    const created = await cli(dataDir, ['create', 'root'], 'long-enough-pw\n');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^administrator root created in .*: sign in at http:\/\/127\.0\.0\.1:8080\/console$/m);

    // Every refusal exits 2 with its reason and stores nothing. Each runs on its own copy of the database, so
    // they can run at once: processes opening one database at the same moment can fail with "database is
    // locked" (openDb's migration transaction is deferred, not BEGIN IMMEDIATE).
    const copies: string[] = [];
    const on = (args: string[], stdin?: string) => {
      const copy = path.join(dir, `copy-${copies.length}`);
      fs.cpSync(dataDir, copy, { recursive: true });
      copies.push(copy);
      return cli(copy, args, stdin);
    };
    // A name that cannot work is refused before the password is asked for: these runs have no stdin at all.
    const [duplicate, duplicateUnasked, short, badName, noPassword, unknownSet, unknownDelete, unknownCommand, noName, extra] = await Promise.all([
      on(['create', 'root'], 'another-long-pw\n'),
      on(['create', 'root']),
      on(['create', 'x'], 'short\n'),
      on(['create', 'bad name']),
      on(['create', 'y']),
      on(['set-password', 'nobody']),
      on(['delete', 'nobody']),
      on(['frob', 'root']),
      on(['create']),
      on(['delete', 'root', 'more']),
    ]);
    const refused = (r: Run, reason: RegExp, what: string) => {
      assert.equal(r.code, 2, `${what}: exit ${r.code} ${r.stdout} ${r.stderr}`);
      assert.match(r.stderr, reason, what);
      assert.equal(r.stdout, '', `${what} prints nothing on stdout`);
    };
    refused(duplicate, /^pushuikit admin: an administrator named root already exists$/m, 'duplicate');
    refused(duplicateUnasked, /^pushuikit admin: an administrator named root already exists$/m, 'duplicate, before asking for a password');
    refused(short, /^pushuikit admin: the password needs at least 8 characters$/m, 'short password');
    refused(badName, /^pushuikit admin: the name must be 1-64 letters/m, 'bad name');
    refused(noPassword, /^pushuikit admin: no password on stdin$/m, 'empty stdin');
    refused(unknownSet, /^pushuikit admin: no administrator named nobody$/m, 'set-password of an unknown name');
    refused(unknownDelete, /^pushuikit admin: no administrator named nobody$/m, 'delete of an unknown name');
    for (const [r, what] of [[unknownCommand, 'unknown command'], [noName, 'no name'], [extra, 'extra argument']] as const) refused(r, USAGE, what);
    for (const copy of copies) {
      const db = openDb(copy);
      try {
        assert.deepEqual(new Admins(db, new Passwords(10), 3600).list().map((a) => a.name), ['root'], `${copy}: nothing refused was stored`);
      } finally {
        db.close();
      }
    }
    assert.equal(await sessionOf(copies[0], 'root', 'another-long-pw'), undefined, 'the duplicate did not change the password');

    const list = await cli(dataDir, ['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^root\tcreated \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);

    const before = await sessionOf(dataDir, 'root', 'long-enough-pw');
    assert.ok(before, 'the password given on stdin signs in');
    const changed = await cli(dataDir, ['set-password', 'root'], 'another-long-pw\n');
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /password of root changed/);
    assert.equal(sessionAlive(dataDir, before), false, 'a new password ends the sessions');
    assert.equal(await sessionOf(dataDir, 'root', 'long-enough-pw'), undefined, 'the old password no longer signs in');
    const after = await sessionOf(dataDir, 'root', 'another-long-pw');
    assert.ok(after, 'the new one does');

    const deleted = await cli(dataDir, ['delete', 'root']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^administrator root deleted$/m);
    assert.equal(sessionAlive(dataDir, after), false, 'deleting an administrator ends their sessions');
    const empty = await cli(dataDir, ['list']);
    assert.deepEqual([empty.code, empty.stdout], [0, '']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
