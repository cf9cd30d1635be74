// Do-not-disturb: a daily quiet window in the user's own time zone. Pure functions of the settings and a
// time, so the edges (window ends, midnight, DST days, half-hour zones) are tested without a server.

export const MINUTES_PER_DAY = 24 * 60;
/** 22:00 to 07:00, in minutes after local midnight. */
export const DEFAULT_DND_START = 22 * 60;
export const DEFAULT_DND_END = 7 * 60;
export const DEFAULT_TIME_ZONE = 'UTC';
export const MAX_TIME_ZONE_LENGTH = 64;

/** What the decision reads from a user's settings. */
export interface QuietHours {
  dnd: boolean;
  /** Minutes after local midnight, 0..1439: the window is [dndStart, dndEnd), wrapping midnight when start > end. */
  dndStart: number;
  dndEnd: number;
  /** An IANA zone name accepted by isTimeZone. */
  timeZone: string;
}

/**
 * Region/City names only (`Asia/Shanghai`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`, `UTC`): an offset
 * such as `+05:30` is refused even where Intl would take it, so what is stored is a zone whose rules (DST)
 * the server follows, and one spelling that every client can read back.
 */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * One formatter per zone: building one costs far more than using it. Keyed by the lowercased name, since
 * Intl reads zone names case-insensitively: so the cache holds at most one entry per zone of the tz
 * database, whatever spellings clients send (only names Intl accepted are ever stored).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  const key = timeZone.toLowerCase();
  let f = formatters.get(key);
  if (f === undefined) {
    // h23: midnight is hour 0 (en-US with hour12 would say 12, and some engines 24).
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });
    formatters.set(key, f);
  }
  return f;
}

/**
 * Whether Intl knows this zone (its tz database, aliases such as `Asia/Kolkata` included). Not
 * `Intl.supportedValuesOf('timeZone')`: it lists ICU's canonical names only (`Asia/Calcutta`, `Europe/Kiev`),
 * so it would refuse the current names that devices report.
 */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > MAX_TIME_ZONE_LENGTH || !ZONE_NAME.test(name)) return false;
  try {
    formatterOf(name);
    return true;
  } catch {
    return false; // RangeError: not a zone Intl knows (Mars/Base)
  }
}

/** Minutes after local midnight in `timeZone` at `nowMs`, from the zone's rules at that instant (DST included). */
export function localMinutes(timeZone: string, nowMs: number): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatterOf(timeZone).formatToParts(nowMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return (hour % 24) * 60 + minute;
}

/** Whether `minutes` (after local midnight) falls in [start, end); start > end wraps midnight; start == end is all day. */
export function inWindow(minutes: number, start: number, end: number): boolean {
  if (start === end) return true;
  if (start < end) return minutes >= start && minutes < end;
  return minutes >= start || minutes < end;
}

/** True when do-not-disturb is on and the user's local wall-clock time at `nowMs` is inside the window. */
export function inQuietHours(settings: QuietHours, nowMs: number): boolean {
  if (!settings.dnd) return false;
  let minutes: number;
  try {
    minutes = localMinutes(settings.timeZone, nowMs);
  } catch {
    // Only a zone a later tz database dropped could get here (names are checked when set): reading it as
    // UTC keeps pushes flowing rather than failing the message that asked for one.
    minutes = localMinutes(DEFAULT_TIME_ZONE, nowMs);
  }
  return inWindow(minutes, settings.dndStart, settings.dndEnd);
}
