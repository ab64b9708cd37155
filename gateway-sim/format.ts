/**
 * Date and duration formats of the TWS API, in the exchange's time zone (US/Eastern): what IB sends in
 * execution times, historical bars and the connection time, and what clients send as endDateTime/duration.
 */
import { localDate, zonedTime } from '../trading/calendar';

const TZ = 'America/New_York';
const parts = new Intl.DateTimeFormat('en-US', { timeZone: TZ, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** "yyyyMMdd HH:mm:ss US/Eastern", IB's format for execution times and the connection time. */
export function ibTime(t: number): string {
  return `${ibDate(t)} ${clock(t)} US/Eastern`;
}

/** "yyyyMMdd" of the exchange-local date. */
export function ibDate(t: number): string {
  return localDate(new Date(t), TZ).replace(/-/g, '');
}

function clock(t: number): string {
  const p = Object.fromEntries(parts.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}:${p.second}`;
}

/**
 * Parses a reqHistoricalData endDateTime: "" (now), "yyyyMMdd HH:mm:ss" with an optional time zone
 * (US/Eastern, America/New_York or UTC; exchange time when absent) or "yyyyMMdd-HH:mm:ss" (UTC).
 */
export function parseEndDateTime(text: string, now: number): number | undefined {
  const s = text.trim();
  if (!s) return now;
  const m = /^(\d{4})(\d{2})(\d{2})([ -])\s*(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, sep, h, mi, sec, zone] = m;
  if (sep === '-' || zone === 'UTC' || zone === 'GMT') return Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec);
  if (zone && zone !== 'US/Eastern' && zone !== TZ) return undefined;
  return zonedTime(`${y}-${mo}-${d}`, `${h}:${mi}`, TZ).getTime() + Number(sec) * 1000;
}

const DURATION_MS: Record<string, number> = { S: 1000, D: 86_400_000, W: 7 * 86_400_000, M: 30 * 86_400_000, Y: 365 * 86_400_000 };

/** "N S|D|W|M|Y" → milliseconds of calendar time, as IB counts a duration back from the end. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s+([SDWMY])$/.exec(text.trim());
  return m ? Number(m[1]) * DURATION_MS[m[2]] : undefined;
}
