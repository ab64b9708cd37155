/**
 * Research commands: `trader stats adf|coint|indicators` on a CSV file and `trader screen` over the daily bars, all
 * running the same trading/ code as live trading and the backtester. JSON on stdout with --json, a table without.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { readSeriesFile, selectBars, selectPair, selectSeries, type Series, type SeriesFile } from '../market-data/csv';
import { DataFileError, loadDailyBars, loadSectors } from '../market-data/files';
import { adfuller, type AdfResult, type AutoLag } from '../trading/adf';
import { isTradingDay } from '../trading/calendar';
import { coint } from '../trading/cointegration';
import { indicatorSnapshot, snapshotMinBars, type Bar, type IndicatorSnapshot, type SnapshotParams } from '../trading/indicators';
import { screenUniverse, selectPairs, snapshotParams, type Reason } from '../trading/screening';
import { CliError } from './errors';

const REGRESSIONS = ['n', 'c', 'ct', 'ctt'] as const;
const TRENDS = ['c', 'ct', 'ctt'] as const;
const AUTOLAGS = ['aic', 'bic', 't-stat', 'none'] as const;
const SERIES_HELP = 'a column of the CSV, or SYMBOL:COLUMN (e.g. AAPL:close) in a long-format bar file';

interface TestOptions {
  csv: string;
  maxlag?: string;
  autolag: string;
  json?: boolean;
}

export function registerResearchCommands(program: Command): void {
  const stats = program
    .command('stats')
    .description('statistics on a CSV file: a wide CSV (header row naming the columns) or long-format daily bars (symbol,date,open,high,low,close,volume)');

  stats
    .command('adf')
    .description('Augmented Dickey-Fuller unit-root test of one series (as statsmodels adfuller)')
    .requiredOption('--csv <file>', 'CSV file (.csv or .csv.gz)')
    .requiredOption('--column <name>', `the series: ${SERIES_HELP}`)
    .option('--regression <r>', `deterministic terms: ${REGRESSIONS.join('|')}`, 'c')
    .option('--maxlag <n>', 'highest lag of the differences (default: ceil(12·(nobs/100)^¼), as statsmodels)')
    .option('--autolag <a>', `lag selection: ${AUTOLAGS.join('|')} (none: use --maxlag)`, 'aic')
    .option('--json', 'print { statistic, pValue, usedLag, nobs, criticalValues } as JSON')
    .action((opts: TestOptions & { column: string; regression: string }) => {
      const regression = oneOf('--regression', opts.regression, REGRESSIONS);
      const lags = lagOptions(opts);
      const src = readFile(opts.csv);
      const x = oneLine(() => selectSeries(src, opts.column, '--column'));
      const r = oneLine(() => adfuller(x.values, { regression, ...lags }), `the ADF test of ${describe(x, opts.csv)}`);
      const out = { statistic: r.statistic, pValue: r.pValue, usedLag: r.usedLag, nobs: r.nobs, criticalValues: r.criticalValues };
      return print(opts.json, out, () => [`ADF test of ${describe(x, opts.csv)}, regression ${regression}, autolag ${opts.autolag}`, ...testLines(out)]);
    });

  stats
    .command('coint')
    .description('Engle-Granger cointegration test of y on x (as statsmodels coint); long-format series are aligned on their common dates')
    .requiredOption('--csv <file>', 'CSV file (.csv or .csv.gz)')
    .requiredOption('--y <name>', `the dependent series: ${SERIES_HELP}`)
    .requiredOption('--x <name>', 'the regressor, named the same way')
    .option('--trend <t>', `deterministic terms of the cointegrating regression: ${TRENDS.join('|')}`, 'c')
    .option('--maxlag <n>', 'highest lag of the residual ADF test (default as adf)')
    .option('--autolag <a>', `lag selection of the residual ADF test: ${AUTOLAGS.join('|')}`, 'aic')
    .option('--json', 'print { statistic, pValue, usedLag, nobs, criticalValues, hedgeRatio } as JSON')
    .action((opts: TestOptions & { y: string; x: string; trend: string }) => {
      const trend = oneOf('--trend', opts.trend, TRENDS);
      const lags = lagOptions(opts);
      const src = readFile(opts.csv);
      const { y, x } = oneLine(() => selectPair(src, opts.y, '--y', opts.x, '--x'));
      const what = `the cointegration test of ${opts.y} on ${opts.x} (${y.values.length} observations of ${opts.csv})`;
      const r = oneLine(() => coint(y.values, x.values, { trend, ...lags }), what);
      const out = { statistic: r.statistic, pValue: r.pValue, usedLag: r.usedLag, nobs: r.nobs, criticalValues: r.criticalValues, hedgeRatio: r.hedgeRatio };
      return print(opts.json, out, () => [`Engle-Granger test of ${opts.y} on ${opts.x} (${opts.csv}), trend ${trend}, autolag ${opts.autolag}`, ...testLines(out), row('hedge ratio', out.hedgeRatio)]);
    });

  stats
    .command('indicators')
    .description('indicator values at the last bar (defaults from config: strategies.meanReversion and screening.meanReversion)')
    .requiredOption('--csv <file>', 'bars: a wide CSV with columns high, low, close, volume (date, open optional), or a long-format bar file with --symbol')
    .option('--symbol <sym>', 'the symbol to read from a long-format bar file')
    .option('--bb <period,stddev>', 'Bollinger Bands period and width in standard deviations, e.g. 20,2')
    .option('--rsi <n>', 'RSI period (Wilder)')
    .option('--atr <n>', 'ATR period (Wilder)')
    .option('--adx <n>', 'ADX period (Wilder)')
    .option('--json', 'print the values at the last bar as JSON')
    .action((opts: { csv: string; symbol?: string; bb?: string; rsi?: string; atr?: string; adx?: string; json?: boolean }) => {
      const defaults = snapshotParams(loadConfig().config);
      const params: SnapshotParams = {
        ...defaults,
        bb: opts.bb === undefined ? defaults.bb : bollingerOption(opts.bb),
        rsi: opts.rsi === undefined ? defaults.rsi : period('--rsi', opts.rsi),
        atr: opts.atr === undefined ? defaults.atr : period('--atr', opts.atr),
        adx: opts.adx === undefined ? defaults.adx : period('--adx', opts.adx),
      };
      const src = readFile(opts.csv);
      const s = oneLine(() => selectBars(src, opts.symbol));
      const need = snapshotMinBars(params);
      const label = `${opts.symbol ?? 'the bars'} in ${opts.csv}`;
      if (s.dates.length < need) {
        throw new CliError(`${label}: ${s.dates.length} bars, but --bb ${params.bb.join(',')} --rsi ${params.rsi} --atr ${params.atr} --adx ${params.adx} need at least ${need}`);
      }
      const bars: Bar[] = s.dates.map((date, i) => ({ date, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }));
      const out: IndicatorSnapshot = oneLine(() => indicatorSnapshot(bars, params), `the indicators of ${label}`);
      return print(opts.json, out, () => [
        `Indicators of ${label} at the last bar (${s.dates[s.dates.length - 1]}, ${bars.length} bars)`,
        ...Object.entries(out).map(([k, v]) => row(k, v)),
      ]);
    });

  program
    .command('screen')
    .description('universe, mean-reversion and pairs screen as of a date (DESIGN §2): candidates and pairs with the reasons they passed')
    .requiredOption('--date <YYYY-MM-DD>', 'as-of date, inclusive: the screen reads bars dated up to it (the pre-market screen of day D uses D-1)')
    .option('--data <path>', 'long-format daily bars (.csv or .csv.gz), or the folder holding daily.csv.gz; sectors.csv beside it is used when present (default: data.dir)')
    .option('--all', 'also list every symbol with its verdicts, and the symbols left out of pair selection')
    .option('--json', 'print the screen as JSON')
    .action((opts: { date: string; data?: string; all?: boolean; json?: boolean }) => {
      const { config } = loadConfig();
      const asOf = dateOption('--date', opts.date);
      const given = path.resolve(opts.data ?? config.data.dir);
      const file = fs.existsSync(given) && fs.statSync(given).isDirectory() ? path.join(given, 'daily.csv.gz') : given;
      const sectorsFile = path.join(path.dirname(file), 'sectors.csv');
      const bars = oneLine(() => loadDailyBars(file, { to: asOf }));
      if (bars.size === 0) throw new CliError(`--date ${asOf}: ${file} has no bars on or before it`);
      const sectors = fs.existsSync(sectorsFile) ? oneLine(() => loadSectors(sectorsFile)) : undefined;
      const input = { asOf, bars, ...(sectors ? { sectors } : {}) };
      const universe = screenUniverse(input, config);
      const pairs = selectPairs(input, universe, config);
      const counts = {
        symbols: universe.symbols.length,
        universe: universe.symbols.filter((s) => s.universe.passed).length,
        candidates: universe.meanReversionCandidates.length,
        ...pairs.stats,
        pairs: pairs.candidates.length,
      };
      const out = {
        asOf, sessionDate: universe.sessionDate, pairWindow: pairs.window, sectors: sectors ? sectorsFile : null, counts,
        candidates: universe.meanReversionCandidates, pairs: pairs.candidates,
        ...(opts.all ? { symbols: universe.symbols, excludedFromPairs: pairs.excluded } : {}),
      };
      return print(opts.json, out, () => [
        `Screen as of ${asOf} (session ${universe.sessionDate}, ${file}): ${counts.symbols} symbols, ${counts.universe} pass the universe filters, ${counts.candidates} mean-reversion candidates`,
        `Pairs over ${pairs.window ? `${pairs.window.from} .. ${pairs.window.to} (${pairs.window.sessions} sessions)` : 'no window (too little history)'}: ${counts.eligibleSymbols} symbols, ${counts.pairsEvaluated} pairs evaluated, ${counts.cointegrationTests} cointegration tests, ${counts.pairs} pairs kept`,
        '',
        'Mean-reversion candidates, least trending first:',
        ...table(['symbol', 'sector', 'close', 'atr%', 'adx', 'bb width', 'reasons'], universe.meanReversionCandidates.map((s) => [
          s.symbol, s.sector ?? '-', num(s.metrics.close), num(s.metrics.atrPct), num(s.metrics.adx), num(s.metrics.bbWidth), codes([...s.universe.reasons, ...s.meanReversion.reasons]),
        ])),
        '',
        'Pairs, best first (spread = ln a − hedge·ln b − intercept):',
        ...table(['a', 'b', 'correlation', 'hedge', 'spread σ', 'p-value', 'reasons'], pairs.candidates.map((p) => [
          p.a, p.b, num(p.correlation), num(p.hedgeRatio), num(p.spreadStdDev), num(p.pValue), codes(p.reasons),
        ])),
      ]);
    });
}

// ---------------------------------------------------------------------------------------------
// Options

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function wholeNumber(flag: string, value: string, min: number): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= min)) throw new CliError(`${flag} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function period(flag: string, value: string): number {
  return wholeNumber(flag, value, 1);
}

function bollingerOption(value: string): readonly [number, number] {
  const m = /^\s*(\d+)\s*,\s*([0-9]*\.?[0-9]+)\s*$/.exec(value);
  if (!m || !(Number(m[1]) >= 1) || !(Number(m[2]) > 0)) throw new CliError(`--bb must be PERIOD,STDDEV with a whole period >= 1 and a width > 0, e.g. 20,2; got "${value}"`);
  return [Number(m[1]), Number(m[2])];
}

function dateOption(flag: string, value: string): string {
  try {
    isTradingDay(value); // validates the date on the way
  } catch {
    throw new CliError(`${flag} must be a real date as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

/** --maxlag / --autolag, as adfuller and coint take them; 'none' fits exactly --maxlag lags. */
function lagOptions(opts: TestOptions): { autolag: AutoLag | null; maxlag?: number } {
  const autolag = oneOf('--autolag', opts.autolag, AUTOLAGS);
  return {
    autolag: autolag === 'none' ? null : autolag,
    ...(opts.maxlag === undefined ? {} : { maxlag: wholeNumber('--maxlag', opts.maxlag, 0) }),
  };
}

