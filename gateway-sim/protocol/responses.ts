/**
 * Encoders of server → client messages in the layout @stoqey/ib 1.6.10 decodes at server version 193
 * (dist/core/io/decoder.js; line numbers cited per message). Each returns the fields for encodeFrame.
 *
 * Defaults for fields a simulator does not model follow contractDetails/execDetails/openOrder messages captured from
 * a real IB Gateway (server version 164-176), published as test fixtures in wboayue/rust-ibapi.
 */
import { type FieldValue, ProtocolError } from './framing';
import { contractFields, type ResponseFields, type SimContract, UNSET_DOUBLE } from './fields';
import { ServerMsgId as Id } from './ids';

export { type ResponseFields, type SimContract, UNSET_DOUBLE, UNSET_INTEGER } from './fields';
export { type OpenOrderInput, openOrder } from './open-order';

const orUnset = (v: number | undefined): FieldValue => v ?? UNSET_DOUBLE;

// --- session --------------------------------------------------------------------------------------------------

export const nextValidId = (orderId: number): ResponseFields => [Id.NEXT_VALID_ID, 1, orderId];

export const managedAccounts = (accounts: readonly string[]): ResponseFields => [
  Id.MANAGED_ACCTS,
  1,
  accounts.join(','),
];

export interface ErrorInput {
  /** Request or order id; -1 makes the client emit `info` instead of `error` (decoder.js:578). */
  id: number;
  code: number;
  message: string;
  /**
   * Serialised with JSON.stringify: the decoder JSON.parses any non-empty value (decoder.js:575), and invalid JSON
   * would throw out of the client's socket handler instead of becoming an error event.
   */
  advancedOrderReject?: object;
}

export function errorMessage(e: ErrorInput): ResponseFields {
  const json = e.advancedOrderReject === undefined ? '' : JSON.stringify(e.advancedOrderReject);
  // The client turns \uXXXX into characters before JSON.parse, which breaks escaped control characters and "\\u".
  if (json.includes('\\u')) throw new ProtocolError('advancedOrderReject must not contain control characters or "\\u"');
  return [Id.ERR_MSG, 2 /* version >= 2: id and code follow */, e.id, e.code, e.message, json];
}

export const currentTime = (epochSeconds: number): ResponseFields => [Id.CURRENT_TIME, 1, Math.floor(epochSeconds)];

// --- market data ----------------------------------------------------------------------------------------------

/** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen. */
export const marketDataType = (reqId: number, type: number): ResponseFields => [Id.MARKET_DATA_TYPE, 1, reqId, type];

export interface TickReqParamsInput {
  reqId: number;
  /** Sent as IB does (e.g. 0.01), but stoqey reads it with readInt (decoder.js:1691), so the client sees 0. */
  minTick: number;
  /** IB sends an exchange mnemonic here (e.g. "9c0001"). */
  bboExchange?: string;
  snapshotPermissions?: number;
}

export const tickReqParams = (p: TickReqParamsInput): ResponseFields => [
  Id.TICK_REQ_PARAMS,
  p.reqId,
  p.minTick,
  p.bboExchange ?? '',
  p.snapshotPermissions ?? 3,
];

export interface TickPriceInput {
  reqId: number;
  tickType: number;
  price: number;
  /** Emitted by the client as a tickSize event for ASK/LAST (never for BID: see tickPriceAndSize). */
  size?: number;
  canAutoExecute?: boolean;
  pastLimit?: boolean;
  preOpen?: boolean;
}

/** decoder.js:464: the attribute mask reaches the app only as a boolean (mask != 0). */
export const tickPrice = (t: TickPriceInput): ResponseFields => [
  Id.TICK_PRICE,
  6, // version >= 3: size and attribute mask follow
  t.reqId,
  t.tickType,
  t.price,
  t.size,
  (t.canAutoExecute ? 1 : 0) | (t.pastLimit ? 2 : 0) | (t.preOpen ? 4 : 0),
];

export const tickSize = (reqId: number, tickType: number, size: number): ResponseFields => [
  Id.TICK_SIZE,
  6,
  reqId,
  tickType,
  size,
];

const TICK_BID = 1;
const TICK_BID_SIZE = 0;

/**
 * TICK_PRICE plus, for BID, an explicit TICK_SIZE(BID_SIZE): the decoder's `if (sizeTickType)` (decoder.js:503)
 * drops the size it derives from a bid price because BID_SIZE is 0.
 */
export function tickPriceAndSize(t: TickPriceInput & { size: number }): ResponseFields[] {
  const messages = [tickPrice(t)];
  if (t.tickType === TICK_BID) messages.push(tickSize(t.reqId, TICK_BID_SIZE, t.size));
  return messages;
}

export const tickString = (reqId: number, tickType: number, value: string): ResponseFields => [
  Id.TICK_STRING,
  6,
  reqId,
  tickType,
  value,
];

export const tickGeneric = (reqId: number, tickType: number, value: number): ResponseFields => [
  Id.TICK_GENERIC,
  6,
  reqId,
  tickType,
  value,
];

