import type { Bar } from '../trading/indicators';

/**
 * The broker port: one interface for everything that trades. The IB adapter fulfils it against
 * IB Gateway/TWS or the gateway simulator; the backtester's simulated execution fulfils it too.
 * Orders are identified by orderRef, a deterministic reference derived from the position workflow
 * id and the leg, so that a retried placement finds the order it already placed.
 */
export type OrderAction = 'BUY' | 'SELL';
export type OrderType = 'MKT' | 'LMT' | 'STP' | 'STP LMT';
export type TimeInForce = 'DAY' | 'GTC';

export interface OrderRequest {
  orderRef: string;
  symbol: string;
  action: OrderAction;
  quantity: number;
  type: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  tif?: TimeInForce;
}

/** Entry plus take-profit and stop-loss children, the children one OCA group (one fills, the other is cancelled). */
export interface BracketRequest {
  /** Legs are `${orderRef}:entry`, `${orderRef}:target`, `${orderRef}:stop`. */
  orderRef: string;
  symbol: string;
  action: OrderAction;
  quantity: number;
  entry: { type: 'MKT' } | { type: 'LMT'; limitPrice: number };
  takeProfitPrice: number;
  stopLossPrice: number;
  tif?: TimeInForce;
}

/** IB's order statuses, as the TWS API reports them. */
export type OrderStatus = 'PendingSubmit' | 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled' | 'ApiCancelled' | 'Inactive' | 'PendingCancel';

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['Filled', 'Cancelled', 'ApiCancelled', 'Inactive']);

export interface OrderState {
  orderRef: string;
  brokerOrderId: number;
  permId: number;
  symbol: string;
  action: OrderAction;
  type: OrderType;
  quantity: number;
  status: OrderStatus;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  /** Set when the broker rejected the order (e.g. IB error 201). */
  rejectReason?: string;
}

export interface Fill {
  /** The broker's execution id: a fill is recorded once under it. */
  execId: string;
  orderRef: string;
  brokerOrderId: number;
  permId: number;
  symbol: string;
  side: 'BOT' | 'SLD';
  quantity: number;
  price: number;
  /** ISO-8601 instant of the execution. */
  time: string;
  cumQty: number;
  avgPrice: number;
  commission?: number;
  commissionCurrency?: string;
  realizedPnl?: number;
}

export interface BrokerPosition {
  account: string;
  symbol: string;
  quantity: number;
  avgCost: number;
}

export interface AccountSummary {
  account: string;
  currency: string;
  netLiquidation: number;
  totalCash: number;
  buyingPower: number;
  grossPositionValue: number;
  unrealizedPnl: number;
  realizedPnl: number;
}

export interface Quote {
  symbol: string;
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  /** ISO-8601 instant of the quote, on the broker's clock (the simulator's clock may run fast). */
  time: string;
}

export interface BarRequest {
  symbol: string;
  /** Last bar included; defaults to now on the broker's clock. */
  end?: string;
  /** IB duration string, e.g. "1 Y", "6 M", "30 D", "1 D". */
  duration: string;
  /** IB bar size, e.g. "1 day", "1 hour", "1 min". */
  barSize: string;
}

/**
 * DISCONNECTED: not wanted (before connect(), after disconnect()). CONNECTING: connect() is trying. CONNECTED: orders
 * may be placed. RECONNECTING: the connection was lost (socket closed, heartbeat unanswered, or IB's own link down
 * between 1100 and 1101/1102) and is being restored; it turns CONNECTED once open orders, executions and positions
 * are resynced.
 */
export type ConnectionState = 'DISCONNECTED' | 'CONNECTING' | 'CONNECTED' | 'RECONNECTING';

export interface ConnectionStatus {
  state: ConnectionState;
  /** When the current outage began (ISO-8601), while CONNECTING or RECONNECTING. */
  downSince?: string;
  /** Milliseconds since downSince; 0 while CONNECTED or DISCONNECTED. */
  outageMs: number;
  /** What began the outage, e.g. "socket closed", "no answer to the heartbeat within 5000 ms", "IB lost its connection to its servers (1100)". */
  reason?: string;
  /** Why the last attempt to connect failed, e.g. IB's 326 (client id in use) or a refused connection. */
  lastFailure?: string;
}

/** What the broker knows of a stock. */
export interface ContractInfo {
  symbol: string;
  conId: number;
  /** Listing exchange, e.g. NYSE or NASDAQ. */
  primaryExchange: string;
  longName: string;
  industry?: string;
  minTick: number;
}

/** The broker cannot be reached now (not connected, timed out, connection lost): worth retrying later. */
export class BrokerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/** The broker refused a request (unknown symbol, invalid parameters, no data): retrying the same request will not help. */
export class BrokerRequestError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'BrokerRequestError';
  }
}

/** The broker rejected an order (e.g. IB error 201); the order is not working. */
export class OrderRejectedError extends Error {
  constructor(readonly orderRef: string, readonly code: number, message: string) {
    super(`order ${orderRef} rejected (${code}): ${message}`);
    this.name = 'OrderRejectedError';
  }
}

export interface Broker {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  connectionStatus(): ConnectionStatus;

  /** Idempotent by orderRef: an order already open or executed under that ref is returned, never placed again. */
  placeOrder(order: OrderRequest): Promise<OrderState>;
  placeBracket(bracket: BracketRequest): Promise<OrderState[]>;
  cancelOrder(orderRef: string): Promise<void>;
  cancelAllOrders(): Promise<void>;
  order(orderRef: string): Promise<OrderState | undefined>;
  openOrders(): Promise<OrderState[]>;
  /** Executions since the instant (ISO-8601), with their commissions. */
  executions(since?: string): Promise<Fill[]>;
  positions(): Promise<BrokerPosition[]>;
  accountSummary(): Promise<AccountSummary>;
  /** Daily bars dated YYYY-MM-DD, intraday bars by ISO-8601 instant. */
  historicalBars(request: BarRequest): Promise<Bar[]>;
  /** A snapshot quote. */
  quote(symbol: string): Promise<Quote>;
}

/** What a live broker offers beyond the port (the backtester's simulated execution has no streams or listings). */
export interface LiveMarketData {
  /**
   * Streams quotes of a symbol to onQuote (on every price change) until the returned function is called. The
   * subscription survives reconnects and IB's 1101 (it is requested again); nothing arrives while disconnected.
   */
  subscribeQuotes(symbol: string, onQuote: (quote: Quote) => void): () => void;
  contract(symbol: string): Promise<ContractInfo>;
}

/** A broker that pushes order news: what lets Position workflows wait for events instead of polling. */
export interface OrderEvents {
  /**
   * Calls onEvent with the orderRef whenever that order's status, an execution of it or its commission report arrives
   * (also while resyncing after a reconnect), until the returned function is called.
   */
  onOrderEvent(onEvent: (orderRef: string) => void): () => void;
  /** The executions (with commissions) received so far whose orderRef starts with the prefix, without asking the broker again. */
  knownExecutions(orderRefPrefix: string): Fill[];
}

export function hasLiveMarketData(broker: object): broker is LiveMarketData {
  return typeof (broker as Partial<LiveMarketData>).subscribeQuotes === 'function';
}

export function hasOrderEvents(broker: object): broker is OrderEvents {
  return typeof (broker as Partial<OrderEvents>).onOrderEvent === 'function';
}

/** The order references of a position's legs: stable across retries, restarts and replays. */
export function orderRef(workflowId: string, leg: string): string {
  return `${workflowId}:${leg}`;
}
