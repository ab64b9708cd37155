// The backtester: simulated execution behind the Broker port, the engine on a synthetic series whose every fill can
// be worked out by hand, and on a real slice of ../shared/data (no look-ahead, the risk gate, the kill switch, P&L),
// the `trader backtest` CLI as a separate process, and the HTML report rendered by headless Chromium.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../config/paths';
import { loadConfig, type TraderConfig } from '../config';
import { runBacktest, type BacktestInput, type BacktestResult } from '../backtest/engine';
import { barAt, MarketView } from '../backtest/market';
import { EntryWatch, refreshBetween, screenedCandidates } from '../backtest/screens';
import { executionCosts, SimulatedBroker } from '../backtest/sim-broker';
import { loadDailyBars, loadSectors, loadVix, type BarSeries } from '../market-data/files';
import { tradingDaysBetween } from '../trading/calendar';
import { meanReversionEntry } from '../trading/mean-reversion';
import { screenUniverse } from '../trading/screening';
import { niceTicks, reduceToColumns, timeChart } from '../report/svg-chart';

const DATA = path.resolve(projectRoot(), '../shared/data');
const config = (overrides: Record<string, unknown> = {}): TraderConfig => loadConfig({ env: {}, overrides }).config;
const HOURS = { timezone: 'America/New_York', open: '09:30', close: '16:00', earlyClose: '13:00' };

/** A series from per-bar arrays, dated on consecutive NYSE sessions from 2020-01-02. */
function series(symbol: string, o: number[], h: number[], l: number[], c: number[], v: number[]): BarSeries {
  const dates = tradingDaysBetween('2020-01-02', '2022-12-30').slice(0, c.length);
  return { symbol, dates, open: Float64Array.from(o), high: Float64Array.from(h), low: Float64Array.from(l), close: Float64Array.from(c), volume: Float64Array.from(v) };
}

function flat(symbol: string, bars: [open: number, high: number, low: number, close: number][]): BarSeries {
  return series(symbol, bars.map((b) => b[0]), bars.map((b) => b[1]), bars.map((b) => b[2]), bars.map((b) => b[3]), bars.map(() => 1e6));
}

function broker(view: MarketView, cfg = config()): SimulatedBroker {
  return new SimulatedBroker(view, { costs: executionCosts(cfg.backtest), initialCapital: 100_000, hours: HOURS });
}

