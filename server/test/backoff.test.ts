// The one backoff rule (src/push/backoff.ts): bounds, growth, cap, and that the Push Kit client waits by it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { backoffDelay } from '../src/push/backoff.js';
import { PushKitClient } from '../src/push/client.js';
import type { Certificate } from '../src/config.js';
import { KEY_ID, PROJECT_ID, SUB_ACCOUNT, testKeyPair } from './fake-pushkit.js';

const BELOW_ONE = 1 - Number.EPSILON;

describe('backoffDelay', () => {
  test('waits between half and all of base * 2^attempt', () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const ceiling = 100 * 2 ** attempt;
      assert.equal(backoffDelay(attempt, 100, 1e9, () => 0), ceiling / 2);
      assert.equal(backoffDelay(attempt, 100, 1e9, () => 0.5), ceiling * 3 / 4);
      assert.equal(backoffDelay(attempt, 100, 1e9, () => BELOW_ONE), ceiling);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, 100, 1e9);
        assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d}`);
      }
    }
  });

  test('doubles with each attempt', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(n, 200, 1e9, () => 0)), [100, 200, 400, 800, 1600]);
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(n, 200, 1e9, () => BELOW_ONE)), [200, 400, 800, 1600, 3200]);
  });

  test('never exceeds the cap, however many attempts', () => {
    assert.deepEqual([4, 5, 6, 50, 5000].map((n) => backoffDelay(n, 200, 5000, () => 0)), [1600, 2500, 2500, 2500, 2500]);
    assert.deepEqual([4, 5, 6, 50, 5000].map((n) => backoffDelay(n, 200, 5000, () => BELOW_ONE)), [3200, 5000, 5000, 5000, 5000]);
  });
});

test('the Push Kit client sleeps by backoffDelay between its attempts', async () => {
  const keys = testKeyPair();
  const cert: Certificate = {
    name: '111222333', category: 'IM', action: 'action.pushuikit.chat', voip: false, testMessage: false, enabled: true, source: 'environment',
    serviceAccount: { project_id: PROJECT_ID, key_id: KEY_ID, private_key: keys.privatePem, sub_account: SUB_ACCOUNT },
  };
  const slept: number[] = [];
  let requests = 0;
  const client = new PushKitClient('http://127.0.0.1:9', { attempts: 5, baseDelayMs: 200, maxDelayMs: 1000 }, {
    post: async () => { requests += 1; throw new Error('connection refused'); },
    sleep: async (ms) => { slept.push(ms); },
    random: () => 0.5,
    log: pino({ level: 'silent' }),
    record: () => {},
  });
  const outcome = await client.send(cert, 0, { payload: { notification: {} }, pushOptions: { ttl: 60 } }, ['token'],
    { userIds: ['u'], attempt: 1, test: false });
  assert.equal(outcome.kind, 'retry');
  assert.equal(outcome.kind === 'retry' && outcome.reason, 'network error: connection refused');
  assert.equal(requests, 5);
  assert.deepEqual(slept, [0, 1, 2, 3].map((n) => backoffDelay(n, 200, 1000, () => 0.5)));
  assert.deepEqual(slept, [150, 300, 600, 750]);
});
