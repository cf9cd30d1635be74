// What the API does: users, devices, conversations, messages, groups, calls, settings, and the decision
// to push. Every write that announces something by push writes its outbox rows in the same transaction.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Certificate, Config } from './config.js';
import type { Db } from './db.js';
import { metaValue } from './db.js';
import { inQuietHours } from './dnd.js';
import type { Hub } from './hub.js';
import type { WebSocket } from 'ws';
import { CommitQueue } from './commits.js';
import type { OutboxTarget, PushOutbox } from './push/outbox.js';
import type { CertificateStore } from './push/certificates.js';
import { PUSH_TYPE_ALERT, PUSH_TYPE_VOIP, fittedNotification, notifyIdOf, voipBody } from './push/payloads.js';

export type MultiDevicePolicy = 'allOffline' | 'anyOffline';
/** `accepted` is the active call; every other state but `ringing` is final. */
export type CallState = 'ringing' | 'accepted' | 'rejected' | 'cancelled' | 'missed' | 'busy' | 'ended';

/** A user's settings; `dndStart`/`dndEnd` are minutes after midnight in `timeZone` (see dnd.ts). */
export interface Settings {
  dnd: boolean; dndStart: number; dndEnd: number; timeZone: string; preview: boolean; multiDevicePolicy: MultiDevicePolicy;
}
interface SettingsRow { dnd: number; dnd_start: number; dnd_end: number; time_zone: string; preview: number; multi_device_policy: MultiDevicePolicy }
const toSettings = (r: SettingsRow): Settings => ({ dnd: r.dnd === 1, dndStart: r.dnd_start, dndEnd: r.dnd_end, timeZone: r.time_zone,
  preview: r.preview === 1, multiDevicePolicy: r.multi_device_policy });
/** One user's settings of one conversation. */
export interface ConversationSettings { conversationId: string; pinned: boolean; muted: boolean; hidden: boolean }
/** Receivers whose pushes are written in the message's own transaction; a larger group's go in slices after it. */
export const FANOUT_INLINE_MAX = 100;
/** A fan-out slice writes for about this long (plus its commit) before the event loop serves others. */
const FANOUT_SLICE_MS = 2;
const FANOUT_PAGE = 50;
const FANOUT_RETRY_MS = 1000;

/** A message to send: to one user (`to`) or to a group (`groupId`). */
export interface SendInput { to?: string; groupId?: string; text: string; clientMsgId: string }
/** `senderName` is the sender's display name now (read with the message, never stored with it). */
export interface Message { id: string; conversationId: string; seq: number; senderId: string; senderName: string; text: string; clientMsgId: string; createdAt: number }
/** One conversation as GET /conversations lists it and GET /conversations/:id answers it. */
export interface ConversationItem {
  id: string;
  kind: string;
  name: string;
  peerId?: string;
  lastMessage: Message | null;
  unread: number;
  pinned: boolean;
  muted: boolean;
  memberCount: number;
  /** Direct conversations: the other member's read mark; groups: 0 (there is no single peer). */
  peerReadSeq: number;
}
export interface Call {
  callId: string; callerId: string; calleeId: string; media: 'audio' | 'video'; state: CallState; createdAt: number; expiresAt: number;
  /** When it was accepted; null if it never was. */
  answeredAt: number | null;
  /** When it reached a final state; null while ringing or active. */
  endedAt: number | null;
  /** Whole seconds from answer to hang-up for an `ended` call; 0 otherwise. */
  durationSec: number;
  /** Who hung up, cancelled or rejected; null for missed and busy calls (and while it rings or is active). */
  endedBy: string | null;
}
/** A call as one user's history lists it. `seen` is false only for an incoming missed call not yet marked seen. */
export interface CallHistoryItem extends Call { direction: 'outgoing' | 'incoming'; seen: boolean }

/** A failure the API reports with this status (404 also where existence must not leak). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

const MESSAGE_TTL_SECONDS = 24 * 3600;
const DAY_MS = 24 * 3600 * 1000;
const PREVIEW_OFF_BODY = 'You have a new message';

/** Lone UTF-16 surrogates cannot be stored as sent (SQLite keeps UTF-8): in a u-flag pattern they are category Cs. */
export function isWellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** C0 and C1 controls and DEL (tabs and line breaks included): never part of a name someone else reads. */
export function hasControlCharacters(text: string): boolean {
  // Also the invisible ones that change how a name reads to others: bidi overrides and isolates, zero-width
  // spaces, line and paragraph separators. The joiners (U+200C, U+200D) stay: scripts and emoji need them.
  return /[\p{Cc}\u2028\u2029]|(?![\u200C\u200D])\p{Cf}/u.test(text);
}

/** At least one character someone can see: not only white space and joiners. */
export function hasVisibleCharacter(text: string): boolean {
  return /[^\s\p{Cf}]/u.test(text);
}

/** Random bytes drawn a page at a time: one call into the generator per id was 5% of the relay's time. */
const randomPool = Buffer.alloc(4096);
let randomPoolUsed = randomPool.length;

function randomId(prefix: string): string {
  if (randomPoolUsed + 12 > randomPool.length) {
    crypto.randomFillSync(randomPool);
    randomPoolUsed = 0;
  }
  randomPoolUsed += 12;
  return `${prefix}${randomPool.toString('base64url', randomPoolUsed - 12, randomPoolUsed)}`;
}

/**
 * A message id that sorts by creation time (milliseconds in base 36, fixed width) before its random part:
 * new ids go at the end of the messages' id index instead of into a random page of it, which cut the WAL
 * written per message (docs in server/BENCHMARKS.md). Still unguessable: 96 random bits follow.
 */
function messageId(createdAt: number): string {
  return randomId(`m_${Math.max(0, Math.floor(createdAt)).toString(36).padStart(9, '0')}`);
}

/** The direct conversation of two users: the same id from both sides, within [A-Za-z0-9_-]{1,64}. */
export function directConversationId(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  return `d_${crypto.createHash('sha256').update(`${x}\u0000${y}`).digest('base64url').slice(0, 40)}`;
}

interface DeviceRow { device_id: string; push_token: string; client_id: string }
interface MessageRow { id: string; conversation_id: string; seq: number; sender_id: string; sender_name: string; text: string; client_msg_id: string; created_at: number }
interface ConversationRow {
  id: string; kind: string; name: string; last_seq: number; read_seq: number; pinned: number; muted: number; member_count: number;
  peer_id: string | null; peer_name: string | null; peer_read_seq: number | null;
  msg_id: string | null; msg_seq: number; msg_sender_id: string; msg_sender_name: string; msg_text: string; msg_client_msg_id: string; msg_created_at: number;
}
interface CallRow {
  id: string; caller_id: string; callee_id: string; media: 'audio' | 'video'; state: CallState; created_at: number; expires_at: number;
  answered_at: number | null; ended_at: number | null; ended_by: string | null; callee_seen: number;
}

