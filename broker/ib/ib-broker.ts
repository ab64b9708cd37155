/**
 * The Broker port on Interactive Brokers through @stoqey/ib's event API (IBApi), against IB Gateway/TWS or the
 * gateway simulator. IBApi rather than IBApiNext: the latter has no live order stream for client ids other than 0
 * and routes errors by number (see ../shared/research/ib.md §4).
 *
 * Safety rules: one fixed client id (orders belong to it); nothing is sent unless the session is ready (nextValidId
 * received and a heartbeat answered), because IBApi queues requests made while disconnected and replays them later;
 * order ids come from max(nextValidId, highest ever used + 1) and are recorded before they are sent; every order
 * carries its orderRef, and a placement first looks for that ref among open orders and today's executions, so a retry
 * adopts the order instead of placing a second one.
 *
 * Connection: a lost socket, a heartbeat (reqCurrentTime) left unanswered (a half-open socket) or IB's 1100 makes the
 * state RECONNECTING; the adapter reconnects on the same client id with exponential backoff (a 326 "client id in use"
 * is one more failed attempt), then resyncs open orders, the executions missed while away and positions, requests
 * the quote streams again, and only then reports CONNECTED. After 1101 (IB's link back, data lost) it resyncs on the
 * same socket; after 1102 (data kept) it simply resumes.
 */
import { EventName, IBApi, OrderType as IbOrderType, type CommissionReport, type Contract, type ContractDetails, type Execution, type Order } from '@stoqey/ib';
import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bar } from '../../trading/indicators';
import {
  BrokerRequestError, BrokerUnavailableError, OrderRejectedError, TERMINAL_STATUSES,
  type AccountSummary, type BarRequest, type Broker, type BracketRequest, type BrokerPosition, type ConnectionState, type ConnectionStatus,
  type ContractInfo, type Fill, type LiveMarketData, type OrderEvents, type OrderRequest, type OrderState, type OrderStatus, type Quote,
} from '../broker';
import type { OrderIdStore } from '../order-ids';
import { listen, nextEvent, waitUntil, type WaitOptions } from './events';
import { HistoricalPacing, type PacingRules } from './pacing';
import { QuoteTicks } from './quote-ticks';
import { barDate, barEnd, executionFilterTime, ibTimeToIso, isSmallBar, stock } from './wire';

export interface IbBrokerOptions {
  host: string;
  port: number;
  clientId: number;
  /** Empty: the first managed account. */
  account?: string;
  orderIds: OrderIdStore;
  /** How long a request may wait for its answer. Default 10 s. */
  timeoutMs?: number;
  /** How long connect() keeps trying before it fails (broker.connectTimeoutMs). Default 10 s. */
  connectTimeoutMs?: number;
  /** Reconnect backoff: the first retry after reconnectMinMs, doubled up to reconnectMaxMs. Defaults 1 s and 30 s. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** A reqCurrentTime every heartbeatIntervalMs; no answer within heartbeatTimeoutMs means the link is dead. Defaults 10 s, 5 s. */
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** IB's historical data pacing (pacing.ts IB_PACING), and how often a request refused for pacing (162) is retried. */
  pacing?: Partial<PacingRules>;
  pacingRetries?: number;
  /** Called once state is reconciled after an outage. */
  onResync?: (resync: Resync) => void;
  /** A message @stoqey/ib could not decode (505/507/508). Never expected: it means the two sides disagree on the protocol. */
  onProtocolError?: (code: number, message: string) => void;
  log?: (line: string) => void;
}

export interface Resync {
  /** A new socket after a lost one, or IB's 1101 on the same socket. */
  after: 'reconnect' | 'data lost';
  outageMs: number;
  openOrders: OrderState[];
  /** Executions first seen by the resync: fills that happened while away. */
  recoveredFills: Fill[];
  positions: BrokerPosition[];
}

/** One socket to the gateway; ended (its signal aborted) when torn down, which fails every wait made on it. */
interface Session {
  api: IBApi;
  ended: AbortController;
  heartbeat?: NodeJS.Timeout;
  /**
   * Open orders and today's executions fetched once on this session: from then on IB pushes every change of this
   * client id's orders on it, so memory is complete and a placement needs no lookup round trip.
   */
  known?: Promise<void>;
}

interface QuoteStream {
  symbol: string;
  onQuote: (q: Quote) => void;
  ticks: QuoteTicks;
  /** The reqId of its current market data request; a new one each time it is requested again. */
  reqId?: number;
}

/** @stoqey/ib's codes for messages it could not decode. */
const DECODE_ERRORS = new Set([505, 507, 508]);
/** Errors under an order id that mean the order is not working. */
const ORDER_REJECTIONS = new Set([103, 200, 201, 321]);

