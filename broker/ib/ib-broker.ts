/**
 * The Broker port on Interactive Brokers through @stoqey/ib's event API (IBApi), against IB Gateway/TWS
 * or the gateway simulator. IBApi rather than IBApiNext: the latter has no live order stream for client
 * ids other than 0 and routes errors by number (see ../shared/research/ib.md §4).
 *
 * Safety rules: one fixed client id (orders belong to it); nothing is sent unless the session is ready
 * (nextValidId received), because IBApi queues requests made while disconnected and replays them later;
 * order ids come from max(nextValidId, highest ever used + 1) and are recorded before they are sent;
 * every order carries its orderRef, and a placement first looks for that ref among open orders and
 * today's executions, so a retry adopts the order instead of placing a second one.
 */
import { EventName, IBApi, OrderType as IbOrderType, SecType, type CommissionReport, type Contract, type Execution, type Order } from '@stoqey/ib';
import type { EventEmitter } from 'node:events';
import { zonedTime } from '../../trading/calendar';
import type { Bar } from '../../trading/indicators';
import {
  TERMINAL_STATUSES,
  type AccountSummary, type BarRequest, type Broker, type BracketRequest, type BrokerPosition, type ConnectionStatus, type Fill,
  type OrderRequest, type OrderState, type OrderStatus, type Quote,
} from '../broker';
import type { OrderIdStore } from '../order-ids';

export interface IbBrokerOptions {
  host: string;
  port: number;
  clientId: number;
  /** Empty: the first managed account. */
  account?: string;
  orderIds: OrderIdStore;
  /** How long a request may wait for its answer. */
  timeoutMs?: number;
  /** Reconnect backoff: first delay, doubled up to the maximum. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Called after each reconnect once open orders and missed executions are resynced. */
  onResync?: () => void;
  log?: (line: string) => void;
}

export class BrokerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

export class OrderRejectedError extends Error {
  constructor(readonly orderRef: string, readonly code: number, message: string) {
    super(`order ${orderRef} rejected (${code}): ${message}`);
    this.name = 'OrderRejectedError';
  }
}

export class IbBroker implements Broker {
  private api?: IBApi;
  private ready = false;
  private downSince: number | undefined = Date.now();
  private nextOrderId = 0;
  private nextReqId = 1_000_000; // far from order ids: IB reports both through the same error id field
  private account = '';
  private readonly orders = new Map<string, OrderState>(); // by orderRef
  private readonly refById = new Map<number, string>();
  private readonly fills = new Map<string, Fill>(); // by execId: a duplicate report is dropped
  private readonly timeoutMs: number;
  /** False once disconnect() was called: only then is a lost connection left alone. */
  private wanted = false;
  private reconnectTimer?: NodeJS.Timeout;
  private lastFillTime?: string;

  constructor(private readonly o: IbBrokerOptions) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  async connect(): Promise<void> {
    if (this.ready) return;
    this.wanted = true;
    await this.open();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    this.ready = false;
    this.downSince ??= Date.now();
    this.api?.disconnect();
  }

  /** One session: a fresh IBApi on the same client id, ready once nextValidId and the accounts arrived. */
  private async open(): Promise<void> {
    this.api?.removeAllListeners();
    this.api?.disconnect();
    const api = new IBApi({ host: this.o.host, port: this.o.port, clientId: this.o.clientId });
    this.api = api;
    this.subscribe(api);
    const accounts = this.once<[string]>(EventName.managedAccounts);
    const nextValid = this.once<[number]>(EventName.nextValidId);
    api.connect(this.o.clientId);
    const [[id], [list]] = await Promise.all([nextValid, accounts]);
    this.account = this.o.account || list.split(',')[0];
    this.nextOrderId = Math.max(id, this.nextOrderId, (await this.o.orderIds.highestUsed()) + 1);
    this.ready = true;
    this.downSince = undefined;
  }

