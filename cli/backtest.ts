/**
 * `trader backtest`: the backtester (backtest/engine.ts) over a daily bars file, with its result as JSON on stdout
 * (`--json`) and/or a self-contained HTML report (`--report`). Sectors and VIX are read from sectors.csv and
 * vix.csv beside the bars file when they are there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { runBacktest } from '../backtest/engine';
import { STRATEGY_NAMES, type StrategyName } from '../backtest/positions';
import { backtestReport } from '../backtest/report';
import { DataFileError, loadDailyBars, loadSectors, loadVix, type BarSeries } from '../market-data/files';
import { lastIndexAtOrBefore } from '../trading/screening';
import { CliError } from './errors';

interface BacktestOptions {
  data?: string;
  from: string;
  to: string;
  strategies: string;
  symbols?: string;
  pairRefreshWeeks: string;
  json?: boolean;
  report?: string;
  reportCharts: string;
}

export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('backtest the mean-reversion and pairs strategies over daily bars with the live trading rules')
    .option('--data <file>', 'daily bars (symbol,date,open,high,low,close,volume; .csv or .csv.gz) (default: data.dir/daily.csv.gz)')
    .requiredOption('--from <YYYY-MM-DD>', 'first session traded (earlier bars warm up the indicators)')
    .requiredOption('--to <YYYY-MM-DD>', 'last session traded; open positions are sold at its close')
    .option('--strategies <list>', `comma-separated, of ${STRATEGY_NAMES.join(', ')}`, STRATEGY_NAMES.join(','))
    .option('--symbols <list>', 'comma-separated symbols to load (default: every symbol in the file)')
    .option('--pair-refresh-weeks <n>', 're-select pairs on every n-th weekly universe refresh (live: 1)', '1')
    .option('--json', 'print { metrics, trades, equity } as JSON on stdout')
    .option('--report <file.html>', 'write an HTML report: equity, drawdown, monthly returns, trades on price charts')
    .option('--report-charts <n>', 'price charts in the report, for the most traded symbols', '24')
    .action(async (opts: BacktestOptions) => {
      const { config } = loadConfig();
      const from = dateOption('--from', opts.from);
      const to = dateOption('--to', opts.to);
      if (from > to) throw new CliError(`--from ${from} is after --to ${to}: give the earlier date first`);
      const strategies = strategiesOption(opts.strategies);
      const pairRefreshWeeks = wholeNumber('--pair-refresh-weeks', opts.pairRefreshWeeks, 1);
      const priceCharts = wholeNumber('--report-charts', opts.reportCharts, 0);
      const symbols = opts.symbols === undefined ? undefined : symbolsOption(opts.symbols);
      const file = path.resolve(opts.data ?? path.join(config.data.dir, 'daily.csv.gz'));
      const dir = path.dirname(file);

      const started = performance.now();
      const bars = readData(() => loadDailyBars(file, symbols ? { symbols: new Set(symbols) } : {}));
      checkCoverage(bars, symbols, file, from, to);
      const sectorsFile = path.join(dir, 'sectors.csv');
      const vixFile = path.join(dir, 'vix.csv');
      const sectors = fs.existsSync(sectorsFile) ? readData(() => loadSectors(sectorsFile)) : undefined;
      const vix = fs.existsSync(vixFile) ? readData(() => loadVix(vixFile)) : undefined;

      const result = await runBacktest({ bars, sectors, vix, from, to, strategies, pairRefreshWeeks }, config);
      const seconds = (performance.now() - started) / 1000;
      if (opts.report) writeReport(opts.report, backtestReport({ result, bars, strategies, priceCharts }));
      if (opts.json) {
        console.log(JSON.stringify({ metrics: result.metrics, trades: result.trades, equity: result.equity }));
        return;
      }
      const m = result.metrics;
      const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '-');
      console.log(`Backtest ${result.equity[0]?.date} .. ${result.equity[result.equity.length - 1]?.date} (${strategies.join(', ')}, ${bars.size} symbols, ${m.sessions} sessions) in ${seconds.toFixed(1)} s`);
      console.log(`  equity    ${m.initialCapital.toFixed(2)} -> ${m.finalEquity.toFixed(2)} (${pct(m.cumulativeReturn)}, annual ${pct(m.annualReturn)})`);
      console.log(`  sharpe    ${Number.isFinite(m.sharpeRatio) ? m.sharpeRatio.toFixed(2) : '-'}   max drawdown ${pct(m.maxDrawdown)}`);
      console.log(`  trades    ${m.tradeCount} (win rate ${pct(m.winRate)}), commissions ${m.commissions.toFixed(2)}, kill-switch halts ${m.killSwitchHalts}`);
      if (opts.report) console.log(`  report    ${path.resolve(opts.report)}`);
    });
}

function dateOption(flag: string, value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const valid = m !== null && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
  if (!valid) throw new CliError(`${flag} must be a date as YYYY-MM-DD, got "${value}"`);
  return value;
}

function strategiesOption(list: string): StrategyName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(STRATEGY_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new CliError(`--strategies: unknown strategy "${unknown[0] ?? list}"; use a comma-separated list of ${STRATEGY_NAMES.join(', ')}`);
  }
  return [...new Set(names)] as StrategyName[];
}

function symbolsOption(list: string): string[] {
  const symbols = [...new Set(list.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))];
  if (symbols.length === 0) throw new CliError('--symbols is empty: give comma-separated symbols such as KO,PEP, or leave it out for all');
  return symbols;
}

function wholeNumber(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function readData<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof DataFileError) throw new CliError(e.message);
    throw e;
  }
}

/** Every requested symbol is in the file, and [from, to] lies inside the dates it covers. */
function checkCoverage(bars: ReadonlyMap<string, BarSeries>, symbols: readonly string[] | undefined, file: string, from: string, to: string): void {
  const missing = (symbols ?? []).filter((s) => !bars.has(s));
  if (missing.length > 0) throw new CliError(`--symbols: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} not found in ${file}`);
  if (bars.size === 0) throw new CliError(`${file} holds no bars`);
  let first = '9999-12-31';
  let last = '0000-01-01';
  for (const s of bars.values()) {
    if (s.dates[0]! < first) first = s.dates[0]!;
    if (s.dates[s.dates.length - 1]! > last) last = s.dates[s.dates.length - 1]!;
  }
  if (from < first || to > last) {
    throw new CliError(`--from ${from} --to ${to} is outside the data, which covers ${first} .. ${last}: choose dates inside it`);
  }
  const traded = [...bars.values()].some((s) => s.dates[lastIndexAtOrBefore(s.dates, to)]! >= from);
  if (!traded) throw new CliError(`--from ${from} --to ${to} holds no trading session in the data: widen the range`);
}

function writeReport(file: string, html: string): void {
  try {
    fs.writeFileSync(file, html);
  } catch (e) {
    throw new CliError(`--report: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that its folder exists`);
  }
}
