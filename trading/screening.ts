/**
 * Universe screen, mean-reversion candidates and pair selection (DESIGN §2). Pure and deterministic (safe inside
 * Temporal workflows and the backtester): no I/O, no clock, no randomness, no Node imports.
 *
 * ## As-of semantics (no look-ahead)
 * `asOf` is inclusive: every series is cut at its last bar dated ≤ asOf, and nothing after it is read. The
 * "session date" is the latest such bar across all series; a symbol without a bar on it is stale and dropped (a
 * halted or delisted name must not be traded on an old price). The pre-market screen of day D passes the previous
 * session as asOf; the Sunday universe refresh passes Sunday and gets Friday's session.
 *
 * ## Rules and their boundaries (every number comes from config)
 * | rule                                   | kept when                                  | absent data            |
 * |----------------------------------------|--------------------------------------------|------------------------|
 * | average daily dollar volume            | mean(close·volume) of the last avgVolumeDays bars > min | —          |
 * | price (last close)                     | minPrice ≤ close ≤ maxPrice                | —                      |
 * | bid-ask spread (fraction of mid)       | spread < maxSpreadPct                      | skipped: SPREAD_UNKNOWN |
 * | market cap                             | cap > minMarketCap                         | skipped: MARKET_CAP_UNKNOWN |
 * | exchange                               | listed in `exchanges`                      | skipped: EXCHANGE_UNKNOWN |
 * | ATR(atrPeriod) / close                 | minAtrPct ≤ atr% ≤ maxAtrPct               | —                      |
 * | ADX(adxPeriod)                         | adx < maxAdx                               | —                      |
 * | Bollinger width (strategy's bands)     | width > minBollingerWidthPct               | —                      |
 * | pair: log-return correlation           | corr > minCorrelation                      | —                      |
 * | pair: market-cap difference            | |capA − capB| / max(capA, capB) ≤ maxMarketCapDifferencePct | skipped |
 * | pair: log-spread volatility            | σ(residual of ln A on ln B) > minSpreadVolatility | —               |
 * | pair: Engle-Granger p-value (log prices)| p < maxCointegrationPValue                | —                      |
 *
 * Daily bars carry no bid/ask and the shipped data no market cap or exchange: those rules take optional per-symbol
 * inputs and are skipped with a reason when a value is missing, so the screen says what it could not check.
 *
 * ## Pair window
 * Pairs are measured on the last `correlationLookbackDays` + 1 sessions of a common grid (the latest session dates
 * found in the data up to asOf): that many log prices for the cointegration regression, and `correlationLookbackDays`
 * log returns for the correlation. A leg missing a session inside the window is forward-filled (a zero return) up to
 * `maxMissingSessions` times; more gaps exclude it. Leg A is the alphabetically first symbol and the dependent
 * variable: spread = ln A − hedgeRatio·ln B − intercept.
 */
import type { TraderConfig } from '../config/schema';
import { coint } from './cointegration';
import { IndicatorStream, snapshotMinBars, type Bar, type SnapshotParams } from './indicators';

// Globals read once at load: inside a vm context (jest; Temporal's workflow sandbox is one too) every lookup of a
// global such as `Math` or `NaN` costs ~0.4 µs, which in the per-price and per-pair loops below would dominate.
const { abs, log, max, sqrt } = Math;
const { isFinite: finite, NaN: NAN } = Number;

/** Whether a rule held ('pass'), did not ('fail'), or could not be evaluated for lack of data ('skip'). */
export type Outcome = 'pass' | 'fail' | 'skip';

/** One evaluated rule: its code, outcome and the numbers that decided it. Shared by the strategy modules. */
export interface Reason<C extends string = string> {
  code: C;
  outcome: Outcome;
  value?: number | string;
  /** The bound compared against: a number, an inclusive [min, max] range, or a date / list for data checks. */
  limit?: number | string | readonly [number, number];
}

export interface Verdict<C extends string = string> {
  passed: boolean;
  reasons: Reason<C>[];
}

