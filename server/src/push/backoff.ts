// The one backoff rule of the push path, used by the Push Kit client between its in-request attempts and
// by the outbox between its later ones. Exponential growth gives a struggling Push Kit room to recover;
// the cap bounds the wait; the jitter (a random point in the upper half) keeps senders that failed
// together from retrying together, while the lower half-bound keeps every wait a real backoff.

/** Attempt n (from 0) waits half to all of min(maxMs, baseMs * 2^n), rounded to a millisecond. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}
