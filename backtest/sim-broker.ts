/**
 * Simulated execution on daily bars behind the Broker port (broker/broker.ts), as NautilusTrader's backtest venue
 * fulfils the same interface as its live adapters: the backtester places, cancels and reads orders, executions,
 * positions and the account exactly as the IB adapter would be asked to.
 *
 * ## The session, in three steps driven by the backtest loop (the simulated clock; not part of the port)
 * - `open()`: working MKT orders fill at the session's open, against the trade by `slippageBps`
 *   (buy open × (1 + s), sell open × (1 − s)). A bracket's children become active when its entry fills.
 * - `trade()`: resting orders meet the session's range. A daily bar has no path, so a level inside it is taken as
 *   reached and the first price is the open: a sell STP fills when low ≤ stop at min(open, stop) − slippage — the
 *   stop itself, or the open when the price gapped through it — and a buy STP mirrors it on the high. A LMT fills
 *   at the limit or the better open, without slippage (it rests in the book). When both legs of an OCA group
 *   (a bracket's stop and target) are reached on the same bar, the stop is taken: the conservative assumption.
 *   Afterwards every mark is the close.
 * - `closeOut()`: working MKT orders fill at the close (the end of the data has no next open).
 * A symbol without a bar on the session does not trade: its orders wait for its next bar.
 *
 * ## Costs
 * IB fixed pricing (gateway-sim/exchange/account.ts orderCommission): commissionPerShare × shares, at least
 * minCommissionPerOrder, at most maxCommissionPct of the order's value; orders fill whole, so each pays once.
 *
 * ## The subset of the port
 * MKT, LMT and STP orders and brackets (MKT or LMT entry); STP LMT is refused (status Inactive) because a daily
 * bar cannot say whether the limit was still reachable after the trigger. One USD cash account with no margin
 * checks and free shorting, like the gateway simulator; positions net per symbol at IB-style average cost.
 * The connection never drops; quotes are the current mark with bid = ask = last.
 */
import type {
  AccountSummary, BarRequest, Broker, BracketRequest, BrokerPosition, ConnectionStatus, Fill, OrderRequest, OrderState, Quote,
} from '../broker/broker';
import { TERMINAL_STATUSES } from '../broker/broker';
import type { TraderConfig } from '../config/schema';
import { orderCommission, type CommissionConfig } from '../gateway-sim/exchange/account';
import { lastIndexAtOrBefore } from '../trading/screening';
import { zonedTime, type MarketHours } from '../trading/calendar';
import type { Bar } from '../trading/indicators';
import { PositionLedger } from '../trading/metrics';
import { barAt, type MarketView } from './market';

export interface ExecutionCosts {
  commission: CommissionConfig;
  /** Fraction of the price paid on every market and stop fill: slippageBps / 10 000. */
  slippage: number;
}

export function executionCosts(b: TraderConfig['backtest']): ExecutionCosts {
  return {
    commission: { perShare: b.commissionPerShare, minPerOrder: b.minCommissionPerOrder, maxPctOfValue: b.maxCommissionPct },
    slippage: b.slippageBps / 10_000,
  };
}

export interface SimulatedBrokerOptions {
  costs: ExecutionCosts;
  initialCapital: number;
  /** Exchange hours: fill times are the session's open and close instants. */
  hours: MarketHours;
  account?: string;
}

interface SimOrder {
  state: OrderState;
  side: 1 | -1;
  stopPrice?: number;
  limitPrice?: number;
  /** Bracket children wait (PreSubmitted) until their parent fills. */
  children: SimOrder[];
  /** OCA group: when one member fills, the others are cancelled. */
  oca?: SimOrder[];
}

type Phase = 'before-open' | 'open' | 'closed';

export class SimulatedBroker implements Broker {
  readonly account: string;
  private readonly orders = new Map<string, SimOrder>();
  /** Working (Submitted) orders, in placement order. */
  private working: SimOrder[] = [];
  private readonly fills: Fill[] = [];
  private readonly ledgers = new Map<string, PositionLedger>();
  /** Symbols with a position, and the realized P&L of all of them. */
  private readonly holding = new Set<string>();
  private realized = 0;
  private cash: number;
  private nextOrderId = 1;
  private connected = false;
  private phase: Phase = 'before-open';
  private phaseSession = -1;
  private instants = { date: '', open: '', close: '' };