/** Column-wise daily bars (market-data/files.ts BarSeries fits), dates ascending as YYYY-MM-DD. */
export interface DailySeries {
  dates: readonly string[];
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

export interface ScreenInput {
  /** Inclusive: only bars dated ≤ asOf are read. */
  asOf: string;
  bars: ReadonlyMap<string, DailySeries>;
  /** GICS sector per symbol; market-data loadSectors() output fits. */
  sectors?: ReadonlyMap<string, string | { sector: string }>;
  /** Quoted bid-ask spread as a fraction of mid, where a quote or an estimate exists. */
  spreadPct?: ReadonlyMap<string, number>;
  /** Market capitalisation in account currency, where known as of asOf. */
  marketCap?: ReadonlyMap<string, number>;
  /** Listing exchange, where known (NYSE, NASDAQ, ...). */
  exchange?: ReadonlyMap<string, string>;
}

export type ScreenConfig = Pick<TraderConfig, 'screening' | 'strategies'>;
type ScreeningConfig = TraderConfig['screening'];


export type DataCode = 'NO_DATA' | 'STALE_DATA' | 'INSUFFICIENT_HISTORY' | 'INVALID_DATA';
export type UniverseCode =
  | DataCode
  | 'DOLLAR_VOLUME_OK' | 'DOLLAR_VOLUME_TOO_LOW'
  | 'PRICE_OK' | 'PRICE_TOO_LOW' | 'PRICE_TOO_HIGH'
  | 'SPREAD_OK' | 'SPREAD_TOO_WIDE' | 'SPREAD_UNKNOWN'
  | 'MARKET_CAP_OK' | 'MARKET_CAP_TOO_LOW' | 'MARKET_CAP_UNKNOWN'
  | 'EXCHANGE_OK' | 'EXCHANGE_NOT_ALLOWED' | 'EXCHANGE_UNKNOWN';
export type MeanReversionScreenCode =
  | DataCode
  | 'ATR_PCT_OK' | 'ATR_PCT_TOO_LOW' | 'ATR_PCT_TOO_HIGH'
  | 'ADX_OK' | 'ADX_TOO_HIGH'
  | 'BB_WIDTH_OK' | 'BB_WIDTH_TOO_LOW';

export interface SymbolMetrics {
  /** NaN where not computed (not enough data). */
  close: number;
  avgDollarVolume: number;
  atrPct: number;
  adx: number;
  bbWidth: number;
}

export interface SymbolScreen {
  symbol: string;
  sector: string | undefined;
  /** Date of the last bar ≤ asOf (undefined: none). */
  lastDate: string | undefined;
  universe: Verdict<UniverseCode>;
  /** Mean-reversion filters, evaluated whenever there is enough history (a candidate also needs the universe). */
  meanReversion: Verdict<MeanReversionScreenCode>;
  metrics: SymbolMetrics;
}

export interface UniverseScreen {
  asOf: string;
  /** Latest bar date ≤ asOf in the data (undefined: no data at all). */
  sessionDate: string | undefined;
  /** Every symbol of the input, alphabetical. */
  symbols: SymbolScreen[];
  /** Symbols passing the universe and the mean-reversion filters, least trending (lowest ADX) first. */
  meanReversionCandidates: SymbolScreen[];
}

// ---------------------------------------------------------------------------------------------
// Universe and mean-reversion screen

/**
 * screening.meanReversion.indicatorBars: bars fed to the indicators before (and including) the as-of bar. ATR and ADX
 * are Wilder averages over the whole history; after 250 bars the weight left on older bars is below (19/20)^250 ≈ 3e-6
 * for ATR(20), so the value is that of the full history to about six digits while the screen reads 250 rather than
 * thousands of bars per symbol.
 */
export function screenUniverse(input: ScreenInput, cfg: ScreenConfig): UniverseScreen {
  const ends = lastIndices(input);
  const sessionDate = latestDate(input, ends);
  const params = snapshotParams(cfg);
  const warmup = max(cfg.screening.meanReversion.indicatorBars, snapshotMinBars(params));
  const symbols = [...input.bars.keys()].sort().map((symbol) =>
    screenSymbol(symbol, input, ends.get(symbol)!, sessionDate, cfg, params, warmup),
  );
  const meanReversionCandidates = symbols
    .filter((s) => s.universe.passed && s.meanReversion.passed)
    .sort((x, y) => x.metrics.adx - y.metrics.adx || compare(x.symbol, y.symbol));
  return { asOf: input.asOf, sessionDate, symbols, meanReversionCandidates };
}

/**
 * The indicator periods of the screen (and of `trader stats indicators`): the Bollinger width filter uses the strategy's
 * bands, so the screen looks for names the strategy can trade.
 */
export function snapshotParams(cfg: ScreenConfig): SnapshotParams {
  const mr = cfg.strategies.meanReversion;
  const s = cfg.screening.meanReversion;
  return { bb: [mr.bollingerPeriod, mr.bollingerStdDev], rsi: mr.rsiPeriod, atr: s.atrPeriod, adx: s.adxPeriod, volume: mr.volumeAvgPeriod };
}

/** Index of each series' last bar dated ≤ asOf (−1: none). */
function lastIndices(input: ScreenInput): Map<string, number> {
  const out = new Map<string, number>();
  for (const [symbol, s] of input.bars) out.set(symbol, lastIndexAtOrBefore(s.dates, input.asOf));
  return out;
}

export function lastIndexAtOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length; // first index with dates[i] > date
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function latestDate(input: ScreenInput, ends: ReadonlyMap<string, number>): string | undefined {
  let latest: string | undefined;
  for (const [symbol, s] of input.bars) {
    const end = ends.get(symbol)!;
    if (end >= 0 && (latest === undefined || s.dates[end]! > latest)) latest = s.dates[end];
  }
  return latest;
}

function screenSymbol(
  symbol: string,
  input: ScreenInput,
  end: number,
  sessionDate: string | undefined,
  cfg: ScreenConfig,
  params: SnapshotParams,
  warmup: number,
): SymbolScreen {
  const s = input.bars.get(symbol)!;
  const u = cfg.screening.universe;
  const metrics: SymbolMetrics = { close: NAN, avgDollarVolume: NAN, atrPct: NAN, adx: NAN, bbWidth: NAN };
  const base = { symbol, sector: sectorOf(input, symbol), lastDate: end >= 0 ? s.dates[end] : undefined, metrics };
  const data = dataReason(s, end, sessionDate, u.avgVolumeDays);
  if (data) return { ...base, universe: failed(data), meanReversion: failed(data) };

  metrics.close = s.close[end]!;
  metrics.avgDollarVolume = avgDollarVolume(s, end, u.avgVolumeDays);
  const universe = verdict(universeReasons(symbol, input, metrics, u));
  const need = snapshotMinBars(params);
  if (end + 1 < need) {
    return { ...base, universe, meanReversion: failed(reason('INSUFFICIENT_HISTORY', 'fail', end + 1, need)) };
  }
  try {
    indicatorsAt(s, end, params, warmup, metrics);
  } catch (e) {
    // A non-finite field in the warm-up window: this symbol cannot be measured, the rest of the screen goes on.
    return { ...base, universe, meanReversion: failed(reason('INVALID_DATA', 'fail', (e as Error).message)) };
  }
  return { ...base, universe, meanReversion: verdict(meanReversionReasons(metrics, cfg.screening.meanReversion)) };
}

function sectorOf(input: ScreenInput, symbol: string): string | undefined {
  const v = input.sectors?.get(symbol);
  return typeof v === 'string' ? v : v?.sector;
}

function dataReason(s: DailySeries, end: number, sessionDate: string | undefined, minBars: number): Reason<DataCode> | undefined {
  if (end < 0) return reason('NO_DATA', 'fail');
  if (s.dates[end] !== sessionDate) return reason('STALE_DATA', 'fail', s.dates[end], sessionDate);
  if (end + 1 < minBars) return reason('INSUFFICIENT_HISTORY', 'fail', end + 1, minBars);
  const close = s.close[end]!;
  if (!(close > 0) || !finite(close)) return reason('INVALID_DATA', 'fail', `close ${close}`);
  return undefined;
}

function avgDollarVolume(s: DailySeries, end: number, days: number): number {
  let sum = 0;
  for (let i = end - days + 1; i <= end; i++) sum += s.close[i]! * s.volume[i]!;
  return sum / days;
}

function universeReasons(symbol: string, input: ScreenInput, m: SymbolMetrics, u: ScreeningConfig['universe']): Reason<UniverseCode>[] {
  return [
    m.avgDollarVolume > u.minAvgDollarVolume
      ? pass('DOLLAR_VOLUME_OK', m.avgDollarVolume, u.minAvgDollarVolume)
      : fail('DOLLAR_VOLUME_TOO_LOW', m.avgDollarVolume, u.minAvgDollarVolume),
    m.close < u.minPrice
      ? fail('PRICE_TOO_LOW', m.close, u.minPrice)
      : m.close > u.maxPrice
        ? fail('PRICE_TOO_HIGH', m.close, u.maxPrice)
        : pass('PRICE_OK', m.close, [u.minPrice, u.maxPrice]),
    spreadReason(input.spreadPct?.get(symbol), u.maxSpreadPct),
    marketCapReason(input.marketCap?.get(symbol), u.minMarketCap),
    exchangeReason(input.exchange?.get(symbol), u.exchanges),
  ];
}

function spreadReason(spread: number | undefined, limit: number): Reason<UniverseCode> {
  if (spread === undefined) return reason('SPREAD_UNKNOWN', 'skip', undefined, limit);
  return spread < limit ? pass('SPREAD_OK', spread, limit) : fail('SPREAD_TOO_WIDE', spread, limit);
}

function marketCapReason(cap: number | undefined, min: number): Reason<UniverseCode> {
  if (cap === undefined) return reason('MARKET_CAP_UNKNOWN', 'skip', undefined, min);
  return cap > min ? pass('MARKET_CAP_OK', cap, min) : fail('MARKET_CAP_TOO_LOW', cap, min);
}

function exchangeReason(exchange: string | undefined, allowed: readonly string[]): Reason<UniverseCode> {
  const limit = allowed.join(',');
  if (exchange === undefined) return reason('EXCHANGE_UNKNOWN', 'skip', undefined, limit);
  return allowed.includes(exchange) ? pass('EXCHANGE_OK', exchange, limit) : fail('EXCHANGE_NOT_ALLOWED', exchange, limit);
}

/** Streams the last `warmup` bars through one IndicatorStream, reusing one Bar object (no per-bar allocation). */
function indicatorsAt(s: DailySeries, end: number, params: SnapshotParams, warmup: number, out: SymbolMetrics): void {
  const stream = new IndicatorStream(params);
  const bar: Bar = { date: '', open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = max(0, end - warmup + 1); i <= end; i++) {
    bar.date = s.dates[i]!;
    bar.open = s.open[i]!;
    bar.high = s.high[i]!;
    bar.low = s.low[i]!;
    bar.close = s.close[i]!;
    bar.volume = s.volume[i]!;
    stream.update(bar);
  }
  const snap = stream.snapshot();
  out.atrPct = snap.atrPct;
  out.adx = snap.adx;
  out.bbWidth = snap.bbWidth;
}

function meanReversionReasons(m: SymbolMetrics, c: ScreeningConfig['meanReversion']): Reason<MeanReversionScreenCode>[] {
  return [
    m.atrPct < c.minAtrPct
      ? fail('ATR_PCT_TOO_LOW', m.atrPct, c.minAtrPct)
      : m.atrPct > c.maxAtrPct
        ? fail('ATR_PCT_TOO_HIGH', m.atrPct, c.maxAtrPct)
        : pass('ATR_PCT_OK', m.atrPct, [c.minAtrPct, c.maxAtrPct]),
    m.adx < c.maxAdx ? pass('ADX_OK', m.adx, c.maxAdx) : fail('ADX_TOO_HIGH', m.adx, c.maxAdx),
    m.bbWidth > c.minBollingerWidthPct
      ? pass('BB_WIDTH_OK', m.bbWidth, c.minBollingerWidthPct)
      : fail('BB_WIDTH_TOO_LOW', m.bbWidth, c.minBollingerWidthPct),
  ];
}

/** A Reason without undefined fields (they would read as present in an audit record). */
export function reason<C extends string>(code: C, outcome: Outcome, value?: number | string, limit?: Reason['limit']): Reason<C> {
  const r: Reason<C> = { code, outcome };
  if (value !== undefined) r.value = value;
  if (limit !== undefined) r.limit = limit;
  return r;
}

function pass<C extends string>(code: C, value: number | string, limit: Reason['limit']): Reason<C> {
  return reason(code, 'pass', value, limit);
}

function fail<C extends string>(code: C, value: number | string, limit: Reason['limit']): Reason<C> {
  return reason(code, 'fail', value, limit);
}

function verdict<C extends string>(reasons: Reason<C>[]): Verdict<C> {
  return { passed: reasons.every((r) => r.outcome !== 'fail'), reasons };
}

function failed<C extends string>(only: Reason<C>): Verdict<C> {
  return { passed: false, reasons: [only] };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Pair selection

export type PairExclusionCode = 'INSUFFICIENT_HISTORY' | 'TOO_MANY_MISSING_SESSIONS' | 'INVALID_DATA' | 'FLAT_PRICES' | 'SECTOR_UNKNOWN';
export type PairCode =
  | 'SAME_SECTOR' | 'DIFFERENT_SECTOR' | 'SECTOR_UNKNOWN'
  | 'MARKET_CAP_RATIO_OK' | 'MARKET_CAP_RATIO_TOO_FAR' | 'MARKET_CAP_UNKNOWN'
  | 'CORRELATION_OK' | 'CORRELATION_TOO_LOW'
  | 'SPREAD_VOLATILITY_OK' | 'SPREAD_VOLATILITY_TOO_LOW'
  | 'COINTEGRATED' | 'NOT_COINTEGRATED' | 'COINTEGRATION_FAILED';

export interface PairScreen {
  /** Alphabetically first symbol: the dependent leg, spread = ln a − hedgeRatio·ln b − intercept. */
  a: string;
  b: string;
  sameSector: boolean | undefined;
  passed: boolean;
  /** The checks that ran, cheapest first; evaluation stops at the first failure. */
  reasons: Reason<PairCode>[];
  /** NaN where not computed because an earlier check failed. */
  correlation: number;
  hedgeRatio: number;
  intercept: number;
  spreadStdDev: number;
  pValue: number;
  cointStatistic: number;
}

export interface PairExclusion {
  symbol: string;
  reason: Reason<PairExclusionCode>;
}

export interface PairSelection {
  asOf: string;
  /** First and last session of the window and its number of log prices. */
  window: { from: string; to: string; sessions: number } | undefined;
  /** Symbols passing the universe that could not enter pair selection, alphabetical. */
  excluded: PairExclusion[];
  /** Every evaluated pair (symbol pairs both eligible; under sectorPolicy 'require' only same-sector ones). */
  pairs: PairScreen[];
  /** Passing pairs, best first: same sector first (policy 'prefer'), then lowest p-value, then highest correlation. */
  candidates: PairScreen[];
  stats: { eligibleSymbols: number; pairsEvaluated: number; crossSectorNotEvaluated: number; cointegrationTests: number };
}

/** Per-symbol vectors on the window, packed row by row for cache-friendly pair loops. */
interface PairMatrix {
  symbols: string[];
  sectors: (string | undefined)[];
  caps: (number | undefined)[];
  sessions: number;
  /** Log prices, `sessions` per symbol (coint input). */
  logPrices: Float64Array;
  /** Log prices minus their mean, and the sum of their squares: the OLS of ln A on ln B in O(window). */
  centered: Float64Array;
  sumSquares: Float64Array;
  means: Float64Array;
  /** Demeaned log returns scaled to unit length: Pearson correlation is their dot product. */
  unitReturns: Float64Array;
}

export function selectPairs(input: ScreenInput, universe: UniverseScreen, cfg: Pick<TraderConfig, 'screening'>): PairSelection {
  const p = cfg.screening.pairs;
  const grid = sessionGrid(input, p.correlationLookbackDays + 1);
  const stats = { eligibleSymbols: 0, pairsEvaluated: 0, crossSectorNotEvaluated: 0, cointegrationTests: 0 };
  if (grid.length < p.correlationLookbackDays + 1) return { asOf: input.asOf, window: undefined, excluded: [], pairs: [], candidates: [], stats };
  const window = { from: grid[0]!, to: grid[grid.length - 1]!, sessions: grid.length };
  const { matrix, excluded } = buildMatrix(input, universe, grid, p.sectorPolicy, p.maxMissingSessions);
  stats.eligibleSymbols = matrix.symbols.length;
  const ctx: PairContext = { m: matrix, p, stats, capUnknown: Object.freeze({ code: 'MARKET_CAP_UNKNOWN', outcome: 'skip', limit: p.maxMarketCapDifferencePct }) };
  const pairs: PairScreen[] = [];
  forEachPair(matrix, p.sectorPolicy, (i, j) => pairs.push(evaluatePair(ctx, i, j)));
  stats.pairsEvaluated = pairs.length;
  stats.crossSectorNotEvaluated = (stats.eligibleSymbols * (stats.eligibleSymbols - 1)) / 2 - pairs.length;
  const candidates = pairs.filter((x) => x.passed).sort(rankPairs(p.sectorPolicy));
  return { asOf: input.asOf, window, excluded, pairs, candidates, stats };
}

/** The latest `size` distinct session dates ≤ asOf in the data (the union over symbols, so one gap leaves no hole). */
function sessionGrid(input: ScreenInput, size: number): string[] {
  const dates = new Set<string>();
  for (const s of input.bars.values()) {
    const end = lastIndexAtOrBefore(s.dates, input.asOf);
    for (let i = end; i >= 0 && i > end - size; i--) dates.add(s.dates[i]!);
  }
  return [...dates].sort().slice(-size);
}

function buildMatrix(
  input: ScreenInput,
  universe: UniverseScreen,
  grid: readonly string[],
  policy: ScreeningConfig['pairs']['sectorPolicy'],
  maxMissing: number,
): { matrix: PairMatrix; excluded: PairExclusion[] } {
  const n = grid.length;
  const passing = universe.symbols.filter((s) => s.universe.passed);
  const size = passing.length;
  // Sized for every passing symbol; an excluded symbol's row is overwritten by the next one.
  const m: PairMatrix = {
    symbols: [], sectors: [], caps: [], sessions: n,
    logPrices: new Float64Array(size * n), centered: new Float64Array(size * n),
    sumSquares: new Float64Array(size), means: new Float64Array(size), unitReturns: new Float64Array(size * (n - 1)),
  };
  const excluded: PairExclusion[] = [];
  for (const s of passing) {
    const row = m.symbols.length;
    const exclusion =
      (policy === 'require' && s.sector === undefined ? reason<PairExclusionCode>('SECTOR_UNKNOWN', 'fail') : undefined) ??
      alignLogCloses(input.bars.get(s.symbol)!, input.asOf, grid, m.logPrices, row * n, maxMissing) ??
      standardiseRow(m, row);
    if (exclusion) {
      excluded.push({ symbol: s.symbol, reason: exclusion });
      continue;
    }
    m.symbols.push(s.symbol);
    m.sectors.push(s.sector);
    m.caps.push(input.marketCap?.get(s.symbol));
  }
  return { matrix: m, excluded };
}

/** Writes ln(close) of `s` on each grid session (forward-filling gaps) into out[offset..]; a reason when it cannot. */
function alignLogCloses(s: DailySeries, asOf: string, grid: readonly string[], out: Float64Array, offset: number, maxMissing: number): Reason<PairExclusionCode> | undefined {
  let k = lastIndexAtOrBefore(s.dates, asOf);
  let missing = 0;
  for (let g = grid.length - 1; g >= 0; g--) {
    while (k >= 0 && s.dates[k]! > grid[g]!) k--;
    if (k < 0) return reason('INSUFFICIENT_HISTORY', 'fail', s.dates[0], grid[0]);
    if (s.dates[k] !== grid[g]) missing++;
    const close = s.close[k]!;
    if (!(close > 0) || !finite(close)) return reason('INVALID_DATA', 'fail', `close ${close} on ${s.dates[k]}`);
    out[offset + g] = log(close);
  }
  if (missing > maxMissing) return reason('TOO_MANY_MISSING_SESSIONS', 'fail', missing, maxMissing);
  return undefined;
}

/**
 * Fills row `row`'s centered log prices (with their mean and sum of squares) and its unit return vector: the
 * demeaned log returns divided by their norm. FLAT_PRICES when every return is equal (no correlation defined).
 */
function standardiseRow(m: PairMatrix, row: number): Reason<PairExclusionCode> | undefined {
  const n = m.sessions;
  const lp = m.logPrices.subarray(row * n, (row + 1) * n);
  let mean = 0;
  for (let t = 0; t < n; t++) mean += lp[t]!;
  mean /= n;
  let ss = 0;
  for (let t = 0; t < n; t++) {
    const c = lp[t]! - mean;
    m.centered[row * n + t] = c;
    ss += c * c;
  }
  m.means[row] = mean;
  m.sumSquares[row] = ss;

  const len = n - 1;
  const out = m.unitReturns.subarray(row * len, (row + 1) * len);
  const meanReturn = (lp[len]! - lp[0]!) / len;
  let rss = 0;
  for (let t = 0; t < len; t++) {
    const c = lp[t + 1]! - lp[t]! - meanReturn;
    out[t] = c;
    rss += c * c;
  }
  if (!(rss > 0)) return reason('FLAT_PRICES', 'fail', 0);
  const scale = 1 / sqrt(rss);
  for (let t = 0; t < len; t++) out[t]! *= scale;
  return undefined;
}

/** Calls visit(i, j) for the row pairs to evaluate, i < j; under 'require' only within a sector (never formed otherwise). */
function forEachPair(m: PairMatrix, policy: ScreeningConfig['pairs']['sectorPolicy'], visit: (i: number, j: number) => void): void {
  const rows = m.symbols.length;
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) if (policy !== 'require' || m.sectors[i] === m.sectors[j]) visit(i, j);
  }
}