describe('simulated execution (Broker port on daily bars)', () => {
  // backtest defaults: 5 bps slippage, $0.005 per share, at least $1 per order, at most 1 % of the order's value.
  test('a market order placed after a close fills at the next open plus slippage, with IB fixed commissions', async () => {
    const view = new MarketView(new Map([
      ['BIG', flat('BIG', [[40, 41, 39, 40], [42, 43, 41, 42.5]])],
      ['CHEAP', flat('CHEAP', [[0.2, 0.21, 0.19, 0.2], [0.25, 0.26, 0.24, 0.25]])],
    ]));
    const b = broker(view);
    view.advanceTo(0);
    b.open();
    b.trade();
    const small = await b.placeOrder({ orderRef: 'p:small', symbol: 'BIG', action: 'BUY', quantity: 100, type: 'MKT' });
    await b.placeOrder({ orderRef: 'p:large', symbol: 'BIG', action: 'SELL', quantity: 1000, type: 'MKT' });
    await b.placeOrder({ orderRef: 'p:cheap', symbol: 'CHEAP', action: 'BUY', quantity: 1000, type: 'MKT' });
    expect(small.status).toBe('Submitted');
    expect(await b.placeOrder({ orderRef: 'p:small', symbol: 'BIG', action: 'BUY', quantity: 100, type: 'MKT' })).toEqual(small); // idempotent by orderRef

    view.advanceTo(1);
    b.open();
    const fills = await b.executions();
    const by = Object.fromEntries(fills.map((f) => [f.orderRef, f]));
    expect(by['p:small']!.price).toBeCloseTo(42 * 1.0005, 12);
    expect(by['p:small']!.commission).toBe(1); // 100 × 0.005 = 0.50, raised to the $1 minimum
    expect(by['p:large']!.price).toBeCloseTo(42 * 0.9995, 12);
    expect(by['p:large']!.commission).toBeCloseTo(5, 12); // 1000 × 0.005
    expect(by['p:cheap']!.price).toBeCloseTo(0.25 * 1.0005, 12);
    expect(by['p:cheap']!.commission).toBeCloseTo(0.01 * 1000 * 0.25 * 1.0005, 12); // capped at 1 % of $250
    expect(by['p:small']!.time).toBe('2020-01-03T14:30:00.000Z'); // 09:30 New York
    const cash = 100_000 - 100 * 42 * 1.0005 - 1 + 1000 * 42 * 0.9995 - 5 - 1000 * 0.25 * 1.0005 - 0.01 * 250 * 1.0005;
    expect((await b.accountSummary()).totalCash).toBeCloseTo(cash, 8);
    expect(await b.positions()).toEqual(expect.arrayContaining([expect.objectContaining({ symbol: 'BIG', quantity: -900 }), expect.objectContaining({ symbol: 'CHEAP', quantity: 1000 })]));
  });

  test('a resting sell stop fills at the stop when the low reaches it, at the open when the price gaps through it', async () => {
    const view = new MarketView(new Map([
      ['TOUCH', flat('TOUCH', [[50, 50, 50, 50], [50, 51, 48.5, 49]])],
      ['GAP', flat('GAP', [[50, 50, 50, 50], [47, 47.5, 46, 47.2]])],
      ['MISS', flat('MISS', [[50, 50, 50, 50], [50, 51, 49.1, 50]])],
    ]));
    const b = broker(view);
    view.advanceTo(0);
    for (const symbol of ['TOUCH', 'GAP', 'MISS']) await b.placeOrder({ orderRef: `${symbol}:stop`, symbol, action: 'SELL', quantity: 10, type: 'STP', stopPrice: 49, tif: 'GTC' });
    view.advanceTo(1);
    b.open();
    expect(await b.executions()).toEqual([]); // stops rest through the open auction step
    b.trade();
    const fills = Object.fromEntries((await b.executions()).map((f) => [f.symbol, f.price]));
    expect(fills).toEqual({ TOUCH: expect.closeTo(49 * 0.9995, 12), GAP: expect.closeTo(47 * 0.9995, 12) });
    expect((await b.order('MISS:stop'))!.status).toBe('Submitted');
  });

  test('a bracket: children wait for the entry; when stop and target are both reached on one bar the stop is taken and the target cancelled', async () => {
    const view = new MarketView(new Map([['X', flat('X', [[10, 10, 10, 10], [10, 10.1, 9.9, 10], [10, 11.5, 8.5, 10]])]]));
    const b = broker(view);
    view.advanceTo(0);
    const legs = await b.placeBracket({ orderRef: 'br', symbol: 'X', action: 'BUY', quantity: 100, entry: { type: 'MKT' }, takeProfitPrice: 11, stopLossPrice: 9 });
    expect(legs.map((l) => l.status)).toEqual(['Submitted', 'PreSubmitted', 'PreSubmitted']);
    view.advanceTo(1);
    b.open();
    b.trade();
    expect((await b.openOrders()).map((o) => [o.orderRef, o.status])).toEqual([['br:target', 'Submitted'], ['br:stop', 'Submitted']]);
    view.advanceTo(2);
    b.open();
    b.trade();
    expect([(await b.order('br:stop'))!.status, (await b.order('br:target'))!.status]).toEqual(['Filled', 'Cancelled']);
    expect(await b.positions()).toEqual([]);
  });

  test('bars and quotes never show the session before it has traded; unsupported orders are refused', async () => {
    const view = new MarketView(new Map([['X', flat('X', [[10, 11, 9, 10.5], [12, 13, 11, 12.5]])]]));
    const b = broker(view);
    view.advanceTo(1);
    const request = { symbol: 'X', duration: '1 Y', barSize: '1 day' };
    expect((await b.historicalBars(request)).map((x) => x.date)).toEqual(['2020-01-02']);
    expect((await b.quote('X')).last).toBe(10.5);
    b.open();
    expect((await b.historicalBars(request)).map((x) => x.date)).toEqual(['2020-01-02']);
    expect((await b.quote('X')).last).toBe(12);
    b.trade();
    expect((await b.historicalBars(request)).map((x) => x.close)).toEqual([10.5, 12.5]);
    expect((await b.quote('X')).last).toBe(12.5);
    const refused = await b.placeOrder({ orderRef: 'sl', symbol: 'X', action: 'SELL', quantity: 1, type: 'STP LMT', stopPrice: 9, limitPrice: 8.9 });
    expect(refused).toMatchObject({ status: 'Inactive', rejectReason: expect.stringMatching(/STP LMT/) });
    expect((await b.placeOrder({ orderRef: 'u', symbol: 'NOPE', action: 'BUY', quantity: 1, type: 'MKT' })).status).toBe('Inactive');
  });
});

