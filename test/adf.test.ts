/**
 * Augmented Dickey-Fuller test and MacKinnon tables against published references.
 *
 * Data: test/fixtures/macrodata.csv holds the year, quarter, realgdp, realcons and infl columns of statsmodels'
 * macrodata dataset (statsmodels/datasets/macrodata/macrodata.csv: US macroeconomic data 1959Q1-2009Q3 from FRED,
 * Federal Reserve Bank of St. Louis, and the BLS; public domain), copied verbatim.
 *
 * Expected values: statsmodels/tsa/tests/test_stattools.py (classes CheckADF, TestADFConstant, TestADFConstantTrend,
 * TestADFNoConstant, TestADFConstant2, TestADFConstantTrend2, TestADFNoConstant2; "Test values taken from Stata") and
 * statsmodels/tsa/tests/test_adfuller_lag.py (test_adf_autolag), with the same inputs and the same tolerances.
 * numpy's assert_almost_equal(actual, desired, decimal) passes when |desired - actual| < 1.5·10^-decimal;
 * assertAlmostEqual below is exactly that criterion.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adfuller, type AdfRegression } from '../trading/adf';
import { mackinnoncrit, mackinnonp, normalCdf } from '../trading/mackinnon';

function loadMacrodata(): { realgdp: number[]; realcons: number[]; infl: number[] } {
  const lines = fs.readFileSync(path.join(__dirname, 'fixtures', 'macrodata.csv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const col = (name: string): number[] => rows.map((r) => r[header.indexOf(name)]!);
  return { realgdp: col('realgdp'), realcons: col('realcons'), infl: col('infl') };
}

/** numpy.testing.assert_almost_equal criterion. */
function assertAlmostEqual(actual: number, desired: number, decimal: number): void {
  expect(Math.abs(desired - actual)).toBeLessThan(1.5 * 10 ** -decimal);
}

const DECIMAL_5 = 5;
const DECIMAL_2 = 2;
const { realgdp, infl } = loadMacrodata();

describe('adfuller: statsmodels CheckADF cases (values from Stata)', () => {
  // [class, series, regression, maxlag, teststat, pvalue, critvalues] exactly as in test_stattools.py
  const cases: [string, number[], AdfRegression, number, number, number, [number, number, number]][] = [
    ['TestADFConstant', realgdp, 'c', 4, 0.97505319, 0.99399563, [-3.476, -2.883, -2.573]],
    ['TestADFConstantTrend', realgdp, 'ct', 4, -1.8566374, 0.67682968, [-4.007, -3.437, -3.137]],
    // pvalue .99999: Stata gives none for noconstant; statsmodels' own value
    ['TestADFNoConstant', realgdp, 'n', 4, 3.5227498, 0.99999, [-2.587, -1.95, -1.617]],
    ['TestADFConstant2', infl, 'c', 1, -4.3346988, 0.00038661, [-3.476, -2.883, -2.573]],
    ['TestADFConstantTrend2', infl, 'ct', 1, -4.425093, 0.00199633, [-4.006, -3.437, -3.137]],
    // pvalue 0.013747: "Stata does not return a p-value for noconstant, this value is just taken from our results"
    ['TestADFNoConstant2', infl, 'n', 1, -2.4511596, 0.013747, [-2.587, -1.95, -1.617]],
  ];
  it.each(cases)('%s', (_name, x, regression, maxlag, teststat, pvalue, critvalues) => {
    const res = adfuller(x, { regression, autolag: null, maxlag });
    assertAlmostEqual(res.statistic, teststat, DECIMAL_5); // test_teststat
    assertAlmostEqual(res.pValue, pvalue, DECIMAL_5); // test_pvalue
    assertAlmostEqual(res.criticalValues['1%'], critvalues[0], DECIMAL_2); // test_critvalues
    assertAlmostEqual(res.criticalValues['5%'], critvalues[1], DECIMAL_2);
    assertAlmostEqual(res.criticalValues['10%'], critvalues[2], DECIMAL_2);
    expect(res.usedLag).toBe(maxlag); // autolag=None uses maxlag
    expect(res.nobs).toBe(x.length - 1 - maxlag); // statsmodels: rows of lagmat(diff(x), maxlag, trim="both")
    expect(res.icBest).toBeUndefined();
  });
});