export class IbBroker implements Broker, LiveMarketData, OrderEvents {
  private session?: Session;
  private state: ConnectionState = 'DISCONNECTED';
  private downSince?: number;
  private reason?: string;
  /** Why the last connection attempt failed, as IB or the socket said (326, ECONNREFUSED). */
  private failure?: string;
  private lastFailure?: string;
  /** Between IB's 1100 and 1101/1102: the socket is fine but IB cannot reach its servers. */
  private ibLinkDown = false;
  /** False once disconnect() was called: only then is a lost connection left alone. */
  private wanted = false;
  /** The connect or reconnect loop running, if any (its stop signal); it handles its own failures. */
  private establishing?: AbortSignal;
  private stopped = new AbortController();
  /** Waiting connect() calls, released when the state turns CONNECTED. */
  private readonly connected = new Set<() => void>();
  private nextOrderId = 0;
  // Far above order ids: IB reports errors of both through the same id field. Below 2^31: IB reads it as a Java int.
  private nextReqId = 1 << 30;
  private account = '';
  private readonly orders = new Map<string, OrderState>(); // by orderRef
  private readonly refById = new Map<number, string>();
  private readonly fills = new Map<string, Fill>(); // by execId: a duplicate report is dropped
  private readonly streams = new Map<number, QuoteStream>(); // by current reqId
  private readonly idle = new Set<QuoteStream>(); // subscribed while not connected: requested at the next session
  private lastFillTime?: string;
  private readonly orderListeners = new Set<(orderRef: string) => void>();
  private summaryInFlight?: Promise<AccountSummary>;
  private readonly pacing: HistoricalPacing;
  private readonly t: Required<Pick<IbBrokerOptions, 'timeoutMs' | 'connectTimeoutMs' | 'reconnectMinMs' | 'reconnectMaxMs' | 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'pacingRetries'>>;

  constructor(private readonly o: IbBrokerOptions) {
    this.t = {
      timeoutMs: o.timeoutMs ?? 10_000,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      reconnectMinMs: o.reconnectMinMs ?? 1_000,
      reconnectMaxMs: o.reconnectMaxMs ?? 30_000,
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? 10_000,
      heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 5_000,
      pacingRetries: o.pacingRetries ?? 3,
    };
    this.pacing = new HistoricalPacing(o.pacing);
  }

  // ---- connection ------------------------------------------------------------------------------

  /**
   * Starts connecting (with backoff, until disconnect()) and waits up to connectTimeoutMs for the connection. On time
   * out it fails with the last reason (e.g. client id in use) but keeps trying in the background: the outage shows in
   * connectionStatus() as CONNECTING, and a later connect() waits again.
   */
  async connect(): Promise<void> {
    if (!this.wanted) {
      this.wanted = true;
      this.stopped = new AbortController();
      this.down('CONNECTING', 'not connected yet');
      void this.establish().catch(() => undefined); // only disconnect() ends it
    }
    await this.untilConnected();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    this.stopped.abort();
    this.teardown();
    this.state = 'DISCONNECTED';
    this.downSince = this.reason = this.lastFailure = undefined;
    this.ibLinkDown = false;
  }

  connectionStatus(): ConnectionStatus {
    if (this.downSince === undefined) return { state: this.state, outageMs: 0 };
    return { state: this.state, downSince: new Date(this.downSince).toISOString(), outageMs: Date.now() - this.downSince, reason: this.reason, lastFailure: this.lastFailure };
  }

  private where(): string {
    return `${this.o.host}:${this.o.port} (client id ${this.o.clientId})`;
  }

  private down(state: ConnectionState, reason: string): void {
    this.state = state;
    this.reason = reason;
    this.downSince ??= Date.now();
  }

  private up(): void {
    if (this.ibLinkDown || !this.session) return; // IB's link is still down (1101/1102 will say when), or disconnect() came first
    this.state = 'CONNECTED';
    this.downSince = this.reason = this.lastFailure = undefined;
    this.connected.forEach((resolve) => resolve());
    this.connected.clear();
  }

  /** Opens sessions until one is ready (and, after an outage, resynced), backing off between attempts, until disconnect(). */
  private async establish(): Promise<void> {
    const outage = this.state === 'RECONNECTING';
    const stopped = this.stopped.signal; // this loop's: a connect() right after disconnect() starts another
    this.establishing = stopped;
    let delay = this.t.reconnectMinMs;
    try {
      for (;;) {
        this.failure = undefined;
        try {
          await this.open();
          const resync = outage ? await this.resync('reconnect') : undefined;
          this.requestQuotes();
          this.up();
          if (resync) this.resynced(resync);
          // A first session learns at once what the broker holds for this client id (orders placed before a restart,
          // fills while nobody listened): order events then tell their positions.
          else void this.known().catch(() => undefined);
          return;
        } catch (e) {
          const why = this.failure ?? (e as Error).message;
          if (stopped.aborted) throw new BrokerUnavailableError(why); // disconnect() tore the session down already
          this.teardown();
          this.lastFailure = why;
          this.o.log?.(`IB connection attempt failed (${why}); next in ${delay} ms`);
          await sleep(delay, undefined, { signal: stopped });
          delay = Math.min(delay * 2, this.t.reconnectMaxMs);
        }
      }
    } finally {
      if (this.establishing === stopped) this.establishing = undefined;
    }
  }

