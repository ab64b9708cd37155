/**
 * Pairs strategy signals (DESIGN §2). Pure and deterministic: no I/O, no clock, no randomness.
 *
 * ## Spread
 * Prices are the two legs' closes on the same sessions, oldest first (the caller aligns them; the last one is the
 * as-of session). The spread is the log spread s = ln A − hedgeRatio·ln B of the pair screen (screening.ts: A is the
 * dependent leg; the intercept is left out because a z-score does not see a constant). Everything is measured on
 * the last `lookbackDays` sessions:
 * - z = (s_now − mean) / sample σ of s over the window (statistics.zScore);
 * - spread volatility = sample σ of the daily spread changes over the last `spreadVolWindow` sessions, and its
 *   historical average = the mean of that rolling σ over the window ("spread volatility above its historical
 *   average": the spread is moving enough now to revert within the holding limit).
 *
 * ## Sides
 * z > entryZ → SHORT_SPREAD (sell A, buy B); z < −entryZ → LONG_SPREAD (buy A, sell B). No entry when |z| is already
 * at or beyond stopZ: the trade would start at its stop (and its stop distance, which sizes it, would be ≤ 0).
 * Exits are side-aware, so a spread that overshoots through the mean is taken as reverted rather than held:
 * SHORT_SPREAD exits when z < exitZ and stops when z ≥ stopZ; LONG_SPREAD exits when z > −exitZ and stops when
 * z ≤ −stopZ; both leave after maxHoldingDays NYSE sessions after the entry date.
 */
import type { TraderConfig } from '../config/schema';
import { nextTradingDay, tradingDaysBetween } from './calendar';
import { reason, type Reason } from './screening';
import { logSpreadStdDev, zScore } from './statistics';

export type PairsConfig = TraderConfig['strategies']['pairs'];
export type SpreadSide = 'LONG_SPREAD' | 'SHORT_SPREAD';

/** Closes of the two legs on the same sessions, oldest first. */
export interface PairPrices {
  dates: readonly string[];
  a: ArrayLike<number>;
  b: ArrayLike<number>;
}


export interface SpreadState {
  date: string;
  /** Current log spread ln A − hedgeRatio·ln B. */
  spread: number;
  z: number;
  /** Sample σ of the spread level over the window: the z denominator, and what turns a stop in z into dollars. */
  spreadStdDev: number;
  /** Sample σ of daily spread changes over the last spreadVolWindow sessions, and its mean over the window. */
  spreadVol: number;
  spreadVolAverage: number;
}

export type PairEntryCode =
  | 'STRATEGY_DISABLED' | 'INSUFFICIENT_HISTORY'
  | 'Z_ABOVE_ENTRY' | 'Z_BELOW_ENTRY' | 'Z_INSIDE_ENTRY_BAND' | 'Z_BEYOND_STOP'
  | 'SPREAD_VOL_ABOVE_AVERAGE' | 'SPREAD_VOL_NOT_ABOVE_AVERAGE' | 'SPREAD_VOL_CHECK_DISABLED';

export interface PairEntryDecision {
  action: 'ENTER' | 'NONE';
  /** Set when action is ENTER. */
  side: SpreadSide | undefined;
  /** 'ENTER', or the first condition that failed. */
  code: 'ENTER' | PairEntryCode;
  hedgeRatio: number;
  reasons: Reason<PairEntryCode>[];
  /** Undefined only when there is not enough history to measure the spread. */
  state: SpreadState | undefined;
}

export interface PairPosition {
  side: SpreadSide;
  /** The hedge ratio the position was entered with; the spread is re-measured with it. */
  hedgeRatio: number;
  /** Session of the entry fill, YYYY-MM-DD. */
  entryDate: string;
}

/** An exit condition's code when it holds (outcome 'pass') and when it does not ('fail'). */
export type PairExitCode = 'STOP_Z' | 'BEFORE_STOP_Z' | 'EXIT_Z' | 'OUTSIDE_EXIT_Z' | 'MAX_HOLDING_DAYS' | 'WITHIN_HOLDING_PERIOD';
export type PairExitTrigger = 'STOP_Z' | 'EXIT_Z' | 'MAX_HOLDING_DAYS';

