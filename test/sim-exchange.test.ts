// The gateway simulator's exchange core on the real data: clock, price paths, historical bars, order matching,
// brackets, commissions and the account. Expected prices are worked out by hand from the data rows quoted below.
import { loadConfig } from '../config';
import { zonedTime } from '../trading/calendar';
import {
  orderCommission,
  PriceSource,
  SimClock,
  SimExchange,
  loadPriceData,
  DEFAULT_COMMISSION,
  type ExchangeOptions,
  type OrderRequest,
  type PriceData,
} from '../gateway-sim/exchange';

const dataDir = loadConfig({ env: {} }).config.data.dir;
let data: PriceData;
beforeAll(() => {
  data = loadPriceData(dataDir, { symbols: new Set(['AAPL', 'XOM']), from: '2003-01-01', to: '2019-12-31' });
});

const at = (date: string, hhmm: string, seconds = 0): number => zonedTime(date, hhmm, 'America/New_York').getTime() + seconds * 1000;
const MIN = 60_000;
/** Default spread: 2 bps of the price (more than a cent above $50): ask = p × 1.0001 up to the cent, bid = p × 0.9999 down. */
const ask = (p: number): number => Math.ceil(p * 1.0001 * 100 - 1e-6) / 100;
const bid = (p: number): number => Math.floor(p * 0.9999 * 100 + 1e-6) / 100;

// intraday/AAPL.csv, 2019-02-12 (bar END times, raw prints):
//   09:31 o 170.1  h 170.17 l 169.85 c 170.08 v 660613      10:01 o 170.18 h 170.25  l 170.18 c 170.25 v 94248
//   10:02 o 170.29 h 170.485 l 170.28 c 170.46 v 73744      10:03 o 170.47 h 170.48  l 170.36 c 170.38 v 57392
//   10:04 o 170.411 h 170.44 l 170.31 c 170.3274 v 64470    10:06 o 170.45 h 170.485 l 170.3827 c 170.4 v 79630
//   16:00 c 170.89; 2019-02-11 16:00 c 169.45; 2019-02-13 09:31 o 171.4
// daily.csv.gz (adjusted): AAPL 2019-02-12 c 41.8432; XOM 2015-03-02 c 66.5212;
//   XOM 2015-03-03 o 66.4381 h 66.5061 l 65.8337 c 66.2039 v 13491039 (a down day: path O → H at 11:40 → L at 13:50 → C)
//   AAPL 2003-03-12 o 0.217928
const AAPL_DAY = '2019-02-12';
const XOM_DAY = '2015-03-03';

function setup(date: string, hhmm: string, options: ExchangeOptions = {}, basis: 'raw' | 'daily' = 'raw') {
  const prices = new PriceSource(data, { intradayBasis: basis });
  const ex = new SimExchange(prices, at(date, hhmm), options);
  const events: string[] = [];
  ex.on('orderUpdated', (o) => events.push(`order ${o.orderId} ${o.status} ${o.filled}/${o.totalQuantity}`));
  ex.on('execution', (e) => events.push(`exec ${e.orderId} ${e.side} ${e.shares}`));
  ex.on('commission', (c) => events.push(`commission ${c.commission.toFixed(2)}`));
  let nextId = 1;
  const place = (o: Partial<OrderRequest> & Pick<OrderRequest, 'symbol' | 'action' | 'orderType' | 'totalQuantity'>) => ex.placeOrder({ clientId: 1, orderId: nextId++, ...o });
  return { prices, ex, events, place };
}

describe('SimClock', () => {
  it('is manual at speed 0 and runs at speed × real time otherwise', () => {
    const start = at(AAPL_DAY, '09:30');
    let real = 1_000;
    const manual = new SimClock({ start, realNow: () => real });
    real += 5_000;
    expect(manual.now()).toBe(start);
    manual.advance(MIN);
    manual.advanceTo(start + 2 * MIN);
    expect(manual.now()).toBe(start + 2 * MIN);
    expect(() => manual.advanceTo(start)).toThrow(/only moves forward/);

    const fast = new SimClock({ start, speed: 60, realNow: () => real });
    real += 1_000;
    expect(fast.now()).toBe(start + MIN);
    fast.setSpeed(0);
    real += 1_000;
    expect(fast.now()).toBe(start + MIN);
  });
});

