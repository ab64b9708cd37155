/**
 * Augmented Dickey-Fuller unit-root test, a port of statsmodels `adfuller` (statsmodels/tsa/stattools.py),
 * plus the small Householder-QR least-squares kernel it (and the Engle-Granger test) runs on.
 * Pure and deterministic (safe inside Temporal workflows): no I/O, no clock, no randomness.
 *
 * Test regression (ntrend deterministic terms, p lagged differences, level last):
 *   Δx_t = [1, t, t²]_(first ntrend) + Σ_{j=1..p} c_j Δx_{t-j} + γ x_{t-1} + e_t,   statistic = t-value of γ.
 * With autolag, every p in 0..maxlag is fitted on the SAME sample (the one maxlag leaves) and the p minimising the
 * criterion is then re-fitted on the largest sample that lag allows, exactly as statsmodels does (statsmodels
 * `_autolag` on the common sample, then a fresh lagmat/OLS for the chosen lag). Both fits run on the normal equations
 * of the lag window (O(rows·lags), where a QR is O(rows·lags²): the Engle-Granger pair screen runs tens of thousands of
 * these per date); the final one falls back to a Householder QR when its conditioning could cost more than ~1e-12.
 */
import { mackinnoncrit, mackinnonp, type CriticalValues, type MacKinnonRegression } from './mackinnon';

export type AdfRegression = MacKinnonRegression;
export type AutoLag = 'aic' | 'bic' | 't-stat';

export interface AdfOptions {
  /** Deterministic terms: 'n' none, 'c' constant (default), 'ct' constant + trend, 'ctt' + quadratic trend. */
  regression?: AdfRegression;
  /** Highest lag of Δx tried (autolag) or used (autolag null). Default ceil(12·(nobs/100)^¼), capped at nobs/2 - ntrend - 1. */
  maxlag?: number;
  /** Lag selection: 'aic' (default), 'bic', 't-stat' (drop the last lag while |t| < 1.645), or null to use maxlag. */
  autolag?: AutoLag | null;
}

export interface AdfResult {
  /** ADF t-statistic on the lagged level. */
  statistic: number;
  /** MacKinnon (1994) approximate p-value. */
  pValue: number;
  /** Number of lagged differences in the final regression. */
  usedLag: number;
  /** Observations in the final regression (len(x) - 1 - usedLag). */
  nobs: number;
  /** MacKinnon (2010) critical values for nobs. */
  criticalValues: CriticalValues;
  /** Best information criterion (|t| of the last lag for 't-stat'); absent when autolag is null. */
  icBest?: number;
}

/** A column whose part orthogonal to the previous columns is below this fraction of its norm is treated as collinear. */
const RANK_TOL = 1e-10;
/** The same test on squared norms for the Cholesky pivots, looser (1e-6 in norm) because normal equations square errors. */
const GRAM_RANK_TOL = 1e-12;
/**
 * Smallest relative Cholesky pivot (1 - R² of a column on the columns before it) and 1 - R² of the fit for which the
 * final statistic is taken from the normal equations: their relative rounding error stays near eps / 1e-4 ≈ 2e-12.
 */
const FAST_FIT_MIN_PIVOT = 1e-4;
/** Φ⁻¹(0.95), statsmodels' stopping rule for autolag 't-stat'. */
const T_STAT_STOP = 1.6448536269514722;
const LN_2PI = Math.log(2 * Math.PI);

/**
 * Grow-only work arrays, one per slot, handed out with undefined contents. The pair screen runs tens of thousands of
 * tests per date, and a Float64Array over 64 bytes is an off-heap allocation the GC must later finalise: those
 * allocations, not the arithmetic, dominated its profile. Safe because every caller is synchronous and no work array
 * outlives the call that took it (results are always fresh objects); each module keeps its own instance so nested
 * calls (coint → adfuller) never share a slot.
 */
export class Scratch {
  private readonly arrays: Float64Array[] = [];

  take(slot: number, size: number): Float64Array {
    const a = this.arrays[slot];
    if (a !== undefined && a.length >= size) return a;
    return (this.arrays[slot] = new Float64Array(Math.max(size, 2 * (a?.length ?? 0))));
  }
}

