/**
 * Protocol-free core of the IB gateway simulator: a simulated clock, prices from real bars, and a deterministic
 * exchange + account that the TWS-protocol server wraps.
 */
export { SimClock, type SimClockOptions } from './clock';
export { SessionCalendar, type TradingSession } from './sessions';
export type { BarValues } from './day-path';
export {
  BAR_MINUTES,
  DEFAULT_PRICE_CONFIG,
  loadPriceData,
  PriceSource,
  Spread,
  onTick,
  type BarRange,
  type BarSize,
  type HistoricalBar,
  type PriceConfig,
  type PriceData,
  type Quote,
} from './prices';
export {
  REJECT_CODES,
  type CancelResult,
  type OrderAction,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type OrderView,
  type PlaceResult,
  type RejectReason,
  type Rejection,
  type TimeInForce,
} from './orders';
export { DEFAULT_COMMISSION, orderCommission, type AccountSummary, type CommissionConfig, type PositionView } from './account';
export {
  DEFAULT_EXCHANGE_CONFIG,
  SimExchange,
  type CommissionReport,
  type ExchangeConfig,
  type ExchangeEvents,
  type ExchangeOptions,
  type Execution,
  type ExecutionFilter,
  type ExecutionRecord,
  type LiquidityConfig,
} from './exchange';
