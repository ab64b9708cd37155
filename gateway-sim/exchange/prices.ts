/**
 * Prices of the simulated exchange, from REAL bars: for any symbol and instant, the last trade price, the session
 * volume so far, a quote, and historical bars that never reach past the caller's `asOf` (no look-ahead).
 *
 * - Where intraday/<SYM>.csv has the symbol and date, the path follows its minute bars; otherwise it is synthesized
 *   from that date's DAILY bar (see day-path.ts for the deterministic O→L→H→C / O→H→L→C shape). Outside the regular
 *   session, on non-trading days and on days without a bar for the symbol, the price is flat at the last close and
 *   nothing trades.
 * - Price basis: daily.csv.gz is split- and dividend-adjusted (2021 basis) while the minute files are raw prints
 *   (AAPL ≈ 170 in the minute file, ≈ 41.8 in the daily file on 2019-02-12). With intradayBasis 'daily' (default) a
 *   day of minute bars is scaled onto the daily basis: prices × dailyClose / lastMinuteClose, volumes × dailyVolume /
 *   Σ minute volumes, so live prices and daily history agree. 'raw' keeps the prints (daily history then disagrees).
 *   Symbols without daily bars (ETFs, VIX) are always raw.
 * - Quote: bid/ask = last ∓ half a spread of max(spreadBps × last, minSpread), the bid rounded down and the ask up to
 *   the tick ($0.01 from $1, $0.0001 below, as US stocks quote); last, open, high, low and the previous close to the
 *   nearest tick; sizes = 10% of the current minute's volume in round lots (at least 100). Fills happen at these
 *   quotes, so execution prices are on the tick too. The path itself (last()) keeps the data's precision: adjusted
 *   prices have 6 significant digits, and stops trigger on it.
 * - Synthesized minute bars of daily-only days have equal volume per minute; bar WAP is the typical price (H+L+C)/3.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDailyBars, loadIntradayBars, type BarFilter, type BarSeries } from '../../market-data/files';
import { NYSE_DEFAULT_HOURS, type MarketHours } from '../../trading/calendar';
import { DayPath, type BarValues, type PathBuffer } from './day-path';
import { SessionCalendar, type TradingSession } from './sessions';

export interface PriceConfig {
  hours: MarketHours;
  /** Full bid/ask spread as a fraction of the last price, in basis points. */
  spreadBps: number;
  /** Smallest bid/ask spread in dollars. */
  minSpread: number;
  intradayBasis: 'daily' | 'raw';
}

export const DEFAULT_PRICE_CONFIG: PriceConfig = { hours: NYSE_DEFAULT_HOURS, spreadBps: 2, minSpread: 0.01, intradayBasis: 'daily' };

export interface PriceData {
  daily?: ReadonlyMap<string, BarSeries>;
  intraday?: ReadonlyMap<string, BarSeries>;
}

export interface Quote {
  symbol: string;
  time: number;
  last: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  /** Session volume so far (0 before the open and on days without trading). */
  volume: number;
  /** Today's open, high and low so far; undefined before the open or when the symbol does not trade today. */
  open?: number;
  high?: number;
  low?: number;
  /** The previous session's close. */
  prevClose?: number;
}

export type BarSize = '1 min' | '2 mins' | '3 mins' | '5 mins' | '10 mins' | '15 mins' | '20 mins' | '30 mins' | '1 hour' | '2 hours' | '4 hours' | '1 day';

export const BAR_MINUTES: Record<Exclude<BarSize, '1 day'>, number> = {
  '1 min': 1, '2 mins': 2, '3 mins': 3, '5 mins': 5, '10 mins': 10, '15 mins': 15, '20 mins': 20, '30 mins': 30,
  '1 hour': 60, '2 hours': 120, '4 hours': 240,
};

export interface HistoricalBar extends BarValues {
  /** Bar start, epoch ms (the session open for daily bars). */
  time: number;
  /** Session date, YYYY-MM-DD. */
  date: string;
  wap: number;
}

/** Bars overlapping [start, end); the last `count` of them when count is given. */
export interface BarRange {
  end: number;
  start?: number;
  count?: number;
}

/** Price increments of US stocks (Reg NMS rule 612): a cent from $1 up, a hundredth of a cent below. */
const ticksPerDollar = (price: number): number => (price >= 1 ? 100 : 10_000);

