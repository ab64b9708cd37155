/**
 * SimExchange: a deterministic simulated exchange and account over a PriceSource, driven by advanceTo(instant).
 *
 * Models: orders keyed by (clientId, orderId) with unique permIds; MKT, LMT, STP, STP LMT (matching.ts); DAY orders
 * cancelled at the close, GTC kept; brackets (children PreSubmitted until the parent has filled completely; the
 * children of one parent form an implicit OCA group); OCA groups (ocaType 1 cancels the other members on a fill,
 * any other type reduces them by the filled quantity, cancelling them at zero); transmit=false orders held until
 * an order of the same bracket arrives with transmit=true; modification by placing the same orderId again; partial
 * fills limited per order and simulated minute to min(volumeFraction × the minute's volume, maxSharesPerMinute);
 * nothing fills outside the regular session (orders there are PreSubmitted and wait for the open).
 * Matching walks the price path between the previous and the new instant in steps of at most one simulated minute
 * that never cross a minute boundary, so stops and limits see the intra-period highs and lows; within a step the
 * fills of a symbol happen in time order.
 *
 * Events follow IB's order: placement → orderUpdated (Submitted/PreSubmitted); each fill → execution, orderUpdated
 * (Submitted with the new filled quantity, or Filled), commission; then bracket children and OCA members.
 * Listeners run synchronously and must not call back into the exchange (the server answers later, from its socket).
 *
 * Simplifications: no order book or market impact, every order sees the whole liquidity allowance on its own; a
 * partially filled parent activates its children only when it is cancelled or expires (resized to the filled
 * quantity); ocaGroup and ocaType cannot be modified; executions and finished orders are forgotten at the next open.
 */
import { Account, DEFAULT_COMMISSION, orderCommission, type AccountSummary, type CommissionConfig, type PositionView } from './account';
import { newPathBuffer } from './day-path';
import { findHit, mayHit, type Hit } from './matching';
import { reject, validateFields, type CancelResult, type OrderRequest, type OrderView, type PlaceResult } from './orders';
import type { PriceSource } from './prices';
import type { TradingSession } from './sessions';

export interface LiquidityConfig {
  /** Share of a simulated minute's volume one order may fill in that minute. */
  volumeFraction: number;
  maxSharesPerMinute: number;
}

export interface ExchangeConfig {
  startingCash: number;
  currency: string;
  /** Margin on gross position value used for BuyingPower and AvailableFunds (no order is refused on margin). */
  marginRate: number;
  commission: CommissionConfig;
  liquidity: LiquidityConfig;
  /** First group of every execId ("0000e0d5.65a1b2c3.01.01"); give each exchange run its own to keep ids unique. */
  execIdPrefix: string;
  firstPermId: number;
}

export const DEFAULT_EXCHANGE_CONFIG: ExchangeConfig = {
  startingCash: 1_000_000,
  currency: 'USD',
  marginRate: 0.25,
  commission: DEFAULT_COMMISSION,
  liquidity: { volumeFraction: 0.1, maxSharesPerMinute: Infinity },
  execIdPrefix: '0000e0d5',
  firstPermId: 1_000_000_001,
};

export type ExchangeOptions = Partial<Omit<ExchangeConfig, 'commission' | 'liquidity'>> & {
  commission?: Partial<CommissionConfig>;
  liquidity?: Partial<LiquidityConfig>;
};

export interface Execution {
  execId: string;
  /** Epoch ms. */
  time: number;
  clientId: number;
  orderId: number;
  permId: number;
  symbol: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
}

export interface CommissionReport {
  execId: string;
  commission: number;
  currency: string;
  /** Set when the execution reduced a position (net of commissions), as IB reports it. */
  realizedPNL?: number;
}

export interface ExecutionRecord {
  execution: Execution;
  commission: CommissionReport;
}

/** reqExecutions filter; `time` keeps executions at or after that instant. */
export interface ExecutionFilter {
  clientId?: number;
  time?: number;
  symbol?: string;
  side?: 'BUY' | 'SELL';
}

export interface ExchangeEvents {
  orderUpdated: OrderView;
  execution: Execution;
  commission: CommissionReport;
}