describe('PriceSource', () => {
  it('follows the minute bars within the minute: O → H → L → C for a down bar', () => {
    const prices = new PriceSource(data, { intradayBasis: 'raw' });
    const open = at(AAPL_DAY, '09:30');
    expect(prices.last('AAPL', open - 1)).toBe(169.45); // previous close before the open
    expect(prices.last('AAPL', open)).toBe(170.1);
    expect(prices.last('AAPL', open + 10_000)).toBeCloseTo((170.1 + 170.17) / 2, 10);
    expect(prices.last('AAPL', open + 20_000)).toBe(170.17);
    expect(prices.last('AAPL', open + 40_000)).toBe(169.85);
    expect(prices.last('AAPL', at(AAPL_DAY, '16:00'))).toBe(170.89);
    expect(prices.last('AAPL', at('2019-02-16', '12:00'))).toBeDefined(); // weekend: flat at Friday's close
    const q = prices.quote('AAPL', open + 30_000)!;
    expect(q.last).toBe(170.01); // (170.17 + 169.85) / 2, on the cent
    expect(q.bid).toBe(bid((170.17 + 169.85) / 2));
    expect(q.ask).toBe(ask((170.17 + 169.85) / 2));
    expect([q.bid, q.ask]).toEqual([169.99, 170.03]);
    expect(q.volume).toBe(Math.floor(660613 / 2));
    expect(q).toMatchObject({ open: 170.1, high: 170.17, prevClose: 169.45, bidSize: 66000 });
  });

  it('quotes on the tick: cents from $1 (adjusted prices have 6 significant digits), hundredths of a cent below', () => {
    const prices = new PriceSource(data);
    const onGrid = (x: number, perDollar: number) => Math.abs(x * perDollar - Math.round(x * perDollar)) < 1e-9;
    for (const [day, symbol, perDollar] of [[AAPL_DAY, 'AAPL', 100], [XOM_DAY, 'XOM', 100], ['2003-03-12', 'AAPL', 10_000]] as const) {
      for (let t = at(day, '09:30'); t <= at(day, '16:00'); t += 7 * MIN + 13_000) {
        const q = prices.quote(symbol, t)!;
        for (const x of [q.bid, q.ask, q.last, q.open!, q.high!, q.low!, q.prevClose!]) expect(onGrid(x, perDollar)).toBe(true);
        expect(q.bid).toBeLessThan(q.ask);
        expect(q.bid).toBeLessThanOrEqual(q.last);
        expect(q.ask).toBeGreaterThanOrEqual(q.last);
      }
    }
  });

  it("scales a day of minute bars onto the daily file's adjusted basis by default", () => {
    const prices = new PriceSource(data);
    const factor = 41.8432 / 170.89;
    expect(prices.last('AAPL', at(AAPL_DAY, '16:00'))).toBeCloseTo(41.8432, 10);
    expect(prices.last('AAPL', at(AAPL_DAY, '09:30'))).toBeCloseTo(170.1 * factor, 10);
  });

  it('synthesizes a daily-only day as open → high → low → close, flat outside the session', () => {
    const prices = new PriceSource(data);
    expect(prices.last('XOM', at(XOM_DAY, '09:00'))).toBe(66.5212);
    expect(prices.last('XOM', at(XOM_DAY, '09:30'))).toBe(66.4381);
    expect(prices.last('XOM', at(XOM_DAY, '11:40'))).toBe(66.5061);
    expect(prices.last('XOM', at(XOM_DAY, '13:50'))).toBe(65.8337);
    expect(prices.last('XOM', at(XOM_DAY, '16:00'))).toBe(66.2039);
    expect(prices.last('XOM', at(XOM_DAY, '20:00'))).toBe(66.2039);
    expect(prices.last('XOM', at(XOM_DAY, '10:35'))).toBeCloseTo(66.4381 + (66.5061 - 66.4381) / 2, 10);
    expect(prices.quote('XOM', at(XOM_DAY, '16:00'))!.volume).toBe(13491039);
    expect(prices.quote('XOM', at(XOM_DAY, '11:45'))).toMatchObject({ high: 66.51, low: 66.44 }); // 66.5061 and 66.4381 on the cent
  });

  it('never returns bars after asOf and aggregates minute bars into coarser ones', () => {
    const prices = new PriceSource(data, { intradayBasis: 'raw' });
    const now = at(AAPL_DAY, '10:02', 30);
    const minutes = prices.historicalBars('AAPL', '1 min', { end: at(AAPL_DAY, '16:00'), count: 3 }, now);
    expect(minutes.map((b) => b.time)).toEqual([at(AAPL_DAY, '10:00'), at(AAPL_DAY, '10:01'), at(AAPL_DAY, '10:02')]);
    expect(minutes[0]).toMatchObject({ open: 170.18, high: 170.25, low: 170.18, close: 170.25, volume: 94248 });
    // the bar in progress: 10:02:00–10:02:30 of the 10:03 row, a down bar (O 170.47 → H 170.48 at :20 → L 170.36 at :40)
    expect(minutes[2]).toMatchObject({ open: 170.47, high: 170.48, volume: Math.floor(57392 / 2) });
    expect(minutes[2].close).toBeCloseTo((170.48 + 170.36) / 2, 10);
    expect(minutes[2].low).toBeCloseTo((170.48 + 170.36) / 2, 10);

    const five = prices.historicalBars('AAPL', '5 mins', { end: now, start: at(AAPL_DAY, '09:30') }, now);
    expect(five[0]).toMatchObject({ time: at(AAPL_DAY, '09:30'), open: 170.1, close: 170.19 });
    expect(five[0].volume).toBe(660613 + 99480 + 69440 + 127118 + 104332);
    expect(five[0].high).toBe(Math.max(170.17, 170.085, 170.06, 170.2302, 170.36));
    expect(five[0].low).toBe(Math.min(169.85, 169.75, 169.76, 170.02, 170.06));
    expect(five.at(-1)!.time).toBe(at(AAPL_DAY, '10:00'));

    const hours = prices.historicalBars('AAPL', '1 hour', { end: now, count: 2 }, now);
    expect(hours.map((b) => b.time)).toEqual([at(AAPL_DAY, '09:30'), at(AAPL_DAY, '10:00')]);
    for (const b of [...minutes, ...five, ...hours]) expect(b.time).toBeLessThan(now);

    const days = prices.historicalBars('XOM', '1 day', { end: at('2015-03-31', '16:00'), count: 3 }, at('2015-03-05', '12:00'));
    expect(days.map((b) => b.date)).toEqual(['2015-03-03', '2015-03-04', '2015-03-05']);
    expect(days[0]).toMatchObject({ open: 66.4381, high: 66.5061, low: 65.8337, close: 66.2039, volume: 13491039 });
    expect(days[2].open).toBe(65.7883); // today's partial bar: the path up to noon only
    expect(days[2].volume).toBeLessThan(12527581);
  });
});