const scratch = new Scratch();
const GRAM = 0;
const LEVELS = 1;
const IC_FITS = 2;
const QTY_Z = 3;
const DIFFS = 4;
const DESIGN = 5;
const RESPONSE = 6;
const RDIAG = 7;
const COEFFICIENTS = 8;
const UNIT_SOLVE = 9;
const GRAM_COPY = 10;
const ROW = 11;

/**
 * In-place Householder QR of the column-major n×k matrix `a` (column c at a[c·n .. c·n + n - 1]), applied to `y`.
 * Afterwards rdiag[c] = R[c][c], a[c·n + i] = R[i][c] for i < c, and y holds Qᵀy, so the residual sum of squares
 * is Σ_{i≥k} y[i]². Householder (not normal equations) keeps full precision when columns have very different
 * scales (constant, trend, trend², price levels). Throws when a column is numerically a linear combination of the
 * columns before it.
 */
export function householderQr(a: Float64Array, n: number, k: number, y: Float64Array, rdiag: Float64Array): void {
  for (let j = 0; j < k; j++) {
    const cj = j * n;
    let norm2 = 0; // of the part still to reduce, rows j..n-1
    for (let i = j; i < n; i++) norm2 += a[cj + i]! * a[cj + i]!;
    let colNorm2 = norm2; // of the whole column: R[0..j)[j] above plus the rest (Householder preserves norms)
    for (let i = 0; i < j; i++) colNorm2 += a[cj + i]! * a[cj + i]!;
    const alpha = a[cj + j]!;
    const beta = alpha > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2); // sign opposite to alpha: no cancellation in v0
    if (!(Math.abs(beta) > RANK_TOL * Math.sqrt(colNorm2))) {
      throw new Error(`least squares: column ${j} of the ${n}x${k} design is collinear with the previous columns (rank deficient)`);
    }
    const v0 = alpha - beta;
    a[cj + j] = v0; // v = (v0, a[j+1..n) of column j); H = I - 2vvᵀ/(vᵀv) with vᵀv = -2·beta·v0
    const f = 1 / (beta * v0);
    // The remaining columns, then y, two at a time: one pass over v serves both (the arithmetic per column is unchanged).
    let c = j + 1;
    for (; c + 1 < k; c += 2) reflectTwo(a, cj, j, n, f, a, c * n, a, (c + 1) * n);
    if (c < k) reflectTwo(a, cj, j, n, f, a, c * n, y, 0);
    else reflectOne(a, cj, j, n, f, y, 0);
    rdiag[j] = beta;
  }
}

/** Applies H = I + f·vvᵀ (v = a[vo + from .. vo + n)) to rows from..n-1 of the vectors at p[po..] and q[qo..]. */
function reflectTwo(v: Float64Array, vo: number, from: number, n: number, f: number, p: Float64Array, po: number, q: Float64Array, qo: number): void {
  let sp = 0;
  let sq = 0;
  for (let i = from; i < n; i++) {
    const vi = v[vo + i]!;
    sp += vi * p[po + i]!;
    sq += vi * q[qo + i]!;
  }
  sp *= f;
  sq *= f;
  for (let i = from; i < n; i++) {
    const vi = v[vo + i]!;
    p[po + i]! += sp * vi;
    q[qo + i]! += sq * vi;
  }
}

function reflectOne(v: Float64Array, vo: number, from: number, n: number, f: number, p: Float64Array, po: number): void {
  let s = 0;
  for (let i = from; i < n; i++) s += v[vo + i]! * p[po + i]!;
  s *= f;
  for (let i = from; i < n; i++) p[po + i]! += s * v[vo + i]!;
}

/** Coefficients of the fit on the first k columns, by back substitution on the output of householderQr (into `b`). */
export function qrCoefficients(a: Float64Array, n: number, k: number, qty: Float64Array, rdiag: Float64Array, b: Float64Array = new Float64Array(k)): Float64Array {
  for (let i = k - 1; i >= 0; i--) {
    let s = qty[i]!;
    for (let c = i + 1; c < k; c++) s -= a[c * n + i]! * b[c]!;
    b[i] = s / rdiag[i]!;
  }
  return b;
}

