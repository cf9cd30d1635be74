// What the console shows of chat users: found by id prefix or name, with their devices, unread total and
// the settings that decide whether they get pushes.
import type { Db } from '../db.js';
import type { Hub } from '../hub.js';
import type { ImService, Settings } from '../service.js';
import type { CertificateStore } from '../push/certificates.js';
import { ApiError } from '../service.js';

export interface UserHit { userId: string; displayName: string; devices: number; online: boolean }

export interface DeviceInfo {
  deviceId: string;
  clientId: string;
  /** Enough to tell tokens apart, never enough to push with. */
  tokenPrefix: string;
  boundAt: number;
  lastOnlineAt: number | null;
  online: boolean;
  certificate: { name: string; enabled: boolean } | null;
}

export interface UserDetail {
  userId: string;
  displayName: string;
  createdAt: number;
  online: boolean;
  unread: number;
  unseenMissedCalls: number;
  multiDevicePolicy: Settings['multiDevicePolicy'];
  dnd: { on: boolean; start: number; end: number; timeZone: string };
  preview: boolean;
  devices: DeviceInfo[];
}

export const TOKEN_PREFIX_CHARS = 8;

/** LIKE with the user's text taken literally ("_" and "%" are characters, not wildcards). */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class Directory {
  constructor(private readonly db: Db, private readonly hub: Hub, private readonly service: ImService,
    private readonly certificates: CertificateStore) {}

  search(query: string, limit: number): UserHit[] {
    const q = likeEscape(query.toLowerCase());
    const rows = this.db.prepare(`SELECT u.id, u.display_name, (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id) AS devices
      FROM users u WHERE lower(u.id) LIKE ? ESCAPE '\\' OR lower(u.display_name) LIKE ? ESCAPE '\\'
      ORDER BY (lower(u.id) LIKE ? ESCAPE '\\') DESC, u.id LIMIT ?`).all(`${q}%`, `%${q}%`, `${q}%`, limit) as
      { id: string; display_name: string; devices: number }[];
    return rows.map((r) => ({ userId: r.id, displayName: r.display_name, devices: r.devices, online: this.hub.isOnline(r.id) }));
  }

  user(userId: string): UserDetail {
    const row = this.db.prepare('SELECT id, display_name, created_at FROM users WHERE id = ?').get(userId) as
      { id: string; display_name: string; created_at: number } | undefined;
    if (!row) throw new ApiError(404, 'no such user');
    const settings = this.service.getSettings(userId);
    return {
      userId, displayName: row.display_name, createdAt: row.created_at, online: this.hub.isOnline(userId),
      unread: this.service.unread(userId).total, unseenMissedCalls: this.service.unseenMissedCalls(userId),
      multiDevicePolicy: settings.multiDevicePolicy,
      dnd: { on: settings.dnd, start: settings.dndStart, end: settings.dndEnd, timeZone: settings.timeZone },
      preview: settings.preview, devices: this.devices(userId),
    };
  }

  devices(userId: string, deviceId?: string): DeviceInfo[] {
    const online = this.hub.onlineDevices(userId);
    const rows = this.db.prepare(`SELECT device_id, client_id, push_token, updated_at, last_online_at FROM devices
      WHERE user_id = ? AND (? IS NULL OR device_id = ?) ORDER BY updated_at DESC`).all(userId, deviceId ?? null, deviceId ?? null) as
      { device_id: string; client_id: string; push_token: string; updated_at: number; last_online_at: number | null }[];
    const certs = new Map(this.certificates.list().map((c) => [c.name, c]));
    return rows.map((r) => {
      const cert = certs.get(r.client_id);
      return {
        deviceId: r.device_id, clientId: r.client_id, tokenPrefix: `${r.push_token.slice(0, TOKEN_PREFIX_CHARS)}…`, boundAt: r.updated_at,
        lastOnlineAt: r.last_online_at, online: online.has(r.device_id),
        certificate: cert ? { name: cert.name, enabled: cert.enabled } : null,
      };
    });
  }

  /** The push tokens of a user's devices (or one device), grouped by Client ID, for a test push. */
  tokens(userId: string, deviceId?: string): Map<string, { deviceIds: string[]; tokens: string[] }> {
    const rows = this.db.prepare(`SELECT device_id, client_id, push_token FROM devices WHERE user_id = ? AND (? IS NULL OR device_id = ?)
      ORDER BY device_id`).all(userId, deviceId ?? null, deviceId ?? null) as { device_id: string; client_id: string; push_token: string }[];
    const groups = new Map<string, { deviceIds: string[]; tokens: string[] }>();
    for (const r of rows) {
      const g = groups.get(r.client_id) ?? { deviceIds: [], tokens: [] };
      g.deviceIds.push(r.device_id);
      g.tokens.push(r.push_token);
      groups.set(r.client_id, g);
    }
    return groups;
  }
}