describe('SimExchange orders', () => {
  it('fills a market order at the ask of the next quote and emits IB-ordered events', () => {
    const { ex, events, place } = setup(AAPL_DAY, '10:00');
    const r = place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 100 });
    expect(r).toMatchObject({ ok: true, order: { status: 'Submitted', remaining: 100 } });
    ex.advanceTo(at(AAPL_DAY, '10:01'));
    const [rec] = ex.executions();
    expect(rec.execution).toMatchObject({ orderId: 1, side: 'BOT', shares: 100, cumQty: 100, time: at(AAPL_DAY, '10:00') });
    expect(rec.execution.price).toBeCloseTo(ask(170.18), 10); // the 10:01 bar opens at 10:00:00
    expect(rec.execution.execId).toMatch(/^[0-9a-f]{8}\.[0-9a-f]{8}\.[0-9a-f]{2,}\.01$/);
    expect(rec.commission).toMatchObject({ commission: 1, currency: 'USD', realizedPNL: undefined });
    expect(events).toEqual(['order 1 Submitted 0/100', 'exec 1 BOT 100', 'order 1 Filled 100/100', 'commission 1.00']);
    expect(ex.order(1, 1)!.permId).toBeGreaterThan(0);
  });

  it('fills a limit when the ask reaches it, at the limit; a limit never reached stays Submitted', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00');
    place({ symbol: 'AAPL', action: 'SELL', orderType: 'LMT', lmtPrice: 170.45, totalQuantity: 100 });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 169, totalQuantity: 100 });
    ex.advanceTo(at(AAPL_DAY, '15:00'));
    // bid ≥ 170.45 needs last ≥ 170.45 / 0.9999: crossed in the 10:02 row between L 170.28 (10:01:20) and H 170.485 (10:01:40)
    const [fill] = ex.executions().map((r) => r.execution);
    expect(fill.price).toBeCloseTo(170.45, 9);
    const level = 170.45 / 0.9999;
    expect(fill.time).toBeCloseTo(at(AAPL_DAY, '10:01', 20) + ((level - 170.28) / (170.485 - 170.28)) * 20_000, 0);
    expect(ex.order(1, 2)).toMatchObject({ status: 'Submitted', filled: 0 });
  });

  it('reaches a limit between two ticks at the tick on its side: a sell at 170.441 needs the bid at 170.45', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00');
    place({ symbol: 'AAPL', action: 'SELL', orderType: 'LMT', lmtPrice: 170.441, totalQuantity: 100 });
    ex.advanceTo(at(AAPL_DAY, '15:00'));
    const [fill] = ex.executions().map((r) => r.execution);
    expect(fill.price).toBe(170.45); // bid ≥ 170.441 means bid ≥ 170.45: the same crossing as the 170.45 limit above
    const level = 170.45 / 0.9999;
    expect(fill.time).toBeCloseTo(at(AAPL_DAY, '10:01', 20) + ((level - 170.28) / (170.485 - 170.28)) * 20_000, 0);
  });

  it("triggers a sell stop on the day's low and fills it at the bid; a stop below the low never triggers", () => {
    const { ex, place } = setup(XOM_DAY, '09:30');
    place({ symbol: 'XOM', action: 'SELL', orderType: 'STP', auxPrice: 65.9, totalQuantity: 100 });
    place({ symbol: 'XOM', action: 'SELL', orderType: 'STP', auxPrice: 65.8, totalQuantity: 100 });
    ex.advanceTo(at(XOM_DAY, '15:59'));
    const fills = ex.executions().map((r) => r.execution);
    expect(fills).toHaveLength(1);
    expect(fills[0].price).toBeCloseTo(bid(65.9), 10);
    const h = at(XOM_DAY, '11:40');
    expect(fills[0].time).toBeCloseTo(h + ((66.5061 - 65.9) / (66.5061 - 65.8337)) * (at(XOM_DAY, '13:50') - h), 0);
    expect(ex.order(1, 2)!.status).toBe('Submitted');
  });

  it('turns a stop-limit into a limit at the trigger', () => {
    const { ex, place } = setup(XOM_DAY, '09:30');
    // buy stop 66.50 triggers on the way up to the high (66.5061); the 66.45 limit fills on the way down to the low
    place({ symbol: 'XOM', action: 'BUY', orderType: 'STP LMT', auxPrice: 66.5, lmtPrice: 66.45, totalQuantity: 100 });
    place({ symbol: 'XOM', action: 'BUY', orderType: 'STP LMT', auxPrice: 66.6, lmtPrice: 66.7, totalQuantity: 100 });
    ex.advanceTo(at(XOM_DAY, '11:45'));
    expect(ex.executions()).toHaveLength(0);
    expect(ex.order(1, 1)).toMatchObject({ status: 'Submitted', filled: 0 });
    ex.advanceTo(at(XOM_DAY, '15:59'));
    const [fill] = ex.executions().map((r) => r.execution);
    expect(fill.price).toBeCloseTo(66.45, 9);
    const h = at(XOM_DAY, '11:40');
    const level = 66.45 / 1.0001;
    expect(fill.time).toBeCloseTo(h + ((66.5061 - level) / (66.5061 - 65.8337)) * (at(XOM_DAY, '13:50') - h), 0);
    expect(ex.order(1, 2)).toMatchObject({ status: 'Submitted', filled: 0 });
  });

  it('fills a large order in several executions with the right average price and per-order commission', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00', { liquidity: { maxSharesPerMinute: 3000 } });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 10_000 });
    ex.advanceTo(at(AAPL_DAY, '10:10'));
    const recs = ex.executions();
    expect(recs.map((r) => r.execution.shares)).toEqual([3000, 3000, 3000, 1000]);
    const opens = [170.18, 170.29, 170.47, 170.411]; // each minute's first quote: the opens of the 10:01..10:04 rows
    recs.forEach((r, i) => expect(r.execution.price).toBeCloseTo(ask(opens[i]), 9));
    const avg = (3000 * (ask(170.18) + ask(170.29) + ask(170.47)) + 1000 * ask(170.411)) / 10_000;
    expect(recs[3].execution.avgPrice).toBeCloseTo(avg, 9);
    expect(ex.order(1, 1)).toMatchObject({ status: 'Filled', filled: 10_000, remaining: 0 });
    expect(ex.order(1, 1)!.avgFillPrice).toBeCloseTo(avg, 9);
    expect(recs.map((r) => r.commission.commission)).toEqual([15, 15, 15, 5]);
  });

  it('limits each minute to a fraction of its volume', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00', { liquidity: { volumeFraction: 0.05 } });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 10_000 });
    ex.advanceTo(at(AAPL_DAY, '10:10'));
    expect(ex.executions().map((r) => r.execution.shares)).toEqual([Math.floor(0.05 * 94248), Math.floor(0.05 * 73744), 10_000 - 4712 - 3687]);
  });

  it('holds transmit=false orders, then runs a bracket to its take-profit and cancels the stop-loss', () => {
    const { ex, events, place } = setup(AAPL_DAY, '10:00');
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 100, transmit: false });
    place({ symbol: 'AAPL', action: 'SELL', orderType: 'LMT', lmtPrice: 170.45, totalQuantity: 100, parentId: 1, transmit: false });
    ex.advanceTo(at(AAPL_DAY, '10:00', 30));
    expect(events).toEqual([]);
    expect(ex.openOrders()).toEqual([]);
    expect(ex.executions()).toEqual([]);
    place({ symbol: 'AAPL', action: 'SELL', orderType: 'STP', auxPrice: 169.9, totalQuantity: 100, parentId: 1, transmit: true });
    expect(events).toEqual(['order 1 Submitted 0/100', 'order 2 PreSubmitted 0/100', 'order 3 PreSubmitted 0/100']);
    ex.advanceTo(at(AAPL_DAY, '10:05'));
    expect(events.slice(3)).toEqual([
      'exec 1 BOT 100', 'order 1 Filled 100/100', 'commission 1.00', 'order 2 Submitted 0/100', 'order 3 Submitted 0/100',
      'exec 2 SLD 100', 'order 2 Filled 100/100', 'commission 1.00', 'order 3 Cancelled 0/100',
    ]);
    const [buy, sell] = ex.executions().map((r) => r.execution);
    expect(buy.price).toBeCloseTo(ask(170.18 + (170.25 - 170.18) / 2), 9); // placed at 10:00:30: mid-way from L (10:00:20) to H (10:00:40)
    expect(sell.price).toBeCloseTo(170.45, 9);
    expect(ex.openOrders()).toEqual([]);
  });

  it('runs a bracket to its stop-loss on a daily-only day and cancels the take-profit', () => {
    const { ex, events, place } = setup(XOM_DAY, '09:30');
    place({ symbol: 'XOM', action: 'BUY', orderType: 'MKT', totalQuantity: 100, transmit: false });
    place({ symbol: 'XOM', action: 'SELL', orderType: 'LMT', lmtPrice: 66.6, totalQuantity: 100, parentId: 1, transmit: false });
    place({ symbol: 'XOM', action: 'SELL', orderType: 'STP', auxPrice: 66, totalQuantity: 100, parentId: 1 });
    ex.advanceTo(at(XOM_DAY, '16:00'));
    expect(events.slice(-4)).toEqual(['exec 3 SLD 100', 'order 3 Filled 100/100', 'commission 1.00', 'order 2 Cancelled 0/100']);
    const [buy, sell] = ex.executions();
    expect(buy.execution.price).toBeCloseTo(ask(66.4381), 9);
    expect(sell.execution.price).toBeCloseTo(bid(66), 9);
    const realized = (bid(66) - ask(66.4381)) * 100 - 2;
    expect(sell.commission.realizedPNL).toBeCloseTo(realized, 9);
  });

  it('cancels the other members of an explicit OCA group (ocaType 1)', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00');
    place({ symbol: 'AAPL', action: 'SELL', orderType: 'LMT', lmtPrice: 170.45, totalQuantity: 100, ocaGroup: 'g', ocaType: 1 });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 169, totalQuantity: 50, ocaGroup: 'g', ocaType: 1 });
    ex.advanceTo(at(AAPL_DAY, '10:05'));
    expect(ex.order(1, 1)!.status).toBe('Filled');
    expect(ex.order(1, 2)!.status).toBe('Cancelled');
  });

  it('cancels DAY orders at the close, keeps GTC, and makes orders placed after the close wait for the open', () => {
    const { ex, events, place } = setup(AAPL_DAY, '15:00');
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 160, totalQuantity: 100 });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 160, totalQuantity: 100, tif: 'GTC' });
    ex.advanceTo(at(AAPL_DAY, '17:00'));
    expect(ex.order(1, 1)!.status).toBe('Cancelled');
    expect(ex.order(1, 2)!.status).toBe('Submitted');
    expect(place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 100 })).toMatchObject({ ok: true, order: { status: 'PreSubmitted' } });
    ex.advanceTo(at('2019-02-13', '09:29'));
    expect(ex.executions()).toEqual([]);
    ex.advanceTo(at('2019-02-13', '09:31'));
    expect(events).toContain('order 3 Submitted 0/100');
    const [fill] = ex.executions().map((r) => r.execution);
    expect(fill).toMatchObject({ orderId: 3, time: at('2019-02-13', '09:30') });
    expect(fill.price).toBeCloseTo(ask(171.4), 9);
    expect(ex.openOrders(1).map((o) => o.orderId)).toEqual([2]);
  });

  it('modifies a working order placed again under its id, and rejects duplicate ids and invalid orders', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00');
    const first = place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 169, totalQuantity: 100 });
    expect(first.ok).toBe(true);
    const modified = ex.placeOrder({ clientId: 1, orderId: 1, symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 170.3, totalQuantity: 100 });
    expect(modified).toMatchObject({ ok: true, modified: true, order: { lmtPrice: 170.3, status: 'Submitted' } });
    expect(modified.ok && first.ok && modified.order.permId === first.order.permId).toBe(true);
    ex.advanceTo(at(AAPL_DAY, '10:01'));
    expect(ex.order(1, 1)!.status).toBe('Filled');
    expect(ex.placeOrder({ clientId: 1, orderId: 1, symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 170, totalQuantity: 100 })).toMatchObject({ ok: false, reason: 'cannotModifyFilled', code: 104 });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 160, totalQuantity: 1 });
    const base = { clientId: 1, symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 1 };
    expect(ex.placeOrder({ ...base, orderId: 9 }).ok).toBe(true);
    expect(ex.placeOrder({ ...base, orderId: 5 })).toMatchObject({ ok: false, reason: 'duplicateOrderId', code: 103 });
    expect(ex.placeOrder({ ...base, orderId: 5, clientId: 2 }).ok).toBe(true); // ids are per client
    expect(ex.placeOrder({ ...base, orderId: 10, symbol: 'NOPE' })).toMatchObject({ ok: false, code: 200 });
    expect(ex.placeOrder({ ...base, orderId: 11, totalQuantity: 0 })).toMatchObject({ ok: false, code: 321 });
    expect(ex.placeOrder({ ...base, orderId: 12, orderType: 'LMT' })).toMatchObject({ ok: false, code: 321 });
    expect(ex.placeOrder({ ...base, orderId: 13, orderType: 'STP LMT', lmtPrice: 170 })).toMatchObject({ ok: false, code: 321 });
    expect(ex.placeOrder({ ...base, orderId: 2, orderType: 'LMT', lmtPrice: 160, action: 'SELL' })).toMatchObject({ ok: false, code: 105 });
    expect(ex.nextOrderId(1)).toBe(14);
  });

  it('cancels single orders and everything with globalCancel', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00');
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 160, totalQuantity: 100 });
    expect(ex.cancelOrder(1, 1)).toMatchObject({ ok: true, order: { status: 'Cancelled' } });
    expect(ex.cancelOrder(1, 1)).toMatchObject({ ok: false, reason: 'notCancellable', code: 10148 });
    expect(ex.cancelOrder(1, 99)).toMatchObject({ ok: false, reason: 'notFound', code: 10147 });
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'LMT', lmtPrice: 160, totalQuantity: 100 });
    place({ symbol: 'XOM', action: 'SELL', orderType: 'STP', auxPrice: 10, totalQuantity: 100, tif: 'GTC' });
    ex.placeOrder({ clientId: 7, orderId: 1, symbol: 'AAPL', action: 'SELL', orderType: 'LMT', lmtPrice: 190, totalQuantity: 5 });
    expect(ex.openOrders()).toHaveLength(3);
    expect(ex.globalCancel().map((o) => `${o.clientId}:${o.orderId} ${o.status}`)).toEqual(['1:2 Cancelled', '1:3 Cancelled', '7:1 Cancelled']);
    expect(ex.openOrders()).toEqual([]);
  });
});