const toMessage = (r: MessageRow): Message => ({ id: r.id, conversationId: r.conversation_id, seq: r.seq, senderId: r.sender_id,
  senderName: r.sender_name, text: r.text, clientMsgId: r.client_msg_id, createdAt: r.created_at });

/**
 * A message row with its sender's current name: one join, so a renamed user shows under the new name in
 * old messages too. Read FROM MESSAGE_FROM; a sender without a users row shows as their id.
 */
const MESSAGE_COLUMNS = `msg.id, msg.conversation_id, msg.seq, msg.sender_id, COALESCE(u.display_name, msg.sender_id) AS sender_name,
  msg.text, msg.client_msg_id, msg.created_at`;
const MESSAGE_FROM = 'messages msg LEFT JOIN users u ON u.id = msg.sender_id';
/** A sender's message by its clientMsgId (the idempotency check of every send). */
const MESSAGE_BY_CLIENT_ID_SQL = `SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM} WHERE msg.sender_id = ? AND msg.client_msg_id = ?`;

/**
 * True for a row of `alias` (a messages alias) that `reader` (SQL: a bound `?` or a column) has not
 * deleted for themselves. One probe of deleted_messages' primary key per row, so pages stay index walks.
 */
const notDeletedFor = (reader: string, alias: string) =>
  `NOT EXISTS (SELECT 1 FROM deleted_messages d WHERE d.user_id = ${reader} AND d.conversation_id = ${alias}.conversation_id AND d.seq = ${alias}.seq)`;

/**
 * History (`before`) and catch-up (`after`) pages of one conversation for one reader, one row more than
 * the page. Parameters: conversation, cursor, reader, limit + 1. Exported for the query-plan test.
 */
export const PAGE_SQL = {
  before: `SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM}
    WHERE msg.conversation_id = ? AND msg.seq < ? AND ${notDeletedFor('?', 'msg')} ORDER BY msg.seq DESC LIMIT ?`,
  after: `SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM}
    WHERE msg.conversation_id = ? AND msg.seq > ? AND ${notDeletedFor('?', 'msg')} ORDER BY msg.seq LIMIT ?`,
};

/**
 * The conversations of member `m.user_id = ?` with what the list shows: the direct peer (name, read
 * mark) and the newest message this user has not deleted, in one statement. Most recent activity first:
 * that message's time, or the conversation's creation for one without any; rowids break ties in
 * insertion order (several messages may share a millisecond).
 */
const conversationQuery = (filter: string) => `SELECT c.id, c.kind, c.name, c.last_seq, m.read_seq, m.pinned, m.muted,
    (SELECT COUNT(*) FROM members x WHERE x.conversation_id = c.id) AS member_count,
    p.user_id AS peer_id, pu.display_name AS peer_name, p.read_seq AS peer_read_seq,
    msg.id AS msg_id, msg.seq AS msg_seq, msg.sender_id AS msg_sender_id, COALESCE(u.display_name, msg.sender_id) AS msg_sender_name,
    msg.text AS msg_text, msg.client_msg_id AS msg_client_msg_id, msg.created_at AS msg_created_at
  FROM members m JOIN conversations c ON c.id = m.conversation_id
  LEFT JOIN members p ON c.kind = 'direct' AND p.conversation_id = c.id AND p.user_id != m.user_id
  LEFT JOIN users pu ON pu.id = p.user_id
  LEFT JOIN messages msg ON msg.conversation_id = c.id AND msg.seq = (SELECT g.seq FROM messages g
    WHERE g.conversation_id = c.id AND ${notDeletedFor('m.user_id', 'g')} ORDER BY g.seq DESC LIMIT 1)
  LEFT JOIN users u ON u.id = msg.sender_id
  WHERE m.user_id = ? AND ${filter}
  ORDER BY COALESCE(msg.created_at, c.created_at) DESC, msg.rowid DESC, c.rowid DESC`;

/** A user's unread counts: their memberships (members_user), each conversation by its primary key. */
export const UNREAD_SQL = {
  list: `SELECT c.id AS conversationId, c.last_seq - m.read_seq AS unread, m.muted FROM members m
    JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ? AND c.last_seq > m.read_seq ORDER BY c.id`,
  total: `SELECT COALESCE(SUM(c.last_seq - m.read_seq), 0) AS n FROM members m
    JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ? AND m.muted = 0`,
};
export const CONVERSATION_LIST_SQL = conversationQuery('(m.hidden_seq IS NULL OR c.last_seq > m.hidden_seq)');

const toConversation = (r: ConversationRow): ConversationItem => ({
  id: r.id,
  kind: r.kind,
  name: r.kind === 'direct' ? (r.peer_name ?? '') : r.name,
  peerId: r.peer_id ?? undefined,
  lastMessage: r.msg_id === null ? null : {
    id: r.msg_id, conversationId: r.id, seq: r.msg_seq, senderId: r.msg_sender_id, senderName: r.msg_sender_name,
    text: r.msg_text, clientMsgId: r.msg_client_msg_id, createdAt: r.msg_created_at,
  },
  unread: r.last_seq - r.read_seq,
  pinned: r.pinned === 1,
  muted: r.muted === 1,
  memberCount: r.member_count,
  peerReadSeq: r.peer_read_seq ?? 0,
});
const toCall = (r: CallRow): Call => ({ callId: r.id, callerId: r.caller_id, calleeId: r.callee_id, media: r.media, state: r.state,
  createdAt: r.created_at, expiresAt: r.expires_at, answeredAt: r.answered_at, endedAt: r.ended_at,
  // A clock that stepped back must not make a negative duration.
  durationSec: r.state === 'ended' && r.answered_at !== null && r.ended_at !== null ? Math.max(0, Math.floor((r.ended_at - r.answered_at) / 1000)) : 0,
  endedBy: r.ended_by });

const toHistoryItem = (r: CallRow, userId: string): CallHistoryItem => {
  const direction = r.caller_id === userId ? 'outgoing' : 'incoming';
  const missed = r.state === 'missed' || r.state === 'cancelled';
  return { ...toCall(r), direction, seen: direction === 'outgoing' || !missed || r.callee_seen === 1 };
};

/**
 * One user's calls before a createdAt (exclusive), newest first, one row more than the page: the outgoing
 * and the incoming half each walk their index and are merged (no sort). Busy calls are the caller's only:
 * the callee never heard of them. Parameters: user, cursor, user, cursor, limit + 1. Exported for the
 * query-plan test.
 */
export const CALL_HISTORY_SQL = `SELECT * FROM calls WHERE caller_id = ? AND created_at < ?
  UNION ALL SELECT * FROM calls WHERE callee_id = ? AND created_at < ? AND state != 'busy'
  ORDER BY created_at DESC LIMIT ?`;

