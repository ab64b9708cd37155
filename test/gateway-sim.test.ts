// The gateway simulator end to end: the real @stoqey/ib client over TCP, real market data, a manual clock.
import { EventName, IBApi, OrderAction, OrderType, SecType, type Contract, type Order } from '@stoqey/ib';
import type { EventEmitter } from 'node:events';
import { loadConfig } from '../config';
import { GatewaySimulator } from '../gateway-sim/server';

const dataDir = loadConfig({ env: {} }).config.data.dir;
let sim: GatewaySimulator;
let api: IBApi;
const errors: { code: number; id: number; message: string }[] = [];
let nextId = 0;

const stock = (symbol: string): Contract => ({ symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' });

/** Resolves with the first event payload that satisfies `match`, or fails after a timeout. */
function waitFor<T extends unknown[]>(event: EventName, match: (...args: T) => boolean, timeoutMs = 5000): Promise<T> {
  const emitter = api as unknown as EventEmitter; // IBApi's typed overloads do not accept a generic event name
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (emitter.off(event, listener), reject(new Error(`no ${event} within ${timeoutMs} ms`))), timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!match(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    };
    emitter.on(event, listener);
  });
}

beforeAll(async () => {
  sim = await GatewaySimulator.start({ dataDir, symbols: ['AAPL', 'XOM'], startDate: '2019-02-12', speed: 0, historyFrom: '2018-01-01' });
  api = new IBApi({ host: '127.0.0.1', port: sim.port, clientId: 1 });
  api.on(EventName.error, (err: Error, code: number, id: number) => errors.push({ code, id, message: err.message }));
  const ready = waitFor<[number]>(EventName.nextValidId, () => true);
  api.connect();
  [nextId] = await ready;
});

afterAll(async () => {
  api?.disconnect();
  await sim?.close();
});

afterEach(() => {
  // The client's decoder must never fail on anything the simulator sends.
  expect(errors.filter((e) => e.code === 505 || /Underrun|unprocessed|No parser/.test(e.message))).toEqual([]);
});

test('connects like IB Gateway: account, next valid id, clock at the open of the start date', async () => {
  expect(nextId).toBe(1);
  const [time] = await (async () => {
    const p = waitFor<[number]>(EventName.currentTime, () => true);
    api.reqCurrentTime();
    return p;
  })();
  expect(new Date(time * 1000).toISOString()).toBe('2019-02-12T14:30:00.000Z');
});

test('contract details and daily bars from the real data, none after the simulated now', async () => {
  const details = waitFor<[number, { contract: Contract; longName?: string; industry?: string }]>(EventName.contractDetails, (id) => id === 11);
  api.reqContractDetails(11, stock('XOM'));
  expect((await details)[1]).toMatchObject({ contract: { symbol: 'XOM', secType: 'STK', currency: 'USD', primaryExch: 'NYSE' }, longName: 'Exxon Mobil Corp.', industry: 'Energy' });
  const nasdaq = waitFor<[number, { contract: Contract }]>(EventName.contractDetails, (id) => id === 13);
  api.reqContractDetails(13, stock('AAPL'));
  expect((await nasdaq)[1].contract).toMatchObject({ symbol: 'AAPL', primaryExch: 'NASDAQ' });

  const bars: { time: string; close: number }[] = [];
  const done = new Promise<void>((resolve) =>
    api.on(EventName.historicalData, (reqId: number, time: string, _o: number, _h: number, _l: number, close: number) => {
      if (reqId !== 12) return;
      if (time.startsWith('finished')) resolve();
      else bars.push({ time, close });
    }),
  );
  api.reqHistoricalData(12, stock('XOM'), '', '1 M', '1 day' as never, 'TRADES' as never, 1, 1, false);
  await done;
  expect(bars.length).toBeGreaterThanOrEqual(19);
  expect(bars.every((b) => b.time < '20190212')).toBe(true); // at the open, today's bar has not begun
  expect(bars[bars.length - 1].time).toBe('20190211');
});

test('a market order fills at the next quote, with execution, commission and the orderRef echoed', async () => {
  const id = nextId++;
  const filled = waitFor<[number, string]>(EventName.orderStatus, (oid, status) => oid === id && status === 'Filled');
  const exec = waitFor<[number, Contract, { orderRef?: string; shares?: number; price?: number; execId?: string }]>(EventName.execDetails, (_r, _c, e) => e.orderRef === 'pos-1:entry');
  const order: Order = { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 100, orderRef: 'pos-1:entry', transmit: true };
  api.placeOrder(id, stock('AAPL'), order);
  await new Promise((r) => setTimeout(r, 100));
  sim.advanceTo(sim.clock.now() + 60_000);
  await filled;
  const [, , e] = await exec;
  expect(e.shares).toBe(100);
  const q = sim.prices.quote('AAPL', sim.clock.now())!;
  expect(e.price).toBeGreaterThan(q.last * 0.99);
  expect(e.price).toBeLessThan(q.last * 1.01);
});

test('a limit order far from the market stays working until cancelled (202)', async () => {
  const id = nextId++;
  const submitted = waitFor<[number, string]>(EventName.orderStatus, (oid, status) => oid === id && status === 'Submitted');
  api.placeOrder(id, stock('XOM'), { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 1, totalQuantity: 10, orderRef: 'pos-2:entry', transmit: true });
  await new Promise((r) => setTimeout(r, 100));
  sim.advanceTo(sim.clock.now() + 60_000);
  await submitted;
  const cancelled = waitFor<[number, string]>(EventName.orderStatus, (oid, status) => oid === id && status === 'Cancelled');
  api.cancelOrder(id);
  await cancelled;
  expect(errors).toContainEqual(expect.objectContaining({ id, code: 202 }));
});

test('a second connection with the same client id is refused with 326', async () => {
  const other = new IBApi({ host: '127.0.0.1', port: sim.port, clientId: 1 });
  const refused = new Promise<number>((resolve) => other.on(EventName.info, (_msg: string, code: number) => code === 326 && resolve(code)));
  other.connect();
  expect(await refused).toBe(326);
  other.disconnect();
});
