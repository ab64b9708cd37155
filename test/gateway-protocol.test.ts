/**
 * Contract test of the gateway simulator's protocol layer (gateway-sim/protocol) against the unmodified
 * @stoqey/ib 1.6.10 IBApi client. A throw-away TCP server built only from the protocol modules answers requests
 * with canned data; the test checks that the client decodes every server message into the expected event, that
 * the requests it sends decode into the expected shapes, and that the client never reports a decoding error (505).
 */
import * as net from 'node:net';
import {
  BarSizeSetting,
  type Contract,
  EventName,
  IBApi,
  IBApiTickType as Tick,
  MarketDataType,
  type Order,
  OrderAction,
  OrderType,
  SecType,
  WhatToShow,
} from '@stoqey/ib';
import {
  type Bar,
  type ClientRequest,
  type ContractDetailsInput,
  type ResponseFields,
  type SimContract,
  accountDownloadEnd,
  accountSummary,
  accountSummaryEnd,
  accountUpdateTime,
  accountValue,
  acceptClient,
  commissionReport,
  contractData,
  contractDataEnd,
  currentTime,
  decodeRequest,
  encodeFrame,
  errorMessage,
  executionData,
  executionDataEnd,
  FrameReader,
  historicalData,
  historicalDataUpdate,
  managedAccounts,
  marketDataType,
  nextValidId,
  openOrder,
  openOrderEnd,
  orderStatus,
  pnl,
  pnlSingle,
  portfolioValue,
  position,
  positionEnd,
  ProtocolError,
  tickGeneric,
  tickPriceAndSize,
  tickReqParams,
  tickSize,
  tickSnapshotEnd,
  tickString,
} from '../gateway-sim/protocol';

const ACCOUNT = 'DU1234567';
const CLIENT_ID = 7;
const FIRST_ORDER_ID = 1000;
const NOW = 1767364200; // 2026-01-02 14:30:00 UTC
const CONNECTION_TIME = '20260102 09:30:00 US/Eastern';
const AAPL: SimContract = {
  conId: 265598,
  symbol: 'AAPL',
  secType: 'STK',
  exchange: 'SMART',
  primaryExch: 'NASDAQ',
  currency: 'USD',
  tradingClass: 'NMS',
};
const AAPL_DETAILS: ContractDetailsInput = {
  contract: { ...AAPL, primaryExch: 'NASDAQ' },
  marketName: 'NMS',
  minTick: 0.01,
  longName: 'APPLE INC',
  timeZoneId: 'US/Eastern',
  tradingHours: '20260102:0400-20260102:2000',
  liquidHours: '20260102:0930-20260102:1600',
  orderTypes: 'LMT,MKT,STP',
  validExchanges: 'SMART,NASDAQ',
  industry: 'Technology',
  secIdList: [{ tag: 'ISIN', value: 'US0378331005' }],
  marketRuleIds: '26,26',
};
const BARS: Bar[] = [0, 1, 2].map((i) => ({
  time: `20260102 09:${30 + 5 * i}:00 US/Eastern`,
  open: 150 + i,
  high: 151 + i,
  low: 149.5 + i,
  close: 150.5 + i,
  volume: 1000 * (i + 1),
  wap: 150.25 + i,
  count: 10 + i,
}));
const EXEC_ID = '0000e1a7.65e1eca3.01.01';

