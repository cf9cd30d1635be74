// Small helpers shared by the benchmark's processes: percentiles, medians and the plan of messages.

/** The p-th percentile (nearest rank) of an ascending list; NaN for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The median of any list (the middle value, or the mean of the two middle ones); NaN for an empty one. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A deterministic PRNG (mulberry32): every mode sends the same sequence of sender/receiver pairs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The one-to-one messages every run sends: message n goes from client from[n] to client to[n] (never itself),
 * the same sequence for a seed in every mode, round and process.
 */
export function messagePlan(seed: number, clients: number, messages: number): { from: Int32Array; to: Int32Array } {
  const random = seededRandom(seed);
  const from = new Int32Array(messages);
  const to = new Int32Array(messages);
  for (let n = 0; n < messages; n++) {
    from[n] = Math.floor(random() * clients);
    to[n] = (from[n] + 1 + Math.floor(random() * (clients - 1))) % clients;
  }
  return { from, to };
}
