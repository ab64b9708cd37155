import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as zlib from 'node:zlib';
import {
  NYSE_DEFAULT_HOURS as H,
  isTradingDay,
  localDate,
  nextTradingDay,
  nyseSession,
  previousTradingDay,
  tradingDaysBetween,
  zonedTime,
  lastSessionOfWeek,
  marketClosedUntil,
} from '../trading/calendar';

/** Every calendar date of a year (test-side enumeration, independent of the module). */
function datesOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
/** Weekday closures of a year as 'date name'. */
function holidaysOf(year: number): string[] {
  return datesOf(year).map((d) => nyseSession(d, H)).filter((s) => !s.open && s.reason !== 'weekend').map((s) => `${s.date} ${s.reason}`);
}
/** Early closes of a year as 'date openAt closeAt'. */
function earlyClosesOf(year: number): string[] {
  return datesOf(year).map((d) => nyseSession(d, H)).filter((s) => s.earlyClose).map((s) => `${s.date} ${s.openAt} ${s.closeAt}`);
}

describe('published NYSE calendars (NYSE Group holiday announcements)', () => {
  test('2024', () => {
    expect(holidaysOf(2024)).toEqual([
      "2024-01-01 New Year's Day", '2024-01-15 Martin Luther King Jr. Day', "2024-02-19 Washington's Birthday",
      '2024-03-29 Good Friday', '2024-05-27 Memorial Day', '2024-06-19 Juneteenth National Independence Day',
      '2024-07-04 Independence Day', '2024-09-02 Labor Day', '2024-11-28 Thanksgiving Day', '2024-12-25 Christmas Day',
    ]);
    expect(earlyClosesOf(2024)).toEqual([
      '2024-07-03 2024-07-03T13:30:00.000Z 2024-07-03T17:00:00.000Z', // EDT: 13:00 = 17:00Z
      '2024-11-29 2024-11-29T14:30:00.000Z 2024-11-29T18:00:00.000Z', // EST: 13:00 = 18:00Z
      '2024-12-24 2024-12-24T14:30:00.000Z 2024-12-24T18:00:00.000Z',
    ]);
    expect(tradingDaysBetween('2024-01-01', '2024-12-31')).toHaveLength(252);
  });

  test('2025 (including the Carter day of mourning)', () => {
    expect(holidaysOf(2025)).toEqual([
      "2025-01-01 New Year's Day", '2025-01-09 Jimmy Carter national day of mourning', '2025-01-20 Martin Luther King Jr. Day',
      "2025-02-17 Washington's Birthday", '2025-04-18 Good Friday', '2025-05-26 Memorial Day',
      '2025-06-19 Juneteenth National Independence Day', '2025-07-04 Independence Day', '2025-09-01 Labor Day',
      '2025-11-27 Thanksgiving Day', '2025-12-25 Christmas Day',
    ]);
    expect(earlyClosesOf(2025)).toEqual([
      '2025-07-03 2025-07-03T13:30:00.000Z 2025-07-03T17:00:00.000Z',
      '2025-11-28 2025-11-28T14:30:00.000Z 2025-11-28T18:00:00.000Z',
      '2025-12-24 2025-12-24T14:30:00.000Z 2025-12-24T18:00:00.000Z',
    ]);
    expect(tradingDaysBetween('2025-01-01', '2025-12-31')).toHaveLength(250);
  });

  test('2026 (July 4 is a Saturday: Friday July 3 is the holiday, no July early close)', () => {
    expect(holidaysOf(2026)).toEqual([
      "2026-01-01 New Year's Day", '2026-01-19 Martin Luther King Jr. Day', "2026-02-16 Washington's Birthday",
      '2026-04-03 Good Friday', '2026-05-25 Memorial Day', '2026-06-19 Juneteenth National Independence Day',
      '2026-07-03 Independence Day', '2026-09-07 Labor Day', '2026-11-26 Thanksgiving Day', '2026-12-25 Christmas Day',
    ]);
    expect(earlyClosesOf(2026)).toEqual([
      '2026-11-27 2026-11-27T14:30:00.000Z 2026-11-27T18:00:00.000Z',
      '2026-12-24 2026-12-24T14:30:00.000Z 2026-12-24T18:00:00.000Z',
    ]);
    expect(nyseSession('2026-07-02', H)).toEqual({
      date: '2026-07-02', open: true, earlyClose: false, openAt: '2026-07-02T13:30:00.000Z', closeAt: '2026-07-02T20:00:00.000Z',
    });
    expect(tradingDaysBetween('2026-01-01', '2026-12-31')).toHaveLength(251);
  });

  test('2027 (announced: Juneteenth and Christmas observed on Friday, July 4 on Monday)', () => {
    expect(holidaysOf(2027).map((s) => s.slice(0, 10))).toEqual([
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24',
    ]);
    expect(earlyClosesOf(2027).map((s) => s.slice(0, 10))).toEqual(['2027-11-26']); // Dec 24 is the holiday, July 3 a Saturday
  });
});

