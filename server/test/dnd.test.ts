// The do-not-disturb window as a pure function: its edges (start inclusive, end exclusive), a window that
// wraps midnight, an all-day window, local time across DST changes and in zones with 30/45-minute offsets,
// and which zone names are accepted. Instants are written in UTC (`Z`) so each case says what the local
// clock reads there.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DND_END, DEFAULT_DND_START, inQuietHours, inWindow, isTimeZone, localMinutes } from '../src/dnd.js';
import type { QuietHours } from '../src/dnd.js';

const at = (iso: string) => Date.parse(iso);
const hm = (h: number, m: number) => h * 60 + m;
const on = (dndStart: number, dndEnd: number, timeZone = 'UTC'): QuietHours => ({ dnd: true, dndStart, dndEnd, timeZone });

describe('inQuietHours', () => {
  test('the defaults are 22:00 to 07:00', () => {
    assert.equal(DEFAULT_DND_START, hm(22, 0));
    assert.equal(DEFAULT_DND_END, hm(7, 0));
  });

  test('a window within one day: start inclusive, end exclusive, to the millisecond', () => {
    const office = on(hm(9, 0), hm(17, 0));
    assert.equal(inQuietHours(office, at('2024-06-03T08:59:59.999Z')), false, 'just before the start');
    assert.equal(inQuietHours(office, at('2024-06-03T09:00:00.000Z')), true, 'the start itself');
    assert.equal(inQuietHours(office, at('2024-06-03T12:00:00Z')), true);
    assert.equal(inQuietHours(office, at('2024-06-03T16:59:59.999Z')), true, 'the last moment inside');
    assert.equal(inQuietHours(office, at('2024-06-03T17:00:00.000Z')), false, 'the end itself is outside');
    assert.equal(inQuietHours(office, at('2024-06-03T23:30:00Z')), false);
  });

  test('a window that wraps midnight covers start..24:00 and 00:00..end', () => {
    const night = on(hm(22, 0), hm(7, 0));
    assert.equal(inQuietHours(night, at('2024-06-03T21:59:59Z')), false);
    assert.equal(inQuietHours(night, at('2024-06-03T22:00:00Z')), true);
    assert.equal(inQuietHours(night, at('2024-06-03T23:59:59Z')), true);
    assert.equal(inQuietHours(night, at('2024-06-04T00:00:00Z')), true, 'midnight');
    assert.equal(inQuietHours(night, at('2024-06-04T06:59:59Z')), true);
    assert.equal(inQuietHours(night, at('2024-06-04T07:00:00Z')), false);
    assert.equal(inQuietHours(night, at('2024-06-04T12:00:00Z')), false, 'midday, between end and start');
  });

  test('the extreme minutes: 0 and 1439', () => {
    assert.equal(inQuietHours(on(0, 1), at('2024-06-03T00:00:30Z')), true);
    assert.equal(inQuietHours(on(0, 1), at('2024-06-03T00:01:00Z')), false);
    assert.equal(inQuietHours(on(1439, 0), at('2024-06-03T23:59:00Z')), true, '23:59..24:00');
    assert.equal(inQuietHours(on(1439, 0), at('2024-06-03T00:00:00Z')), false);
    assert.equal(inQuietHours(on(1439, 1), at('2024-06-03T00:00:00Z')), true, 'wrapping by two minutes');
    assert.equal(inQuietHours(on(1, 1439), at('2024-06-03T23:59:00Z')), false);
  });

  test('start == end is all day', () => {
    for (const minute of [0, hm(7, 0), 1439]) {
      for (const iso of ['2024-06-03T00:00:00Z', '2024-06-03T07:00:00Z', '2024-06-03T13:37:00Z', '2024-06-03T23:59:59Z']) {
        assert.equal(inQuietHours(on(minute, minute), at(iso)), true, `${minute}..${minute} at ${iso}`);
      }
    }
  });

  test('with dnd off nothing is quiet, an all-day window included', () => {
    for (const iso of ['2024-06-03T00:00:00Z', '2024-06-03T23:00:00Z']) {
      assert.equal(inQuietHours({ ...on(0, 0), dnd: false }, at(iso)), false);
      assert.equal(inQuietHours({ ...on(hm(22, 0), hm(7, 0)), dnd: false }, at(iso)), false);
    }
  });

  test('the window is in the user\'s zone, not the server\'s', () => {
    // 14:00 UTC is 22:00 in Shanghai (UTC+8, no DST).
    const shanghai = on(hm(22, 0), hm(7, 0), 'Asia/Shanghai');
    assert.equal(inQuietHours(shanghai, at('2024-06-03T13:59:00Z')), false);
    assert.equal(inQuietHours(shanghai, at('2024-06-03T14:00:00Z')), true);
    assert.equal(inQuietHours(shanghai, at('2024-06-03T22:59:00Z')), true, '06:59 the next morning');
    assert.equal(inQuietHours(shanghai, at('2024-06-03T23:00:00Z')), false, '07:00 the next morning');
    // West of Greenwich: 22:00 in New York (EDT, UTC-4) is 02:00 UTC the next day.
    const newYork = on(hm(22, 0), hm(7, 0), 'America/New_York');
    assert.equal(inQuietHours(newYork, at('2024-06-04T01:59:00Z')), false);
    assert.equal(inQuietHours(newYork, at('2024-06-04T02:00:00Z')), true);
  });

  test('half-hour and 45-minute offsets: Asia/Kolkata (UTC+5:30), Asia/Kathmandu (UTC+5:45)', () => {
    const kolkata = on(hm(22, 0), hm(7, 0), 'Asia/Kolkata');
    assert.equal(inQuietHours(kolkata, at('2024-06-03T16:29:00Z')), false, '21:59 in Kolkata');
    assert.equal(inQuietHours(kolkata, at('2024-06-03T16:30:00Z')), true, '22:00 in Kolkata');
    assert.equal(inQuietHours(kolkata, at('2024-06-04T01:29:00Z')), true, '06:59 in Kolkata');
    assert.equal(inQuietHours(kolkata, at('2024-06-04T01:30:00Z')), false, '07:00 in Kolkata');
    const kathmandu = on(hm(22, 0), hm(7, 0), 'Asia/Kathmandu');
    assert.equal(inQuietHours(kathmandu, at('2024-06-03T16:14:00Z')), false, '21:59 in Kathmandu');
    assert.equal(inQuietHours(kathmandu, at('2024-06-03T16:15:00Z')), true, '22:00 in Kathmandu');
    assert.equal(inQuietHours(kathmandu, at('2024-06-04T01:14:00Z')), true, '06:59 in Kathmandu');
    assert.equal(inQuietHours(kathmandu, at('2024-06-04T01:15:00Z')), false, '07:00 in Kathmandu');
  });

  test('Europe/Berlin on the day clocks go forward (31 March 2024, 02:00 CET becomes 03:00 CEST)', () => {
    assert.equal(localMinutes('Europe/Berlin', at('2024-03-31T00:59:00Z')), hm(1, 59), 'still CET (UTC+1)');
    assert.equal(localMinutes('Europe/Berlin', at('2024-03-31T01:00:00Z')), hm(3, 0), 'CEST (UTC+2) from here');
    const night = on(hm(22, 0), hm(7, 0), 'Europe/Berlin');
    // 05:00 UTC is 07:00 CEST: the window is over, though a fixed winter offset would say 06:00.
    assert.equal(inQuietHours(night, at('2024-03-31T04:59:00Z')), true, '06:59 CEST');
    assert.equal(inQuietHours(night, at('2024-03-31T05:00:00Z')), false, '07:00 CEST');
    // The day before, on winter time, 07:00 is 06:00 UTC.
    assert.equal(inQuietHours(night, at('2024-03-30T05:59:00Z')), true, '06:59 CET');
    assert.equal(inQuietHours(night, at('2024-03-30T06:00:00Z')), false, '07:00 CET');
    // 02:00..03:00 does not exist that night: a window inside it is never reached.
    const skipped = on(hm(2, 0), hm(3, 0), 'Europe/Berlin');
    for (const iso of ['2024-03-31T00:59:59Z', '2024-03-31T01:00:00Z', '2024-03-31T01:30:00Z']) {
      assert.equal(inQuietHours(skipped, at(iso)), false, iso);
    }
  });

  test('Europe/Berlin on the day clocks go back (27 October 2024, 03:00 CEST becomes 02:00 CET)', () => {
    // 02:00..03:00 local happens twice: both times are quiet.
    const twice = on(hm(2, 0), hm(3, 0), 'Europe/Berlin');
    assert.equal(inQuietHours(twice, at('2024-10-27T00:30:00Z')), true, '02:30 CEST');
    assert.equal(inQuietHours(twice, at('2024-10-27T01:30:00Z')), true, '02:30 CET');
    assert.equal(inQuietHours(twice, at('2024-10-27T02:00:00Z')), false, '03:00 CET');
    const night = on(hm(22, 0), hm(7, 0), 'Europe/Berlin');
    assert.equal(inQuietHours(night, at('2024-10-27T05:59:00Z')), true, '06:59 CET');
    assert.equal(inQuietHours(night, at('2024-10-27T06:00:00Z')), false, '07:00 CET');
  });

  test('local midnight is minute 0 (not 24:00)', () => {
    assert.equal(localMinutes('UTC', at('2024-06-03T00:00:00Z')), 0);
    assert.equal(localMinutes('Asia/Shanghai', at('2024-06-03T16:00:00Z')), 0);
    assert.equal(localMinutes('Asia/Kathmandu', at('2024-06-03T18:14:59Z')), hm(23, 59));
  });

  test('inWindow, the rule alone', () => {
    assert.deepEqual([419, 420, 1319, 1320].map((m) => inWindow(m, 1320, 420)), [true, false, false, true]);
    assert.deepEqual([539, 540, 1019, 1020].map((m) => inWindow(m, 540, 1020)), [false, true, true, false]);
    assert.deepEqual([0, 720, 1439].map((m) => inWindow(m, 720, 720)), [true, true, true]);
  });
});

describe('isTimeZone', () => {
  test('IANA names Intl knows, current names and old aliases alike', () => {
    for (const name of ['UTC', 'Etc/UTC', 'Asia/Shanghai', 'Asia/Kolkata', 'Asia/Calcutta', 'Asia/Kathmandu', 'Europe/Berlin', 'Europe/Kyiv',
      'America/Argentina/Buenos_Aires', 'America/St_Johns', 'America/Port-au-Prince', 'Etc/GMT+5', 'Etc/GMT-14']) {
      assert.equal(isTimeZone(name), true, name);
    }
  });

  test('junk, offsets and near misses are refused', () => {
    for (const name of ['', 'Mars/Base', 'Asia/Atlantis', '+05:30', '-08:00', '+0800', 'UTC+8', 'GMT+5', 'Asia/Shanghai ', ' UTC', 'Asia//Shanghai',
      'Asia/Shanghai/', '/UTC', '../etc/passwd', 'Asia\\Shanghai', 'Asia/Shang hai', 'UTC\u0000', 'Ásia/Shanghai', '1/2', 'x'.repeat(65),
      `Asia/${'S'.repeat(70)}`]) {
      assert.equal(isTimeZone(name), false, JSON.stringify(name.slice(0, 20)));
    }
  });
});