interface Order extends Omit<OrderView, 'remaining'> {
  key: string;
  side: 1 | -1;
  /** transmit=false and not yet transmitted. */
  held: boolean;
  waitingParent: boolean;
  triggered: boolean;
  expiresAt: number;
  /** Matching starts no earlier than this instant (transmission or parent fill). */
  activeFrom: number;
  bucket: number;
  bucketFilled: number;
  notional: number;
  commissionPaid: number;
  parent?: Order;
  children: Order[];
  ocaKey?: string;
}

const MINUTE = 60_000;
const keyOf = (clientId: number, orderId: number): string => `${clientId}:${orderId}`;

export class SimExchange {
  readonly config: ExchangeConfig;
  private readonly account: Account;
  private time: number;
  private session?: TradingSession;
  private busy = false;
  private nextPermId: number;
  private execCount = 0;
  private readonly buf = newPathBuffer();
  private readonly listeners: { [K in keyof ExchangeEvents]: ((e: ExchangeEvents[K]) => void)[] } = { orderUpdated: [], execution: [], commission: [] };
  /** Today's orders and every live one, by clientId:orderId. */
  private readonly orders = new Map<string, Order>();
  /** Orders not yet filled or cancelled (held ones included), in placement order. */
  private readonly live = new Map<string, Order>();
  /** Transmitted live orders not waiting for a parent: the ones matching looks at. */
  private readonly bySymbol = new Map<string, Set<Order>>();
  private readonly oca = new Map<string, Set<Order>>();
  private readonly maxOrderId = new Map<number, number>();
  private execLog: ExecutionRecord[] = [];

  constructor(
    readonly prices: PriceSource,
    start: number,
    options: ExchangeOptions = {},
  ) {
    const d = DEFAULT_EXCHANGE_CONFIG;
    this.config = { ...d, ...options, commission: { ...d.commission, ...options.commission }, liquidity: { ...d.liquidity, ...options.liquidity } };
    this.account = new Account(this.config.startingCash, this.config.marginRate);
    this.time = start;
    this.nextPermId = this.config.firstPermId;
  }

  /** The exchange's simulated time: the last instant it was advanced to. */
  get now(): number {
    return this.time;
  }

  on<K extends keyof ExchangeEvents>(event: K, listener: (e: ExchangeEvents[K]) => void): () => void {
    const list = this.listeners[event] as ((e: ExchangeEvents[K]) => void)[];
    list.push(listener);
    return () => void list.splice(list.indexOf(listener) >>> 0, 1);
  }

  /** The smallest order id the client may use next. */
  nextOrderId(clientId: number): number {
    return (this.maxOrderId.get(clientId) ?? 0) + 1;
  }

  /** Places a new order, or modifies a working one with the same (clientId, orderId). Accepted at `now`. */
  placeOrder(req: OrderRequest): PlaceResult {
    return this.exclusive(() => {
      const existing = this.orders.get(keyOf(req.clientId, req.orderId));
      if (existing) return this.modify(existing, req);
      if (!Number.isInteger(req.orderId) || req.orderId < this.nextOrderId(req.clientId))
        return reject('duplicateOrderId', `Duplicate order id ${req.orderId}: order ids must increase per client (next valid id ${this.nextOrderId(req.clientId)})`);
      this.maxOrderId.set(req.clientId, req.orderId); // a rejected order uses its id up too
      if (this.prices.last(req.symbol, this.time) === undefined) return reject('unknownSymbol', `No security definition has been found for the request (${req.symbol})`);
      const f = validateFields(req);
      if ('ok' in f) return f;
      const parentId = req.parentId || 0;
      const parent = parentId ? this.live.get(keyOf(req.clientId, parentId)) : undefined;
      if (parentId && !parent) return reject('invalidOrder', `Error validating request: parent order ${parentId} is not working`);
      const o: Order = {
        ...f,
        key: keyOf(req.clientId, req.orderId),
        clientId: req.clientId,
        orderId: req.orderId,
        permId: this.nextPermId++,
        symbol: req.symbol,
        parentId,
        ocaGroup: req.ocaGroup ?? '',
        ocaType: req.ocaType ?? 0,
        orderRef: req.orderRef ?? '',
        outsideRth: req.outsideRth ?? false,
        status: 'ApiPending',
        filled: 0,
        avgFillPrice: 0,
        lastFillPrice: 0,
        side: f.action === 'BUY' ? 1 : -1,
        held: true,
        waitingParent: false,
        triggered: false,
        expiresAt: Infinity,
        activeFrom: this.time,
        bucket: -1,
        bucketFilled: 0,
        notional: 0,
        commissionPaid: 0,
        parent,
        children: [],
        ocaKey: req.ocaGroup ? `${req.clientId}|${req.ocaGroup}` : parent ? `${parent.key}|children` : undefined,
      };
      this.orders.set(o.key, o);
      this.live.set(o.key, o);
      parent?.children.push(o);
      if (o.ocaKey) setOf(this.oca, o.ocaKey).add(o);
      if (req.transmit !== false) this.transmit(o);
      return { ok: true, order: view(o), modified: false };
    });
  }