/** Puts a price on the tick grid: 'down' for bids, 'up' for asks, 'nearest' for trade prices; float noise tolerated. */
export function onTick(price: number, way: 'down' | 'up' | 'nearest'): number {
  const per = ticksPerDollar(price);
  const n = price * per;
  return (way === 'down' ? Math.floor(n + 1e-6) : way === 'up' ? Math.ceil(n - 1e-6) : Math.round(n)) / per;
}

/** Bid/ask on the tick grid around the last price, and the last prices at which a limit is reached. */
export class Spread {
  private readonly k: number;

  constructor(spreadBps: number, private readonly min: number) {
    this.k = spreadBps / 10_000;
  }

  half(last: number): number {
    return Math.max(last * this.k, this.min) / 2;
  }

  bid(last: number): number {
    return onTick(last - this.half(last), 'down');
  }

  ask(last: number): number {
    return onTick(last + this.half(last), 'up');
  }

  /** The highest last price whose ask is at or below `limit` (an ask rounded up reaches a tick iff the raw one does). */
  lastForAskAtMost(limit: number): number {
    const l = onTick(limit, 'down');
    return Math.min(l / (1 + this.k / 2), l - this.min / 2);
  }

  /** The lowest last price whose bid is at or above `limit`. */
  lastForBidAtLeast(limit: number): number {
    const l = onTick(limit, 'up');
    return Math.max(l / (1 - this.k / 2), l + this.min / 2);
  }
}

interface SymbolData {
  daily?: BarSeries;
  intraday?: BarSeries;
  /** Rows [from, to) of the minute series per date. */
  minuteDays: Map<string, [number, number]>;
  /** Every date with a bar (daily or minute), ascending. */
  dates: string[];
  paths: Map<string, DayPath | null>;
}

const MINUTE = 60_000;
const PATH_CACHE = 4;

/** Loads daily.csv.gz (filtered: the file is 128 MB) and the minute files of the wanted symbols from data.dir. */
export function loadPriceData(dataDir: string, filter: BarFilter = {}): PriceData {
  const daily = loadDailyBars(path.join(dataDir, 'daily.csv.gz'), filter);
  const intradayDir = path.join(dataDir, 'intraday');
  const intraday = new Map<string, BarSeries>();
  for (const file of fs.existsSync(intradayDir) ? fs.readdirSync(intradayDir).sort() : []) {
    const symbol = path.basename(file, '.csv');
    if (file.endsWith('.csv') && (!filter.symbols || filter.symbols.has(symbol))) intraday.set(symbol, loadIntradayBars(path.join(intradayDir, file), symbol));
  }
  return { daily, intraday };
}

export class PriceSource {
  readonly calendar: SessionCalendar;
  readonly spread: Spread;
  private readonly config: PriceConfig;
  private readonly data = new Map<string, SymbolData>();
  private readonly openMinute: number;

  constructor(data: PriceData, config: Partial<PriceConfig> = {}) {
    this.config = { ...DEFAULT_PRICE_CONFIG, ...config };
    this.calendar = new SessionCalendar(this.config.hours);
    this.spread = new Spread(this.config.spreadBps, this.config.minSpread);
    const [hh, mm] = this.config.hours.open.split(':').map(Number);
    this.openMinute = hh * 60 + mm;
    for (const [symbol, daily] of data.daily ?? []) this.data.set(symbol, { daily, minuteDays: new Map(), dates: daily.dates, paths: new Map() });
    for (const [symbol, intraday] of data.intraday ?? []) this.addIntraday(symbol, intraday);
  }

  hasSymbol(symbol: string): boolean {
    return this.data.has(symbol);
  }

  /** Last trade price at t; undefined before the symbol's first bar. */
  last(symbol: string, t: number): number | undefined {
    const sd = this.data.get(symbol);
    if (!sd) return undefined;
    const date = this.calendar.dateOf(t);
    const day = this.dayPath(sd, date);
    if (!day) return this.closeBefore(sd, date);
    return t < day.openAt ? day.prevClose : day.priceAt(t);
  }

