/**
 * NYSE trading calendar. Pure and deterministic (safe inside Temporal workflows): no I/O, no clock, no randomness.
 * Rules cover 1990–2100; one-off closures come from a table. Dates are 'YYYY-MM-DD', times 'HH:MM' wall clock.
 * Sources: NYSE Rule 7.2 holiday announcements (2022–2027) and the NYSE closings history used by pandas_market_calendars.
 */

export interface MarketHours { timezone: string; open: string; close: string; earlyClose: string }
export interface Session {
  date: string;
  open: boolean;
  reason?: string;
  earlyClose: boolean;
  openAt?: string;
  closeAt?: string;
}

export const NYSE_DEFAULT_HOURS: MarketHours = { timezone: 'America/New_York', open: '09:30', close: '16:00', earlyClose: '13:00' };

/** Unscheduled full-day closures. */
const ONE_OFF_CLOSURES: Record<string, string> = {
  '1994-04-27': 'Nixon national day of mourning',
  '2001-09-11': 'September 11 attacks',
  '2001-09-12': 'September 11 attacks',
  '2001-09-13': 'September 11 attacks',
  '2001-09-14': 'September 11 attacks',
  '2004-06-11': 'Reagan national day of mourning',
  '2007-01-02': 'Ford national day of mourning',
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'George H. W. Bush national day of mourning',
  '2025-01-09': 'Jimmy Carter national day of mourning',
};
/** Unscheduled 13:00 closes not produced by the rules (the Friday after Christmas in 1997 and 2003). */
const ONE_OFF_EARLY_CLOSES = new Set(['1997-12-26', '2003-12-26']);

// ---- civil-date arithmetic on day numbers (days since 1970-01-01), independent of Date's 0–99 year quirk ----
interface Ymd { y: number; m: number; d: number }

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

function civilFromDays(n: number): Ymd {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const iso = (n: number): string => { const c = civilFromDays(n); return `${pad(c.y, 4)}-${pad(c.m)}-${pad(c.d)}`; };
const weekday = (n: number): number => (((n + 4) % 7) + 7) % 7; // 0 = Sunday; 1970-01-01 was a Thursday
const isWeekend = (n: number): boolean => { const w = weekday(n); return w === 0 || w === 6; };

function parseDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date));
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const n = daysFromCivil(y, mo, d);
    const back = civilFromDays(n);
    if (mo >= 1 && mo <= 12 && d >= 1 && back.m === mo && back.d === d) return n;
  }
  throw new Error(`invalid date "${date}": expected a real calendar date as YYYY-MM-DD`);
}

function parseHhmm(hhmm: string): [number, number] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(String(hhmm));
  if (!m) throw new Error(`invalid time "${hhmm}": expected HH:MM (00:00–23:59)`);
  return [Number(m[1]), Number(m[2])];
}

/** k-th (1-based) given weekday of a month; k = -1 means the last one. */
function nthWeekday(y: number, m: number, wd: number, k: number): number {
  if (k > 0) { const first = daysFromCivil(y, m, 1); return first + ((wd - weekday(first) + 7) % 7) + (k - 1) * 7; }
  const last = (m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) - 1;
  return last - ((weekday(last) - wd + 7) % 7);
}

/** Easter Sunday, anonymous Gregorian computus (Meeus/Jones/Butcher). */
function easter(y: number): number {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  return daysFromCivil(y, month, ((h + l - 7 * m + 114) % 31) + 1);
}

/** Fixed-date holiday on a weekend is observed on the nearest weekday (Saturday → Friday, Sunday → Monday). */
function observed(n: number): number {
  const w = weekday(n);
  return w === 6 ? n - 1 : w === 0 ? n + 1 : n;
}

interface YearRules { holidays: Map<number, string>; earlyCloses: Set<number> }
const cache = new Map<number, YearRules>(); // deterministic memo: same input, same output

