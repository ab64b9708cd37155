/**
 * Decoders of client → server messages as @stoqey/ib 1.6.10 encodes them at server version 193
 * (dist/core/io/encoder.js, line numbers cited per message; socket.js for START_API).
 * Missing trailing fields read as "" so a decoder never throws; fields after the ones we need are ignored.
 */
import { ClientMsgId } from './ids';

/** The 12 contract fields shared by REQ_MKT_DATA, REQ_HISTORICAL_DATA, REQ_CONTRACT_DATA and PLACE_ORDER. */
export interface RequestContract {
  conId: number;
  symbol: string;
  secType: string;
  lastTradeDateOrContractMonth: string;
  strike?: number;
  right: string;
  multiplier?: number;
  exchange: string;
  primaryExch: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
}

export interface PlacedOrder {
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice?: number;
  auxPrice?: number;
  tif: string;
  ocaGroup: string;
  /** Undefined when the client left it unset (sent as ""); IB then reports 3 in openOrder. */
  ocaType?: number;
  account: string;
  orderRef: string;
  /** An unset stoqey `transmit` is sent as "" and reads false, like TWS's int parsing (pilwon/node-ib#4). */
  transmit: boolean;
  parentId: number;
  outsideRth: boolean;
  goodAfterTime: string;
  goodTillDate: string;
}

export interface ExecutionFilterFields {
  clientId?: number;
  acctCode: string;
  /** "yyyymmdd-hh:mm:ss" per the encoder's comment, or "". */
  time: string;
  symbol: string;
  secType: string;
  exchange: string;
  side: string;
}

export type ClientRequest =
  | { type: 'startApi'; clientId: number; optionalCapabilities: string }
  | { type: 'reqIds'; numIds: number }
  | { type: 'reqCurrentTime' }
  | { type: 'reqManagedAccts' }
  | { type: 'reqMarketDataType'; marketDataType: number }
  | {
      type: 'reqMktData';
      reqId: number;
      contract: RequestContract;
      genericTickList: string;
      snapshot: boolean;
      regulatorySnapshot: boolean;
    }
  | { type: 'cancelMktData'; reqId: number }
  | {
      type: 'reqHistoricalData';
      reqId: number;
      contract: RequestContract;
      includeExpired: boolean;
      endDateTime: string;
      barSize: string;
      duration: string;
      useRTH: boolean;
      whatToShow: string;
      formatDate: number;
      keepUpToDate: boolean;
    }
  | { type: 'cancelHistoricalData'; reqId: number }
  | {
      type: 'reqContractData';
      reqId: number;
      contract: RequestContract;
      includeExpired: boolean;
      secIdType: string;
      secId: string;
      issuerId: string;
    }
  | { type: 'placeOrder'; orderId: number; contract: RequestContract; order: PlacedOrder }
  | { type: 'cancelOrder'; orderId: number; manualOrderCancelTime: string }
  | { type: 'reqGlobalCancel' }
  | { type: 'reqOpenOrders' }
  | { type: 'reqAllOpenOrders' }
  | { type: 'reqAutoOpenOrders'; autoBind: boolean }
  | { type: 'reqExecutions'; reqId: number; filter: ExecutionFilterFields }
  | { type: 'reqPositions' }
  | { type: 'cancelPositions' }
  | { type: 'reqAccountSummary'; reqId: number; group: string; tags: string[] }
  | { type: 'cancelAccountSummary'; reqId: number }
  | { type: 'reqAccountUpdates'; subscribe: boolean; account: string }
  | { type: 'reqPnL'; reqId: number; account: string; modelCode: string }
  | { type: 'cancelPnL'; reqId: number }
  | { type: 'reqPnLSingle'; reqId: number; account: string; modelCode: string; conId: number }
  | { type: 'cancelPnLSingle'; reqId: number }
  | { type: 'unknown'; id: number; fields: string[] };

/** Reads fields in order with the decoder's conventions ("" is 0/false/undefined). */
class Fields {
  private next = 1; // field 0 is the message id

  constructor(private readonly fields: readonly string[]) {}

  skip(count = 1): this {
    this.next += count;
    return this;
  }

  str(): string {
    return this.fields[this.next++] ?? '';
  }

  int(): number {
    const s = this.str();
    return s === '' ? 0 : parseInt(s, 10);
  }

  optInt(): number | undefined {
    const s = this.str();
    return s === '' ? undefined : parseInt(s, 10);
  }