/**
 * 300 sessions of a 10-day sine wave around $50 (range-bound: it passes the universe and mean-reversion screens),
 * then three −1.5 % days and a −7 % day on triple volume at bar T: a close below the lower band with RSI < 30.
 * After T the price opens 1 % lower and climbs 1 % a day, unless `gapAfterEntry` makes the next session open 5 %
 * below the entry fill (through the stop).
 */
const T = 280;
function meanReversionSetup(gapAfterEntry: boolean): BarSeries {
  const o: number[] = [], h: number[] = [], l: number[] = [], c: number[] = [], v: number[] = [];
  for (let i = 0; i < 300; i++) {
    let close = 50 * (1 + 0.03 * Math.sin((2 * Math.PI * i) / 10));
    if (i >= T - 3 && i <= T) close = c[i - 1]! * (i === T ? 0.93 : 0.985);
    if (i > T) close = c[i - 1]! * 1.01;
    let open = i === 0 ? close : c[i - 1]! * (i === T + 1 ? 0.99 : 1);
    if (gapAfterEntry && i === T + 2) [open, close] = [c[T]! * 0.99 * 0.95, c[T]! * 0.99 * 0.95];
    o.push(open);
    c.push(close);
    h.push(Math.max(open, close) * 1.005);
    l.push(Math.min(open, close) * 0.995);
    v.push(i === T ? 3e6 : 1e6);
  }
  return series('SYN', o, h, l, c, v);
}

describe('the engine on a series worked out by hand', () => {
  const cfg = config();
  const run = (s: BarSeries): Promise<BacktestResult> =>
    runBacktest({ bars: new Map([['SYN', s]]), from: s.dates[T - 20]!, to: s.dates[299]!, strategies: ['meanrev'] }, cfg);

  test('a signal at the close of T is bought at the next open plus slippage, sized by the 5 % position cap, and sold at an open', async () => {
    const s = meanReversionSetup(false);
    const r = await run(s);
    expect(r.decisions.filter((d) => d.action === 'ENTER')).toEqual([{ date: s.dates[T], strategy: 'meanrev', symbols: ['SYN'], action: 'ENTER', code: 'LONG' }]);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    const entry = s.open[T + 1]! * 1.0005;
    // sizeMeanReversion: min(1 % risk / 2 % stop, 5 % of $100,000, $10,000) / close → the 5 % cap binds.
    const quantity = Math.floor(5000 / s.close[T]!);
    expect(t).toMatchObject({ strategy: 'meanrev', symbols: ['SYN'], side: 'LONG', entryDate: s.dates[T + 1], quantity });
    expect(t.entryPrice).toBeCloseTo(entry, 10);
    const exitIndex = s.dates.indexOf(t.exitDate);
    expect(['UPPER_BAND', 'RSI_OVERBOUGHT', 'MAX_HOLDING_DAYS']).toContain(t.exitReason);
    expect(exitIndex).toBeGreaterThan(T + 1);
    expect(t.exitPrice).toBeCloseTo(s.open[exitIndex]! * 0.9995, 10);
    // 114 shares × $0.005 is below the $1 minimum: $1 each way.
    expect(quantity * 0.005).toBeLessThan(1);
    expect(t.pnl).toBeCloseTo(quantity * ((t.exitPrice as number) - entry) - 2, 8);
    expect(r.metrics.commissions).toBe(2);
    expect(r.metrics.finalEquity).toBeCloseTo(100_000 + t.pnl, 8);
  });

  test('a stop the price gaps through is filled at that open, less slippage', async () => {
    const s = meanReversionSetup(true);
    const [t] = (await run(s)).trades;
    expect(t).toMatchObject({ entryDate: s.dates[T + 1], exitDate: s.dates[T + 2], exitReason: 'STOP_LOSS' });
    expect(t!.exitPrice).toBeCloseTo(s.open[T + 2]! * 0.9995, 10);
  });
});