  constructor(
    private readonly view: MarketView,
    private readonly options: SimulatedBrokerOptions,
  ) {
    this.account = options.account ?? 'BACKTEST';
    this.cash = options.initialCapital;
  }

  // ------------------------------------------------------------------ the simulated session

  open(): void {
    this.enter('open');
    for (const o of this.working.slice()) {
      if (o.state.type !== 'MKT') continue;
      const i = this.view.todayIndex(o.state.symbol);
      if (i >= 0) this.fill(o, this.view.seriesOf(o.state.symbol).open[i]!, true, 'open');
    }
  }

  trade(): void {
    this.enter('closed');
    // Stops first: of a bracket's stop and target reached on the same bar, the stop is assumed to come first.
    for (const type of ['STP', 'LMT'] as const) {
      for (const o of this.working.slice()) {
        if (o.state.type !== type || o.state.status !== 'Submitted') continue;
        const s = this.view.seriesOf(o.state.symbol);
        const i = this.view.todayIndex(o.state.symbol);
        if (i < 0) continue;
        const open = s.open[i]!;
        if (type === 'STP') {
          const stop = o.stopPrice!;
          if (o.side < 0 ? s.low[i]! <= stop : s.high[i]! >= stop) this.fill(o, o.side < 0 ? Math.min(open, stop) : Math.max(open, stop), true, 'close');
        } else {
          const limit = o.limitPrice!;
          if (o.side > 0 ? s.low[i]! <= limit : s.high[i]! >= limit) this.fill(o, o.side > 0 ? Math.min(open, limit) : Math.max(open, limit), false, 'close');
        }
      }
    }
  }

  closeOut(): void {
    this.enter('closed');
    for (const o of this.working.slice()) {
      if (o.state.type === 'MKT') this.fill(o, this.view.lastClose(o.state.symbol), true, 'close');
    }
  }

  private enter(phase: Phase): void {
    this.phaseSession = this.view.session;
    this.phase = phase;
  }

  private currentPhase(): Phase {
    return this.phaseSession === this.view.session ? this.phase : 'before-open';
  }

  /** The latest price known at this point of the session: the open after open(), the close after trade(). */
  mark(symbol: string): number {
    const s = this.view.seriesOf(symbol);
    const today = this.view.todayIndex(symbol);
    const phase = this.currentPhase();
    if (today >= 0 && phase === 'open') return s.open[today]!;
    const i = today >= 0 && phase === 'before-open' ? today - 1 : this.view.lastIndex(symbol);
    return i < 0 ? NaN : s.close[i]!;
  }

  private fill(o: SimOrder, base: number, slipped: boolean, when: 'open' | 'close'): void {
    const st = o.state;
    const price = slipped ? base * (1 + o.side * this.options.costs.slippage) : base;
    const commission = orderCommission(this.options.costs.commission, st.quantity, st.quantity * price);
    const side = o.side > 0 ? 'BOT' : 'SLD';
    const ledger = this.ledger(st.symbol);
    const { realizedPnl } = ledger.apply({ side, quantity: st.quantity, price, commission });
    if (ledger.position === 0) this.holding.delete(st.symbol);
    else this.holding.add(st.symbol);
    this.realized += realizedPnl;
    this.cash -= o.side * st.quantity * price + commission;
    st.status = 'Filled';
    st.filled = st.quantity;
    st.remaining = 0;
    st.avgFillPrice = price;
    this.working = this.working.filter((w) => w !== o);
    this.fills.push({
      execId: `sim.${st.brokerOrderId}.1`, orderRef: st.orderRef, brokerOrderId: st.brokerOrderId, permId: st.permId, symbol: st.symbol, side,
      quantity: st.quantity, price, time: this.instant(when),
      cumQty: st.quantity, avgPrice: price, commission, commissionCurrency: 'USD', realizedPnl,
    });
    for (const sibling of o.oca ?? []) if (sibling !== o) this.cancel(sibling);
    for (const child of o.children) {
      child.state.status = 'Submitted';
      this.working.push(child);
    }
  }

