/**
 * The IB gateway simulator: a TCP server speaking the TWS API at server version 193 (protocol/) in front of
 * a simulated exchange over real market data (exchange/). Any TWS API client — @stoqey/ib here — connects
 * to it exactly as to IB Gateway/TWS. Faults can be injected from tests through `faults`.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  accountDownloadEnd, accountSummary, accountSummaryEnd, accountUpdateTime, accountValue, acceptClient, commissionReport,
  contractData, contractDataEnd, currentTime, decodeRequest, encodeFrame, errorMessage, executionData, executionDataEnd,
  historicalData, managedAccounts, nextValidId, openOrder, openOrderEnd, orderStatus, pnl, portfolioValue, position,
  positionEnd, tickPriceAndSize, tickReqParams, tickSize, tickSnapshotEnd, tickString, UNSET_DOUBLE,
  type Bar, type ClientRequest, type ResponseFields, type SimContract,
} from './protocol';
import {
  BAR_MINUTES, loadPriceData, PriceSource, SessionCalendar, SimClock, SimExchange,
  type BarSize, type CommissionReport, type Execution, type ExchangeOptions, type OrderView, type PriceConfig,
} from './exchange';
import { ibTime, parseDuration, parseEndDateTime } from './format';
import { primaryExchange } from './listings';
import { loadSectors, readText, type SectorInfo } from '../market-data/files';

export interface GatewaySimulatorOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The clock starts at this date's open (or the next session's). Default: the last date in the data. */
  startDate?: string;
  /** Simulated ms per real ms; 0 = manual (tests drive it with advanceTo). Default 1. */
  speed?: number;
  /** Load only these symbols (faster start); default every symbol in the data. */
  symbols?: string[];
  /** Earliest history loaded; default five years before the start date. */
  historyFrom?: string;
  account?: string;
  /** Real milliseconds between clock steps and streaming quote updates. */
  tickIntervalMs?: number;
  exchange?: ExchangeOptions;
  prices?: Partial<PriceConfig>;
  log?: (line: string) => void;
}

const TICK = { BID_SIZE: 0, BID: 1, ASK: 2, ASK_SIZE: 3, LAST: 4, LAST_SIZE: 5, HIGH: 6, LOW: 7, VOLUME: 8, CLOSE: 9, OPEN: 14, LAST_TIMESTAMP: 45 } as const;
const SUMMARY_TAGS = ['NetLiquidation', 'TotalCashValue', 'BuyingPower', 'AvailableFunds', 'GrossPositionValue', 'UnrealizedPnL', 'RealizedPnL'] as const;

/** Faults a test can inject; each models something a real gateway does. */
export interface Faults {
  /** Closes every client socket, as a gateway restart or network cut does. */
  dropConnections(): void;
  /** Refuses (closes at once) new connections for the next `ms` real milliseconds. */
  refuseConnections(ms: number): void;
  /**
   * Sends IB's connectivity notices to every client: 1100 lost (quote streams stop), 1101 restored with data lost
   * (every market data subscription is dropped: clients must subscribe again), 1102 restored with data maintained.
   */
  connectivity(code: 1100 | 1101 | 1102): void;
  /** Stops answering the connected clients without closing their sockets (a half-open connection); new ones are served. */
  halfOpen(): void;
  /** The next order placed is rejected with error 201 and never reaches the exchange. */
  rejectNextOrder(reason?: string): void;
  /** Delays every message to clients by `ms` real milliseconds (order kept); 0 ends the delay. */
  delayMessages(ms: number): void;
  /** The gateway takes `ms` real milliseconds to accept each order placed (a late acknowledgement); 0 ends it. */
  delayOrderAcks(ms: number): void;
  /** The next live execution report is sent twice. */
  duplicateNextExecution(): void;
  /** The next historical data request fails with error 162 (pacing violation). */
  pacingViolationNext(): void;
}

