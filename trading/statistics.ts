/**
 * Descriptive statistics for pairs trading and mean-reversion screening: returns, correlation, OLS hedge ratio,
 * spread, z-scores, mean-reversion half-life and spread volatility. Built on simple-statistics where it has the
 * function. Pure and deterministic (safe inside Temporal workflows): no I/O, no clock, no randomness.
 * Every function validates its input and throws an Error naming the function and the problem.
 */
import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };

// simple-statistics ships a CommonJS build (exports "require" -> dist/simple-statistics.cjs) but only ESM-flavoured
// typings, so under "module": "node16" tsc rejects `import * as ss` from this CommonJS file (TS1479) although the
// require works: take the types with a type-only import and load the CommonJS build explicitly.
const ss = require('simple-statistics') as typeof SimpleStatistics;

function checkFinite(fn: string, name: string, s: readonly number[], minLength: number): void {
  if (s.length < minLength) throw new Error(`${fn}: ${name} needs at least ${minLength} values (got ${s.length})`);
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i])) throw new Error(`${fn}: ${name}[${i}] is not a finite number (${s[i]})`);
  }
}

function checkPair(fn: string, y: readonly number[], x: readonly number[], minLength: number): void {
  if (y.length !== x.length) throw new Error(`${fn}: series must have the same length (got ${y.length} and ${x.length})`);
  checkFinite(fn, 'first series', y, minLength);
  checkFinite(fn, 'second series', x, minLength);
}

function checkPositive(fn: string, prices: readonly number[]): void {
  checkFinite(fn, 'prices', prices, 2);
  for (let i = 0; i < prices.length; i++) {
    if (!(prices[i]! > 0)) throw new Error(`${fn}: prices[${i}] must be positive (got ${prices[i]})`);
  }
}

/** Exact test (no tolerance): a constant series has no variance to standardise or regress on. */
function isConstant(s: readonly number[], from = 0, to = s.length): boolean {
  for (let i = from + 1; i < to; i++) if (s[i] !== s[from]) return false;
  return true;
}

/** ln(p[i] / p[i-1]) for i = 1..n-1 (length n - 1). Prices must be positive. */
export function logReturns(prices: readonly number[]): number[] {
  checkPositive('logReturns', prices);
  const out = new Array<number>(prices.length - 1);
  for (let i = 1; i < prices.length; i++) out[i - 1] = Math.log(prices[i]! / prices[i - 1]!);
  return out;
}

/** p[i] / p[i-1] - 1 for i = 1..n-1 (length n - 1). Prices must be positive. */
export function simpleReturns(prices: readonly number[]): number[] {
  checkPositive('simpleReturns', prices);
  const out = new Array<number>(prices.length - 1);
  for (let i = 1; i < prices.length; i++) out[i - 1] = prices[i]! / prices[i - 1]! - 1;
  return out;
}

/** Pearson (sample) correlation of x and y. Throws when either series is constant (correlation undefined). */
export function correlation(x: readonly number[], y: readonly number[]): number {
  checkPair('correlation', x, y, 2);
  if (isConstant(x) || isConstant(y)) throw new Error('correlation: a constant series has no correlation');
  return ss.sampleCorrelation(x, y);
}

export interface HedgeRatio {
  /** Intercept of y = alpha + beta·x. */
  alpha: number;
  /** Slope: units of x per unit of y. */
  beta: number;
  /** y[i] - alpha - beta·x[i]. */
  residuals: number[];
}

/** Ordinary least squares of y on x with intercept: y = alpha + beta·x + residual. */
export function olsHedgeRatio(y: readonly number[], x: readonly number[]): HedgeRatio {
  checkPair('olsHedgeRatio', y, x, 2);
  if (isConstant(x)) throw new Error('olsHedgeRatio: x is constant, the slope is undefined');
  // simple-statistics (7.12+) centres on the means before accumulating cross products: accurate at price levels.
  const { m: beta, b: alpha } = ss.linearRegression(x.map((xi, i) => [xi, y[i]!]));
  return { alpha, beta, residuals: y.map((yi, i) => yi - alpha - beta * x[i]!) };
}