// ------------------------------------------------------------------ a real slice of the data

const SYMBOLS = 'KO,PEP,XOM,CVX,COP,JPM,BAC,C,WFC,USB,PNC,AAPL,MSFT,INTC,CSCO,ORCL,HD,LOW,MCD,YUM,PFE,MRK,JNJ,ABT,BMY,DUK,SO,AEP,ED,XEL'.split(',');
let real: Omit<BacktestInput, 'from' | 'to'> & { bars: Map<string, BarSeries> };

beforeAll(() => {
  real = {
    bars: loadDailyBars(path.join(DATA, 'daily.csv.gz'), { symbols: new Set(SYMBOLS), to: '2019-12-31' }),
    sectors: loadSectors(path.join(DATA, 'sectors.csv')),
    vix: loadVix(path.join(DATA, 'vix.csv')),
  };
}, 60_000);

/** The same series with every bar after `date` dropped, or (perturb) replaced by a different price path and volume. */
function after(date: string, how: 'truncate' | 'perturb'): Map<string, BarSeries> {
  const out = new Map<string, BarSeries>();
  for (const [symbol, s] of real.bars) {
    const n = s.dates.filter((d) => d <= date).length;
    if (how === 'truncate') {
      out.set(symbol, { symbol, dates: s.dates.slice(0, n), open: s.open.slice(0, n), high: s.high.slice(0, n), low: s.low.slice(0, n), close: s.close.slice(0, n), volume: s.volume.slice(0, n) });
      continue;
    }
    const p = { ...s, open: s.open.slice(), high: s.high.slice(), low: s.low.slice(), close: s.close.slice(), volume: s.volume.slice() };
    for (let i = n; i < s.dates.length; i++) {
      const f = 1 + 0.15 * Math.sin(i * 0.7 + symbol.length);
      for (const k of ['open', 'high', 'low', 'close'] as const) p[k][i] = s[k][i]! * f;
      p.volume[i] = s.volume[i]! * (2 + Math.cos(i));
    }
    out.set(symbol, p);
  }
  return out;
}

