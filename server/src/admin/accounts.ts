// Console administrators and their sessions: separate from chat users (a chat session never opens the
// console). Passwords are scrypt hashes (auth.ts Passwords); a session is a random token in an HttpOnly
// cookie, kept in the database only as its SHA-256, with its own CSRF token and an expiry.
import crypto from 'node:crypto';
import type { Db } from '../db.js';
import type { Passwords } from '../auth.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth.js';

export const ADMIN_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
const ADMIN_NAME = new RegExp(ADMIN_NAME_PATTERN);
/** Sessions per administrator: signing in once more ends the oldest. */
const MAX_SESSIONS = 10;

export class AdminError extends Error {}

export interface AdminSession {
  name: string;
  csrfToken: string;
  expiresAt: number;
}

const hashOf = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

/** The rules a new password follows, as a sentence for the command line; undefined when it is fine. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `the password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if ([...password].length > MAX_PASSWORD_LENGTH) return `the password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

export class Admins {
  constructor(private readonly db: Db, private readonly passwords: Passwords, private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now) {}

  /** Throws when `name` is badly formed or taken: create() checks it first, the CLI before asking for a password. */
  checkNewName(name: string): void {
    if (!ADMIN_NAME.test(name)) throw new AdminError(`the name must be 1-64 letters, digits, "_", "." or "-"`);
    if (this.db.prepare('SELECT 1 FROM admins WHERE name = ?').get(name)) throw new AdminError(`an administrator named ${name} already exists`);
  }

  /** Throws when there is no administrator `name`: setPassword() checks it first, the CLI before asking for one. */
  checkExists(name: string): void {
    if (!this.db.prepare('SELECT 1 FROM admins WHERE name = ?').get(name)) throw new AdminError(`no administrator named ${name}`);
  }

  async create(name: string, password: string): Promise<void> {
    this.checkNewName(name);
    const problem = passwordProblem(password);
    if (problem) throw new AdminError(problem);
    const hash = await this.passwords.hash(password);
    const added = this.db.prepare('INSERT OR IGNORE INTO admins (name, password_hash, created_at) VALUES (?, ?, ?)').run(name, hash, this.now()).changes;
    if (added === 0) throw new AdminError(`an administrator named ${name} already exists`); // taken meanwhile
  }

  /** A new password ends every session of that administrator. */
  async setPassword(name: string, password: string): Promise<void> {
    this.checkExists(name);
    const problem = passwordProblem(password);
    if (problem) throw new AdminError(problem);
    const hash = await this.passwords.hash(password);
    const changed = this.db.transaction(() => {
      const n = this.db.prepare('UPDATE admins SET password_hash = ? WHERE name = ?').run(hash, name).changes;
      this.db.prepare('DELETE FROM admin_sessions WHERE admin_name = ?').run(name);
      return n;
    }).immediate();
    if (changed === 0) throw new AdminError(`no administrator named ${name}`); // deleted meanwhile
  }

  remove(name: string): void {
    if (this.db.prepare('DELETE FROM admins WHERE name = ?').run(name).changes === 0) throw new AdminError(`no administrator named ${name}`);
  }

  list(): { name: string; createdAt: number }[] {
    return (this.db.prepare('SELECT name, created_at FROM admins ORDER BY name').all() as { name: string; created_at: number }[])
      .map((r) => ({ name: r.name, createdAt: r.created_at }));
  }

  /** The session token for the cookie, or undefined for a wrong name or password (the same work for both). */
  async signIn(name: string, password: string): Promise<(AdminSession & { token: string }) | undefined> {
    const row = this.db.prepare('SELECT password_hash FROM admins WHERE name = ?').get(name) as { password_hash: string } | undefined;
    if (!await this.passwords.verify(password, row?.password_hash)) return undefined;
    const token = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(24).toString('base64url');
    const now = this.now();
    const expiresAt = now + this.ttlSeconds * 1000;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now);
      this.db.prepare(`DELETE FROM admin_sessions WHERE token_hash IN (SELECT token_hash FROM admin_sessions WHERE admin_name = ?
        ORDER BY created_at DESC LIMIT -1 OFFSET ?)`).run(name, MAX_SESSIONS - 1);
      this.db.prepare('INSERT INTO admin_sessions (token_hash, admin_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(hashOf(token), name, csrfToken, now, expiresAt);
    }).immediate();
    return { token, name, csrfToken, expiresAt };
  }

  session(token: string | undefined): AdminSession | undefined {
    if (!token || token.length > 128) return undefined;
    const row = this.db.prepare('SELECT admin_name, csrf_token, expires_at FROM admin_sessions WHERE token_hash = ? AND expires_at > ?')
      .get(hashOf(token), this.now()) as { admin_name: string; csrf_token: string; expires_at: number } | undefined;
    return row ? { name: row.admin_name, csrfToken: row.csrf_token, expiresAt: row.expires_at } : undefined;
  }

  signOut(token: string): void {
    this.db.prepare('DELETE FROM admin_sessions WHERE token_hash = ?').run(hashOf(token));
  }
}

/** Compares a CSRF header with the session's token without telling how much of it matched. */
export function csrfMatches(header: unknown, expected: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