/** Canned replies; everything else is only recorded. */
function respond(req: ClientRequest, clientId: number): ResponseFields[] {
  switch (req.type) {
    case 'startApi':
      return [
        managedAccounts([ACCOUNT]),
        nextValidId(FIRST_ORDER_ID),
        errorMessage({ id: -1, code: 2104, message: 'Market data farm connection is OK:usfarm' }),
        errorMessage({ id: -1, code: 2106, message: 'HMDS data farm connection is OK:ushmds' }),
        errorMessage({ id: -1, code: 2158, message: 'Sec-def data farm connection is OK:secdefnj' }),
      ];
    case 'reqIds':
      return [nextValidId(FIRST_ORDER_ID + 100)];
    case 'reqCurrentTime':
      return [currentTime(NOW)];
    case 'reqManagedAccts':
      return [managedAccounts([ACCOUNT, 'DU7654321'])];
    case 'reqContractData':
      return [contractData(req.reqId, AAPL_DETAILS), contractDataEnd(req.reqId)];
    case 'reqHistoricalData': {
      const bars = historicalData(req.reqId, '20260102 09:30:00', '20260102 09:45:00', BARS);
      const update = { ...BARS[2]!, close: 153, count: 13 };
      return req.keepUpToDate ? [bars, historicalDataUpdate(req.reqId, update)] : [bars];
    }
    case 'reqMktData': {
      const r = req.reqId;
      return [
        tickReqParams({ reqId: r, minTick: 0.01, bboExchange: '9c0001', snapshotPermissions: 3 }),
        marketDataType(r, 1),
        ...tickPriceAndSize({ reqId: r, tickType: Tick.BID, price: 150.1, size: 300, canAutoExecute: true }),
        ...tickPriceAndSize({ reqId: r, tickType: Tick.ASK, price: 150.2, size: 200, canAutoExecute: true }),
        ...tickPriceAndSize({ reqId: r, tickType: Tick.LAST, price: 150.15, size: 100 }),
        tickSize(r, Tick.VOLUME, 12345),
        tickString(r, Tick.LAST_TIMESTAMP, String(NOW)),
        tickGeneric(r, Tick.HALTED, 0),
        ...(req.snapshot ? [tickSnapshotEnd(r)] : []),
      ];
    }
    case 'placeOrder':
      if (req.order.orderRef === 'fill-me') return fill(req, clientId);
      if (req.order.orderRef === 'reject-me') {
        return [
          errorMessage({
            id: req.orderId,
            code: 201,
            message: 'Order rejected - reason:simulated',
            advancedOrderReject: { reason: 'simulated' },
          }),
        ];
      }
      return [];
    case 'cancelOrder':
      return [errorMessage({ id: req.orderId, code: 202, message: 'Order Canceled - reason:' })];
    case 'reqOpenOrders':
    case 'reqAllOpenOrders':
      return [openOrderEnd()];
    case 'reqExecutions':
      return [
        executionData(execution(req.reqId, FIRST_ORDER_ID, 'fill-me', clientId)),
        commissionReport({ execId: EXEC_ID, commission: 1, currency: 'USD' }),
        executionDataEnd(req.reqId),
      ];
    case 'reqPositions':
      return [
        position({ account: ACCOUNT, contract: { ...AAPL, exchange: 'NASDAQ' }, position: 100, avgCost: 150.26 }),
        position({
          account: ACCOUNT,
          contract: { conId: 272093, symbol: 'MSFT', secType: 'STK', exchange: 'NASDAQ', currency: 'USD' },
          position: -50,
          avgCost: 410.5,
        }),
        positionEnd(),
      ];
    case 'reqAccountSummary':
      return [
        ...req.tags.map((tag, i) =>
          accountSummary({ reqId: req.reqId, account: ACCOUNT, tag, value: String(100000 * (i + 1)), currency: 'USD' }),
        ),
        accountSummaryEnd(req.reqId),
      ];
    case 'reqAccountUpdates':
      if (!req.subscribe) return [];
      return [
        accountValue('NetLiquidation', '100000.00', 'USD', ACCOUNT),
        accountValue('CashBalance', '84974.00', 'USD', ACCOUNT),
        portfolioValue({
          contract: AAPL,
          position: 100,
          marketPrice: 150.5,
          marketValue: 15050,
          averageCost: 150.26,
          unrealizedPNL: 24,
          realizedPNL: 0,
          account: ACCOUNT,
        }),
        accountUpdateTime('09:31'),
        accountDownloadEnd(ACCOUNT),
      ];
    case 'reqPnL':
      return [pnl(req.reqId, 12.5, 100.25, undefined)];
    case 'reqPnLSingle':
      return [pnlSingle({ reqId: req.reqId, position: 100, daily: 12.5, unrealized: 24, value: 15050 })];
    default:
      return [];
  }
}

function execution(reqId: number, orderId: number, orderRef: string, clientId: number) {
  return {
    reqId,
    orderId,
    contract: { ...AAPL, exchange: 'ISLAND' },
    execId: EXEC_ID,
    time: '20260102 09:31:00 US/Eastern',
    account: ACCOUNT,
    exchange: 'ISLAND',
    side: 'BOT' as const,
    shares: 100,
    price: 150.25,
    permId: 900000 + orderId,
    clientId,
    cumQty: 100,
    avgPrice: 150.25,
    orderRef,
    lastLiquidity: 1,
  };
}