describe('holiday rules', () => {
  test('a Saturday New Year is not observed on Friday Dec 31 (NYSE Rule 7.2)', () => {
    expect(nyseSession('2022-01-01', H)).toEqual({ date: '2022-01-01', open: false, reason: 'weekend', earlyClose: false });
    for (const d of ['2021-12-31', '2010-12-31', '2004-12-31', '1999-12-31']) expect(isTradingDay(d)).toBe(true);
    expect(holidaysOf(2022).some((s) => s.includes("New Year's Day"))).toBe(false);
    expect(nyseSession('2023-01-02', H).reason).toBe("New Year's Day"); // Sunday → Monday
    expect(nyseSession('2017-01-02', H).reason).toBe("New Year's Day");
  });

  test.each([
    ['2020-07-03', 'Independence Day'], // Sat → Fri
    ['2021-07-05', 'Independence Day'], // Sun → Mon
    ['2015-07-03', 'Independence Day'],
    ['2021-12-24', 'Christmas Day'], // Sat → Fri
    ['2022-12-26', 'Christmas Day'], // Sun → Mon
    ['2016-12-26', 'Christmas Day'],
    ['2022-06-20', 'Juneteenth National Independence Day'], // Sun → Mon
    ['2027-06-18', 'Juneteenth National Independence Day'], // Sat → Fri
  ])('observed shift: %s is %s', (date, name) => {
    expect(nyseSession(date, H)).toEqual({ date, open: false, reason: name, earlyClose: false });
  });

  test('no holiday before its adoption: Juneteenth before 2022, MLK before 1998', () => {
    expect(isTradingDay('2021-06-18')).toBe(true);
    expect(isTradingDay('2020-06-19')).toBe(true);
    expect(isTradingDay('1997-01-20')).toBe(true);
    expect(nyseSession('1998-01-19', H).reason).toBe('Martin Luther King Jr. Day');
  });

  test.each(['1990-04-13', '2000-04-21', '2008-03-21', '2011-04-22', '2019-04-19', '2026-04-03', '2038-04-23', '2100-03-26'])('Good Friday %s', (date) => {
    expect(nyseSession(date, H).reason).toBe('Good Friday');
    expect(isTradingDay(nextTradingDay(date))).toBe(true);
  });

  test('last Monday of May and 4th Thursday of November at month edges', () => {
    expect(nyseSession('2021-05-31', H).reason).toBe('Memorial Day');
    expect(nyseSession('2020-05-25', H).reason).toBe('Memorial Day');
    expect(isTradingDay('2021-05-24')).toBe(true);
    expect(nyseSession('2018-11-22', H).reason).toBe('Thanksgiving Day'); // Nov 1 a Thursday
    expect(nyseSession('2019-11-28', H).reason).toBe('Thanksgiving Day'); // Nov 1 a Friday: latest possible
  });

  test.each([
    ['2001-09-11', 'September 11 attacks'], ['2001-09-12', 'September 11 attacks'], ['2001-09-13', 'September 11 attacks'],
    ['2001-09-14', 'September 11 attacks'], ['2004-06-11', 'Reagan national day of mourning'], ['2007-01-02', 'Ford national day of mourning'],
    ['2012-10-29', 'Hurricane Sandy'], ['2012-10-30', 'Hurricane Sandy'], ['2018-12-05', 'George H. W. Bush national day of mourning'],
    ['2025-01-09', 'Jimmy Carter national day of mourning'], ['1994-04-27', 'Nixon national day of mourning'],
  ])('one-off closure %s (%s)', (date, name) => {
    expect(nyseSession(date, H)).toEqual({ date, open: false, reason: name, earlyClose: false });
  });

  test('historical early closes that differ from the simple rule', () => {
    expect(nyseSession('2002-07-05', H)).toMatchObject({ open: true, earlyClose: true, closeAt: '2002-07-05T17:00:00.000Z' }); // Friday after a Thursday July 4, pre-2013
    expect(nyseSession('2002-07-03', H).earlyClose).toBe(false);
    expect(nyseSession('2013-07-03', H).earlyClose).toBe(true); // since 2013 the Wednesday before
    expect(nyseSession('2019-07-03', H).earlyClose).toBe(true);
    expect(nyseSession('2003-12-26', H)).toMatchObject({ open: true, earlyClose: true, closeAt: '2003-12-26T18:00:00.000Z' });
    expect(nyseSession('2008-12-26', H).earlyClose).toBe(false);
    expect(nyseSession('2021-07-02', H).earlyClose).toBe(false); // July 4 Sunday: no half day before the Monday holiday
    expect(nyseSession('2022-12-23', H).earlyClose).toBe(false); // Christmas Eve a Saturday
    expect(nyseSession('2018-12-24', H).earlyClose).toBe(true);
  });
});

