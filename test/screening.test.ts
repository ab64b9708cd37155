// Universe screen, mean-reversion candidates and pair selection (trading/screening.ts): hand-computed synthetic
// cases for every rule and reason code, boundaries, no look-ahead, and one screen over the real data.
import * as path from 'node:path';
import { loadConfig } from '../config';
import type { TraderConfig } from '../config/schema';
import { loadDailyBars, loadSectors, type BarSeries } from '../market-data/files';
import { previousTradingDay } from '../trading/calendar';
import { coint } from '../trading/cointegration';
import { correlation, logReturns, logSpreadStdDev, olsHedgeRatio } from '../trading/statistics';
import {
  lastIndexAtOrBefore,
  screenUniverse,
  selectPairs,
  type DailySeries,
  type PairScreen,
  type Reason,
  type ScreenConfig,
  type ScreenInput,
  type SymbolScreen,
} from '../trading/screening';

// ---------------------------------------------------------------------------------------------
// Fixtures

const END = '2019-12-31';

/** The n NYSE sessions ending at `end`, oldest first. */
function sessions(n: number, end = END): string[] {
  const out = [end];
  while (out.length < n) out.unshift(previousTradingDay(out[0]!));
  return out;
}

/** Daily series from closes; high/low default to close ± range; open = close. */
function makeSeries(closes: number[], opts: { range?: number; high?: number[]; low?: number[]; volume?: number; end?: string } = {}): DailySeries {
  const n = closes.length;
  const r = opts.range ?? 0;
  return {
    dates: sessions(n, opts.end),
    open: Float64Array.from(closes),
    high: Float64Array.from(opts.high ?? closes.map((c) => c + r)),
    low: Float64Array.from(opts.low ?? closes.map((c) => c - r)),
    close: Float64Array.from(closes),
    volume: new Float64Array(n).fill(opts.volume ?? 100_000),
  };
}

/** Closes alternating 101 / 99 and ending on 99 (the as-of bar). */
function zigCloses(n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((n - 1 - i) % 2 === 0 ? 99 : 101));
}

const constant = (n: number, v: number): number[] => new Array<number>(n).fill(v);

type Patch = { universe?: Partial<TraderConfig['screening']['universe']>; meanReversion?: Partial<TraderConfig['screening']['meanReversion']>; pairs?: Partial<TraderConfig['screening']['pairs']> };

/** The shipped defaults, written out so the hand computations below do not move with config/default.yaml. */
function config(patch: Patch = {}): ScreenConfig {
  return {
    screening: {
      universe: { minAvgDollarVolume: 1_000_000, avgVolumeDays: 20, maxSpreadPct: 0.001, minPrice: 5, maxPrice: 500, minMarketCap: 100_000_000, exchanges: ['NYSE', 'NASDAQ'], ...patch.universe },
      meanReversion: { atrPeriod: 20, minAtrPct: 0.01, maxAtrPct: 0.05, adxPeriod: 14, maxAdx: 25, minBollingerWidthPct: 0.02, indicatorBars: 250, ...patch.meanReversion },
      pairs: { correlationLookbackDays: 126, minCorrelation: 0.7, maxCointegrationPValue: 0.05, minSpreadVolatility: 0.01, sectorPolicy: 'prefer', maxMarketCapDifferencePct: 0.5, maxMissingSessions: 3, ...patch.pairs },
    },
    strategies: {
      meanReversion: {
        enabled: true, bollingerPeriod: 20, bollingerStdDev: 2, rsiPeriod: 14, rsiOversold: 30, rsiOverbought: 70, volumeAvgPeriod: 20,
        volumeMultiplier: 1.5, earningsBlackoutDays: 3, stopLossPct: 0.02, maxHoldingDays: 5, riskPerTradePct: 0.01,
      },
      pairs: { enabled: true, lookbackDays: 126, entryZ: 2, exitZ: 0.5, stopZ: 3, requireSpreadVolAboveAverage: true, spreadVolWindow: 20, maxHoldingDays: 10, riskPerPairPct: 0.02 },
    },
  };
}

function input(bars: Record<string, DailySeries>, extra: Omit<ScreenInput, 'asOf' | 'bars'> & { asOf?: string } = {}): ScreenInput {
  return { asOf: END, bars: new Map(Object.entries(bars)), ...extra };
}

function bySymbol(symbols: SymbolScreen[], symbol: string): SymbolScreen {
  const s = symbols.find((x) => x.symbol === symbol);
  if (!s) throw new Error(`no result for ${symbol}`);
  return s;
}

function reasonOf<C extends string>(reasons: Reason<C>[], code: C): Reason<C> {
  const r = reasons.find((x) => x.code === code);
  if (!r) throw new Error(`no ${code} in ${JSON.stringify(reasons)}`);
  return r;
}

const codes = (reasons: Reason[]): string[] => reasons.map((r) => r.code);

// ---------------------------------------------------------------------------------------------
// Universe filters

