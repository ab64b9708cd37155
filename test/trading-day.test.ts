// The TradingDay timeline and its daily schedule, on the real dev server and Postgres.
import { randomUUID } from 'node:crypto';
import { localDate } from '../trading/calendar';
import { TradingDate } from '../workflows/search-attributes';
import { tradingDay, type TradingDayInput } from '../workflows/trading-day';
import { ensureSchedules, scheduleDefinitions, TRADING_DAY_SCHEDULE_ID } from '../workers/schedules';
import { startTestStack, testConfig, type TestStack } from './support/harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.client.schedule.getHandle(TRADING_DAY_SCHEDULE_ID).delete().catch(() => undefined);
  await stack?.close();
});

function input(date: string): TradingDayInput {
  return { ...(scheduleDefinitions(stack.config)[0].action.args![0] as TradingDayInput), date };
}

async function phases(workflowId: string): Promise<string[]> {
  const { rows } = await stack.pool.query(`SELECT details->>'phase' AS phase FROM system_events WHERE idempotency_key LIKE $1 ORDER BY id`, [`${workflowId}:%`]);
  return rows.map((r) => r.phase);
}

test('a holiday is skipped: the run records why the market is closed', async () => {
  const workflowId = `trading-day-${randomUUID()}`;
  const result = await stack.client.workflow.execute(tradingDay, { workflowId, taskQueue: stack.config.temporal.taskQueue, args: [input('2026-11-26')] });
  expect(result).toMatchObject({ date: '2026-11-26', phase: 'MARKET_CLOSED', session: { open: false, reason: 'Thanksgiving Day' } });
  expect(await phases(workflowId)).toEqual(['MARKET_CLOSED']);
  expect((await stack.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(TradingDate)).toBe('2026-11-26');
});

test('a half day walks pre-market, open and an early close at 13:00 New York time', async () => {
  const workflowId = `trading-day-${randomUUID()}`;
  const result = await stack.client.workflow.execute(tradingDay, { workflowId, taskQueue: stack.config.temporal.taskQueue, args: [input('2025-11-28')] });
  expect(result.session).toMatchObject({ open: true, earlyClose: true, openAt: '2025-11-28T14:30:00.000Z', closeAt: '2025-11-28T18:00:00.000Z' });
  expect(await phases(workflowId)).toEqual(['WAITING_PREMARKET', 'PREMARKET', 'OPEN', 'CLOSED']);
  // No broker in this stack: the close does not wait for one to reconcile the executions, it says so.
  expect(result.reconciliation).toEqual({ reconciled: false, reason: expect.stringContaining('not reconciled at the close: not connected to IB') });
});

test('the daily schedule is created once, follows config changes, and starts a TradingDay for today', async () => {
  // Schedule ids are per namespace and other test files create schedules too: look at this one only.
  await stack.client.schedule.getHandle(TRADING_DAY_SCHEDULE_ID).delete().catch(() => undefined);
  expect((await ensureSchedules(stack.client, stack.config)).created).toContain(TRADING_DAY_SCHEDULE_ID);
  const later = testConfig(stack.config.temporal.taskQueue);
  later.schedule.tradingDay.hour = 7;
  const again = await ensureSchedules(stack.client, later);
  expect(again.created).not.toContain(TRADING_DAY_SCHEDULE_ID);
  expect(again.updated).toContain(TRADING_DAY_SCHEDULE_ID);
  const ids: string[] = [];
  for await (const s of stack.client.schedule.list()) ids.push(s.scheduleId);
  expect(ids.filter((id) => id === TRADING_DAY_SCHEDULE_ID)).toHaveLength(1);

  const handle = stack.client.schedule.getHandle(TRADING_DAY_SCHEDULE_ID);
  const d = await handle.describe();
  expect(d.spec.timezone).toBe('America/New_York');
  expect(d.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 7, end: 7, step: 1 }], dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }] })]);
  expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 10 * 60_000 });
  expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'tradingDay' });

  await handle.trigger();
  const today = localDate(new Date(), 'America/New_York');
  let runs: string[] = [];
  for (let i = 0; i < 50 && runs.length === 0; i++) {
    runs = [];
    for await (const w of stack.client.workflow.list({ query: `TemporalScheduledById = '${TRADING_DAY_SCHEDULE_ID}' AND TradingDate = '${today}'` })) runs.push(w.workflowId);
    if (runs.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  expect(runs).toHaveLength(1);
  await stack.client.workflow.getHandle(runs[0]).terminate('test over').catch(() => undefined);
});