const SAME_SECTOR: Reason<PairCode> = Object.freeze({ code: 'SAME_SECTOR', outcome: 'pass' });
const DIFFERENT_SECTOR: Reason<PairCode> = Object.freeze({ code: 'DIFFERENT_SECTOR', outcome: 'pass' });
const SECTOR_UNKNOWN: Reason<PairCode> = Object.freeze({ code: 'SECTOR_UNKNOWN', outcome: 'skip' });

interface PairContext {
  m: PairMatrix;
  p: ScreeningConfig['pairs'];
  stats: PairSelection['stats'];
  /** Shared by every pair without market-cap data (frozen): one object instead of one per pair. */
  capUnknown: Reason<PairCode>;
}

/** Runs the pair checks cheapest first and stops at the first failure, so `coint` only sees the survivors. */
function evaluatePair(ctx: PairContext, i: number, j: number): PairScreen {
  const { m, p, stats } = ctx;
  const sameSector = m.sectors[i] === undefined || m.sectors[j] === undefined ? undefined : m.sectors[i] === m.sectors[j];
  const out: PairScreen = {
    a: m.symbols[i]!, b: m.symbols[j]!, sameSector, passed: false, reasons: [],
    correlation: NAN, hedgeRatio: NAN, intercept: NAN, spreadStdDev: NAN, pValue: NAN, cointStatistic: NAN,
  };
  // Under 'ignore' the sector is not a rule, so it is not reported as one.
  if (p.sectorPolicy !== 'ignore') out.reasons.push(sameSector === undefined ? SECTOR_UNKNOWN : sameSector ? SAME_SECTOR : DIFFERENT_SECTOR);
  const cap = marketCapRatioReason(m.caps[i], m.caps[j], p.maxMarketCapDifferencePct) ?? ctx.capUnknown;
  out.reasons.push(cap);
  if (cap.outcome === 'fail') return out;

  out.correlation = dot(m.unitReturns, i, j, m.sessions - 1);
  if (!(out.correlation > p.minCorrelation)) return stop(out, fail('CORRELATION_TOO_LOW', out.correlation, p.minCorrelation));
  out.reasons.push(pass('CORRELATION_OK', out.correlation, p.minCorrelation));

  logPriceRegression(m, i, j, out);
  if (!(out.spreadStdDev > p.minSpreadVolatility)) return stop(out, fail('SPREAD_VOLATILITY_TOO_LOW', out.spreadStdDev, p.minSpreadVolatility));
  out.reasons.push(pass('SPREAD_VOLATILITY_OK', out.spreadStdDev, p.minSpreadVolatility));

  stats.cointegrationTests++;
  const cointegration = cointegrationReason(m, i, j, p.maxCointegrationPValue, out);
  out.reasons.push(cointegration);
  out.passed = cointegration.outcome === 'pass';
  return out;
}

