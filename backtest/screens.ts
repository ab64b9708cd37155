/**
 * The backtest's screening schedule, as live runs it (DESIGN §2 Schedule), made affordable over 20 years:
 *
 * - Mean-reversion candidates: the pre-market screen of session t, as of the close of t − 1 (screenUniverse).
 *   Screening all 504 symbols every session would cost ~50 ms × 5,400 sessions, so it is run lazily and exactly:
 *   only for the symbols whose entry signal fired at t (a handful a day), plus one symbol that has a bar on t − 1.
 *   screenUniverse judges each symbol on its own bars; the only thing it takes across symbols is the session
 *   date (the latest bar ≤ asOf, which drops stale symbols), and that extra symbol keeps it the full universe's.
 *   The ranking (lowest ADX first) is per symbol too, so the subset comes out in the full screen's order.
 * - Pairs: selected on the weekly universe refresh (schedule.universeRefresh.dayOfWeek, taken after that day's
 *   close), as of the last session before it, and traded from the next session on; a backtest starts with a
 *   selection as of the session before its first.
 */
import type { TraderConfig } from '../config/schema';
import type { BarSeries, SectorInfo } from '../market-data/files';
import { IndicatorStream, type SnapshotParams } from '../trading/indicators';
import { screenUniverse, selectPairs, type PairScreen } from '../trading/screening';
import { barAt, type MarketView } from './market';

type Sectors = ReadonlyMap<string, SectorInfo | string>;

/** Relative tolerance of the entry pre-check (see EntryWatch). */
const TOLERANCE = 1e-9;

/**
 * Necessary conditions of meanReversionEntry, kept up to date bar by bar: the close at or below the lower band
 * (PRICE_AT_LOWER_BAND) and the volume above volumeMultiplier × its average over the sessions before
 * (VOLUME_SURGE). One IndicatorStream per symbol follows its bars in date order (from the strategy's window before
 * the first session), so the strategy builds its full history only on the ~2 % of symbol-days that pass. Both
 * depend only on their last `period` bars; the tolerance covers the last-bit rounding between moving sums started
 * at different bars, so no entry is missed. RSI, a Wilder average over the whole history, is left to the strategy.
 */
export class EntryWatch {
  private readonly streams = new Map<string, IndicatorStream>();
  private readonly params: SnapshotParams;
  private readonly volumeMultiplier: number;

  constructor(cfg: TraderConfig) {
    const mr = cfg.strategies.meanReversion;
    const s = cfg.screening.meanReversion;
    this.params = { bb: [mr.bollingerPeriod, mr.bollingerStdDev], rsi: mr.rsiPeriod, atr: s.atrPeriod, adx: s.adxPeriod, volume: mr.volumeAvgPeriod };
    this.volumeMultiplier = mr.volumeMultiplier;
  }

  /** Feeds bar i of the symbol (each bar once, in date order); true when the strategy could enter on it. */
  update(symbol: string, s: BarSeries, i: number): boolean {
    let stream = this.streams.get(symbol);
    if (!stream) this.streams.set(symbol, (stream = new IndicatorStream(this.params)));
    const { bbLower, volumeRatio } = stream.next(barAt(s, i));
    return s.close[i]! <= bbLower + Math.abs(bbLower) * TOLERANCE && volumeRatio > this.volumeMultiplier * (1 - TOLERANCE);
  }
}

/** Of `symbols`, the mean-reversion candidates of the screen as of session `asOf`, in the screen's order. */
export function screenedCandidates(view: MarketView, symbols: readonly string[], asOf: number, sectors: Sectors | undefined, cfg: TraderConfig): string[] {
  const reference = view.symbolOn(asOf);
  if (reference === undefined || symbols.length === 0) return [];
  const bars = new Map([...symbols, reference].map((s) => [s, view.seriesOf(s)]));
  const wanted = new Set(symbols);
  return screenUniverse({ asOf: view.sessions[asOf]!, bars, sectors }, cfg)
    .meanReversionCandidates.map((c) => c.symbol)
    .filter((s) => wanted.has(s));
}

/** The pairs selection as of session `asOf` over every loaded symbol, best first. */
export function selectedPairs(view: MarketView, asOf: number, sectors: Sectors | undefined, cfg: TraderConfig): PairScreen[] {
  const input = { asOf: view.sessions[asOf]!, bars: view.series, sectors };
  return selectPairs(input, screenUniverse(input, cfg), cfg).candidates;
}

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
const DAY_MS = 86_400_000;

/** Whether a universe refresh (on `weekday`, after that day's close) falls between session `previous` and `date`. */
export function refreshBetween(previous: string, date: string, weekday: (typeof WEEKDAYS)[number]): boolean {
  const target = WEEKDAYS.indexOf(weekday);
  for (let t = Date.parse(`${previous}T00:00:00Z`); t < Date.parse(`${date}T00:00:00Z`); t += DAY_MS) {
    if (new Date(t).getUTCDay() === target) return true;
  }
  return false;
}
