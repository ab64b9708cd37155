import * as path from 'node:path';
import { loadConfig } from '../config';
import { loadDailyBars, loadSectors } from '../market-data/files';
import { checkRisk, type RiskOrder, type RiskPortfolio } from '../trading/risk';
import { screenUniverse, selectPairs, type ScreenInput } from '../trading/screening';
import { latency, since, type BenchSuite } from './harness';

/**
 * The pre-market screen over the real data (every symbol of ../shared/data with five years of history): universe and
 * mean-reversion filters plus pair selection, then pair selection alone, on a calm date and on one in the March-April
 * 2020 crash, when correlations jump and 30 times as many pairs reach the Engle-Granger test. Then the pre-trade risk
 * gate (checkRisk) per call, on a portfolio of 16 open positions, for approved single and pair orders.
 */
const DATES = [
  { label: 'calm', asOf: '2019-12-31' },
  { label: 'crash', asOf: '2020-04-15' },
];
const HISTORY_FROM = '2014-12-31';

export const screenSuite: BenchSuite = {
  name: 'screen',
  description: 'screen + pair selection of ~500 symbols x 5 years (calm and crash dates); checkRisk latency',
  async run(ctx) {
    const { config } = loadConfig();
    const dir = config.data.dir;
    const bars = loadDailyBars(path.join(dir, 'daily.csv.gz'), { from: HISTORY_FROM, to: DATES[DATES.length - 1]!.asOf });
    const sectors = loadSectors(path.join(dir, 'sectors.csv'));
    const runs = ctx.quick ? 2 : 5;
    const screens: Record<string, unknown> = {};
    for (const { label, asOf } of ctx.quick ? DATES.slice(0, 1) : DATES) {
      const input: ScreenInput = { asOf, bars, sectors };
      const [full, cpu, universeOnly, pairsOnly]: number[][] = [[], [], [], []];
      let counts = {};
      for (let r = 0; r < runs; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const universe = screenUniverse(input, config);
        const t1 = performance.now();
        const pairs = selectPairs(input, universe, config);
        full.push(since(t0));
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        universeOnly.push(t1 - t0);
        pairsOnly.push(since(t1));
        counts = { symbols: universe.symbols.length, candidates: universe.meanReversionCandidates.length, ...pairs.stats, pairs: pairs.candidates.length };
      }
      const p50 = latency(full).p50;
      ctx.log(`${asOf} (${label}): screen + pairs p50 ${p50.toFixed(0)} ms over ${runs} runs, ${JSON.stringify(counts)}`);
      // CPU time beside wall time: on this shared 2-core machine the wall clock also counts other processes' turns.
      screens[label] = { asOf, screenAndPairsMs: latency(full), screenAndPairsCpuMs: latency(cpu), universeMs: latency(universeOnly), pairSelectionMs: latency(pairsOnly), ...counts };
    }
    return { historyFrom: HISTORY_FROM, symbolsLoaded: bars.size, screens, checkRiskMicros: riskLatency(config, ctx.quick ? 20_000 : 200_000) };
  },
};

/** Per-call latency of checkRisk in microseconds, alternating an approved single order and an approved pair. */
function riskLatency(config: ReturnType<typeof loadConfig>['config'], calls: number): Record<string, unknown> {
  const sectors = ['Energy', 'Financials', 'Health Care', 'Industrials', 'Information Technology', 'Utilities', 'Materials', 'Real Estate'];
  const portfolio: RiskPortfolio = {
    equity: 250_000, state: 'ACTIVE', dailyPnl: -120, drawdowns: { daily: 0.004, weekly: 0.01, monthly: 0.02 },
    positions: Array.from({ length: 16 }, (_, i) => ({
      status: i < 14 ? ('OPEN' as const) : ('PENDING' as const),
      legs: i % 4 === 0
        ? [{ symbol: `P${i}A`, sector: sectors[i % 8]!, marketValue: 4_000 }, { symbol: `P${i}B`, sector: sectors[i % 8]!, marketValue: -4_000 }]
        : [{ symbol: `S${i}`, sector: sectors[i % 8]!, marketValue: 6_000 }],
    })),
  };
  const orders: RiskOrder[] = [
    { kind: 'single', leg: { symbol: 'KO', sector: 'Consumer Staples', side: 'LONG', quantity: 100, price: 55 }, stopPrice: 53.9, riskBudgetPct: 0.01 },
    {
      kind: 'pair', riskBudgetPct: 0.02, stop: { entryZ: 2.1, stopZ: 3, spreadStdDev: 0.03 },
      legs: [{ symbol: 'CVX', sector: 'Energy', side: 'SHORT', quantity: 50, price: 90 }, { symbol: 'XOM', sector: 'Energy', side: 'LONG', quantity: 75, price: 60 }],
    },
  ];
  const market = { vix: 22 };
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < 2_000; i++) checkRisk(orders[i & 1]!, portfolio, market, config.risk); // JIT warm-up, not measured
  for (let i = 0; i < calls; i++) {
    const k = i & 1;
    const t0 = performance.now();
    const decision = checkRisk(orders[k]!, portfolio, market, config.risk);
    samples[k].push((performance.now() - t0) * 1000);
    if (!decision.approved) throw new Error(`checkRisk rejected the ${orders[k]!.kind} order: ${decision.message}`);
  }
  return { calls, single: latency(samples[0]), pair: latency(samples[1]) };
}