  /** One session: a fresh IBApi on the same client id, ready once nextValidId and the accounts arrived and a heartbeat was answered. */
  private async open(): Promise<void> {
    this.teardown();
    const api = new IBApi({ host: this.o.host, port: this.o.port, clientId: this.o.clientId });
    const session: Session = { api, ended: new AbortController() };
    this.session = session;
    this.subscribe(session);
    const accounts = this.next<[string]>(EventName.managedAccounts, 'managed accounts');
    const nextValid = this.next<[number]>(EventName.nextValidId, 'next valid id');
    api.connect(this.o.clientId);
    const [[id], [list]] = await Promise.all([nextValid, accounts]);
    this.account = this.o.account || list.split(',')[0];
    this.nextOrderId = Math.max(id, this.nextOrderId, (await this.o.orderIds.highestUsed()) + 1);
    await this.heartbeat(session);
    session.heartbeat = setInterval(() => void this.heartbeat(session).catch(() => this.session === session && this.lost(`no answer to the heartbeat within ${this.t.heartbeatTimeoutMs} ms`)), this.t.heartbeatIntervalMs);
  }

  private heartbeat(session: Session): Promise<unknown> {
    const o = { timeoutMs: this.t.heartbeatTimeoutMs, signal: session.ended.signal, what: 'heartbeat' };
    const answered = nextEvent(session.api as unknown as EventEmitter, EventName.currentTime, o);
    session.api.reqCurrentTime();
    return answered;
  }