function stop(out: PairScreen, last: Reason<PairCode>): PairScreen {
  out.reasons.push(last);
  return out;
}

/** undefined when a cap is unknown (the rule is skipped). */
function marketCapRatioReason(capA: number | undefined, capB: number | undefined, maxDiff: number): Reason<PairCode> | undefined {
  if (capA === undefined || capB === undefined) return undefined;
  // Relative to the larger cap, so the rule is symmetric in the two legs.
  const diff = abs(capA - capB) / max(capA, capB);
  return diff <= maxDiff ? pass('MARKET_CAP_RATIO_OK', diff, maxDiff) : fail('MARKET_CAP_RATIO_TOO_FAR', diff, maxDiff);
}

function dot(v: Float64Array, i: number, j: number, width: number): number {
  let s = 0;
  const a = i * width;
  const b = j * width;
  for (let t = 0; t < width; t++) s += v[a + t]! * v[b + t]!;
  return s;
}

/**
 * OLS of ln A on [ln B, 1] from the precomputed centered columns — the first step of `coint`, O(window) per pair
 * instead of statistics.olsHedgeRatio's allocations — giving the hedge ratio, intercept and the sample standard
 * deviation of the residual log spread (statistics.logSpreadStdDev of the residuals: they have mean 0).
 */
function logPriceRegression(m: PairMatrix, i: number, j: number, out: PairScreen): void {
  const n = m.sessions;
  const sxy = dot(m.centered, i, j, n);
  const beta = sxy / m.sumSquares[j]!;
  const ssr = max(0, m.sumSquares[i]! - beta * sxy); // rounding can take an exact fit a hair below 0
  out.hedgeRatio = beta;
  out.intercept = m.means[i]! - beta * m.means[j]!;
  out.spreadStdDev = sqrt(ssr / (n - 1));
}

function cointegrationReason(m: PairMatrix, i: number, j: number, maxP: number, out: PairScreen): Reason<PairCode> {
  const n = m.sessions;
  try {
    const r = coint(m.logPrices.subarray(i * n, (i + 1) * n), m.logPrices.subarray(j * n, (j + 1) * n));
    out.pValue = r.pValue;
    out.cointStatistic = r.statistic;
    return r.pValue < maxP ? pass('COINTEGRATED', r.pValue, maxP) : fail('NOT_COINTEGRATED', r.pValue, maxP);
  } catch (e) {
    // One pathological pair must not abort the screen of all the others.
    return reason('COINTEGRATION_FAILED', 'fail', (e as Error).message);
  }
}

function rankPairs(policy: ScreeningConfig['pairs']['sectorPolicy']): (x: PairScreen, y: PairScreen) => number {
  const sector = (p: PairScreen): number => (policy === 'prefer' && p.sameSector === true ? 0 : 1);
  return (x, y) => sector(x) - sector(y) || x.pValue - y.pValue || y.correlation - x.correlation || compare(x.a, y.a) || compare(x.b, y.b);
}
