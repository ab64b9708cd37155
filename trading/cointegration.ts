/**
 * Engle-Granger two-step cointegration test for a pair, a port of statsmodels `coint` (statsmodels/tsa/stattools.py,
 * method 'aeg'): OLS of y0 on [y1, deterministic terms], then an ADF test without deterministic terms on the
 * residuals, with MacKinnon p-value and critical values for N = 2 series and the first-step trend.
 * Pure and deterministic (safe inside Temporal workflows): no I/O, no clock, no randomness.
 */
import { adfuller, householderQr, qrCoefficients, Scratch, trendCount, type AutoLag } from './adf';
import { mackinnoncrit, mackinnonp, type CriticalValues } from './mackinnon';

export type CointTrend = 'c' | 'ct' | 'ctt';

export interface CointOptions {
  /** Deterministic terms of the cointegrating regression: 'c' constant (default), 'ct' + trend, 'ctt' + quadratic trend. */
  trend?: CointTrend;
  /** Highest lag for the residual ADF test (default as adfuller: ceil(12·(nobs/100)^¼), capped). */
  maxlag?: number;
  /** Lag selection of the residual ADF test: 'aic' (default), 'bic', 't-stat', or null to use maxlag. */
  autolag?: AutoLag | null;
}

export interface CointResult {
  /** ADF t-statistic of the residuals; -Infinity when y0 and y1 are (almost) perfectly collinear. */
  statistic: number;
  /** MacKinnon (1994) asymptotic p-value for N = 2 (0 when collinear). */
  pValue: number;
  /** Lagged differences in the residual ADF regression (0 when collinear: no ADF is run). */
  usedLag: number;
  /** Observations in the residual ADF regression (len - 1 when collinear). */
  nobs: number;
  /** MacKinnon (2010) critical values for N = 2 at T = len - 1 (statsmodels' choice, matching Stata's egranger). */
  criticalValues: CriticalValues;
  /** Coefficient of y1 in the first-step regression: spread = y0 - hedgeRatio·y1 - deterministic terms. */
  hedgeRatio: number;
}

const TRENDS: readonly string[] = ['c', 'ct', 'ctt'];
/** statsmodels: the ADF step is skipped when R² ≥ 1 - 100·√eps. */
const COLLINEAR_R2 = 1 - 100 * Math.sqrt(Number.EPSILON);

// Work arrays of the first-step regression (see Scratch: the pair screen calls coint tens of thousands of times).
const scratch = new Scratch();
const DESIGN = 0;
const RESPONSE = 1;
const RDIAG = 2;
const COEFFICIENTS = 3;
const RESIDUALS = 4;

/**
 * Engle-Granger test of H0 "no cointegration" between y0 and y1, matching statsmodels
 * `coint(y0, y1, trend, maxlag=maxlag, autolag=autolag)` for a single regressor.
 * Deviation: throws on a constant y0 or y1 (statsmodels would report a meaningless -inf / p = 0 or fail).
 */
export function coint(y0: ArrayLike<number>, y1: ArrayLike<number>, options: CointOptions = {}): CointResult {
  const trend = options.trend ?? 'c';
  if (!TRENDS.includes(trend)) throw new Error(`coint: trend must be 'c', 'ct' or 'ctt' (got '${trend}')`);
  const n = y0.length;
  if (y1.length !== n) throw new Error(`coint: y0 and y1 must have the same length (got ${n} and ${y1.length})`);
  if (n < 3) throw new Error(`coint: need at least 3 observations (got ${n})`);
  let mean0 = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y0[i]!)) throw new Error(`coint: y0[${i}] is not a finite number (${y0[i]})`);
    if (!Number.isFinite(y1[i]!)) throw new Error(`coint: y1[${i}] is not a finite number (${y1[i]})`);
    mean0 += y0[i]!;
  }
  mean0 /= n;
  for (const [name, s] of [['y0', y0], ['y1', y1]] as const) {
    let i = 1;
    while (i < n && s[i] === s[0]) i++;
    if (i === n) throw new Error(`coint: ${name} is constant`);
  }

  // Step 1: y0 = β·y1 + [1, t, t²]·δ + u, columns in statsmodels' order (add_trend appends).
  const ntrend = trendCount(trend);
  const k = 1 + ntrend;
  const a = scratch.take(DESIGN, n * k);
  for (let i = 0; i < n; i++) {
    a[i] = y1[i]!;
    a[n + i] = 1;
    if (ntrend >= 2) a[2 * n + i] = i + 1;
    if (ntrend >= 3) a[3 * n + i] = (i + 1) * (i + 1);
  }
  const qty = scratch.take(RESPONSE, n);
  for (let i = 0; i < n; i++) qty[i] = y0[i]!;
  const rdiag = scratch.take(RDIAG, k);
  householderQr(a, n, k, qty, rdiag);
  const b = qrCoefficients(a, n, k, qty, rdiag, scratch.take(COEFFICIENTS, k));
  // Residuals from the original data (the QR overwrote `a`), as statsmodels' endog - fittedvalues.
  const resid = scratch.take(RESIDUALS, n).subarray(0, n); // adfuller reads its length
  let ssr = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    const t = i + 1;
    let fit = b[0]! * y1[i]! + b[1]!;
    if (ntrend >= 2) fit += b[2]! * t;
    if (ntrend >= 3) fit += b[3]! * t * t;
    const r = y0[i]! - fit;
    resid[i] = r;
    ssr += r * r;
    tss += (y0[i]! - mean0) ** 2;
  }
  const rsquared = 1 - ssr / tss; // centred: the regression has a constant

  const criticalValues = mackinnoncrit(2, trend, n - 1); // statsmodels uses nobs - 1 "to match egranger in Stata"
  if (!(rsquared < COLLINEAR_R2)) {
    return { statistic: -Infinity, pValue: 0, usedLag: 0, nobs: n - 1, criticalValues, hedgeRatio: b[0]! };
  }
  // Step 2: ADF without deterministic terms on the residuals (they are already demeaned / detrended).
  const adf = adfuller(resid, {
    regression: 'n',
    autolag: options.autolag === undefined ? 'aic' : options.autolag,
    ...(options.maxlag === undefined ? {} : { maxlag: options.maxlag }),
  });
  return {
    statistic: adf.statistic,
    pValue: mackinnonp(adf.statistic, trend, 2),
    usedLag: adf.usedLag,
    nobs: adf.nobs,
    criticalValues,
    hedgeRatio: b[0]!,
  };
}