export class GatewaySimulator {
  readonly clock: SimClock;
  readonly exchange: SimExchange;
  readonly prices: PriceSource;
  readonly account: string;
  /** Company names and sectors from sectors.csv, for contract details (empty without the file). */
  readonly names: ReadonlyMap<string, SectorInfo>;
  readonly faults: Faults;
  private readonly sessions = new Map<number, ClientSession>();
  private readonly sockets = new Set<net.Socket>();
  private readonly conIds = new Map<string, number>();
  private readonly execOwner = new Map<string, number>();
  private server!: net.Server;
  private timer?: NodeJS.Timeout;
  private refuseUntil = 0;
  delayMs = 0;
  ackDelayMs = 0;
  rejectNext?: string;
  duplicateNext = false;
  pacingNext = false;
  /** Between 1100 and 1101/1102: IB's servers are unreachable, no quotes flow. */
  private linkDown = false;
  private dayStartNetLiq: { date: string; value: number } | undefined;

  private constructor(private readonly o: GatewaySimulatorOptions, prices: PriceSource, start: number) {
    this.prices = prices;
    const sectors = path.join(o.dataDir, 'sectors.csv');
    this.names = fs.existsSync(sectors) ? loadSectors(sectors) : new Map();
    this.account = o.account ?? 'DU1234567';
    this.clock = new SimClock({ start, speed: o.speed ?? 1 });
    this.exchange = new SimExchange(prices, start, o.exchange);
    this.exchange.on('orderUpdated', (v) => this.sessions.get(v.clientId)?.orderUpdate(v));
    this.exchange.on('execution', (e) => this.onExecution(e));
    this.exchange.on('commission', (c) => this.onCommission(c));
    this.faults = {
      dropConnections: () => this.sockets.forEach((s) => s.destroy()),
      refuseConnections: (ms) => void (this.refuseUntil = Date.now() + ms),
      connectivity: (code) => {
        this.linkDown = code === 1100;
        this.sessions.forEach((s) => {
          if (code === 1101) s.dropMarketData();
          s.send(errorMessage({ id: -1, code, message: CONNECTIVITY[code] }));
        });
      },
      halfOpen: () => this.sessions.forEach((s) => (s.frozen = true)),
      rejectNextOrder: (reason = 'simulated rejection') => void (this.rejectNext = reason),
      delayMessages: (ms) => void (this.delayMs = ms),
      delayOrderAcks: (ms) => void (this.ackDelayMs = ms),
      duplicateNextExecution: () => void (this.duplicateNext = true),
      pacingViolationNext: () => void (this.pacingNext = true),
    };
  }