/** statsmodels add_trend columns for row r: 1, r+1, (r+1)². */
function fillTrend(a: Float64Array, rows: number, ntrend: number): void {
  for (let r = 0; r < rows; r++) {
    if (ntrend >= 1) a[r] = 1;
    if (ntrend >= 2) a[rows + r] = r + 1;
    if (ntrend >= 3) a[2 * rows + r] = (r + 1) * (r + 1);
  }
}

/**
 * Column-major ADF design for rows t = first .. first+rows-1 of the differences d (Δx_t = d[t] = x[t+1] - x[t]):
 * trend columns, lags Δx_{t-1..t-p}, then the level x_t last (its t-value is then read straight off R).
 */
function adfDesign(x: ArrayLike<number>, d: Float64Array, first: number, rows: number, ntrend: number, p: number): Float64Array {
  const a = scratch.take(DESIGN, rows * (ntrend + 1 + p));
  fillTrend(a, rows, ntrend);
  for (let j = 1; j <= p; j++) {
    const base = (ntrend + j - 1) * rows;
    for (let r = 0; r < rows; r++) a[base + r] = d[first + r - j]!;
  }
  const base = (ntrend + p) * rows;
  for (let r = 0; r < rows; r++) a[base + r] = x[first + r]!;
  return a;
}

/** A Gram matrix of [X y] (row-major, stride W, upper triangle; y last), or its upper Cholesky factor in place. */
interface Gram {
  g: Float64Array;
  W: number;
  rows: number;
}

/**
 * The Gram matrix of [trend, level, lag 1..M, Δx_t] on t = M..n-2 in O(rows·M), where a QR costs O(rows·M²): the block
 * of lagged differences is a sliding window, each cross product the previous one shifted by a row (add the entering
 * product, drop the leaving one). Factored (choleskyInPlace), R's last column holds z = Qᵀy and R[K][K]² the ssr of the
 * full model, so every nested model [trend, level, lag 1..p] is read off it: ssr = ρ² + Σ_{i≥k} z[i]², k = ntrend+1+p.
 */
function gramMatrix(x: ArrayLike<number>, d: Float64Array, ntrend: number, M: number): Gram {
  const rows = x.length - 1 - M; // d is a work array: its length is not the series'
  const K = ntrend + 1 + M;
  const W = K + 1; // Gram of [X y], row-major, y last
  const g = scratch.take(GRAM, W * W); // only the upper triangle is filled and used
  const at = (i: number, j: number): number => (i <= j ? i * W + j : j * W + i);
  // Lag family a = 0..M: a = 0 is the response Δx_t (column K), a ≥ 1 is Δx_{t-a} (column ntrend + a).
  const col = (a: number): number => (a === 0 ? K : ntrend + a);
  // Deterministic columns (trend terms, then the level x_t) are explicit; they are few.
  const det = scratch.take(LEVELS, (ntrend + 1) * rows);
  fillTrend(det, rows, ntrend);
  const dl = ntrend * rows;
  for (let r = 0; r < rows; r++) det[dl + r] = x[M + r]!;
  // Cross products of each lag with the response and with the level, both in one pass over the lag.
  for (let h = 0; h <= M; h++) {
    let sy = 0;
    let sl = 0;
    for (let r = 0; r < rows; r++) {
      const v = d[M + r - h]!;
      sy += d[M + r]! * v;
      sl += det[dl + r]! * v;
    }
    g[at(K, col(h))] = sy;
    g[at(ntrend, col(h))] = sl;
  }
  for (let a = 1; a <= M; a++) {
    for (let b = a; b <= M; b++) {
      const prev = g[at(col(a - 1), col(b - 1))]!;
      g[at(col(a), col(b))] = prev + d[M - a]! * d[M - b]! - d[M + rows - a]! * d[M + rows - b]!;
    }
  }
  for (let c = 0; c <= ntrend; c++) {
    const dc = c * rows;
    for (let c2 = c; c2 <= ntrend; c2++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += det[dc + r]! * det[c2 * rows + r]!;
      g[at(c, c2)] = s;
    }
    for (let a = 0; c < ntrend && a <= M; a++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += det[dc + r]! * d[M + r - a]!;
      g[at(c, col(a))] = s;
    }
  }
  return { g, W, rows };
}

