// Mean-reversion and pairs strategy signals (trading/mean-reversion.ts, trading/pairs.ts) on hand-computed bars.
import type { TraderConfig } from '../config/schema';
import { previousTradingDay } from '../trading/calendar';
import type { Bar } from '../trading/indicators';
import { blackoutWindow, meanReversionEntry, meanReversionExit, requiredBars, type MeanReversionConfig } from '../trading/mean-reversion';
import { pairsEntry, pairsExit, spreadState, type PairPrices, type PairsConfig } from '../trading/pairs';

/** The n NYSE sessions ending at `end`, oldest first. */
function sessions(n: number, end: string): string[] {
  const out = [end];
  while (out.length < n) out.unshift(previousTradingDay(out[0]!));
  return out;
}

function mrConfig(patch: Partial<MeanReversionConfig> = {}): MeanReversionConfig {
  return {
    enabled: true, bollingerPeriod: 20, bollingerStdDev: 2, rsiPeriod: 14, rsiOversold: 30, rsiOverbought: 70, volumeAvgPeriod: 20,
    volumeMultiplier: 1.5, earningsBlackoutDays: 3, stopLossPct: 0.02, maxHoldingDays: 5, riskPerTradePct: 0.01, ...patch,
  };
}

function pairsConfig(patch: Partial<PairsConfig> = {}): TraderConfig['strategies']['pairs'] {
  return { enabled: true, lookbackDays: 41, entryZ: 2, exitZ: 0.5, stopZ: 3, requireSpreadVolAboveAverage: true, spreadVolWindow: 20, maxHoldingDays: 10, riskPerPairPct: 0.02, ...patch };
}

/** Bars from closes (open = close, high/low = close ± 0.25, volume 1,000 unless given), ending at `end`. */
function bars(closes: number[], end: string, volumes?: number[]): Bar[] {
  const dates = sessions(closes.length, end);
  return closes.map((c, i) => ({ date: dates[i]!, open: c, high: c + 0.25, low: c - 0.25, close: c, volume: volumes?.[i] ?? 1000 }));
}

/** n closes alternating 100.5 / 99.5, the last one 100.5. */
function alternating(n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((n - 1 - i) % 2 === 0 ? 100.5 : 99.5));
}

// ---------------------------------------------------------------------------------------------
// Mean reversion: entry

