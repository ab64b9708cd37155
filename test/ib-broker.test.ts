// The IB adapter (real @stoqey/ib client) against the gateway simulator: fills, idempotent placement, id continuity.
import { loadConfig } from '../config';
import { OrderRejectedError } from '../broker/broker';
import { IbBroker, type IbBrokerOptions } from '../broker/ib/ib-broker';
import { MemoryOrderIdStore, type OrderIdStore } from '../broker/order-ids';
import { GatewaySimulator } from '../gateway-sim/server';

const dataDir = loadConfig({ env: {} }).config.data.dir;
let sim: GatewaySimulator;
let broker: IbBroker;

const ids = new MemoryOrderIdStore(); // shared across adapter restarts, as the Postgres mark (store.test.ts) is
const undecoded: string[] = [];

const newBroker = (o: Partial<IbBrokerOptions> = {}) =>
  new IbBroker({ host: '127.0.0.1', port: sim.port, clientId: 3, orderIds: ids, timeoutMs: 5000, onProtocolError: (code, m) => undecoded.push(`${code} ${m}`), ...o });

/** Lets simulated time pass in steps while a promise is pending (the manual clock only moves when told). */
async function whileTimePasses<T>(p: Promise<T>, stepMs = 60_000): Promise<T> {
  let settled = false;
  void p.finally(() => (settled = true)).catch(() => undefined);
  for (let i = 0; i < 50 && !settled; i++) {
    await new Promise((r) => setTimeout(r, 20));
    sim.advanceTo(sim.clock.now() + stepMs);
  }
  return p;
}

beforeAll(async () => {
  sim = await GatewaySimulator.start({ dataDir, symbols: ['XOM', 'CVX'], startDate: '2015-06-01', speed: 0, historyFrom: '2015-01-01' });
  broker = newBroker();
  await broker.connect();
}, 30_000); // loading the daily file takes seconds on a busy machine

afterEach(() => expect(undecoded).toEqual([]));

afterAll(async () => {
  await broker?.disconnect();
  await sim?.close();
});

test('a market order fills and its execution carries the orderRef and a commission', async () => {
  const placed = await broker.placeOrder({ orderRef: 'pos-a:entry', symbol: 'XOM', action: 'BUY', quantity: 100, type: 'MKT' });
  expect(placed).toMatchObject({ orderRef: 'pos-a:entry', symbol: 'XOM' });
  sim.advanceTo(sim.clock.now() + 60_000);
  await new Promise((r) => setTimeout(r, 50));
  const fills = await broker.executions();
  const mine = fills.filter((f) => f.orderRef === 'pos-a:entry');
  expect(mine.reduce((s, f) => s + f.quantity, 0)).toBe(100);
  expect(mine[0].commission).toBeGreaterThanOrEqual(1); // IB-like minimum per order
  expect(await broker.positions()).toContainEqual(expect.objectContaining({ symbol: 'XOM', quantity: 100 }));
});

test('a retried placement finds the existing order instead of placing a second', async () => {
  const first = await broker.placeOrder({ orderRef: 'pos-b:entry', symbol: 'CVX', action: 'BUY', quantity: 10, type: 'LMT', limitPrice: 1 });
  const retry = await broker.placeOrder({ orderRef: 'pos-b:entry', symbol: 'CVX', action: 'BUY', quantity: 10, type: 'LMT', limitPrice: 1 });
  expect(retry.brokerOrderId).toBe(first.brokerOrderId);
  // A fresh adapter (a restarted worker) adopts it from the broker's open orders.
  await broker.disconnect();
  broker = newBroker();
  await broker.connect();
  const adopted = await broker.placeOrder({ orderRef: 'pos-b:entry', symbol: 'CVX', action: 'BUY', quantity: 10, type: 'LMT', limitPrice: 1 });
  expect(adopted.brokerOrderId).toBe(first.brokerOrderId);
  expect(sim.exchange.openOrders(3).filter((o) => o.orderRef === 'pos-b:entry')).toHaveLength(1);
  await broker.cancelOrder('pos-b:entry');
  expect((await broker.order('pos-b:entry'))!.status).toBe('Cancelled');
});

test('order ids continue across a restart of the adapter: never reused', async () => {
  const before = await ids.highestUsed();
  await broker.disconnect();
  broker = newBroker();
  await broker.connect();
  const o = await broker.placeOrder({ orderRef: 'pos-c:entry', symbol: 'XOM', action: 'SELL', quantity: 5, type: 'LMT', limitPrice: 10_000 });
  expect(o.brokerOrderId).toBe(before + 1);
});

test('a filled order placed again after a restart is found among the executions, not re-sent', async () => {
  await broker.disconnect();
  broker = newBroker();
  await broker.connect();
  const again = await broker.placeOrder({ orderRef: 'pos-a:entry', symbol: 'XOM', action: 'BUY', quantity: 100, type: 'MKT' });
  expect(again).toMatchObject({ status: 'Filled', filled: 100 });
  expect(sim.exchange.executions({}).filter((r) => r.execution.orderRef === 'pos-a:entry').reduce((s, r) => s + r.execution.shares, 0)).toBe(100);
});