export interface PairExitDecision {
  action: 'EXIT' | 'HOLD';
  /** The first condition that holds in the order stop, reversion, time; else 'HOLD'. */
  code: PairExitTrigger | 'HOLD';
  date: string;
  z: number;
  heldDays: number;
  reasons: Reason<PairExitCode>[];
}

export function pairsEntry(prices: PairPrices, hedgeRatio: number, cfg: PairsConfig): PairEntryDecision {
  const none = (r: Reason<PairEntryCode>): PairEntryDecision => ({ action: 'NONE', side: undefined, code: r.code, hedgeRatio, reasons: [r], state: undefined });
  if (!cfg.enabled) return none(reason('STRATEGY_DISABLED', 'fail'));
  if (prices.dates.length < cfg.lookbackDays) return none(reason('INSUFFICIENT_HISTORY', 'fail', prices.dates.length, cfg.lookbackDays));

  const state = spreadState(prices, hedgeRatio, cfg.lookbackDays, cfg.spreadVolWindow);
  const { z } = state;
  const side: SpreadSide | undefined = z > cfg.entryZ ? 'SHORT_SPREAD' : z < -cfg.entryZ ? 'LONG_SPREAD' : undefined;
  const reasons: Reason<PairEntryCode>[] = [
    side === 'SHORT_SPREAD'
      ? reason('Z_ABOVE_ENTRY', 'pass', z, cfg.entryZ)
      : side === 'LONG_SPREAD'
        ? reason('Z_BELOW_ENTRY', 'pass', z, -cfg.entryZ)
        : reason('Z_INSIDE_ENTRY_BAND', 'fail', z, [-cfg.entryZ, cfg.entryZ]),
  ];
  if (side && Math.abs(z) >= cfg.stopZ) reasons.push(reason('Z_BEYOND_STOP', 'fail', z, cfg.stopZ));
  reasons.push(volatilityReason(state, cfg.requireSpreadVolAboveAverage));
  const failed = reasons.find((r) => r.outcome === 'fail');
  return failed
    ? { action: 'NONE', side: undefined, code: failed.code, hedgeRatio, reasons, state }
    : { action: 'ENTER', side, code: 'ENTER', hedgeRatio, reasons, state };
}

export function pairsExit(position: PairPosition, prices: PairPrices, cfg: PairsConfig): PairExitDecision {
  if (prices.dates.length < cfg.lookbackDays) {
    throw new Error(`pairsExit: needs at least ${cfg.lookbackDays} sessions, got ${prices.dates.length}`);
  }
  const date = prices.dates[prices.dates.length - 1]!;
  const z = zScore(spreadWindow(prices, position.hedgeRatio, cfg.lookbackDays));
  const heldDays = tradingDaysBetween(nextTradingDay(position.entryDate), date).length;
  const short = position.side === 'SHORT_SPREAD';
  // The adverse and the reverting direction of z depend on the side (see the header).
  const stopLimit = short ? cfg.stopZ : -cfg.stopZ;
  const exitLimit = short ? cfg.exitZ : 0 - cfg.exitZ; // not −exitZ: an exitZ of 0 would put −0 in the record
  const stopped = short ? z >= stopLimit : z <= stopLimit;
  const reverted = short ? z < exitLimit : z > exitLimit;
  const reasons: Reason<PairExitCode>[] = [
    reason(stopped ? 'STOP_Z' : 'BEFORE_STOP_Z', stopped ? 'pass' : 'fail', z, stopLimit),
    reason(reverted ? 'EXIT_Z' : 'OUTSIDE_EXIT_Z', reverted ? 'pass' : 'fail', z, exitLimit),
    heldDays >= cfg.maxHoldingDays
      ? reason('MAX_HOLDING_DAYS', 'pass', heldDays, cfg.maxHoldingDays)
      : reason('WITHIN_HOLDING_PERIOD', 'fail', heldDays, cfg.maxHoldingDays),
  ];
  const hit = reasons.find((r) => r.outcome === 'pass');
  return { action: hit ? 'EXIT' : 'HOLD', code: hit ? (hit.code as PairExitTrigger) : 'HOLD', date, z, heldDays, reasons };
}

