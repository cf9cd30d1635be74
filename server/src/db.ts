// The SQLite store (better-sqlite3, WAL). All SQL is here, as prepared statements with bound parameters.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  -- scrypt$log2N$r$p$salt$hash; NULL for users of an integrator's user system (external tokens).
  password_hash TEXT,
  created_at INTEGER NOT NULL
);
-- A session is a row: logout revokes it, and a token whose row is gone or revoked is refused.
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id, expires_at);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);
-- When a push token moved from one user to another (the token itself is not kept here).
CREATE TABLE IF NOT EXISTS token_moves (
  token_hash TEXT NOT NULL,
  from_user TEXT NOT NULL,
  to_user TEXT NOT NULL,
  moved_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS token_moves_token ON token_moves(token_hash, moved_at);
CREATE TABLE IF NOT EXISTS settings (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  dnd INTEGER NOT NULL DEFAULT 0,
  preview INTEGER NOT NULL DEFAULT 1,
  multi_device_policy TEXT NOT NULL DEFAULT 'allOffline',
  -- The do-not-disturb window: minutes after local midnight in time_zone (an IANA name), [start, end).
  dnd_start INTEGER NOT NULL DEFAULT 1320,
  dnd_end INTEGER NOT NULL DEFAULT 420,
  time_zone TEXT NOT NULL DEFAULT 'UTC'
);
CREATE TABLE IF NOT EXISTS devices (
  user_id TEXT NOT NULL REFERENCES users(id),
  device_id TEXT NOT NULL,
  push_token TEXT NOT NULL,
  client_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  -- When a socket of this device last opened or closed (NULL: not since it was bound).
  last_online_at INTEGER,
  PRIMARY KEY (user_id, device_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS devices_token ON devices(push_token);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  read_seq INTEGER NOT NULL DEFAULT 0,
  -- 1 once this member sent a message here: presence is shared only where both sides wrote.
  wrote INTEGER NOT NULL DEFAULT 0,
  -- This member's settings of the conversation: pinned and muted (0/1), and the conversation's last_seq
  -- when the member hid it (NULL: not hidden); a message after that seq lists it again.
  pinned INTEGER NOT NULL DEFAULT 0,
  muted INTEGER NOT NULL DEFAULT 0,
  hidden_seq INTEGER,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX IF NOT EXISTS members_user ON members(user_id);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq INTEGER NOT NULL,
  sender_id TEXT NOT NULL,
  text TEXT NOT NULL,
  client_msg_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (conversation_id, seq),
  UNIQUE (sender_id, client_msg_id)
);
-- Messages a user deleted for themselves ("delete for me"): other members still see them. The primary key
-- is the index the paging queries probe (user, conversation, seq) to leave these rows out.
CREATE TABLE IF NOT EXISTS deleted_messages (
  user_id TEXT NOT NULL REFERENCES users(id),
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq),
  FOREIGN KEY (conversation_id, seq) REFERENCES messages(conversation_id, seq)
) WITHOUT ROWID;
-- created_at is unique among each user's calls (invite() dates a call after both users' latest), so it
-- is the cursor of the history pages. answered_at: when accepted; ended_at: when it reached a final state;
-- ended_by: who hung up, cancelled or rejected (NULL for missed and busy). callee_seen: 1 once the callee
-- marked this missed call seen (POST /calls/seen).
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  caller_id TEXT NOT NULL,
  callee_id TEXT NOT NULL,
  media TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  answered_at INTEGER,
  ended_at INTEGER,
  ended_by TEXT,
  callee_seen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS calls_ringing ON calls(state, expires_at);
