/**
 * Order types of the simulated exchange: what a client places, what the exchange reports, and the typed rejections
 * the server maps to IB error codes. Supported: MKT, LMT, STP, STP LMT; TIF DAY and GTC; whole shares.
 */
export type OrderAction = 'BUY' | 'SELL';
export type OrderType = 'MKT' | 'LMT' | 'STP' | 'STP LMT';
export type TimeInForce = 'DAY' | 'GTC';
/** 'ApiPending' marks an order held by transmit=false; it is never emitted (IB keeps such orders in TWS). */
export type OrderStatus = 'ApiPending' | 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled';

export interface OrderRequest {
  clientId: number;
  orderId: number;
  symbol: string;
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice?: number;
  /** Stop price of STP and STP LMT orders. */
  auxPrice?: number;
  /** '' or undefined = DAY. */
  tif?: string;
  /** 0 or undefined = no parent. */
  parentId?: number;
  ocaGroup?: string;
  /** 1 = cancel the other members on a fill; anything else = reduce them by the filled quantity. */
  ocaType?: number;
  /** false holds the order until an order of its bracket arrives with transmit=true. Default true. */
  transmit?: boolean;
  orderRef?: string;
  /** Echoed only: the simulator never fills outside regular trading hours. */
  outsideRth?: boolean;
}

export interface OrderView {
  clientId: number;
  orderId: number;
  /** Unique, non-zero (IBApiNext joins openOrder and orderStatus by permId). */
  permId: number;
  symbol: string;
  action: OrderAction;
  orderType: OrderType;
  totalQuantity: number;
  lmtPrice?: number;
  auxPrice?: number;
  tif: TimeInForce;
  parentId: number;
  ocaGroup: string;
  ocaType: number;
  orderRef: string;
  outsideRth: boolean;
  status: OrderStatus;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  lastFillPrice: number;
}

export type RejectReason = 'duplicateOrderId' | 'cannotModifyFilled' | 'modifyMismatch' | 'unknownSymbol' | 'invalidOrder';

/** The IB error code the server should send for each rejection. */
export const REJECT_CODES: Readonly<Record<RejectReason, number>> = {
  duplicateOrderId: 103,
  cannotModifyFilled: 104,
  modifyMismatch: 105,
  unknownSymbol: 200,
  invalidOrder: 321,
};

export interface Rejection<R extends string = RejectReason> {
  ok: false;
  reason: R;
  code: number;
  message: string;
}

export type PlaceResult = { ok: true; order: OrderView; modified: boolean } | Rejection;

/** 10147: no such order; 10148: the order is no longer cancellable (filled or already cancelled). */
export type CancelResult = { ok: true; order: OrderView } | Rejection<'notFound' | 'notCancellable'>;

export const reject = (reason: RejectReason, message: string): Rejection => ({ ok: false, reason, code: REJECT_CODES[reason], message });

export interface ValidOrder {
  action: OrderAction;
  orderType: OrderType;
  tif: TimeInForce;
  totalQuantity: number;
  lmtPrice?: number;
  auxPrice?: number;
}

const positive = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** Field checks IB answers with error 321 (validation error). */
export function validateFields(r: OrderRequest): ValidOrder | Rejection {
  const invalid = (message: string): Rejection => reject('invalidOrder', `Error validating request: ${message}`);
  if (r.action !== 'BUY' && r.action !== 'SELL') return invalid(`unsupported action "${r.action}"`);
  if (!['MKT', 'LMT', 'STP', 'STP LMT'].includes(r.orderType)) return invalid(`unsupported order type "${r.orderType}"`);
  const tif = r.tif || 'DAY';
  if (tif !== 'DAY' && tif !== 'GTC') return invalid(`unsupported time in force "${tif}"`);
  if (!positive(r.totalQuantity) || !Number.isInteger(r.totalQuantity)) return invalid(`the order quantity must be a positive whole number, got ${r.totalQuantity}`);
  const orderType = r.orderType as OrderType;
  const needsLimit = orderType === 'LMT' || orderType === 'STP LMT';
  const needsStop = orderType === 'STP' || orderType === 'STP LMT';
  if (needsLimit && !positive(r.lmtPrice)) return invalid(`a ${orderType} order needs a positive limit price`);
  if (needsStop && !positive(r.auxPrice)) return invalid(`a ${orderType} order needs a positive stop price (auxPrice)`);
  return {
    action: r.action,
    orderType,
    tif,
    totalQuantity: r.totalQuantity,
    lmtPrice: needsLimit ? r.lmtPrice : undefined,
    auxPrice: needsStop ? r.auxPrice : undefined,
  };
}
