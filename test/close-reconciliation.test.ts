// The close's reconciliation (activities/trading-day.ts reconcileExecutions) against the gateway simulator through the
// real IB adapter and a real Postgres: every execution of the session ends up in the fills table before the summary.
// A fill its position has not stored within schedule.closeSettleSeconds is stored and reported as late; the kill
// switch's flatten fills, which no position owns, are stored too.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTradingDayActivities, type CloseReconciliation } from '../activities/trading-day';
import { IbBroker } from '../broker/ib/ib-broker';
import { MemoryOrderIdStore } from '../broker/order-ids';
import { GatewaySimulator } from '../gateway-sim/server';
import { PgStore } from '../store/pg-store';
import { createTestDatabase, testConfig } from './support/harness';

const DATE = '2021-03-05';
const MIN = 60_000;
const config = testConfig(undefined, { schedule: { closeSettleSeconds: 1 } });
let sim: GatewaySimulator;
let broker: IbBroker;
let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  sim = await GatewaySimulator.start({ dataDir: config.data.dir, symbols: ['AAPL', 'MSFT'], startDate: DATE, speed: 0, historyFrom: '2021-01-01' });
  sim.advanceTo(sim.clock.now() + 30 * MIN);
  broker = new IbBroker({ host: '127.0.0.1', port: sim.port, clientId: 21, orderIds: new MemoryOrderIdStore(), timeoutMs: 5000 });
  await broker.connect();
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  await broker?.disconnect();
  await sim?.close();
  await db?.drop();
});

/** A market order through the adapter, filled by moving the simulated clock a minute. */
async function filled(orderRef: string, symbol: string, action: 'BUY' | 'SELL'): Promise<void> {
  await broker.placeOrder({ orderRef, symbol, action, quantity: 10, type: 'MKT' });
  sim.advanceTo(sim.clock.now() + MIN);
  for (let i = 0; i < 200 && (await broker.order(orderRef))?.status !== 'Filled'; i++) await new Promise((r) => setTimeout(r, 10));
  expect((await broker.order(orderRef))?.status).toBe('Filled');
}

test('the session\'s executions are all in Postgres after the close: late position fills and unowned ones stored, once', async () => {
  const store = new PgStore(db.pool);
  const activities = createTradingDayActivities({ broker, store, config, clock: sim.clock });
  const recorded = `position-mean_reversion-AAPL-${DATE}-t:entry`;
  const late = `position-mean_reversion-MSFT-${DATE}-t:entry`;
  const flatten = 'kill-switch-t:flatten-AAPL';
  await filled(recorded, 'AAPL', 'BUY');
  await filled(late, 'MSFT', 'BUY');
  await filled(flatten, 'AAPL', 'SELL');
  const executions = await broker.executions();
  expect(executions.map((f) => f.orderRef).sort()).toEqual([flatten, late, recorded].sort());
  await store.recordFills(executions.filter((f) => f.orderRef === recorded)); // that position did its job

  const first: CloseReconciliation = await new MockActivityEnvironment().run(activities.reconcileExecutions, DATE);
  expect(first).toEqual({ reconciled: true, executions: 3, lateFills: executions.filter((f) => f.orderRef === late).map((f) => f.execId), unowned: 1 });
  const { rows: fills } = await db.pool.query('SELECT order_ref, quantity::float AS q FROM fills');
  expect(fills.map((f) => [f.order_ref, f.q]).sort()).toEqual([[flatten, 10], [recorded, 10], [late, 10]]);
  const events = async () => (await db.pool.query("SELECT severity, details FROM system_events WHERE kind = 'reconciliation.fills'")).rows;
  expect(await events()).toEqual([{ severity: 'warning', details: { fills: [expect.objectContaining({ orderRef: late, symbol: 'MSFT', quantity: 10 })] } }]);

  // Again (a retry, or a rerun of the day): nothing is late any more, nothing is stored twice.
  const again: CloseReconciliation = await new MockActivityEnvironment().run(activities.reconcileExecutions, DATE);
  expect(again).toEqual({ reconciled: true, executions: 3, lateFills: [], unowned: 1 });
  expect((await db.pool.query('SELECT count(*)::int AS n FROM fills')).rows[0].n).toBe(3);
  expect(await events()).toHaveLength(1);
}, 60_000);