  quote(symbol: string, t: number): Quote | undefined {
    const sd = this.data.get(symbol);
    const last = this.last(symbol, t);
    if (!sd || last === undefined) return undefined;
    const date = this.calendar.dateOf(t);
    const day = this.dayPath(sd, date);
    const started = day !== undefined && t >= day.openAt;
    const minute = Math.floor(t / MINUTE) * MINUTE;
    const size = started ? Math.max(1, Math.floor((day.volumeAt(minute + MINUTE) - day.volumeAt(minute)) / 1000)) * 100 : 100;
    const prevClose = day ? day.prevClose : this.closeBefore(sd, date);
    const q: Quote = {
      symbol, time: t, last: onTick(last, 'nearest'), bid: this.spread.bid(last), ask: this.spread.ask(last), bidSize: size, askSize: size, volume: 0,
      prevClose: prevClose === undefined ? undefined : onTick(prevClose, 'nearest'),
    };
    if (started) Object.assign(q, { volume: Math.floor(day.volumeAt(t)), open: onTick(day.priceAt(day.openAt), 'nearest'), high: onTick(day.highAt(t), 'nearest'), low: onTick(day.lowAt(t), 'nearest') });
    return q;
  }

  /**
   * The path over [t0, t1] (both inside one regular session) into `out`; false when the symbol does not trade that
   * day (no bar), so nothing can fill.
   */
  path(symbol: string, t0: number, t1: number, out: PathBuffer): boolean {
    const sd = this.data.get(symbol);
    const day = sd && this.dayPath(sd, this.calendar.dateOf(t0));
    if (!day) return false;
    day.points(t0, t1, out);
    return true;
  }

  /** Volume traded in [a, b] within one session day. */
  volumeBetween(symbol: string, a: number, b: number): number {
    const sd = this.data.get(symbol);
    const day = sd && this.dayPath(sd, this.calendar.dateOf(a));
    return day ? day.volumeAt(b) - day.volumeAt(a) : 0;
  }

  historicalBars(symbol: string, barSize: BarSize, range: BarRange, asOf: number): HistoricalBar[] {
    return barSize === '1 day' ? this.dailyBars(symbol, range, asOf) : this.intradayBars(symbol, BAR_MINUTES[barSize], range, asOf);
  }

  /** Daily bars; the session in progress at min(end, asOf) gives a partial bar built from the path so far. */
  dailyBars(symbol: string, range: BarRange, asOf: number): HistoricalBar[] {
    const end = Math.min(range.end, asOf);
    const out: HistoricalBar[] = [];
    this.eachSessionBackwards(symbol, end, range, (sd, s) => {
      const i = sd.daily ? indexOf(sd.daily.dates, s.date) : -1;
      const complete = s.closeAt <= end;
      const values: BarValues = complete && i >= 0 ? rowOf(sd.daily!, i) : this.dayPath(sd, s.date)!.bar(s.openAt, Math.min(end, s.closeAt));
      out.push(withTime(values, s.openAt, s.date));
      return range.count === undefined || out.length < range.count;
    });
    return out.reverse();
  }

  /**
   * Bars of `minutes` aligned to the exchange-local clock (an hourly bar starts on the hour; the first one of a day at
   * the open), cut at the close and at min(end, asOf); minutes without a trade give no 1-minute bar.
   */
  intradayBars(symbol: string, minutes: number, range: BarRange, asOf: number): HistoricalBar[] {
    if (range.start === undefined && range.count === undefined) throw new RangeError('intraday bars need a start or a count');
    const end = Math.min(range.end, asOf);
    const days: HistoricalBar[][] = [];
    let total = 0;
    this.eachSessionBackwards(symbol, end, range, (sd, s) => {
      const day = this.dayPath(sd, s.date)!;
      const midnight = s.openAt - this.openMinute * MINUTE; // local midnight as seen from the session (no DST switch inside)
      const bars: HistoricalBar[] = [];
      for (let a = s.openAt; a < Math.min(end, s.closeAt); ) {
        const b = Math.min(midnight + (Math.floor((a - midnight) / (minutes * MINUTE)) + 1) * minutes * MINUTE, s.closeAt);
        const values = day.bar(a, Math.min(b, end));
        if ((range.start === undefined || b > range.start) && (values.volume > 0 || values.high > values.low)) bars.push(withTime(values, a, s.date));
        a = b;
      }
      days.push(bars);
      total += bars.length;
      return range.count === undefined || total < range.count;
    });
    const out = days.reverse().flat();
    return range.count === undefined ? out : out.slice(Math.max(0, out.length - range.count));
  }

  /** Sessions with a bar for the symbol that overlap [range.start, end), newest first, until visit returns false. */
  private eachSessionBackwards(symbol: string, end: number, range: BarRange, visit: (sd: SymbolData, s: TradingSession) => boolean): void {
    const sd = this.data.get(symbol);
    if (!sd) return;
    for (let i = upperBound(sd.dates, this.calendar.dateOf(end)) - 1; i >= 0; i--) {
      const s = this.calendar.session(sd.dates[i]);
      if (!s || s.openAt >= end) continue;
      if (range.start !== undefined && s.closeAt <= range.start) return;
      if (!visit(sd, s)) return;
    }
  }