/** Whether either of two users is in a ringing or accepted call. Parameters: a, b, a, b. */
export const LIVE_CALL_SQL = `SELECT 1 FROM calls WHERE caller_id IN (?, ?) AND state IN ('ringing', 'accepted')
  UNION ALL SELECT 1 FROM calls WHERE callee_id IN (?, ?) AND state IN ('ringing', 'accepted') LIMIT 1`;

/**
 * A user's unseen missed calls, a cancelled invitation included (to the callee it rang and nobody
 * answered; the MISS_CALL notification says so too): the count (parameter: user) and the mark (user, upTo). Literal states, so
 * both use the partial index calls_unseen. Exported for the query-plan test.
 */
export const UNSEEN_SQL = {
  count: "SELECT COUNT(*) AS n FROM calls WHERE callee_id = ? AND state IN ('missed', 'cancelled') AND callee_seen = 0",
  mark: "UPDATE calls SET callee_seen = 1 WHERE callee_id = ? AND state IN ('missed', 'cancelled') AND callee_seen = 0 AND created_at <= ?",
};

/** The newest createdAt among two users' calls (0 without any). Parameters: a, a, b, b. */
const LATEST_CALL_SQL = `SELECT MAX(COALESCE((SELECT MAX(created_at) FROM calls WHERE caller_id = ?), 0),
  COALESCE((SELECT MAX(created_at) FROM calls WHERE callee_id = ?), 0), COALESCE((SELECT MAX(created_at) FROM calls WHERE caller_id = ?), 0),
  COALESCE((SELECT MAX(created_at) FROM calls WHERE callee_id = ?), 0)) AS t`;

export class ImService {
  private sweeper: NodeJS.Timeout | undefined;
  /** Keys the push profile ids; its own secret, so rotating the session secret does not re-address devices. */
  private readonly profileKey: Buffer;

  private readonly commits: CommitQueue;
  private fanoutPending = false;
  private fanoutRunning = false;
  private stopped = false;

  constructor(private readonly db: Db, private readonly hub: Hub, private readonly outbox: PushOutbox,
    private readonly certificates: CertificateStore, private readonly config: Config, private readonly log: Logger,
    private readonly now: () => number = Date.now, afterCommit?: () => void) {
    this.commits = new CommitQueue(db, undefined, afterCommit);
    this.profileKey = Buffer.from(metaValue(db, 'push_profile_key', () => crypto.randomBytes(32).toString('base64url')), 'base64url');
  }

  // ---- users, devices, settings -------------------------------------------------------------------

  /** A new account (409 when the id is taken). `passwordHash` is null for users of an external user system. */
  createUser(userId: string, displayName: string, passwordHash: string | null): void {
    const created = this.db.transaction(() => {
      const inserted = this.db.prepare('INSERT OR IGNORE INTO users (id, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)')
        .run(userId, displayName, passwordHash, this.now()).changes > 0;
      if (inserted) this.db.prepare('INSERT OR IGNORE INTO settings (user_id) VALUES (?)').run(userId);
      return inserted;
    }).immediate();
    if (!created) throw new ApiError(409, 'this user id is taken', 'body/userId');
  }