describe('the engine on real data', () => {
  const cfg = config();
  const FROM = '2017-01-03';
  const TO = '2018-06-29';
  const D = '2017-11-15';
  let full: BacktestResult;
  beforeAll(async () => {
    full = await runBacktest({ ...real, from: FROM, to: TO }, cfg);
  }, 120_000);

  const upTo = (r: BacktestResult) => ({
    decisions: r.decisions.filter((d) => d.date <= D),
    // The truncated run sells what it holds at D's close (END_OF_DATA); everything before D must agree.
    fills: r.fills.filter((f) => f.time.slice(0, 10) < D).map((f) => [f.orderRef, f.time, f.price, f.quantity, f.commission]),
    equity: r.equity.filter((e) => e.date < D),
  });

  test('no look-ahead: truncating or rewriting the data after day D changes no decision, fill or equity up to D', async () => {
    const truncated = await runBacktest({ ...real, bars: after(D, 'truncate'), from: FROM, to: D }, cfg);
    const perturbed = await runBacktest({ ...real, bars: after(D, 'perturb'), from: FROM, to: TO }, cfg);
    const reference = upTo(full);
    expect(reference.decisions.filter((d) => d.action === 'ENTER').length).toBeGreaterThan(5);
    expect(new Set(reference.decisions.map((d) => d.strategy))).toEqual(new Set(['meanrev', 'pairs']));
    expect(upTo(truncated)).toEqual(reference);
    expect(upTo(perturbed)).toEqual(reference);
    // The rewrite did change what came after D: the comparison above is not vacuous.
    expect(perturbed.decisions.filter((d) => d.date > D)).not.toEqual(full.decisions.filter((d) => d.date > D));
  }, 120_000);

  test("the trades' P&L adds up to the final equity minus the initial capital, and the commissions to the fills'", () => {
    expect(full.trades.length).toBeGreaterThan(20);
    const pnl = full.trades.reduce((sum, t) => sum + t.pnl, 0);
    expect(pnl).toBeCloseTo(full.metrics.finalEquity - full.metrics.initialCapital, 6);
    expect(full.metrics.netPnl).toBeCloseTo(pnl, 6);
    expect(full.metrics.commissions).toBeCloseTo(full.fills.reduce((sum, f) => sum + f.commission!, 0), 8);
    expect(full.equity[full.equity.length - 1]!.equity).toBe(full.metrics.finalEquity);
    for (const t of full.trades) expect(t.exitDate >= t.entryDate).toBe(true);
  });

  test('the risk gate: no more positions than risk.maxConcurrentPositions, the rest rejected and never placed', async () => {
    const r = await runBacktest({ ...real, from: FROM, to: TO }, config({ risk: { maxConcurrentPositions: 1 } }));
    expect(r.metrics.riskRejections.MAX_CONCURRENT_POSITIONS).toBeGreaterThan(5);
    for (const e of r.equity) {
      const held = r.trades.filter((t) => t.entryDate <= e.date && e.date < t.exitDate).length;
      expect(held).toBeLessThanOrEqual(1);
    }
    // A rejected signal places no order: its position id (strategy:symbols:date) never shows in a fill.
    const filled = new Set(r.fills.map((f) => f.orderRef.split(':').slice(0, 3).join(':')));
    const rejected = r.decisions.filter((d) => d.action === 'REJECT').map((d) => `${d.strategy}:${d.symbols.join('/')}:${d.date}`);
    expect(rejected.filter((id) => filled.has(id))).toEqual([]);
    const placed = r.decisions.filter((d) => d.action === 'ENTER' && d.date < TO); // the last close's entries are cancelled
    expect(placed.every((d) => filled.has(`${d.strategy}:${d.symbols.join('/')}:${d.date}`))).toBe(true);
  }, 120_000);

  test('the kill switch: a day losing the per-day limit halts entries and flattens every position at the next open', async () => {
    const r = await runBacktest({ ...real, from: FROM, to: TO }, config({ risk: { maxDailyLoss: 100 } }));
    const halts = r.decisions.filter((d) => d.action === 'HALT');
    expect(halts.length).toBeGreaterThan(2);
    for (const h of halts) {
      expect(r.decisions.some((d) => d.date === h.date && d.action === 'ENTER')).toBe(false);
      const next = nextSession(r, h.date);
      for (const t of r.trades.filter((x) => x.entryDate <= h.date && h.date < x.exitDate)) {
        expect([t.exitDate, t.exitReason]).toEqual([next, 'KILL_SWITCH']);
      }
    }
    expect(r.trades.some((t) => t.exitReason === 'KILL_SWITCH')).toBe(true);
  }, 120_000);
});

function nextSession(r: BacktestResult, date: string): string | undefined {
  return r.equity.find((e) => e.date > date)?.date;
}

