// Position workflows on the real dev server, trading through the IB adapter (real @stoqey/ib) against the gateway
// simulator, with the audit trail in embedded Postgres.
import type { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import type { IbBroker } from '../broker/ib/ib-broker';
import type { GatewaySimulator } from '../gateway-sim/server';
import { NYSE_DEFAULT_HOURS } from '../trading/calendar';
import { positionWorkflowId, type StrategyName } from '../trading/position-lifecycle';
import { adjustStopSignal, adjustStopUpdate, flattenPositionSignal, position, positionStatusQuery, type PositionInput } from '../workflows/position';
import type { PlannedLeg, PositionPlan, PositionStatus } from '../workflows/position-types';
import { positionWatch } from '../workers/schedules';
import { startSimStack, type SimStack, type TestStack } from './support/harness';

const DATE = '2015-06-01';
const SPEED = 30;
let rig: SimStack;
let sim: GatewaySimulator;
let stack: TestStack;
let broker: IbBroker;

beforeAll(async () => {
  rig = await startSimStack({ sim: { symbols: ['XOM', 'CVX', 'KO', 'PEP', 'MSFT', 'JNJ'], startDate: DATE, speed: SPEED, historyFrom: '2014-01-01' }, clientId: 7 });
  ({ sim, stack, broker } = rig);
});

afterAll(() => rig?.close());

function plan(strategy: StrategyName, legs: PlannedLeg[], extra: Partial<PositionPlan> = {}): PositionPlan {
  return {
    workflowId: positionWorkflowId(strategy, legs.map((l) => l.symbol), DATE),
    strategy, tradingDate: DATE, legs, riskBudgetPct: 0.01, maxHoldingDays: 5,
    signal: { code: 'TEST', reasons: 'test signal', values: {} },
    ...extra,
  };
}

async function startPosition(p: PositionPlan): Promise<WorkflowHandle<typeof position>> {
  const input: PositionInput = { plan: p, hours: NYSE_DEFAULT_HOURS, watch: positionWatch(stack.config, SPEED) };
  return stack.client.workflow.start(position, { taskQueue: stack.config.temporal.taskQueue, workflowId: p.workflowId, args: [input] });
}

async function untilState(h: WorkflowHandle<typeof position>, state: PositionStatus['state']): Promise<PositionStatus> {
  for (let i = 0; i < 300; i++) {
    const s = await h.query(positionStatusQuery);
    if (s.state === state) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`position ${h.workflowId} never reached ${state}`);
}

async function transitions(workflowId: string): Promise<string[]> {
  const { rows } = await stack.pool.query('SELECT to_state FROM position_transitions WHERE workflow_id = $1 ORDER BY sequence', [workflowId]);
  return rows.map((r) => r.to_state as string);
}

async function heldAtBroker(symbol: string): Promise<number> {
  return (await broker.positions()).find((p) => p.symbol === symbol)?.quantity ?? 0;
}

test('a mean-reversion bracket goes from the risk check to closed, every transition and fill recorded once', async () => {
  const q = await broker.quote('XOM');
  // A take-profit at the market: the target fills as soon as the entry does, so the whole path runs in seconds.
  const p = plan('mean_reversion', [{ symbol: 'XOM', action: 'BUY', quantity: 40, price: q.last }], { stopPrice: q.last * 0.95, targetPrice: q.bid });
  const h = await startPosition(p);
  const done = await h.result();
  expect(done.state).toBe('CLOSED');
  expect(done.exitReason).toBe('TAKE_PROFIT');
  expect(await transitions(p.workflowId)).toEqual(['RISK_CHECK', 'ENTRY_SUBMITTED', 'OPEN', 'EXITING', 'CLOSED']);
  const fills = await stack.pool.query("SELECT side, sum(quantity)::float AS qty, count(*)::int AS n, count(DISTINCT exec_id)::int AS distinct_n FROM fills WHERE order_ref LIKE $1 GROUP BY side ORDER BY side", [`${p.workflowId}:%`]);
  expect(fills.rows).toEqual([{ side: 'BOT', qty: 40, n: expect.any(Number), distinct_n: expect.any(Number) }, { side: 'SLD', qty: 40, n: expect.any(Number), distinct_n: expect.any(Number) }]);
  const { rows: [row] } = await stack.pool.query('SELECT state, realized_pnl::float AS pnl, exit_reason FROM positions WHERE workflow_id = $1', [p.workflowId]);
  expect(row).toMatchObject({ state: 'CLOSED', exit_reason: done.exitReason });
  expect(row.pnl).toBeCloseTo(done.snapshot!.realizedPnl, 4);
  expect(await heldAtBroker('XOM')).toBe(0);
  const desc = await h.describe();
  expect(desc.typedSearchAttributes.get({ name: 'PositionState', type: 'KEYWORD' } as never)).toBe('CLOSED');
});

test('flattenPosition while open closes it at market and leaves the broker flat', async () => {
  const q = await broker.quote('CVX');
  const p = plan('mean_reversion', [{ symbol: 'CVX', action: 'BUY', quantity: 30, price: q.last }], { stopPrice: q.last * 0.8, targetPrice: q.last * 1.2 });
  const h = await startPosition(p);
  await untilState(h, 'OPEN');
  expect(await heldAtBroker('CVX')).toBe(30);
  await h.signal(flattenPositionSignal, { reason: 'test flatten', source: 'test' });
  const done = await h.result();
  expect(done).toMatchObject({ state: 'CLOSED', exitReason: 'test flatten' });
  expect(await heldAtBroker('CVX')).toBe(0);
  // The bracket's resting target and stop were cancelled, not left working at the broker.
  expect(sim.exchange.openOrders(7).filter((o) => o.orderRef.startsWith(p.workflowId))).toEqual([]);
});

test('adjustStop replaces the stop: a stop raised above the market closes the position as a stop-loss', async () => {
  const q = await broker.quote('JNJ');
  const p = plan('mean_reversion', [{ symbol: 'JNJ', action: 'BUY', quantity: 25, price: q.last }], { stopPrice: q.last * 0.8, targetPrice: q.last * 1.2 });
  const h = await startPosition(p);
  await untilState(h, 'OPEN');
  const raised = Math.round(q.last * 1.05 * 100) / 100;
  await h.signal(adjustStopSignal, { stopPrice: raised });
  const done = await h.result();
  expect(done).toMatchObject({ state: 'CLOSED', exitReason: 'STOP_LOSS', stopPrice: raised });
  expect(await transitions(p.workflowId)).toEqual(['RISK_CHECK', 'ENTRY_SUBMITTED', 'OPEN', 'OPEN', 'EXITING', 'CLOSED']);
  const { rows } = await stack.pool.query("SELECT leg, status FROM orders WHERE position_workflow_id = $1 AND leg LIKE 'stop%' ORDER BY leg", [p.workflowId]);
  expect(rows).toEqual([{ leg: 'stop', status: 'Cancelled' }, { leg: 'stop-1', status: 'Filled' }]);
  expect(await heldAtBroker('JNJ')).toBe(0);
});

test('adjustStop as an update: a stop that cannot apply is refused with the reason, an accepted one answers once working', async () => {
  const q = await broker.quote('JNJ');
  const cents = (x: number) => Math.round(x * 100) / 100;
  const p = plan('mean_reversion', [{ symbol: 'JNJ', action: 'BUY', quantity: 25, price: q.last }], {
    workflowId: positionWorkflowId('mean_reversion', ['JNJ'], DATE, 'update'), stopPrice: cents(q.last * 0.8), targetPrice: cents(q.last * 1.2),
  });
  const h = await startPosition(p);
  await untilState(h, 'OPEN');
  const refusal = (stopPrice: number) => h.executeUpdate(adjustStopUpdate, { args: [{ stopPrice }] }).then(() => 'accepted', (e) => (e as WorkflowUpdateFailedError).cause?.message);
  expect(await refusal(cents(q.last * 1.3))).toBe(`a long position's stop must be below its target of ${p.targetPrice}; got ${cents(q.last * 1.3)}`);
  expect(await refusal(-1)).toBe('stopPrice must be a positive price, got -1');
  const lowered = cents(q.last * 0.7);
  expect(await h.executeUpdate(adjustStopUpdate, { args: [{ stopPrice: lowered }] })).toMatchObject({ state: 'OPEN', stopPrice: lowered });
  const working = sim.exchange.openOrders(7).filter((o) => o.orderRef.startsWith(`${p.workflowId}:stop`));
  expect(working.map((o) => [o.orderRef, o.auxPrice])).toEqual([[`${p.workflowId}:stop-1`, lowered]]);
  // The refused updates left no trace in the history; the accepted one did.
  const { events } = await h.fetchHistory();
  expect(events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  await h.signal(flattenPositionSignal, { reason: 'test done' });
  expect(await h.result()).toMatchObject({ state: 'CLOSED', stopPrice: lowered });
});

test('the risk gate rejects an oversized position before any order reaches the broker', async () => {
  const q = await broker.quote('KO');
  const p = plan('mean_reversion', [{ symbol: 'KO', action: 'BUY', quantity: 5000, price: q.last }], { stopPrice: q.last * 0.98, targetPrice: q.last * 1.05 });
  const done = await (await startPosition(p)).result();
  expect(done.state).toBe('REJECTED');
  expect(done.exitReason).toMatch(/^risk: /);
  expect(await transitions(p.workflowId)).toEqual(['RISK_CHECK', 'REJECTED']);
  const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM orders WHERE position_workflow_id = $1', [p.workflowId]);
  expect(rows[0].n).toBe(0);
});

test('a pair whose second leg is rejected unwinds the filled first leg', async () => {
  const q = await broker.quote('PEP');
  const p = plan('pairs', [
    { symbol: 'PEP', action: 'BUY', quantity: 20, price: q.last },
    { symbol: 'ZZZZ', action: 'SELL', quantity: 20, price: q.last },
  ], { pair: { side: 'LONG_SPREAD', hedgeRatio: 1, stop: { entryZ: -2.1, stopZ: 3, spreadStdDev: 0.02 } }, riskBudgetPct: 0.02, maxHoldingDays: 10 });
  const done = await (await startPosition(p)).result();
  expect(done).toMatchObject({ state: 'CLOSED', exitReason: 'LEG_FAILED' });
  expect(await transitions(p.workflowId)).toEqual(['RISK_CHECK', 'ENTRY_SUBMITTED', 'EXITING', 'CLOSED']);
  expect(await heldAtBroker('PEP')).toBe(0);
  const alerts = await stack.pool.query('SELECT severity, send FROM alert_decisions WHERE dedup_key = $1', [`order.rejected:${p.workflowId}:entry-1`]);
  expect(alerts.rows).toEqual([{ severity: 'warning', send: true }]);
});

test('starting the same signal twice is refused: one position per strategy, symbols and date', async () => {
  const q = await broker.quote('MSFT');
  const p = plan('mean_reversion', [{ symbol: 'MSFT', action: 'BUY', quantity: 5000, price: q.last }], { stopPrice: q.last * 0.98, targetPrice: q.last * 1.05 });
  const first = await startPosition(p);
  await expect(startPosition(p)).rejects.toThrow(/already started/i);
  await first.result();
});

describe('exit rules on streamed quotes', () => {
  let exits: SimStack;
  // RSI above 1 counts as overbought: the first exit check of an open position closes it.
  beforeAll(async () => {
    exits = await startSimStack({
      sim: { symbols: ['XOM'], startDate: DATE, speed: SPEED, historyFrom: '2014-01-01' }, clientId: 8,
      config: { strategies: { meanReversion: { rsiOversold: 0, rsiOverbought: 1 } } },
    });
  });
  afterAll(() => exits?.close());

  test('an open position whose exit rule fires is closed at market with the rule as its reason', async () => {
    const q = await exits.broker.quote('XOM');
    const p = plan('mean_reversion', [{ symbol: 'XOM', action: 'BUY', quantity: 20, price: q.last }], { stopPrice: q.last * 0.8, targetPrice: q.last * 1.2 });
    const h = await exits.stack.client.workflow.start(position, {
      taskQueue: exits.stack.config.temporal.taskQueue, workflowId: p.workflowId, args: [{ plan: p, hours: NYSE_DEFAULT_HOURS, watch: positionWatch(exits.stack.config, SPEED) }],
    });
    const done = await h.result();
    expect(done).toMatchObject({ state: 'CLOSED', exitReason: 'RSI_OVERBOUGHT' });
    expect(done.orders.find((o) => o.orderRef === `${p.workflowId}:exit-1-XOM`)).toMatchObject({ status: 'Filled', filled: 20 });
    expect((await exits.broker.positions()).find((x) => x.symbol === 'XOM')).toBeUndefined();
  });
});