describe('universe filters', () => {
  const N = 300;
  const universe = screenUniverse(
    input({
      ZIG: makeSeries(zigCloses(N), { range: 1, volume: 20_000 }),
      DV_AT: makeSeries(constant(N, 50), { range: 0.5, volume: 20_000 }),
      DV_ABOVE: makeSeries(constant(N, 50), { range: 0.5, volume: 20_001 }),
      P5: makeSeries(constant(N, 5), { range: 0.05, volume: 1_000_000 }),
      P4_99: makeSeries(constant(N, 4.99), { range: 0.05, volume: 1_000_000 }),
      P500: makeSeries(constant(N, 500), { range: 5, volume: 10_000 }),
      P500_5: makeSeries(constant(N, 500.5), { range: 5, volume: 10_000 }),
      STALE: makeSeries(zigCloses(N), { range: 1, volume: 20_000, end: previousTradingDay(END) }),
      SHORT19: makeSeries(zigCloses(19), { range: 1, volume: 20_000 }),
      LATE: makeSeries(zigCloses(30), { range: 1, volume: 20_000, end: '2020-03-31' }), // every bar after END
      ZERO: makeSeries([...zigCloses(N - 1), 0], { range: 0, volume: 20_000 }),
    }),
    config(),
  );
  const u = (symbol: string): SymbolScreen['universe'] => bySymbol(universe.symbols, symbol).universe;

  test('a liquid $99 stock passes with the numbers that decided each rule; absent data is skipped, not passed', () => {
    expect(universe.sessionDate).toBe(END);
    // Last 20 closes: ten 101s and ten 99s, volume 20,000 each → (10·101 + 10·99)·20,000 / 20 = 2,000,000.
    expect(u('ZIG')).toEqual({
      passed: true,
      reasons: [
        { code: 'DOLLAR_VOLUME_OK', outcome: 'pass', value: 2_000_000, limit: 1_000_000 },
        { code: 'PRICE_OK', outcome: 'pass', value: 99, limit: [5, 500] },
        { code: 'SPREAD_UNKNOWN', outcome: 'skip', limit: 0.001 },
        { code: 'MARKET_CAP_UNKNOWN', outcome: 'skip', limit: 100_000_000 },
        { code: 'EXCHANGE_UNKNOWN', outcome: 'skip', limit: 'NYSE,NASDAQ' },
      ],
    });
  });

  test('dollar volume must exceed the minimum: exactly $1,000,000 is dropped', () => {
    // 50 × 20,000 = 1,000,000 on every bar; 20,001 shares → 1,000,050.
    expect(u('DV_AT').passed).toBe(false);
    expect(reasonOf(u('DV_AT').reasons, 'DOLLAR_VOLUME_TOO_LOW')).toEqual({ code: 'DOLLAR_VOLUME_TOO_LOW', outcome: 'fail', value: 1_000_000, limit: 1_000_000 });
    expect(reasonOf(u('DV_ABOVE').reasons, 'DOLLAR_VOLUME_OK').value).toBe(1_000_050);
    expect(u('DV_ABOVE').passed).toBe(true);
  });

  test('the price range is inclusive at both ends', () => {
    expect(reasonOf(u('P5').reasons, 'PRICE_OK').value).toBe(5);
    expect(reasonOf(u('P500').reasons, 'PRICE_OK').value).toBe(500);
    expect(reasonOf(u('P4_99').reasons, 'PRICE_TOO_LOW')).toEqual({ code: 'PRICE_TOO_LOW', outcome: 'fail', value: 4.99, limit: 5 });
    expect(reasonOf(u('P500_5').reasons, 'PRICE_TOO_HIGH')).toEqual({ code: 'PRICE_TOO_HIGH', outcome: 'fail', value: 500.5, limit: 500 });
    expect([u('P5').passed, u('P500').passed, u('P4_99').passed, u('P500_5').passed]).toEqual([true, true, false, false]);
  });

  test('stale, missing, short and non-positive histories are dropped with a data reason', () => {
    expect(u('STALE')).toEqual({ passed: false, reasons: [{ code: 'STALE_DATA', outcome: 'fail', value: previousTradingDay(END), limit: END }] });
    expect(u('SHORT19')).toEqual({ passed: false, reasons: [{ code: 'INSUFFICIENT_HISTORY', outcome: 'fail', value: 19, limit: 20 }] });
    expect(u('LATE')).toEqual({ passed: false, reasons: [{ code: 'NO_DATA', outcome: 'fail' }] });
    expect(u('ZERO').reasons[0]).toMatchObject({ code: 'INVALID_DATA', outcome: 'fail' });
    expect(bySymbol(universe.symbols, 'LATE').lastDate).toBeUndefined();
  });

  test('spread, market cap and exchange are checked where given: strict limits, listed exchanges', () => {
    const bars = { A: makeSeries(zigCloses(N), { range: 1, volume: 20_000 }), B: makeSeries(zigCloses(N), { range: 1, volume: 20_000 }) };
    const r = screenUniverse(
      input(bars, {
        spreadPct: new Map([['A', 0.00099], ['B', 0.001]]),
        marketCap: new Map([['A', 100_000_001], ['B', 100_000_000]]),
        exchange: new Map([['A', 'NASDAQ'], ['B', 'ARCA']]),
      }),
      config(),
    );
    expect(bySymbol(r.symbols, 'A').universe.reasons.slice(2)).toEqual([
      { code: 'SPREAD_OK', outcome: 'pass', value: 0.00099, limit: 0.001 },
      { code: 'MARKET_CAP_OK', outcome: 'pass', value: 100_000_001, limit: 100_000_000 },
      { code: 'EXCHANGE_OK', outcome: 'pass', value: 'NASDAQ', limit: 'NYSE,NASDAQ' },
    ]);
    // A spread of exactly 0.1 % of mid and a cap of exactly $100M are not "below" / "above" their limits.
    expect(bySymbol(r.symbols, 'B').universe).toEqual({
      passed: false,
      reasons: [
        expect.objectContaining({ code: 'DOLLAR_VOLUME_OK' }),
        expect.objectContaining({ code: 'PRICE_OK' }),
        { code: 'SPREAD_TOO_WIDE', outcome: 'fail', value: 0.001, limit: 0.001 },
        { code: 'MARKET_CAP_TOO_LOW', outcome: 'fail', value: 100_000_000, limit: 100_000_000 },
        { code: 'EXCHANGE_NOT_ALLOWED', outcome: 'fail', value: 'ARCA', limit: 'NYSE,NASDAQ' },
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Mean-reversion filters

describe('mean-reversion filters', () => {
  const N = 300;
  const zig = zigCloses(N);
  const trend = Array.from({ length: N }, (_, i) => 50 + 0.1 * i);
  const nanHigh = makeSeries(zig, { range: 1, volume: 20_000 });
  (nanHigh.high as Float64Array)[290] = NaN;
  const universe = screenUniverse(
    input({
      ZIG: makeSeries(zig, { range: 1, volume: 20_000 }),
      BOX: makeSeries(zig, { high: constant(N, 102), low: constant(N, 98), volume: 20_000 }),
      FLAT: makeSeries(constant(N, 50), { range: 0.5, volume: 40_000 }),
      TREND: makeSeries(trend, { range: 0.5, volume: 20_000 }),
      ATR_LO: makeSeries(constant(N, 100), { range: 0.5, volume: 20_000 }),
      ATR_HI: makeSeries(constant(N, 100), { range: 2.5, volume: 20_000 }),
      ATR_BELOW: makeSeries(constant(N, 100), { range: 0.49, volume: 20_000 }),
      ATR_ABOVE: makeSeries(constant(N, 100), { range: 2.6, volume: 20_000 }),
      SHORT25: makeSeries(zigCloses(25), { range: 1, volume: 20_000 }),
      NAN_HIGH: nanHigh,
    }),
    config(),
  );
  const mr = (symbol: string): SymbolScreen => bySymbol(universe.symbols, symbol);

  test('an alternating 99/101 series: ATR% = 3/99, ADX = 100/27, Bollinger width = 4 %', () => {
    // True range: e.g. close 99 → 101 with high 102, low 100: max(2, |102 − 99|, |100 − 99|) = 3 on every bar, so
    // Wilder's ATR is exactly 3 and ATR% = 3 / 99 at the last close.
    // ADX(14): +DM = 2 and −DM = 2 on alternate bars, TR constant. Wilder sums settle at hi = 2 / (1 − (13/14)²) =
    // 392/27 right after a +2 and lo = hi·13/14 = 364/27, so DX = 100·(hi − lo)/(hi + lo) = 100·28/756 = 100/27 on
    // every bar, and ADX converges to 100/27 ≈ 3.7037 (the warm-up transient decays as (13/14)^k).
    // Bollinger(20, 2): ten 99s and ten 101s → mean 100, population σ 1 → bands 98..102 → width 4/100.
    const z = mr('ZIG');
    expect(z.metrics.atrPct).toBeCloseTo(3 / 99, 12);
    expect(z.metrics.adx).toBeCloseTo(100 / 27, 5);
    expect(z.metrics.bbWidth).toBe(0.04);
    expect(z.meanReversion).toEqual({
      passed: true,
      reasons: [
        { code: 'ATR_PCT_OK', outcome: 'pass', value: z.metrics.atrPct, limit: [0.01, 0.05] },
        { code: 'ADX_OK', outcome: 'pass', value: z.metrics.adx, limit: 25 },
        { code: 'BB_WIDTH_OK', outcome: 'pass', value: 0.04, limit: 0.02 },
      ],
    });
  });

  test('the ATR% range is inclusive: exactly 1 % and 5 % pass, 0.98 % and 5.2 % do not', () => {
    // Constant close 100 with high/low 100 ± r: true range 2r on every bar, ATR% = 2r / 100.
    expect(reasonOf(mr('ATR_LO').meanReversion.reasons, 'ATR_PCT_OK').value).toBe(0.01);
    expect(reasonOf(mr('ATR_HI').meanReversion.reasons, 'ATR_PCT_OK').value).toBe(0.05);
    const below = reasonOf(mr('ATR_BELOW').meanReversion.reasons, 'ATR_PCT_TOO_LOW');
    expect(below.value as number).toBeCloseTo(0.0098, 12);
    expect(below.limit).toBe(0.01);
    const above = reasonOf(mr('ATR_ABOVE').meanReversion.reasons, 'ATR_PCT_TOO_HIGH');
    expect(above.value as number).toBeCloseTo(0.052, 12);
    expect(above.limit).toBe(0.05);
  });

  test('ADX: a steady trend has ADX 100; ADX must stay strictly below the maximum', () => {
    // Every bar: up move 0.1, down move −0.1 → +DM only, −DI = 0, DX = 100, ADX = 100.
    expect(reasonOf(mr('TREND').meanReversion.reasons, 'ADX_TOO_HIGH')).toEqual({ code: 'ADX_TOO_HIGH', outcome: 'fail', value: 100, limit: 25 });
    // Constant highs and lows: no directional movement, ADX 0; with maxAdx 0 the value sits exactly on the limit.
    expect(mr('FLAT').metrics.adx).toBe(0);
    const atZero = screenUniverse(input({ FLAT: makeSeries(constant(N, 50), { range: 0.5, volume: 40_000 }) }), config({ meanReversion: { maxAdx: 0 } }));
    expect(reasonOf(atZero.symbols[0]!.meanReversion.reasons, 'ADX_TOO_HIGH')).toEqual({ code: 'ADX_TOO_HIGH', outcome: 'fail', value: 0, limit: 0 });
  });

  test('Bollinger width must exceed the minimum: 4 % against a 4 % minimum fails, a flat price has width 0', () => {
    expect(reasonOf(mr('FLAT').meanReversion.reasons, 'BB_WIDTH_TOO_LOW')).toEqual({ code: 'BB_WIDTH_TOO_LOW', outcome: 'fail', value: 0, limit: 0.02 });
    const at = screenUniverse(input({ ZIG: makeSeries(zig, { range: 1, volume: 20_000 }) }), config({ meanReversion: { minBollingerWidthPct: 0.04 } }));
    expect(reasonOf(at.symbols[0]!.meanReversion.reasons, 'BB_WIDTH_TOO_LOW')).toEqual({ code: 'BB_WIDTH_TOO_LOW', outcome: 'fail', value: 0.04, limit: 0.04 });
  });

  test('candidates pass the universe and every filter, least trending first', () => {
    // BOX: the ZIG closes inside a constant 98..102 range: TR = max(4, 3, 1) = 4 → ATR% 4/99; no directional
    // movement → ADX 0 < ZIG's 100/27; same bands (4 % wide).
    expect(mr('BOX').metrics.atrPct).toBeCloseTo(4 / 99, 12);
    expect(mr('BOX').metrics.adx).toBe(0);
    // ATR_LO / ATR_HI have a constant close: Bollinger width 0, so they are not candidates.
    expect(universe.meanReversionCandidates.map((s) => s.symbol)).toEqual(['BOX', 'ZIG']);
  });

  test('too little history for the indicators, or a bad bar in the window, is a reason, not an exception', () => {
    // snapshotMinBars: max(BB 20, RSI 14 + 1, ATR 20 + 1, 2 × ADX 14, volume 20 + 1) = 28 bars.
    expect(mr('SHORT25').universe.passed).toBe(true);
    expect(mr('SHORT25').meanReversion).toEqual({ passed: false, reasons: [{ code: 'INSUFFICIENT_HISTORY', outcome: 'fail', value: 25, limit: 28 }] });
    expect(mr('NAN_HIGH').meanReversion.reasons[0]).toMatchObject({ code: 'INVALID_DATA', outcome: 'fail', value: expect.stringMatching(/high is NaN/) });
    expect(mr('NAN_HIGH').universe.passed).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Pair selection

/**
 * Pair fixtures: 100 sessions ending END (or `n` sessions with the pattern anchored at `windowStart`); the pair window
 * (correlationLookbackDays 60) is the last 61 sessions, bars 39..99, and return j of the window is bar 39+j → 40+j.
 */
const L = 60;
const PAIR_N = 100;
const W0 = PAIR_N - 1 - L; // 39: first bar of the window

function fromLogPrices(lp: number[], end = END): DailySeries {
  return makeSeries(lp.map(Math.exp), { range: 0, volume: 100_000, end });
}

/** Log prices from ln(start) and returns r(j), j = bar index − W0 (the return into bar j + W0 + 1). */
function walk(start: number, r: (j: number) => number, n = PAIR_N): number[] {
  const lp = [Math.log(start)];
  for (let t = 0; t < n - 1; t++) lp.push(lp[t]! + r(t - W0));
  return lp;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;
/** x_j = ±a alternating; z_j = +b, +b, −b, −b: orthogonal to x and both mean 0 over 60 returns. */
const xPattern = (a: number) => (j: number): number => (mod(j, 2) === 0 ? a : -a);
const zPattern = (b: number) => (j: number): number => (mod(j, 4) < 2 ? b : -b);

/** B: log price constant over each pair of window bars (w = 2k, 2k + 1), stepping by 0.01·s(k). */
function lnB(t: number): number {
  const k = Math.floor((t - W0) / 2);
  return Math.log(50) + 0.01 * (mod(k * 7, 11) - 5);
}
/** The residual of A on B: +g_k, −g_k on window bars 2k, 2k + 1 (k = 0..29), 0 on the last window bar and before. */
const g = (k: number): number => 0.02 + (0.01 * mod(k * 37 + 11, 23)) / 23;
function residual(t: number): number {
  const w = t - W0;
  if (w < 0 || w >= 2 * 30) return 0;
  return w % 2 === 0 ? g(w / 2) : -g((w - 1) / 2);
}

/** A deterministic random walk (Park-Miller steps of ±0.02) for a residual that does not revert. */
function randomWalk(n: number, seed: number): number[] {
  let s = seed;
  let level = 0;
  return Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    level += s % 2 === 0 ? 0.02 : -0.02;
    return level;
  });
}

function pairOf(pairs: PairScreen[], a: string, b: string): PairScreen {
  const p = pairs.find((x) => x.a === a && x.b === b);
  if (!p) throw new Error(`no pair ${a}/${b}`);
  return p;
}

function screenPairs(bars: Record<string, DailySeries>, patch: Patch['pairs'], extra: Omit<ScreenInput, 'asOf' | 'bars'> = {}) {
  const cfg = config({ pairs: { correlationLookbackDays: L, ...patch } });
  const inp = input(bars, extra);
  return selectPairs(inp, screenUniverse(inp, cfg), cfg);
}

describe('pair selection', () => {
  const X = fromLogPrices(walk(50, xPattern(0.04)));
  const Y = fromLogPrices(walk(60, (j) => xPattern(0.04)(j) + zPattern(0.03)(j)));
  const NEG = fromLogPrices(walk(70, (j) => -xPattern(0.04)(j)));
  const B = fromLogPrices(Array.from({ length: PAIR_N }, (_, t) => lnB(t)));
  const A = fromLogPrices(Array.from({ length: PAIR_N }, (_, t) => lnB(t) + Math.LN2 + residual(t)));
  const rw = randomWalk(PAIR_N, 42);
  const C = fromLogPrices(Array.from({ length: PAIR_N }, (_, t) => lnB(t) + Math.LN2 + rw[t]!));
  const energy = (...s: string[]) => new Map(s.map((x) => [x, 'Energy']));

  test('correlation of log returns over the window: x·(x + z) / (|x|·|x + z|) = a / √(a² + b²) = 0.8', () => {
    // x ⟂ z and both have mean 0 over the 60 window returns, so corr(X, Y) = 0.04 / √(0.04² + 0.03²) = 0.8 and
    // corr(X, NEG) = −1 exactly.
    const r = screenPairs({ X, Y, NEG }, { minCorrelation: 0.79, minSpreadVolatility: 1 });
    expect(r.window).toEqual({ from: sessions(61)[0], to: END, sessions: 61 });
    const xy = pairOf(r.pairs, 'X', 'Y');
    expect(xy.correlation).toBeCloseTo(0.8, 12);
    expect(codes(xy.reasons)).toEqual(['SECTOR_UNKNOWN', 'MARKET_CAP_UNKNOWN', 'CORRELATION_OK', 'SPREAD_VOLATILITY_TOO_LOW']);
    expect(pairOf(r.pairs, 'NEG', 'X').correlation).toBeCloseTo(-1, 12);
    expect(pairOf(r.pairs, 'NEG', 'X').reasons.at(-1)).toMatchObject({ code: 'CORRELATION_TOO_LOW', outcome: 'fail', limit: 0.79 });
    // Checks stop at the first failure: later metrics stay NaN.
    expect(pairOf(r.pairs, 'NEG', 'X').hedgeRatio).toBeNaN();
    expect(pairOf(r.pairs, 'NEG', 'X').pValue).toBeNaN();

    const strict = screenPairs({ X, Y }, { minCorrelation: 0.81 });
    expect(strict.pairs[0]!.reasons.at(-1)).toEqual({ code: 'CORRELATION_TOO_LOW', outcome: 'fail', value: strict.pairs[0]!.correlation, limit: 0.81 });
  });

  test('hedge ratio, intercept and spread volatility of ln A on ln B', () => {
    // ln A = ln B + ln 2 + e, where e = +g_k, −g_k on bar pairs over which ln B is constant: Σ e·(ln B − mean) = 0,
    // so the OLS slope is exactly 1, the intercept ln 2, and the residual is e itself (mean 0), whose sample σ over
    // the 61 window prices is √(2·Σ g_k² / 60).
    let sumG2 = 0;
    for (let k = 0; k < 30; k++) sumG2 += g(k) ** 2;
    const sigma = Math.sqrt((2 * sumG2) / 60);
    const r = screenPairs({ A, B }, { minCorrelation: -1, minSpreadVolatility: sigma - 1e-6, maxCointegrationPValue: 1 });
    const ab = pairOf(r.pairs, 'A', 'B');
    expect(ab.hedgeRatio).toBeCloseTo(1, 12);
    expect(ab.intercept).toBeCloseTo(Math.LN2, 12);
    expect(ab.spreadStdDev).toBeCloseTo(sigma, 12);
    expect(reasonOf(ab.reasons, 'SPREAD_VOLATILITY_OK')).toEqual({ code: 'SPREAD_VOLATILITY_OK', outcome: 'pass', value: ab.spreadStdDev, limit: sigma - 1e-6 });
    const tooCalm = screenPairs({ A, B }, { minCorrelation: -1, minSpreadVolatility: sigma + 1e-6 });
    expect(tooCalm.pairs[0]!.reasons.at(-1)).toMatchObject({ code: 'SPREAD_VOLATILITY_TOO_LOW', outcome: 'fail', limit: sigma + 1e-6 });
    expect(tooCalm.stats.cointegrationTests).toBe(0);
  });

  test('Engle-Granger on the window log prices: a residual that flips sign every session is cointegrated, a random walk is not', () => {
    const r = screenPairs({ A, B, C }, { minCorrelation: -1 });
    const window = (s: DailySeries): number[] => Array.from(s.close).slice(W0).map(Math.log);
    const ab = pairOf(r.pairs, 'A', 'B');
    expect(ab.pValue).toBeLessThan(0.01);
    expect(ab.pValue).toBe(coint(window(A), window(B)).pValue);
    expect(ab.reasons.at(-1)).toEqual({ code: 'COINTEGRATED', outcome: 'pass', value: ab.pValue, limit: 0.05 });
    expect(ab.passed).toBe(true);
    const bc = pairOf(r.pairs, 'B', 'C');
    expect(bc.pValue).toBe(coint(window(B), window(C)).pValue);
    expect(bc.reasons.at(-1)).toEqual({ code: 'NOT_COINTEGRATED', outcome: 'fail', value: bc.pValue, limit: 0.05 });
    expect(bc.pValue).toBeGreaterThan(0.05);
    expect(r.candidates.map((p) => `${p.a}/${p.b}`)).toContain('A/B');
    expect(r.candidates.map((p) => `${p.a}/${p.b}`)).not.toContain('B/C');
  });

  test('market caps within the limit of the larger one: a 50 % difference passes, 51 % fails, unknown is skipped', () => {
    // |100 − 50| / 100 = 0.5 (inclusive); |100 − 49| / 100 = 0.51.
    const caps = (y: number) => new Map([['X', 100e9], ['Y', y]]);
    const ok = screenPairs({ X, Y }, { minCorrelation: 0.79 }, { marketCap: caps(50e9) });
    expect(ok.pairs[0]!.reasons[1]).toEqual({ code: 'MARKET_CAP_RATIO_OK', outcome: 'pass', value: 0.5, limit: 0.5 });
    const far = screenPairs({ X, Y }, { minCorrelation: 0.79 }, { marketCap: caps(49e9) });
    expect(far.pairs[0]!.reasons).toEqual([{ code: 'SECTOR_UNKNOWN', outcome: 'skip' }, { code: 'MARKET_CAP_RATIO_TOO_FAR', outcome: 'fail', value: 0.51, limit: 0.5 }]);
    expect(far.pairs[0]!.correlation).toBeNaN(); // pruned before the correlation
    const unknown = screenPairs({ X, Y }, { minCorrelation: 0.79 }, { marketCap: new Map([['X', 100e9]]) });
    expect(unknown.pairs[0]!.reasons[1]).toEqual({ code: 'MARKET_CAP_UNKNOWN', outcome: 'skip', limit: 0.5 });
  });

  test('sector policy: require never forms cross-sector pairs, prefer reports the sector, ignore does not', () => {
    const sectors = new Map([['X', 'Energy'], ['Y', 'Energy'], ['NEG', 'Utilities']]);
    const req = screenPairs({ X, Y, NEG }, { sectorPolicy: 'require' }, { sectors });
    expect(req.pairs.map((p) => `${p.a}/${p.b}`)).toEqual(['X/Y']);
    expect(req.stats).toMatchObject({ eligibleSymbols: 3, pairsEvaluated: 1, crossSectorNotEvaluated: 2 });
    expect(req.pairs[0]!.reasons[0]).toEqual({ code: 'SAME_SECTOR', outcome: 'pass' });

    const pref = screenPairs({ X, Y, NEG }, { sectorPolicy: 'prefer' }, { sectors });
    expect(pref.pairs.map((p) => [`${p.a}/${p.b}`, p.sameSector, p.reasons[0]!.code])).toEqual([
      ['NEG/X', false, 'DIFFERENT_SECTOR'],
      ['NEG/Y', false, 'DIFFERENT_SECTOR'],
      ['X/Y', true, 'SAME_SECTOR'],
    ]);
    const ign = screenPairs({ X, Y, NEG }, { sectorPolicy: 'ignore' }, { sectors });
    expect(ign.pairs.every((p) => p.reasons[0]!.code === 'MARKET_CAP_UNKNOWN')).toBe(true);

    // Under 'require' a symbol without a sector cannot be paired at all.
    const noSector = screenPairs({ X, Y, NEG }, { sectorPolicy: 'require' }, { sectors: energy('X', 'Y') });
    expect(noSector.excluded).toEqual([{ symbol: 'NEG', reason: { code: 'SECTOR_UNKNOWN', outcome: 'fail' } }]);
  });

  test('legs need the whole window (up to maxMissingSessions forward-filled gaps), moving prices and the universe', () => {
    const drop = (s: DailySeries, k: number): DailySeries => {
      const keep = (_: unknown, i: number): boolean => !(i >= 50 && i < 50 + k); // k sessions inside the window
      return {
        dates: s.dates.filter(keep),
        open: Float64Array.from(s.open).filter(keep),
        high: Float64Array.from(s.high).filter(keep),
        low: Float64Array.from(s.low).filter(keep),
        close: Float64Array.from(s.close).filter(keep),
        volume: Float64Array.from(s.volume).filter(keep),
      };
    };
    const recent = fromLogPrices(walk(50, xPattern(0.04)).slice(-40));
    const flat = fromLogPrices(constant(PAIR_N, Math.log(50)));
    const cheap = fromLogPrices(walk(3, xPattern(0.04)));
    // A zero close inside the window (bar 60), outside the last 20 bars the universe rules read.
    const bad = fromLogPrices(walk(50, xPattern(0.04)));
    (bad.close as Float64Array)[60] = 0;
    const r = screenPairs({ X, Y, M3: drop(X, 3), M4: drop(X, 4), RECENT: recent, FLAT: flat, CHEAP: cheap, BAD: bad }, {});
    expect(r.excluded).toEqual([
      { symbol: 'BAD', reason: { code: 'INVALID_DATA', outcome: 'fail', value: `close 0 on ${bad.dates[60]}` } },
      { symbol: 'FLAT', reason: { code: 'FLAT_PRICES', outcome: 'fail', value: 0 } },
      { symbol: 'M4', reason: { code: 'TOO_MANY_MISSING_SESSIONS', outcome: 'fail', value: 4, limit: 3 } },
      { symbol: 'RECENT', reason: { code: 'INSUFFICIENT_HISTORY', outcome: 'fail', value: recent.dates[0], limit: sessions(61)[0] } },
    ]);
    // CHEAP (≈ $3) fails the universe, so it is neither paired nor listed; M3's three gaps are forward-filled.
    expect(r.stats.eligibleSymbols).toBe(3);
    expect(r.pairs.map((p) => `${p.a}/${p.b}`)).toEqual(['M3/X', 'M3/Y', 'X/Y']);
    // Forward-filling three sessions turns three returns into 0 and one into their sum: still highly correlated.
    expect(pairOf(r.pairs, 'M3', 'X').correlation).toBeGreaterThan(0.9);
    const loose = screenPairs({ X, M4: drop(X, 4) }, { maxMissingSessions: 4 });
    expect(loose.excluded).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// No look-ahead

/** The series cut after `date` (what the data looked like on that day). */
function cut(s: DailySeries, date: string): DailySeries {
  const n = lastIndexAtOrBefore(s.dates, date) + 1;
  const head = (a: ArrayLike<number>): Float64Array => Float64Array.from(a).slice(0, n);
  return { dates: s.dates.slice(0, n), open: head(s.open), high: head(s.high), low: head(s.low), close: head(s.close), volume: head(s.volume) };
}

function cutAll(bars: ReadonlyMap<string, DailySeries>, date: string): Map<string, DailySeries> {
  return new Map([...bars].map(([k, s]) => [k, cut(s, date)]));
}

test('no look-ahead: the screen at D is the same whether or not data after D exists', () => {
  // 130 sessions; D is the 100th. After D the series crash, spike and decorrelate: none of it may show.
  const end = sessions(30, '2020-02-14').at(-1)!;
  const all = sessions(130, end);
  const D = all[99]!;
  const full = new Map<string, DailySeries>();
  const after = (t: number): number => (t > 99 ? (t % 3) * 0.2 - 0.5 : 0);
  full.set('X', fromLogPrices(walk(50, (j) => xPattern(0.04)(j) + after(j + W0 + 1), 130), end));
  full.set('Y', fromLogPrices(walk(60, (j) => xPattern(0.04)(j) + zPattern(0.03)(j) - after(j + W0 + 1), 130), end));
  full.set('A', fromLogPrices(Array.from({ length: 130 }, (_, t) => lnB(t) + Math.LN2 + residual(t) + after(t)), end));
  full.set('B', fromLogPrices(Array.from({ length: 130 }, (_, t) => lnB(t)), end));
  const cfg = config({ pairs: { correlationLookbackDays: L, minCorrelation: -1 } });
  const run = (bars: Map<string, DailySeries>) => {
    const inp: ScreenInput = { asOf: D, bars, sectors: new Map([['X', 'Energy'], ['Y', 'Energy'], ['A', 'Energy'], ['B', 'Utilities']]) };
    const u = screenUniverse(inp, cfg);
    return { u, p: selectPairs(inp, u, cfg) };
  };
  const withFuture = run(full);
  const withoutFuture = run(cutAll(full, D));
  expect(withFuture.u.sessionDate).toBe(D);
  expect(withFuture.p.window).toEqual({ from: all[39], to: D, sessions: 61 });
  expect(withFuture).toEqual(withoutFuture);
  expect(pairOf(withFuture.p.pairs, 'X', 'Y').correlation).toBeCloseTo(0.8, 12);
});

// ---------------------------------------------------------------------------------------------
// Real data

describe('real data: 32 S&P 500 names on 2015-06-30', () => {
  const dataDir = loadConfig({ env: {} }).config.data.dir;
  const SYMBOLS = 'XOM CVX COP OXY HAL SLB EOG JPM BAC C WFC GS MS KO PEP PG CL KMB MSFT AAPL INTC CSCO HD LOW UNP CSX NSC DUK SO AEP ED XEL'.split(' ');
  const D = '2015-06-30';
  let bars: Map<string, BarSeries>;
  let sectors: ReturnType<typeof loadSectors>;
  const cfg = loadConfig({ env: {} }).config;

  beforeAll(() => {
    // Data runs to the end of 2015: the screen must not see the second half.
    bars = loadDailyBars(path.join(dataDir, 'daily.csv.gz'), { symbols: new Set(SYMBOLS), from: '2013-01-01', to: '2015-12-31' });
    sectors = loadSectors(path.join(dataDir, 'sectors.csv'));
  });

  test('every symbol screened, XOM/CVX evaluated with the correlation of the file rows, candidates ranked', () => {
    const inp: ScreenInput = { asOf: D, bars, sectors };
    const universe = screenUniverse(inp, cfg);
    expect(universe.sessionDate).toBe(D);
    expect(universe.symbols.map((s) => s.symbol)).toEqual([...SYMBOLS].sort());
    for (const s of universe.symbols) {
      expect(s.lastDate).toBe(D);
      expect(codes(s.universe.reasons).slice(2)).toEqual(['SPREAD_UNKNOWN', 'MARKET_CAP_UNKNOWN', 'EXCHANGE_UNKNOWN']);
      expect(s.metrics.atrPct).toBeGreaterThan(0);
      expect(s.meanReversion.reasons).toHaveLength(3);
    }
    expect(bySymbol(universe.symbols, 'XOM').sector).toBe('Energy');

    const pairs = selectPairs(inp, universe, cfg);
    const n = universe.symbols.filter((s) => s.universe.passed).length;
    expect(pairs.stats.pairsEvaluated).toBe((n * (n - 1)) / 2);
    // 126 returns → 127 sessions: 2014-12-29 .. 2015-06-30.
    expect(pairs.window).toEqual({ from: '2014-12-29', to: D, sessions: 127 });

    // Direct computation from the rows: the last 127 closes up to D of each, on the same dates.
    const tail = (sym: string): { dates: string[]; closes: number[] } => {
      const s = bars.get(sym)!;
      const end = s.dates.indexOf(D);
      return { dates: s.dates.slice(end - 126, end + 1), closes: Array.from(s.close.slice(end - 126, end + 1)) };
    };
    const cvx = tail('CVX');
    const xom = tail('XOM');
    expect(cvx.dates).toEqual(xom.dates);
    const direct = correlation(logReturns(cvx.closes), logReturns(xom.closes));
    const p = pairOf(pairs.pairs, 'CVX', 'XOM');
    expect(p.sameSector).toBe(true);
    expect(p.correlation).toBeCloseTo(direct, 12);
    expect(p.correlation).toBeGreaterThan(0.7);
    const lnCvx = cvx.closes.map(Math.log);
    const lnXom = xom.closes.map(Math.log);
    const ols = olsHedgeRatio(lnCvx, lnXom);
    expect(p.hedgeRatio).toBeCloseTo(ols.beta, 10);
    expect(p.intercept).toBeCloseTo(ols.alpha, 10);
    expect(p.spreadStdDev).toBeCloseTo(logSpreadStdDev(ols.residuals), 12);
    expect(p.pValue).toBe(coint(lnCvx, lnXom).pValue);

    // Candidates: every rule held; same sector first (policy 'prefer'), then by p-value.
    expect(pairs.candidates.length).toBeGreaterThan(0);
    for (const c of pairs.candidates) {
      expect(c.passed).toBe(true);
      expect(c.correlation).toBeGreaterThan(0.7);
      expect(c.spreadStdDev).toBeGreaterThan(0.01);
      expect(c.pValue).toBeLessThan(0.05);
    }
    const order = pairs.candidates.map((c) => [c.sameSector ? 0 : 1, c.pValue] as const);
    expect(order).toEqual([...order].sort((x, y) => x[0] - y[0] || x[1] - y[1]));

    // 'require' evaluates the same-sector subset with the same outcomes.
    const req = selectPairs(inp, universe, { screening: { ...cfg.screening, pairs: { ...cfg.screening.pairs, sectorPolicy: 'require' } } });
    expect(req.pairs.every((x) => x.sameSector)).toBe(true);
    expect(req.candidates.map((c) => `${c.a}/${c.b}`)).toEqual(pairs.candidates.filter((c) => c.sameSector).map((c) => `${c.a}/${c.b}`));
  });

  test('no look-ahead on the real data: cutting the file at D changes nothing', () => {
    const run = (b: ReadonlyMap<string, DailySeries>) => {
      const inp: ScreenInput = { asOf: D, bars: b, sectors };
      const u = screenUniverse(inp, cfg);
      return { u, p: selectPairs(inp, u, cfg) };
    };
    expect(run(bars)).toEqual(run(cutAll(bars, D)));
    // And the as-of date need not be a session: the Sunday universe refresh sees Friday's close.
    const sunday = screenUniverse({ asOf: '2015-06-28', bars, sectors }, cfg);
    expect(sunday.sessionDate).toBe('2015-06-26');
  });
});