test('the lazy pre-market screen names exactly the candidates the full screen names, in its order', () => {
  const cfg = config();
  const view = new MarketView(real.bars);
  const symbols = [...real.bars.keys()];
  for (const date of ['2008-10-10', '2013-06-03', '2018-02-09', '2019-08-05']) {
    const k = view.sessions.indexOf(date);
    const full = screenUniverse({ asOf: date, bars: real.bars, sectors: real.sectors }, cfg).meanReversionCandidates.map((c) => c.symbol);
    expect(full.length).toBeGreaterThan(0);
    for (const subset of [symbols, symbols.filter((_, i) => i % 3 === 0), full.slice(1)]) {
      expect(screenedCandidates(view, subset, k, real.sectors, cfg)).toEqual(full.filter((s) => subset.includes(s)));
    }
  }
});

test('the mean-reversion pre-check never hides an entry the strategy would take', () => {
  const cfg = config();
  const mr = cfg.strategies.meanReversion;
  const watch = new EntryWatch(cfg);
  let entries = 0;
  let checked = 0;
  for (const [symbol, s] of real.bars) {
    for (let i = 0; i < s.dates.length && s.dates[i]! <= '2018-12-31'; i++) {
      const may = watch.update(symbol, s, i);
      if (s.dates[i]! < '2017-01-03') continue;
      const bars = [];
      for (let k = Math.max(0, i - cfg.screening.meanReversion.indicatorBars + 1); k <= i; k++) bars.push(barAt(s, k));
      const enter = meanReversionEntry(bars, undefined, mr).action === 'ENTER_LONG';
      if (enter) entries++;
      if (may) checked++;
      if (enter) expect([symbol, s.dates[i], may]).toEqual([symbol, s.dates[i], true]);
    }
  }
  expect(entries).toBeGreaterThan(10);
  expect(checked).toBeLessThan(0.05 * 30 * 2 * 252); // and it spares the strategy most symbol-days
}, 60_000);

test('pairs are re-selected after the weekly universe refresh day', () => {
  expect(refreshBetween('2021-04-16', '2021-04-19', 'SUNDAY')).toBe(true); // Friday → Monday
  expect(refreshBetween('2021-04-19', '2021-04-20', 'SUNDAY')).toBe(false);
  expect(refreshBetween('2021-04-14', '2021-04-15', 'WEDNESDAY')).toBe(true); // after Wednesday's close
});