  private addIntraday(symbol: string, intraday: BarSeries): void {
    let sd = this.data.get(symbol);
    if (!sd) this.data.set(symbol, (sd = { minuteDays: new Map(), dates: [], paths: new Map() }));
    sd.intraday = intraday;
    for (let i = 0; i < intraday.dates.length; ) {
      const date = intraday.dates[i].slice(0, 10);
      let j = i;
      while (j < intraday.dates.length && intraday.dates[j].startsWith(date)) j++;
      sd.minuteDays.set(date, [i, j]);
      i = j;
    }
    sd.dates = [...new Set([...sd.dates, ...sd.minuteDays.keys()])].sort();
  }

  /** The day's path, or undefined when the exchange is closed or the symbol has no bar that day. Small LRU cache. */
  private dayPath(sd: SymbolData, date: string): DayPath | undefined {
    let day = sd.paths.get(date);
    if (day === undefined) {
      day = this.buildPath(sd, date) ?? null;
      if (sd.paths.size >= PATH_CACHE) sd.paths.delete(sd.paths.keys().next().value!);
      sd.paths.set(date, day);
    }
    return day ?? undefined;
  }

  private buildPath(sd: SymbolData, date: string): DayPath | undefined {
    const s = this.calendar.session(date);
    if (!s) return undefined;
    const minutes = sd.minuteDays.get(date);
    const prevClose = this.closeBefore(sd, date);
    if (minutes) {
      const m = sd.intraday!;
      const { price, volume } = this.minuteScale(sd, date, minutes);
      const ends: number[] = [];
      const bars: BarValues[] = [];
      for (let i = minutes[0]; i < minutes[1]; i++) {
        const stamp = m.dates[i]; // "YYYY-MM-DD HH:MM:SS", bar end, exchange-local
        ends.push(s.openAt + ((Number(stamp.slice(11, 13)) * 60 + Number(stamp.slice(14, 16)) - this.openMinute) * 60 + Number(stamp.slice(17, 19))) * 1000);
        bars.push({ open: m.open[i] * price, high: m.high[i] * price, low: m.low[i] * price, close: m.close[i] * price, volume: m.volume[i] * volume });
      }
      return DayPath.fromMinutes(date, s.openAt, s.closeAt, prevClose, ends, bars);
    }
    const i = sd.daily ? indexOf(sd.daily.dates, date) : -1;
    return i < 0 ? undefined : DayPath.fromDaily(date, s.openAt, s.closeAt, prevClose, rowOf(sd.daily!, i));
  }

  /** Factors putting a day of minute bars onto the daily file's basis (1 and 1 for 'raw' or without a daily bar). */
  private minuteScale(sd: SymbolData, date: string, [from, to]: [number, number]): { price: number; volume: number } {
    const i = sd.daily ? indexOf(sd.daily.dates, date) : -1;
    if (this.config.intradayBasis === 'raw' || i < 0) return { price: 1, volume: 1 };
    let sum = 0;
    for (let k = from; k < to; k++) sum += sd.intraday!.volume[k];
    return { price: sd.daily!.close[i] / sd.intraday!.close[to - 1], volume: sum > 0 ? sd.daily!.volume[i] / sum : 1 };
  }

  /** Close of the symbol's last bar dated before `date`. */
  private closeBefore(sd: SymbolData, date: string): number | undefined {
    const k = lowerBound(sd.dates, date) - 1;
    if (k < 0) return undefined;
    const d = sd.dates[k];
    const minutes = sd.minuteDays.get(d);
    if (minutes) return sd.intraday!.close[minutes[1] - 1] * this.minuteScale(sd, d, minutes).price;
    return sd.daily!.close[indexOf(sd.daily!.dates, d)];
  }
}

function rowOf(s: BarSeries, i: number): BarValues {
  return { open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
}

function withTime(v: BarValues, time: number, date: string): HistoricalBar {
  return { time, date, ...v, wap: (v.high + v.low + v.close) / 3 };
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexOf(sorted: readonly string[], key: string): number {
  const i = lowerBound(sorted, key);
  return i < sorted.length && sorted[i] === key ? i : -1;
}