  /** Ends the current session: its waits fail at once, its socket is closed. */
  private teardown(): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    clearInterval(s.heartbeat);
    s.ended.abort();
    s.api.removeAllListeners();
    s.api.on(EventName.error, () => undefined); // a late socket error on a dropped session must not throw
    s.api.disconnect();
    this.parkQuotes();
  }

  /** Sets the quote streams aside (cancelled on `api` if given), to be requested again by requestQuotes. */
  private parkQuotes(api?: IBApi): void {
    for (const [reqId, stream] of this.streams) {
      api?.cancelMktData(reqId);
      this.idle.add(stream);
    }
    this.streams.clear();
  }

  /** The connection is gone (socket closed, heartbeat unanswered): reconnect in the background until disconnect(). */
  private lost(reason: string): void {
    if (!this.wanted || this.establishing) return;
    this.o.log?.(`IB connection lost (${reason}); reconnecting`);
    this.down('RECONNECTING', reason);
    this.teardown();
    void this.establish().catch(() => undefined); // only disconnect() ends it
  }

  /** After an outage: what happened while away, then the quote streams again. */
  private async resync(after: Resync['after']): Promise<Resync> {
    const outageMs = Date.now() - (this.downSince ?? Date.now());
    const known = new Set(this.fills.keys());
    await this.syncOpenOrders({ afterOutage: true });
    await this.syncExecutions(this.lastFillTime);
    const positions = await this.fetchPositions();
    this.session!.known = Promise.resolve(); // memory is complete again
    const openOrders = [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status));
    return { after, outageMs, openOrders, recoveredFills: [...this.fills.values()].filter((f) => !known.has(f.execId)), positions };
  }

  private resynced(r: Resync): void {
    this.o.log?.(`IB connection restored and resynced after ${r.outageMs} ms (${r.recoveredFills.length} fills recovered)`);
    this.o.onResync?.(r);
  }

  /** IB's link to its servers: orders cannot be trusted to reach the exchange between 1100 and 1101/1102. */
  private ibLink(code: number): void {
    if (code === 1100 || code === 2110) {
      this.ibLinkDown = true;
      if (this.state === 'CONNECTED') this.down('RECONNECTING', `IB lost its connection to its servers (${code})`);
      return;
    }
    this.ibLinkDown = false;
    if (this.establishing) return; // the reconnect in progress resyncs and reports
    if (code === 1102) {
      if (this.state === 'CONNECTED') return;
      this.requestQuotes(); // those subscribed meanwhile
      return this.up();
    }
    // 1101: the market data subscriptions are gone; orders went on at IB, so resync them too.
    this.parkQuotes(this.session?.api);
    this.resync('data lost').then((r) => {
      this.requestQuotes();
      this.up();
      this.resynced(r);
    }, (e: Error) => this.lost(`resync after 1101 failed: ${e.message}`));
  }

  /** Resolves once CONNECTED; fails after connectTimeoutMs, or at disconnect(). */
  private untilConnected(): Promise<void> {
    if (this.state === 'CONNECTED') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.stopped.signal.removeEventListener('abort', onStop);
        this.connected.delete(onUp);
        if (error) reject(error);
        else resolve();
      };
      const onUp = () => settle();
      const onStop = () => settle(new BrokerUnavailableError(`connecting to IB at ${this.where()} was stopped by disconnect()`));
      const timer = setTimeout(() => settle(new BrokerUnavailableError(
        `could not connect to IB at ${this.where()} within ${this.t.connectTimeoutMs} ms: ${this.lastFailure ?? this.reason}; still trying until disconnect()`,
      )), this.t.connectTimeoutMs);
      this.stopped.signal.addEventListener('abort', onStop);
      this.connected.add(onUp);
    });
  }

  // ---- orders ----------------------------------------------------------------------------------

  async placeOrder(req: OrderRequest): Promise<OrderState> {
    this.assertReady();
    await this.oneAtATime(async () => {
      if (await this.find(req.orderRef)) return;
      const id = await this.allocateOrderId();
      this.send(id, req.symbol, req.orderRef, {
        action: req.action as Order['action'], totalQuantity: req.quantity, orderType: req.type as IbOrderType,
        lmtPrice: req.limitPrice, auxPrice: req.stopPrice, tif: req.tif ?? 'DAY', transmit: true,
      });
    });
    return this.acknowledged(req.orderRef);
  }

  /**
   * Placements run one at a time: IB refuses an order id lower than one it already received from the client (103), so
   * ids must reach the socket in the order they were allocated; and a retry of the same orderRef racing the first
   * attempt must find it rather than send a second order.
   */
  private oneAtATime(fn: () => Promise<void>): Promise<void> {
    const run = this.placing.then(fn);
    this.placing = run.catch(() => undefined);
    return run;
  }

  async placeBracket(b: BracketRequest): Promise<OrderState[]> {
    this.assertReady();
    const refs = [`${b.orderRef}:entry`, `${b.orderRef}:target`, `${b.orderRef}:stop`];
    let placedBefore = false;
    await this.oneAtATime(async () => {
      // Placed before: never send a second entry.
      if ((placedBefore = Boolean(await this.find(refs[0])))) return;
      const [parent, target, stop] = [await this.allocateOrderId(), await this.allocateOrderId(), await this.allocateOrderId()];
      const exit = (b.action === 'BUY' ? 'SELL' : 'BUY') as Order['action'];
      const common = { totalQuantity: b.quantity, tif: b.tif ?? 'DAY' };
      // IB's bracket: children reference the parent; only the last order transmits the whole group.
      this.send(parent, b.symbol, refs[0], { ...common, action: b.action as Order['action'], orderType: b.entry.type as IbOrderType, lmtPrice: b.entry.type === 'LMT' ? b.entry.limitPrice : undefined, transmit: false });
      this.send(target, b.symbol, refs[1], { ...common, action: exit, orderType: IbOrderType.LMT, lmtPrice: b.takeProfitPrice, parentId: parent, ocaGroup: b.orderRef, ocaType: 1, transmit: false });
      this.send(stop, b.symbol, refs[2], { ...common, action: exit, orderType: IbOrderType.STP, auxPrice: b.stopLossPrice, parentId: parent, ocaGroup: b.orderRef, ocaType: 1, transmit: true });
    });
    if (placedBefore) {
      // The legs still open were synced by find; ended ones are looked up.
      const legs = [];
      for (const ref of refs) if (this.orders.has(ref) || (await this.find(ref))) legs.push(await this.acknowledged(ref));
      return legs;
    }
    return Promise.all(refs.map((r) => this.acknowledged(r)));
  }

  async cancelOrder(orderRef: string): Promise<void> {
    this.assertReady();
    const state = await this.find(orderRef);
    if (!state || TERMINAL_STATUSES.has(state.status)) return;
    this.api().cancelOrder(state.brokerOrderId);
    await this.untilOrders(() => TERMINAL_STATUSES.has(this.orders.get(orderRef)!.status), `cancel of ${orderRef}`);
  }

  async cancelAllOrders(): Promise<void> {
    this.assertReady();
    this.api().reqGlobalCancel();
    await this.untilOrders(() => [...this.orders.values()].every((o) => TERMINAL_STATUSES.has(o.status) || o.status === 'PendingSubmit'), 'global cancel');
  }

  async order(orderRef: string): Promise<OrderState | undefined> {
    if (this.orders.has(orderRef)) return this.orders.get(orderRef);
    this.assertReady();
    return this.find(orderRef);
  }

  async openOrders(): Promise<OrderState[]> {
    this.assertReady();
    await this.syncOpenOrders();
    return [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status));
  }

  async executions(since?: string): Promise<Fill[]> {
    this.assertReady();
    await this.syncExecutions(since);
    return [...this.fills.values()].filter((f) => !since || f.time >= since).sort((a, b) => a.time.localeCompare(b.time));
  }

  // ---- account and market data -----------------------------------------------------------------

  async positions(): Promise<BrokerPosition[]> {
    this.assertReady();
    return this.fetchPositions();
  }

  /** Callers asking while a request is out share its answer (a burst of risk checks costs one request, not one each). */
  async accountSummary(): Promise<AccountSummary> {
    this.assertReady(); // a rejection, like every other request while not connected
    if (!this.summaryInFlight) {
      this.summaryInFlight = this.fetchAccountSummary();
      void this.summaryInFlight.finally(() => (this.summaryInFlight = undefined)).catch(() => undefined);
    }
    return this.summaryInFlight;
  }

  private async fetchAccountSummary(): Promise<AccountSummary> {
    const reqId = this.reqId();
    const values: Record<string, number> = {};
    let currency = 'USD';
    await this.request(reqId, EventName.accountSummaryEnd, 'account summary', [
      [EventName.accountSummary, (id: number, _account: string, tag: string, value: string, cur: string) => {
        if (id !== reqId) return;
        values[tag] = Number(value);
        currency = cur || currency;
      }],
    ], () => this.api().reqAccountSummary(reqId, 'All', 'NetLiquidation,TotalCashValue,BuyingPower,GrossPositionValue,UnrealizedPnL,RealizedPnL'));
    this.api().cancelAccountSummary(reqId); // IB keeps a summary subscription (two at most) until cancelled
    return {
      account: this.account, currency, netLiquidation: values.NetLiquidation, totalCash: values.TotalCashValue, buyingPower: values.BuyingPower,
      grossPositionValue: values.GrossPositionValue, unrealizedPnl: values.UnrealizedPnL, realizedPnl: values.RealizedPnL,
    };
  }

  /** Within IB's pacing rules; a request refused for pacing (162) is retried once the rules allow it. */
  async historicalBars(r: BarRequest): Promise<Bar[]> {
    this.assertReady();
    const end = barEnd(r.end);
    const key = { identity: [r.symbol, end, r.duration, r.barSize, 'TRADES'].join('|'), contract: r.symbol, smallBars: isSmallBar(r.barSize) };
    for (let attempt = 0; ; attempt++) {
      const wait = this.pacing.reserve(key, Date.now()) - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: this.stopped.signal });
      try {
        return await this.fetchBars(r, end);
      } catch (e) {
        if (!(e instanceof BrokerRequestError && e.code === 162 && /pacing violation/i.test(e.message)) || attempt >= this.t.pacingRetries) throw e;
        this.pacing.violated(Date.now());
        this.o.log?.(`historical data pacing violation for ${r.symbol}; retrying within IB's pacing rules`);
      }
    }
  }

  async quote(symbol: string): Promise<Quote> {
    this.assertReady();
    const reqId = this.reqId();
    const ticks = new QuoteTicks(symbol, new Date());
    await this.request(reqId, EventName.tickSnapshotEnd, `quote of ${symbol}`, [
      [EventName.tickPrice, (id: number, type: number, price: number) => id === reqId && ticks.price(type, price)],
      [EventName.tickSize, (id: number, type: number, size: number) => id === reqId && ticks.size(type, size)],
      [EventName.tickString, (id: number, type: number, value: string) => id === reqId && ticks.text(type, value)],
    ], () => this.api().reqMktData(reqId, stock(symbol), '', true, false));
    return ticks.quote;
  }

  subscribeQuotes(symbol: string, onQuote: (q: Quote) => void): () => void {
    const stream: QuoteStream = { symbol, onQuote, ticks: new QuoteTicks(symbol, new Date()) };
    this.idle.add(stream);
    if (this.state === 'CONNECTED') this.requestQuotes();
    return () => {
      this.idle.delete(stream);
      if (stream.reqId === undefined || !this.streams.delete(stream.reqId)) return;
      this.session?.api.cancelMktData(stream.reqId);
    };
  }

  async contract(symbol: string): Promise<ContractInfo> {
    this.assertReady();
    const reqId = this.reqId();
    let found: ContractDetails | undefined;
    await this.request(reqId, EventName.contractDetailsEnd, `contract details of ${symbol}`, [
      [EventName.contractDetails, (id: number, d: ContractDetails) => void (id === reqId && (found ??= d))],
    ], () => this.api().reqContractDetails(reqId, stock(symbol)));
    if (!found) throw new BrokerRequestError(200, `no contract for ${symbol}`);
    const c = found.contract;
    return { symbol, conId: c.conId!, primaryExchange: c.primaryExch ?? '', longName: found.longName ?? symbol, industry: found.industry, minTick: found.minTick ?? 0.01 };
  }

  knownExecutions(orderRefPrefix: string): Fill[] {
    return [...this.fills.values()].filter((f) => f.orderRef.startsWith(orderRefPrefix)).sort((a, b) => a.time.localeCompare(b.time));
  }

  onOrderEvent(onEvent: (orderRef: string) => void): () => void {
    this.orderListeners.add(onEvent);
    return () => void this.orderListeners.delete(onEvent);
  }

  // ---- internals -------------------------------------------------------------------------------

  private orderEvent(orderRef: string): void {
    if (!orderRef) return;
    for (const l of this.orderListeners) {
      try {
        l(orderRef);
      } catch (e) {
        this.o.log?.(`order event listener failed: ${(e as Error).message}`); // a listener's bug must not break the session
      }
    }
  }

  private subscribe(session: Session): void {
    const api = session.api;
    const on = (event: EventName, listener: (...args: never[]) => void) => listen(api as unknown as EventEmitter, event, listener);
    on(EventName.openOrder, (orderId: number, c: Contract, order: Order, state: { status?: string }) => {
      if (!order.orderRef) return;
      this.refById.set(orderId, order.orderRef);
      const prev = this.orders.get(order.orderRef);
      this.orders.set(order.orderRef, {
        orderRef: order.orderRef, brokerOrderId: orderId, permId: order.permId ?? 0, symbol: c.symbol!, action: order.action as OrderState['action'],
        type: order.orderType as OrderState['type'], quantity: Number(order.totalQuantity), status: (state.status as OrderStatus) ?? prev?.status ?? 'PreSubmitted',
        filled: prev?.filled ?? 0, remaining: prev?.remaining ?? Number(order.totalQuantity), avgFillPrice: prev?.avgFillPrice ?? 0,
      });
      // Every openOrders() replays all open orders: only news is an event.
      if (prev?.status !== this.orders.get(order.orderRef)!.status) this.orderEvent(order.orderRef);
    });
    on(EventName.orderStatus, (orderId: number, status: string, filled: number, remaining: number, avgFillPrice: number) => {
      const ref = this.refById.get(orderId);
      const o = ref && this.orders.get(ref);
      if (!o) return;
      const news = o.status !== status || o.filled !== filled;
      Object.assign(o, { status: status as OrderStatus, filled, remaining, avgFillPrice });
      if (news) this.orderEvent(o.orderRef);
    });
    on(EventName.execDetails, (_reqId: number, c: Contract, e: Execution) => {
      if (!e.execId || this.fills.has(e.execId)) return; // IB may report an execution more than once
      const fill: Fill = {
        execId: e.execId, orderRef: e.orderRef ?? this.refById.get(e.orderId!) ?? '', brokerOrderId: e.orderId!, permId: e.permId ?? 0,
        symbol: c.symbol!, side: e.side as Fill['side'], quantity: Number(e.shares), price: e.price!, time: ibTimeToIso(e.time ?? ''),
        cumQty: Number(e.cumQty), avgPrice: e.avgPrice!,
      };
      this.fills.set(e.execId, fill);
      if (!this.lastFillTime || fill.time > this.lastFillTime) this.lastFillTime = fill.time;
      this.orderEvent(fill.orderRef);
    });
    on(EventName.commissionReport, (r: CommissionReport) => {
      const f = r.execId ? this.fills.get(r.execId) : undefined;
      if (!f) return;
      Object.assign(f, { commission: r.commission, commissionCurrency: r.currency, realizedPnl: r.realizedPNL });
      this.orderEvent(f.orderRef);
    });
    on(EventName.tickPrice, (reqId: number, type: number, price: number) => {
      const s = this.streams.get(reqId);
      if (s?.ticks.price(type, price)) s.onQuote({ ...s.ticks.quote });
    });
    on(EventName.tickSize, (reqId: number, type: number, size: number) => this.streams.get(reqId)?.ticks.size(type, size));
    on(EventName.tickString, (reqId: number, type: number, value: string) => this.streams.get(reqId)?.ticks.text(type, value));
    on(EventName.error, (err: Error, code: number, id: number) => {
      const ref = this.refById.get(id);
      const o = ref && this.orders.get(ref);
      if (o && ORDER_REJECTIONS.has(code)) {
        Object.assign(o, { status: 'Inactive', rejectReason: `${code}: ${err.message}` });
        this.orderEvent(o.orderRef);
      } else if (this.streams.has(id)) this.o.log?.(`IB market data error ${code} for ${this.streams.get(id)!.symbol}: ${err.message}`);
      if (code === 502) this.failure = err.message; // the socket could not connect
      if (DECODE_ERRORS.has(code)) {
        this.o.log?.(`IB message not decoded (${code}): ${err.message}`);
        this.o.onProtocolError?.(code, err.message);
      }
    });
    on(EventName.info, (message: string, code: number) => {
      if (code === 326) {
        this.failure = `client id ${this.o.clientId} is already in use at ${this.o.host}:${this.o.port} (IB 326): another process is connected with it; stop it or set another broker.clientId`;
        api.disconnect();
      } else if (code === 1100 || code === 1101 || code === 1102 || code === 2110) {
        this.o.log?.(`IB ${code}: ${message}`);
        this.ibLink(code);
      }
    });
    on(EventName.disconnected, () => this.session === session && this.lost('socket closed'));
  }

  /** Requests every quote stream not requested on the current session. */
  private requestQuotes(): void {
    const api = this.session?.api;
    if (!api) return;
    for (const stream of this.idle) {
      stream.reqId = this.reqId();
      this.streams.set(stream.reqId, stream);
      api.reqMktData(stream.reqId, stock(stream.symbol), '', false, false);
    }
    this.idle.clear();
  }

  /** Looks for an order under orderRef among this client id's open orders and today's executions. */
  private async find(orderRef: string): Promise<OrderState | undefined> {
    await this.known();
    if (this.orders.has(orderRef)) return this.orders.get(orderRef);
    const { fills, filled, avgFillPrice } = this.executed(orderRef);
    if (fills.length === 0) return undefined;
    // Filled (or partly filled and no longer open): rebuild its state from the executions.
    const state: OrderState = {
      orderRef, brokerOrderId: fills[0].brokerOrderId, permId: fills[0].permId, symbol: fills[0].symbol, action: fills[0].side === 'BOT' ? 'BUY' : 'SELL',
      type: 'MKT', quantity: filled, status: 'Filled', filled, remaining: 0, avgFillPrice,
    };
    this.orders.set(orderRef, state);
    this.refById.set(state.brokerOrderId, orderRef);
    return state;
  }

  /** What the broker holds for this client id, fetched once per session (see Session.known). */
  private known(): Promise<void> {
    const session = this.session;
    if (!session) return Promise.reject(this.unavailable());
    session.known ??= (async () => {
      await this.syncOpenOrders();
      await this.syncExecutions();
    })().catch((e: Error) => {
      session.known = undefined; // asked again next time
      throw e;
    });
    return session.known;
  }

  /**
   * Refreshes open orders from the broker; an order we knew as working that is no longer open has ended while we
   * were not listening: filled (its executions say how much) or cancelled. After an outage, an order still waiting
   * for its acknowledgement never reached IB unless it executed: it is forgotten, so that placing it again sends it.
   */
  private async syncOpenOrders({ afterOutage = false } = {}): Promise<void> {
    const seen = new Set<string>();
    await this.request(undefined, EventName.openOrderEnd, 'open orders', [
      [EventName.openOrder, (_id: number, _c: Contract, order: Order) => void (order.orderRef && seen.add(order.orderRef))],
    ], () => this.api().reqOpenOrders());
    const ended = [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status) && !seen.has(o.orderRef) && (afterOutage || o.status !== 'PendingSubmit'));
    if (ended.length === 0) return;
    await this.syncExecutions(this.lastFillTime); // once for all of them
    for (const o of ended) {
      const { filled, avgFillPrice } = this.executed(o.orderRef);
      if (o.status === 'PendingSubmit' && filled === 0) {
        this.orders.delete(o.orderRef);
        this.refById.delete(o.brokerOrderId);
      } else {
        Object.assign(o, { status: filled >= o.quantity ? 'Filled' : 'Cancelled', filled, remaining: o.quantity - filled, avgFillPrice });
        this.orderEvent(o.orderRef);
      }
    }
  }

  /** What the known executions of an order add up to. */
  private executed(orderRef: string): { fills: Fill[]; filled: number; avgFillPrice: number } {
    const fills = [...this.fills.values()].filter((f) => f.orderRef === orderRef);
    const filled = fills.reduce((sum, f) => sum + f.quantity, 0);
    return { fills, filled, avgFillPrice: filled ? fills.reduce((sum, f) => sum + f.price * f.quantity, 0) / filled : 0 };
  }

  private async syncExecutions(since?: string): Promise<void> {
    const reqId = this.reqId();
    await this.request(reqId, EventName.execDetailsEnd, 'executions', [], () =>
      this.api().reqExecutions(reqId, { clientId: this.o.clientId, time: executionFilterTime(since) } as never),
    );
  }

  private async fetchPositions(): Promise<BrokerPosition[]> {
    const out: BrokerPosition[] = [];
    await this.request(undefined, EventName.positionEnd, 'positions', [
      [EventName.position, (account: string, c: Contract, pos: number, avgCost: number) => void (pos !== 0 && out.push({ account, symbol: c.symbol!, quantity: pos, avgCost }))],
    ], () => this.api().reqPositions());
    this.api().cancelPositions(); // IB keeps streaming position changes until cancelled
    return out;
  }

  private async fetchBars(r: BarRequest, end: string): Promise<Bar[]> {
    const reqId = this.reqId();
    const bars: Bar[] = [];
    await this.request(reqId, EventName.historicalData, `bars of ${r.symbol}`, [
      [EventName.historicalData, (id: number, time: string, open: number, high: number, low: number, close: number, volume: number) => {
        if (id === reqId && !time.startsWith('finished')) bars.push({ date: barDate(time), open, high, low, close, volume });
      }],
    ], () => this.api().reqHistoricalData(reqId, stock(r.symbol), end, r.duration, r.barSize as never, 'TRADES' as never, 1, 1, false),
    (id: number, time: string) => id === reqId && time.startsWith('finished'));
    return bars;
  }

  /**
   * Sends a request and collects its answer until its end event (matched on the reqId, the event's first argument,
   * unless `isEnd` says otherwise); an IB error under the reqId fails it.
   */
  private async request(
    reqId: number | undefined, end: EventName, what: string, listeners: [EventName, (...args: never[]) => void][], send: () => void,
    isEnd: (...args: never[]) => boolean = (id: number) => reqId === undefined || id === reqId,
  ): Promise<void> {
    const emitter = this.api() as unknown as EventEmitter;
    const offs = listeners.map(([event, l]) => listen(emitter, event, l));
    try {
      const done = this.next(end, what, { reqId }, isEnd);
      send();
      await done;
    } finally {
      offs.forEach((off) => off());
    }
  }

  private placing: Promise<unknown> = Promise.resolve();

  private async allocateOrderId(): Promise<number> {
    const id = this.nextOrderId++;
    await this.o.orderIds.reserve(id); // recorded before it is sent: never reused, even after a crash
    return id;
  }

  private send(id: number, symbol: string, orderRef: string, order: Order): void {
    this.refById.set(id, orderRef);
    this.orders.set(orderRef, {
      orderRef, brokerOrderId: id, permId: 0, symbol, action: order.action as OrderState['action'], type: order.orderType as OrderState['type'],
      quantity: Number(order.totalQuantity), status: 'PendingSubmit', filled: 0, remaining: Number(order.totalQuantity), avgFillPrice: 0,
    });
    this.api().placeOrder(id, stock(symbol), { ...order, orderRef, account: this.account || undefined });
  }

  /** The order once IB acknowledged it (or rejected it: OrderRejectedError); a retry waits here instead of sending again. */
  private async acknowledged(orderRef: string): Promise<OrderState> {
    await this.untilOrders(() => this.orders.get(orderRef)?.status !== 'PendingSubmit', `acknowledgement of ${orderRef}`);
    const state = this.orders.get(orderRef);
    if (!state) throw new BrokerUnavailableError(`order ${orderRef} did not reach IB before the connection was lost; place it again`);
    if (state.rejectReason) throw new OrderRejectedError(orderRef, Number(state.rejectReason.split(':')[0]), state.rejectReason);
    return state;
  }

  private assertReady(): void {
    if (this.state !== 'CONNECTED' || !this.session) throw this.unavailable();
  }

  private unavailable(): BrokerUnavailableError {
    return new BrokerUnavailableError(`not connected to IB at ${this.where()}: ${this.reason ?? this.state}${this.lastFailure ? ` (last attempt: ${this.lastFailure})` : ''}`);
  }

  /** The current session's client; requests on it fail once it ends. */
  private api(): IBApi {
    if (!this.session) throw this.unavailable();
    return this.session.api;
  }

  private reqId(): number {
    return this.nextReqId++;
  }

  private next<T extends unknown[] = unknown[]>(event: EventName, what: string, o: Partial<WaitOptions> = {}, match?: (...args: never[]) => boolean): Promise<T> {
    return nextEvent<T>(this.api() as unknown as EventEmitter, event, this.waitOptions(what, o), match);
  }

  /** Waits until `done()` holds, re-checked on every order event. */
  private untilOrders(done: () => boolean, what: string): Promise<void> {
    return waitUntil(this.api() as unknown as EventEmitter, [EventName.orderStatus, EventName.openOrder, EventName.error], done, this.waitOptions(what));
  }

  private waitOptions(what: string, o: Partial<WaitOptions> = {}): WaitOptions {
    return { timeoutMs: this.t.timeoutMs, signal: this.session!.ended.signal, what, ...o };
  }
}
