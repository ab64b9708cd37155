// Every fault the gateway simulator injects, survived by the IB adapter on the real @stoqey/ib client: refused
// connections, a dropped socket, a half-open one, IB's 1100/1101/1102, delayed acknowledgements, pacing violations
// and a client id in use; connectionStatus() tells the watchdog the truth all along.
import { EventName, IBApi } from '@stoqey/ib';
import { loadConfig } from '../config';
import { BrokerRequestError, BrokerUnavailableError, type Quote } from '../broker/broker';
import { IbBroker, type IbBrokerOptions, type Resync } from '../broker/ib/ib-broker';
import { MemoryOrderIdStore } from '../broker/order-ids';
import { onTick } from '../gateway-sim/exchange';
import { GatewaySimulator } from '../gateway-sim/server';

const MIN = 60_000;
const dataDir = loadConfig({ env: {} }).config.data.dir;
let sim: GatewaySimulator;
const brokers: IbBroker[] = [];
const undecoded: string[] = [];

beforeAll(async () => {
  sim = await GatewaySimulator.start({ dataDir, symbols: ['AAPL', 'JPM'], startDate: '2019-02-12', speed: 0, historyFrom: '2018-06-01' });
  sim.advanceTo(sim.clock.now() + 30 * MIN);
}, 30_000); // loading the daily file takes seconds on a busy machine

afterEach(async () => {
  sim.faults.delayMessages(0);
  sim.faults.delayOrderAcks(0);
  await Promise.all(brokers.splice(0).map((b) => b.disconnect()));
  expect(undecoded).toEqual([]);
});

afterAll(async () => {
  await sim?.close();
});

/** An adapter with fast backoff and heartbeat; its resyncs and log lines are recorded. */
function adapter(clientId: number, o: Partial<IbBrokerOptions> = {}) {
  const resyncs: Resync[] = [];
  const log: string[] = [];
  const broker = new IbBroker({
    host: '127.0.0.1', port: sim.port, clientId, orderIds: new MemoryOrderIdStore(), timeoutMs: 3000, connectTimeoutMs: 5000,
    reconnectMinMs: 50, reconnectMaxMs: 400, heartbeatIntervalMs: 250, heartbeatTimeoutMs: 250,
    onResync: (r) => resyncs.push(r), onProtocolError: (code, m) => undecoded.push(`${code} ${m}`), log: (l) => log.push(l), ...o,
  });
  brokers.push(broker);
  return { broker, resyncs, log };
}

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Subscribes to a symbol's quotes; resolves with the list they arrive in once the first is there. */
async function quoteStream(broker: IbBroker, symbol: string): Promise<Quote[]> {
  const quotes: Quote[] = [];
  broker.subscribeQuotes(symbol, (q) => quotes.push(q));
  await waitFor(() => quotes.length > 0, `the first ${symbol} quote`);
  return quotes;
}

/** A connected adapter streaming `symbol`, once IB's 1100 (its link to its servers lost) has reached it. */
async function afterLinkLost(clientId: number, symbol: string) {
  const a = adapter(clientId);
  await a.broker.connect();
  const quotes = await quoteStream(a.broker, symbol);
  sim.faults.connectivity(1100);
  await waitFor(() => a.broker.connectionStatus().state === 'RECONNECTING', '1100');
  return { ...a, quotes };
}

/** Advances the simulated clock by a minute; the quote streams send what changed. */
async function minutePasses(): Promise<void> {
  sim.advanceTo(sim.clock.now() + MIN);
  await new Promise((r) => setTimeout(r, 30));
}

test('refused connections: connect() backs off, then succeeds; the outage is reported while it tries', async () => {
  const { broker, log } = adapter(11);
  expect(broker.connectionStatus()).toEqual({ state: 'DISCONNECTED', outageMs: 0 });
  sim.faults.refuseConnections(600);
  const started = Date.now();
  const connecting = broker.connect();
  await new Promise((r) => setTimeout(r, 150));
  const during = broker.connectionStatus();
  expect(during.state).toBe('CONNECTING');
  expect(during.outageMs).toBeGreaterThanOrEqual(100);
  expect(Date.parse(during.downSince!)).toBeGreaterThanOrEqual(started);
  await connecting;
  expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  expect(broker.connectionStatus()).toEqual({ state: 'CONNECTED', outageMs: 0 });
  const delays = log.map((l) => /next in (\d+) ms/.exec(l)?.[1]).filter(Boolean).map(Number);
  expect(delays.length).toBeGreaterThanOrEqual(2);
  expect(delays).toEqual([...delays].sort((a, b) => a - b)); // exponential backoff
  expect(delays[1]).toBe(2 * delays[0]);
});