describe('times and DST', () => {
  test.each([
    ['2026-03-06', '2026-03-06T14:30:00.000Z', '2026-03-06T21:00:00.000Z'], // Friday, EST
    ['2026-03-09', '2026-03-09T13:30:00.000Z', '2026-03-09T20:00:00.000Z'], // Monday after the Mar 8 switch, EDT
    ['2026-10-30', '2026-10-30T13:30:00.000Z', '2026-10-30T20:00:00.000Z'], // Friday, EDT
    ['2026-11-02', '2026-11-02T14:30:00.000Z', '2026-11-02T21:00:00.000Z'], // Monday after the Nov 1 switch, EST
    ['2026-11-20', '2026-11-20T14:30:00.000Z', '2026-11-20T21:00:00.000Z'],
    ['2000-07-05', '2000-07-05T13:30:00.000Z', '2000-07-05T20:00:00.000Z'],
    ['2006-03-31', '2006-03-31T14:30:00.000Z', '2006-03-31T21:00:00.000Z'], // pre-2007 US DST began in April
    ['2006-04-03', '2006-04-03T13:30:00.000Z', '2006-04-03T20:00:00.000Z'],
  ])('%s opens %s and closes %s', (date, openAt, closeAt) => {
    expect(nyseSession(date, H)).toEqual({ date, open: true, earlyClose: false, openAt, closeAt });
  });

  test('zonedTime and localDate', () => {
    expect(zonedTime('2026-03-09', '09:30', 'America/New_York').toISOString()).toBe('2026-03-09T13:30:00.000Z');
    expect(zonedTime('2026-11-20', '09:30', 'America/New_York').toISOString()).toBe('2026-11-20T14:30:00.000Z');
    expect(zonedTime('2026-03-08', '03:00', 'America/New_York').toISOString()).toBe('2026-03-08T07:00:00.000Z'); // first EDT minute
    expect(zonedTime('2026-11-01', '00:30', 'America/New_York').toISOString()).toBe('2026-11-01T04:30:00.000Z');
    expect(zonedTime('2026-11-01', '01:30', 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z'); // ambiguous: first (EDT)
    expect(zonedTime('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T06:30:00.000Z'); // nonexistent
    expect(zonedTime('2026-07-01', '08:00', 'Europe/London').toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(zonedTime('2026-07-01', '08:00', 'UTC').toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(localDate(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-31');
    expect(localDate(new Date('2026-07-01T03:59:59Z'), 'America/New_York')).toBe('2026-06-30');
    expect(localDate(new Date('2026-07-01T04:00:00Z'), 'America/New_York')).toBe('2026-07-01');
    expect(localDate(new Date('2026-07-01T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-07-02');
  });

  test('hours come from the caller', () => {
    const hours = { timezone: 'America/New_York', open: '10:00', close: '15:30', earlyClose: '12:00' };
    expect(nyseSession('2026-11-27', hours)).toMatchObject({ openAt: '2026-11-27T15:00:00.000Z', closeAt: '2026-11-27T17:00:00.000Z' });
  });
});

describe('navigation', () => {
  test('next/previous trading day across long weekends and closures', () => {
    expect(nextTradingDay('2026-11-25')).toBe('2026-11-27');
    expect(nextTradingDay('2026-11-27')).toBe('2026-11-30');
    expect(nextTradingDay('2026-11-28')).toBe('2026-11-30'); // from a non-trading day
    expect(previousTradingDay('2026-11-30')).toBe('2026-11-27');
    expect(previousTradingDay('2026-11-27')).toBe('2026-11-25');
    expect(previousTradingDay('2026-04-06')).toBe('2026-04-02');
    expect(nextTradingDay('2001-09-10')).toBe('2001-09-17');
    expect(nextTradingDay('2012-10-26')).toBe('2012-10-31');
    expect(nextTradingDay('2025-12-31')).toBe('2026-01-02');
    expect(previousTradingDay('2026-01-02')).toBe('2025-12-31');
  });

  test('tradingDaysBetween is inclusive and counts a month', () => {
    const nov = tradingDaysBetween('2026-11-01', '2026-11-30');
    expect(nov).toHaveLength(20); // 21 weekdays minus Thanksgiving
    expect(nov[0]).toBe('2026-11-02');
    expect(nov[nov.length - 1]).toBe('2026-11-30');
    expect(nov).not.toContain('2026-11-26');
    expect(tradingDaysBetween('2001-09-01', '2001-09-30')).toHaveLength(15); // Labor Day and four 9/11 closures
    expect(tradingDaysBetween('2026-11-27', '2026-11-27')).toEqual(['2026-11-27']);
    expect(tradingDaysBetween('2026-11-28', '2026-11-29')).toEqual([]);
    expect(tradingDaysBetween('2026-12-01', '2026-11-01')).toEqual([]);
  });
});

describe('validation', () => {
  test.each(['2026-13-01', '2026-02-30', 'abc', '2026-2-3', '2100-02-29', '2026-00-10', ''])('rejects date %p', (bad) => {
    expect(() => isTradingDay(bad)).toThrow(`"${bad}"`);
    expect(() => nyseSession(bad, H)).toThrow(`"${bad}"`);
  });
  test('accepts leap days', () => {
    expect(isTradingDay('2024-02-29')).toBe(true);
    expect(isTradingDay('2000-02-29')).toBe(true);
  });
  test.each(['9:30', '24:00', '12:60', '0930', 'noon'])('rejects time %p', (bad) => {
    expect(() => zonedTime('2026-03-09', bad, 'America/New_York')).toThrow(`"${bad}"`);
    expect(() => nyseSession('2026-03-09', { ...H, earlyClose: bad })).toThrow(`"${bad}"`);
  });
  test('rejects an invalid instant', () => {
    expect(() => localDate(new Date('nope'), 'America/New_York')).toThrow(/invalid instant/);
  });
});

describe('cross-check against the real daily data', () => {
  // CI keeps the data beside the repository: /work/main/test → /work/shared/data.
  const file = path.resolve(__dirname, '../../shared/data/daily.csv.gz');
  // 1999-11-01 .. 2021-04-21 is the whole file (covers the 2000-01-03 .. 2021-04-21 backtest range).
  const FROM = '1999-11-01';
  const TO = '2021-04-21';
  // Trading days on which no symbol has a row. None found: every NYSE session in the range has data.
  // (Per symbol there are gaps, e.g. AAPL lacks 2003-01-29, where the vendor repeated the 2003-01-28 prices
  // and the cleaning step dropped the stale row; other symbols do have that date, so it is in the union.)
  const SESSIONS_WITHOUT_DATA: string[] = [];
  // Dates with data on which the calendar says the market was closed. None found.
  const DATA_ON_CLOSED_DAYS: string[] = [];

  test('the set of dates with data equals the trading calendar', async () => {
    if (!fs.existsSync(file)) {
      throw new Error(`real-data cross-check: ${file} is missing; the shared data folder must sit beside the repository at ../shared/data`);
    }
    const dates = new Set<string>();
    const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
    let header = true;
    for await (const line of lines) {
      if (header) { header = false; expect(line).toBe('symbol,date,open,high,low,close,volume'); continue; }
      const a = line.indexOf(',');
      dates.add(line.slice(a + 1, a + 11));
    }
    expect(dates.size).toBe(5402); // SOURCES.md: 5,402 distinct trading dates
    const data = [...dates].sort();
    expect(data[0]).toBe(FROM);
    expect(data[data.length - 1]).toBe(TO);

    const calendar = tradingDaysBetween(FROM, TO);
    const calendarSet = new Set(calendar);
    expect(calendar.filter((d) => !dates.has(d))).toEqual(SESSIONS_WITHOUT_DATA);
    expect(data.filter((d) => !calendarSet.has(d))).toEqual(DATA_ON_CLOSED_DAYS);
    // Spot checks that the comparison is meaningful.
    for (const d of ['2001-09-11', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30', '2018-12-05']) expect(dates.has(d)).toBe(false);
    for (const d of ['2003-01-29', '2002-07-05', '2010-12-31', '1999-12-31']) expect(dates.has(d)).toBe(true);
  }, 300_000); // reads all 2.4 million rows: slow on a loaded 2-core machine
});

test('the last session of a week: a Friday, the Thursday before Good Friday, not a mid-week day', () => {
  expect(lastSessionOfWeek('2021-03-05')).toBe(true); // Friday
  expect(lastSessionOfWeek('2021-03-04')).toBe(false);
  expect(lastSessionOfWeek('2021-04-01')).toBe(true); // Good Friday 2021-04-02 is closed
  expect(lastSessionOfWeek('2020-12-31')).toBe(true); // Thursday: New Year's Day 2021 is a closed Friday
  expect(lastSessionOfWeek('2020-12-28')).toBe(false);
});

describe('marketClosedUntil: when exit rules can next run', () => {
  const at = (iso: string) => marketClosedUntil(Date.parse(iso), H);
  test('during a session: undefined; before the open: that open; after the close: the next session\'s open', () => {
    expect(at('2021-03-05T15:00:00Z')).toBeUndefined(); // Friday 10:00 New York
    expect(at('2021-03-05T14:29:59Z')).toBe(Date.parse('2021-03-05T14:30:00Z'));
    expect(at('2021-03-05T21:00:00Z')).toBe(Date.parse('2021-03-08T14:30:00Z')); // Friday after the close: Monday's open
    expect(at('2021-03-05T20:59:59Z')).toBeUndefined(); // the last second of the session
  });
  test('holidays and half days: the next open skips the holiday; a half day is closed after 13:00', () => {
    expect(at('2021-11-25T15:00:00Z')).toBe(Date.parse('2021-11-26T14:30:00Z')); // Thanksgiving → the half day after
    expect(at('2021-11-26T18:30:00Z')).toBe(Date.parse('2021-11-29T14:30:00Z')); // 13:30 on the half day: closed until Monday
  });
});
