/**
 * NYSE regular sessions as epoch-millisecond intervals, on top of trading/calendar.ts, cached per date.
 * Simplification: the simulated exchange trades the regular session only (no pre- or post-market).
 */
import { localDate, nextTradingDay, nyseSession, NYSE_DEFAULT_HOURS, type MarketHours } from '../../trading/calendar';

export interface TradingSession {
  /** Exchange-local date, YYYY-MM-DD. */
  date: string;
  openAt: number;
  closeAt: number;
}

const HOUR = 3_600_000;

export class SessionCalendar {
  private readonly dates = new Map<number, string>();
  private readonly sessions = new Map<string, TradingSession | null>();

  constructor(readonly hours: MarketHours = NYSE_DEFAULT_HOURS) {}

  /** Exchange-local calendar date of an instant. Cached per UTC hour: US offsets are whole hours. */
  dateOf(t: number): string {
    const hour = Math.floor(t / HOUR);
    let date = this.dates.get(hour);
    if (date === undefined) {
      date = localDate(new Date(hour * HOUR), this.hours.timezone);
      this.dates.set(hour, date);
    }
    return date;
  }

  /** The regular session of a date, or undefined when the exchange is closed that day. */
  session(date: string): TradingSession | undefined {
    let s = this.sessions.get(date);
    if (s === undefined) {
      const n = nyseSession(date, this.hours);
      s = n.open ? { date, openAt: Date.parse(n.openAt!), closeAt: Date.parse(n.closeAt!) } : null;
      this.sessions.set(date, s);
    }
    return s ?? undefined;
  }

  /** The session in progress at t, else the next one: the first session that closes after t. */
  around(t: number): TradingSession {
    const today = this.dateOf(t);
    const s = this.session(today);
    return s && t < s.closeAt ? s : this.session(nextTradingDay(today))!;
  }

  /** The open of `date`, or of the next trading day when the exchange is closed on `date`. */
  openOnOrAfter(date: string): number {
    return (this.session(date) ?? this.session(nextTradingDay(date))!).openAt;
  }
}
