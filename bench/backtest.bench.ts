import * as path from 'node:path';
import { loadConfig } from '../config';
import { runBacktest, type BacktestInput } from '../backtest/engine';
import { MarketView } from '../backtest/market';
import { selectedPairs } from '../backtest/screens';
import { loadDailyBars, loadSectors, loadVix } from '../market-data/files';
import { latency, since, type BenchSuite } from './harness';

/**
 * The backtester over the real data: bar-evaluations per second (every symbol's bar on every session traded,
 * through screening, signals, risk, simulated fills and marking) for mean reversion alone and for both strategies,
 * the wall time of a multi-year backtest, and the cost of one weekly pair selection, which dominates the latter.
 */
export const backtestSuite: BenchSuite = {
  name: 'backtest',
  description: 'backtest bar-evaluations per second and multi-year wall time over ../shared/data',
  async run(ctx) {
    const { config } = loadConfig();
    const dir = config.data.dir;
    let t0 = performance.now();
    const bars = loadDailyBars(path.join(dir, 'daily.csv.gz'));
    const data: Omit<BacktestInput, 'from' | 'to'> = { bars, sectors: loadSectors(path.join(dir, 'sectors.csv')), vix: loadVix(path.join(dir, 'vix.csv')) };
    const loadSeconds = since(t0) / 1000;
    ctx.log(`loaded ${bars.size} symbols in ${loadSeconds.toFixed(1)} s`);

    const run = async (label: string, from: string, to: string, strategies: BacktestInput['strategies']) => {
      t0 = performance.now();
      const r = await runBacktest({ ...data, from, to, strategies }, config);
      const seconds = since(t0) / 1000;
      const m = r.metrics;
      ctx.log(`${label}: ${m.barEvaluations} bars in ${seconds.toFixed(1)} s, ${m.tradeCount} trades`);
      return {
        from, to, strategies, wallSeconds: round(seconds), sessions: m.sessions, barEvaluations: m.barEvaluations,
        barEvaluationsPerSecond: Math.round(m.barEvaluations / seconds), trades: m.tradeCount, pairSelections: m.pairSelections,
        finalEquity: round(m.finalEquity), sharpeRatio: round(m.sharpeRatio), maxDrawdown: round(m.maxDrawdown),
      };
    };
    const meanReversion = ctx.quick
      ? await run('mean reversion 2015-2019', '2015-01-02', '2019-12-31', ['meanrev'])
      : await run('mean reversion, whole data set', '1999-11-01', '2021-04-21', ['meanrev']);
    const multiYear = await run('both strategies', ctx.quick ? '2019-01-02' : '2015-01-02', '2019-12-31', ['meanrev', 'pairs']);

    const view = new MarketView(bars);
    const samples: number[] = [];
    for (const date of ctx.quick ? ['2019-06-03'] : ['2003-06-02', '2008-10-10', '2015-06-01', '2019-06-03', '2020-03-20']) {
      t0 = performance.now();
      selectedPairs(view, view.sessions.indexOf(date), data.sectors, config);
      samples.push(since(t0));
    }
    return { loadSeconds: round(loadSeconds), meanReversion, multiYear, pairSelectionMs: latency(samples) };
  },
};

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