  cancelOrder(clientId: number, orderId: number): CancelResult {
    return this.exclusive(() => {
      const o = this.orders.get(keyOf(clientId, orderId));
      if (!o) return { ok: false, reason: 'notFound', code: 10147, message: `OrderId ${orderId} that needs to be cancelled is not found.` };
      if (!this.live.has(o.key)) return { ok: false, reason: 'notCancellable', code: 10148, message: `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${o.status}.` };
      this.cancel(o, this.time);
      return { ok: true, order: view(o) };
    });
  }

  /** reqGlobalCancel: cancels every live order of every client (held ones included); returns them. */
  globalCancel(): OrderView[] {
    return this.exclusive(() => {
      const all = [...this.live.values()];
      for (const o of all) if (this.live.has(o.key)) this.cancel(o, this.time);
      return all.map(view);
    });
  }

  order(clientId: number, orderId: number): OrderView | undefined {
    const o = this.orders.get(keyOf(clientId, orderId));
    return o && view(o);
  }

  /** Working orders (PreSubmitted or Submitted), of one client or all. */
  openOrders(clientId?: number): OrderView[] {
    return [...this.live.values()].filter((o) => !o.held && (clientId === undefined || o.clientId === clientId)).map(view);
  }

  /** Executions since the last session open, with their commission reports. */
  executions(filter: ExecutionFilter = {}): ExecutionRecord[] {
    const side = filter.side && (filter.side === 'BUY' ? 'BOT' : 'SLD');
    return this.execLog.filter(({ execution: e }) => (filter.clientId === undefined || e.clientId === filter.clientId) && (filter.time === undefined || e.time >= filter.time) && (!filter.symbol || e.symbol === filter.symbol) && (!side || e.side === side));
  }

  positions(): PositionView[] {
    return this.account.positions((symbol) => this.prices.last(symbol, this.time));
  }

  accountSummary(): AccountSummary {
    return this.account.summary((symbol) => this.prices.last(symbol, this.time));
  }

  /** Moves simulated time forward to `instant`, matching orders on the way; earlier instants are ignored. */
  advanceTo(instant: number): void {
    this.exclusive(() => {
      while (this.time < instant) {
        if (!this.session || this.time >= this.session.closeAt) this.session = this.prices.calendar.around(this.time);
        const s = this.session;
        if (this.time < s.openAt) {
          this.time = Math.min(instant, s.openAt);
          if (this.time === s.openAt) this.onOpen();
          continue;
        }
        const next = Math.min(instant, s.closeAt, this.bySymbol.size ? (Math.floor(this.time / MINUTE) + 1) * MINUTE : Infinity);
        for (const [symbol, orders] of this.bySymbol) this.match(symbol, orders, this.time, next);
        this.time = next;
        if (next === s.closeAt) this.onClose(s);
      }
    });
  }