/**
 * In-place upper Cholesky g = RᵀR. Normal equations square the condition number, so each regressor's pivot is checked
 * against minPivot of its squared norm (a scale-free test: 1 - R² of the column on the ones before it); returns the
 * first column that fails (numerically collinear; the factorisation stops there), or -1.
 */
function choleskyInPlace({ g, W }: Gram, minPivot: number): number {
  const K = W - 1;
  for (let j = 0; j < W; j++) {
    let piv = g[j * W + j]!;
    for (let p = 0; p < j; p++) piv -= g[p * W + j]! * g[p * W + j]!;
    if (j < K && !(piv > minPivot * g[j * W + j]!)) return j;
    const rjj = Math.sqrt(Math.max(piv, 0)); // j = K: ρ = √ssr of the full model; rounding may push a perfect fit below 0
    g[j * W + j] = rjj;
    for (let c = j + 1; c < W; c++) {
      let s = g[j * W + c]!;
      for (let p = 0; p < j; p++) s -= g[p * W + j]! * g[p * W + c]!;
      g[j * W + c] = s / rjj;
    }
  }
  return -1;
}

/**
 * The Gram matrix of the model with p ≤ M lags on its own sample t = p..n-2, from the unfactored common-sample one: its
 * columns [trend, level, lag 1..p] are a prefix of the common ones, and its sample adds the rows t = p..M-1 (rank-one
 * updates, O((M-p)·p²) instead of O(rows·p)). Only for ntrend ≤ 1: a time trend is numbered from each sample's start.
 */
function shorterLagGram(common: Gram, x: ArrayLike<number>, d: Float64Array, ntrend: number, p: number, M: number): Gram {
  const K = ntrend + 1 + p;
  const W = K + 1;
  const g = scratch.take(GRAM, W * W);
  const Wc = common.W;
  for (let i = 0; i < W; i++) {
    const ci = i === K ? Wc - 1 : i;
    for (let j = i; j < W; j++) g[i * W + j] = common.g[ci * Wc + (j === K ? Wc - 1 : j)]!;
  }
  const v = scratch.take(ROW, W);
  if (ntrend === 1) v[0] = 1;
  for (let t = p; t < M; t++) {
    v[ntrend] = x[t]!;
    for (let h = 1; h <= p; h++) v[ntrend + h] = d[t - h]!;
    v[K] = d[t]!;
    for (let i = 0; i < W; i++) for (let j = i; j < W; j++) g[i * W + j]! += v[i]! * v[j]!;
  }
  return { g, W, rows: common.rows + M - p };
}

/**
 * Fits of the nested autolag models p = 0..M (columns [trend, level, lag 1..p]) on the common sample t = M..n-2, all
 * read off one factored gramMatrix. The normal equations are acceptable here because these fits only rank lag lengths;
 * the reported statistic comes from gramLevelTStat, under its own conditioning test, or the Householder fit. Also returns
 * the unfactored Gram matrix, from which shorterLagGram builds the final fit's.
 */
function commonSampleFits(x: ArrayLike<number>, d: Float64Array, ntrend: number, M: number): { ssr: Float64Array; z: Float64Array; rows: number; gram: Gram } {
  const gram = gramMatrix(x, d, ntrend, M);
  const { g, W, rows } = gram;
  const copy = { g: scratch.take(GRAM_COPY, W * W), W, rows }; // unfactored, for shorterLagGram
  copy.g.set(g.subarray(0, W * W));
  const deficient = choleskyInPlace(gram, GRAM_RANK_TOL);
  if (deficient >= 0) throw new Error(`adfuller: column ${deficient} of the lag-selection design is collinear with the previous columns (rank deficient)`);
  const K = W - 1;
  const z = scratch.take(QTY_Z, K);
  for (let i = 0; i < K; i++) z[i] = g[i * W + K]!;
  const ssr = scratch.take(IC_FITS, M + 1);
  ssr[M] = g[K * W + K]! ** 2;
  // Nested models from the tail, adding squares. ρ² itself is yᵀy - ‖z‖², which loses only ~eps/(1-R²) relatively.
  for (let p = M - 1; p >= 0; p--) ssr[p] = ssr[p + 1]! + z[ntrend + 1 + p]! ** 2;
  return { ssr, z, rows, gram: copy };
}