  /** The ISO instant of the current session's open or close (computed once per session: time zones are slow). */
  private instant(when: 'open' | 'close'): string {
    if (this.instants.date !== this.view.date) {
      const { open, close, timezone } = this.options.hours;
      const date = this.view.date;
      this.instants = { date, open: zonedTime(date, open, timezone).toISOString(), close: zonedTime(date, close, timezone).toISOString() };
    }
    return this.instants[when];
  }

  private ledger(symbol: string): PositionLedger {
    let l = this.ledgers.get(symbol);
    if (!l) this.ledgers.set(symbol, (l = new PositionLedger()));
    return l;
  }

  private cancel(o: SimOrder): void {
    if (TERMINAL_STATUSES.has(o.state.status)) return;
    o.state.status = 'Cancelled';
    o.state.remaining = 0;
    this.working = this.working.filter((w) => w !== o);
    for (const child of o.children) this.cancel(child);
  }

  // ------------------------------------------------------------------ the Broker port

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  connectionStatus(): ConnectionStatus {
    return { state: this.connected ? 'CONNECTED' : 'DISCONNECTED', outageMs: 0 };
  }

  async placeOrder(order: OrderRequest): Promise<OrderState> {
    const existing = this.orders.get(order.orderRef);
    if (existing) return { ...existing.state };
    const o = this.create(order, 'Submitted');
    if (o.state.status === 'Submitted') this.working.push(o);
    return { ...o.state };
  }

  async placeBracket(b: BracketRequest): Promise<OrderState[]> {
    const refs = ['entry', 'target', 'stop'].map((leg) => `${b.orderRef}:${leg}`);
    if (this.orders.has(refs[0]!)) return refs.map((r) => ({ ...this.orders.get(r)!.state }));
    const exit = b.action === 'BUY' ? 'SELL' : 'BUY';
    const base = { symbol: b.symbol, quantity: b.quantity, tif: b.tif };
    const entry = this.create({ ...base, orderRef: refs[0]!, action: b.action, ...b.entry }, 'Submitted');
    const target = this.create({ ...base, orderRef: refs[1]!, action: exit, type: 'LMT', limitPrice: b.takeProfitPrice }, 'PreSubmitted');
    const stop = this.create({ ...base, orderRef: refs[2]!, action: exit, type: 'STP', stopPrice: b.stopLossPrice }, 'PreSubmitted');
    const legs = [entry, target, stop];
    if (legs.some((l) => l.state.status === 'Inactive')) {
      for (const l of legs) if (l.state.status !== 'Inactive') Object.assign(l.state, { status: 'Inactive', remaining: 0, rejectReason: 'bracket leg rejected' });
    } else {
      target.oca = stop.oca = [target, stop];
      entry.children.push(target, stop);
      this.working.push(entry);
    }
    return legs.map((l) => ({ ...l.state }));
  }

  private create(r: OrderRequest, status: 'Submitted' | 'PreSubmitted'): SimOrder {
    const id = this.nextOrderId++;
    const state: OrderState = {
      orderRef: r.orderRef, brokerOrderId: id, permId: id, symbol: r.symbol, action: r.action, type: r.type, quantity: r.quantity,
      status, filled: 0, remaining: r.quantity, avgFillPrice: 0,
    };
    const rejectReason = this.rejection(r);
    if (rejectReason) Object.assign(state, { status: 'Inactive', remaining: 0, rejectReason });
    const o: SimOrder = { state, side: r.action === 'BUY' ? 1 : -1, children: [] };
    if (r.stopPrice !== undefined) o.stopPrice = r.stopPrice;
    if (r.limitPrice !== undefined) o.limitPrice = r.limitPrice;
    this.orders.set(r.orderRef, o);
    return o;
  }

  private rejection(r: OrderRequest): string | undefined {
    if (!this.view.has(r.symbol)) return `No security definition has been found for ${r.symbol}`;
    if (!Number.isInteger(r.quantity) || r.quantity <= 0) return `quantity must be a positive whole number of shares, got ${r.quantity}`;
    if (r.type === 'STP LMT') return 'STP LMT orders are not simulated on daily bars';
    if (r.type === 'LMT' && !(r.limitPrice! > 0)) return `LMT order needs a positive limitPrice, got ${r.limitPrice}`;
    if (r.type === 'STP' && !(r.stopPrice! > 0)) return `STP order needs a positive stopPrice, got ${r.stopPrice}`;
    return undefined;
  }