  /** Doubles the client left unset arrive as "" (encoder.js nullifyMax), or at worst as Number.MAX_VALUE. */
  num(): number | undefined {
    const s = this.str();
    const v = s === '' ? undefined : parseFloat(s);
    return v === Number.MAX_VALUE ? undefined : v;
  }

  bool(): boolean {
    return this.int() !== 0;
  }

  /** encoder.js encodeContract order without includeExpired. */
  contract(): RequestContract {
    return {
      conId: this.int(),
      symbol: this.str(),
      secType: this.str(),
      lastTradeDateOrContractMonth: this.str(),
      strike: this.num(),
      right: this.str(),
      multiplier: this.num(),
      exchange: this.str(),
      primaryExch: this.str(),
      currency: this.str(),
      localSymbol: this.str(),
      tradingClass: this.str(),
    };
  }

  /** Skips a count-prefixed list of `width`-field items (combo legs of a BAG contract). */
  skipList(width: number): void {
    this.skip(this.int() * width);
  }
}

const isBag = (contract: RequestContract): boolean => contract.secType.toUpperCase() === 'BAG';

/** encoder.js:504-1222 at server version 193, read up to ocaType (:900); the remaining ~75 fields are ignored. */
function placeOrder(f: Fields): ClientRequest {
  const orderId = f.int();
  const contract = f.contract();
  f.skip(2); // secIdType, secId
  const action = f.str();
  const totalQuantity = f.num() ?? 0;
  const orderType = f.str();
  const lmtPrice = f.num();
  const auxPrice = f.num();
  const tif = f.str();
  const ocaGroup = f.str();
  const account = f.str();
  f.skip(2); // openClose, origin
  const orderRef = f.str();
  const transmit = f.bool();
  const parentId = f.int();
  f.skip(4); // blockOrder, sweepToFill, displaySize, triggerMethod
  const outsideRth = f.bool();
  f.skip(1); // hidden
  if (isBag(contract)) {
    // combo legs: conId, ratio, action, exchange, openClose, shortSaleSlot, designatedLocation, exemptCode
    f.skipList(8);
    f.skipList(1); // order combo leg prices
    f.skipList(2); // smart combo routing params: tag, value
  }
  f.skip(2); // deprecated sharesAllocation, discretionaryAmt
  const goodAfterTime = f.str();
  const goodTillDate = f.str();
  // faGroup, faMethod, faPercentage (no faProfile at >= 177), modelCode, shortSaleSlot, designatedLocation, exemptCode
  f.skip(7);
  const ocaType = f.optInt();
  const order: PlacedOrder = {
    action,
    totalQuantity,
    orderType,
    lmtPrice,
    auxPrice,
    tif,
    ocaGroup,
    ocaType,
    account,
    orderRef,
    transmit,
    parentId,
    outsideRth,
    goodAfterTime,
    goodTillDate,
  };
  return { type: 'placeOrder', orderId, contract, order };
}

/** encoder.js:1660-1746. */
function reqMktData(f: Fields): ClientRequest {
  const reqId = f.skip().int(); // version 11
  const contract = f.contract();
  if (isBag(contract)) f.skipList(4); // combo legs: conId, ratio, action, exchange
  if (f.bool()) f.skip(3); // delta-neutral contract: conId, delta, price
  const genericTickList = f.str();
  const snapshot = f.bool();
  const regulatorySnapshot = f.bool();
  return { type: 'reqMktData', reqId, contract, genericTickList, snapshot, regulatorySnapshot };
}

/** encoder.js:1493-1564 (no version field at >= 124). */
function reqHistoricalData(f: Fields): ClientRequest {
  const reqId = f.int();
  const contract = f.contract();
  const includeExpired = f.bool();
  const endDateTime = f.str();
  const barSize = f.str();
  const duration = f.str();
  const useRTH = f.bool();
  const whatToShow = f.str();
  const formatDate = f.int();
  if (isBag(contract)) f.skipList(4);
  const keepUpToDate = f.bool();
  return {
    type: 'reqHistoricalData',
    reqId,
    contract,
    includeExpired,
    endDateTime,
    barSize,
    duration,
    useRTH,
    whatToShow,
    formatDate,
    keepUpToDate,
  };
}

/** encoder.js:1329-1398. */
function reqContractData(f: Fields): ClientRequest {
  const reqId = f.skip().int(); // version 8
  const contract = f.contract();
  return {
    type: 'reqContractData',
    reqId,
    contract,
    includeExpired: f.bool(),
    secIdType: f.str(),
    secId: f.str(),
    issuerId: f.str(),
  };
}