  /** Reconnects with backoff on the same client id, then recovers what happened while away. */
  private lost(reason: string): void {
    if (!this.wanted || this.reconnectTimer) return;
    this.ready = false;
    this.downSince ??= Date.now();
    this.o.log?.(`IB connection lost (${reason}); reconnecting`);
    let delay = this.o.reconnectMinMs ?? 1000;
    const attempt = () => {
      this.reconnectTimer = setTimeout(async () => {
        try {
          await this.open();
          this.reconnectTimer = undefined;
          await this.syncOpenOrders();
          await this.syncExecutions(this.lastFillTime);
          this.o.log?.('IB connection restored and resynced');
          this.o.onResync?.();
        } catch {
          delay = Math.min(delay * 2, this.o.reconnectMaxMs ?? 30_000);
          if (this.wanted) attempt();
        }
      }, delay);
    };
    attempt();
  }

  connectionStatus(): ConnectionStatus {
    if (this.ready) return { state: 'CONNECTED', outageMs: 0 };
    return { state: this.api ? 'RECONNECTING' : 'DISCONNECTED', downSince: new Date(this.downSince ?? Date.now()).toISOString(), outageMs: Date.now() - (this.downSince ?? Date.now()) };
  }

  async placeOrder(req: OrderRequest): Promise<OrderState> {
    const existing = await this.find(req.orderRef);
    if (existing) return existing;
    const id = await this.allocateOrderId();
    return this.send(id, req.symbol, req.orderRef, {
      action: req.action as Order['action'], totalQuantity: req.quantity, orderType: req.type as IbOrderType,
      lmtPrice: req.limitPrice, auxPrice: req.stopPrice, tif: req.tif ?? 'DAY', transmit: true,
    });
  }

  async placeBracket(b: BracketRequest): Promise<OrderState[]> {
    const refs = [`${b.orderRef}:entry`, `${b.orderRef}:target`, `${b.orderRef}:stop`];
    const found = await Promise.all(refs.map((r) => this.find(r)));
    if (found[0]) return found.filter((x): x is OrderState => Boolean(x)); // placed before: never send a second entry
    const parent = await this.allocateOrderId();
    const target = await this.allocateOrderId();
    const stop = await this.allocateOrderId();
    const exit = b.action === 'BUY' ? 'SELL' : 'BUY';
    const common = { totalQuantity: b.quantity, tif: b.tif ?? 'DAY', account: this.account };
    // IB's bracket: children reference the parent; only the last order transmits the whole group.
    const sent = [
      this.send(parent, b.symbol, refs[0], { ...common, action: b.action as Order['action'], orderType: b.entry.type as IbOrderType, lmtPrice: b.entry.type === 'LMT' ? b.entry.limitPrice : undefined, transmit: false }),
      this.send(target, b.symbol, refs[1], { ...common, action: exit as Order['action'], orderType: IbOrderType.LMT, lmtPrice: b.takeProfitPrice, parentId: parent, ocaGroup: b.orderRef, ocaType: 1, transmit: false }),
      this.send(stop, b.symbol, refs[2], { ...common, action: exit as Order['action'], orderType: IbOrderType.STP, auxPrice: b.stopLossPrice, parentId: parent, ocaGroup: b.orderRef, ocaType: 1, transmit: true }),
    ];
    return Promise.all(sent);
  }

  async cancelOrder(orderRef: string): Promise<void> {
    const state = await this.find(orderRef);
    if (!state || TERMINAL_STATUSES.has(state.status)) return;
    this.api!.cancelOrder(state.brokerOrderId);
    await this.until(() => TERMINAL_STATUSES.has(this.orders.get(orderRef)!.status), `cancel of ${orderRef}`);
  }

  async cancelAllOrders(): Promise<void> {
    this.assertReady();
    this.api!.reqGlobalCancel();
    await this.until(() => [...this.orders.values()].every((o) => TERMINAL_STATUSES.has(o.status) || o.status === 'PendingSubmit'), 'global cancel');
  }

  async order(orderRef: string): Promise<OrderState | undefined> {
    return this.orders.get(orderRef) ?? this.find(orderRef);
  }