test('a dropped connection: RECONNECTING, then reconnected and resynced; the quote stream resumes', async () => {
  const { broker, resyncs } = adapter(12);
  await broker.connect();
  const q = await broker.quote('JPM');
  await broker.placeOrder({ orderRef: 'drop-1:entry', symbol: 'JPM', action: 'BUY', quantity: 10, type: 'LMT', limitPrice: onTick(q.bid * 0.9, 'down') });
  const quotes = await quoteStream(broker, 'AAPL');

  sim.faults.dropConnections();
  sim.faults.refuseConnections(300); // the gateway stays away a little: long enough to see the outage
  await waitFor(() => broker.connectionStatus().state !== 'CONNECTED', 'the loss to be noticed');
  expect(broker.connectionStatus()).toMatchObject({ state: 'RECONNECTING', reason: 'socket closed' });
  await expect(broker.positions()).rejects.toThrow(BrokerUnavailableError); // nothing is sent while away
  await waitFor(() => resyncs.length === 1, 'the resync');
  expect(broker.connectionStatus()).toMatchObject({ state: 'CONNECTED', outageMs: 0 });
  expect(resyncs[0]).toMatchObject({ after: 'reconnect', recoveredFills: [] });
  expect(resyncs[0].openOrders.map((o) => o.orderRef)).toEqual(['drop-1:entry']);
  expect(resyncs[0].outageMs).toBeGreaterThan(0);

  const before = quotes.length;
  await minutePasses();
  await waitFor(() => quotes.length > before, 'quotes after the reconnect');
  expect(quotes.at(-1)!.time).toBe(new Date(Math.floor(sim.clock.now() / 1000) * 1000).toISOString()); // stamped on the simulated clock
});

test('a half-open socket (the gateway stops answering, the socket stays open) is caught by the heartbeat and replaced', async () => {
  const { broker, resyncs } = adapter(13);
  await broker.connect();
  sim.faults.halfOpen();
  sim.faults.refuseConnections(1000); // detection takes up to two heartbeats: the outage stays visible after it
  await waitFor(() => broker.connectionStatus().state === 'RECONNECTING', 'the unanswered heartbeat', 3000);
  expect(broker.connectionStatus().reason).toMatch(/no answer to the heartbeat within 250 ms/);
  await waitFor(() => resyncs.length === 1, 'the reconnect on a new socket');
  expect(broker.connectionStatus().state).toBe('CONNECTED');
  expect(await broker.positions()).toEqual([]); // the new session answers
});

test('1100 then 1101 (data lost): orders refused during the outage, then state resynced and quotes requested again', async () => {
  const { broker, resyncs, quotes } = await afterLinkLost(14, 'JPM');
  await new Promise((r) => setTimeout(r, 60));
  expect(broker.connectionStatus()).toMatchObject({ state: 'RECONNECTING', reason: 'IB lost its connection to its servers (1100)' });
  expect(broker.connectionStatus().outageMs).toBeGreaterThanOrEqual(50);
  await expect(broker.placeOrder({ orderRef: 'link-1:entry', symbol: 'JPM', action: 'BUY', quantity: 1, type: 'MKT' })).rejects.toThrow(BrokerUnavailableError);
  let before = quotes.length;
  await minutePasses();
  expect(quotes.length).toBe(before); // no market data while IB's link is down

  sim.faults.connectivity(1101); // the gateway drops every subscription: only a new request brings quotes back
  await waitFor(() => resyncs.length === 1, 'the resync after 1101');
  expect(resyncs[0].after).toBe('data lost');
  expect(broker.connectionStatus()).toMatchObject({ state: 'CONNECTED', outageMs: 0 });
  before = quotes.length;
  await minutePasses();
  await waitFor(() => quotes.length > before, 'quotes after 1101');
  expect(sim.exchange.openOrders(14)).toEqual([]); // the order refused during the outage never reached the exchange
});

test('1100 then 1102 (data kept): back to CONNECTED without a resync, the same quote stream goes on', async () => {
  const { broker, resyncs, quotes } = await afterLinkLost(15, 'AAPL');
  sim.faults.connectivity(1102);
  await waitFor(() => broker.connectionStatus().state === 'CONNECTED', '1102');
  const before = quotes.length;
  await minutePasses();
  await waitFor(() => quotes.length > before, 'quotes after 1102');
  await new Promise((r) => setTimeout(r, 50));
  expect(quotes.length - before).toBe(3); // bid, ask and last of one update: one subscription, not two
  expect(resyncs).toEqual([]);
});

