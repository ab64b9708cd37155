/**
 * Mean-reversion strategy signals (DESIGN §2). Pure and deterministic: no I/O, no clock, no randomness.
 *
 * LONG-ONLY, as the design describes it: buy a name stretched below its lower Bollinger Band on a volume spike,
 * sell it back at the upper band, on RSI strength, at the stop or after the holding limit. There is no short side.
 *
 * ## Inputs
 * `bars` are completed daily bars, oldest first; the last one is the latest session, so nothing later can leak in.
 * Indicators (Bollinger, RSI, volume average) are computed on them. An optional `quote` is the live price during
 * the next session: price tests (band touch, stop, upper band) then use it against the indicators of the last
 * completed session. Without a quote the tests use the last bar: the close for band and RSI conditions, which are
 * evaluated at the close, and the LOW for the stop, because the stop is a resting order at the broker (bracket)
 * that fills as soon as the price trades through it.
 *
 * ## Boundaries
 * entry: price ≤ lower band (a touch counts) · RSI < rsiOversold · volume > volumeMultiplier × average of the
 * `volumeAvgPeriod` sessions before the bar · no earnings within earningsBlackoutDays sessions before or after
 * the as-of date (an upcoming report can gap through the stop; a fresh one moves the price for reasons that need
 * not revert). exit: price ≤ entry × (1 − stopLossPct) · price ≥ upper band · RSI > rsiOverbought · sessions held
 * ≥ maxHoldingDays (NYSE sessions after the entry date up to the as-of date, from the calendar, so a data gap does
 * not extend a holding).
 */
import type { TraderConfig } from '../config/schema';
import { nextTradingDay, previousTradingDay, tradingDaysBetween } from './calendar';
import { averageVolume, bollinger, last, rsi, volumeRatio, type Bar } from './indicators';
import { reason, type Reason } from './screening';

export type MeanReversionConfig = TraderConfig['strategies']['meanReversion'];

/** A live price during a session after the last bar. */
export interface Quote {
  price: number;
  /** Session date of the quote, YYYY-MM-DD: the as-of date of the decision. */
  date: string;
}

export interface EntryContext {
  /**
   * Earnings announcement dates of the symbol (YYYY-MM-DD). Undefined when no earnings calendar is available:
   * the filter is then skipped and the decision carries EARNINGS_CALENDAR_ABSENT. An empty list means "none known".
   */
  earningsDates?: readonly string[];
}

export type EntryCode =
  | 'STRATEGY_DISABLED' | 'INSUFFICIENT_HISTORY'
  | 'PRICE_AT_LOWER_BAND' | 'PRICE_ABOVE_LOWER_BAND'
  | 'RSI_OVERSOLD' | 'RSI_NOT_OVERSOLD'
  | 'VOLUME_SURGE' | 'VOLUME_TOO_LOW'
  | 'NO_EARNINGS_NEARBY' | 'EARNINGS_BLACKOUT' | 'EARNINGS_CALENDAR_ABSENT';

/** An exit condition's code when it holds (outcome 'pass') and when it does not ('fail'). */
export type ExitCode =
  | 'STOP_LOSS' | 'ABOVE_STOP'
  | 'UPPER_BAND' | 'BELOW_UPPER_BAND'
  | 'RSI_OVERBOUGHT' | 'RSI_NOT_OVERBOUGHT'
  | 'MAX_HOLDING_DAYS' | 'WITHIN_HOLDING_PERIOD';
export type ExitTrigger = 'STOP_LOSS' | 'UPPER_BAND' | 'RSI_OVERBOUGHT' | 'MAX_HOLDING_DAYS';

export interface MeanReversionIndicators {
  bbLower: number;
  bbMiddle: number;
  bbUpper: number;
  rsi: number;
  /** Volume of the last bar and the average of the `volumeAvgPeriod` bars before it. */
  volume: number;
  avgVolume: number;
  volumeRatio: number;
}

export interface MeanReversionEntryDecision {
  action: 'ENTER_LONG' | 'NONE';
  /** 'ENTER_LONG', or the first condition that failed. */
  code: 'ENTER_LONG' | EntryCode;
  /** As-of date: the quote's session, else the last bar's date. */
  date: string;
  /** Reference entry price: the quote, else the last close. */
  price: number;
  /** price × (1 − stopLossPct): the stop the position is sized and bracketed with. */
  stopPrice: number;
  /** Every condition evaluated, in order. */
  reasons: Reason<EntryCode>[];
  indicators: MeanReversionIndicators;
}

export interface MeanReversionPosition {
  entryPrice: number;
  /** Session of the entry fill, YYYY-MM-DD. */
  entryDate: string;
}

export interface MeanReversionExitDecision {
  action: 'EXIT' | 'HOLD';
  /** The first condition that holds in the order stop, upper band, RSI, time; else 'HOLD'. */
  code: ExitTrigger | 'HOLD';
  date: string;
  price: number;
  stopPrice: number;
  heldDays: number;
  /** Every exit condition: outcome 'pass' when it holds. */
  reasons: Reason<ExitCode>[];
  indicators: MeanReversionIndicators;
}