  async openOrders(): Promise<OrderState[]> {
    await this.syncOpenOrders();
    return [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status));
  }

  async executions(since?: string): Promise<Fill[]> {
    await this.syncExecutions(since);
    return [...this.fills.values()].filter((f) => !since || f.time >= since).sort((a, b) => a.time.localeCompare(b.time));
  }

  async positions(): Promise<BrokerPosition[]> {
    this.assertReady();
    const out: BrokerPosition[] = [];
    const off = this.on(EventName.position, (account: string, c: Contract, pos: number, avgCost: number) => {
      if (pos !== 0) out.push({ account, symbol: c.symbol!, quantity: pos, avgCost });
    });
    try {
      const end = this.once(EventName.positionEnd);
      this.api!.reqPositions();
      await end;
    } finally {
      off();
    }
    return out;
  }

  async accountSummary(): Promise<AccountSummary> {
    const reqId = this.reqId();
    const values: Record<string, number> = {};
    let currency = 'USD';
    const off = this.on(EventName.accountSummary, (id: number, _account: string, tag: string, value: string, cur: string) => {
      if (id !== reqId) return;
      values[tag] = Number(value);
      currency = cur || currency;
    });
    try {
      const end = this.once(EventName.accountSummaryEnd, (id: number) => id === reqId);
      this.assertReady();
      this.api!.reqAccountSummary(reqId, 'All', 'NetLiquidation,TotalCashValue,BuyingPower,GrossPositionValue,UnrealizedPnL,RealizedPnL');
      await end;
    } finally {
      off();
    }
    return {
      account: this.account, currency, netLiquidation: values.NetLiquidation, totalCash: values.TotalCashValue, buyingPower: values.BuyingPower,
      grossPositionValue: values.GrossPositionValue, unrealizedPnl: values.UnrealizedPnL, realizedPnl: values.RealizedPnL,
    };
  }

  async historicalBars(r: BarRequest): Promise<Bar[]> {
    const reqId = this.reqId();
    const bars: Bar[] = [];
    const off = this.on(EventName.historicalData, (id: number, time: string, open: number, high: number, low: number, close: number, volume: number) => {
      if (id !== reqId || time.startsWith('finished')) return;
      bars.push({ date: barDate(time), open, high, low, close, volume });
    });
    try {
      const done = this.once(EventName.historicalData, (id: number, time: string) => id === reqId && time.startsWith('finished'));
      this.assertReady();
      const end = r.end ? `${r.end.replace(/-/g, '').slice(0, 8)} 23:59:59 US/Eastern` : '';
      this.api!.reqHistoricalData(reqId, stock(r.symbol), end, r.duration, r.barSize as never, 'TRADES' as never, 1, 1, false);
      await done;
    } finally {
      off();
    }
    return bars;
  }

  async quote(symbol: string): Promise<Quote> {
    const reqId = this.reqId();
    const q: Quote = { symbol, bid: NaN, ask: NaN, last: NaN, bidSize: 0, askSize: 0, time: new Date().toISOString() };
    const offPrice = this.on(EventName.tickPrice, (id: number, type: number, price: number) => {
      if (id !== reqId) return;
      if (type === 1) q.bid = price;
      else if (type === 2) q.ask = price;
      else if (type === 4) q.last = price;
    });
    const offSize = this.on(EventName.tickSize, (id: number, type: number, size: number) => {
      if (id !== reqId) return;
      if (type === 0) q.bidSize = size;
      else if (type === 3) q.askSize = size;
    });
    try {
      const end = this.once(EventName.tickSnapshotEnd, (id: number) => id === reqId);
      this.assertReady();
      this.api!.reqMktData(reqId, stock(symbol), '', true, false);
      await end;
    } finally {
      offPrice();
      offSize();
    }
    return q;
  }

  // ---- internals -------------------------------------------------------------------------------

  private subscribe(api: IBApi): void {
    api.on(EventName.openOrder, (orderId: number, c: Contract, order: Order, state: { status?: string }) => {
      if (!order.orderRef) return;
      this.refById.set(orderId, order.orderRef);
      const prev = this.orders.get(order.orderRef);
      this.orders.set(order.orderRef, {
        orderRef: order.orderRef, brokerOrderId: orderId, permId: order.permId ?? 0, symbol: c.symbol!, action: order.action as OrderState['action'],
        type: order.orderType as OrderState['type'], quantity: Number(order.totalQuantity), status: (state.status as OrderStatus) ?? prev?.status ?? 'PreSubmitted',
        filled: prev?.filled ?? 0, remaining: prev?.remaining ?? Number(order.totalQuantity), avgFillPrice: prev?.avgFillPrice ?? 0,
      });
    });
    api.on(EventName.orderStatus, (orderId: number, status: string, filled: number, remaining: number, avgFillPrice: number) => {
      const ref = this.refById.get(orderId);
      const o = ref && this.orders.get(ref);
      if (o) Object.assign(o, { status: status as OrderStatus, filled, remaining, avgFillPrice });
    });
    api.on(EventName.execDetails, (_reqId: number, c: Contract, e: Execution) => {
      if (!e.execId || this.fills.get(e.execId)) return; // IB may report an execution more than once
      this.fills.set(e.execId, {
        execId: e.execId, orderRef: e.orderRef ?? this.refById.get(e.orderId!) ?? '', brokerOrderId: e.orderId!, permId: e.permId ?? 0,
        symbol: c.symbol!, side: e.side as Fill['side'], quantity: Number(e.shares), price: e.price!, time: ibTimeToIso(e.time ?? ''),
        cumQty: Number(e.cumQty), avgPrice: e.avgPrice!,
      });
      const t = this.fills.get(e.execId)!.time;
      if (!this.lastFillTime || t > this.lastFillTime) this.lastFillTime = t;
    });
    api.on(EventName.commissionReport, (r: CommissionReport) => {
      const f = r.execId ? this.fills.get(r.execId) : undefined;
      if (f) Object.assign(f, { commission: r.commission, commissionCurrency: r.currency, realizedPnl: r.realizedPNL });
    });
    api.on(EventName.error, (err: Error, code: number, id: number) => {
      const ref = this.refById.get(id);
      const o = ref && this.orders.get(ref);
      if (o && (code === 201 || code === 103 || code === 200 || code === 321)) Object.assign(o, { status: 'Inactive', rejectReason: `${code}: ${err.message}` });
      if (code === 505 || code === 502 || code === 504) this.o.log?.(`IB error ${code}: ${err.message}`);
    });
    api.on(EventName.disconnected, () => this.lost('socket closed'));
    // IB's own link to its servers: orders cannot be trusted to reach the exchange between 1100 and 1101/1102.
    api.on(EventName.info, (_message: string, code: number) => {
      if (code === 1100) {
        this.ready = false;
        this.downSince ??= Date.now();
      } else if ((code === 1101 || code === 1102) && this.api === api) {
        this.ready = true;
        this.downSince = undefined;
      }
    });
  }

  /** Looks for an order under orderRef: in memory, then at the broker (open orders, today's executions). */
  private async find(orderRef: string): Promise<OrderState | undefined> {
    if (this.orders.has(orderRef)) return this.orders.get(orderRef);
    await this.syncOpenOrders();
    if (this.orders.has(orderRef)) return this.orders.get(orderRef);
    await this.syncExecutions();
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

  /**
   * Refreshes open orders from the broker; an order we knew as working that is no longer open has ended
   * while we were not listening: filled (its executions say how much) or cancelled.
   */
  private async syncOpenOrders(): Promise<void> {
    this.assertReady();
    const seen = new Set<string>();
    const off = this.on(EventName.openOrder, (_id: number, _c: Contract, order: Order) => void (order.orderRef && seen.add(order.orderRef)));
    try {
      const end = this.once(EventName.openOrderEnd);
      this.api!.reqOpenOrders();
      await end;
    } finally {
      off();
    }
    const ended = [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status) && !seen.has(o.orderRef) && o.status !== 'PendingSubmit');
    if (ended.length === 0) return;
    await this.syncExecutions(this.lastFillTime); // once for all of them
    for (const o of ended) {
      const { filled, avgFillPrice } = this.executed(o.orderRef);
      Object.assign(o, { status: filled >= o.quantity ? 'Filled' : 'Cancelled', filled, remaining: o.quantity - filled, avgFillPrice });
    }
  }

  /** What the known executions of an order add up to. */
  private executed(orderRef: string): { fills: Fill[]; filled: number; avgFillPrice: number } {
    const fills = [...this.fills.values()].filter((f) => f.orderRef === orderRef);
    const filled = fills.reduce((sum, f) => sum + f.quantity, 0);
    return { fills, filled, avgFillPrice: filled ? fills.reduce((sum, f) => sum + f.price * f.quantity, 0) / filled : 0 };
  }

  private async syncExecutions(since?: string): Promise<void> {
    this.assertReady();
    const reqId = this.reqId();
    const end = this.once(EventName.execDetailsEnd, (id: number) => id === reqId);
    const time = since ? since.replace(/-/g, '').replace('T', '-').slice(0, 17) : '';
    this.api!.reqExecutions(reqId, { clientId: this.o.clientId, time } as never);
    await end;
  }

  private async allocateOrderId(): Promise<number> {
    this.assertReady();
    const id = this.nextOrderId++;
    await this.o.orderIds.reserve(id); // recorded before it is sent: never reused, even after a crash
    return id;
  }

  private async send(id: number, symbol: string, orderRef: string, order: Order): Promise<OrderState> {
    this.assertReady();
    this.refById.set(id, orderRef);
    this.orders.set(orderRef, {
      orderRef, brokerOrderId: id, permId: 0, symbol, action: order.action as OrderState['action'], type: order.orderType as OrderState['type'],
      quantity: Number(order.totalQuantity), status: 'PendingSubmit', filled: 0, remaining: Number(order.totalQuantity), avgFillPrice: 0,
    });
    this.api!.placeOrder(id, stock(symbol), { ...order, orderRef, account: order.account ?? (this.account || undefined) });
    if (order.transmit === false) return this.orders.get(orderRef)!; // acknowledged with the transmitting order
    await this.until(() => this.orders.get(orderRef)!.status !== 'PendingSubmit', `acknowledgement of ${orderRef}`);
    const state = this.orders.get(orderRef)!;
    if (state.rejectReason) throw new OrderRejectedError(orderRef, Number(state.rejectReason.split(':')[0]), state.rejectReason);
    return state;
  }

  private assertReady(): void {
    if (!this.ready || !this.api) throw new BrokerUnavailableError(`not connected to IB at ${this.o.host}:${this.o.port} (client id ${this.o.clientId})`);
  }

  private reqId(): number {
    return this.nextReqId++;
  }

  private emitter(): EventEmitter {
    return this.api as unknown as EventEmitter; // IBApi's typed overloads do not take a generic event name
  }

  private on(event: EventName, listener: (...args: never[]) => void): () => void {
    const e = this.emitter();
    const l = listener as (...args: unknown[]) => void;
    e.on(event, l);
    return () => e.off(event, l);
  }

  /** The next event (matching `match`), or a timeout error; a disconnect fails it at once. */
  private once<T extends unknown[]>(event: EventName, match: (...args: never[]) => boolean = () => true): Promise<T> {
    const e = this.emitter();
    return new Promise<T>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        e.off(event, listener);
        e.off(EventName.disconnected, onDown);
      };
      const listener = (...args: unknown[]) => {
        if (!(match as (...a: unknown[]) => boolean)(...args)) return;
        cleanup();
        resolve(args as T);
      };
      const onDown = () => (cleanup(), reject(new BrokerUnavailableError(`disconnected while waiting for ${event}`)));
      const timer = setTimeout(() => (cleanup(), reject(new BrokerUnavailableError(`no ${event} from IB within ${this.timeoutMs} ms`))), this.timeoutMs);
      e.on(event, listener);
      e.once(EventName.disconnected, onDown);
    });
  }

  /** Waits until `done()` holds, re-checked on every order event. */
  private until(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    const e = this.emitter();
    return new Promise<void>((resolve, reject) => {
      const events = [EventName.orderStatus, EventName.openOrder, EventName.error];
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        events.forEach((ev) => e.off(ev, check));
      };
      const timer = setTimeout(() => (cleanup(), reject(new BrokerUnavailableError(`no ${what} from IB within ${this.timeoutMs} ms`))), this.timeoutMs);
      events.forEach((ev) => e.on(ev, check));
    });
  }
}

function stock(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
}

/** "yyyyMMdd" or "yyyyMMdd HH:mm:ss [tz]" (IB bar times) → YYYY-MM-DD or the time as given. */
function barDate(time: string): string {
  return /^\d{8}$/.test(time) ? `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)}` : time;
}

/** IB execution time "yyyyMMdd HH:mm:ss US/Eastern" → ISO-8601 (kept as given when it is another shape). */
function ibTimeToIso(time: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})\s+(\d{2}):(\d{2}):(\d{2})/.exec(time);
  if (!m) return time;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(zonedTime(`${y}-${mo}-${d}`, `${h}:${mi}`, 'America/New_York').getTime() + Number(s) * 1000).toISOString();
}
