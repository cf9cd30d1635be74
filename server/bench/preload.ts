// BENCH_PRELOAD_MESSAGES: fills a stopped server's database (schema and accounts already made by a first
// start) with direct conversations among the benchmark's clients, written straight with better-sqlite3.
// Messages are interleaved across conversations as live traffic would be; last_seq, read marks and the
// "wrote" flags stay consistent with what the server itself would have stored.
import path from 'node:path';
import Database from 'better-sqlite3';
import { directConversationId } from '../src/service.js';

export function preloadMessages(dataDir: string, clients: number, total: number): void {
  const db = new Database(path.join(dataDir, 'pushuikit.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const pairs: [number, number][] = [];
  for (let a = 0; a < clients; a++) for (let b = a + 1; b < clients; b++) pairs.push([a, b]);
  const count = pairs.map((_, k) => Math.floor(total / pairs.length) + (k < total % pairs.length ? 1 : 0));
  const ids = pairs.map(([a, b]) => directConversationId(`u${a}`, `u${b}`));
  const start = Date.now() - total; // one millisecond apart, ending now
  const conversation = db.prepare("INSERT INTO conversations (id, kind, name, last_seq, created_at) VALUES (?, 'direct', '', ?, ?)");
  const member = db.prepare('INSERT INTO members (conversation_id, user_id, read_seq, wrote) VALUES (?, ?, ?, ?)');
  const message = db.prepare(`INSERT INTO messages (id, conversation_id, seq, sender_id, text, client_msg_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    pairs.forEach(([a, b], k) => {
      if (count[k] === 0) return;
      conversation.run(ids[k], count[k], start);
      // Both have read everything; each wrote once there is a message from them.
      member.run(ids[k], `u${a}`, count[k], 1);
      member.run(ids[k], `u${b}`, count[k], count[k] > 1 ? 1 : 0);
    });
  })();
  let n = 0;
  const batch = 50_000;
  const insertBatch = db.transaction((rounds: { seq: number; first: number; last: number }) => {
    for (let k = rounds.first; k < rounds.last; k++) {
      if (count[k] < rounds.seq) continue;
      const [a, b] = pairs[k];
      const sender = rounds.seq % 2 === 1 ? `u${a}` : `u${b}`;
      message.run(`m_pre${n}`, ids[k], rounds.seq, sender, `preloaded message ${n} of the benchmark`, `pre${n}`, start + n);
      n += 1;
    }
  });
  const maxSeq = Math.max(0, ...count);
  for (let seq = 1; seq <= maxSeq; seq++) {
    for (let first = 0; first < pairs.length; first += batch) insertBatch({ seq, first, last: Math.min(pairs.length, first + batch) });
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