/**
 * t-value of the level in the ADF regression from the Gram matrix of its design [trend, level, lags, y] (gramMatrix or
 * shorterLagGram, against O(rows·p²) for a QR): γ̂ = (R⁻¹z)[l], se² = s²·‖R⁻ᵀe_l‖², l the level
 * column. Normal equations lose about κ² where a QR loses κ, so this answers only when the factor shows the design
 * well conditioned and the fit far from exact (relative pivots and 1 - R² above FAST_FIT_MIN_PIVOT, i.e. a rounding
 * error of the order of 1e-12 at most); otherwise undefined, and the caller uses the Householder fit.
 */
function gramLevelTStat(gram: Gram, ntrend: number): number | undefined {
  if (choleskyInPlace(gram, FAST_FIT_MIN_PIVOT) >= 0) return undefined;
  const { g, W, rows } = gram;
  const K = W - 1;
  const l = ntrend;
  const ssr = g[K * W + K]! ** 2;
  let explained = 0;
  for (let i = 0; i < K; i++) explained += g[i * W + K]! ** 2;
  if (!(ssr > FAST_FIT_MIN_PIVOT * (ssr + explained))) return undefined; // yᵀy - ‖z‖² would cancel
  const b = scratch.take(COEFFICIENTS, K); // R b = z, rows K-1 down to l
  for (let i = K - 1; i >= l; i--) {
    let s = g[i * W + K]!;
    for (let c = i + 1; c < K; c++) s -= g[i * W + c]! * b[c]!;
    b[i] = s / g[i * W + i]!;
  }
  const w = scratch.take(UNIT_SOLVE, K); // Rᵀ w = e_l (w[i] = 0 for i < l), so ‖w‖² = [(XᵀX)⁻¹]_ll
  let norm2 = 0;
  for (let i = l; i < K; i++) {
    let s = i === l ? 1 : 0;
    for (let j = l; j < i; j++) s -= g[j * W + i]! * w[j]!;
    w[i] = s / g[i * W + i]!;
    norm2 += w[i]! ** 2;
  }
  return b[l]! / Math.sqrt((ssr / (rows - K)) * norm2);
}

/** The same t-value by Householder QR of the explicit design, level in the last column: accurate for any conditioning. */
function householderLevelTStat(x: ArrayLike<number>, d: Float64Array, ntrend: number, p: number, rows: number): number {
  const k = ntrend + 1 + p;
  const a = adfDesign(x, d, p, rows, ntrend, p);
  const qty = scratch.take(RESPONSE, rows);
  qty.set(d.subarray(p, p + rows));
  const rdiag = scratch.take(RDIAG, k);
  householderQr(a, rows, k, qty, rdiag);
  let ssr = 0;
  for (let i = k; i < rows; i++) ssr += qty[i]! * qty[i]!;
  // The last row of R⁻¹ is just 1/R[k-1][k-1], so se = s/|R[k-1][k-1]|.
  return (qty[k - 1]! * Math.sign(rdiag[k - 1]!)) / Math.sqrt(ssr / (rows - k));
}

const REGRESSIONS: readonly string[] = ['n', 'c', 'ct', 'ctt'];
const AUTOLAGS: readonly string[] = ['aic', 'bic', 't-stat'];

/** Number of deterministic columns of a regression: 'n' 0, 'c' 1, 'ct' 2, 'ctt' 3. */
export function trendCount(regression: AdfRegression): number {
  return regression === 'n' ? 0 : regression.length;
}

/**
 * Augmented Dickey-Fuller test, matching statsmodels `adfuller(x, maxlag, regression, autolag)`.
 * Deviations: throws (instead of returning NaN/±Inf) when the final regression has no residual degree of freedom
 * or a rank-deficient design; statsmodels' pinv would return a minimum-norm fit there.
 */