  private match(symbol: string, orders: Set<Order>, t0: number, t1: number): void {
    if (!this.prices.path(symbol, t0, t1, this.buf)) return;
    const bucket = Math.floor(t0 / MINUTE);
    const { volumeFraction, maxSharesPerMinute } = this.config.liquidity;
    const cap = Math.min(Math.floor(volumeFraction * this.prices.volumeBetween(symbol, bucket * MINUTE, (bucket + 1) * MINUTE)), maxSharesPerMinute);
    if (cap <= 0) return;
    const { p, n } = this.buf;
    let [low, high] = [p[0], p[0]];
    for (let i = 1; i < n; i++) [low, high] = [Math.min(low, p[i]), Math.max(high, p[i])];
    const spread = this.prices.spread;
    const queue: { order: Order; hit: Hit }[] = [];
    const consider = (o: Order, from: number): void => {
      if (o.status !== 'Submitted' || !mayHit(o, low, high, spread)) return;
      if (o.bucket !== bucket) [o.bucket, o.bucketFilled] = [bucket, 0];
      const hit = o.bucketFilled < cap ? findHit(o, this.buf, Math.max(from, o.activeFrom), spread) : undefined;
      if (!hit) return;
      let i = queue.length;
      while (i > 0 && queue[i - 1].hit.time > hit.time) i--;
      queue.splice(i, 0, { order: o, hit });
    };
    for (const o of orders) consider(o, t0);
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { order: o, hit } = next;
      if (!this.live.has(o.key) || o.status !== 'Submitted') continue;
      o.triggered = hit.triggered;
      const qty = Math.min(o.totalQuantity - o.filled, cap - o.bucketFilled);
      if (!hit.fill || qty <= 0) continue;
      for (const child of this.fill(o, qty, hit.price, hit.time)) if (child.symbol === symbol) consider(child, hit.time);
    }
  }

  /** Books one execution and emits its events; returns the bracket children it activated. */
  private fill(o: Order, qty: number, price: number, time: number): Order[] {
    o.filled += qty;
    o.bucketFilled += qty;
    o.notional += qty * price;
    o.avgFillPrice = o.notional / o.filled;
    o.lastFillPrice = price;
    const orderTotal = orderCommission(this.config.commission, o.filled, o.notional);
    const commission = orderTotal - o.commissionPaid;
    o.commissionPaid = orderTotal;
    const realizedPNL = this.account.book(o.symbol, o.side * qty, price, commission);
    const execution: Execution = {
      execId: `${this.config.execIdPrefix}.${hex(Math.floor(time / 1000), 8)}.${hex(++this.execCount, 2)}.01`,
      time,
      clientId: o.clientId,
      orderId: o.orderId,
      permId: o.permId,
      symbol: o.symbol,
      side: o.side > 0 ? 'BOT' : 'SLD',
      shares: qty,
      price,
      cumQty: o.filled,
      avgPrice: o.avgFillPrice,
      orderRef: o.orderRef,
    };
    const report: CommissionReport = { execId: execution.execId, commission, currency: this.config.currency, realizedPNL };
    this.execLog.push({ execution, commission: report });
    const others = o.ocaKey ? [...this.oca.get(o.ocaKey)!].filter((x) => x !== o) : [];
    const done = o.filled >= o.totalQuantity;
    if (done) {
      o.status = 'Filled';
      this.retire(o);
    }
    this.emit('execution', execution);
    this.emit('orderUpdated', view(o));
    this.emit('commission', report);
    const activated = done ? o.children.filter((c) => this.live.has(c.key) && c.waitingParent) : [];
    for (const c of activated) this.activate(c, time);
    for (const x of others) {
      if (!this.live.has(x.key)) continue;
      if (o.ocaType === 1 || x.totalQuantity - qty <= x.filled) this.cancel(x, time);
      else {
        x.totalQuantity -= qty;
        this.emit('orderUpdated', view(x));
      }
    }
    return activated;
  }

  private modify(o: Order, req: OrderRequest): PlaceResult {
    if (o.status === 'Filled') return reject('cannotModifyFilled', `Order ${o.orderId} is filled and can't be modified`);
    if (!this.live.has(o.key)) return reject('duplicateOrderId', `Duplicate order id ${o.orderId}: the order is ${o.status}`);
    if (req.symbol !== o.symbol || req.action !== o.action || req.orderType !== o.orderType || (req.parentId || 0) !== o.parentId)
      return reject('modifyMismatch', `Order ${o.orderId} being modified does not match the original order (symbol, action, order type and parent must stay)`);
    const f = validateFields(req);
    if ('ok' in f) return f;
    if (f.totalQuantity <= o.filled) return reject('invalidOrder', `Error validating request: quantity ${f.totalQuantity} is not above the filled ${o.filled}`);
    if (f.tif !== o.tif && !o.held) o.expiresAt = this.expiry(f.tif);
    Object.assign(o, { totalQuantity: f.totalQuantity, lmtPrice: f.lmtPrice, auxPrice: f.auxPrice, tif: f.tif, orderRef: req.orderRef ?? o.orderRef, outsideRth: req.outsideRth ?? o.outsideRth });
    if (!o.held) this.emit('orderUpdated', view(o));
    else if (req.transmit !== false) this.transmit(o);
    return { ok: true, order: view(o), modified: true };
  }

  /** Transmits the held orders of o's bracket: the parent first, then its children in placement order. */
  private transmit(o: Order): void {
    const root = o.parent ?? o;
    for (const x of [root, ...root.children]) {
      if (!x.held || !this.live.has(x.key)) continue;
      x.held = false;
      x.expiresAt = this.expiry(x.tif);
      if (x.parent && x.parent.status !== 'Filled') {
        x.waitingParent = true;
        x.status = 'PreSubmitted';
        this.emit('orderUpdated', view(x));
      } else this.activate(x, this.time);
    }
  }

  /** Puts an order in front of the matcher: Submitted in the session, PreSubmitted until the open otherwise. */
  private activate(o: Order, time: number): void {
    o.waitingParent = false;
    o.activeFrom = time;
    o.status = time >= this.prices.calendar.around(time).openAt ? 'Submitted' : 'PreSubmitted';
    setOf(this.bySymbol, o.symbol).add(o);
    this.emit('orderUpdated', view(o));
  }

  /** Cancels o; its waiting children are cancelled too, or activated for the parent's filled quantity if any. */
  private cancel(o: Order, time: number): void {
    o.status = 'Cancelled';
    this.retire(o);
    this.emit('orderUpdated', view(o));
    for (const c of o.children) {
      if (!this.live.has(c.key)) continue;
      if (o.filled > 0 && c.waitingParent) {
        c.totalQuantity = Math.min(c.totalQuantity, o.filled);
        this.activate(c, time);
      } else this.cancel(c, time);
    }
  }

  private retire(o: Order): void {
    this.live.delete(o.key);
    const set = this.bySymbol.get(o.symbol);
    if (set?.delete(o) && set.size === 0) this.bySymbol.delete(o.symbol);
    const group = o.ocaKey ? this.oca.get(o.ocaKey) : undefined;
    if (group?.delete(o) && group.size === 0) this.oca.delete(o.ocaKey!);
  }

  private expiry(tif: OrderView['tif']): number {
    return tif === 'DAY' ? this.prices.calendar.around(this.time).closeAt : Infinity;
  }

  private onOpen(): void {
    this.execLog = [];
    for (const key of this.orders.keys()) if (!this.live.has(key)) this.orders.delete(key);
    for (const o of this.live.values()) {
      if (o.status !== 'PreSubmitted' || o.waitingParent) continue;
      o.status = 'Submitted';
      this.emit('orderUpdated', view(o));
    }
  }

  private onClose(s: TradingSession): void {
    for (const o of [...this.live.values()]) if (this.live.has(o.key) && !o.held && o.expiresAt <= s.closeAt) this.cancel(o, s.closeAt);
  }

  private emit<K extends keyof ExchangeEvents>(event: K, payload: ExchangeEvents[K]): void {
    for (const listener of this.listeners[event] as ((e: ExchangeEvents[K]) => void)[]) listener(payload);
  }

  private exclusive<T>(fn: () => T): T {
    if (this.busy) throw new Error('SimExchange: re-entrant call (an event listener called back into the exchange)');
    this.busy = true;
    try {
      return fn();
    } finally {
      this.busy = false;
    }
  }
}

function view(o: Order): OrderView {
  return {
    clientId: o.clientId,
    orderId: o.orderId,
    permId: o.permId,
    symbol: o.symbol,
    action: o.action,
    orderType: o.orderType,
    totalQuantity: o.totalQuantity,
    lmtPrice: o.lmtPrice,
    auxPrice: o.auxPrice,
    tif: o.tif,
    parentId: o.parentId,
    ocaGroup: o.ocaGroup,
    ocaType: o.ocaType,
    orderRef: o.orderRef,
    outsideRth: o.outsideRth,
    status: o.status,
    filled: o.filled,
    remaining: o.totalQuantity - o.filled,
    avgFillPrice: o.avgFillPrice,
    lastFillPrice: o.lastFillPrice,
  };
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