/** Limit order filled at once, in the message order of /work/shared/research/ib.md §2. */
function fill(req: Extract<ClientRequest, { type: 'placeOrder' }>, clientId: number): ResponseFields[] {
  const { orderId, order } = req;
  const permId = 900000 + orderId;
  const contract = { ...AAPL, exchange: req.contract.exchange };
  const open = (status: string, commission?: number) =>
    openOrder({
      orderId,
      contract,
      order: { ...order, clientId, permId },
      orderState: { status, commission, commissionCurrency: commission === undefined ? undefined : 'USD' },
    });
  const status = (s: string, filled: number, avg: number) =>
    orderStatus({
      orderId,
      status: s,
      filled,
      remaining: order.totalQuantity - filled,
      avgFillPrice: avg,
      permId,
      lastFillPrice: avg,
      clientId,
    });
  return [
    open('Submitted'),
    status('Submitted', 0, 0),
    executionData(execution(-1, orderId, order.orderRef, clientId)),
    open('Filled', 1),
    status('Filled', order.totalQuantity, order.lmtPrice!),
    commissionReport({ execId: EXEC_ID, commission: 1, currency: 'USD' }),
  ];
}

class Gateway {
  readonly requests: ClientRequest[] = [];
  readonly protocolErrors: string[] = [];
  private readonly waiters: { match: (r: ClientRequest) => boolean; resolve: (r: ClientRequest) => void }[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => this.accept(socket));

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)),
    );
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves with the first recorded request of that type (past or future) satisfying `match`. */
  waitFor<T extends ClientRequest['type']>(
    type: T,
    match: (r: Extract<ClientRequest, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ClientRequest, { type: T }>> {
    const test = (r: ClientRequest): boolean => r.type === type && match(r as Extract<ClientRequest, { type: T }>);
    const seen = this.requests.find(test);
    if (seen) return Promise.resolve(seen as Extract<ClientRequest, { type: T }>);
    return new Promise((resolve) =>
      this.waiters.push({ match: test, resolve: (r) => resolve(r as Extract<ClientRequest, { type: T }>) }),
    );
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    let clientId = -1;
    acceptClient(socket, {
      connectionTime: () => CONNECTION_TIME,
      onProtocolError: (e) => this.protocolErrors.push(e.message),
      onMessage: (fields) => {
        const req = decodeRequest(fields);
        if (req.type === 'startApi') clientId = req.clientId;
        this.requests.push(req);
        for (const w of this.waiters.filter((w) => w.match(req))) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(req);
        }
        for (const reply of respond(req, clientId)) socket.write(encodeFrame(reply));
      },
    });
  }
}

const gateway = new Gateway();
let port: number;
let api: IBApi;
const events: { name: string; args: unknown[] }[] = [];
const errors: { message: string; code: number }[] = [];
const infos: { message: string; code: number }[] = [];

/** Resolves with the arguments of the next `name` event satisfying `match`; register it before the request. */
function next(name: EventName, match: (args: unknown[]) => boolean = () => true): Promise<unknown[]> {
  return new Promise((resolve) => {
    const listener = (event: string, args: unknown[]): void => {
      if (event !== name || !match(args)) return;
      api.off(EventName.all, listener);
      resolve(args);
    };
    api.on(EventName.all, listener);
  });
}

/** Events since `mark` (an index into `events`) with one of `names`. */
const since = (mark: number, ...names: EventName[]) =>
  events.slice(mark).filter((e) => names.includes(e.name as EventName));

const STOCK: Contract = {
  symbol: 'AAPL',
  secType: SecType.STK,
  exchange: 'SMART',
  primaryExch: 'NASDAQ',
  currency: 'USD',
};

beforeAll(async () => {
  port = await gateway.listen();
  api = new IBApi({ host: '127.0.0.1', port, clientId: CLIENT_ID, maxReqPerSec: 1000 });
  api.on(EventName.all, (name: string, args: unknown) => events.push({ name, args: args as unknown[] }));
  api.on(EventName.error, (error: Error, code: number) => errors.push({ message: error.message, code }));
  api.on(EventName.info, (message: string, code: number) => infos.push({ message, code }));
  const ready = next(EventName.nextValidId);
  api.connect();
  await ready;
});

afterAll(async () => {
  api?.disconnect();
  await gateway.close();
});

