// Push Kit v3 request bodies for the click-routing contract of shared/DESIGN.md, within Push Kit's limits.
import crypto from 'node:crypto';

export const PUSH_TYPE_ALERT = 0;
export const PUSH_TYPE_VOIP = 10;
/** The body, without the tokens, may not exceed this (Push Kit answers 80300008 otherwise). */
export const MAX_BODY_BYTES = 4096;
export const MAX_TOKENS = 1000;
export const MAX_TEST_TOKENS = 10;
const ELLIPSIS = '…';

export interface NotificationSpec {
  category: string;
  title: string;
  body: string;
  action: string;
  data: Record<string, string>;
  badge?: number;
  notifyId: number;
  ttlSeconds: number;
  testMessage: boolean;
  /** The receiver's push profile id: the device shows the notification only while that account is bound. */
  profileId: string;
  /**
   * false: an app in the foreground shows no banner and gets the message through receiveMessage('DEFAULT')
   * (API 14+) instead. Default (absent): shown in the foreground too.
   */
  foregroundShow?: boolean;
}

/** A notification body without `target` (tokens are added per request). */
export function notificationBody(spec: NotificationSpec): Record<string, unknown> {
  const notification: Record<string, unknown> = {
    category: spec.category,
    title: spec.title,
    body: spec.body,
    clickAction: { actionType: 1, action: spec.action, data: spec.data },
    notifyId: spec.notifyId,
    profileId: spec.profileId,
  };
  if (spec.foregroundShow === false) notification.foregroundShow = false;
  if (spec.badge !== undefined) notification.badge = { setNum: Math.max(0, Math.min(99, Math.floor(spec.badge))) };
  return {
    payload: { notification },
    pushOptions: { ttl: spec.ttlSeconds, ...(spec.testMessage ? { testMessage: true } : {}) },
  };
}

export function voipBody(extraData: Record<string, unknown>, ttlSeconds: number, testMessage: boolean): Record<string, unknown> {
  return {
    payload: { extraData: JSON.stringify(extraData) },
    pushOptions: { ttl: ttlSeconds, ...(testMessage ? { testMessage: true } : {}) },
  };
}

/** The size Push Kit limits: the whole request body except the tokens themselves. */
export function bodyBytes(body: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify({ ...body, target: { token: [] } }), 'utf8');
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, cut between characters, never inside one. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) { // iterates code points, so surrogate pairs stay whole
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/**
 * Builds the notification with its body text cut (with an ellipsis) so that the whole request body,
 * as JSON, fits MAX_BODY_BYTES. Escaping is accounted for by measuring the serialized body.
 */
export function fittedNotification(spec: NotificationSpec): Record<string, unknown> {
  let body = notificationBody(spec);
  let over = bodyBytes(body) - MAX_BODY_BYTES;
  let text = spec.body;
  while (over > 0 && text.length > 0) {
    const keep = Math.max(0, Buffer.byteLength(text, 'utf8') - over - Buffer.byteLength(ELLIPSIS, 'utf8'));
    text = truncateUtf8(text, keep);
    body = notificationBody({ ...spec, body: text + ELLIPSIS });
    over = bodyBytes(body) - MAX_BODY_BYTES;
    if (over > 0 && keep === 0) break;
  }
  return body;
}

/** A stable notifyId per conversation (Push Kit: 0..2147483647): a new message replaces the old one. */
export function notifyIdOf(key: string): number {
  return crypto.createHash('sha256').update(key).digest().readUInt32BE(0) & 0x7fffffff;
}
