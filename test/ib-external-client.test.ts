// `trader sim` as its own process, used by a TWS API client that knows nothing of this project: the bare @stoqey/ib
// IBApi, as any script written against IB Gateway would use it. Needs the build (npm run build; npm test does it).
import { EventName, IBApi, OrderAction, OrderType, SecType, type Contract, type ContractDetails, type Execution } from '@stoqey/ib';
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { freePort } from './support/ports';

const root = path.join(__dirname, '..');
let child: ChildProcess;
let exited: Promise<number | null>;
let api: IBApi;
const errors: { code: number; id: number; message: string }[] = [];
const aapl: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

/** What `pick` keeps of each `event` until `isEnd` holds for an `end` event. */
function collect<T>(event: EventName, end: EventName, isEnd: (...args: never[]) => boolean, pick: (...args: never[]) => T | undefined): Promise<T[]> {
  const emitter = api as unknown as EventEmitter;
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${end}`)), 10_000);
    const onItem = (...args: unknown[]) => {
      const v = (pick as (...a: unknown[]) => T | undefined)(...args);
      if (v !== undefined) out.push(v);
    };
    const onEnd = (...args: unknown[]) => {
      if (!(isEnd as (...a: unknown[]) => boolean)(...args)) return;
      clearTimeout(timer);
      emitter.off(event, onItem);
      emitter.off(end, onEnd);
      resolve(out);
    };
    emitter.on(event, onItem);
    emitter.on(end, onEnd);
  });
}

const endOf = (reqId: number) => (id: number) => id === reqId;

beforeAll(async () => {
  const port = await freePort();
  child = spawn(process.execPath, ['bin/trader.js', 'sim', '--port', String(port), '--speed', '60', '--start-date', '2019-02-12', '--symbols', 'AAPL,XOM'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => /listening on/.test(String(d)) && resolve());
    void exited.then((code) => reject(new Error(`trader sim exited (${code}): ${stderr}`)));
  });
  api = new IBApi({ host: '127.0.0.1', port, clientId: 0 });
  api.on(EventName.error, (err: Error, code: number, id: number) => errors.push({ code, id, message: err.message }));
  const ready = new Promise((resolve) => api.once(EventName.nextValidId, resolve));
  api.connect();
  await ready;
}, 60_000);

afterAll(async () => {
  api?.disconnect();
  child?.kill('SIGTERM');
  expect(await exited).toBe(0); // Ctrl+C or SIGTERM stops it cleanly
});

afterEach(() => expect(errors.filter((e) => e.code === 505 || e.code === 507 || e.code === 508)).toEqual([]));

test('contract details: the listing exchange, the company name and the tick', async () => {
  const details = collect(EventName.contractDetails, EventName.contractDetailsEnd, endOf(1), (_id: number, d: ContractDetails) => d);
  api.reqContractDetails(1, aapl);
  const [d] = await details;
  expect(d).toMatchObject({ contract: { symbol: 'AAPL', secType: 'STK', primaryExch: 'NASDAQ', currency: 'USD' }, longName: 'Apple Inc.', minTick: 0.01 });
});

test('historical daily bars from the real data, up to the simulated today', async () => {
  const finished = (id: number, time: string) => id === 2 && time.startsWith('finished');
  const bars = collect(EventName.historicalData, EventName.historicalData, finished, (id: number, time: string, open: number, high: number, low: number, close: number) =>
    id === 2 && !time.startsWith('finished') ? { time, open, high, low, close } : undefined,
  );
  api.reqHistoricalData(2, aapl, '', '1 M', '1 day' as never, 'TRADES' as never, 1, 1, false);
  const got = await bars;
  expect(got.length).toBeGreaterThanOrEqual(19);
  expect(got.every((b) => b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close))).toBe(true);
  expect(got.at(-2)!.time).toBe('20190211');
  expect(got.at(-1)!.time).toBe('20190212'); // the session in progress
});

test('a market data snapshot: bid below ask, on the cent', async () => {
  const ticks = collect(EventName.tickPrice, EventName.tickSnapshotEnd, endOf(3), (id: number, type: number, price: number) => (id === 3 ? { type, price } : undefined));
  api.reqMktData(3, aapl, '', true, false);
  const byType = new Map((await ticks).map((t) => [t.type, t.price]));
  const [bid, ask, last] = [byType.get(1)!, byType.get(2)!, byType.get(4)!];
  expect(bid).toBeLessThan(ask);
  expect(last).toBeGreaterThanOrEqual(bid);
  expect(last).toBeLessThanOrEqual(ask);
  for (const p of [bid, ask, last]) expect(Math.abs(p * 100 - Math.round(p * 100))).toBeLessThan(1e-9);
});

test('a market order fills on the running clock, with its execution, commission and orderRef', async () => {
  const orderId = await new Promise<number>((resolve) => {
    api.once(EventName.nextValidId, resolve);
    api.reqIds();
  });
  const filled = new Promise<number>((resolve) => api.on(EventName.orderStatus, (id: number, status: string, f: number) => id === orderId && status === 'Filled' && resolve(f)));
  const execution = new Promise<Execution>((resolve) => api.on(EventName.execDetails, (_r: number, _c: Contract, e: Execution) => e.orderId === orderId && resolve(e)));
  const commission = new Promise<number>((resolve) => api.on(EventName.commissionReport, (r: { commission?: number }) => resolve(r.commission!)));
  api.placeOrder(orderId, aapl, { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10, orderRef: 'outside-1', transmit: true });
  expect(await filled).toBe(10);
  const e = await execution;
  expect(e).toMatchObject({ shares: 10, side: 'BOT', orderRef: 'outside-1', exchange: 'NASDAQ' });
  expect(await commission).toBeGreaterThanOrEqual(1);
});
