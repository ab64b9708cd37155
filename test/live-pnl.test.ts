// Live P&L monitoring on a real PostgreSQL: the equity history and closed positions the store reads, the watchdog's
// health check with live weekly/monthly drawdowns and the day's P&L milestone, and the close-of-day strategy review.
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountSummary, Broker } from '../broker/broker';
import { createKillSwitchActivities } from '../activities/kill-switch';
import { liveDrawdowns } from '../activities/live-pnl';
import { createStrategyReviewActivities } from '../activities/strategy-review';
import { loadConfig, type TraderConfig } from '../config';
import { PgStore } from '../store/pg-store';
import { createTestDatabase } from './support/harness';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let store: PgStore;
let config: TraderConfig;

// Closing equity of account DU1 in March 2024: the month's peak on Monday 03-04, the week's (from Friday 03-08's close)
// on Monday 03-11; DU2 is another account in the same table.
const CLOSES: [account: string, date: string, equity: number][] = [
  ['DU1', '2024-02-27', 200_000], ['DU1', '2024-02-29', 100_000], ['DU1', '2024-03-01', 101_000], ['DU1', '2024-03-04', 106_000],
  ['DU1', '2024-03-08', 102_000], ['DU1', '2024-03-11', 104_000], ['DU1', '2024-03-12', 103_500], ['DU1', '2024-03-13', 999_999],
  ['DU2', '2024-03-12', 500_000],
];

// Market time 11:00 in New York on Wednesday 2024-03-13 (EDT, UTC-4).
const NOW = Date.parse('2024-03-13T15:00:00Z');

function account(netLiquidation: number, realizedPnl: number, unrealizedPnl = 0): AccountSummary {
  return { account: 'DU1', currency: 'USD', netLiquidation, totalCash: netLiquidation, buyingPower: netLiquidation, grossPositionValue: 0, unrealizedPnl, realizedPnl };
}

/** The part of the Broker port these activities use; `summary` undefined: the broker does not answer. */
function broker(summary: AccountSummary | undefined): Broker {
  return {
    connectionStatus: () => ({ state: 'CONNECTED', outageMs: 0 }),
    accountSummary: async () => {
      if (!summary) throw new Error('not connected');
      return summary;
    },
  } as unknown as Broker;
}

let n = 0;
async function position(strategy: 'mean_reversion' | 'pairs', closedAt: string | null, realizedPnl: number, opened = true): Promise<string> {
  const id = `position-${strategy}-S${n++}-2024-03-01`;
  await db.pool.query(
    `INSERT INTO positions (workflow_id, strategy, symbols, side, state, trading_date, realized_pnl, opened_at, closed_at)
     VALUES ($1, $2, $3, 'LONG', $4, '2024-03-01', $5, $6, $7)`,
    [id, strategy, ['S'], closedAt ? (opened ? 'CLOSED' : 'REJECTED') : 'OPEN', realizedPnl, opened ? '2024-03-01T15:00:00Z' : null, closedAt],
  );
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  store = new PgStore(db.pool);
  config = loadConfig({ env: {}, configFile: '/dev/null', overrides: { killSwitch: { stopFile: path.join(os.tmpdir(), `no-stop-${process.pid}`) } } }).config;
  for (const [acct, date, equity] of CLOSES) {
    await db.pool.query(
      `INSERT INTO daily_pnl (account, trading_date, starting_equity, ending_equity, realized_pnl, unrealized_pnl, commissions, trade_count, win_count, loss_count, max_drawdown_pct)
       VALUES ($1, $2, $3, $3, 0, 0, 0, 0, 0, 0, 0)`,
      [acct, date, equity],
    );
  }
});
afterAll(async () => db?.drop());

describe('the equity history of an account', () => {
  test('the closes of the range, preceded by the last one before it, oldest first, of that account only', async () => {
    expect(await store.equityHistory('DU1', '2024-03-01', '2024-03-12')).toEqual([
      { time: '2024-02-29', equity: 100_000 }, { time: '2024-03-01', equity: 101_000 }, { time: '2024-03-04', equity: 106_000 },
      { time: '2024-03-08', equity: 102_000 }, { time: '2024-03-11', equity: 104_000 }, { time: '2024-03-12', equity: 103_500 },
    ]);
    // 03-05 has no close: the one before it is 03-04's.
    expect(await store.equityHistory('DU1', '2024-03-05', '2024-03-08')).toEqual([{ time: '2024-03-04', equity: 106_000 }, { time: '2024-03-08', equity: 102_000 }]);
    // Nothing before the range: it starts within.
    expect(await store.equityHistory('DU2', '2024-03-01', '2024-03-31')).toEqual([{ time: '2024-03-12', equity: 500_000 }]);
    expect(await store.equityHistory('DU3', '2024-03-01', '2024-03-31')).toEqual([]);
  });

  test('live drawdowns of the day, the week and the month over it (today\'s own row left out)', async () => {
    const d = await liveDrawdowns(store, account(101_000, -2_000), '2024-03-13');
    expect(d.daily).toBeCloseTo(2_500 / 103_500, 15);
    expect(d.weekly).toBeCloseTo(3_000 / 104_000, 15);
    expect(d.monthly).toBeCloseTo(5_000 / 106_000, 15);
  });
});