  /**
   * A user vouched for by the integrator's backend: created on first sign-in; the backend's name, when
   * its token carries a usable one, replaces ours (it owns the user's profile).
   */
  ensureExternalUser(userId: string, displayName: string | undefined): void {
    const name = displayName?.trim();
    // The rule of PUT /me's schema: 1..64 characters (code points, as JSON Schema counts), no controls.
    const usable = name !== undefined && name.length > 0 && [...name].length <= 64 && isWellFormed(name) && !hasControlCharacters(name) &&
      hasVisibleCharacter(name);
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO users (id, display_name, password_hash, created_at) VALUES (?, ?, NULL, ?)')
        .run(userId, usable ? name : userId, this.now());
      if (usable) this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(name, userId);
      this.db.prepare('INSERT OR IGNORE INTO settings (user_id) VALUES (?)').run(userId);
    }).immediate();
  }

  /** The stored password hash; undefined for an unknown user or one without a password. */
  passwordHash(userId: string): string | undefined {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(userId) as { password_hash: string | null } | undefined;
    return row?.password_hash ?? undefined;
  }

  profile(userId: string): { userId: string; displayName: string; pushProfileId: string } {
    return { userId, displayName: this.displayName(userId), pushProfileId: this.pushProfileId(userId) };
  }

  /**
   * A new display name (validated and trimmed by the API). Only the user's own devices are told: everyone
   * else reads names with the messages and conversations (joined at read time), so old messages show it too.
   */
  rename(userId: string, displayName: string): { userId: string; displayName: string; pushProfileId: string } {
    this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(displayName, userId);
    this.hub.send(userId, { type: 'profile', userId, displayName });
    return this.profile(userId);
  }

  /**
   * The opaque id under which the app binds the user's account to the device (bindAppProfileId) and which
   * every notification carries (notification.profileId), so a device whose signed-in account changed does
   * not show the previous account's notifications. A keyed hash (HMAC-SHA256, base64url, 43 characters
   * of [A-Za-z0-9_-]): stable per user, never the user id, and not computable without the server's key.
   */
  pushProfileId(userId: string): string {
    return crypto.createHmac('sha256', this.profileKey).update(`push-profile:${userId}`).digest('base64url');
  }

  userExists(userId: string): boolean {
    return this.db.prepare('SELECT 1 FROM users WHERE id = ?').get(userId) !== undefined;
  }

  private displayName(userId: string): string {
    return (this.db.prepare('SELECT display_name FROM users WHERE id = ?').get(userId) as { display_name: string } | undefined)?.display_name ?? userId;
  }

  /**
   * Binds a device's token; a token moves to the latest device and user that uploaded it. A move to
   * another user is legitimate (one phone, a new account signs in) but is also how someone holding a
   * copied token would divert a user's notifications: each move is logged (never the token) and a token
   * may move between users at most `tokenMovesPerDay` times a day (429 after that).
   */
  bindDevice(userId: string, deviceId: string, pushToken: string, clientId: string): void {
    this.db.transaction(() => {
      const holder = this.db.prepare('SELECT user_id, device_id FROM devices WHERE push_token = ?').get(pushToken) as
        { user_id: string; device_id: string } | undefined;
      if (holder && holder.user_id !== userId) {
        const tokenHash = crypto.createHash('sha256').update(pushToken).digest('base64url');
        const since = this.now() - DAY_MS;
        const moves = this.db.prepare('SELECT moved_at FROM token_moves WHERE token_hash = ? AND moved_at > ? ORDER BY moved_at')
          .all(tokenHash, since) as { moved_at: number }[];
        if (moves.length >= this.config.tokenMovesPerDay) {
          this.log.warn({ tokenRef: tokenHash.slice(0, 12), fromUser: holder.user_id, toUser: userId }, 'push token move refused: it moved too often today');
          const retryAfter = Math.max(1, Math.ceil((moves[0].moved_at + DAY_MS - this.now()) / 1000));
          throw new ApiError(429, `this push token moved between accounts ${moves.length} times today; try again later`, 'body/pushToken', retryAfter);
        }
        this.db.prepare('INSERT INTO token_moves (token_hash, from_user, to_user, moved_at) VALUES (?, ?, ?, ?)')
          .run(tokenHash, holder.user_id, userId, this.now());
        this.db.prepare('DELETE FROM token_moves WHERE moved_at <= ?').run(since);
        this.log.warn({ tokenRef: tokenHash.slice(0, 12), fromUser: holder.user_id, fromDevice: holder.device_id, toUser: userId, toDevice: deviceId },
          'push token moved to another user: its notifications now go to the new user');
      }
      this.db.prepare('DELETE FROM devices WHERE push_token = ? AND NOT (user_id = ? AND device_id = ?)').run(pushToken, userId, deviceId);
      this.db.prepare(`INSERT INTO devices (user_id, device_id, push_token, client_id, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(user_id, device_id) DO UPDATE SET push_token = excluded.push_token, client_id = excluded.client_id,
        updated_at = excluded.updated_at`).run(userId, deviceId, pushToken, clientId, this.now());
    }).immediate();
    if (!this.certificates.find(clientId)) {
      this.log.warn({ userId, deviceId, clientId }, 'device bound with a Client ID that has no certificate: it will get no push');
    }
  }

  /** A socket of this device opened or closed: the console shows when a device was last online. */
  deviceSeen(userId: string, deviceId: string): void {
    try {
      this.db.prepare('UPDATE devices SET last_online_at = ? WHERE user_id = ? AND device_id = ?').run(this.now(), userId, deviceId);
    } catch (e) {
      // Only the console reads it: a busy database must not refuse or break a connection.
      this.log.warn({ err: (e as Error).message }, 'could not record when a device was online');
    }
  }

  unbindDevice(userId: string, deviceId: string): boolean {
    return this.db.prepare('DELETE FROM devices WHERE user_id = ? AND device_id = ?').run(userId, deviceId).changes > 0;
  }

  getSettings(userId: string): Settings {
    return toSettings(this.db.prepare('SELECT * FROM settings WHERE user_id = ?').get(userId) as SettingsRow);
  }

  /**
   * Changes the given settings (validated by the API; the rest keep their values) and answers all of them.
   * Every device of the user (the one that asked included) gets them as a `settings` event, so a settings
   * page open on another device follows.
   */
  putSettings(userId: string, patch: Partial<Settings>): Settings {
    const flag = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);
    const row = this.db.prepare(`UPDATE settings SET dnd = COALESCE(?, dnd), dnd_start = COALESCE(?, dnd_start), dnd_end = COALESCE(?, dnd_end),
      time_zone = COALESCE(?, time_zone), preview = COALESCE(?, preview), multi_device_policy = COALESCE(?, multi_device_policy)
      WHERE user_id = ? RETURNING *`).get(flag(patch.dnd), patch.dndStart ?? null, patch.dndEnd ?? null, patch.timeZone ?? null,
      flag(patch.preview), patch.multiDevicePolicy ?? null, userId) as SettingsRow;
    const settings = toSettings(row);
    this.hub.send(userId, { type: 'settings', settings });
    return settings;
  }

  // ---- conversations and messages -----------------------------------------------------------------

  private isMember(conversationId: string, userId: string): boolean {
    return this.db.prepare('SELECT 1 FROM members WHERE conversation_id = ? AND user_id = ?').get(conversationId, userId) !== undefined;
  }

  private members(conversationId: string): string[] {
    return (this.db.prepare('SELECT user_id FROM members WHERE conversation_id = ?').all(conversationId) as { user_id: string }[])
      .map((r) => r.user_id);
  }

  createGroup(creator: string, name: string, memberIds: string[]): { groupId: string; members: string[] } {
    const all = [...new Set([creator, ...memberIds])];
    const unknown = all.filter((id) => !this.userExists(id));
    if (unknown.length > 0) throw new ApiError(400, `unknown users: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}`);
    const groupId = randomId('g_');
    this.db.transaction(() => {
      this.db.prepare("INSERT INTO conversations (id, kind, name, created_at) VALUES (?, 'group', ?, ?)").run(groupId, name, this.now());
      const add = this.db.prepare('INSERT INTO members (conversation_id, user_id) VALUES (?, ?)');
      for (const id of all) add.run(groupId, id);
    }).immediate();
    return { groupId, members: all };
  }

  /**
   * Stores a message and, in the same transaction, the pushes for receivers who are offline under their
   * policy. Idempotent on (sender, clientMsgId): a retry returns the stored message. The transaction is
   * shared with the messages sent at about the same time (group commit); the answer comes after it has
   * committed, and only then do the receivers' sockets hear of it.
   */
  async sendMessage(senderId: string, input: SendInput, origin?: WebSocket): Promise<{ message: Message; created: boolean }> {
    const result = await this.commits.run(() => this.storeMessage(senderId, input));
    if (result.created) this.publishMessage(result.message, origin, result.members);
    return { message: result.message, created: result.created };
  }

  /** Writes a message and its pushes (or finds it, for a repeated clientMsgId). Runs inside a transaction. */
  private storeMessage(senderId: string, input: SendInput): { message: Message; created: boolean; members?: string[] } {
    const existing = this.db.prepare(MESSAGE_BY_CLIENT_ID_SQL).get(senderId, input.clientMsgId) as MessageRow | undefined;
    if (existing) return { message: toMessage(existing), created: false };
    const nextSeq = (id: string) => (this.db.prepare('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq')
      .get(id) as { last_seq: number } | undefined)?.last_seq;
    let conversationId: string;
    let seq: number | undefined;
    const peer = input.to;
    if (peer !== undefined) {
      if (peer === senderId) throw new ApiError(400, 'body/to cannot be yourself');
      conversationId = directConversationId(senderId, peer);
      // An existing direct conversation has both members (users are never deleted): one statement does.
      seq = nextSeq(conversationId);
      if (seq === undefined) {
        if (!this.userExists(peer)) throw new ApiError(404, 'no such user');
        this.ensureDirect(conversationId, senderId, peer);
        seq = nextSeq(conversationId) as number;
      }
    } else {
      conversationId = input.groupId as string;
      if (!this.isMember(conversationId, senderId)) throw new ApiError(404, 'no such conversation');
      seq = nextSeq(conversationId) as number;
    }
    const senderName = this.displayName(senderId);
    const createdAt = this.now();
    const m: Message = { id: messageId(createdAt), conversationId, seq, senderId, senderName, text: input.text, clientMsgId: input.clientMsgId, createdAt };
    this.db.prepare('INSERT INTO messages (id, conversation_id, seq, sender_id, text, client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(m.id, m.conversationId, m.seq, m.senderId, m.text, m.clientMsgId, m.createdAt);
    this.db.prepare('UPDATE members SET read_seq = ?, wrote = 1 WHERE conversation_id = ? AND user_id = ?').run(seq, conversationId, senderId);
    if (peer !== undefined) {
      // A member who muted the conversation gets the message over the socket only: no push.
      const muted = (this.db.prepare('SELECT muted FROM members WHERE conversation_id = ? AND user_id = ?').get(conversationId, peer) as { muted: number }).muted;
      if (muted === 0) this.queueMessagePush(peer, senderName, m);
      return { message: m, created: true, members: [senderId, peer] };
    }
    const receivers = this.db.prepare(`SELECT user_id FROM members WHERE conversation_id = ? AND user_id != ? AND muted = 0
      ORDER BY user_id LIMIT ?`).all(conversationId, senderId, FANOUT_INLINE_MAX + 1) as { user_id: string }[];
    if (receivers.length > FANOUT_INLINE_MAX) {
      // A large group: its pushes are a job committed with the message, written in slices once it is stored.
      this.db.prepare('INSERT INTO fanout_jobs (message_id, conversation_id, created_at) VALUES (?, ?, ?)').run(m.id, conversationId, m.createdAt);
      this.fanoutPending = true;
    } else {
      for (const receiver of receivers) this.queueMessagePush(receiver.user_id, senderName, m);
    }
    return { message: m, created: true };
  }

  /**
   * After the commit: the members' sockets get the message (but `origin`, the socket that sent it, which
   * gets the ack with the same message), and the outbox sends its pushes. `members` when the caller knows
   * them (a direct conversation's two), else they are read.
   */
  private publishMessage(message: Message, origin?: WebSocket, members?: string[]): void {
    this.hub.sendToUsers(members ?? this.members(message.conversationId), { type: 'message', message }, origin);
    this.outbox.kickIfQueued();
    if (this.fanoutPending) this.kickFanout();
  }

  /** Writes pending large-group pushes, a slice per turn of the event loop (also resumes after a restart). */
  kickFanout(): void {
    this.fanoutPending = false;
    if (this.fanoutRunning || this.stopped) return;
    this.fanoutRunning = true;
    setImmediate(() => this.fanoutSlice());
  }

  /** Resolves when no large-group push is left to write (tests, benchmarks). */
  async fanoutIdle(): Promise<void> {
    while (this.fanoutRunning) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  /**
   * One slice of the oldest job: members in user_id order for about FANOUT_SLICE_MS, in one transaction
   * that also moves the job's cursor, so a crash resumes after the last slice committed (the outbox's
   * unique (kind, ref_id, token) would absorb a repeat anyway). Then the event loop serves others.
   */
  private fanoutSlice(): void {
    if (this.stopped) {
      this.fanoutRunning = false;
      return;
    }
    let more = false;
    try {
      more = this.db.transaction((): boolean => {
        const job = this.db.prepare('SELECT message_id, conversation_id, after_user FROM fanout_jobs ORDER BY created_at, message_id LIMIT 1')
          .get() as { message_id: string; conversation_id: string; after_user: string } | undefined;
        if (!job) return false;
        const row = this.db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM ${MESSAGE_FROM} WHERE msg.id = ?`).get(job.message_id) as MessageRow | undefined;
        const page = this.db.prepare(`SELECT user_id FROM members WHERE conversation_id = ? AND user_id > ? AND user_id != ? AND muted = 0
          ORDER BY user_id LIMIT ?`);
        const deadline = performance.now() + FANOUT_SLICE_MS;
        let after = job.after_user;
        let done = row === undefined;
        const m = row === undefined ? undefined : toMessage(row);
        let late = false;
        while (!done && !late && m !== undefined) {
          const receivers = page.all(job.conversation_id, after, m.senderId, FANOUT_PAGE) as { user_id: string }[];
          // The deadline is checked per member: one member's push costs a few queries and a hash.
          for (const r of receivers) {
            this.queueMessagePush(r.user_id, m.senderName, m);
            after = r.user_id;
            if (performance.now() >= deadline) {
              late = true;
              break;
            }
          }
          done = !late && receivers.length < FANOUT_PAGE;
        }
        if (done) this.db.prepare('DELETE FROM fanout_jobs WHERE message_id = ?').run(job.message_id);
        else this.db.prepare('UPDATE fanout_jobs SET after_user = ? WHERE message_id = ?').run(after, job.message_id);
        return true;
      }).immediate();
      this.outbox.kickIfQueued();
    } catch (e) {
      // The job stays where its last slice left it; the retry timer (or the next large message) resumes it.
      this.log.error({ err: (e as Error).message }, 'group push fan-out failed; retrying shortly');
      this.fanoutRunning = false;
      setTimeout(() => this.kickFanout(), FANOUT_RETRY_MS).unref();
      return;
    }
    if (more) setImmediate(() => this.fanoutSlice());
    else this.fanoutRunning = false;
  }

  /**
   * The direct conversation `conversationId` of `a` and `b` and both memberships, if missing; true when
   * this call created it. Call inside a transaction.
   */
  private ensureDirect(conversationId: string, a: string, b: string): boolean {
    // Both memberships are written with the conversation, so an existing one needs nothing (the common case).
    if (this.db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(conversationId) !== undefined) return false;
    const created = this.db.prepare("INSERT OR IGNORE INTO conversations (id, kind, name, created_at) VALUES (?, 'direct', '', ?)")
      .run(conversationId, this.now()).changes > 0;
    const add = this.db.prepare('INSERT OR IGNORE INTO members (conversation_id, user_id) VALUES (?, ?)');
    add.run(conversationId, a);
    add.run(conversationId, b);
    return created;
  }

  /**
   * The direct conversation with `peerId`, created empty (no message) when there is none; `created` says
   * which. Opening it is a deliberate act, so a conversation this user hid is listed again. A conversation
   * this call creates is hidden for the peer at seq 0 (as if they had hidden it then): it joins their list
   * with its first message, so opening conversations cannot fill someone else's list.
   */
  openDirect(userId: string, peerId: string): { conversation: ConversationItem; created: boolean } {
    if (peerId === userId) throw new ApiError(400, 'you cannot open a conversation with yourself', 'body/userId');
    if (!this.userExists(peerId)) throw new ApiError(404, 'no such user');
    const conversationId = directConversationId(userId, peerId);
    const { created, unhid } = this.db.transaction(() => {
      const made = this.ensureDirect(conversationId, userId, peerId);
      if (made) this.db.prepare('UPDATE members SET hidden_seq = 0 WHERE conversation_id = ? AND user_id = ?').run(conversationId, peerId);
      // Only a mark still in force (no message since) hid it; a stale one is cleared quietly.
      const hidden = this.db.prepare(`SELECT 1 FROM members m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.conversation_id = ? AND m.user_id = ? AND m.hidden_seq IS NOT NULL AND c.last_seq <= m.hidden_seq`).get(conversationId, userId) !== undefined;
      this.db.prepare('UPDATE members SET hidden_seq = NULL WHERE conversation_id = ? AND user_id = ?').run(conversationId, userId);
      return { created: made, unhid: hidden };
    }).immediate();
    const conversation = this.getConversation(userId, conversationId);
    // The user's other devices took it off their list when it was hidden: tell them it is back.
    if (unhid) this.hub.send(userId, { type: 'conversationSettings', conversationId, pinned: conversation.pinned, muted: conversation.muted, hidden: false });
    return { conversation, created };
  }

  /** The devices to push to: none while any device is online ('allOffline'), or the offline ones ('anyOffline'). */
  private pushTargets(userId: string, policy: MultiDevicePolicy): DeviceRow[] {
    const online = this.hub.onlineDevices(userId);
    // Checked before the query: a receiver online under 'allOffline' is the common case of a live chat.
    if (policy === 'allOffline' && online.size > 0) return [];
    const devices = this.db.prepare('SELECT device_id, push_token, client_id FROM devices WHERE user_id = ?').all(userId) as DeviceRow[];
    return policy === 'allOffline' ? devices : devices.filter((d) => !online.has(d.device_id));
  }

  /**
   * Queues a push to `userId`'s devices that are offline under their policy, unless the user's
   * do-not-disturb window holds the service's clock now (messages, invitations and missed calls alike).
   * The payload is built per certificate (it decides category, VoIP and test mode); devices whose Client
   * ID has no certificate get nothing, and the log says why. Call inside the announcing transaction.
   */
  private pushTo(userId: string, kind: string, refId: string,
    build: (cert: Certificate, settings: Settings) => { pushType: number; body: Record<string, unknown> }): void {
    const settings = this.getSettings(userId);
    const devices = this.pushTargets(userId, settings.multiDevicePolicy);
    if (devices.length === 0 || inQuietHours(settings, this.now())) return;
    const byClient = new Map<string, OutboxTarget[]>();
    for (const d of devices) {
      const list = byClient.get(d.client_id) ?? [];
      list.push({ token: d.push_token, clientId: d.client_id });
      byClient.set(d.client_id, list);
    }
    for (const [clientId, targets] of byClient) {
      // A Client ID without an enabled certificate still gets its row: the outbox logs the refusal, so the
      // console's delivery log shows why the push did not go (and a certificate enabled meanwhile sends it).
      const cert = this.certificates.forPayload(clientId);
      const { pushType, body } = build(cert, settings);
      this.outbox.enqueue(kind, refId, userId, pushType, body, targets);
    }
  }

  private queueMessagePush(receiver: string, senderName: string, m: Message): void {
    let badge: number | undefined; // counted only for a receiver who gets a push
    this.pushTo(receiver, 'message', m.id, (cert, settings) => ({
      pushType: PUSH_TYPE_ALERT,
      body: fittedNotification({
        category: cert.category,
        title: senderName,
        body: settings.preview ? m.text : PREVIEW_OFF_BODY,
        action: cert.action,
        data: { route: 'chat', conversationId: m.conversationId, messageId: m.id },
        badge: (badge ??= Math.min(99, this.unreadTotal(receiver))),
        notifyId: notifyIdOf(m.conversationId),
        ttlSeconds: MESSAGE_TTL_SECONDS,
        testMessage: cert.testMessage,
        profileId: this.pushProfileId(receiver),
        // The open app shows the message itself (and may be showing that very chat): no system banner.
        foregroundShow: false,
      }),
    }));
  }

  /** The badge number: unread messages of the conversations the user has not muted. */
  private unreadTotal(userId: string): number {
    return (this.db.prepare(UNREAD_SQL.total).get(userId) as { n: number }).n;
  }

  /** Per conversation, muted ones included (flagged); `total`, the badge, counts the unmuted ones only. */
  unread(userId: string): { total: number; conversations: { conversationId: string; unread: number; muted: boolean }[] } {
    const rows = this.db.prepare(UNREAD_SQL.list).all(userId) as
      { conversationId: string; unread: number; muted: number }[];
    const conversations = rows.map((r) => ({ conversationId: r.conversationId, unread: r.unread, muted: r.muted === 1 }));
    return { total: conversations.reduce((n, r) => n + (r.muted ? 0 : r.unread), 0), conversations };
  }

  /** The user's conversations, except those hidden with no message since. */
  listConversations(userId: string): ConversationItem[] {
    const rows = this.db.prepare(CONVERSATION_LIST_SQL).all(userId) as ConversationRow[];
    return rows.map(toConversation);
  }

  /** One conversation as the list shows it, hidden or not; 404 alike for a stranger and a missing one. */
  getConversation(userId: string, conversationId: string): ConversationItem {
    const row = this.db.prepare(conversationQuery('c.id = ?')).get(userId, conversationId) as ConversationRow | undefined;
    if (!row) throw new ApiError(404, 'no such conversation');
    return toConversation(row);
  }

  /**
   * Newest first, before `beforeSeq` (exclusive), without what this user deleted. 404 for a conversation
   * the user is not in. One row more than the page says whether there is an older page: seqs have gaps
   * where the user deleted, so "oldest > 1" would not.
   */
  messages(userId: string, conversationId: string, beforeSeq: number | undefined, limit: number): { messages: Message[]; nextBefore: number | null } {
    if (!this.isMember(conversationId, userId)) throw new ApiError(404, 'no such conversation');
    const rows = this.db.prepare(PAGE_SQL.before).all(conversationId, beforeSeq ?? Number.MAX_SAFE_INTEGER, userId, limit + 1) as MessageRow[];
    const messages = rows.slice(0, limit).map(toMessage);
    return { messages, nextBefore: rows.length > limit ? messages[messages.length - 1].seq : null };
  }

  /**
   * Oldest first, after `afterSeq` (exclusive): what a client missed while its socket was down. Pass
   * `nextAfter` as `after` for the next page; null when the client has caught up.
   */
  messagesAfter(userId: string, conversationId: string, afterSeq: number, limit: number): { messages: Message[]; nextAfter: number | null } {
    if (!this.isMember(conversationId, userId)) throw new ApiError(404, 'no such conversation');
    const rows = this.db.prepare(PAGE_SQL.after).all(conversationId, afterSeq, userId, limit + 1) as MessageRow[];
    // As in messages(): the extra row, not last_seq, says whether more follow (the last ones may be deleted).
    const messages = rows.slice(0, limit).map(toMessage);
    return { messages, nextAfter: rows.length > limit ? messages[messages.length - 1].seq : null };
  }

  /**
   * "Delete for me": the message leaves this user's pages and list preview; other members keep it, and
   * unread counts and read marks do not move (they count seqs). Idempotent; 404 alike for a stranger and
   * a missing conversation, and for a seq that was never sent. The user's devices hear of it once.
   */
  deleteForMe(userId: string, conversationId: string, seq: number): void {
    if (!this.isMember(conversationId, userId)) throw new ApiError(404, 'no such conversation');
    if (this.db.prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND seq = ?').get(conversationId, seq) === undefined) {
      throw new ApiError(404, 'no such message');
    }
    const added = this.db.prepare('INSERT OR IGNORE INTO deleted_messages (user_id, conversation_id, seq) VALUES (?, ?, ?)')
      .run(userId, conversationId, seq).changes > 0;
    if (added) this.hub.send(userId, { type: 'messageDeleted', conversationId, seq });
  }

  markRead(userId: string, conversationId: string, upToSeq: number): { readSeq: number; unread: number } {
    if (!this.isMember(conversationId, userId)) throw new ApiError(404, 'no such conversation');
    this.db.prepare(`UPDATE members SET read_seq = MAX(read_seq, MIN(?, (SELECT last_seq FROM conversations WHERE id = ?)))
      WHERE conversation_id = ? AND user_id = ?`).run(upToSeq, conversationId, conversationId, userId);
    const readSeq = (this.db.prepare('SELECT read_seq FROM members WHERE conversation_id = ? AND user_id = ?').get(conversationId, userId) as { read_seq: number }).read_seq;
    const unread = this.unreadTotal(userId);
    this.hub.sendToUsers(this.members(conversationId), { type: 'read', conversationId, userId, readSeq });
    return { readSeq, unread };
  }

  /**
   * Changes what `userId` set for a conversation (404 for one the user is not in). Hiding records the
   * conversation's last seq, so the next message lists it again, and reads it up to there: a dismissed
   * conversation has nothing unread. Unhiding forgets the mark. Idempotent; the user's devices are told.
   */
  putConversationSettings(userId: string, conversationId: string, patch: { pinned?: boolean; muted?: boolean; hidden?: boolean }): ConversationSettings {
    if (!this.isMember(conversationId, userId)) throw new ApiError(404, 'no such conversation');
    const { settings, readMoved, readSeq } = this.db.transaction(() => {
      const before = this.db.prepare('SELECT read_seq FROM members WHERE conversation_id = ? AND user_id = ?').get(conversationId, userId) as { read_seq: number };
      const flag = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);
      this.db.prepare('UPDATE members SET pinned = COALESCE(?, pinned), muted = COALESCE(?, muted) WHERE conversation_id = ? AND user_id = ?')
        .run(flag(patch.pinned), flag(patch.muted), conversationId, userId);
      if (patch.hidden === true) {
        this.db.prepare(`UPDATE members SET hidden_seq = (SELECT last_seq FROM conversations WHERE id = ?),
          read_seq = MAX(read_seq, (SELECT last_seq FROM conversations WHERE id = ?)) WHERE conversation_id = ? AND user_id = ?`)
          .run(conversationId, conversationId, conversationId, userId);
      } else if (patch.hidden === false) {
        this.db.prepare('UPDATE members SET hidden_seq = NULL WHERE conversation_id = ? AND user_id = ?').run(conversationId, userId);
      }
      const row = this.db.prepare(`SELECT m.pinned, m.muted, m.read_seq, m.hidden_seq IS NOT NULL AND c.last_seq <= m.hidden_seq AS hidden
        FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.conversation_id = ? AND m.user_id = ?`).get(conversationId, userId) as
        { pinned: number; muted: number; read_seq: number; hidden: number };
      return {
        settings: { conversationId, pinned: row.pinned === 1, muted: row.muted === 1, hidden: row.hidden === 1 },
        readMoved: row.read_seq > before.read_seq,
        readSeq: row.read_seq,
      };
    }).immediate();
    // Hiding read the conversation: members hear it as they hear POST /conversations/:id/read.
    if (readMoved) this.hub.sendToUsers(this.members(conversationId), { type: 'read', conversationId, userId, readSeq });
    this.hub.send(userId, { type: 'conversationSettings', ...settings });
    return settings;
  }

  /**
   * Who sees `userId`'s presence: the other side of a direct conversation in which both have written.
   * One unanswered message (spam) does not let its sender watch when someone is online.
   */
  contacts(userId: string): string[] {
    return (this.db.prepare(`SELECT DISTINCT o.user_id FROM members m JOIN members o ON o.conversation_id = m.conversation_id
      JOIN conversations c ON c.id = m.conversation_id
      WHERE m.user_id = ? AND o.user_id != ? AND c.kind = 'direct' AND m.wrote = 1 AND o.wrote = 1`).all(userId, userId) as
      { user_id: string }[]).map((r) => r.user_id);
  }

  // ---- calls --------------------------------------------------------------------------------------

  /**
   * A new call. When the caller or the callee is already in a ringing or accepted call it is stored as
   * `busy` at once: no ringing, no push, and only the caller's devices hear of it. createdAt is dated after
   * both users' latest call, so it is unique among each user's calls and can be the history's cursor.
   */
  invite(callerId: string, calleeId: string, media: 'audio' | 'video'): Call {
    if (calleeId === callerId) throw new ApiError(400, 'body/to cannot be yourself');
    if (!this.userExists(calleeId)) throw new ApiError(404, 'no such user');
    // An invitation past its expiry that the sweeper has not reached yet must not make anyone busy.
    this.sweepCalls();
    const callerName = this.displayName(callerId);
    const call = this.db.transaction((): Call => {
      const latest = (this.db.prepare(LATEST_CALL_SQL).get(callerId, callerId, calleeId, calleeId) as { t: number }).t;
      const createdAt = Math.max(this.now(), latest + 1);
      const busy = this.db.prepare(LIVE_CALL_SQL).get(callerId, calleeId, callerId, calleeId) !== undefined;
      const insert = this.db.prepare(`INSERT INTO calls (id, caller_id, callee_id, media, state, created_at, expires_at, ended_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`);
      const callId = randomId('c_');
      if (busy) return toCall(insert.get(callId, callerId, calleeId, media, 'busy', createdAt, createdAt, createdAt) as CallRow);
      const ringing = toCall(insert.get(callId, callerId, calleeId, media, 'ringing', createdAt, createdAt + this.config.callTimeoutMs, null) as CallRow);
      const ttlSeconds = Math.max(30, Math.min(60, Math.ceil(this.config.callTimeoutMs / 1000)));
      this.pushTo(calleeId, 'call', callId, (cert) => {
        if (cert.voip) {
          const extra = { route: 'call', callId, callerId, callerName, media, expiresAt: ringing.expiresAt };
          return { pushType: PUSH_TYPE_VOIP, body: voipBody(extra, ttlSeconds, cert.testMessage) };
        }
        return {
          pushType: PUSH_TYPE_ALERT,
          body: fittedNotification({
            category: cert.category, title: callerName, body: media === 'video' ? 'Incoming video call' : 'Incoming call',
            action: 'action.pushuikit.call', data: { route: 'call', callId }, notifyId: notifyIdOf(callId),
            ttlSeconds, testMessage: cert.testMessage, profileId: this.pushProfileId(calleeId),
          }),
        };
      });
      return ringing;
    }).immediate();
    if (call.state === 'busy') {
      this.log.info({ callId: call.callId, callerId, calleeId }, 'call is busy: the caller or the callee is in another call');
      this.hub.send(callerId, { type: 'call', call });
      return call;
    }
    this.hub.send(calleeId, { type: 'call', call });
    this.hub.send(callerId, { type: 'call', call });
    this.outbox.kickIfQueued();
    return call;
  }

  /** 404 alike for a stranger, a missing call, and a busy call asked for by its callee (who never heard of it). */
  getCall(userId: string, callId: string): Call {
    const row = this.db.prepare('SELECT * FROM calls WHERE id = ?').get(callId) as CallRow | undefined;
    const visible = row !== undefined && (row.caller_id === userId || (row.callee_id === userId && row.state !== 'busy'));
    if (!visible) throw new ApiError(404, 'no such call');
    return toCall(row);
  }

  /** accept/reject by the callee, cancel by the caller, while it rings. */
  answer(userId: string, callId: string, action: 'accept' | 'reject' | 'cancel'): Call {
    // An invitation past its expiry is missed, even if the sweeper has not reached it yet.
    this.sweepCalls();
    const call = this.getCall(userId, callId);
    const allowed = action === 'cancel' ? call.callerId === userId : call.calleeId === userId;
    if (!allowed) throw new ApiError(403, action === 'cancel' ? 'only the caller can cancel' : 'only the callee can answer');
    const state: CallState = action === 'accept' ? 'accepted' : action === 'reject' ? 'rejected' : 'cancelled';
    return this.transition(call, 'ringing', state, action === 'accept' ? null : userId);
  }

  /** Ends an accepted call, by either side; 409 in any other state. */
  hangup(userId: string, callId: string): Call {
    return this.transition(this.getCall(userId, callId), 'accepted', 'ended', userId);
  }

  /**
   * Moves a call from `from` to `state` if it is still in `from` (409 otherwise), stamping answeredAt
   * (accepted) or endedAt and endedBy (a final state); both users' devices hear of it. Missed and
   * cancelled calls announce a missed call to the callee; nothing else pushes.
   */
  private transition(call: Call, from: 'ringing' | 'accepted', state: CallState, by: string | null): Call {
    const row = this.db.transaction((): CallRow | undefined => {
      const now = this.now();
      const final = state !== 'accepted';
      const changed = this.db.prepare(`UPDATE calls SET state = ?, answered_at = COALESCE(answered_at, ?), ended_at = ?, ended_by = ?
        WHERE id = ? AND state = ? RETURNING *`).get(state, final ? null : now, final ? now : null, by, call.callId, from) as CallRow | undefined;
      if (changed && (state === 'missed' || state === 'cancelled')) this.queueMissedCall(call);
      return changed;
    }).immediate();
    if (!row) {
      if (from === 'accepted') throw new ApiError(409, 'call is not active');
      throw new ApiError(409, `the call is not ringing any more (${this.getCall(call.callerId, call.callId).state})`);
    }
    const updated = toCall(row);
    this.hub.send(call.calleeId, { type: 'call', call: updated });
    this.hub.send(call.callerId, { type: 'call', call: updated });
    this.outbox.kickIfQueued();
    return updated;
  }

  private queueMissedCall(call: Call): void {
    const callerName = this.displayName(call.callerId);
    this.pushTo(call.calleeId, 'missedCall', call.callId, (cert) => ({
      pushType: PUSH_TYPE_ALERT,
      body: fittedNotification({
        category: 'MISS_CALL', title: callerName, body: call.media === 'video' ? 'Missed video call' : 'Missed call',
        action: 'action.pushuikit.call', data: { route: 'missedCall', callId: call.callId, peerId: call.callerId },
        notifyId: notifyIdOf(call.callId), ttlSeconds: MESSAGE_TTL_SECONDS, testMessage: cert.testMessage,
        profileId: this.pushProfileId(call.calleeId),
      }),
    }));
  }

  /**
   * The user's calls, newest first, created before `before` (exclusive): outgoing ones (busy included) and
   * incoming ones (busy excluded). Pass `nextBefore` as `before` for the next page; null at the end.
   */
  callHistory(userId: string, before: number | undefined, limit: number): { calls: CallHistoryItem[]; nextBefore: number | null } {
    const cursor = before ?? Number.MAX_SAFE_INTEGER;
    const rows = this.db.prepare(CALL_HISTORY_SQL).all(userId, cursor, userId, cursor, limit + 1) as CallRow[];
    const calls = rows.slice(0, limit).map((r) => toHistoryItem(r, userId));
    return { calls, nextBefore: rows.length > limit ? calls[calls.length - 1].createdAt : null };
  }

  /** How many of the user's incoming missed calls are not marked seen. */
  unseenMissedCalls(userId: string): number {
    return (this.db.prepare(UNSEEN_SQL.count).get(userId) as { n: number }).n;
  }

  /**
   * Marks the user's incoming missed calls created at or before `upTo` seen. Marks are never taken back, so
   * an older `upTo` changes nothing. The user's devices hear the new count when something changed.
   */
  markCallsSeen(userId: string, upTo: number): { unseenMissed: number } {
    const changed = this.db.prepare(UNSEEN_SQL.mark).run(userId, upTo).changes;
    const unseenMissed = this.unseenMissedCalls(userId);
    if (changed > 0) this.hub.send(userId, { type: 'callsSeen', unseenMissed });
    return { unseenMissed };
  }

  /** Times out unanswered invitations (also those a restart interrupted). */
  sweepCalls(): number {
    const due = this.db.prepare("SELECT * FROM calls WHERE state = 'ringing' AND expires_at <= ?").all(this.now()) as CallRow[];
    for (const row of due) {
      try {
        this.transition(toCall(row), 'ringing', 'missed', null);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e; // answered meanwhile
      }
    }
    return due.length;
  }

  startCallSweeper(periodMs = 250): void {
    this.sweeper = setInterval(() => {
      try {
        this.sweepCalls();
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'call sweep failed');
      }
    }, periodMs);
    this.sweeper.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