export const tickSnapshotEnd = (reqId: number): ResponseFields => [Id.TICK_SNAPSHOT_END, 1, reqId];

// --- historical data ------------------------------------------------------------------------------------------

export interface Bar {
  /** As requested by formatDate: "yyyyMMdd HH:mm:ss <tz>" / "yyyyMMdd" (1) or epoch seconds (2). */
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

/**
 * All bars of a request in one message (decoder.js:1018). The client itself emits the end marker
 * (date "finished-<start>-<end>") after the last bar; there is no separate end message at 193.
 */
export function historicalData(reqId: number, start: string, end: string, bars: readonly Bar[]): ResponseFields {
  return [
    Id.HISTORICAL_DATA,
    reqId,
    start,
    end,
    bars.length,
    ...bars.flatMap((b) => [b.time, b.open, b.high, b.low, b.close, b.volume, b.wap, b.count]),
  ];
}

/** keepUpToDate bar; note the open, close, high, low order (decoder.js:1058). */
export const historicalDataUpdate = (reqId: number, b: Bar): ResponseFields => [
  Id.HISTORICAL_DATA_UPDATE,
  reqId,
  b.count,
  b.time,
  b.open,
  b.close,
  b.high,
  b.low,
  b.wap,
  b.volume,
];

// --- contract details -----------------------------------------------------------------------------------------

export interface ContractDetailsInput {
  contract: SimContract & { primaryExch: string };
  marketName: string;
  minTick: number;
  longName: string;
  timeZoneId: string;
  tradingHours: string;
  liquidHours: string;
  orderTypes?: string;
  validExchanges?: string;
  priceMagnifier?: number;
  underConId?: number;
  contractMonth?: string;
  industry?: string;
  category?: string;
  subcategory?: string;
  evRule?: string;
  evMultiplier?: number;
  secIdList?: readonly { tag: string; value: string }[];
  aggGroup?: number;
  underSymbol?: string;
  underSecType?: string;
  marketRuleIds?: string;
  realExpirationDate?: string;
  lastTradeDate?: string;
  stockType?: string;
  minSize?: number;
  sizeIncrement?: number;
  suggestedSizeIncrement?: number;
}

/** decoder.js:753 at 193 (no version field at >= 164). Defaults are those of a captured TSLA answer. */
export function contractData(reqId: number, d: ContractDetailsInput): ResponseFields {
  const c = d.contract;
  return [
    Id.CONTRACT_DATA,
    reqId,
    c.symbol,
    c.secType,
    c.lastTradeDateOrContractMonth ?? '',
    d.lastTradeDate ?? '',
    c.strike ?? 0,
    c.right ?? '',
    c.exchange,
    c.currency,
    c.localSymbol ?? c.symbol,
    d.marketName,
    c.tradingClass ?? c.symbol,
    c.conId,
    d.minTick,
    c.multiplier,
    d.orderTypes ?? '',
    d.validExchanges ?? c.exchange,
    d.priceMagnifier ?? 1,
    d.underConId ?? 0,
    d.longName,
    c.primaryExch,
    d.contractMonth ?? '',
    d.industry ?? '',
    d.category ?? '',
    d.subcategory ?? '',
    d.timeZoneId,
    d.tradingHours,
    d.liquidHours,
    d.evRule ?? '',
    d.evMultiplier,
    d.secIdList?.length ?? 0,
    ...(d.secIdList ?? []).flatMap((s) => [s.tag, s.value]),
    d.aggGroup ?? 1,
    d.underSymbol ?? '',
    d.underSecType ?? '',
    d.marketRuleIds ?? '',
    d.realExpirationDate ?? '',
    d.stockType ?? (c.secType === 'STK' ? 'COMMON' : ''),
    d.minSize ?? 1,
    d.sizeIncrement ?? 1,
    d.suggestedSizeIncrement ?? 100,
    // 17 fund fields are read only for secType FUND; empty ones keep such a frame decodable.
    ...(c.secType === 'FUND' ? new Array<string>(17).fill('') : []),
    0, // ineligibility reasons
  ];
}

export const contractDataEnd = (reqId: number): ResponseFields => [Id.CONTRACT_DATA_END, 1, reqId];

// --- orders ---------------------------------------------------------------------------------------------------

export const openOrderEnd = (): ResponseFields => [Id.OPEN_ORDER_END, 1];

export interface OrderStatusInput {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  permId: number;
  parentId?: number;
  lastFillPrice: number;
  clientId: number;
  whyHeld?: string;
  mktCapPrice?: number;
}

/** decoder.js:520 (no version field at >= 131). */
export const orderStatus = (s: OrderStatusInput): ResponseFields => [
  Id.ORDER_STATUS,
  s.orderId,
  s.status,
  s.filled,
  s.remaining,
  s.avgFillPrice,
  s.permId,
  s.parentId ?? 0,
  s.lastFillPrice,
  s.clientId,
  s.whyHeld ?? '',
  s.mktCapPrice ?? 0,
];

// --- executions -----------------------------------------------------------------------------------------------

export interface ExecutionInput {
  /** -1 for a live fill, the reqExecutions reqId otherwise. */
  reqId: number;
  orderId: number;
  /** exchange = execution venue (e.g. ISLAND), as IB sends it. */
  contract: SimContract;
  execId: string;
  /** IB sends e.g. "20230224  12:04:56" (captured) or "yyyyMMdd HH:mm:ss <tz>"; clients keep it as a string. */
  time: string;
  account: string;
  exchange: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  permId: number;
  clientId: number;
  cumQty: number;
  avgPrice: number;
  orderRef?: string;
  /** 1 added, 2 removed, 3 routed out; defaults to 2 as in the captured market-order fill. */
  lastLiquidity?: number;
}

/** decoder.js:887 (no version field at >= 136). */
export const executionData = (e: ExecutionInput): ResponseFields => [
  Id.EXECUTION_DATA,
  e.reqId,
  e.orderId,
  ...contractFields(e.contract, ''),
  e.execId,
  e.time,
  e.account,
  e.exchange,
  e.side,
  e.shares,
  e.price,
  e.permId,
  e.clientId,
  0, // liquidation
  e.cumQty,
  e.avgPrice,
  e.orderRef ?? '',
  '', // evRule
  '', // evMultiplier
  '', // modelCode
  e.lastLiquidity ?? 2,
  0, // pendingPriceRevision
];

export const executionDataEnd = (reqId: number): ResponseFields => [Id.EXECUTION_DATA_END, 1, reqId];

export interface CommissionReportInput {
  execId: string;
  commission: number;
  currency: string;
  /** Unset (as IB sends for an opening fill) when undefined. */
  realizedPNL?: number;
}

/** decoder.js:1431: yield unset, yieldRedemptionDate empty for stocks. */
export const commissionReport = (c: CommissionReportInput): ResponseFields => [
  Id.COMMISSION_REPORT,
  1,
  c.execId,
  c.commission,
  c.currency,
  orUnset(c.realizedPNL),
  UNSET_DOUBLE,
  '',
];

// --- positions and account ------------------------------------------------------------------------------------

export interface PositionInput {
  account: string;
  contract: SimContract;
  position: number;
  avgCost: number;
}

/** decoder.js:1445, version 3. */
export const position = (p: PositionInput): ResponseFields => [
  Id.POSITION,
  3,
  p.account,
  ...contractFields(p.contract, ''),
  p.position,
  p.avgCost,
];

export const positionEnd = (): ResponseFields => [Id.POSITION_END, 1];

export interface AccountSummaryInput {
  reqId: number;
  account: string;
  tag: string;
  value: string;
  currency: string;
}

export const accountSummary = (a: AccountSummaryInput): ResponseFields => [
  Id.ACCOUNT_SUMMARY,
  1,
  a.reqId,
  a.account,
  a.tag,
  a.value,
  a.currency,
];

export const accountSummaryEnd = (reqId: number): ResponseFields => [Id.ACCOUNT_SUMMARY_END, 1, reqId];

export const accountValue = (key: string, value: string, currency: string, account: string): ResponseFields => [
  Id.ACCT_VALUE,
  2,
  key,
  value,
  currency,
  account,
];

export interface PortfolioValueInput {
  contract: SimContract;
  position: number;
  marketPrice: number;
  marketValue: number;
  averageCost: number;
  unrealizedPNL: number;
  realizedPNL: number;
  account: string;
}

/** decoder.js:692, version 8: primaryExch takes the place of exchange. */
export const portfolioValue = (p: PortfolioValueInput): ResponseFields => [
  Id.PORTFOLIO_VALUE,
  8,
  p.contract.conId,
  p.contract.symbol,
  p.contract.secType,
  p.contract.lastTradeDateOrContractMonth ?? '',
  p.contract.strike ?? 0,
  p.contract.right ?? '',
  p.contract.multiplier,
  p.contract.primaryExch ?? '',
  p.contract.currency,
  p.contract.localSymbol ?? p.contract.symbol,
  p.contract.tradingClass ?? p.contract.symbol,
  p.position,
  p.marketPrice,
  p.marketValue,
  p.averageCost,
  p.unrealizedPNL,
  p.realizedPNL,
  p.account,
];

/** "HH:mm". */
export const accountUpdateTime = (time: string): ResponseFields => [Id.ACCT_UPDATE_TIME, 1, time];

export const accountDownloadEnd = (account: string): ResponseFields => [Id.ACCT_DOWNLOAD_END, 1, account];

/** decoder.js:1791; undefined values go out unset, which the client maps back to undefined. */
export const pnl = (reqId: number, daily?: number, unrealized?: number, realized?: number): ResponseFields => [
  Id.PNL,
  reqId,
  orUnset(daily),
  orUnset(unrealized),
  orUnset(realized),
];

export interface PnLSingleInput {
  reqId: number;
  position: number;
  daily?: number;
  unrealized?: number;
  realized?: number;
  value: number;
}

/** decoder.js:1807. */
export const pnlSingle = (p: PnLSingleInput): ResponseFields => [
  Id.PNL_SINGLE,
  p.reqId,
  p.position,
  orUnset(p.daily),
  orUnset(p.unrealized),
  orUnset(p.realized),
  p.value,
];
