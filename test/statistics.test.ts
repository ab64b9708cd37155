/**
 * Descriptive statistics: hand-checkable cases and input validation.
 * Each expected value is either worked out by hand in the comment next to it or cited.
 */
import {
  correlation,
  halfLife,
  logReturns,
  logSpreadStdDev,
  olsHedgeRatio,
  simpleReturns,
  spread,
  zScore,
  zScores,
} from '../trading/statistics';

// Anscombe, F. J. (1973) "Graphs in Statistical Analysis", The American Statistician 27(1), 17-21: data set I,
// for which the paper gives the fitted line y = 3.00 + 0.500·x and correlation 0.82 (0.816 to three places).
const ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
const ANSCOMBE_Y1 = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];

describe('returns', () => {
  it('logReturns: ln(110/100), ln(99/110) = ln 1.1, ln 0.9', () => {
    const r = logReturns([100, 110, 99]);
    expect(r).toHaveLength(2);
    expect(r[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(r[1]).toBeCloseTo(Math.log(0.9), 15);
  });
  it('simpleReturns: +10 %, -10 %', () => {
    const r = simpleReturns([100, 110, 99]);
    expect(r[0]).toBeCloseTo(0.1, 15);
    expect(r[1]).toBeCloseTo(-0.1, 15);
  });
  it('reject non-positive, non-finite and too-short price series', () => {
    expect(() => logReturns([100])).toThrow(/logReturns: prices needs at least 2 values \(got 1\)/);
    expect(() => logReturns([100, 0, 3])).toThrow(/prices\[1\] must be positive/);
    expect(() => simpleReturns([100, -1])).toThrow(/prices\[1\] must be positive/);
    expect(() => simpleReturns([100, NaN])).toThrow(/prices\[1\] is not a finite number/);
    expect(() => logReturns([Infinity, 1])).toThrow(/prices\[0\] is not a finite number/);
  });
});

describe('correlation', () => {
  it('Anscombe (1973) data set I: r = 0.816', () => {
    expect(Math.abs(correlation(ANSCOMBE_X, ANSCOMBE_Y1) - 0.816)).toBeLessThan(5e-4);
  });
  it('exact linear relations give ±1', () => {
    expect(correlation([1, 2, 3, 4], [3, 5, 7, 9])).toBeCloseTo(1, 14);
    expect(correlation([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 14);
  });
  it('rejects length mismatch, too few points, NaN and constant series', () => {
    expect(() => correlation([1, 2, 3], [1, 2])).toThrow(/same length \(got 3 and 2\)/);
    expect(() => correlation([1], [1])).toThrow(/at least 2 values/);
    expect(() => correlation([1, NaN, 3], [1, 2, 3])).toThrow(/first series\[1\] is not a finite number/);
    expect(() => correlation([1, 2, 3], [5, 5, 5])).toThrow(/constant/);
  });
});

describe('olsHedgeRatio and spread', () => {
  it('Anscombe (1973) data set I: y = 3.00 + 0.500·x', () => {
    const { alpha, beta, residuals } = olsHedgeRatio(ANSCOMBE_Y1, ANSCOMBE_X);
    expect(Math.abs(alpha - 3.0)).toBeLessThan(5e-3);
    expect(Math.abs(beta - 0.5)).toBeLessThan(5e-4);
    // OLS with intercept: residuals sum to zero and are orthogonal to x
    expect(residuals.reduce((s, r) => s + r, 0)).toBeCloseTo(0, 12);
    expect(residuals.reduce((s, r, i) => s + r * ANSCOMBE_X[i]!, 0)).toBeCloseTo(0, 10);
  });
  it('recovers an exact relation at price level (no cancellation from uncentred sums)', () => {
    const x = [1000.25, 1001.5, 999.75, 1002, 1000.5];
    const y = x.map((v) => 7.5 + 1.25 * v);
    const { alpha, beta, residuals } = olsHedgeRatio(y, x);
    expect(beta).toBeCloseTo(1.25, 10);
    expect(alpha).toBeCloseTo(7.5, 7);
    for (const r of residuals) expect(Math.abs(r)).toBeLessThan(1e-9);
  });
  it('spread = y - beta·x - alpha', () => {
    expect(spread([10, 12], [4, 5], 2, 1)).toEqual([1, 1]);
    expect(spread([10, 12], [4, 5], 2)).toEqual([2, 2]);
  });
  it('reject bad input', () => {
    expect(() => olsHedgeRatio([1, 2, 3], [2, 2, 2])).toThrow(/x is constant/);
    expect(() => olsHedgeRatio([1, 2], [1, 2, 3])).toThrow(/same length/);
    expect(() => spread([1, 2], [1, Infinity], 1)).toThrow(/second series\[1\] is not a finite number/);
    expect(() => spread([1, 2], [1, 2], NaN)).toThrow(/beta and alpha must be finite/);
  });
});

describe('zScore / zScores', () => {
  it('[1, 2, 3, 4, 10]: mean 4, sample variance (9+4+1+0+36)/4 = 12.5, z = 6/√12.5', () => {
    expect(zScore([1, 2, 3, 4, 10])).toBeCloseTo(6 / Math.sqrt(12.5), 14);
  });
  it('a constant window has z = 0', () => {
    expect(zScore([0.1, 0.1, 0.1])).toBe(0);
  });
  it('rolling windows: out[k] is the z of series[k + window - 1] within its window', () => {
    const s = [1, 2, 3, 4, 10, 4, 4];
    const z = zScores(s, 5);
    expect(z).toHaveLength(3);
    expect(z[0]).toBe(zScore([1, 2, 3, 4, 10]));
    expect(z[1]).toBe(zScore([2, 3, 4, 10, 4]));
    expect(z[2]).toBe(zScore([3, 4, 10, 4, 4]));
    // [3, 4, 10, 4, 4]: mean 5, sample variance (4+1+25+1+1)/4 = 8, z = -1/√8
    expect(z[2]).toBeCloseTo(-1 / Math.sqrt(8), 14);
  });
  it('reject bad window and input', () => {
    expect(() => zScore([1])).toThrow(/at least 2 values/);
    expect(() => zScores([1, 2, 3], 4)).toThrow(/at least 4 values/);
    expect(() => zScores([1, 2, 3], 1)).toThrow(/window must be an integer >= 2/);
    expect(() => zScores([1, 2, 3], 2.5)).toThrow(/window must be an integer >= 2/);
    expect(() => zScore([1, NaN])).toThrow(/series\[1\] is not a finite number/);
  });
});

describe('halfLife', () => {
  it('exact AR(1) s_t = 100·0.9^t: Δs = -0.1·s_{t-1} exactly, half-life = ln 2 / 0.1', () => {
    const s = Array.from({ length: 30 }, (_, t) => 100 * 0.9 ** t);
    expect(halfLife(s)).toBeCloseTo(Math.LN2 / 0.1, 9);
  });
  it('exact AR(1) around a mean, s_t = 5 + 10·0.5^t: λ = -0.5 (the intercept absorbs the mean), half-life = 2·ln 2', () => {
    const s = Array.from({ length: 20 }, (_, t) => 5 + 10 * 0.5 ** t);
    expect(halfLife(s)).toBeCloseTo(2 * Math.LN2, 9);
  });
  it('no mean reversion (λ ≥ 0) gives Infinity', () => {
    expect(halfLife(Array.from({ length: 20 }, (_, t) => 1.1 ** t))).toBe(Infinity); // explosive, λ = 0.1
    expect(halfLife([1, 2, 3, 4, 5])).toBe(Infinity); // Δs constant, λ = 0
  });
  it('rejects too few points, non-finite values and a constant lagged spread', () => {
    expect(() => halfLife([1, 2])).toThrow(/at least 3 values/);
    expect(() => halfLife([1, NaN, 2])).toThrow(/spread\[1\] is not a finite number/);
    expect(() => halfLife([2, 2, 2, 3])).toThrow(/lagged spread is constant/);
  });
});

describe('logSpreadStdDev', () => {
  it('[0.01, -0.01, 0.01, -0.01]: mean 0, sample variance 4·1e-4/3', () => {
    expect(logSpreadStdDev([0.01, -0.01, 0.01, -0.01])).toBeCloseTo(Math.sqrt(4e-4 / 3), 15);
  });
  it('log-price spread of a pair drifting ±2 % apart is above the 1 % threshold', () => {
    const y = [100, 102, 100, 98, 100];
    const x = [50, 50, 50, 50, 50];
    const s = spread(y.map(Math.log), x.map(Math.log), 1);
    expect(logSpreadStdDev(s)).toBeGreaterThan(0.01);
  });
  it('rejects bad input', () => {
    expect(() => logSpreadStdDev([0.1])).toThrow(/at least 2 values/);
    expect(() => logSpreadStdDev([0.1, -Infinity])).toThrow(/logSpread\[1\] is not a finite number/);
  });
});