describe('the watchdog health check', () => {
  test('carries the live weekly and monthly drawdowns and the day\'s highest P&L milestone', async () => {
    // Down 2,500 today from a start of 103,500: the 2 % loss level (2.42 %); drawdowns as above.
    const ks = createKillSwitchActivities({ broker: broker(account(101_000, -1_000, -1_500)), store, config, clock: { now: () => NOW } });
    const report = await ks.healthCheck();
    expect(report.dailyPnl).toBe(-2_500);
    expect(report.drawdowns!.weekly).toBeCloseTo(3_000 / 104_000, 15);
    expect(report.drawdowns!.monthly).toBeCloseTo(5_000 / 106_000, 15);
    expect(report.pnlMilestone).toEqual({ direction: 'loss', levelPct: 0.02, dailyPnl: -2_500, date: '2024-03-13' });
    // The 2,500 loss is beyond risk.maxDailyLoss (500); the daily drawdown of 2.42 % is within its 3 % limit.
    expect(report.decision.reasons.map((r) => r.code)).toEqual(['DAILY_LOSS_LIMIT']);
    // The market's date comes from the market's clock: 23:30 in New York is still 2024-03-13 (UTC says 03-14).
    const late = createKillSwitchActivities({ broker: broker(account(104_545, 1_045)), store, config, clock: { now: () => Date.parse('2024-03-14T03:30:00Z') } });
    const lateReport = await late.healthCheck();
    expect(lateReport.pnlMilestone).toEqual({ direction: 'gain', levelPct: 0.01, dailyPnl: 1_045, date: '2024-03-13' });
    expect(lateReport.drawdowns!.daily).toBe(0); // above the previous close, 103,500; 03-13's own row is not history yet
    expect(lateReport.drawdowns!.monthly).toBeCloseTo(1_455 / 106_000, 15);
  });
});

describe('the close-of-day strategy review', () => {
  beforeAll(async () => {
    // mean_reversion: 11 trades, 2 wins (18 %), the last 7 losses in a row, 1,600 lost on 2024-03-13 in New York.
    const mr: [string, number][] = [
      ['2024-03-04T15:00:00Z', 400], ['2024-03-05T15:00:00Z', -100], ['2024-03-05T16:00:00Z', -100], ['2024-03-06T15:00:00Z', 250],
      ['2024-03-07T15:00:00Z', -100], ['2024-03-08T15:00:00Z', -100], ['2024-03-11T15:00:00Z', -100], ['2024-03-12T15:00:00Z', -100],
      ['2024-03-13T14:00:00Z', -700], ['2024-03-13T18:00:00Z', -500],
      ['2024-03-14T00:30:00Z', -400], // 20:30 on 03-13 in New York: that day's
    ];
    for (const [closedAt, pnl] of mr) await position('mean_reversion', closedAt, pnl);
    await position('mean_reversion', '2024-03-14T14:00:00Z', -9_000); // the next day: not yet
    await position('mean_reversion', '2024-03-13T15:00:00Z', 0, false); // never held shares: no trade
    await position('mean_reversion', null, 0); // still open
    // pairs: one win today.
    await position('pairs', '2024-03-13T19:00:00Z', 800);
  });

  test('the store lists the closed trades of a strategy, latest first, within the limit and the range', async () => {
    const closed = await store.closedPositions({ strategy: 'mean_reversion', closedBefore: '2024-03-14T04:00:00Z', limit: 3 });
    expect(closed.map((p) => [p.closedAt, p.realizedPnl])).toEqual([
      ['2024-03-14T00:30:00.000Z', -400], ['2024-03-13T18:00:00.000Z', -500], ['2024-03-13T14:00:00.000Z', -700],
    ]);
    const ofDay = await store.closedPositions({ strategy: 'mean_reversion', closedFrom: '2024-03-13T04:00:00Z', closedBefore: '2024-03-14T04:00:00Z' });
    expect(ofDay.map((p) => p.realizedPnl)).toEqual([-400, -500, -700]);
    expect(ofDay.every((p) => p.strategy === 'mean_reversion' && p.state === 'CLOSED')).toBe(true);
  });

  test('returns each strategy\'s anomalies as of the close of the date, without sending anything', async () => {
    const review = createStrategyReviewActivities({ broker: broker(account(100_000, 0)), store, config });
    const anomalies = await review.reviewStrategyPerformance('2024-03-13');
    expect(anomalies.map((a) => [a.strategy, a.code, a.values])).toEqual([
      ['mean_reversion', 'LOW_WIN_RATE', { winRate: 2 / 11, minWinRate: 0.25, wins: 2, trades: 11 }],
      ['mean_reversion', 'LOSING_STREAK', { consecutiveLosses: 7, maxConsecutiveLosses: 6, pnl: -2_000 }],
      ['mean_reversion', 'DAILY_LOSS', { dailyPnl: -1_600, lossPct: 0.016, maxDailyLossPct: 0.015, equity: 100_000, trades: 3 }],
    ]);
    // The lookback is the latest trades: with 10 of them, the first win falls out (1 of 10, still low).
    const short = createStrategyReviewActivities({
      broker: broker(undefined), store,
      config: { ...config, alerts: { ...config.alerts, conditions: { ...config.alerts.conditions, strategyPerformance: { ...config.alerts.conditions.strategyPerformance, lookbackTrades: 10 } } } },
    });
    // Without the broker's equity the daily loss is not judged.
    expect((await short.reviewStrategyPerformance('2024-03-13')).map((a) => [a.code, a.values.wins])).toEqual([['LOW_WIN_RATE', 1], ['LOSING_STREAK', undefined]]);
    // A day on which no trade closed reports nothing.
    expect(await review.reviewStrategyPerformance('2024-03-15')).toEqual([]);
  });
});