export function meanReversionEntry(bars: readonly Bar[], quote: Quote | undefined, cfg: MeanReversionConfig, context: EntryContext = {}): MeanReversionEntryDecision {
  const date = quote?.date ?? bars[bars.length - 1]?.date ?? '';
  const price = quote?.price ?? bars[bars.length - 1]?.close ?? NaN;
  const stopPrice = price * (1 - cfg.stopLossPct);
  const need = requiredBars(cfg);
  const blocked = !cfg.enabled
    ? reason<EntryCode>('STRATEGY_DISABLED', 'fail')
    : bars.length < need
      ? reason<EntryCode>('INSUFFICIENT_HISTORY', 'fail', bars.length, need)
      : undefined;
  if (blocked) return { action: 'NONE', code: blocked.code, date, price, stopPrice, reasons: [blocked], indicators: indicatorsAt(bars, cfg) };

  const ind = indicatorsAt(bars, cfg);
  const reasons: Reason<EntryCode>[] = [
    price <= ind.bbLower ? reason('PRICE_AT_LOWER_BAND', 'pass', price, ind.bbLower) : reason('PRICE_ABOVE_LOWER_BAND', 'fail', price, ind.bbLower),
    ind.rsi < cfg.rsiOversold ? reason('RSI_OVERSOLD', 'pass', ind.rsi, cfg.rsiOversold) : reason('RSI_NOT_OVERSOLD', 'fail', ind.rsi, cfg.rsiOversold),
    ind.volumeRatio > cfg.volumeMultiplier
      ? reason('VOLUME_SURGE', 'pass', ind.volumeRatio, cfg.volumeMultiplier)
      : reason('VOLUME_TOO_LOW', 'fail', ind.volumeRatio, cfg.volumeMultiplier),
    earningsReason(context.earningsDates, date, cfg.earningsBlackoutDays),
  ];
  const failed = reasons.find((r) => r.outcome === 'fail');
  return { action: failed ? 'NONE' : 'ENTER_LONG', code: failed ? failed.code : 'ENTER_LONG', date, price, stopPrice, reasons, indicators: ind };
}

export function meanReversionExit(position: MeanReversionPosition, bars: readonly Bar[], quote: Quote | undefined, cfg: MeanReversionConfig): MeanReversionExitDecision {
  const need = requiredBars(cfg);
  if (bars.length < need) throw new Error(`meanReversionExit: needs at least ${need} bars, got ${bars.length}`);
  const bar = bars[bars.length - 1]!;
  const date = quote?.date ?? bar.date;
  const price = quote?.price ?? bar.close;
  const stopTest = quote?.price ?? bar.low;
  const stopPrice = position.entryPrice * (1 - cfg.stopLossPct);
  const heldDays = tradingDaysBetween(nextTradingDay(position.entryDate), date).length;
  const ind = indicatorsAt(bars, cfg);
  const reasons: Reason<ExitCode>[] = [
    stopTest <= stopPrice ? reason('STOP_LOSS', 'pass', stopTest, stopPrice) : reason('ABOVE_STOP', 'fail', stopTest, stopPrice),
    price >= ind.bbUpper ? reason('UPPER_BAND', 'pass', price, ind.bbUpper) : reason('BELOW_UPPER_BAND', 'fail', price, ind.bbUpper),
    ind.rsi > cfg.rsiOverbought ? reason('RSI_OVERBOUGHT', 'pass', ind.rsi, cfg.rsiOverbought) : reason('RSI_NOT_OVERBOUGHT', 'fail', ind.rsi, cfg.rsiOverbought),
    heldDays >= cfg.maxHoldingDays
      ? reason('MAX_HOLDING_DAYS', 'pass', heldDays, cfg.maxHoldingDays)
      : reason('WITHIN_HOLDING_PERIOD', 'fail', heldDays, cfg.maxHoldingDays),
  ];
  const hit = reasons.find((r) => r.outcome === 'pass');
  return { action: hit ? 'EXIT' : 'HOLD', code: hit ? (hit.code as ExitTrigger) : 'HOLD', date, price, stopPrice, heldDays, reasons, indicators: ind };
}

/** Bars before every indicator is defined: Bollinger needs `period`, RSI and the volume baseline one more. */
export function requiredBars(cfg: MeanReversionConfig): number {
  return Math.max(cfg.bollingerPeriod, cfg.rsiPeriod + 1, cfg.volumeAvgPeriod + 1);
}

function indicatorsAt(bars: readonly Bar[], cfg: MeanReversionConfig): MeanReversionIndicators {
  const n = bars.length;
  if (n < requiredBars(cfg)) return { bbLower: NaN, bbMiddle: NaN, bbUpper: NaN, rsi: NaN, volume: NaN, avgVolume: NaN, volumeRatio: NaN };
  const closes = bars.map((b) => b.close);
  const volumes = bars.map((b) => b.volume);
  const bb = bollinger(closes, cfg.bollingerPeriod, cfg.bollingerStdDev);
  return {
    bbLower: last(bb.lower),
    bbMiddle: last(bb.middle),
    bbUpper: last(bb.upper),
    rsi: last(rsi(closes, cfg.rsiPeriod)),
    volume: volumes[n - 1]!,
    // averageVolume[i] includes bar i: the baseline of the last bar is the average ending one bar earlier.
    avgVolume: averageVolume(volumes, cfg.volumeAvgPeriod)[n - 2]!,
    volumeRatio: last(volumeRatio(volumes, cfg.volumeAvgPeriod)),
  };
}

function earningsReason(dates: readonly string[] | undefined, asOf: string, days: number): Reason<EntryCode> {
  if (dates === undefined) return reason('EARNINGS_CALENDAR_ABSENT', 'skip', undefined, days);
  const [from, to] = blackoutWindow(asOf, days);
  const window = `${from}..${to}`;
  const hit = dates.find((d) => d >= from && d <= to);
  return hit === undefined ? reason('NO_EARNINGS_NEARBY', 'pass', undefined, window) : reason('EARNINGS_BLACKOUT', 'fail', hit, window);
}

/** The dates `days` NYSE sessions before and after asOf (asOf itself when days = 0). */
export function blackoutWindow(asOf: string, days: number): [string, string] {
  let from = asOf;
  let to = asOf;
  for (let k = 0; k < days; k++) {
    from = previousTradingDay(from);
    to = nextTradingDay(to);
  }
  return [from, to];
}