describe('mean-reversion entry (long only)', () => {
  const END = '2024-01-10';
  const N = 300;
  // 299 alternating closes ending on 100.5, then a 10-point drop to 90.5 on 1.6× the usual volume.
  const closes = [...alternating(N - 1), 90.5];
  const volumes = [...new Array<number>(N - 1).fill(1000), 1600];
  const oversold = bars(closes, END, volumes);

  // Hand computation.
  // RSI(14): alternating ±1 changes settle Wilder's averages at G = (1/14) / (1 − (13/14)²) = 14/27 right after a
  // gain and L = 13/27. The drop of 10: G = 14/27 · 13/14 = 13/27, L = (13/27 · 13 + 10) / 14 = 439/378, so
  // RSI = 100·G / (G + L) = 100 · 182 / 621 ≈ 29.3076 (< 30).
  const RSI = (100 * 182) / 621;
  // Bollinger(20, 2) on ten 100.5s, nine 99.5s and 90.5: mean 1991 / 20 = 99.55; Σ(x − mean)² = 10·0.95² + 9·0.05² +
  // 9.05² = 90.95; population σ = √(90.95 / 20) = √4.5475; lower = 99.55 − 2√4.5475 ≈ 95.285 ≥ 90.5.
  const LOWER = 99.55 - 2 * Math.sqrt(4.5475);
  const UPPER = 99.55 + 2 * Math.sqrt(4.5475);

  test('price at the lower band, RSI oversold and a volume spike enter long; the stop sits stopLossPct below', () => {
    const d = meanReversionEntry(oversold, undefined, mrConfig());
    expect(d.indicators.rsi).toBeCloseTo(RSI, 6);
    expect(d.indicators.bbLower).toBeCloseTo(LOWER, 10);
    expect(d.indicators.bbUpper).toBeCloseTo(UPPER, 10);
    expect(d.indicators.bbMiddle).toBeCloseTo(99.55, 10);
    // 1,600 against the average of the 20 sessions before it (1,000).
    expect(d.indicators).toMatchObject({ volume: 1600, avgVolume: 1000, volumeRatio: 1.6 });
    expect(d).toMatchObject({ action: 'ENTER_LONG', code: 'ENTER_LONG', date: END, price: 90.5, stopPrice: 88.69 }); // 90.5 × 0.98
    expect(d.reasons).toEqual([
      { code: 'PRICE_AT_LOWER_BAND', outcome: 'pass', value: 90.5, limit: d.indicators.bbLower },
      { code: 'RSI_OVERSOLD', outcome: 'pass', value: d.indicators.rsi, limit: 30 },
      { code: 'VOLUME_SURGE', outcome: 'pass', value: 1.6, limit: 1.5 },
      // No earnings calendar given: the filter is skipped and the decision says so.
      { code: 'EARNINGS_CALENDAR_ABSENT', outcome: 'skip', limit: 3 },
    ]);
  });

  test('boundaries: a touch of the band counts; RSI and volume must be strictly beyond their limits', () => {
    // Flat closes: σ = 0, so the lower band equals the price; no movement gives RSI exactly 50; 1,500 = 1.5 × 1,000.
    const flat = bars(new Array<number>(N).fill(100), END, [...new Array<number>(N - 1).fill(1000), 1500]);
    const d = meanReversionEntry(flat, undefined, mrConfig({ rsiOversold: 50 }));
    expect(d.reasons.slice(0, 3)).toEqual([
      { code: 'PRICE_AT_LOWER_BAND', outcome: 'pass', value: 100, limit: 100 },
      { code: 'RSI_NOT_OVERSOLD', outcome: 'fail', value: 50, limit: 50 },
      { code: 'VOLUME_TOO_LOW', outcome: 'fail', value: 1.5, limit: 1.5 },
    ]);
    expect(d).toMatchObject({ action: 'NONE', code: 'RSI_NOT_OVERSOLD' });
  });

  test('a live quote is tested against the bands of the last completed session', () => {
    // 96 is above the lower band (≈ 95.285): no touch.
    const d = meanReversionEntry(oversold, { price: 96, date: '2024-01-11' }, mrConfig());
    expect(d).toMatchObject({ action: 'NONE', code: 'PRICE_ABOVE_LOWER_BAND', date: '2024-01-11', price: 96, stopPrice: 94.08 });
    expect(d.reasons[0]).toEqual({ code: 'PRICE_ABOVE_LOWER_BAND', outcome: 'fail', value: 96, limit: d.indicators.bbLower });
  });

  test('no entry within earningsBlackoutDays sessions of an announcement, before or after (NYSE sessions)', () => {
    // As of Wed 2024-01-10, 3 sessions back is Fri 01-05; 3 sessions ahead is Tue 01-16 (Mon 01-15 is MLK Day).
    expect(blackoutWindow(END, 3)).toEqual(['2024-01-05', '2024-01-16']);
    const window = '2024-01-05..2024-01-16';
    const at = (earningsDates: string[]) => meanReversionEntry(oversold, undefined, mrConfig(), { earningsDates });
    expect(at(['2024-01-16']).reasons[3]).toEqual({ code: 'EARNINGS_BLACKOUT', outcome: 'fail', value: '2024-01-16', limit: window });
    expect(at(['2024-01-16']).code).toBe('EARNINGS_BLACKOUT');
    expect(at(['2024-01-05']).code).toBe('EARNINGS_BLACKOUT');
    expect(at(['2024-01-17', '2024-01-04']).reasons[3]).toEqual({ code: 'NO_EARNINGS_NEARBY', outcome: 'pass', limit: window });
    expect(at(['2024-01-17']).action).toBe('ENTER_LONG');
    expect(at([]).action).toBe('ENTER_LONG');
    expect(meanReversionEntry(oversold, undefined, mrConfig({ earningsBlackoutDays: 0 }), { earningsDates: ['2024-01-11'] }).action).toBe('ENTER_LONG');
  });

  test('disabled strategy and short history are decisions, not exceptions', () => {
    expect(meanReversionEntry(oversold, undefined, mrConfig({ enabled: false }))).toMatchObject({
      action: 'NONE', code: 'STRATEGY_DISABLED', reasons: [{ code: 'STRATEGY_DISABLED', outcome: 'fail' }],
    });
    // max(Bollinger 20, RSI 14 + 1, volume 20 + 1) = 21 bars.
    expect(requiredBars(mrConfig())).toBe(21);
    const short = meanReversionEntry(oversold.slice(-20), undefined, mrConfig());
    expect(short).toMatchObject({ action: 'NONE', code: 'INSUFFICIENT_HISTORY', reasons: [{ code: 'INSUFFICIENT_HISTORY', outcome: 'fail', value: 20, limit: 21 }] });
    expect(short.indicators.rsi).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------------
// Mean reversion: exit

describe('mean-reversion exit', () => {
  // Steady alternation 99.5 / 100.5 ending on 100.5: Bollinger mean 100, population σ 0.5 → bands exactly 99 / 101;
  // RSI after a gain = 100 · (14/27) / (14/27 + 13/27) = 1400/27 ≈ 51.85.
  const END = '2024-01-22';
  const steady = bars(alternating(300), END);
  const position = { entryPrice: 100, entryDate: '2024-01-18' }; // stop 100 × 0.98 = 98; held: 19, 22 → 2 sessions
  const withLastLow = (low: number): Bar[] => [...steady.slice(0, -1), { ...steady[steady.length - 1]!, low }];

  test('nothing triggered: hold, with every condition and its numbers', () => {
    const d = meanReversionExit(position, steady, undefined, mrConfig());
    expect(d.indicators.bbUpper).toBe(101);
    expect(d.indicators.rsi).toBeCloseTo(1400 / 27, 6);
    expect(d).toMatchObject({ action: 'HOLD', code: 'HOLD', date: END, price: 100.5, stopPrice: 98, heldDays: 2 });
    expect(d.reasons).toEqual([
      { code: 'ABOVE_STOP', outcome: 'fail', value: 100.25, limit: 98 }, // the bar's low
      { code: 'BELOW_UPPER_BAND', outcome: 'fail', value: 100.5, limit: 101 },
      { code: 'RSI_NOT_OVERBOUGHT', outcome: 'fail', value: d.indicators.rsi, limit: 70 },
      { code: 'WITHIN_HOLDING_PERIOD', outcome: 'fail', value: 2, limit: 5 },
    ]);
  });

  test('stop-loss: a low exactly at entry × (1 − stopLossPct) triggers it, one cent above does not; a quote is used as is', () => {
    expect(meanReversionExit(position, withLastLow(98), undefined, mrConfig()).reasons[0]).toEqual({ code: 'STOP_LOSS', outcome: 'pass', value: 98, limit: 98 });
    expect(meanReversionExit(position, withLastLow(98), undefined, mrConfig())).toMatchObject({ action: 'EXIT', code: 'STOP_LOSS' });
    expect(meanReversionExit(position, withLastLow(98.01), undefined, mrConfig()).action).toBe('HOLD');
    expect(meanReversionExit(position, steady, { price: 97.5, date: END }, mrConfig()).reasons[0]).toEqual({ code: 'STOP_LOSS', outcome: 'pass', value: 97.5, limit: 98 });
  });

  test('upper band reached (inclusive) and RSI strictly above overbought', () => {
    const upper = meanReversionExit(position, steady, { price: 101, date: END }, mrConfig());
    expect(upper).toMatchObject({ action: 'EXIT', code: 'UPPER_BAND' });
    expect(upper.reasons[1]).toEqual({ code: 'UPPER_BAND', outcome: 'pass', value: 101, limit: 101 });
    expect(meanReversionExit(position, steady, undefined, mrConfig({ rsiOverbought: 51 }))).toMatchObject({ action: 'EXIT', code: 'RSI_OVERBOUGHT' });
    // Flat closes: RSI exactly 50, not above an overbought level of 50.
    const flat = bars(new Array<number>(300).fill(100), END);
    expect(meanReversionExit(position, flat, undefined, mrConfig({ rsiOverbought: 50 })).reasons[2]).toEqual({ code: 'RSI_NOT_OVERBOUGHT', outcome: 'fail', value: 50, limit: 50 });
  });

  test('maxHoldingDays counts NYSE sessions after the entry day, skipping holidays; the stop outranks time', () => {
    // Entry Fri 2024-01-12; Mon 01-15 is MLK Day: 16, 17, 18, 19 → 4 sessions on 01-19, the 5th on Mon 01-22.
    const held = (end: string) => meanReversionExit({ entryPrice: 100, entryDate: '2024-01-12' }, bars(alternating(300), end), undefined, mrConfig());
    expect(held('2024-01-19')).toMatchObject({ action: 'HOLD', heldDays: 4 });
    expect(held('2024-01-22')).toMatchObject({ action: 'EXIT', code: 'MAX_HOLDING_DAYS', heldDays: 5 });
    expect(held('2024-01-22').reasons[3]).toEqual({ code: 'MAX_HOLDING_DAYS', outcome: 'pass', value: 5, limit: 5 });
    const both = meanReversionExit({ entryPrice: 100, entryDate: '2024-01-12' }, withLastLow(97), undefined, mrConfig());
    expect(both.code).toBe('STOP_LOSS');
    expect(both.reasons.filter((r) => r.outcome === 'pass').map((r) => r.code)).toEqual(['STOP_LOSS', 'MAX_HOLDING_DAYS']);
  });

  test('an exit without enough bars for its indicators is a programming error', () => {
    expect(() => meanReversionExit(position, steady.slice(-20), undefined, mrConfig())).toThrow(/needs at least 21 bars, got 20/);
  });
});

// ---------------------------------------------------------------------------------------------
// Pairs

/**
 * Leg B is constant at 1 (ln 1 = 0), so the spread ln A − β·ln B is ln A. The window (lookbackDays 41) holds 40
 * values alternating ±d (mean 0, population variance d²) and a last value D. With n = 41:
 *   mean M = D/n, sample variance S² = d² + D²/n, z = (D − M)/S = D·(n − 1)/n / √(d² + D²/n).
 */
const n = 41;
const d = 0.01;
const zOf = (D: number): number => (D * (n - 1)) / n / Math.sqrt(d * d + (D * D) / n);

/** `phase` +1: s_t = +d on even t (so s_39 = −d); −1: the mirror image. */
function spreadPrices(D: number, phase: 1 | -1, end = '2024-01-31'): PairPrices {
  const s = Array.from({ length: n }, (_, t) => (t === n - 1 ? D : phase * d * (t % 2 === 0 ? 1 : -1)));
  return { dates: sessions(s.length, end), a: s.map(Math.exp), b: new Array<number>(s.length).fill(1) };
}

describe('pairs entry', () => {
  // Spread changes c_i = s_{i+1} − s_i: ∓2d alternating for i ≤ 38, then c_39 = D − s_39. Rolling σ over 20 changes:
  // the 20 windows before the last hold ten +2d and ten −2d → σ = 2d·√(20/19). The last window (c_20..c_39) holds
  // ten −2d, nine +2d and D + d (phase +1): Σc = D − d, Σc² = 76d² + (D + d)², σ² = (Σc² − (Σc)²/20) / 19.
  const D = 0.025;
  const calm = 2 * d * Math.sqrt(20 / 19);
  const last = Math.sqrt((76 * d * d + (D + d) ** 2 - (D - d) ** 2 / 20) / 19);

  test('z above entryZ shorts the spread while its volatility is above average', () => {
    const e = pairsEntry(spreadPrices(D, 1), 1, pairsConfig());
    expect(e.state!.z).toBeCloseTo(zOf(D), 12); // ≈ 2.2720
    expect(e.state!.spreadVol).toBeCloseTo(last, 12); // ≈ 0.021538
    expect(e.state!.spreadVolAverage).toBeCloseTo((20 * calm + last) / 21, 12); // ≈ 0.020568
    expect(e.state!.spreadStdDev).toBeCloseTo(Math.sqrt(d * d + (D * D) / n), 12);
    expect(e).toMatchObject({ action: 'ENTER', side: 'SHORT_SPREAD', code: 'ENTER', hedgeRatio: 1 });
    expect(e.reasons).toEqual([
      { code: 'Z_ABOVE_ENTRY', outcome: 'pass', value: e.state!.z, limit: 2 },
      { code: 'SPREAD_VOL_ABOVE_AVERAGE', outcome: 'pass', value: e.state!.spreadVol, limit: e.state!.spreadVolAverage },
    ]);
  });

  test('z below −entryZ longs the spread (the mirror image)', () => {
    const e = pairsEntry(spreadPrices(-D, -1), 1, pairsConfig());
    expect(e.state!.z).toBeCloseTo(-zOf(D), 12);
    expect(e).toMatchObject({ action: 'ENTER', side: 'LONG_SPREAD' });
    expect(e.reasons[0]).toEqual({ code: 'Z_BELOW_ENTRY', outcome: 'pass', value: e.state!.z, limit: -2 });
  });

  test('the hedge ratio weights leg B: ln A − 0.5·ln B', () => {
    const p = spreadPrices(D, 1);
    const b = p.dates.map((_, t) => Math.exp(0.3 * Math.sin(t)));
    const a = Array.from(p.a, (x, t) => x * Math.sqrt(b[t]!)); // ln A = s + 0.5·ln B
    expect(pairsEntry({ dates: p.dates, a, b }, 0.5, pairsConfig()).state!.z).toBeCloseTo(zOf(D), 9);
  });

  test('no entry inside the band, at or beyond the stop, or while the spread is calmer than usual', () => {
    // D = 0.01: z = 0.0097561 / √(0.0001 + 0.0001/41) ≈ 0.964.
    const inside = pairsEntry(spreadPrices(0.01, 1), 1, pairsConfig());
    expect(inside.reasons[0]).toEqual({ code: 'Z_INSIDE_ENTRY_BAND', outcome: 'fail', value: inside.state!.z, limit: [-2, 2] });
    expect(inside.state!.z).toBeCloseTo(zOf(0.01), 12);
    expect(inside).toMatchObject({ action: 'NONE', side: undefined, code: 'Z_INSIDE_ENTRY_BAND' });
    // D = 0.06: z = 0.0585366 / √(0.0001 + 0.0036/41) ≈ 4.27 ≥ stopZ 3: the trade would start at its stop.
    const beyond = pairsEntry(spreadPrices(0.06, 1), 1, pairsConfig());
    expect(beyond.state!.z).toBeCloseTo(zOf(0.06), 12);
    expect(beyond).toMatchObject({ action: 'NONE', code: 'Z_BEYOND_STOP' });
    expect(beyond.reasons[1]).toEqual({ code: 'Z_BEYOND_STOP', outcome: 'fail', value: beyond.state!.z, limit: 3 });
    // Phase −1 with a last value +D: c_39 = D − d, the last window holds ten +2d, nine −2d and D − d:
    // Σc = 2d + D − d = 0.035, Σc² = 76d² + 0.015², σ² = (0.007825 − 0.035²/20) / 19 → σ ≈ 0.020214 < the average.
    const calmNow = pairsEntry(spreadPrices(D, -1), 1, pairsConfig());
    expect(calmNow.state!.z).toBeCloseTo(zOf(D), 12);
    expect(calmNow.state!.spreadVol).toBeCloseTo(Math.sqrt((0.007825 - 0.035 ** 2 / 20) / 19), 12);
    expect(calmNow).toMatchObject({ action: 'NONE', code: 'SPREAD_VOL_NOT_ABOVE_AVERAGE' });
    // With requireSpreadVolAboveAverage off the check is skipped and said so.
    const off = pairsEntry(spreadPrices(D, -1), 1, pairsConfig({ requireSpreadVolAboveAverage: false }));
    expect(off).toMatchObject({ action: 'ENTER', side: 'SHORT_SPREAD' });
    expect(off.reasons[1]).toMatchObject({ code: 'SPREAD_VOL_CHECK_DISABLED', outcome: 'skip' });
  });

  test('disabled, short history and a bad volatility window', () => {
    expect(pairsEntry(spreadPrices(D, 1), 1, pairsConfig({ enabled: false }))).toMatchObject({ action: 'NONE', code: 'STRATEGY_DISABLED', state: undefined });
    const p = spreadPrices(D, 1);
    const short = pairsEntry({ dates: p.dates.slice(1), a: Array.from(p.a).slice(1), b: Array.from(p.b).slice(1) }, 1, pairsConfig());
    expect(short.reasons).toEqual([{ code: 'INSUFFICIENT_HISTORY', outcome: 'fail', value: 40, limit: 41 }]);
    expect(() => spreadState(p, 1, 41, 40)).toThrow(/spreadVolWindow must be an integer in 2\.\.39/);
  });
});

describe('pairs exit', () => {
  const D = 0.025;
  const flatSpread: PairPrices = { dates: sessions(n, '2024-01-31'), a: new Array<number>(n).fill(50), b: new Array<number>(n).fill(50) };

  test('z back inside the exit band exits; exactly on the band does not', () => {
    // A = B and hedge ratio 1: the spread is 0 throughout and its z exactly 0.
    const short = { side: 'SHORT_SPREAD' as const, hedgeRatio: 1, entryDate: '2024-01-29' };
    const e = pairsExit(short, flatSpread, pairsConfig());
    expect(e).toMatchObject({ action: 'EXIT', code: 'EXIT_Z', z: 0, heldDays: 2 });
    expect(e.reasons).toEqual([
      { code: 'BEFORE_STOP_Z', outcome: 'fail', value: 0, limit: 3 },
      { code: 'EXIT_Z', outcome: 'pass', value: 0, limit: 0.5 },
      { code: 'WITHIN_HOLDING_PERIOD', outcome: 'fail', value: 2, limit: 10 },
    ]);
    expect(pairsExit(short, flatSpread, pairsConfig({ exitZ: 0 })).reasons[1]).toEqual({ code: 'OUTSIDE_EXIT_Z', outcome: 'fail', value: 0, limit: 0 });
    expect(pairsExit({ ...short, side: 'LONG_SPREAD' }, flatSpread, pairsConfig({ exitZ: 0 })).reasons[1]).toEqual({ code: 'OUTSIDE_EXIT_Z', outcome: 'fail', value: 0, limit: 0 });
  });

  test('side-aware: the same z ≈ 4.27 stops a short spread and takes profit on a long one', () => {
    const prices = spreadPrices(0.06, 1);
    const short = pairsExit({ side: 'SHORT_SPREAD', hedgeRatio: 1, entryDate: '2024-01-29' }, prices, pairsConfig());
    expect(short.z).toBeCloseTo(zOf(0.06), 12);
    expect(short).toMatchObject({ action: 'EXIT', code: 'STOP_Z' });
    expect(short.reasons[0]).toEqual({ code: 'STOP_Z', outcome: 'pass', value: short.z, limit: 3 });
    const long = pairsExit({ side: 'LONG_SPREAD', hedgeRatio: 1, entryDate: '2024-01-29' }, prices, pairsConfig());
    expect(long).toMatchObject({ action: 'EXIT', code: 'EXIT_Z' });
    expect(long.reasons[0]).toEqual({ code: 'BEFORE_STOP_Z', outcome: 'fail', value: long.z, limit: -3 });
    // z ≈ 2.27 on a short spread: neither stopped nor reverted.
    expect(pairsExit({ side: 'SHORT_SPREAD', hedgeRatio: 1, entryDate: '2024-01-29' }, spreadPrices(D, 1), pairsConfig()).action).toBe('HOLD');
  });

  test('maxHoldingDays counts NYSE sessions: entry 2024-01-11, the 10th session after is 01-26 (MLK Day skipped)', () => {
    // 12, 16, 17, 18, 19, 22, 23, 24, 25, 26.
    const pos = { side: 'SHORT_SPREAD' as const, hedgeRatio: 1, entryDate: '2024-01-11' };
    expect(pairsExit(pos, spreadPrices(D, 1, '2024-01-25'), pairsConfig())).toMatchObject({ action: 'HOLD', heldDays: 9 });
    const due = pairsExit(pos, spreadPrices(D, 1, '2024-01-26'), pairsConfig());
    expect(due).toMatchObject({ action: 'EXIT', code: 'MAX_HOLDING_DAYS', heldDays: 10 });
    expect(due.reasons[2]).toEqual({ code: 'MAX_HOLDING_DAYS', outcome: 'pass', value: 10, limit: 10 });
  });

  test('inputs that cannot be measured throw', () => {
    const pos = { side: 'SHORT_SPREAD' as const, hedgeRatio: 1, entryDate: '2024-01-11' };
    expect(() => pairsExit(pos, { ...flatSpread, dates: flatSpread.dates.slice(1), a: [], b: [] }, pairsConfig())).toThrow(/needs at least 41 sessions, got 40/);
    expect(() => pairsExit(pos, { ...flatSpread, a: [1, 2] }, pairsConfig())).toThrow(/same length/);
  });
});