test('a rejected order (201) fails with the reason', async () => {
  sim.faults.rejectNextOrder('insufficient margin');
  const order = { orderRef: 'pos-d:entry', symbol: 'XOM', action: 'BUY' as const, quantity: 1, type: 'MKT' as const };
  await expect(broker.placeOrder(order)).rejects.toThrow(OrderRejectedError);
  await expect(broker.placeOrder(order)).rejects.toMatchObject({ code: 201, message: expect.stringMatching(/insufficient margin/) }); // a retry is not sent again
  expect(await broker.order('pos-d:entry')).toMatchObject({ status: 'Inactive', filled: 0 });
  sim.advanceTo(sim.clock.now() + 60_000);
  expect(sim.exchange.executions({}).filter((r) => r.execution.orderRef === 'pos-d:entry')).toEqual([]);
});

test('a bracket: entry fills, then the take-profit or the stop, the other cancelled by OCA', async () => {
  const q = await broker.quote('CVX');
  expect(q.ask).toBeGreaterThan(q.bid);
  const legs = await whileTimePasses(broker.placeBracket({ orderRef: 'pos-e', symbol: 'CVX', action: 'BUY', quantity: 20, entry: { type: 'MKT' }, takeProfitPrice: q.last * 1.005, stopLossPrice: q.last * 0.995 }));
  expect(legs.map((l) => l.orderRef)).toEqual(['pos-e:entry', 'pos-e:target', 'pos-e:stop']);
  for (let i = 0; i < 400; i++) {
    sim.advanceTo(sim.clock.now() + 60_000);
    const t = (await broker.order('pos-e:target'))!.status;
    const s = (await broker.order('pos-e:stop'))!.status;
    if (t === 'Filled' || s === 'Filled') break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 50));
  const statuses = [(await broker.order('pos-e:target'))!.status, (await broker.order('pos-e:stop'))!.status].sort();
  expect(statuses).toEqual(['Cancelled', 'Filled']);
});

test('a fill that happens while disconnected is recovered after the reconnect', async () => {
  let resynced = 0;
  await broker.disconnect();
  broker = newBroker({ reconnectMinMs: 100, onResync: () => resynced++ });
  await broker.connect();
  const q = await broker.quote('XOM');
  await broker.placeOrder({ orderRef: 'pos-f:entry', symbol: 'XOM', action: 'BUY', quantity: 30, type: 'LMT', limitPrice: Math.round(q.last * 0.999 * 100) / 100 });
  sim.faults.dropConnections();
  sim.faults.refuseConnections(300); // the gateway stays away a little
  for (let i = 0; i < 100 && broker.connectionStatus().state === 'CONNECTED'; i++) await new Promise((r) => setTimeout(r, 10));
  expect(broker.connectionStatus().state).toBe('RECONNECTING');
  const placed = sim.exchange.openOrders(3).find((o) => o.orderRef === 'pos-f:entry')!;
  for (let i = 0; i < 400 && sim.exchange.order(3, placed.orderId)!.status !== 'Filled'; i++) sim.advanceTo(sim.clock.now() + 60_000);
  expect(sim.exchange.order(3, placed.orderId)!.status).toBe('Filled'); // filled at the exchange while the client was away
  for (let i = 0; i < 100 && resynced === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(resynced).toBe(1);
  expect(broker.connectionStatus()).toMatchObject({ state: 'CONNECTED', outageMs: 0 });
  expect(await broker.order('pos-f:entry')).toMatchObject({ status: 'Filled', filled: 30 });
  expect((await broker.executions()).filter((f) => f.orderRef === 'pos-f:entry').reduce((s, f) => s + f.quantity, 0)).toBe(30);
});

test('a duplicated execution report is counted once', async () => {
  sim.faults.duplicateNextExecution();
  await whileTimePasses(broker.placeOrder({ orderRef: 'pos-g:entry', symbol: 'CVX', action: 'BUY', quantity: 7, type: 'MKT' }));
  for (let i = 0; i < 5; i++) sim.advanceTo(sim.clock.now() + 60_000);
  await new Promise((r) => setTimeout(r, 100));
  const fills = (await broker.executions()).filter((f) => f.orderRef === 'pos-g:entry');
  expect(fills.reduce((s, f) => s + f.quantity, 0)).toBe(7);
});

test('concurrent placements reach IB with increasing ids (no 103), and a racing retry of the same orderRef sends one order', async () => {
  // Reservations that take uneven time, as Postgres writes do: ids must still reach the socket in order.
  const slow: OrderIdStore = { highestUsed: () => ids.highestUsed(), reserve: (id) => new Promise((r) => setTimeout(() => void ids.reserve(id).then(r), (id * 7) % 13)) };
  await broker.disconnect();
  broker = newBroker({ orderIds: slow });
  await broker.connect();
  const q = await broker.quote('XOM');
  const limit = Math.round(q.last * 0.5 * 100) / 100; // rests: never fills
  const placed = await Promise.all(Array.from({ length: 20 }, (_, i) => broker.placeOrder({ orderRef: `burst-${i}:entry`, symbol: 'XOM', action: 'BUY', quantity: 1, type: 'LMT', limitPrice: limit })));
  expect(placed.filter((o) => o.rejectReason)).toEqual([]);
  const twice = await Promise.all([0, 1].map(() => broker.placeOrder({ orderRef: 'race:entry', symbol: 'XOM', action: 'BUY', quantity: 1, type: 'LMT', limitPrice: limit })));
  expect(twice[0]!.brokerOrderId).toBe(twice[1]!.brokerOrderId);
  expect(sim.exchange.openOrders(3).filter((o) => o.orderRef === 'race:entry')).toHaveLength(1);
  await broker.cancelAllOrders();
});