// ------------------------------------------------------------------ the CLI and the report

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function trader(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(projectRoot(), 'bin', 'trader.js'), 'backtest', ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const SLICE = ['--data', path.join(DATA, 'daily.csv.gz'), '--symbols', SYMBOLS.slice(0, 16).join(',')];

describe('trader backtest', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backtest-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('--json prints exactly { metrics, trades, equity } for a real slice', async () => {
    const r = await trader([...SLICE, '--from', '2018-01-02', '--to', '2018-12-31', '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['equity', 'metrics', 'trades']);
    expect(out.trades.length).toBeGreaterThan(5);
    for (const t of out.trades) {
      expect(Object.keys(t).sort()).toEqual(['entryDate', 'entryPrice', 'exitDate', 'exitPrice', 'exitReason', 'pnl', 'quantity', 'side', 'strategy', 'symbols'].sort());
      expect(t.entryDate >= '2018-01-02' && t.exitDate <= '2018-12-31').toBe(true);
      const legs = t.symbols.length;
      expect(legs === 1 ? typeof t.entryPrice : t.entryPrice.length).toBe(legs === 1 ? 'number' : 2);
    }
    expect(out.equity[0].date).toBe('2018-01-02');
    expect(out.equity[out.equity.length - 1].date).toBe('2018-12-31');
    expect(out.equity.every((e: object) => Object.keys(e).join() === 'date,equity')).toBe(true);
    expect(out.metrics).toMatchObject({ initialCapital: 100000, sessions: 251, tradeCount: out.trades.length, finalEquity: out.equity[out.equity.length - 1].equity });
  }, 120_000);

  test.each([
    [['--from', '2018-13-01', '--to', '2018-12-31'], /--from must be a date as YYYY-MM-DD, got "2018-13-01"/],
    [['--from', '2018-06-01', '--to', '2018-01-01'], /--from 2018-06-01 is after --to 2018-01-01/],
    [['--from', '1990-01-02', '--to', '2018-12-31'], /outside the data, which covers 1999-11-01 \.\. 2021-04-21/],
    [['--from', '2018-01-02', '--to', '2018-12-31', '--symbols', 'KO,NOPE'], /--symbols: NOPE not found in/],
    [['--from', '2018-01-02', '--to', '2018-12-31', '--strategies', 'momentum'], /--strategies: unknown strategy "momentum"/],
    [['--from', '2018-01-06', '--to', '2018-01-07'], /holds no trading session/],
    [['--from', '2018-01-02', '--to', '2018-12-31', '--data', '/nonexistent/daily.csv.gz'], /file not found/],
  ])('bad input %j is one clear line on stderr and exit code 1', async (args, message) => {
    const r = await trader([...SLICE.slice(2), '--data', path.join(DATA, 'daily.csv.gz'), ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  }, 60_000);

  test('--report writes a self-contained page that headless Chromium renders', async () => {
    const file = path.join(tmp, 'report.html');
    const r = await trader([...SLICE, '--from', '2018-01-02', '--to', '2019-06-28', '--report', file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const html = fs.readFileSync(file, 'utf8');
    for (const section of ['Key figures', 'Equity curve', 'Drawdown', 'Monthly returns', 'Trades on price charts', 'Trades']) expect(html).toContain(`<h2>${section}</h2>`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing to fetch or run
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/<table class="data monthly">[\s\S]*<td>2018<\/td>[\s\S]*<td>2019<\/td>/);
    expect((html.match(/<path d="M[^"]+Z" fill="#(137333|b3261e)"/g) ?? []).length).toBeGreaterThan(0); // trade markers

    const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync(c, ['--version']).status === 0);
    if (!chromium) {
      console.warn('chromium is not on PATH: skipping the headless render check of the report');
      return;
    }
    const png = path.join(tmp, 'report.png');
    const shot = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${png}`, '--window-size=1400,2400', `file://${file}`], { timeout: 60_000 });
    expect(shot.status).toBe(0);
    const image = fs.readFileSync(png);
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([1400, 2400]); // IHDR width and height
    const dom = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${file}`], { timeout: 60_000, maxBuffer: 64 << 20 });
    expect((dom.stdout.toString().match(/<svg /g) ?? []).length).toBe((html.match(/<svg /g) ?? []).length);
  }, 180_000);
});

describe('the SVG chart module', () => {
  test('round-number ticks cover the range', () => {
    expect(niceTicks(97_300, 101_900)).toEqual([97_000, 98_000, 99_000, 100_000, 101_000, 102_000]);
    expect(niceTicks(-0.043, 0)).toEqual([-0.05, -0.04, -0.03, -0.02, -0.01, 0]);
  });

  test('a long series keeps the first, lowest, highest and last point of each pixel column', () => {
    const points = tradingDaysBetween('2000-01-03', '2019-12-31').map((date, i) => ({ date, value: i === 3000 ? -50 : i === 4000 ? 500 : Math.sin(i) }));
    const reduced = reduceToColumns(points, Date.parse('2000-01-03') / 864e5, Date.parse('2019-12-31') / 864e5, 200);
    expect(reduced.length).toBeLessThanOrEqual(800);
    expect(reduced).toEqual(expect.arrayContaining([points[0], points[3000], points[4000], points[points.length - 1]]));
    const svg = timeChart({ width: 600, height: 200, series: [{ name: 's', color: '#000', points }], markers: [{ date: points[10]!.date, value: 0, shape: 'up', color: '#0a0', title: 'buy <1>' }] });
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 600 200"/);
    expect(svg).toContain('<title>buy &lt;1&gt;</title>');
  });
});
