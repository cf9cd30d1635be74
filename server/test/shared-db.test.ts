// Two server processes on one database file (docs/scaling.md: processes sharing one SQLite file on one
// machine), no broker: writes that overlap in time on both must all succeed. Each write transaction takes
// SQLite's write lock when it begins (BEGIN IMMEDIATE) and waits for the other process's; a deferred one that
// reads before it writes fails at once with SQLITE_BUSY_SNAPSHOT when the other process committed meanwhile.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FakePushKit } from './fake-pushkit.js';
import { CLIENT_ID, TEST_KEYS, apiAt, freePort, startServerProcess, testEnvironment } from './helpers.js';

const children: ChildProcess[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-shared-'));
const fake = new FakePushKit(TEST_KEYS.publicPem);
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('two processes on one database: overlapping writes on both all succeed', { timeout: 120000 }, async () => {
  const env = testEnvironment(dir, await fake.start(), { RATE_MESSAGES_PER_MIN: '100000', RATE_REQUESTS_PER_MIN: '1000000', RATE_DEVICES_PER_MIN: '100000' });
  const bases: string[] = [];
  // One process makes the database first; the second opens it made.
  for (let k = 0; k < 2; k++) {
    const port = await freePort();
    children.push(await startServerProcess(env, port));
    bases.push(`http://127.0.0.1:${port}`);
  }
  const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
  const tokens = new Map<string, string>();
  for (const userId of users) {
    const r = await apiAt(bases[0], 'POST', '/accounts', undefined, { userId, password: `${userId}-shared-password`, displayName: userId });
    assert.equal(r.status, 201);
    tokens.set(userId, ((await r.json()) as { token: string }).token);
  }
  const token = (userId: string) => tokens.get(userId) as string;

  // Rounds of writes, each sent to both processes at once: messages (a first one opens a conversation),
  // device binds (a look-up of the token's holder, then writes) and conversation settings (a read, then writes).
  const failures: string[] = [];
  const check = async (what: string, answer: Promise<Response>) => {
    const r = await answer;
    if (r.status >= 300) failures.push(`${what}: ${r.status} ${await r.text()}`);
  };
  const perRound = 40;
  for (let round = 0; round < 5; round++) {
    const writes: Promise<void>[] = [];
    for (let n = 0; n < perRound; n++) {
      const base = bases[n % 2];
      const from = users[n % users.length];
      const to = users[(n + 1 + round) % users.length];
      const id = `r${round}n${n}`;
      writes.push(check(`message ${id}`, apiAt(base, 'POST', '/messages', token(from), { to, text: id, clientMsgId: id })));
      if (n % 4 === 0) {
        writes.push(check(`device ${id}`, apiAt(base, 'PUT', `/devices/d${n}`, token(from),
          { pushToken: `IQAAAACy0shared${from}${String(n).padStart(4, '0')}xxxxxxxxxxxxxxxx`, clientId: CLIENT_ID })));
      }
    }
    await Promise.all(writes);
    const settings = users.map((userId, k) => apiAt(bases[k % 2], 'GET', '/conversations', token(userId))
      .then((r) => r.json() as Promise<{ conversations: { id: string }[] }>)
      .then((list) => Promise.all(list.conversations.map((c, j) => check(`settings ${userId} ${c.id}`,
        apiAt(bases[(k + j) % 2], 'PUT', `/conversations/${c.id}/settings`, token(userId), { pinned: round % 2 === 0 }))))));
    await Promise.all(settings);
  }
  assert.deepEqual(failures, []);
  const db = new Database(path.join(dir, 'data', 'pushuikit.db'), { readonly: true });
  try {
    assert.equal((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n, 5 * perRound);
  } finally {
    db.close();
  }
});