describe('adfuller: autolag (statsmodels test_adfuller_lag.py::test_adf_autolag)', () => {
  const x = realgdp.map(Math.log);
  it.each(['n', 'c', 'ct', 'ctt'] as AdfRegression[])('log(realgdp), regression %s: AIC picks lag 2, same as a fixed lag of 2', (regression) => {
    const auto = adfuller(x, { regression, autolag: 'aic' });
    // "assert_equal(st2.usedlag, 2)"; "min-ic lag of dfgls in Stata is also 2"
    expect(auto.usedLag).toBe(2);
    // "same result with lag fixed at lags of autolag": assert_almost_equal(adf3[:2], adf2[:2], decimal=12)
    const fixed = adfuller(x, { regression, autolag: null, maxlag: 2 });
    assertAlmostEqual(auto.statistic, fixed.statistic, 12);
    assertAlmostEqual(auto.pValue, fixed.pValue, 12);
    // the re-fit uses the maximal sample for lag 2, not the common sample of maxlag
    expect(auto.nobs).toBe(x.length - 1 - 2);
  });

  it('default maxlag is ceil(12·(nobs/100)^¼) = 15 for 203 observations (the test expects 15 + 1 autolag fits)', () => {
    const res = adfuller(x, { regression: 'c', autolag: null });
    expect(res.usedLag).toBe(15);
    expect(res.nobs).toBe(203 - 1 - 15);
  });

  // No published reference exercises 'bic' or 't-stat': these values were produced by statsmodels 0.15.0
  // (adfuller(np.log(realgdp), regression=r, autolag=a)) as a cross-implementation check, compared to rtol 1e-9.
  const smCases: [AdfRegression, 'aic' | 'bic' | 't-stat', number, number, number, number, number][] = [
    // regression, autolag, statistic, pvalue, usedlag, nobs, icbest
    ['c', 'aic', -1.7953507663202524, 0.3827723399149292, 2, 200, -1270.3524522853122],
    ['c', 'bic', -1.8204507618422132, 0.370356761417063, 1, 201, -1257.4691726463993],
    ['c', 't-stat', -2.0411659306520513, 0.2688199050055724, 12, 190, 2.587491052906107],
    ['ct', 'bic', -2.3828718387219476, 0.38876354439956246, 2, 200, -1263.6262255811139],
    ['n', 't-stat', 3.3936864620185467, 0.9999827139042007, 12, 190, 2.2536275431658352],
  ];
  it.each(smCases)('cross-check with statsmodels 0.15.0: regression %s, autolag %s', (regression, autolag, stat, p, lag, nobs, ic) => {
    const res = adfuller(x, { regression, autolag });
    expect(res.usedLag).toBe(lag);
    expect(res.nobs).toBe(nobs);
    expect(Math.abs(res.statistic - stat)).toBeLessThanOrEqual(1e-9 * Math.abs(stat));
    expect(Math.abs(res.pValue - p)).toBeLessThanOrEqual(1e-9 * p);
    expect(Math.abs(res.icBest! - ic)).toBeLessThanOrEqual(1e-9 * Math.abs(ic));
  });
});

describe('adfuller: input checks (statsmodels test_adfuller_short_series, test_adfuller_maxlag_too_large, test_adfuller_resid_variance_zero)', () => {
  it('7 observations cap the default maxlag at 1', () => {
    expect(adfuller([0.3, -1.2, 0.8, 2.1, -0.4, 1.7, 0.2], { autolag: null }).usedLag).toBe(1);
  });
  it('rejects series too short for the regression', () => {
    expect(() => adfuller([1, 2])).toThrow(/at least 3 observations/);
    expect(() => adfuller([1, 3, 2], { regression: 'ct' })).toThrow(/too short/);
  });
  it('rejects maxlag above nobs/2 - ntrend - 1', () => {
    const y = Array.from({ length: 100 }, (_, i) => Math.sin(i) + i / 10);
    expect(() => adfuller(y, { maxlag: 51 })).toThrow(/maxlag must be at most/);
    expect(() => adfuller(y, { maxlag: 1.5 })).toThrow(/non-negative integer/);
  });
  it('rejects a constant series, NaN and infinities', () => {
    expect(() => adfuller(new Array(8).fill(5))).toThrow(/constant/);
    expect(() => adfuller([1, 2, NaN, 4, 5, 3, 2])).toThrow(/x\[2\] is not a finite number/);
    expect(() => adfuller([1, 2, 3, Infinity, 5, 3, 2])).toThrow(/x\[3\]/);
  });
  it('rejects a rank-deficient design (an exact line is collinear with constant + trend), with and without autolag', () => {
    const line = Array.from({ length: 60 }, (_, t) => 3 + 0.5 * t);
    expect(() => adfuller(line, { regression: 'ct' })).toThrow(/collinear/);
    expect(() => adfuller(line, { regression: 'ct', autolag: null, maxlag: 2 })).toThrow(/collinear/);
  });
  it('rejects unknown regression / autolag', () => {
    expect(() => adfuller(realgdp, { regression: 'x' as AdfRegression })).toThrow(/regression must be one of/);
    expect(() => adfuller(realgdp, { autolag: 'hqic' as 'aic' })).toThrow(/autolag must be/);
  });
});