describe('framing', () => {
  it('encodes values with stoqey rules and reads fragmented or coalesced frames', () => {
    const frame = encodeFrame([3, 'a', undefined, null, true, false, 1.5]);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(frame.subarray(4).toString()).toBe('3\0a\0\0\0' + '1\0' + '0\0' + '1.5\0');
    const stream = Buffer.concat([frame, encodeFrame(['x']), encodeFrame([])]);
    const expected = [['3', 'a', '', '', '1', '0', '1.5'], ['x'], []];
    const byteWise = new FrameReader();
    expect([...stream].flatMap((b) => byteWise.push(Buffer.from([b])))).toEqual(expected);
    expect(new FrameReader().push(stream)).toEqual(expected);
    expect(() => encodeFrame(['a\0b'])).toThrow('NUL');
  });

  it('refuses an advancedOrderReject the client would fail to parse', () => {
    const reject = (advancedOrderReject: object) => () =>
      errorMessage({ id: 1, code: 201, message: 'x', advancedOrderReject });
    expect(reject({ text: '\u0001' })).toThrow(ProtocolError);
    expect(reject({ path: 'C:\\users' })).toThrow(ProtocolError);
    expect(reject({ reason: 'ok' })()).toEqual([4, 2, 1, 201, 'x', '{"reason":"ok"}']);
  });

  it('decodes unknown or truncated requests without throwing', () => {
    expect(decodeRequest(['999', 'x'])).toEqual({ type: 'unknown', id: 999, fields: ['999', 'x'] });
    expect(decodeRequest([]).type).toBe('unknown');
    expect(decodeRequest(['3'])).toMatchObject({ type: 'placeOrder', orderId: 0, order: { transmit: false } });
  });

  const raw = async (hello: string, then: Buffer): Promise<{ frames: string[][]; closed: boolean }> => {
    const socket = net.connect(port, '127.0.0.1');
    const reader = new FrameReader();
    const frames: string[][] = [];
    socket.on('data', (chunk) => frames.push(...reader.push(chunk)));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(Buffer.byteLength(hello));
    socket.write(Buffer.concat([Buffer.from('API\0'), length, Buffer.from(hello), then]));
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.destroy();
    return { frames, closed };
  };

  it('answers a coalesced handshake + START_API and refuses clients below 193 by closing', async () => {
    const ok = await raw('v100..193', encodeFrame([71, 2, 99, '']));
    expect(ok.closed).toBe(false);
    expect(ok.frames[0]).toEqual(['193', CONNECTION_TIME]);
    expect(ok.frames[1]).toEqual(['15', '1', ACCOUNT]);
    expect(ok.frames[2]).toEqual(['9', '1', String(FIRST_ORDER_ID)]);
    const old = await raw('v100..176', Buffer.alloc(0));
    expect(old).toEqual({ frames: [], closed: true });
    expect(gateway.protocolErrors).toEqual(['client versions v100..176 exclude 193']);
  });
});