-- The two halves of a user's history (outgoing, incoming), each walked newest first and merged.
CREATE INDEX IF NOT EXISTS calls_caller ON calls(caller_id, created_at);
CREATE INDEX IF NOT EXISTS calls_callee ON calls(callee_id, created_at);
-- A user's ringing or accepted calls (the busy check): only live rows are in these.
CREATE INDEX IF NOT EXISTS calls_live_caller ON calls(caller_id) WHERE state IN ('ringing', 'accepted');
CREATE INDEX IF NOT EXISTS calls_live_callee ON calls(callee_id) WHERE state IN ('ringing', 'accepted');
-- A user's unseen missed calls (the Calls tab's badge): only those rows are in it.
CREATE INDEX IF NOT EXISTS calls_unseen ON calls(callee_id, created_at) WHERE state IN ('missed', 'cancelled') AND callee_seen = 0;
CREATE TABLE IF NOT EXISTS push_payloads (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  push_type INTEGER NOT NULL,
  body TEXT NOT NULL
);
-- One row per (push, token): UNIQUE keeps a push from being queued twice for a token.
CREATE TABLE IF NOT EXISTS push_outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  ref_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token TEXT NOT NULL,
  client_id TEXT NOT NULL,
  payload_id INTEGER NOT NULL REFERENCES push_payloads(id),
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  -- The process that claimed the row for sending (host:port), and until when the claim holds unless renewed.
  claimed_by TEXT,
  lease_until INTEGER,
  UNIQUE (kind, ref_id, token)
);
CREATE INDEX IF NOT EXISTS outbox_due ON push_outbox(status, next_at);
-- The rows in flight, by token: a claim leaves a token's rows alone while another process is sending to it.
CREATE INDEX IF NOT EXISTS outbox_sending ON push_outbox(token) WHERE status = 'sending';
-- The delivery log: one row per Push Kit request (and per push refused before one was made), for the
-- push console. user_id is NULL when the request carried tokens of several users (users counts them).
-- outcome: sent | partial | failed | retry | refused | dryRun. Pruned after PUSH_LOG_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS push_log (
  id INTEGER PRIMARY KEY,
  mode TEXT NOT NULL,
  client_id TEXT NOT NULL,
  push_type INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  body TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  user_id TEXT,
  users INTEGER NOT NULL DEFAULT 0,
  category TEXT,
  status INTEGER,
  code TEXT,
  outcome TEXT NOT NULL DEFAULT 'sent',
  invalid_tokens INTEGER NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 1,
  latency_ms INTEGER,
  test INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS push_log_time ON push_log(created_at);
CREATE INDEX IF NOT EXISTS push_log_user ON push_log(user_id, id);
CREATE INDEX IF NOT EXISTS push_log_client ON push_log(client_id, id);
-- Push certificates added in the console (environment ones are not stored). The service account's private
-- key is encrypted with CERT_ENCRYPTION_KEY (AES-256-GCM, the name as associated data) and never returned.
CREATE TABLE IF NOT EXISTS push_certificates (
  name TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  sub_account TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  category TEXT NOT NULL,
  action TEXT NOT NULL,
  voip INTEGER NOT NULL,
  test_message INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- Console administrators: separate from chat users, created from the command line (npm run admin).
CREATE TABLE IF NOT EXISTS admins (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- A console session: the cookie's token is kept only as its SHA-256.
CREATE TABLE IF NOT EXISTS admin_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_name TEXT NOT NULL REFERENCES admins(name) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS admin_sessions_admin ON admin_sessions(admin_name, expires_at);
-- A large group's pushes, queued in the message's transaction and written in slices afterwards (so one
-- message to 10,000 members does not hold the event loop): the members after after_user, in user_id order,
-- are still to be pushed. The row goes when the last slice is written; a restart resumes from after_user.
CREATE TABLE IF NOT EXISTS fanout_jobs (
  message_id TEXT PRIMARY KEY REFERENCES messages(id),
  conversation_id TEXT NOT NULL,
  after_user TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

export type Db = Database.Database;

/**
 * Schema changes for databases made by an earlier version (PRAGMA user_version counts them). A new
 * database gets SCHEMA as it is and starts at the last version.
 */
const MIGRATIONS: (string | ((db: Db) => void))[] = [
  // 1: passwords, sessions, token moves, and who wrote in a conversation (presence).
  `ALTER TABLE users ADD COLUMN password_hash TEXT;
   ALTER TABLE members ADD COLUMN wrote INTEGER NOT NULL DEFAULT 0;
   UPDATE members SET wrote = 1 WHERE EXISTS
     (SELECT 1 FROM messages WHERE messages.conversation_id = members.conversation_id AND messages.sender_id = members.user_id);`,
  // 2: per-member conversation settings (pin, mute, hide).
  `ALTER TABLE members ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE members ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE members ADD COLUMN hidden_seq INTEGER;`,
  // 3: messages deleted by one user for that user only.
  `CREATE TABLE deleted_messages (
     user_id TEXT NOT NULL REFERENCES users(id),
     conversation_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (user_id, conversation_id, seq),
     FOREIGN KEY (conversation_id, seq) REFERENCES messages(conversation_id, seq)
   ) WITHOUT ROWID;`,
  // 4: call history (answer and end times, who ended it) and missed-call seen marks. Earlier versions kept
  // no times: a missed call ended at its expiry; who rejected or cancelled is known from the state. An
  // accepted call could not be hung up then, so it is ended now (no times, duration 0): left accepted it
  // would keep both users busy for ever. Missed calls from before are seen: they were announced by push
  // long ago, and a badge for all of them at the update would be noise.
  `ALTER TABLE calls ADD COLUMN answered_at INTEGER;
   ALTER TABLE calls ADD COLUMN ended_at INTEGER;
   ALTER TABLE calls ADD COLUMN ended_by TEXT;
   ALTER TABLE calls ADD COLUMN callee_seen INTEGER NOT NULL DEFAULT 0;
   UPDATE calls SET ended_at = expires_at WHERE state = 'missed';
   UPDATE calls SET ended_by = callee_id WHERE state = 'rejected';
   UPDATE calls SET ended_by = caller_id WHERE state = 'cancelled';
   UPDATE calls SET state = 'ended' WHERE state = 'accepted';
   UPDATE calls SET callee_seen = 1 WHERE state != 'ringing';`,
  // 5: do-not-disturb becomes a daily window in the user's time zone (22:00 to 07:00 UTC unless set).
  // A user who had it on had it all day: an equal start and end keep it so, in any zone.
  `ALTER TABLE settings ADD COLUMN dnd_start INTEGER NOT NULL DEFAULT 1320;
   ALTER TABLE settings ADD COLUMN dnd_end INTEGER NOT NULL DEFAULT 420;
   ALTER TABLE settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
   UPDATE settings SET dnd_start = 0, dnd_end = 0 WHERE dnd = 1;`,
  // 6: the push console: delivery-log details, certificates, administrators, devices' last time online.
  // Rows logged before have no user or outcome detail: they keep the defaults ('sent', attempt 1). A table
  // this database never had is made whole by SCHEMA afterwards, so only existing tables gain the columns.
  (db) => {
    addColumns(db, 'push_log', [['user_id', 'TEXT'], ['users', 'INTEGER NOT NULL DEFAULT 0'], ['category', 'TEXT'], ['status', 'INTEGER'],
      ['code', 'TEXT'], ['outcome', "TEXT NOT NULL DEFAULT 'sent'"], ['invalid_tokens', 'INTEGER NOT NULL DEFAULT 0'],
      ['attempt', 'INTEGER NOT NULL DEFAULT 1'], ['latency_ms', 'INTEGER'], ['test', 'INTEGER NOT NULL DEFAULT 0']]);
    addColumns(db, 'devices', [['last_online_at', 'INTEGER']]);
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'push_log'").get()) {
      db.exec("UPDATE push_log SET outcome = 'dryRun' WHERE mode = 'dry-run'");
    }
  },
  // 7: large groups' pushes are written in slices after the message (fanout_jobs, made by SCHEMA).
  '',
  // 8: outbox claims name their process and hold for a lease, so several processes can share the outbox.
  // Rows left 'sending' before have no claimant: the next drain sends them again, as it did before.
  (db) => addColumns(db, 'push_outbox', [['claimed_by', 'TEXT'], ['lease_until', 'INTEGER']]),
  // 9: the outbox's rows in flight by token (outbox_sending, made by SCHEMA), so that processes keep a token's order.
  '',
];

/** Adds the columns a table lacks; a table this database never had is left to SCHEMA, which makes it whole. */
function addColumns(db: Db, table: string, columns: [string, string][]): void {
  const have = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
  if (have.size === 0) return;
  for (const [name, type] of columns) if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
}

export interface DbOptions {
  /** How long a write waits for a lock held by another connection before failing with SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/** SQLite errors that mean "the store cannot take this write now" (the API answers 503, nothing is lost). */
export function isStorageUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL)/.test(code);
}

/**
 * Only the server's own account may read the database: it holds the session-signing secret and push
 * tokens. The folder is made 0700 and the files 0600; looser modes left by an older version are tightened.
 */
function restrict(dataDir: string, file: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  // SQLite gives the -wal and -shm files the mode of the database file, so it is created 0600 first.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
}

export function openDb(dataDir: string, options: DbOptions = { busyTimeoutMs: 1000 }): Db {
  const file = path.join(dataDir, 'pushuikit.db');
  restrict(dataDir, file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (SIGKILL); only an OS crash may lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 waits synchronously: the wait blocks the event loop, so it stays short. The timeout only
  // helps a transaction that takes the write lock when it begins: every write transaction here is
  // `.immediate()`. A deferred one that reads first fails at once (SQLITE_BUSY_SNAPSHOT) when another
  // process sharing the file committed after its read (https://sqlite.org/rescode.html#busy_snapshot).
  db.pragma(`busy_timeout = ${Math.floor(options.busyTimeoutMs)}`);
  migrate(db);
  cacheStatements(db);
  return db;
}

/** Distinct SQL texts kept prepared; the code has a few hundred, so eviction only bounds dynamic ones. */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * Makes db.prepare answer the statement it prepared before for the same SQL: preparing costs more than
 * running a small statement (a profile of the relay showed prepare at 16% of its time), and the code
 * reads best with its SQL where it is used. Safe because no caller changes a statement's modes
 * (pluck, raw, expand, safeIntegers), which a shared statement would carry over.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement) return statement;
    statement = prepare(sql);
    // The oldest goes first: only SQL built from values (never the code's own) could fill the cache, and
    // keeping hits in use order cost a delete and an insert on every call of the relay's hot path.
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(sql, statement);
    return statement;
  }) as Db['prepare'];
}

function migrate(db: Db): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  const hasUsers = () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").get() !== undefined;
  // Up to date: no write at all, so `npm run admin` and the server can open the database at the same time.
  if (hasUsers() && current() === MIGRATIONS.length) return;
  // IMMEDIATE takes the write lock before reading the version (waiting up to busy_timeout for another
  // process's migration): a deferred transaction that read first could not upgrade its lock, and failed.
  db.transaction(() => {
    if (!hasUsers()) {
      db.exec(SCHEMA);
    } else {
      for (const step of MIGRATIONS.slice(current())) {
        if (typeof step === 'string') db.exec(step);
        else step(db);
      }
      db.exec(SCHEMA); // tables and indexes a migration does not create
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** A value kept across restarts (the session secret). */
export function metaValue(db: Db, key: string, create: () => string): string {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  if (row) return row.value;
  const value = create();
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string }).value;
}
