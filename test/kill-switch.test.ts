// The Supervisor's kill switch and connection watchdog on the real dev server, trading through the IB adapter
// (real @stoqey/ib) against the gateway simulator, the audit trail in embedded Postgres.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { NYSE_DEFAULT_HOURS } from '../trading/calendar';
import { positionWorkflowId } from '../trading/position-lifecycle';
import { positionWatch } from '../workers/schedules';
import { watchdogSettings } from '../workers/supervisor-start';
import { position, positionStatusQuery } from '../workflows/position';
import { tradingDay } from '../workflows/trading-day';
import { configureSignal, haltUpdate, resumeUpdate, statusQuery, supervisor, type SupervisorStatus } from '../workflows/supervisor';
import { startSimStack, type SimStack } from './support/harness';

const DATE = '2015-06-01';
const SPEED = 30;

interface Rig extends SimStack {
  supervisor: WorkflowHandle<typeof supervisor>;
}

/** Simulator, worker (its broker on the simulator) and a Supervisor with the watchdog on a 1 s beat. */
async function rig(config: Record<string, unknown>, startDate = DATE): Promise<Rig> {
  const r = await startSimStack({
    sim: { symbols: ['XOM', 'CVX', 'KO'], startDate, speed: SPEED, historyFrom: '2014-01-01' },
    clientId: 9,
    broker: { reconnectMinMs: 200, reconnectMaxMs: 500 },
    config: { ...config, killSwitch: { watchdogIntervalSeconds: 1, positionsCloseTimeoutSeconds: 20, ...(config.killSwitch as object) } },
  });
  const handle = await r.stack.client.workflow.start(supervisor, {
    workflowId: `supervisor-${randomUUID()}`, taskQueue: r.stack.config.temporal.taskQueue, args: [{ watchdog: watchdogSettings(r.stack.config) }],
  });
  return { ...r, supervisor: handle };
}