describe('IBApi against the protocol layer', () => {
  it('completes the start-up sequence', async () => {
    expect(api.serverVersion).toBe(193);
    expect(await gateway.waitFor('startApi', (r) => r.clientId === CLIENT_ID)).toEqual({
      type: 'startApi',
      clientId: CLIENT_ID,
      optionalCapabilities: '',
    });
    expect(since(0, EventName.managedAccounts, EventName.nextValidId)).toEqual([
      { name: EventName.managedAccounts, args: [ACCOUNT] },
      { name: EventName.nextValidId, args: [FIRST_ORDER_ID] },
    ]);
    expect(infos.map((i) => i.code)).toEqual([2104, 2106, 2158]);
    expect(infos[0]!.message).toBe('Market data farm connection is OK:usfarm');
  });

  it('answers reqCurrentTime, reqIds and reqManagedAccts', async () => {
    const time = next(EventName.currentTime);
    api.reqCurrentTime();
    expect(await time).toEqual([NOW]);
    const id = next(EventName.nextValidId);
    api.reqIds(5);
    expect(await id).toEqual([FIRST_ORDER_ID + 100]);
    expect(await gateway.waitFor('reqIds')).toEqual({ type: 'reqIds', numIds: 5 });
    const accounts = next(EventName.managedAccounts);
    api.reqManagedAccts();
    expect(await accounts).toEqual([`${ACCOUNT},DU7654321`]);
  });

  it('returns contract details of a stock', async () => {
    const mark = events.length;
    const end = next(EventName.contractDetailsEnd);
    api.reqContractDetails(1, STOCK);
    expect(await end).toEqual([1]);
    expect(await gateway.waitFor('reqContractData')).toEqual({
      type: 'reqContractData',
      reqId: 1,
      contract: {
        conId: 0,
        symbol: 'AAPL',
        secType: 'STK',
        lastTradeDateOrContractMonth: '',
        strike: undefined,
        right: '',
        multiplier: undefined,
        exchange: 'SMART',
        primaryExch: 'NASDAQ',
        currency: 'USD',
        localSymbol: '',
        tradingClass: '',
      },
      includeExpired: false,
      secIdType: '',
      secId: '',
      issuerId: '',
    });
    const [details] = since(mark, EventName.contractDetails);
    expect(details!.args[0]).toBe(1);
    expect(details!.args[1]).toMatchObject({
      contract: {
        conId: 265598,
        symbol: 'AAPL',
        secType: 'STK',
        exchange: 'SMART',
        primaryExch: 'NASDAQ',
        currency: 'USD',
        localSymbol: 'AAPL',
        tradingClass: 'NMS',
      },
      marketName: 'NMS',
      minTick: 0.01,
      longName: 'APPLE INC',
      priceMagnifier: 1,
      timeZoneId: 'US/Eastern',
      liquidHours: '20260102:0930-20260102:1600',
      secIdList: [{ tag: 'ISIN', value: 'US0378331005' }],
      aggGroup: 1,
      marketRuleIds: '26,26',
      stockType: 'COMMON',
      minSize: 1,
      sizeIncrement: 1,
      suggestedSizeIncrement: 100,
      ineligibilityReasonList: [],
    });
  });

  it('returns 3 historical bars, the end marker and a keepUpToDate update', async () => {
    const mark = events.length;
    const finished = next(EventName.historicalData, (a) => String(a[1]).startsWith('finished'));
    const updated = next(EventName.historicalDataUpdate);
    const endDateTime = '20260102 16:00:00 US/Eastern';
    api.reqHistoricalData(2, STOCK, endDateTime, '1 D', BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 1, 1, false);
    api.reqHistoricalData(3, STOCK, '', '1 D', BarSizeSetting.MINUTES_FIVE, WhatToShow.MIDPOINT, 0, 2, true);
    await finished;
    await updated;
    api.cancelHistoricalData(3);
    expect(since(mark, EventName.historicalData).filter((e) => e.args[0] === 2).map((e) => e.args)).toEqual([
      ...BARS.map((b) => [2, b.time, b.open, b.high, b.low, b.close, b.volume, b.count, b.wap, undefined]),
      [2, 'finished-20260102 09:30:00-20260102 09:45:00', -1, -1, -1, -1, -1, -1, -1, false],
    ]);
    const b = BARS[2]!;
    expect(since(mark, EventName.historicalDataUpdate).map((e) => e.args)).toEqual([
      [3, b.time, b.open, b.high, b.low, 153, b.volume, 13, b.wap],
    ]);
    expect(await gateway.waitFor('reqHistoricalData', (r) => r.reqId === 2)).toMatchObject({
      contract: { symbol: 'AAPL', secType: 'STK', exchange: 'SMART' },
      includeExpired: false,
      endDateTime: '20260102 16:00:00 US/Eastern',
      barSize: '5 mins',
      duration: '1 D',
      useRTH: true,
      whatToShow: 'TRADES',
      formatDate: 1,
      keepUpToDate: false,
    });
    expect(await gateway.waitFor('reqHistoricalData', (r) => r.reqId === 3)).toMatchObject({
      endDateTime: '',
      useRTH: false,
      whatToShow: 'MIDPOINT',
      formatDate: 2,
      keepUpToDate: true,
    });
    expect(await gateway.waitFor('cancelHistoricalData')).toEqual({ type: 'cancelHistoricalData', reqId: 3 });
  });

  it('streams bid/ask/last prices and sizes, including the bid size', async () => {
    api.reqMarketDataType(MarketDataType.DELAYED);
    expect(await gateway.waitFor('reqMarketDataType')).toEqual({ type: 'reqMarketDataType', marketDataType: 3 });
    const mark = events.length;
    const last = next(EventName.tickGeneric);
    const snapshotEnd = next(EventName.tickSnapshotEnd);
    api.reqMktData(4, STOCK, '233,236', false, false);
    await last;
    api.cancelMktData(4);
    api.reqMktData(5, STOCK, '', true, false);
    expect(await snapshotEnd).toEqual([5]);
    const of4 = (...names: EventName[]) =>
      since(mark, ...names)
        .filter((e) => e.args[0] === 4)
        .map((e) => [e.name, ...e.args.slice(1)]);
    expect(of4(EventName.tickReqParams, EventName.marketDataType)).toEqual([
      [EventName.tickReqParams, 0, '9c0001', 3], // minTick 0.01 read with readInt
      [EventName.marketDataType, 1],
    ]);
    expect(of4(EventName.tickPrice, EventName.tickSize, EventName.tickString, EventName.tickGeneric)).toEqual([
      [EventName.tickPrice, Tick.BID, 150.1, true],
      [EventName.tickSize, Tick.BID_SIZE, 300],
      [EventName.tickPrice, Tick.ASK, 150.2, true],
      [EventName.tickSize, Tick.ASK_SIZE, 200],
      [EventName.tickPrice, Tick.LAST, 150.15, false],
      [EventName.tickSize, Tick.LAST_SIZE, 100],
      [EventName.tickSize, Tick.VOLUME, 12345],
      [EventName.tickString, Tick.LAST_TIMESTAMP, String(NOW)],
      [EventName.tickGeneric, Tick.HALTED, 0],
    ]);
    expect(await gateway.waitFor('reqMktData', (r) => r.reqId === 4)).toMatchObject({
      contract: { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', primaryExch: 'NASDAQ', currency: 'USD' },
      genericTickList: '233,236',
      snapshot: false,
      regulatorySnapshot: false,
    });
    expect(await gateway.waitFor('reqMktData', (r) => r.reqId === 5)).toMatchObject({ snapshot: true });
    expect(await gateway.waitFor('cancelMktData')).toEqual({ type: 'cancelMktData', reqId: 4 });
  });

  it('reports openOrder, Submitted, execDetails, openOrder, Filled, commissionReport for a limit order', async () => {
    const id = FIRST_ORDER_ID;
    const mark = events.length;
    const done = next(EventName.commissionReport);
    const order: Order = {
      action: OrderAction.BUY,
      totalQuantity: 100,
      orderType: OrderType.LMT,
      lmtPrice: 150.25,
      tif: 'DAY',
      orderRef: 'fill-me',
      account: ACCOUNT,
      transmit: true,
    };
    api.placeOrder(id, STOCK, order);
    await done;
    const { openOrder: oo, orderStatus: os, execDetails: ed, commissionReport: cr } = EventName;
    const seq = since(mark, oo, os, ed, cr);
    expect(seq.map((e) => e.name)).toEqual([oo, os, ed, oo, os, cr]);
    const permId = 900000 + id;
    const [open1, status1, exec, open2, status2, commission] = seq.map((e) => e.args);
    expect(open1![0]).toBe(id);
    expect(open1![1]).toMatchObject({ conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART' });
    expect(open1![2]).toMatchObject({
      orderId: id,
      action: 'BUY',
      totalQuantity: 100,
      orderType: 'LMT',
      lmtPrice: 150.25,
      auxPrice: 0,
      tif: 'DAY',
      account: ACCOUNT,
      orderRef: 'fill-me',
      clientId: CLIENT_ID,
      permId,
      parentId: 0,
      outsideRth: false,
      ocaType: 3,
      clearingIntent: 'IB',
      extOperator: '',
      manualOrderIndicator: undefined,
    });
    expect(open1![3]).toMatchObject({ status: 'Submitted', commission: undefined, initMarginAfter: undefined });
    expect(status1).toEqual([id, 'Submitted', 0, 100, 0, permId, 0, 0, CLIENT_ID, '', 0]);
    expect(exec![0]).toBe(-1);
    expect(exec![1]).toMatchObject({ conId: 265598, symbol: 'AAPL', exchange: 'ISLAND', tradingClass: 'NMS' });
    expect(exec![2]).toMatchObject({
      orderId: id,
      execId: EXEC_ID,
      acctNumber: ACCOUNT,
      side: 'BOT',
      shares: 100,
      price: 150.25,
      permId,
      clientId: CLIENT_ID,
      cumQty: 100,
      avgPrice: 150.25,
      orderRef: 'fill-me',
      lastLiquidity: 1,
      pendingPriceRevision: false,
    });
    expect(open2![3]).toMatchObject({ status: 'Filled', commission: 1, commissionCurrency: 'USD' });
    expect(status2).toEqual([id, 'Filled', 100, 0, 150.25, permId, 0, 150.25, CLIENT_ID, '', 0]);
    expect(commission).toEqual([
      {
        execId: EXEC_ID,
        commission: 1,
        currency: 'USD',
        realizedPNL: undefined,
        yield: undefined,
        yieldRedemptionDate: 0,
      },
    ]);
  });

  it('sends a bracket of 3 orders in the shape the decoder expects', async () => {
    const parent = FIRST_ORDER_ID + 1;
    const base = { totalQuantity: 100, tif: 'GTC' as const, account: ACCOUNT, orderRef: 'bracket-1' };
    const exit = { ...base, action: OrderAction.SELL, parentId: parent, ocaGroup: 'oca-bracket-1', ocaType: 1 };
    const entry = { ...base, action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 150, outsideRth: true };
    api.placeOrder(parent, STOCK, { ...entry, transmit: false });
    api.placeOrder(parent + 1, STOCK, { ...exit, orderType: OrderType.LMT, lmtPrice: 160, transmit: false });
    api.placeOrder(parent + 2, STOCK, { ...exit, orderType: OrderType.STP, auxPrice: 140, transmit: true });
    const placed = (id: number) => gateway.waitFor('placeOrder', (r) => r.orderId === id);
    const orders = await Promise.all([parent, parent + 1, parent + 2].map(placed));
    expect(orders[0]!.contract).toMatchObject({ conId: 0, symbol: 'AAPL', secType: 'STK', exchange: 'SMART' });
    // Unset prices decode as undefined, unset ocaGroup/parentId/outsideRth as ''/0/false, unset ocaType as undefined.
    const unset = { lmtPrice: undefined, auxPrice: undefined, ocaGroup: '', ocaType: undefined, parentId: 0 };
    const decoded = { ...base, ...unset, goodAfterTime: '', goodTillDate: '', outsideRth: false };
    expect(orders.map((o) => o.order)).toEqual([
      { ...decoded, ...entry, transmit: false },
      { ...decoded, ...exit, orderType: 'LMT', lmtPrice: 160, transmit: false },
      { ...decoded, ...exit, orderType: 'STP', auxPrice: 140, transmit: true },
    ]);
  });

  it('reports error 201 with the order id, acknowledges cancels and records a global cancel', async () => {
    const id = FIRST_ORDER_ID + 4;
    const rejected = next(EventName.error, (a) => a[1] === 201);
    const order: Order = { action: OrderAction.SELL, totalQuantity: 1, orderType: OrderType.MKT, transmit: true };
    api.placeOrder(id, STOCK, { ...order, orderRef: 'reject-me' });
    const [error, code, reqId, advanced] = await rejected;
    expect([(error as Error).message, code, reqId, advanced]).toEqual([
      'Order rejected - reason:simulated',
      201,
      id,
      { reason: 'simulated' },
    ]);
    const canceled = next(EventName.error, (a) => a[1] === 202);
    api.cancelOrder(FIRST_ORDER_ID + 1, '20260102 09:45:00');
    expect((await canceled)[2]).toBe(FIRST_ORDER_ID + 1);
    expect(await gateway.waitFor('cancelOrder')).toEqual({
      type: 'cancelOrder',
      orderId: FIRST_ORDER_ID + 1,
      manualOrderCancelTime: '20260102 09:45:00',
    });
    api.reqGlobalCancel();
    expect(await gateway.waitFor('reqGlobalCancel')).toEqual({ type: 'reqGlobalCancel' });
  });

  it('ends open-order requests and records auto open orders', async () => {
    const end1 = next(EventName.openOrderEnd);
    api.reqOpenOrders();
    await end1;
    const end2 = next(EventName.openOrderEnd);
    api.reqAllOpenOrders();
    await end2;
    api.reqAutoOpenOrders(true);
    expect(await gateway.waitFor('reqAutoOpenOrders')).toEqual({ type: 'reqAutoOpenOrders', autoBind: true });
    expect(gateway.requests.filter((r) => r.type === 'reqOpenOrders' || r.type === 'reqAllOpenOrders')).toHaveLength(2);
  });

  it('answers reqExecutions with a filter', async () => {
    const mark = events.length;
    const end = next(EventName.execDetailsEnd);
    api.reqExecutions(6, {
      clientId: String(CLIENT_ID),
      acctCode: ACCOUNT,
      time: '20260102-09:00:00',
      symbol: 'AAPL',
      secType: SecType.STK,
      exchange: 'SMART',
      side: 'BUY',
    });
    expect(await end).toEqual([6]);
    expect(await gateway.waitFor('reqExecutions')).toEqual({
      type: 'reqExecutions',
      reqId: 6,
      filter: {
        clientId: CLIENT_ID,
        acctCode: ACCOUNT,
        time: '20260102-09:00:00',
        symbol: 'AAPL',
        secType: 'STK',
        exchange: 'SMART',
        side: 'BUY',
      },
    });
    const got = since(mark, EventName.execDetails, EventName.commissionReport);
    expect(got.map((e) => e.name)).toEqual([EventName.execDetails, EventName.commissionReport]);
    expect(got[0]!.args[0]).toBe(6);
    expect(got[0]!.args[2]).toMatchObject({ execId: EXEC_ID, orderId: FIRST_ORDER_ID, orderRef: 'fill-me' });
  });

  it('lists positions until positionEnd', async () => {
    const mark = events.length;
    const end = next(EventName.positionEnd);
    api.reqPositions();
    await end;
    api.cancelPositions();
    const got = since(mark, EventName.position).map((e) => e.args);
    expect(got.map((a) => [a[0], (a[1] as Contract).symbol, (a[1] as Contract).exchange, a[2], a[3]])).toEqual([
      [ACCOUNT, 'AAPL', 'NASDAQ', 100, 150.26],
      [ACCOUNT, 'MSFT', 'NASDAQ', -50, 410.5],
    ]);
    expect(await gateway.waitFor('cancelPositions')).toEqual({ type: 'cancelPositions' });
  });

  it('answers account summary and account updates', async () => {
    const mark = events.length;
    const end = next(EventName.accountSummaryEnd);
    api.reqAccountSummary(7, 'All', 'NetLiquidation,BuyingPower');
    expect(await end).toEqual([7]);
    api.cancelAccountSummary(7);
    expect(since(mark, EventName.accountSummary).map((e) => e.args)).toEqual([
      [7, ACCOUNT, 'NetLiquidation', '100000', 'USD'],
      [7, ACCOUNT, 'BuyingPower', '200000', 'USD'],
    ]);
    expect(await gateway.waitFor('reqAccountSummary')).toEqual({
      type: 'reqAccountSummary',
      reqId: 7,
      group: 'All',
      tags: ['NetLiquidation', 'BuyingPower'],
    });
    expect(await gateway.waitFor('cancelAccountSummary')).toEqual({ type: 'cancelAccountSummary', reqId: 7 });

    const mark2 = events.length;
    const downloaded = next(EventName.accountDownloadEnd);
    api.reqAccountUpdates(true, ACCOUNT);
    expect(await downloaded).toEqual([ACCOUNT]);
    api.reqAccountUpdates(false, ACCOUNT);
    const got = since(mark2, EventName.updateAccountValue, EventName.updatePortfolio, EventName.updateAccountTime);
    expect(got.map((e) => e.name)).toEqual([
      EventName.updateAccountValue,
      EventName.updateAccountValue,
      EventName.updatePortfolio,
      EventName.updateAccountTime,
    ]);
    expect(got[0]!.args).toEqual(['NetLiquidation', '100000.00', 'USD', ACCOUNT]);
    expect(got[2]!.args[0]).toMatchObject({ conId: 265598, primaryExch: 'NASDAQ', tradingClass: 'NMS' });
    expect(got[2]!.args.slice(1)).toEqual([100, 150.5, 15050, 150.26, 24, 0, ACCOUNT]);
    expect(got[3]!.args).toEqual(['09:31']);
    expect(await gateway.waitFor('reqAccountUpdates', (r) => !r.subscribe)).toEqual({
      type: 'reqAccountUpdates',
      subscribe: false,
      account: ACCOUNT,
    });
  });

  it('answers PnL and single-position PnL', async () => {
    const p = next(EventName.pnl);
    api.reqPnL(8, ACCOUNT, null);
    expect(await p).toEqual([8, 12.5, 100.25, undefined]);
    const single = next(EventName.pnlSingle);
    api.reqPnLSingle(9, ACCOUNT, '', 265598);
    expect(await single).toEqual([9, 100, 12.5, 24, undefined, 15050]);
    api.cancelPnL(8);
    api.cancelPnLSingle(9);
    expect(await gateway.waitFor('reqPnL')).toEqual({ type: 'reqPnL', reqId: 8, account: ACCOUNT, modelCode: '' });
    expect(await gateway.waitFor('reqPnLSingle')).toEqual({
      type: 'reqPnLSingle',
      reqId: 9,
      account: ACCOUNT,
      modelCode: '',
      conId: 265598,
    });
    expect(await gateway.waitFor('cancelPnL')).toEqual({ type: 'cancelPnL', reqId: 8 });
    expect(await gateway.waitFor('cancelPnLSingle')).toEqual({ type: 'cancelPnLSingle', reqId: 9 });
  });

  it('saw no decoding error (505), unprocessed data or underrun during the session', () => {
    const decoding = /unprocessed data|Underrun|No parser/i;
    const decodingErrors = errors.filter((e) => e.code === 505 || decoding.test(e.message));
    expect(decodingErrors).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual([201, 202]);
    expect(gateway.requests.filter((r) => r.type === 'unknown')).toEqual([]);
  });
});
