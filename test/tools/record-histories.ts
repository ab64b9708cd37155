// Records the workflow histories that test/replay.test.ts replays against the current code.
// Run with `npm run histories:record` after adding a scenario; keep the old files: they are
// the proof that running workflows of earlier versions still replay.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { haltSignal, haltUpdate, resumeSignal, resumeUpdate, statusQuery, supervisor } from '../../workflows/supervisor';
import { tradingDay, tradingDayStatusQuery } from '../../workflows/trading-day';
import { NYSE_DEFAULT_HOURS } from '../../trading/calendar';
import { ensureTemporalCli } from '../../stack/temporal-cli';
import type { IbBroker } from '../../broker/ib/ib-broker';
import { positionWorkflowId } from '../../trading/position-lifecycle';
import { positionWatch, tradingDayInput } from '../../workers/schedules';
import { watchdogSettings } from '../../workers/supervisor-start';
import { flattenPositionSignal, position, positionStatusQuery } from '../../workflows/position';
import { universeRefresh, universeRefreshStatusQuery } from '../../workflows/universe-refresh';
import type { PositionPlan } from '../../workflows/position-types';
import { startSimStack, startTestStack, testEnv, type SimStack, type TestStack } from '../support/harness';

const OUT = path.join(__dirname, '..', 'histories');
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

/**
 * Exported with the Temporal CLI, exactly as a user would export a production history.
 * An existing file is never overwritten: it stands for workflows recorded by older code.
 */