  static async start(o: GatewaySimulatorOptions): Promise<GatewaySimulator> {
    const calendar = new SessionCalendar();
    const startDate = o.startDate ?? lastDateOf(o.dataDir);
    const start = calendar.openOnOrAfter(startDate);
    const from = o.historyFrom ?? `${Number(startDate.slice(0, 4)) - 5}${startDate.slice(4)}`;
    const data = loadPriceData(o.dataDir, { symbols: o.symbols ? new Set(o.symbols) : undefined, from });
    const sim = new GatewaySimulator(o, new PriceSource(data, o.prices), start);
    await sim.listen(o.host ?? '127.0.0.1', o.port ?? 0);
    if ((o.speed ?? 1) > 0) sim.timer = setInterval(() => sim.step(), o.tickIntervalMs ?? 250);
    return sim;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Client ids with a live session. */
  connectedClients(): number[] {
    return [...this.sessions.keys()];
  }

  /** Moves the simulated time (manual clock) and lets the exchange and the quote streams catch up. */
  advanceTo(instant: number): void {
    this.clock.advanceTo(instant);
    this.step();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * conId stable per symbol (a hash), as IB's are across sessions; exchange SMART as routed, or the listing exchange
   * where IB reports where a position or an execution sits.
   */
  contract(symbol: string, exchange: 'SMART' | 'LISTING' = 'SMART'): SimContract & { primaryExch: string } {
    let conId = this.conIds.get(symbol);
    if (conId === undefined) {
      let h = 0x811c9dc5;
      for (const ch of symbol) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
      this.conIds.set(symbol, (conId = (h >>> 1) % 900_000_000 + 100_000));
    }
    const primaryExch = primaryExchange(symbol);
    return { conId, symbol, secType: 'STK', exchange: exchange === 'SMART' ? 'SMART' : primaryExch, currency: 'USD', primaryExch };
  }

  netLiquidation(): number {
    return this.exchange.accountSummary().NetLiquidation;
  }

  dailyPnl(): number {
    return this.netLiquidation() - (this.dayStartNetLiq?.value ?? this.netLiquidation());
  }

  private step(): void {
    const now = this.clock.now();
    this.exchange.advanceTo(now);
    const date = this.prices.calendar.dateOf(now);
    if (this.dayStartNetLiq?.date !== date) this.dayStartNetLiq = { date, value: this.netLiquidation() };
    if (!this.linkDown) for (const s of this.sessions.values()) s.streamQuotes(now);
  }

  private onExecution(e: Execution): void {
    this.execOwner.set(e.execId, e.clientId);
    const session = this.sessions.get(e.clientId);
    if (!session) return;
    session.send(executionData({ reqId: -1, ...this.executionFields(e) }));
    if (this.duplicateNext) {
      this.duplicateNext = false;
      session.send(executionData({ reqId: -1, ...this.executionFields(e) }));
    }
  }

  /** The commission report follows its execution: route it to the same client without scanning the day's fills. */
  private onCommission(c: CommissionReport): void {
    const clientId = this.execOwner.get(c.execId);
    this.execOwner.delete(c.execId);
    if (clientId !== undefined) this.sessions.get(clientId)?.send(commissionReport(c));
  }

  executionFields(e: Execution) {
    return {
      orderId: e.orderId, contract: this.contract(e.symbol, 'LISTING'), execId: e.execId, time: ibTime(e.time), account: this.account,
      exchange: primaryExchange(e.symbol), side: e.side, shares: e.shares, price: e.price, permId: e.permId, clientId: e.clientId,
      cumQty: e.cumQty, avgPrice: e.avgPrice, orderRef: e.orderRef,
    };
  }

  private listen(host: string, port: number): Promise<void> {
    this.server = net.createServer((socket) => {
      if (Date.now() < this.refuseUntil) return void socket.destroy();
      this.sockets.add(socket);
      socket.setNoDelay(true);
      const session = new ClientSession(this, socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        if (session.clientId !== undefined && this.sessions.get(session.clientId) === session) this.sessions.delete(session.clientId);
      });
      socket.on('error', () => undefined); // a client that vanishes is normal
      acceptClient(socket, {
        connectionTime: () => ibTime(this.clock.now()),
        onMessage: (fields) => session.handle(decodeRequest(fields)),
        onProtocolError: (e) => this.o.log?.(`protocol error: ${e.message}`),
      });
    });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
  }

  /** Registers a session under its client id; false when the id is taken (IB error 326). */
  claim(clientId: number, session: ClientSession): boolean {
    if (this.sessions.has(clientId)) return false;
    this.sessions.set(clientId, session);
    return true;
  }
}

const CONNECTIVITY = {
  1100: 'Connectivity between IB and Trader Workstation has been lost.',
  1101: 'Connectivity between IB and Trader Workstation has been restored - data lost.',
  1102: 'Connectivity between IB and Trader Workstation has been restored - data maintained.',
} as const;

/** One client connection: its requests, its subscriptions, and the order events of its client id. */
class ClientSession {
  clientId?: number;
  /** Half-open: requests are read and ignored, nothing is written, the socket stays open. */
  frozen = false;
  private readonly quotes = new Map<number, { symbol: string; last?: string }>();

  constructor(
    private readonly sim: GatewaySimulator,
    private readonly socket: net.Socket,
  ) {}

  send(fields: ResponseFields): void {
    if (this.frozen) return;
    const frame = encodeFrame(fields);
    if (this.sim.delayMs > 0) setTimeout(() => this.socket.writable && this.socket.write(frame), this.sim.delayMs);
    else if (this.socket.writable) this.socket.write(frame);
  }

  private error(id: number, code: number, message: string): void {
    this.send(errorMessage({ id, code, message }));
  }