describe('MacKinnon p-values and critical values', () => {
  it('mackinnonp maps the Stata test statistics to the Stata p-values (CheckADF, DECIMAL_5)', () => {
    assertAlmostEqual(mackinnonp(0.97505319, 'c', 1), 0.99399563, DECIMAL_5);
    assertAlmostEqual(mackinnonp(-1.8566374, 'ct', 1), 0.67682968, DECIMAL_5);
    assertAlmostEqual(mackinnonp(-4.3346988, 'c', 1), 0.00038661, DECIMAL_5);
    assertAlmostEqual(mackinnonp(-4.425093, 'ct', 1), 0.00199633, DECIMAL_5);
  });

  it('mackinnonp at the MacKinnon (2010) asymptotic critical values gives the nominal sizes within 1 % (two papers agree)', () => {
    for (const [regression, N] of [['n', 1], ['c', 1], ['c', 2], ['ct', 1], ['ct', 2]] as const) {
      const cv = mackinnoncrit(N, regression);
      expect(Math.abs(mackinnonp(cv['1%'], regression, N) / 0.01 - 1)).toBeLessThan(0.01);
      expect(Math.abs(mackinnonp(cv['5%'], regression, N) / 0.05 - 1)).toBeLessThan(0.01);
      expect(Math.abs(mackinnonp(cv['10%'], regression, N) / 0.1 - 1)).toBeLessThan(0.01);
    }
  });

  it('mackinnonp: beyond tau_min / tau_max the p-value is 0 / 1; bad arguments throw', () => {
    expect(mackinnonp(-30, 'c', 2)).toBe(0);
    expect(mackinnonp(-Infinity, 'c', 2)).toBe(0);
    expect(mackinnonp(3, 'c', 1)).toBe(1);
    expect(() => mackinnonp(NaN)).toThrow(/NaN/);
    expect(() => mackinnonp(-2, 'c', 7)).toThrow(/N must be/);
    expect(() => mackinnonp(-2, 'q' as 'c')).toThrow(/regression must be/);
  });

  it('mackinnoncrit: nobs = Infinity gives the asymptotic β∞ of MacKinnon (2010) (N = 1 constant: -3.43035, -2.86154, -2.56677)', () => {
    expect(mackinnoncrit(1, 'c')).toEqual({ '1%': -3.43035, '5%': -2.86154, '10%': -2.56677 });
    expect(mackinnoncrit(2, 'ct')).toEqual({ '1%': -4.32762, '5%': -3.78057, '10%': -3.49631 });
    expect(() => mackinnoncrit(2, 'n')).toThrow(/N must be an integer in 1..1/);
    expect(() => mackinnoncrit(13, 'c')).toThrow(/N must be/);
  });

  // Reference values: mpmath 1.4.1 `ncdf` at 30 significant digits (arbitrary-precision, independent of this code).
  it('normalCdf is accurate to double precision, far lower tail included', () => {
    const cases: [number, number][] = [
      [0, 0.5],
      [-1, 0.158655253931457051],
      [1.96, 0.975002104851779564],
      [-5, 2.86651571879193912e-7],
      [-10, 7.61985302416052607e-24],
      [-20, 2.75362411860623370e-89],
    ];
    for (const [x, p] of cases) expect(Math.abs(normalCdf(x) - p)).toBeLessThanOrEqual(2e-15 * p);
    expect(normalCdf(60)).toBe(1);
    expect(normalCdf(-60)).toBe(0);
  });
});