function save(name: string, workflowId: string, runId?: string): void {
  const file = path.join(OUT, `${name}.json`);
  if (fs.existsSync(file)) return;
  const json = execFileSync(
    ensureTemporalCli(),
    ['workflow', 'show', '--address', testEnv().address, '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []), '--output', 'json'],
    { encoding: 'utf8' },
  );
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(file, json);
}

test('supervisor: start, halt and resume by update and by signal, a repeated halt, queries, continue-as-new', async () => {
  const workflowId = `record-supervisor-${Date.now()}`;
  const h = await stack.client.workflow.start(supervisor, {
    workflowId,
    taskQueue: stack.config.temporal.taskQueue,
    args: [{}],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  await h.executeUpdate(haltUpdate, { args: [{ reason: 'recorded halt', source: 'cli' }] });
  await h.signal(haltSignal, { reason: 'repeated halt' });
  await h.signal(resumeSignal, { reason: 'recorded resume', source: 'web-ui' });
  await h.query(statusQuery);
  // Enough changes to pass the test server's continue-as-new threshold.
  for (let i = 0; i < 10; i++) await h.executeUpdate(i % 2 ? resumeUpdate : haltUpdate, { args: [{ reason: `cycle ${i}` }] });
  const latest = await stack.client.workflow.getHandle(workflowId).describe();
  expect(latest.runId).not.toBe(h.firstExecutionRunId);
  save('supervisor-v1-first-run', workflowId, h.firstExecutionRunId);
  save('supervisor-v1-continued-run', workflowId, latest.runId);
});

test('tradingDay: a holiday, and a half day walked through to the close', async () => {
  for (const [name, date] of [['trading-day-v1-holiday', '2026-11-26'], ['trading-day-v1-half-day', '2025-11-28']]) {
    const workflowId = `record-${name}-${Date.now()}`;
    const h = await stack.client.workflow.start(tradingDay, {
      workflowId,
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ hours: NYSE_DEFAULT_HOURS, premarketMinutesBeforeOpen: 30, date }],
    });
    await h.result();
    await h.query(tradingDayStatusQuery);
    save(name, workflowId);
  }
});

describe('against the gateway simulator', () => {
  let rig: SimStack;
  let simStack: TestStack;
  let broker: IbBroker;
  const DATE = '2021-03-05';
  beforeAll(async () => {
    rig = await startSimStack({
      sim: { startDate: DATE, speed: 120, historyFrom: '2020-01-01' },
      clientId: 31,
      // The smallest loss is a P&L milestone: the Supervisor's milestone alert is in its recorded history.
      config: { killSwitch: { watchdogIntervalSeconds: 1, positionsCloseTimeoutSeconds: 20 }, alerts: { conditions: { pnlMilestones: { lossesPct: [1e-9] } } } },
    });
    ({ stack: simStack, broker } = rig);
  });
  afterAll(() => rig?.close());

  const plan = (strategy: 'mean_reversion' | 'pairs', legs: PositionPlan['legs'], extra: Partial<PositionPlan>): PositionPlan => ({
    workflowId: positionWorkflowId(strategy, legs.map((l) => l.symbol), DATE), strategy, tradingDate: DATE, legs,
    riskBudgetPct: 0.01, maxHoldingDays: 5, signal: { code: 'RECORDED', reasons: 'recorded scenario', values: {} }, ...extra,
  });
  const run = (p: PositionPlan) =>
    simStack.client.workflow.start(position, { taskQueue: simStack.config.temporal.taskQueue, workflowId: p.workflowId, args: [{ plan: p, hours: NYSE_DEFAULT_HOURS, watch: positionWatch(simStack.config, 120) }] });

  test('supervisor v3: a daily P&L milestone and weekly/monthly drawdowns reached while it watches', async () => {
    const workflowId = `record-supervisor-v3-${Date.now()}`;
    const h = await simStack.client.workflow.start(supervisor, { workflowId, taskQueue: simStack.config.temporal.taskQueue, args: [{ watchdog: watchdogSettings(simStack.config) }] });
    await new Promise((r) => setTimeout(r, 2500)); // the watchdog's baseline: no P&L yet
    const j = await broker.quote('JNJ');
    await (await run(plan('mean_reversion', [{ symbol: 'JNJ', action: 'BUY', quantity: 10, price: j.last }], { stopPrice: j.last * 0.95, targetPrice: j.bid }))).result();
    for (let i = 0; i < 100 && !(await h.query(statusQuery)).health?.pnlMilestone; i++) await new Promise((r) => setTimeout(r, 200));
    // Then (a weekly drawdown would have refused the trade) this week's Monday closed 10 % higher: the weekly drawdown beyond its limit, the monthly one near it.
    const account = await broker.accountSummary();
    for (const [date, close] of [['2021-03-01', account.netLiquidation * 1.1], ['2021-03-04', account.netLiquidation]] as const) {
      await simStack.pool.query(
        `INSERT INTO daily_pnl (account, trading_date, starting_equity, ending_equity, realized_pnl, unrealized_pnl, commissions, trade_count, win_count, loss_count, max_drawdown_pct)
         VALUES ($1, $2, $3, $3, 0, 0, 0, 0, 0, 0, 0)`,
        [account.account, date, close],
      );
    }
    for (let i = 0; i < 100 && (await h.query(statusQuery)).health?.longDrawdowns?.length !== 2; i++) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1500)); // the alert sent
    // The Supervisor continues as new every few rounds on the dev server: keep the runs that sent the alerts.
    for await (const run of simStack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await simStack.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      const patches = (history.events ?? []).flatMap((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
        return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
      });
      if (patches.includes('supervisor-pnl-milestones')) save('supervisor-v3-pnl-milestone', workflowId, run.runId);
      if (patches.includes('supervisor-long-drawdowns')) save('supervisor-v3-long-drawdowns', workflowId, run.runId);
    }
    for (const name of ['supervisor-v3-pnl-milestone', 'supervisor-v3-long-drawdowns']) expect(fs.existsSync(path.join(OUT, `${name}.json`))).toBe(true);
    await h.terminate('recorded');
  }, 180_000); // the entry waits for the simulated open

  test('position: a bracket to its take-profit, a flattened position, a pair whose second leg is rejected', async () => {
    const x = await broker.quote('XOM');
    const tp = await run(plan('mean_reversion', [{ symbol: 'XOM', action: 'BUY', quantity: 40, price: x.last }], { stopPrice: x.last * 0.95, targetPrice: x.bid }));
    await tp.result();
    save('position-v2-take-profit', tp.workflowId);

    const c = await broker.quote('CVX');
    const fl = await run(plan('mean_reversion', [{ symbol: 'CVX', action: 'BUY', quantity: 30, price: c.last }], { stopPrice: c.last * 0.8, targetPrice: c.last * 1.2 }));
    for (let i = 0; i < 100 && (await fl.query(positionStatusQuery)).state !== 'OPEN'; i++) await new Promise((r) => setTimeout(r, 100));
    await fl.signal(flattenPositionSignal, { reason: 'recorded flatten', source: 'cli' });
    await fl.result();
    save('position-v2-flattened', fl.workflowId);

    const k = await broker.quote('KO');
    const pair = await run(plan('pairs', [{ symbol: 'KO', action: 'BUY', quantity: 20, price: k.last }, { symbol: 'ZZZZ', action: 'SELL', quantity: 20, price: k.last }], {
      pair: { side: 'LONG_SPREAD', hedgeRatio: 1, stop: { entryZ: -2.1, stopZ: 3, spreadStdDev: 0.02 } }, riskBudgetPct: 0.02, maxHoldingDays: 10,
    }));
    await pair.result();
    save('position-v2-pair-leg-rejected', pair.workflowId);
  });

  test('tradingDay v2: screen, signal scans and positions on the market clock (first run, to continue-as-new)', async () => {
    const workflowId = `record-trading-day-v2-${Date.now()}`;
    const h = await simStack.client.workflow.start(tradingDay, { workflowId, taskQueue: simStack.config.temporal.taskQueue, args: [tradingDayInput(simStack.config, 120, DATE)] });
    for (let i = 0; i < 600; i++) {
      const d = await h.describe();
      if (d.runId !== h.firstExecutionRunId) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    save('trading-day-v2-sim-first-run', workflowId, h.firstExecutionRunId);
    await simStack.client.workflow.getHandle(workflowId).terminate('recorded');
  });

  test('supervisor v4: the watchdog, and a halt with flatten (answered once HALTED) to flat', async () => {
    const workflowId = `record-supervisor-v4-${Date.now()}`;
    const h = await simStack.client.workflow.start(supervisor, { workflowId, taskQueue: simStack.config.temporal.taskQueue, args: [{ watchdog: watchdogSettings(simStack.config) }] });
    await new Promise((r) => setTimeout(r, 3000)); // a few watchdog rounds
    await h.executeUpdate(haltUpdate, { args: [{ reason: 'recorded kill switch', source: 'cli', flatten: true }] });
    for (let i = 0; i < 300 && (await h.query(statusQuery)).killSwitch?.step !== 'FLAT'; i++) await new Promise((r) => setTimeout(r, 200));
    save('supervisor-v4-kill-switch', workflowId, h.firstExecutionRunId);
    await h.terminate('recorded');
  });
});

