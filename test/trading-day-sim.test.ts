// A whole trading day at accelerated speed: the TradingDay workflow on the real dev server screens pre-market, scans
// live quotes from the gateway simulator (real @stoqey/ib through the IB adapter), starts Position workflows that
// trade, and writes the end-of-day summary to Postgres.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GatewaySimulator } from '../gateway-sim/server';
import { tradingDayInput } from '../workers/schedules';
import { tradingDay, tradingDayStatusQuery } from '../workflows/trading-day';
import { startSimStack, type SimStack, type TestStack } from './support/harness';

const DATE = '2021-03-05'; // a session with mean-reversion and pairs signals in the data
const SPEED = 400; // the 6.5-hour session in about a minute
let rig: SimStack;
let sim: GatewaySimulator;
let stack: TestStack;
const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-reports-'));

beforeAll(async () => {
  rig = await startSimStack({ sim: { startDate: DATE, speed: SPEED, historyFrom: '2020-01-01' }, clientId: 11,
    // Any losing trade makes its strategy's win rate "unusual": the review at the close must alert exactly those.
    config: { reports: { dir: reportsDir }, alerts: { conditions: { strategyPerformance: { minTrades: 1, minWinRate: 1 } } } },
  });
  ({ sim, stack } = rig);
});

afterAll(async () => {
  await rig?.close();
  fs.rmSync(reportsDir, { recursive: true, force: true });
});

test('pre-market screen, signals on live quotes, positions opened and exited, end-of-day summary', async () => {
  const h = await stack.client.workflow.start(tradingDay, {
    workflowId: `trading-day-${DATE}-sim`, taskQueue: stack.config.temporal.taskQueue, args: [{ ...tradingDayInput(stack.config, SPEED, DATE), positionIdSuffix: 'run-1' }],
  });
  const done = await h.result();
  expect(done.phase).toBe('CLOSED');
  expect(done.watchList!.candidates).toBeGreaterThan(0);
  expect(done.positionsStarted!.length).toBeGreaterThan(0);
  for (const id of done.positionsStarted!) expect(id).toMatch(new RegExp(`^position-(mean_reversion|pairs)-[A-Z.-]+-${DATE}-run-1$`));

  const { rows: positions } = await stack.pool.query('SELECT workflow_id, strategy, state, realized_pnl::float AS pnl FROM positions ORDER BY workflow_id');
  expect(positions.map((p) => p.workflow_id).sort()).toEqual([...done.positionsStarted!].sort());
  expect(positions.some((p) => ['OPEN', 'CLOSED'].includes(p.state))).toBe(true);
  // Every fill at the simulator is in Postgres exactly once, before the summary (the close's reconciliation).
  const { rows: [fills] } = await stack.pool.query('SELECT count(*)::int AS n, count(DISTINCT exec_id)::int AS distinct_n FROM fills');
  expect(fills.n).toBe(fills.distinct_n);
  expect(fills.n).toBe(sim.exchange.executions({ clientId: 11 }).length);
  expect(done.reconciliation).toMatchObject({ reconciled: true, executions: fills.n, unowned: 0 });

  expect(done.summary).toMatchObject({ date: DATE, positionsOpened: expect.any(Number) });
  const { rows: daily } = await stack.pool.query("SELECT to_char(trading_date, 'YYYY-MM-DD') AS d, trade_count FROM daily_pnl");
  expect(daily).toEqual([{ d: DATE, trade_count: done.summary!.positionsClosed }]);
  const { rows: events } = await stack.pool.query("SELECT details->'phase' AS phase FROM system_events WHERE kind = 'trading_day.phase' ORDER BY id");
  expect(events.map((e) => e.phase)).toEqual(['WAITING_PREMARKET', 'PREMARKET', 'OPEN', 'CLOSED']);
  expect((await h.query(tradingDayStatusQuery)).phase).toBe('CLOSED');
  // A Friday: the daily summary and the weekly report, each written as a page a person can open.
  expect(done.reports!.map((r) => r.id)).toEqual([`daily-${DATE}`, `weekly-${DATE}`]);
  for (const r of done.reports!) expect(fs.readFileSync(r.file, 'utf8')).toMatch(/^<!doctype html>/i);
  expect(fs.readFileSync(done.reports![1]!.file, 'utf8')).toContain('<svg');

  const losing = [...new Set(positions.filter((p) => p.state === 'CLOSED' && p.pnl <= 0).map((p) => p.strategy as string))].sort();
  const { rows: reviewed } = await stack.pool.query("SELECT dedup_key FROM alert_decisions WHERE dedup_key LIKE 'strategy.performance:%' AND dedup_key LIKE '%:LOW_WIN_RATE' ORDER BY dedup_key");
  expect(reviewed.map((x) => x.dedup_key)).toEqual(losing.map((s) => `strategy.performance:${DATE}:${s}:LOW_WIN_RATE`));
}, 300_000);