async function teardown(r: Rig | undefined): Promise<void> {
  await r?.supervisor.terminate().catch(() => undefined);
  await r?.close();
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const status = (r: Rig) => r.supervisor.query(statusQuery);

async function openPosition(r: Rig, symbol: string, quantity: number) {
  const q = await r.broker.quote(symbol);
  const id = positionWorkflowId('mean_reversion', [symbol], DATE);
  const h = await r.stack.client.workflow.start(position, {
    taskQueue: r.stack.config.temporal.taskQueue, workflowId: id,
    args: [{
      plan: { workflowId: id, strategy: 'mean_reversion', tradingDate: DATE, legs: [{ symbol, action: 'BUY', quantity, price: q.last }], stopPrice: q.last * 0.8, targetPrice: q.last * 1.2, riskBudgetPct: 0.01, maxHoldingDays: 5, signal: { code: 'TEST', reasons: 'test', values: {} } },
      hours: NYSE_DEFAULT_HOURS, watch: positionWatch(r.stack.config, SPEED),
    }],
  });
  await eventually(() => h.query(positionStatusQuery), (s) => s.state === 'OPEN');
  return h;
}

describe('manual halt with flatten', () => {
  let r: Rig;
  const stopFile = path.join(os.tmpdir(), `trader-STOP-${randomUUID()}`);
  beforeAll(async () => (r = await rig({ killSwitch: { stopFile } })));
  afterAll(() => teardown(r));

  test('cancels every order, closes every position (workflow-owned or not), verifies flat at the broker, stays HALTED', async () => {
    await eventually(() => status(r), (s) => s.state === 'ACTIVE' && s.health?.connection === 'CONNECTED');
    const a = await openPosition(r, 'XOM', 30);
    const b = await openPosition(r, 'CVX', 20);
    // A position and a resting order nobody's workflow owns: the broker-level flatten must catch both.
    await r.broker.placeOrder({ orderRef: 'manual:ko', symbol: 'KO', action: 'BUY', quantity: 15, type: 'MKT' });
    await r.broker.placeOrder({ orderRef: 'manual:ko-limit', symbol: 'KO', action: 'BUY', quantity: 5, type: 'LMT', limitPrice: 1 });
    await eventually(() => r.broker.positions(), (ps) => ps.some((p) => p.symbol === 'KO' && p.quantity === 15));

    const halted = await r.supervisor.executeUpdate(haltUpdate, { args: [{ reason: 'operator flatten', source: 'cli', flatten: true }] });
    // The update answers once trading is HALTED, while the kill switch goes on.
    expect(halted.state).toBe('HALTED');
    expect(halted.killSwitch).toMatchObject({ reason: 'operator flatten', step: expect.not.stringMatching(/^FLAT$/) });
    const done = await eventually(() => status(r), (s) => s.killSwitch?.step === 'FLAT');
    expect(done.killSwitch).toMatchObject({ reason: 'operator flatten', source: 'cli', positionsLeftOpen: [] });
    expect(done.killSwitch!.positionsSignalled.sort()).toEqual([a.workflowId, b.workflowId].sort());
    expect(await r.broker.positions()).toEqual([]);
    expect(r.sim.exchange.openOrders(9)).toEqual([]);
    expect((await a.result()).state).toBe('CLOSED');
    expect((await b.result()).state).toBe('CLOSED');
    const { rows } = await r.stack.pool.query("SELECT kind FROM system_events WHERE kind LIKE 'kill_switch.%' ORDER BY id");
    expect(rows.map((x) => x.kind)).toEqual(['kill_switch.engaged', 'kill_switch.flat']);
    const alerts = await r.stack.pool.query("SELECT severity, send FROM alert_decisions WHERE dedup_key = 'kill-switch'");
    expect(alerts.rows).toEqual([{ severity: 'critical', send: true }]);
    // Still halted: only a human resumes.
    await new Promise((res) => setTimeout(res, 2000));
    expect((await status(r)).state).toBe('HALTED');
    expect((await r.supervisor.executeUpdate(resumeUpdate, { args: [{ reason: 'checked', source: 'cli' }] })).state).toBe('ACTIVE');
  });

  test('a STOP file halts and flattens; trading stays halted until the file is gone and someone resumes', async () => {
    await openPosition(r, 'KO', 10);
    fs.writeFileSync(stopFile, 'maintenance\n');
    try {
      const halted = await eventually(() => status(r), (s) => s.state === 'HALTED');
      expect(halted.recentChanges.at(-1)!.source).toBe('kill-switch:STOP_FILE');
      await eventually(() => status(r), (s) => s.killSwitch?.step === 'FLAT' && s.killSwitch.source === 'kill-switch:STOP_FILE');
      expect(await r.broker.positions()).toEqual([]);
    } finally {
      fs.rmSync(stopFile, { force: true });
    }
    expect((await r.supervisor.executeUpdate(resumeUpdate, { args: [{ reason: 'file removed', source: 'cli' }] })).state).toBe('ACTIVE');
  });
});

describe('connection watchdog', () => {
  let r: Rig;
  // A 6-second outage limit stands in for the 5 minutes of the default config.
  beforeAll(async () => (r = await rig({ killSwitch: { brokerOutageMinutes: 0.1 } })));
  afterAll(() => teardown(r));

  test('a short outage reduces trading, then the reconnect restores it without a halt', async () => {
    await eventually(() => status(r), (s) => s.health?.connection === 'CONNECTED');
    r.sim.faults.refuseConnections(2500);
    r.sim.faults.dropConnections();
    await eventually(() => status(r), (s) => s.state === 'REDUCING');
    const back = await eventually(() => status(r), (s) => s.state === 'ACTIVE');
    expect(back.recentChanges.map((c) => c.to).slice(-2)).toEqual(['REDUCING', 'ACTIVE']);
    expect(back.killSwitch).toBeUndefined();
    // The owner hears of it twice: lost, then restored.
    const alerts = await eventually(
      () => r.stack.pool.query("SELECT state, send FROM alert_decisions WHERE dedup_key = 'broker.connection' ORDER BY raised_at").then((q) => q.rows),
      (rows) => rows.length === 2,
    );
    expect(alerts).toEqual([{ state: 'firing', send: true }, { state: 'resolved', send: true }]);
  });

  test('a Supervisor started without a watchdog starts watching when the settings arrive by signal (every worker start sends them)', async () => {
    const h = await r.stack.client.workflow.start(supervisor, { workflowId: `supervisor-${randomUUID()}`, taskQueue: r.stack.config.temporal.taskQueue, args: [{}] });
    await new Promise((res) => setTimeout(res, 1500));
    expect((await h.query(statusQuery)).health).toBeUndefined();
    await h.signal(configureSignal, watchdogSettings(r.stack.config));
    const s = await eventually(() => h.query(statusQuery), (x) => x.health !== undefined);
    expect(s.health!.connection).toBe('CONNECTED');
    await h.terminate();
  });

  test('an outage beyond the limit engages the kill switch, which flattens once the broker is back', async () => {
    await openPosition(r, 'KO', 25);
    r.sim.faults.refuseConnections(9000);
    r.sim.faults.dropConnections();
    const halted = await eventually(() => status(r), (s: SupervisorStatus) => s.state === 'HALTED');
    expect(halted.reason).toMatch(/broker disconnected/);
    expect(halted.recentChanges.at(-1)!.source).toBe('kill-switch:BROKER_OUTAGE');
    await eventually(() => status(r), (s) => s.killSwitch?.step === 'FLAT', 90_000);
    expect(await r.broker.positions()).toEqual([]);
  });
});

describe('drawdown', () => {
  let r: Rig;
  // A one-dollar daily loss limit: the commissions of one round trip exceed it; so does the smallest loss milestone.
  beforeAll(async () => (r = await rig({ risk: { maxDailyLoss: 1 }, alerts: { conditions: { pnlMilestones: { lossesPct: [1e-9] } } } })));
  afterAll(() => teardown(r));

  test("a loss beyond the day's limit engages the kill switch", async () => {
    await eventually(() => status(r), (s) => s.health !== undefined); // the watchdog has its baseline before the loss
    const h = await openPosition(r, 'XOM', 10).catch(() => undefined); // the kill switch may close it first
    await h?.signal('flattenPosition', { reason: 'realise a loss' }).catch(() => undefined);
    const halted = await eventually(() => status(r), (s) => s.state === 'HALTED');
    expect(halted.recentChanges.at(-1)!.source).toBe('kill-switch:DAILY_LOSS_LIMIT');
    await eventually(() => status(r), (s) => s.killSwitch?.step === 'FLAT');
    // The loss milestone was alerted once, for the market's date.
    const { rows } = await r.stack.pool.query("SELECT dedup_key, severity, send FROM alert_decisions WHERE dedup_key LIKE 'pnl.milestone:%'");
    expect(rows).toEqual([{ dedup_key: `pnl.milestone:${DATE}:loss:1e-9`, severity: 'warning', send: true }]);
  });
});

describe('core workflow failure', () => {
  let r: Rig;
  beforeAll(async () => (r = await rig({})));
  afterAll(() => teardown(r));

  test('an unhandled failure in a TradingDay engages the kill switch and raises a system-error alert', async () => {
    await eventually(() => status(r), (s) => s.health !== undefined);
    const held = await openPosition(r, 'KO', 10);
    // A time zone the calendar cannot read: the day throws a RangeError, which no code of the workflow handles.
    const day = await r.stack.client.workflow.start(tradingDay, {
      workflowId: `trading-day-broken-${randomUUID()}`, taskQueue: r.stack.config.temporal.taskQueue,
      args: [{ hours: { ...NYSE_DEFAULT_HOURS, timezone: 'Not/AZone' }, premarketMinutesBeforeOpen: 30, date: DATE, supervisorId: r.supervisor.workflowId }],
    });
    const failure = await day.result().then(() => undefined, (e: Error & { cause?: Error & { type?: string } }) => e.cause);
    expect(failure).toMatchObject({ type: 'CoreWorkflowFailure', message: expect.stringContaining('RangeError') });

    const halted = await eventually(() => status(r), (s) => s.state === 'HALTED');
    expect(halted.recentChanges.at(-1)).toMatchObject({ source: 'kill-switch:CORE_WORKFLOW_FAILURE', reason: expect.stringContaining(day.workflowId) });
    await eventually(() => status(r), (s) => s.killSwitch?.step === 'FLAT', 90_000);
    expect(await r.broker.positions()).toEqual([]);
    expect((await held.query(positionStatusQuery)).state).toBe('CLOSED');
    const { rows } = await r.stack.pool.query("SELECT dedup_key, severity, send FROM alert_decisions WHERE dedup_key LIKE 'system.error:%'");
    expect(rows).toEqual([{ dedup_key: `system.error:${day.workflowId}`, severity: 'critical', send: true }]);
  });
});

describe('weekly and monthly drawdowns', () => {
  let r: Rig;
  const FRIDAY = '2021-03-05';
  beforeAll(async () => (r = await rig({}, FRIDAY)));
  afterAll(() => teardown(r));

  test('alerted from the recorded closes and the live equity: weekly beyond its limit, monthly approaching it', async () => {
    await eventually(() => status(r), (x) => x.health !== undefined); // the watchdog's baseline comes first
    const equity = r.sim.exchange.accountSummary().NetLiquidation;
    // Monday's close 10 % above today's equity, Thursday's equal to it: no daily drawdown, a weekly one of 9.09 %
    // (limit 5 %) and a monthly one of 9.09 % (limit 10 %, warned from 8 %).
    for (const [date, close] of [['2021-03-01', equity * 1.1], ['2021-03-04', equity]] as const) {
      await r.stack.pool.query(
        `INSERT INTO daily_pnl (account, trading_date, starting_equity, ending_equity, realized_pnl, unrealized_pnl, commissions, trade_count, win_count, loss_count, max_drawdown_pct)
         VALUES ($1, $2, $3, $3, 0, 0, 0, 0, 0, 0, 0)`,
        [r.sim.account, date, close],
      );
    }
    const s = await eventually(() => status(r), (x) => (x.health?.longDrawdowns?.length ?? 0) === 2);
    expect(s.health!.drawdowns!.weekly).toBeCloseTo(1 - 1 / 1.1, 4);
    expect(s.health!.drawdowns!.daily).toBeCloseTo(0, 4);
    expect(s.state).toBe('ACTIVE'); // only the daily drawdown engages the kill switch; these stop new entries
    const alerts = await eventually(
      () => r.stack.pool.query("SELECT dedup_key, severity, state, send FROM alert_decisions WHERE dedup_key LIKE 'drawdown.%' ORDER BY dedup_key").then((q) => q.rows),
      (rows) => rows.length === 2,
    );
    expect(alerts).toEqual([
      { dedup_key: 'drawdown.monthly.warning', severity: 'warning', state: 'firing', send: true },
      { dedup_key: 'drawdown.weekly.exceeded', severity: 'critical', state: 'firing', send: true },
    ]);
  });
});