/** y[i] - beta·x[i] - alpha. Form it from log prices to use logSpreadStdDev. */
export function spread(y: readonly number[], x: readonly number[], beta: number, alpha = 0): number[] {
  checkPair('spread', y, x, 1);
  if (!Number.isFinite(beta) || !Number.isFinite(alpha)) throw new Error(`spread: beta and alpha must be finite (got ${beta}, ${alpha})`);
  return y.map((yi, i) => yi - beta * x[i]! - alpha);
}

/**
 * z of s[to-1] against s[from..to): (last - mean) / sample std, two-pass. Shared by zScore and zScores so both agree
 * bit for bit and the rolling loop allocates nothing. A constant window gives 0 (no deviation) rather than 0/0.
 */
function windowZ(s: readonly number[], from: number, to: number): number {
  if (isConstant(s, from, to)) return 0;
  const w = to - from;
  let sum = 0;
  for (let i = from; i < to; i++) sum += s[i]!;
  const mean = sum / w;
  let ss2 = 0;
  for (let i = from; i < to; i++) ss2 += (s[i]! - mean) ** 2;
  return (s[to - 1]! - mean) / Math.sqrt(ss2 / (w - 1));
}

/** z-score of the last value against the whole series (its mean and sample standard deviation). */
export function zScore(series: readonly number[]): number {
  checkFinite('zScore', 'series', series, 2);
  return windowZ(series, 0, series.length);
}

/**
 * Rolling z-scores: out[k] = zScore(series[k .. k+window-1]), i.e. out[k] belongs to series[k + window - 1];
 * length n - window + 1 (no NaN padding).
 */
export function zScores(series: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 2) throw new Error(`zScores: window must be an integer >= 2 (got ${window})`);
  checkFinite('zScores', 'series', series, window);
  const out = new Array<number>(series.length - window + 1);
  for (let k = 0; k < out.length; k++) out[k] = windowZ(series, k, k + window);
  return out;
}

/**
 * Mean-reversion half-life in bars: OLS Δs_t = c + λ·s_{t-1} + e (the AR(1) s_t = c + (1+λ)·s_{t-1} + e),
 * half-life = -ln 2 / λ. This is the usual first-order approximation of ln 2 / -ln(1+λ), close for small |λ|.
 * Infinity when λ ≥ 0 (no mean reversion: random walk or explosive).
 */
export function halfLife(spread: readonly number[]): number {
  checkFinite('halfLife', 'spread', spread, 3);
  if (isConstant(spread, 0, spread.length - 1)) throw new Error('halfLife: the lagged spread is constant, λ is undefined');
  const pts = new Array<number[]>(spread.length - 1);
  for (let t = 1; t < spread.length; t++) pts[t - 1] = [spread[t - 1]!, spread[t]! - spread[t - 1]!];
  const lambda = ss.linearRegression(pts).m;
  return lambda >= 0 ? Infinity : -Math.LN2 / lambda;
}

/**
 * Volatility of a LOG-price spread s = ln y - β·ln x - α: its sample standard deviation (of the level, not of its
 * changes). A 1-σ move of s is ≈ a σ relative move of y against the hedge, so the ≈ 2σ round trip from a |z| = 2
 * entry back to the mean earns ≈ 2σ gross; the DESIGN threshold "spread volatility > 1%" reads as σ > 0.01, i.e.
 * the trade can pay for its costs. Meaningless for a spread of raw prices (dollar units).
 */
export function logSpreadStdDev(logSpread: readonly number[]): number {
  checkFinite('logSpreadStdDev', 'logSpread', logSpread, 2);
  return ss.sampleStandardDeviation(logSpread);
}