/** encoder.js:1413-1432. */
function reqExecutions(f: Fields): ClientRequest {
  const reqId = f.skip().int(); // version 3
  const filter: ExecutionFilterFields = {
    clientId: f.optInt(),
    acctCode: f.str(),
    time: f.str(),
    symbol: f.str(),
    secType: f.str(),
    exchange: f.str(),
    side: f.str(),
  };
  return { type: 'reqExecutions', reqId, filter };
}

/** Decodes one client message (its fields as yielded by FrameReader). Never throws. */
export function decodeRequest(fields: readonly string[]): ClientRequest {
  const id = parseInt(fields[0] ?? '', 10);
  const f = new Fields(fields);
  switch (id) {
    case ClientMsgId.START_API: // socket.js startAPI: version 2, clientId, optionalCapabilities
      return { type: 'startApi', clientId: f.skip().int(), optionalCapabilities: f.str() };
    case ClientMsgId.REQ_IDS: // encoder.js:1636
      return { type: 'reqIds', numIds: f.skip().int() };
    case ClientMsgId.REQ_CURRENT_TIME:
      return { type: 'reqCurrentTime' };
    case ClientMsgId.REQ_MANAGED_ACCTS:
      return { type: 'reqManagedAccts' };
    case ClientMsgId.REQ_MARKET_DATA_TYPE: // encoder.js:1650
      return { type: 'reqMarketDataType', marketDataType: f.skip().int() };
    case ClientMsgId.REQ_MKT_DATA:
      return reqMktData(f);
    case ClientMsgId.CANCEL_MKT_DATA: // encoder.js:350
      return { type: 'cancelMktData', reqId: f.skip().int() };
    case ClientMsgId.REQ_HISTORICAL_DATA:
      return reqHistoricalData(f);
    case ClientMsgId.CANCEL_HISTORICAL_DATA: // encoder.js:340
      return { type: 'cancelHistoricalData', reqId: f.skip().int() };
    case ClientMsgId.REQ_CONTRACT_DATA:
      return reqContractData(f);
    case ClientMsgId.PLACE_ORDER:
      return placeOrder(f);
    case ClientMsgId.CANCEL_ORDER: // encoder.js:381: no version at >= 192; extOperator, manualOrderIndicator follow
      return { type: 'cancelOrder', orderId: f.int(), manualOrderCancelTime: f.str() };
    case ClientMsgId.REQ_GLOBAL_CANCEL: // encoder.js:1468: extOperator, manualOrderIndicator
      return { type: 'reqGlobalCancel' };
    case ClientMsgId.REQ_OPEN_ORDERS:
      return { type: 'reqOpenOrders' };
    case ClientMsgId.REQ_ALL_OPEN_ORDERS:
      return { type: 'reqAllOpenOrders' };
    case ClientMsgId.REQ_AUTO_OPEN_ORDERS: // encoder.js:1313
      return { type: 'reqAutoOpenOrders', autoBind: f.skip().bool() };
    case ClientMsgId.REQ_EXECUTIONS:
      return reqExecutions(f);
    case ClientMsgId.REQ_POSITIONS:
      return { type: 'reqPositions' };
    case ClientMsgId.CANCEL_POSITIONS:
      return { type: 'cancelPositions' };
    case ClientMsgId.REQ_ACCOUNT_SUMMARY: {
      // encoder.js:1241: version 1, reqId, group, comma-separated tags
      const reqId = f.skip().int();
      const group = f.str();
      const tags = f.str().split(',').filter((t) => t !== '');
      return { type: 'reqAccountSummary', reqId, group, tags };
    }
    case ClientMsgId.CANCEL_ACCOUNT_SUMMARY: // encoder.js:293
      return { type: 'cancelAccountSummary', reqId: f.skip().int() };
    case ClientMsgId.REQ_ACCOUNT_DATA: // encoder.js:1287: version 2, subscribe, acctCode
      return { type: 'reqAccountUpdates', subscribe: f.skip().bool(), account: f.str() };
    case ClientMsgId.REQ_PNL: // encoder.js:1251 (no version field)
      return { type: 'reqPnL', reqId: f.int(), account: f.str(), modelCode: f.str() };
    case ClientMsgId.CANCEL_PNL:
      return { type: 'cancelPnL', reqId: f.int() };
    case ClientMsgId.REQ_PNL_SINGLE: // encoder.js:1269
      return { type: 'reqPnLSingle', reqId: f.int(), account: f.str(), modelCode: f.str(), conId: f.int() };
    case ClientMsgId.CANCEL_PNL_SINGLE:
      return { type: 'cancelPnLSingle', reqId: f.int() };
    default:
      return { type: 'unknown', id, fields: [...fields] };
  }
}
