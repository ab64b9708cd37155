/**
 * The IB path end to end: gateway simulator (its own process, as trader sim runs) → TCP → @stoqey/ib → IbBroker.
 *
 * - quotes: the simulator's clock runs fast (600×, a step every millisecond) while the adapter streams every
 *   intraday symbol of 2019-02-12, STREAMS_PER_SYMBOL subscriptions each (more than the pipeline can carry, so the
 *   figure is its capacity); figure: price ticks (bid, ask, last) delivered to onQuote per second, and how far the
 *   delivered quotes' simulated time kept up with the 600× clock.
 * - orders: market orders of one share, one every ORDER_SPACING_MS on a clock running in real time; figures: place →
 *   acknowledged and place → Filled (as the adapter sees it), p50/p99. The spacing keeps within @stoqey/ib's own
 *   message rate limit (40 a second, sent 4 per 100 ms): back to back, orders queue behind it and the tail is that queue.
 * - reconnect: the simulator drops the connection; figure: drop → onResync (reconnected, open orders, executions and
 *   positions resynced, quotes requested again), with the adapter's defaults: the first attempt at once, then backoff.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { loadConfig } from '../config';
import type { OrderState } from '../broker/broker';
import { IbBroker, type IbBrokerOptions, type Resync } from '../broker/ib/ib-broker';
import { MemoryOrderIdStore } from '../broker/order-ids';
import { GatewaySimulator, type GatewaySimulatorOptions } from '../gateway-sim/server';
import { latency, since, type BenchContext, type BenchSuite } from './harness';

const INTRADAY = ['AAPL', 'AMT', 'AMZN', 'BAC', 'BK', 'DFS', 'GLD', 'JPM', 'MSFT', 'MU', 'QQQ', 'SBUX', 'SLV', 'SPY', 'TRV', 'TSLA', 'TZA', 'V', 'VOO', 'VXXB', 'XLP'];
const SIM_FLAG = '--ib-bench-simulator';
const STREAMS_PER_SYMBOL = 4;
const ORDER_SPACING_MS = 100;

/** A simulator in a child process; 'drop' over IPC drops its connections. */
async function simulatorProcess(o: Omit<GatewaySimulatorOptions, 'dataDir'>): Promise<{ port: number; child: ChildProcess; stop(): Promise<void> }> {
  const child = fork(__filename, [SIM_FLAG, JSON.stringify(o)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
  });
  return { port, child, stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) };
}

async function connected(port: number, o: Partial<IbBrokerOptions> = {}): Promise<IbBroker> {
  const broker = new IbBroker({ host: '127.0.0.1', port, clientId: 1, orderIds: new MemoryOrderIdStore(), ...o });
  await broker.connect();
  return broker;
}

async function quoteThroughput(ctx: BenchContext): Promise<Record<string, unknown>> {
  const seconds = ctx.quick ? 2 : 6;
  const sim = await simulatorProcess({ symbols: INTRADAY, startDate: '2019-02-12', speed: 600, tickIntervalMs: 1 });
  const broker = await connected(sim.port);
  let ticks = 0;
  let last = '';
  const stops = INTRADAY.flatMap((s) => Array.from({ length: STREAMS_PER_SYMBOL }, () => broker.subscribeQuotes(s, (q) => {
    ticks++;
    last = q.time;
  })));
  await new Promise((r) => setTimeout(r, 500)); // every stream running
  const [t0, n0, first] = [performance.now(), ticks, last];
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = since(t0) / 1000;
  const delivered = ticks - n0;
  stops.forEach((stop) => stop());
  await broker.disconnect();
  await sim.stop();
  ctx.log(`quotes: ${delivered} price ticks in ${elapsed.toFixed(1)} s over ${stops.length} streams`);
  return {
    symbols: INTRADAY.length,
    streams: stops.length,
    seconds: Math.round(elapsed * 10) / 10,
    priceTicksPerSecond: Math.round(delivered / elapsed),
    simulatedSecondsPerSecond: Math.round((Date.parse(last) - Date.parse(first)) / 1000 / elapsed),
  };
}

async function waitFilled(broker: IbBroker, orderRef: string): Promise<OrderState> {
  for (;;) {
    const o = await broker.order(orderRef);
    if (o?.status === 'Filled') return o;
    await yieldToIo();
  }
}

async function ordersAndReconnects(ctx: BenchContext): Promise<Record<string, unknown>> {
  const orders = ctx.quick ? 30 : 200;
  const drops = ctx.quick ? 3 : 8;
  const sim = await simulatorProcess({ symbols: ['AAPL'], startDate: '2019-02-12', speed: 1, tickIntervalMs: 1 });
  const resynced: Resync[] = [];
  const broker = await connected(sim.port, { onResync: (r) => resynced.push(r) });
  const acked: number[] = [];
  const filled: number[] = [];
  for (let i = 0; i < orders; i++) {
    const t0 = performance.now();
    const orderRef = `bench-${i}:entry`;
    await broker.placeOrder({ orderRef, symbol: 'AAPL', action: i % 2 ? 'SELL' : 'BUY', quantity: 1, type: 'MKT' });
    acked.push(since(t0));
    await waitFilled(broker, orderRef);
    filled.push(since(t0));
    await new Promise((r) => setTimeout(r, ORDER_SPACING_MS - since(t0)));
  }
  ctx.log(`orders: ${orders} market orders filled`);

  const q = await broker.quote('AAPL');
  for (let i = 0; i < 5; i++) await broker.placeOrder({ orderRef: `resting-${i}:entry`, symbol: 'AAPL', action: 'BUY', quantity: 1, type: 'LMT', limitPrice: Math.floor(q.bid * 90) / 100 });
  const outage: number[] = [];
  for (let i = 0; i < drops; i++) {
    const t0 = performance.now();
    sim.child.send('drop');
    while (resynced.length <= i) await new Promise((r) => setTimeout(r, 1));
    outage.push(since(t0));
    await new Promise((r) => setTimeout(r, 200));
  }
  ctx.log(`reconnect: ${drops} drops, each resynced ${resynced[0]?.openOrders.length} open orders`);
  await broker.disconnect();
  await sim.stop();
  return {
    orderRoundTripMs: { placeToAcknowledged: latency(acked), placeToFilled: latency(filled) },
    dropToResyncedMs: latency(outage),
  };
}

export const ibBench: BenchSuite = {
  name: 'ib',
  description: 'gateway simulator → @stoqey/ib → IB adapter: quote ticks per second, order round trip, drop to resynced',
  async run(ctx) {
    return { quotes: await quoteThroughput(ctx), ...(await ordersAndReconnects(ctx)) };
  },
};

if (require.main === module && process.argv[2] === SIM_FLAG) {
  const o = JSON.parse(process.argv[3]!) as Omit<GatewaySimulatorOptions, 'dataDir'>;
  void GatewaySimulator.start({ ...o, dataDir: loadConfig({ env: {} }).config.data.dir }).then((sim) => {
    process.on('message', (m) => m === 'drop' && sim.faults.dropConnections());
    process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
    process.send!({ port: sim.port });
  });
}