// ---------------------------------------------------------------------------------------------
// Data and errors

function readFile(file: string): SeriesFile {
  if (!fs.existsSync(file)) throw new CliError(`--csv ${file}: no such file (${path.resolve(file)})`);
  return oneLine(() => readSeriesFile(file));
}

/**
 * Runs a step on user input: a bad file becomes its one-line message; so does any error of a trading/ computation
 * (`computing` names it), whose input checks (too few rows, a constant series, maxlag too large) speak for the input.
 */
function oneLine<T>(run: () => T, computing?: string): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof DataFileError) throw new CliError(e.message);
    if (computing !== undefined) throw new CliError(`cannot compute ${computing}: ${(e as Error).message}`);
    throw e;
  }
}

function describe(s: Series, file: string): string {
  return `${s.label} (${s.values.length} observations of ${file})`;
}

// ---------------------------------------------------------------------------------------------
// Output

/** Resolves once stdout has taken the text, so a write error (a closed pipe) fails the command instead of vanishing. */
function print(json: boolean | undefined, out: unknown, lines: () => string[]): Promise<void> {
  const text = `${json ? JSON.stringify(out, null, 2) : lines().join('\n')}\n`;
  return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

function testLines(r: Pick<AdfResult, 'statistic' | 'pValue' | 'usedLag' | 'nobs' | 'criticalValues'>): string[] {
  const cv = Object.entries(r.criticalValues).map(([level, v]) => `${level} ${num(v)}`).join('   ');
  return [row('statistic', r.statistic), row('p-value', r.pValue), row('used lag', r.usedLag), row('nobs', r.nobs), `  ${'critical values'.padEnd(16)}${cv}`];
}

function row(label: string, value: number): string {
  return `  ${label.padEnd(16)}${num(value)}`;
}

/** Six significant digits (exponent form below 0.001, for p-values), full integers; '-' where undefined. */
function num(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '-' : String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) < 1e-3 ? v.toExponential(5).replace(/\.?0+e/, 'e') : String(Number(v.toPrecision(6)));
}

function codes(reasons: readonly Reason[]): string {
  return reasons.filter((r) => r.outcome === 'pass').map((r) => r.code).join(' ');
}

function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [header, ...rows].map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`);
}
