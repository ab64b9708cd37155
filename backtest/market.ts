/**
 * The backtester's view of the market: every loaded daily series on one session clock. Nothing after the
 * current session can be read through it — strategy histories, pair prices, marks and fills all come from
 * bars dated at or before `date` — which is how the backtester keeps decisions at bar t to data up to t.
 * (Screening receives the full series with an `asOf`, and cuts them itself: trading/screening.ts.)
 */
import type { BarSeries } from '../market-data/files';
import type { Bar } from '../trading/indicators';
import type { PairPrices } from '../trading/pairs';

export class MarketView {
  /** Symbols, alphabetical; a symbol's id is its index here. */
  readonly symbols: readonly string[];
  readonly series: ReadonlyMap<string, BarSeries>;
  /** Every date with at least one bar, ascending. */
  readonly sessions: readonly string[];
  private readonly ids = new Map<string, number>();
  private readonly bySymbol: BarSeries[];
  /** Bars of session k, as (symbol id, bar index) pairs in [start[k], start[k + 1]) (compressed rows). */
  private readonly start: Int32Array;
  private readonly entrySymbol: Int32Array;
  private readonly entryIndex: Int32Array;
  /** Per symbol: index of its last bar at or before the current session (−1: none yet). */
  private readonly last: Int32Array;
  /** Per symbol: the session index its last bar belongs to. */
  private readonly lastSession: Int32Array;
  private cursor = -1;

  constructor(series: ReadonlyMap<string, BarSeries>) {
    this.series = series;
    this.symbols = [...series.keys()].sort();
    this.bySymbol = this.symbols.map((s) => series.get(s)!);
    this.symbols.forEach((s, i) => this.ids.set(s, i));
    const dates = new Set<string>();
    for (const s of this.bySymbol) for (const d of s.dates) dates.add(d);
    this.sessions = [...dates].sort();
    const sessionOf = new Map<string, number>();
    this.sessions.forEach((d, k) => sessionOf.set(d, k));

    // Counting sort of every bar into its session's row.
    const counts = new Int32Array(this.sessions.length + 1);
    for (const s of this.bySymbol) for (const d of s.dates) counts[sessionOf.get(d)! + 1]!++;
    for (let k = 1; k < counts.length; k++) counts[k]! += counts[k - 1]!;
    this.start = counts.slice();
    const fill = counts.slice();
    this.entrySymbol = new Int32Array(counts[counts.length - 1]!);
    this.entryIndex = new Int32Array(this.entrySymbol.length);
    this.bySymbol.forEach((s, id) => {
      for (let i = 0; i < s.dates.length; i++) {
        const slot = fill[sessionOf.get(s.dates[i]!)!]!++;
        this.entrySymbol[slot] = id;
        this.entryIndex[slot] = i;
      }
    });
    this.last = new Int32Array(this.symbols.length).fill(-1);
    this.lastSession = new Int32Array(this.symbols.length).fill(-1);
  }

  /** Index of the current session in `sessions` (−1 before the first advance). */
  get session(): number {
    return this.cursor;
  }

  get date(): string {
    return this.sessions[this.cursor] ?? '';
  }

  /** Moves the clock forward to session k (never back: what was seen stays seen). */
  advanceTo(k: number): void {
    if (k < this.cursor || k >= this.sessions.length) throw new Error(`MarketView: cannot move from session ${this.cursor} to ${k}`);
    for (let s = this.cursor + 1; s <= k; s++) {
      for (let e = this.start[s]!; e < this.start[s + 1]!; e++) {
        this.last[this.entrySymbol[e]!] = this.entryIndex[e]!;
        this.lastSession[this.entrySymbol[e]!] = s;
      }
    }
    this.cursor = k;
  }

  /** Number of bars on the current session. */
  barCount(): number {
    return this.cursor < 0 ? 0 : this.start[this.cursor + 1]! - this.start[this.cursor]!;
  }

  /** Calls visit for each symbol with a bar on the current session, with its series and the bar's index. */
  forEachBar(visit: (symbol: string, series: BarSeries, index: number) => void): void {
    if (this.cursor < 0) return;
    for (let e = this.start[this.cursor]!; e < this.start[this.cursor + 1]!; e++) {
      const id = this.entrySymbol[e]!;
      visit(this.symbols[id]!, this.bySymbol[id]!, this.entryIndex[e]!);
    }
  }

  /** A symbol with a bar on session k (undefined: k outside the data). */
  symbolOn(k: number): string | undefined {
    if (k < 0 || k >= this.sessions.length) return undefined;
    return this.symbols[this.entrySymbol[this.start[k]!]!];
  }

  has(symbol: string): boolean {
    return this.ids.has(symbol);
  }

  /** Index of the symbol's bar on the current session, or −1 when it has none today. */
  todayIndex(symbol: string): number {
    const id = this.ids.get(symbol);
    return id !== undefined && this.lastSession[id] === this.cursor ? this.last[id]! : -1;
  }

  /** Index of the symbol's last bar at or before the current session (−1: none). */
  lastIndex(symbol: string): number {
    const id = this.ids.get(symbol);
    return id === undefined ? -1 : this.last[id]!;
  }

  seriesOf(symbol: string): BarSeries {
    const s = this.series.get(symbol);
    if (!s) throw new Error(`MarketView: no data for ${symbol}`);
    return s;
  }

  /** Close of the last bar at or before the current session (NaN: none). */
  lastClose(symbol: string): number {
    const i = this.lastIndex(symbol);
    return i < 0 ? NaN : this.seriesOf(symbol).close[i]!;
  }

  /** The last `count` bars at or before the current session, oldest first. */
  history(symbol: string, count: number): Bar[] {
    const s = this.seriesOf(symbol);
    const end = this.lastIndex(symbol);
    const out: Bar[] = [];
    for (let i = Math.max(0, end - count + 1); i <= end; i++) out.push(barAt(s, i));
    return out;
  }

  /**
   * The closes of both legs on the last `count` sessions where BOTH have a bar, at or before the current session,
   * oldest first; undefined when they share fewer sessions.
   */
  pairCloses(a: string, b: string, count: number): PairPrices | undefined {
    const sa = this.seriesOf(a);
    const sb = this.seriesOf(b);
    let i = this.lastIndex(a);
    let j = this.lastIndex(b);
    const dates = new Array<string>(count);
    const ca = new Float64Array(count);
    const cb = new Float64Array(count);
    let k = count;
    while (k > 0 && i >= 0 && j >= 0) {
      const da = sa.dates[i]!;
      const db = sb.dates[j]!;
      if (da > db) i--;
      else if (db > da) j--;
      else {
        k--;
        dates[k] = da;
        ca[k] = sa.close[i--]!;
        cb[k] = sb.close[j--]!;
      }
    }
    return k === 0 ? { dates, a: ca, b: cb } : undefined;
  }
}

/** Bar i of a column-wise series as a Bar object. */
export function barAt(s: BarSeries, i: number): Bar {
  return { date: s.dates[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
}
