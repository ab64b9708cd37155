/**
 * OPEN_ORDER encoder. Unmodelled fields carry the values of openOrder messages captured from a real IB Gateway
 * (server version 170-176, published as test fixtures in wboayue/rust-ibapi); fields added by later versions (183-193)
 * take the same "unset" conventions.
 */
import { contractFields, type ResponseFields, type SimContract, UNSET_DOUBLE, UNSET_INTEGER } from './fields';
import { ServerMsgId as Id } from './ids';

export interface OpenOrderInput {
  orderId: number;
  contract: SimContract;
  order: {
    action: string;
    totalQuantity: number;
    orderType: string;
    lmtPrice?: number;
    auxPrice?: number;
    tif?: string;
    ocaGroup?: string;
    /** IB echoes 3 for an order placed without one (captures). */
    ocaType?: number;
    account: string;
    orderRef?: string;
    clientId: number;
    /** Must be non-zero and unique: IBApiNext joins openOrder and orderStatus by permId. */
    permId: number;
    parentId?: number;
    outsideRth?: boolean;
    goodAfterTime?: string;
    goodTillDate?: string;
  };
  orderState: {
    status: string;
    commission?: number;
    minCommission?: number;
    maxCommission?: number;
    commissionCurrency?: string;
    warningText?: string;
  };
}

const isPegBench = (orderType: string): boolean => orderType === 'PEG BENCH' || orderType === 'PEGBENCH';

/**
 * OPEN_ORDER at 193: decodeMsg_OPEN_ORDER (decoder.js:589-677) and OrderDecoder (decoder.js:2125-2817); no version
 * field at >= 145. Unmodelled fields carry what a real gateway sends for a plain DAY stock order.
 */
export function openOrder({ orderId, contract, order: o, orderState: s }: OpenOrderInput): ResponseFields {
  if (!o.permId) throw new RangeError(`order ${orderId}: permId must be non-zero`);
  return [
    Id.OPEN_ORDER,
    orderId,
    ...contractFields(contract, '?'), // IB sends right "?" for a stock in openOrder
    o.action,
    o.totalQuantity,
    o.orderType,
    o.lmtPrice ?? 0, // IB sends 0.0, not unset, for the price an order type does not use
    o.auxPrice ?? 0,
    o.tif ?? 'DAY',
    o.ocaGroup ?? '',
    o.account,
    '', // openClose
    0, // origin: customer
    o.orderRef ?? '',
    o.clientId,
    o.permId,
    o.outsideRth ?? false,
    0, // hidden
    0, // discretionaryAmt
    o.goodAfterTime ?? '',
    `${o.permId}.0/${o.account}/100`, // deprecated sharesAllocation, skipped by clients; format as captured
    '', // faGroup
    '', // faMethod
    '', // faPercentage (faProfile is gone at >= 177)
    '', // modelCode
    o.goodTillDate ?? '',
    '', // rule80A
    '', // percentOffset
    '', // settlingFirm
    0, // shortSaleSlot
    '', // designatedLocation
    -1, // exemptCode
    0, // auctionStrategy
    '', // startingPrice
    '', // stockRefPrice
    '', // delta
    '', // stockRangeLower
    '', // stockRangeUpper
    UNSET_INTEGER, // displaySize
    0, // blockOrder
    0, // sweepToFill
    0, // allOrNone
    '', // minQty
    o.ocaType ?? 3,
    0, // eTradeOnly
    0, // firmQuoteOnly
    '', // nbboPriceCap
    o.parentId ?? 0,
    0, // triggerMethod
    '', // volatility
    0, // volatilityType
    'None', // deltaNeutralOrderType: non-empty, so the 8 delta-neutral fields below are read
    '', // deltaNeutralAuxPrice
    0, // deltaNeutralConId
    '', // deltaNeutralSettlingFirm
    '', // deltaNeutralClearingAccount
    '', // deltaNeutralClearingIntent
    '?', // deltaNeutralOpenClose
    0, // deltaNeutralShortSale
    0, // deltaNeutralShortSaleSlot
    '', // deltaNeutralDesignatedLocation
    0, // continuousUpdate
    0, // referencePriceType
    '', // trailStopPrice
    '', // trailingPercent
    '', // basisPoints
    '', // basisPointsType
    '', // comboLegsDescription
    0, // combo legs
    0, // order combo legs
    0, // smart combo routing params
    UNSET_INTEGER, // scaleInitLevelSize
    UNSET_INTEGER, // scaleSubsLevelSize
    '', // scalePriceIncrement: empty, so the 7 scale fields are not read
    '', // hedgeType: empty, so no hedgeParam
    0, // optOutSmartRouting
    '', // clearingAccount
    'IB', // clearingIntent
    0, // notHeld
    0, // no delta-neutral contract
    '', // algoStrategy: empty, so no algo params
    0, // solicited
    0, // whatIf
    s.status,
    // initMargin/maintMargin/equityWithLoan before, change and after: only a what-if order has them
    ...new Array<string>(9).fill(UNSET_DOUBLE),
    s.commission, // "" until filled, then e.g. 1.0 with currency USD (captures)
    s.minCommission,
    s.maxCommission,
    s.commissionCurrency ?? '',
    s.warningText ?? '',
    0, // randomizeSize
    0, // randomizePrice
    ...(isPegBench(o.orderType) ? [0, 0, 0, 0, ''] : []), // PEG BENCH reference fields, read for that type only
    0, // conditions
    'None', // adjustedOrderType
    UNSET_DOUBLE, // triggerPrice
    UNSET_DOUBLE, // trailStopPrice
    UNSET_DOUBLE, // lmtPriceOffset
    UNSET_DOUBLE, // adjustedStopPrice
    UNSET_DOUBLE, // adjustedStopLimitPrice
    UNSET_DOUBLE, // adjustedTrailingAmount
    0, // adjustableTrailingUnit
    '', // softDollarTier name
    '', // softDollarTier value
    '', // softDollarTier displayName
    0, // cashQty
    1, // dontUseAutoPriceForHedge (IB's default)
    0, // isOmsContainer
    0, // discretionaryUpToLimitPrice
    0, // usePriceMgmtAlgo
    '', // duration
    '', // postToAts
    0, // autoCancelParent
    '', // minTradeQty
    '', // minCompeteSize
    '', // competeAgainstBestOffset
    '', // midOffsetAtWhole
    '', // midOffsetAtHalf
    // Fields added after the captures (183-193): values by analogy with the unset fields above.
    '', // customerAccount
    0, // professionalCustomer
    '', // bondAccruedInterest
    0, // includeOvernight
    '', // extOperator
    UNSET_INTEGER, // manualOrderIndicator
  ];
}
