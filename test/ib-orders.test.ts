// Every order type to a fill through the IB adapter (real @stoqey/ib client) against the gateway simulator on the
// real minute bars of 2019-02-12: a limit fills once the quote crosses it and not before, stops trigger then fill,
// a large order fills in parts with the right cumulative quantity and average price, cancels and the global cancel.
import { loadConfig } from '../config';
import type { Fill, OrderState } from '../broker/broker';
import { IbBroker } from '../broker/ib/ib-broker';
import { MemoryOrderIdStore } from '../broker/order-ids';
import { newPathBuffer } from '../gateway-sim/exchange/day-path';
import { onTick } from '../gateway-sim/exchange';
import { GatewaySimulator } from '../gateway-sim/server';

const MIN = 60_000;
const dataDir = loadConfig({ env: {} }).config.data.dir;
let sim: GatewaySimulator;
let broker: IbBroker;
const undecoded: string[] = [];

beforeAll(async () => {
  // At most 1,000 shares a minute per order, so that a large order fills in parts.
  sim = await GatewaySimulator.start({ dataDir, symbols: ['AAPL', 'JPM', 'MSFT'], startDate: '2019-02-12', speed: 0, historyFrom: '2019-01-01', exchange: { liquidity: { maxSharesPerMinute: 1000 } } });
  sim.advanceTo(sim.clock.now() + 30 * MIN); // 10:00
  broker = new IbBroker({ host: '127.0.0.1', port: sim.port, clientId: 5, orderIds: new MemoryOrderIdStore(), timeoutMs: 5000, onProtocolError: (code, m) => undecoded.push(`${code} ${m}`) });
  await broker.connect();
}, 30_000); // loading the daily file takes seconds on a busy machine

afterAll(async () => {
  await broker?.disconnect();
  await sim?.close();
});

afterEach(() => expect(undecoded).toEqual([]));

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Moves the simulated clock a minute at a time until the order has filled (as the adapter sees it). */
async function untilFilled(orderRef: string, maxMinutes = 300): Promise<OrderState> {
  for (let i = 0; i < maxMinutes; i++) {
    const o = await broker.order(orderRef);
    if (o?.status === 'Filled') return o;
    sim.advanceTo(sim.clock.now() + MIN);
    await tick();
  }
  throw new Error(`${orderRef} did not fill within ${maxMinutes} simulated minutes`);
}

/**
 * The first segment of the symbol's price path after `from` whose end reaches `level` (the path is linear between its
 * vertices, so the crossing lies in (start, end]); searched up to the close.
 */
function crossing(symbol: string, from: number, reached: (last: number) => boolean): { start: number; end: number } {
  const buf = newPathBuffer();
  const close = sim.prices.calendar.around(from).closeAt;
  for (let a = from; a < close; a += MIN) {
    sim.prices.path(symbol, a, Math.min(a + MIN, close), buf);
    for (let i = 1; i < buf.n; i++) if (reached(buf.p[i])) return { start: buf.t[i - 1], end: buf.t[i] };
  }
  throw new Error(`${symbol}: the level is not reached before the close`);
}

/** The extreme last price of the path over the next `minutes` (for choosing levels the day really reaches). */
function extreme(symbol: string, from: number, minutes: number, pick: (a: number, b: number) => number): number {
  const buf = newPathBuffer();
  let x = sim.prices.last(symbol, from)!;
  for (let a = from; a < from + minutes * MIN; a += MIN) {
    sim.prices.path(symbol, a, a + MIN, buf);
    for (let i = 0; i < buf.n; i++) x = pick(x, buf.p[i]);
  }
  return x;
}

async function fillsOf(orderRef: string): Promise<Fill[]> {
  return (await broker.executions()).filter((f) => f.orderRef === orderRef);
}

/** The execution happened inside the crossing segment (execution times are whole seconds). */
function expectFilledWithin(fill: Fill, c: { start: number; end: number }): void {
  const t = Date.parse(fill.time);
  expect(t).toBeGreaterThanOrEqual(Math.floor(c.start / 1000) * 1000);
  expect(t).toBeLessThanOrEqual(c.end);
}

const onCent = (x: number) => Math.abs(x * 100 - Math.round(x * 100)) < 1e-9;

test('a buy limit below the market rests until the ask comes down to it, then fills at or below the limit', async () => {
  const placedAt = sim.clock.now();
  const q = await broker.quote('AAPL');
  const spread = sim.prices.spread;
  const limit = spread.ask(extreme('AAPL', placedAt, 120, Math.min)); // the lowest ask of the next two hours
  expect(limit).toBeLessThan(q.ask); // not marketable when placed
  const placed = await broker.placeOrder({ orderRef: 'lmt-1:entry', symbol: 'AAPL', action: 'BUY', quantity: 100, type: 'LMT', limitPrice: limit });
  expect(placed).toMatchObject({ status: 'Submitted', filled: 0, type: 'LMT' });
  const done = await untilFilled('lmt-1:entry');
  const [fill] = await fillsOf('lmt-1:entry');
  expect(done).toMatchObject({ filled: 100, remaining: 0 });
  expect(fill.price).toBeLessThanOrEqual(limit);
  expect(onCent(fill.price)).toBe(true);
  expectFilledWithin(fill, crossing('AAPL', placedAt, (last) => spread.ask(last) <= limit));
});