export function adfuller(x: ArrayLike<number>, options: AdfOptions = {}): AdfResult {
  const regression = options.regression ?? 'c';
  const autolag = options.autolag === undefined ? 'aic' : options.autolag;
  if (!REGRESSIONS.includes(regression)) throw new Error(`adfuller: regression must be one of 'n', 'c', 'ct', 'ctt' (got '${regression}')`);
  if (autolag !== null && !AUTOLAGS.includes(autolag)) throw new Error(`adfuller: autolag must be 'aic', 'bic', 't-stat' or null (got '${autolag}')`);
  const n = x.length;
  if (n < 3) throw new Error(`adfuller: x needs at least 3 observations (got ${n})`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new Error(`adfuller: x[${i}] is not a finite number (${v})`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) throw new Error('adfuller: x is constant');
  const ntrend = trendCount(regression);
  const maxAllowed = Math.floor(n / 2) - ntrend - 1; // statsmodels: nobs // 2 - ntrend - 1
  let maxlag: number;
  if (options.maxlag === undefined) {
    maxlag = Math.min(maxAllowed, Math.ceil(12 * Math.pow(n / 100, 0.25))); // Schwert (1989) via Greene, as statsmodels
    if (maxlag < 0) throw new Error(`adfuller: sample size ${n} is too short to use regression '${regression}'`);
  } else {
    maxlag = options.maxlag;
    if (!Number.isInteger(maxlag) || maxlag < 0) throw new Error(`adfuller: maxlag must be a non-negative integer (got ${maxlag})`);
    if (maxlag > maxAllowed) {
      throw new Error(`adfuller: maxlag must be at most nobs/2 - 1 - ntrend = ${maxAllowed} for ${n} observations and regression '${regression}' (got ${maxlag})`);
    }
  }
  const d = scratch.take(DIFFS, n - 1);
  for (let i = 0; i < n - 1; i++) d[i] = x[i + 1]! - x[i]!;

  let usedLag = maxlag;
  let icBest: number | undefined;
  let commonGram: Gram | undefined;
  if (autolag !== null) {
    const { ssr, z, rows: common, gram } = commonSampleFits(x, d, ntrend, maxlag);
    commonGram = gram;
    if (autolag === 't-stat') {
      for (let p = maxlag; p >= 0; p--) {
        const k = ntrend + 1 + p;
        icBest = Math.abs(z[k - 1]! / Math.sqrt(ssr[p]! / (common - k))); // t of the last column: its row of R⁻¹ is 1/R[k-1][k-1]
        usedLag = p;
        if (icBest >= T_STAT_STOP) break;
      }
    } else {
      // statsmodels OLS: aic = -2·llf + 2k, bic = -2·llf + ln(n)·k, llf = -n/2·(ln 2π + ln(ssr/n) + 1).
      const penalty = autolag === 'aic' ? 2 : Math.log(common);
      let best = Infinity;
      for (let p = 0; p <= maxlag; p++) {
        const ic = common * (LN_2PI + Math.log(ssr[p]! / common) + 1) + penalty * (ntrend + 1 + p);
        if (ic < best) { // strict: ties keep the shorter lag, as min((ic, lag)) does
          best = ic;
          usedLag = p;
        }
      }
      icBest = best;
    }
  }

  // Final regression on the largest sample the chosen lag allows.
  const rows = n - 1 - usedLag;
  const k = ntrend + 1 + usedLag;
  if (rows <= k) throw new Error(`adfuller: ${n} observations leave no residual degree of freedom with ${usedLag} lags and regression '${regression}'`);
  const gram = commonGram && ntrend <= 1 ? shorterLagGram(commonGram, x, d, ntrend, usedLag, maxlag) : gramMatrix(x, d, ntrend, usedLag);
  const statistic = gramLevelTStat(gram, ntrend) ?? householderLevelTStat(x, d, ntrend, usedLag, rows);
  const result: AdfResult = {
    statistic,
    pValue: mackinnonp(statistic, regression, 1),
    usedLag,
    nobs: rows,
    criticalValues: mackinnoncrit(1, regression, rows),
  };
  if (icBest !== undefined) result.icBest = icBest;
  return result;
}