function rulesFor(y: number): YearRules {
  const hit = cache.get(y);
  if (hit) return hit;
  const h = new Map<number, string>();
  const jan1 = daysFromCivil(y, 1, 1);
  // NYSE Rule 7.2: a Saturday New Year's Day is not moved back to Friday Dec 31 (year-end books stay open).
  if (weekday(jan1) !== 6) h.set(observed(jan1), "New Year's Day");
  if (y >= 1998) h.set(nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day'); // NYSE first closed for MLK Day in 1998
  h.set(nthWeekday(y, 2, 1, 3), "Washington's Birthday");
  h.set(easter(y) - 2, 'Good Friday'); // an exchange holiday though not a federal one
  h.set(nthWeekday(y, 5, 1, -1), 'Memorial Day');
  if (y >= 2022) h.set(observed(daysFromCivil(y, 6, 19)), 'Juneteenth National Independence Day'); // federal from 2021, NYSE from 2022
  h.set(observed(daysFromCivil(y, 7, 4)), 'Independence Day');
  h.set(nthWeekday(y, 9, 1, 1), 'Labor Day');
  const thanksgiving = nthWeekday(y, 11, 4, 4);
  h.set(thanksgiving, 'Thanksgiving Day');
  h.set(observed(daysFromCivil(y, 12, 25)), 'Christmas Day');
  for (const [date, name] of Object.entries(ONE_OFF_CLOSURES)) if (date.startsWith(`${y}-`)) h.set(parseDate(date), name);

  const e = new Set<number>();
  const addIfOpen = (n: number): void => { if (!isWeekend(n) && !h.has(n)) e.add(n); };
  const jul3 = daysFromCivil(y, 7, 3);
  // 1996–2012: when July 4 was a Thursday the half day was Friday July 5, not Wednesday July 3 (e.g. 2002).
  if (y <= 2012 && weekday(jul3) === 3) addIfOpen(jul3 + 2);
  else addIfOpen(jul3);
  addIfOpen(thanksgiving + 1);
  addIfOpen(daysFromCivil(y, 12, 24)); // Christmas Eve; a Friday Dec 24 is already the observed Christmas holiday
  for (const date of ONE_OFF_EARLY_CLOSES) if (date.startsWith(`${y}-`)) addIfOpen(parseDate(date));

  const rules = { holidays: h, earlyCloses: e };
  cache.set(y, rules);
  return rules;
}

function closedReason(n: number): string | undefined {
  if (isWeekend(n)) return 'weekend';
  return rulesFor(civilFromDays(n).y).holidays.get(n);
}

export function nyseSession(date: string, hours: MarketHours): Session {
  const n = parseDate(date);
  for (const t of [hours.open, hours.close, hours.earlyClose]) parseHhmm(t);
  const reason = closedReason(n);
  if (reason !== undefined) return { date, open: false, reason, earlyClose: false };
  const earlyClose = rulesFor(civilFromDays(n).y).earlyCloses.has(n);
  return {
    date,
    open: true,
    earlyClose,
    openAt: zonedTime(date, hours.open, hours.timezone).toISOString(),
    closeAt: zonedTime(date, earlyClose ? hours.earlyClose : hours.close, hours.timezone).toISOString(),
  };
}

/** While the market is closed at `instant` (epoch ms), when its next session opens (epoch ms); undefined during a session. */
export function marketClosedUntil(instant: number, hours: MarketHours): number | undefined {
  let date = localDate(new Date(instant), hours.timezone);
  if (!isTradingDay(date)) date = nextTradingDay(date);
  for (;;) {
    const s = nyseSession(date, hours);
    if (instant < Date.parse(s.openAt!)) return Date.parse(s.openAt!);
    if (instant < Date.parse(s.closeAt!)) return undefined;
    date = nextTradingDay(date);
  }
}

export function isTradingDay(date: string): boolean {
  return closedReason(parseDate(date)) === undefined;
}

function step(date: string, dir: 1 | -1): string {
  let n = parseDate(date) + dir;
  while (closedReason(n) !== undefined) n += dir; // at most ~5 consecutive closed days (9/11 plus weekend)
  return iso(n);
}

export function nextTradingDay(date: string): string { return step(date, 1); }
export function previousTradingDay(date: string): string { return step(date, -1); }

/** Whether no session follows `date` in its ISO week (Monday to Sunday): the week's report goes out at its close. */
export function lastSessionOfWeek(date: string): boolean {
  const monday = (n: number) => n - ((((n + 3) % 7) + 7) % 7); // day 0 (1970-01-01) was a Thursday
  return monday(parseDate(nextTradingDay(date))) !== monday(parseDate(date));
}

export function tradingDaysBetween(from: string, to: string): string[] {
  const [a, b] = [parseDate(from), parseDate(to)];
  const out: string[] = [];
  for (let n = a; n <= b; n++) if (closedReason(n) === undefined) out.push(iso(n));
  return out;
}

// ---- time zones via Intl (available in the workflow sandbox) ----
const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(instant: Date, timezone: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  if (Number.isNaN(instant.getTime())) throw new Error('invalid instant: Date is NaN');
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, hh: p.hour! % 24, mm: p.minute!, ss: p.second! };
}

export function localDate(instant: Date, timezone: string): string {
  const w = wallClock(instant, timezone);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
}

/** Offset (ms) of `timezone` from UTC at `utcMs`: wall clock read as if UTC, minus the instant. */
function offsetAt(utcMs: number, timezone: string): number {
  const w = wallClock(new Date(utcMs), timezone);
  return (daysFromCivil(w.y, w.m, w.d) * 86400 + w.hh * 3600 + w.mm * 60 + w.ss) * 1000 - Math.floor(utcMs / 1000) * 1000;
}

export function zonedTime(date: string, hhmm: string, timezone: string): Date {
  const [hh, mm] = parseHhmm(hhmm);
  const wallMs = (parseDate(date) * 86400 + hh * 3600 + mm * 60) * 1000;
  // Two passes settle the offset across DST switches. Ambiguous fall-back times give the first (DST) instant;
  // nonexistent spring-forward times (02:xx) give the instant one hour earlier. Market hours never hit either.
  const first = wallMs - offsetAt(wallMs, timezone);
  return new Date(wallMs - offsetAt(first, timezone));
}