test('a sell stop below the market triggers when the last trade reaches it, then fills at the bid', async () => {
  const placedAt = sim.clock.now();
  const last = sim.prices.last('JPM', placedAt)!;
  const low = extreme('JPM', placedAt, 120, Math.min);
  const stop = onTick((last + low) / 2, 'nearest');
  expect(stop).toBeLessThan(last);
  await broker.placeOrder({ orderRef: 'stp-1:exit', symbol: 'JPM', action: 'SELL', quantity: 100, type: 'STP', stopPrice: stop });
  await untilFilled('stp-1:exit');
  const [fill] = await fillsOf('stp-1:exit');
  const trigger = crossing('JPM', placedAt, (p) => p <= stop);
  expectFilledWithin(fill, trigger);
  expect(fill.price).toBeLessThan(stop); // a market order at the trigger: the bid, below the last that reached the stop
  expect(fill.price).toBe(sim.prices.spread.bid(sim.prices.last('JPM', Date.parse(fill.time))!));
});

test('a buy stop-limit triggers above the market, then fills as a limit no higher than its limit', async () => {
  const placedAt = sim.clock.now();
  const last = sim.prices.last('MSFT', placedAt)!;
  const high = extreme('MSFT', placedAt, 120, Math.max);
  const stop = onTick((last + high) / 2, 'nearest');
  const limit = onTick(stop + 0.05, 'nearest');
  expect(stop).toBeGreaterThan(last);
  await broker.placeOrder({ orderRef: 'stplmt-1:entry', symbol: 'MSFT', action: 'BUY', quantity: 100, type: 'STP LMT', stopPrice: stop, limitPrice: limit });
  expect((await broker.order('stplmt-1:entry'))!.status).toBe('Submitted');
  await untilFilled('stplmt-1:entry');
  const [fill] = await fillsOf('stplmt-1:entry');
  expectFilledWithin(fill, crossing('MSFT', placedAt, (p) => p >= stop));
  expect(fill.price).toBeLessThanOrEqual(limit);
  expect(onCent(fill.price)).toBe(true);
});

test('a large market order fills in parts: cumulative quantity and average price add up at every step', async () => {
  const placed = await broker.placeOrder({ orderRef: 'big-1:entry', symbol: 'AAPL', action: 'BUY', quantity: 3500, type: 'MKT' });
  expect(placed.filled).toBe(0);
  sim.advanceTo(sim.clock.now() + MIN);
  for (let i = 0; i < 100 && (await broker.order('big-1:entry'))!.filled === 0; i++) await tick();
  expect(await broker.order('big-1:entry')).toMatchObject({ status: 'Submitted', filled: 1000, remaining: 2500 }); // a partial fill
  const done = await untilFilled('big-1:entry');
  const fills = (await fillsOf('big-1:entry')).sort((a, b) => a.cumQty - b.cumQty);
  expect(fills.map((f) => f.quantity)).toEqual([1000, 1000, 1000, 500]);
  let cum = 0;
  let notional = 0;
  for (const f of fills) {
    cum += f.quantity;
    notional += f.quantity * f.price;
    expect(f.cumQty).toBe(cum);
    expect(f.avgPrice).toBeCloseTo(notional / cum, 9);
  }
  expect(done).toMatchObject({ status: 'Filled', filled: 3500, remaining: 0 });
  expect(done.avgFillPrice).toBeCloseTo(notional / 3500, 9);
  expect(new Set(fills.map((f) => f.time)).size).toBe(4); // four minutes, four executions
});

test('a resting order is cancelled; cancelAllOrders (reqGlobalCancel) cancels every other one', async () => {
  const q = await broker.quote('JPM');
  const away = { symbol: 'JPM', quantity: 10, type: 'LMT' as const };
  await broker.placeOrder({ ...away, orderRef: 'rest-1:entry', action: 'BUY', limitPrice: onTick(q.bid * 0.9, 'down') });
  await broker.placeOrder({ ...away, orderRef: 'rest-2:entry', action: 'BUY', limitPrice: onTick(q.bid * 0.9, 'down') });
  await broker.placeOrder({ ...away, orderRef: 'rest-3:exit', action: 'SELL', limitPrice: onTick(q.ask * 1.1, 'up') });
  expect((await broker.openOrders()).map((o) => o.orderRef).sort()).toEqual(['rest-1:entry', 'rest-2:entry', 'rest-3:exit']);

  await broker.cancelOrder('rest-1:entry');
  expect(await broker.order('rest-1:entry')).toMatchObject({ status: 'Cancelled', filled: 0 });
  expect(sim.exchange.openOrders(5).map((o) => o.orderRef).sort()).toEqual(['rest-2:entry', 'rest-3:exit']);

  await broker.cancelAllOrders();
  expect((await broker.order('rest-2:entry'))!.status).toBe('Cancelled');
  expect((await broker.order('rest-3:exit'))!.status).toBe('Cancelled');
  expect(sim.exchange.openOrders()).toEqual([]);
  expect(await broker.openOrders()).toEqual([]);
});
