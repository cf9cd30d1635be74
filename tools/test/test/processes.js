'use strict';
// Helpers of the end-to-end harness and runner tests.

/** Whether a process with this pid exists. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `condition` (sync or async) holds, checking every 50 ms; rejects after `timeoutMs`. */
async function until(condition, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { alive, until };