describe('SimExchange account', () => {
  it('charges $0.005 a share, at least $1 and at most 1% of the value', () => {
    expect(orderCommission(DEFAULT_COMMISSION, 100, 17_000)).toBe(1);
    expect(orderCommission(DEFAULT_COMMISSION, 1000, 170_000)).toBe(5);
    expect(orderCommission(DEFAULT_COMMISSION, 1000, 50)).toBeCloseTo(0.5, 12);
    // AAPL at $0.22 (adjusted) in 2003: a one-cent spread, and the 1% cap below both $5 and the $1 minimum
    const { ex, place } = setup('2003-03-12', '09:30');
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 1000 });
    ex.advanceTo(at('2003-03-12', '09:31'));
    const [rec] = ex.executions();
    expect(rec.execution.price).toBe(0.223); // 0.217928 + 0.005 up to the sub-dollar tick of $0.0001
    expect(rec.commission.commission).toBeCloseTo(0.01 * 1000 * 0.223, 12);
  });

  it('books positions, cash and realized P&L over a round trip', () => {
    const { ex, place } = setup(AAPL_DAY, '10:00');
    place({ symbol: 'AAPL', action: 'BUY', orderType: 'MKT', totalQuantity: 100 });
    ex.advanceTo(at(AAPL_DAY, '10:05'));
    const buy = ask(170.18);
    expect(ex.positions()).toMatchObject([{ symbol: 'AAPL', position: 100 }]);
    expect(ex.positions()[0].avgCost).toBeCloseTo(buy + 1 / 100, 9); // IB's average cost includes the commission
    const mark = 170.45; // 10:05:00 is the open of the 10:06 row
    const s1 = ex.accountSummary();
    expect(s1.TotalCashValue).toBeCloseTo(1_000_000 - 100 * buy - 1, 6);
    expect(s1.GrossPositionValue).toBeCloseTo(100 * mark, 6);
    expect(s1.NetLiquidation).toBeCloseTo(1_000_000 - 100 * buy - 1 + 100 * mark, 6);
    expect(s1.UnrealizedPnL).toBeCloseTo(100 * (mark - buy) - 1, 6);
    expect(s1.BuyingPower).toBeCloseTo(4 * (s1.NetLiquidation - 0.25 * 100 * mark), 6);

    place({ symbol: 'AAPL', action: 'SELL', orderType: 'MKT', totalQuantity: 100 });
    ex.advanceTo(at(AAPL_DAY, '10:06'));
    const sell = bid(170.45);
    const realized = (sell - buy) * 100 - 2;
    const [rec] = ex.executions({ clientId: 1, symbol: 'AAPL', side: 'SELL' });
    expect(rec.commission.realizedPNL).toBeCloseTo(realized, 9);
    expect(ex.positions()).toMatchObject([{ symbol: 'AAPL', position: 0, avgCost: 0 }]);
    expect(ex.positions()[0].realizedPnL).toBeCloseTo(realized, 9);
    const s2 = ex.accountSummary();
    expect(s2.TotalCashValue).toBeCloseTo(1_000_000 + realized, 6);
    expect(s2.NetLiquidation).toBeCloseTo(1_000_000 + realized, 6);
    expect(s2.RealizedPnL).toBeCloseTo(realized, 9);
    expect(ex.executions({ side: 'BUY' })).toHaveLength(1);
    expect(ex.executions({ time: at(AAPL_DAY, '10:03') })).toHaveLength(1);
    expect(ex.executions({ clientId: 2 })).toHaveLength(0);
  });
});
