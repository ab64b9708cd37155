// npm start with a fresh simulator retires the previous demo run: its running days and positions are terminated and
// its open positions recorded as CANCELLED, so nothing trades against an account that never held them.
import { randomUUID } from 'node:crypto';
import { retirePreviousDemo } from '../stack/demo-reset';
import { PgStore } from '../store/pg-store';
import { NYSE_DEFAULT_HOURS } from '../trading/calendar';
import { position } from '../workflows/position';
import type { PositionPlan } from '../workflows/position-types';
import { startTestStack, type TestStack } from './support/harness';

let stack: TestStack;
beforeAll(async () => (stack = await startTestStack()));
afterAll(() => stack?.close());

const plan = (workflowId: string): PositionPlan => ({
  workflowId, strategy: 'mean_reversion', tradingDate: '2021-03-05', legs: [{ symbol: 'XOM', action: 'BUY', quantity: 10, price: 60 }],
  stopPrice: 58, targetPrice: 63, riskBudgetPct: 0.01, maxHoldingDays: 5, signal: { code: 'TEST', reasons: 'demo reset', values: {} },
});

test('running positions of the task queue are terminated and recorded CANCELLED; other queues and closed positions are left alone', async () => {
  const store = new PgStore(stack.pool);
  const id = `position-demo-${randomUUID()}`;
  // The broker is down in this stack: the position waits in its risk check, its row already RISK_CHECK.
  const h = await stack.client.workflow.start(position, { taskQueue: stack.config.temporal.taskQueue, workflowId: id, args: [{ plan: plan(id), hours: NYSE_DEFAULT_HOURS }] });
  const elsewhere = await stack.client.workflow.start(position, { taskQueue: `elsewhere-${randomUUID()}`, workflowId: `position-elsewhere-${randomUUID()}`, args: [{ plan: plan('x'), hours: NYSE_DEFAULT_HOURS }] });
  const closedId = `position-closed-${randomUUID()}`;
  await store.recordPositionTransition(
    { workflowId: closedId, strategy: 'mean_reversion', symbols: ['CVX'], side: 'LONG', state: 'CLOSED', tradingDate: '2021-03-04', legs: [], realizedPnl: 12, commission: 2 },
    { sequence: 1, from: null, to: 'CLOSED', details: {}, at: '2021-03-04T20:00:00Z' },
  );
  const visible = async () => {
    for await (const w of stack.client.workflow.list({ query: `WorkflowId = '${id}'` })) return w.status.name === 'RUNNING';
    return false;
  };
  for (let i = 0; i < 100 && !((await visible()) && (await stack.pool.query('SELECT 1 FROM positions WHERE workflow_id = $1', [id])).rowCount); i++) await new Promise((r) => setTimeout(r, 100));

  const lines: string[] = [];
  const result = await retirePreviousDemo(stack.client, store, { taskQueue: stack.config.temporal.taskQueue, marketNow: Date.parse('2021-03-08T14:00:00Z'), log: (l) => lines.push(l) });

  expect(result).toEqual({ terminated: 1, abandoned: [id] });
  expect((await h.describe()).status.name).toBe('TERMINATED');
  expect((await elsewhere.describe()).status.name).toBe('RUNNING');
  const { rows } = await stack.pool.query('SELECT workflow_id, state, exit_reason FROM positions ORDER BY workflow_id');
  expect(rows).toEqual([
    { workflow_id: closedId, state: 'CLOSED', exit_reason: null },
    { workflow_id: id, state: 'CANCELLED', exit_reason: 'the demo simulator restarted with a fresh, flat account' },
  ]);
  const { rows: [last] } = await stack.pool.query('SELECT from_state, to_state, details FROM position_transitions WHERE workflow_id = $1 ORDER BY sequence DESC LIMIT 1', [id]);
  expect(last).toEqual({ from_state: 'RISK_CHECK', to_state: 'CANCELLED', details: { reason: 'the demo simulator restarted with a fresh, flat account', abandoned: true } });
  expect(lines).toEqual([expect.stringContaining('1 workflows terminated, 1 open positions recorded as CANCELLED')]);
  await elsewhere.terminate('test done');
});