  handle(r: ClientRequest): void {
    const sim = this.sim;
    if (this.frozen || (r.type !== 'startApi' && this.clientId === undefined)) return; // nothing is served before START_API
    switch (r.type) {
      case 'startApi':
        if (!sim.claim(r.clientId, this)) {
          this.error(-1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.');
          this.socket.end();
          return;
        }
        this.clientId = r.clientId;
        this.send(managedAccounts([sim.account]));
        this.send(nextValidId(sim.exchange.nextOrderId(r.clientId)));
        for (const [code, farm] of [[2104, 'Market data farm connection is OK:usfarm'], [2106, 'HMDS data farm connection is OK:ushmds'], [2158, 'Sec-def data farm connection is OK:secdefnj']] as const) {
          this.error(-1, code, farm);
        }
        return;
      case 'reqIds':
        return this.send(nextValidId(sim.exchange.nextOrderId(this.clientId!)));
      case 'reqCurrentTime':
        return this.send(currentTime(sim.clock.now() / 1000));
      case 'reqManagedAccts':
        return this.send(managedAccounts([sim.account]));
      case 'reqMarketDataType':
        return;
      case 'reqContractData':
        return this.contractDetails(r.reqId, r.contract.symbol);
      case 'reqMktData':
        return this.marketData(r.reqId, r.contract.symbol, r.snapshot || r.regulatorySnapshot);
      case 'cancelMktData':
        this.quotes.delete(r.reqId);
        return;
      case 'reqHistoricalData':
        return this.historical(r.reqId, r.contract.symbol, r.endDateTime, r.duration, r.barSize, r.formatDate);
      case 'cancelHistoricalData':
        return; // keepUpToDate is not simulated: every request is answered at once
      case 'placeOrder':
        if (sim.ackDelayMs > 0) return void setTimeout(() => this.placeOrder(r), sim.ackDelayMs); // same delay: order kept
        return this.placeOrder(r);
      case 'cancelOrder': {
        sim.exchange.advanceTo(sim.clock.now());
        const res = sim.exchange.cancelOrder(this.clientId!, r.orderId);
        if (res.ok) this.error(r.orderId, 202, 'Order Canceled - reason:');
        else this.error(r.orderId, res.code, res.message);
        return;
      }
      case 'reqGlobalCancel':
        sim.exchange.globalCancel(); // each cancelled order reaches its owner through orderUpdated
        return;
      case 'reqOpenOrders':
      case 'reqAutoOpenOrders':
        return this.openOrders(sim.exchange.openOrders(this.clientId));
      case 'reqAllOpenOrders':
        return this.openOrders(sim.exchange.openOrders());
      case 'reqExecutions':
        return this.executions(r.reqId, r.filter);
      case 'reqPositions':
        for (const p of sim.exchange.positions()) this.send(position({ account: sim.account, contract: sim.contract(p.symbol, 'LISTING'), position: p.position, avgCost: p.avgCost }));
        return this.send(positionEnd());
      case 'reqAccountSummary': {
        const summary = sim.exchange.accountSummary();
        const wanted = r.tags.some((t) => t === 'All') ? SUMMARY_TAGS : SUMMARY_TAGS.filter((t) => r.tags.includes(t));
        for (const tag of wanted) this.send(accountSummary({ reqId: r.reqId, account: sim.account, tag, value: String(summary[tag]), currency: 'USD' }));
        return this.send(accountSummaryEnd(r.reqId));
      }
      case 'reqAccountUpdates':
        if (r.subscribe) this.accountUpdates();
        return;
      case 'reqPnL': {
        const s = sim.exchange.accountSummary();
        return this.send(pnl(r.reqId, sim.dailyPnl(), s.UnrealizedPnL, s.RealizedPnL));
      }
      case 'cancelPositions':
      case 'cancelAccountSummary':
      case 'cancelPnL':
      case 'cancelPnLSingle':
      case 'reqPnLSingle':
        return;
      case 'unknown':
        return this.error(-1, 10000 + r.id, `The simulator does not implement message ${r.id}`);
    }
  }

  private contractDetails(reqId: number, symbol: string): void {
    const sim = this.sim;
    if (!sim.prices.hasSymbol(symbol)) return this.error(reqId, 200, 'No security definition has been found for the request');
    const c = sim.contract(symbol);
    this.send(contractData(reqId, {
      contract: c,
      marketName: symbol,
      minTick: 0.01,
      longName: sim.names.get(symbol)?.name ?? symbol,
      industry: sim.names.get(symbol)?.sector,
      timeZoneId: 'US/Eastern',
      tradingHours: '',
      liquidHours: '',
      validExchanges: 'SMART,NYSE,NASDAQ,ARCA,BATS,IEX',
      orderTypes: 'LMT,MKT,STP,STPLMT,OCA',
    }));
    this.send(contractDataEnd(reqId));
  }

  private marketData(reqId: number, symbol: string, snapshot: boolean): void {
    const now = this.sim.clock.now();
    if (!this.sim.prices.quote(symbol, now)) return this.error(reqId, 200, 'No security definition has been found for the request');
    this.send(tickReqParams({ reqId, minTick: 0.01, bboExchange: '', snapshotPermissions: 3 }));
    if (snapshot) {
      this.pushQuote(reqId, symbol, now);
      this.send(tickSnapshotEnd(reqId));
      return;
    }
    this.quotes.set(reqId, { symbol });
    this.streamQuotes(now);
  }

  /** IB's 1101: market data subscriptions did not survive the outage. */
  dropMarketData(): void {
    this.quotes.clear();
  }

  /** Sends each streaming subscription's quote when it changed since the last one sent. */
  streamQuotes(now: number): void {
    for (const [reqId, sub] of this.quotes) {
      const q = this.sim.prices.quote(sub.symbol, now);
      if (!q) continue;
      const key = `${q.bid}|${q.ask}|${q.last}|${q.volume}`;
      if (key === sub.last) continue;
      sub.last = key;
      this.pushQuote(reqId, sub.symbol, now);
    }
  }

  private pushQuote(reqId: number, symbol: string, now: number): void {
    const q = this.sim.prices.quote(symbol, now)!;
    this.send(tickString(reqId, TICK.LAST_TIMESTAMP, String(Math.floor(now / 1000)))); // the quote's time on the simulated clock, first
    for (const f of tickPriceAndSize({ reqId, tickType: TICK.BID, price: q.bid, size: q.bidSize })) this.send(f);
    for (const f of tickPriceAndSize({ reqId, tickType: TICK.ASK, price: q.ask, size: q.askSize })) this.send(f);
    for (const f of tickPriceAndSize({ reqId, tickType: TICK.LAST, price: q.last, size: 100 })) this.send(f);
    this.send(tickSize(reqId, TICK.VOLUME, q.volume));
    if (q.prevClose !== undefined) for (const f of tickPriceAndSize({ reqId, tickType: TICK.CLOSE, price: q.prevClose, size: 0 })) this.send(f);
  }

  private historical(reqId: number, symbol: string, endText: string, durationText: string, barSizeText: string, formatDate: number): void {
    const sim = this.sim;
    if (sim.pacingNext) {
      sim.pacingNext = false;
      return this.error(reqId, 162, 'Historical Market Data Service error message:Historical data request pacing violation');
    }
    const now = sim.clock.now();
    const end = parseEndDateTime(endText, now);
    const duration = parseDuration(durationText);
    const barSize = barSizeText.trim() as BarSize;
    if (end === undefined) return this.error(reqId, 321, `Error validating request:-'bP' : cause - Invalid end date/time: ${endText}`);
    if (duration === undefined) return this.error(reqId, 321, `Error validating request:-'bP' : cause - Invalid duration: ${durationText}`);
    if (barSize !== '1 day' && !(barSize in BAR_MINUTES)) return this.error(reqId, 321, `Error validating request:-'bP' : cause - Invalid bar size: ${barSizeText}`);
    if (!sim.prices.hasSymbol(symbol)) return this.error(reqId, 200, 'No security definition has been found for the request');
    const daily = barSize === '1 day';
    const bars: Bar[] = sim.prices.historicalBars(symbol, barSize, { end, start: end - duration }, now).map((b) => ({
      time: formatDate === 2 && !daily ? String(Math.floor(b.time / 1000)) : daily ? b.date.replace(/-/g, '') : ibTime(b.time),
      open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, wap: b.wap, count: 0,
    }));
    this.send(historicalData(reqId, ibTime(end - duration).replace(' US/Eastern', ''), ibTime(end).replace(' US/Eastern', ''), bars));
  }

  private placeOrder(r: Extract<ClientRequest, { type: 'placeOrder' }>): void {
    const sim = this.sim;
    if (sim.rejectNext !== undefined) {
      const reason = sim.rejectNext;
      sim.rejectNext = undefined;
      return this.error(r.orderId, 201, `Order rejected - reason:${reason}`);
    }
    sim.exchange.advanceTo(sim.clock.now());
    const o = r.order;
    const res = sim.exchange.placeOrder({
      clientId: this.clientId!, orderId: r.orderId, symbol: r.contract.symbol, action: o.action, totalQuantity: o.totalQuantity,
      orderType: o.orderType, lmtPrice: o.lmtPrice, auxPrice: o.auxPrice, tif: o.tif, parentId: o.parentId, ocaGroup: o.ocaGroup,
      ocaType: o.ocaType, transmit: o.transmit, orderRef: o.orderRef, outsideRth: o.outsideRth,
    });
    if (!res.ok) this.error(r.orderId, res.code, res.message);
  }

  /** openOrder before orderStatus, as IB sends them (IBApiNext joins the two by permId). */
  orderUpdate(v: OrderView): void {
    const sim = this.sim;
    this.send(openOrder({
      orderId: v.orderId,
      contract: sim.contract(v.symbol),
      order: {
        action: v.action, totalQuantity: v.totalQuantity, orderType: v.orderType, lmtPrice: v.lmtPrice, auxPrice: v.auxPrice, tif: v.tif,
        ocaGroup: v.ocaGroup, ocaType: v.ocaType || undefined, account: sim.account, orderRef: v.orderRef, clientId: v.clientId,
        permId: v.permId, parentId: v.parentId, outsideRth: v.outsideRth,
      },
      orderState: { status: v.status },
    }));
    this.send(orderStatus({
      orderId: v.orderId, status: v.status, filled: v.filled, remaining: v.remaining, avgFillPrice: v.avgFillPrice, permId: v.permId,
      parentId: v.parentId, lastFillPrice: v.lastFillPrice, clientId: v.clientId,
    }));
  }

  private openOrders(orders: OrderView[]): void {
    for (const v of orders) this.orderUpdate(v);
    this.send(openOrderEnd());
  }

  private executions(reqId: number, f: { clientId?: number; time: string; symbol: string; side: string }): void {
    const sim = this.sim;
    const time = f.time ? parseEndDateTime(f.time, sim.clock.now()) : undefined;
    const side = f.side === 'BUY' || f.side === 'SELL' ? f.side : undefined;
    const records = sim.exchange.executions({ clientId: f.clientId || undefined, time, symbol: f.symbol || undefined, side });
    for (const { execution, commission } of records) {
      this.send(executionData({ reqId, ...sim.executionFields(execution) }));
      this.send(commissionReport(commission));
    }
    this.send(executionDataEnd(reqId));
  }

  private accountUpdates(): void {
    const sim = this.sim;
    const summary = sim.exchange.accountSummary();
    for (const tag of SUMMARY_TAGS) this.send(accountValue(tag, String(summary[tag]), 'USD', sim.account));
    for (const p of sim.exchange.positions()) {
      this.send(portfolioValue({
        contract: sim.contract(p.symbol, 'LISTING'), position: p.position, marketPrice: p.marketPrice ?? Number(UNSET_DOUBLE),
        marketValue: p.marketValue, averageCost: p.avgCost, unrealizedPNL: p.unrealizedPnL, realizedPNL: p.realizedPnL, account: sim.account,
      }));
    }
    this.send(accountUpdateTime(ibTime(sim.clock.now()).slice(9, 14)));
    this.send(accountDownloadEnd(sim.account));
  }
}

function lastDateOf(dataDir: string): string {
  // The coverage file lists each symbol's last date: no need to read the whole price file.
  const text = readText(path.join(dataDir, 'daily_coverage.csv'));
  return text.split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[2]).sort().pop()!;
}