/** The spread measurements of the last `lookback` sessions (see the header). */
export function spreadState(prices: PairPrices, hedgeRatio: number, lookback: number, volWindow: number): SpreadState {
  if (!Number.isInteger(volWindow) || volWindow < 2 || volWindow > lookback - 2) {
    throw new Error(`spreadState: spreadVolWindow must be an integer in 2..${lookback - 2} (lookback − 2), got ${volWindow}`);
  }
  const s = spreadWindow(prices, hedgeRatio, lookback);
  const changes = new Array<number>(s.length - 1);
  for (let t = 1; t < s.length; t++) changes[t - 1] = s[t]! - s[t - 1]!;
  let sum = 0;
  let vol = NaN;
  for (let end = volWindow; end <= changes.length; end++) {
    vol = logSpreadStdDev(changes.slice(end - volWindow, end));
    sum += vol;
  }
  return {
    date: prices.dates[prices.dates.length - 1]!,
    spread: s[s.length - 1]!,
    z: zScore(s),
    spreadStdDev: logSpreadStdDev(s),
    spreadVol: vol,
    spreadVolAverage: sum / (changes.length - volWindow + 1),
  };
}

/** ln A − hedgeRatio·ln B over the last `lookback` sessions. */
function spreadWindow(prices: PairPrices, hedgeRatio: number, lookback: number): number[] {
  const n = prices.dates.length;
  if (prices.a.length !== n || prices.b.length !== n) {
    throw new Error(`pairs: dates, a and b must have the same length (got ${n}, ${prices.a.length}, ${prices.b.length})`);
  }
  if (!Number.isFinite(hedgeRatio)) throw new Error(`pairs: hedgeRatio must be finite, got ${hedgeRatio}`);
  const out = new Array<number>(lookback);
  for (let k = 0; k < lookback; k++) {
    const i = n - lookback + k;
    out[k] = Math.log(prices.a[i]!) - hedgeRatio * Math.log(prices.b[i]!);
  }
  return out;
}

function volatilityReason(state: SpreadState, required: boolean): Reason<PairEntryCode> {
  if (!required) return reason('SPREAD_VOL_CHECK_DISABLED', 'skip', state.spreadVol, state.spreadVolAverage);
  return state.spreadVol > state.spreadVolAverage
    ? reason('SPREAD_VOL_ABOVE_AVERAGE', 'pass', state.spreadVol, state.spreadVolAverage)
    : reason('SPREAD_VOL_NOT_ABOVE_AVERAGE', 'fail', state.spreadVol, state.spreadVolAverage);
}

/**
 * Both legs' closes on their common sessions before `date`, then the live prices as the current session: the input
 * pairsEntry/pairsExit expect during a trading day.
 */
export function pairPricesWithLive(
  a: { dates: readonly string[]; close: ArrayLike<number> },
  b: { dates: readonly string[]; close: ArrayLike<number> },
  date: string,
  lastA: number,
  lastB: number,
): PairPrices {
  const closeB = new Map<string, number>();
  for (let i = 0; i < b.dates.length; i++) closeB.set(b.dates[i]!, b.close[i]!);
  const dates: string[] = [], pa: number[] = [], pb: number[] = [];
  for (let i = 0; i < a.dates.length && a.dates[i]! < date; i++) {
    const cb = closeB.get(a.dates[i]!);
    if (cb !== undefined) {
      dates.push(a.dates[i]!);
      pa.push(a.close[i]!);
      pb.push(cb);
    }
  }
  dates.push(date);
  pa.push(lastA);
  pb.push(lastB);
  return { dates, a: pa, b: pb };
}