  async cancelOrder(orderRef: string): Promise<void> {
    const o = this.orders.get(orderRef);
    if (!o) throw new Error(`cancelOrder: no order with orderRef ${orderRef}`);
    this.cancel(o);
  }

  async cancelAllOrders(): Promise<void> {
    for (const o of this.orders.values()) this.cancel(o);
  }

  async order(orderRef: string): Promise<OrderState | undefined> {
    const o = this.orders.get(orderRef);
    return o && { ...o.state };
  }

  async openOrders(): Promise<OrderState[]> {
    return [...this.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.state.status)).map((o) => ({ ...o.state }));
  }

  async executions(since?: string): Promise<Fill[]> {
    // Fills are appended in time order: binary search for the first at or after `since`.
    let lo = 0;
    let hi = this.fills.length;
    while (since !== undefined && lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fills[mid]!.time < since) lo = mid + 1;
      else hi = mid;
    }
    return this.fills.slice(lo).map((f) => ({ ...f }));
  }

  async positions(): Promise<BrokerPosition[]> {
    return [...this.holding].map((symbol) => {
      const l = this.ledgers.get(symbol)!;
      return { account: this.account, symbol, quantity: l.position, avgCost: l.averageCost };
    });
  }

  async accountSummary(): Promise<AccountSummary> {
    let net = 0;
    let gross = 0;
    let unrealized = 0;
    for (const symbol of this.holding) {
      const l = this.ledgers.get(symbol)!;
      const price = this.mark(symbol);
      net += l.position * price;
      gross += Math.abs(l.position * price);
      unrealized += l.unrealizedPnl(price);
    }
    const netLiquidation = this.cash + net;
    return {
      account: this.account, currency: 'USD', netLiquidation, totalCash: this.cash,
      buyingPower: netLiquidation - gross, grossPositionValue: gross, unrealizedPnl: unrealized, realizedPnl: this.realized,
    };
  }

  /** Daily bars only ("1 day"), up to the last session completed (today's bar once trade() has run). */
  async historicalBars(request: BarRequest): Promise<Bar[]> {
    if (request.barSize !== '1 day') throw new Error(`historicalBars: the backtest has daily bars only, got "${request.barSize}"`);
    const m = /^(\d+) ([DWMY])$/.exec(request.duration);
    if (!m) throw new Error(`historicalBars: duration must look like "30 D", "6 M" or "1 Y", got "${request.duration}"`);
    const s = this.view.seriesOf(request.symbol);
    const today = this.view.todayIndex(request.symbol);
    let end = today >= 0 && this.currentPhase() !== 'closed' ? today - 1 : this.view.lastIndex(request.symbol);
    if (request.end !== undefined) end = Math.min(end, lastIndexAtOrBefore(s.dates, request.end.slice(0, 10)));
    if (end < 0) return [];
    const from = durationStart(s.dates[end]!, Number(m[1]), m[2] as 'D' | 'W' | 'M' | 'Y');
    const bars: Bar[] = [];
    for (let i = lastIndexAtOrBefore(s.dates, from) + 1; i <= end; i++) bars.push(barAt(s, i));
    return bars;
  }

  async quote(symbol: string): Promise<Quote> {
    if (!this.view.has(symbol)) throw new Error(`quote: no security definition for ${symbol}`);
    const price = this.mark(symbol);
    return { symbol, bid: price, ask: price, last: price, bidSize: 0, askSize: 0, time: this.instant(this.currentPhase() === 'closed' ? 'close' : 'open') };
  }
}

/** The date `n` days, weeks, months or years before `date` (bars after it make up the duration). */
function durationStart(date: string, n: number, unit: 'D' | 'W' | 'M' | 'Y'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t =
    unit === 'D' ? Date.UTC(y, m - 1, d - n) : unit === 'W' ? Date.UTC(y, m - 1, d - 7 * n) : unit === 'M' ? Date.UTC(y, m - 1 - n, d) : Date.UTC(y - n, m - 1, d);
  return new Date(t).toISOString().slice(0, 10);
}