test('delayed acknowledgements: a placement still resolves; a retry after a timeout waits for the same order, never sends a second', async () => {
  const { broker } = adapter(16, { timeoutMs: 600, heartbeatTimeoutMs: 2000 });
  await broker.connect();
  const q = await broker.quote('JPM');
  const order = { symbol: 'JPM', action: 'BUY' as const, quantity: 5, type: 'LMT' as const, limitPrice: onTick(q.bid * 0.9, 'down') };

  sim.faults.delayMessages(250); // a slow link: every answer late, the acknowledgement too
  expect(await broker.placeOrder({ ...order, orderRef: 'slow-1:entry' })).toMatchObject({ status: 'Submitted' });
  sim.faults.delayMessages(0);

  sim.faults.delayOrderAcks(900); // a gateway slow to accept orders: longer than the adapter waits
  await expect(broker.placeOrder({ ...order, orderRef: 'slow-2:entry' })).rejects.toThrow(/no acknowledgement of slow-2:entry from IB within 600 ms/);
  const retried = await broker.placeOrder({ ...order, orderRef: 'slow-2:entry' }); // the activity's retry
  expect(retried.status).toBe('Submitted');
  const atExchange = sim.exchange.openOrders(16).filter((o) => o.orderRef === 'slow-2:entry');
  expect(atExchange.map((o) => o.orderId)).toEqual([retried.brokerOrderId]);
});

test('a pacing violation (162) on historical data: retried within the pacing rules, and the bars arrive', async () => {
  const { broker, log } = adapter(17, { pacing: { identicalWithinMs: 700, pauseAfterViolationMs: 700 } });
  await broker.connect();
  sim.faults.pacingViolationNext();
  const started = Date.now();
  const bars = await broker.historicalBars({ symbol: 'AAPL', duration: '1 M', barSize: '1 day' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(700); // the identical request waited its 15 s (here 700 ms)
  expect(bars.length).toBeGreaterThanOrEqual(19);
  expect(bars.at(-2)!.date).toBe('2019-02-11');
  expect(bars.at(-1)!.date).toBe('2019-02-12'); // the session in progress, as IB includes it
  expect(log.filter((l) => /pacing violation/.test(l))).toHaveLength(1);
  // Errors that retrying cannot fix fail at once, with IB's code.
  await expect(broker.historicalBars({ symbol: 'NOPE', duration: '1 M', barSize: '1 day' })).rejects.toMatchObject({ name: BrokerRequestError.name, code: 200 });
});

test('client id in use (326): connect() fails with a clear reason and keeps trying; once the id is free, it connects', async () => {
  const holder = new IBApi({ host: '127.0.0.1', port: sim.port, clientId: 18 });
  const held = new Promise((r) => holder.once(EventName.nextValidId, r));
  holder.connect();
  await held;
  try {
    const { broker } = adapter(18, { connectTimeoutMs: 500 });
    await expect(broker.connect()).rejects.toThrow(/client id 18 is already in use at 127\.0\.0\.1:\d+ \(IB 326\).*set another broker\.clientId/);
    expect(broker.connectionStatus()).toMatchObject({ state: 'CONNECTING', lastFailure: expect.stringMatching(/IB 326/) }); // the watchdog sees the outage
    expect(broker.connectionStatus().outageMs).toBeGreaterThanOrEqual(500);
    holder.disconnect();
    await waitFor(() => broker.connectionStatus().state === 'CONNECTED', 'the next attempt');
    await broker.connect(); // resolves at once
  } finally {
    holder.disconnect();
  }
});

test('disconnect(): DISCONNECTED with no outage, nothing is sent; connect() again works', async () => {
  const { broker } = adapter(19);
  await broker.connect();
  await broker.disconnect();
  expect(broker.connectionStatus()).toEqual({ state: 'DISCONNECTED', outageMs: 0 });
  await expect(broker.placeOrder({ orderRef: 'off-1:entry', symbol: 'JPM', action: 'BUY', quantity: 1, type: 'MKT' })).rejects.toThrow(BrokerUnavailableError);
  await new Promise((r) => setTimeout(r, 100));
  expect(sim.connectedClients()).not.toContain(19); // and it does not come back on its own
  await broker.connect(); // the same adapter connects again
  expect(broker.connectionStatus().state).toBe('CONNECTED');
  expect(sim.connectedClients().filter((id) => id === 19)).toHaveLength(1);
});