describe('a whole simulated day', () => {
  let rig: SimStack;
  const DATE = '2021-03-05';
  const SPEED = 400;
  beforeAll(async () => {
    // Any losing trade makes its strategy's win rate unusual: the review's alerts are in the recorded close.
    rig = await startSimStack({ sim: { startDate: DATE, speed: SPEED, historyFrom: '2020-01-01' }, clientId: 32, config: { alerts: { conditions: { strategyPerformance: { minTrades: 1, minWinRate: 1 } } } } });
  });
  afterAll(() => rig?.close());

  test('tradingDay v4: the last run of a day, to the close, its reconciliation, the reports and the strategy review', async () => {
    const workflowId = `record-trading-day-v4-${Date.now()}`;
    const h = await rig.stack.client.workflow.start(tradingDay, { workflowId, taskQueue: rig.stack.config.temporal.taskQueue, args: [tradingDayInput(rig.stack.config, SPEED, DATE)] });
    await h.result();
    save('trading-day-v4-sim-close', workflowId);
  }, 300_000);
});

test('universeRefresh: bars refreshed in batches, continued as new, the screen stored as a version', async () => {
  const workflowId = `record-universe-refresh-${Date.now()}`;
  const h = await stack.client.workflow.start(universeRefresh, { workflowId, taskQueue: stack.config.temporal.taskQueue, args: [{ asOf: '2021-03-05' }] });
  await h.result();
  await h.query(universeRefreshStatusQuery);
  const latest = await stack.client.workflow.getHandle(workflowId).describe();
  expect(latest.runId).not.toBe(h.firstExecutionRunId);
  save('universe-refresh-v1-first-run', workflowId, h.firstExecutionRunId);
  save('universe-refresh-v1-continued-run', workflowId, latest.runId);
}, 300_000);
