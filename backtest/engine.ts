/**
 * Event-driven backtest over daily bars with the live trading code: screening, mean-reversion and pairs
 * signals, sizing, the pre-trade risk gate, the drawdown monitor and the kill switch all come from trading/,
 * and every order goes through the Broker port to simulated execution (sim-broker.ts). Nothing is re-implemented.
 *
 * ## One session t
 * 1. Before the open: on a weekly universe refresh, pairs are re-selected as of t − 1 (screens.ts).
 * 2. Open: orders decided at the close of t − 1 fill at t's open ± slippage; a mean-reversion entry fill gets
 *    its resting stop at once (entry fill × (1 − stopLossPct), the level meanReversionExit checks).
 * 3. During the session: resting stops meet t's range — filled at the stop, or at the open when it gapped through.
 * 4. Close: equity = the broker's net liquidation at the close; the DrawdownMonitor and killSwitchDecision see it
 *    with the day's P&L (the change since the previous close). A halt cancels every order and flattens every
 *    position at the next open (KILL_SWITCH), and takes no entry that day; a backtest has no operator, so the
 *    resume a human would give is taken before the next session's decisions. Otherwise exits, then entries, are
 *    decided on bars up to t (no quote: the strategies test the close) and placed as market orders for t + 1's
 *    open. A mean-reversion entry also needs the symbol on the pre-market screen of t, as of t − 1 (screens.ts).
 * After the last session every order is cancelled and open positions are sold at its close (END_OF_DATA), so the
 * trades' P&L adds up to the final equity minus the initial capital.
 *
 * ## Entries
 * Strategies in the order given; within one, candidates in the screen's rank (mean reversion: lowest ADX first;
 * pairs: the selection's rank). Sized on the net liquidation at the close (sizeMeanReversion, sizePair), then
 * checkRisk with the book as it stands, including entries already placed this session as PENDING, the VIX close,
 * the day's P&L and the drawdowns. A stock already in a position is not entered again: the account nets
 * positions per symbol, so two positions in one stock could not be told apart.
 * Histories given to the strategies are screening.meanReversion.indicatorBars bars long (the screen's warm-up,
 * after which Wilder averages such as RSI have forgotten older bars); pairs get strategies.pairs.lookbackDays
 * sessions on which both legs traded.
 */
import type { Fill } from '../broker/broker';
import type { TraderConfig } from '../config/schema';
import type { BarSeries, SectorInfo } from '../market-data/files';
import { meanReversionEntry, meanReversionExit } from '../trading/mean-reversion';
import { equityCurveSummary, PositionLedger, tradeStatistics, type EquityPoint, type EquitySummary, type TradeStatistics } from '../trading/metrics';
import { pairsEntry, pairsExit, type SpreadSide } from '../trading/pairs';
import { checkRisk, DrawdownMonitor, killSwitchDecision, sizeMeanReversion, sizePair, type RiskLeg, type RiskOrder, type RiskPortfolio, type RiskPosition } from '../trading/risk';
import { lastIndexAtOrBefore, type PairScreen } from '../trading/screening';
import { MarketView } from './market';
import { PositionBook, riskPosition, type Leg, type Position, type StrategyName, type TradeRecord } from './positions';
import { EntryWatch, refreshBetween, screenedCandidates, selectedPairs } from './screens';
import { executionCosts, SimulatedBroker } from './sim-broker';

export interface BacktestInput {
  bars: ReadonlyMap<string, BarSeries>;
  sectors?: ReadonlyMap<string, SectorInfo | string>;
  /** VIX close by date; the latest at or before each session is used. */
  vix?: ReadonlyMap<string, number>;
  /** First and last session traded (inclusive); bars before `from` are history for the indicators. */
  from: string;
  to: string;
  strategies?: readonly StrategyName[];
  /** Re-select pairs on every n-th weekly universe refresh (default 1: every week, as live). */
  pairRefreshWeeks?: number;
}

/** What happened at a close: an entry or exit decided, a risk rejection, a kill-switch halt. */
export interface Decision {
  date: string;
  strategy: StrategyName | 'risk';
  symbols: string[];
  action: 'ENTER' | 'EXIT' | 'REJECT' | 'HALT';
  code: string;
}

export interface BacktestMetrics extends EquitySummary, TradeStatistics {
  initialCapital: number;
  /** Equal to initialCapital + netPnl (the trades' P&L): every position is closed by the end. */
  finalEquity: number;
  commissions: number;
  sessions: number;
  /** Bars the engine processed: every symbol's bar on every session traded. */
  barEvaluations: number;
  killSwitchHalts: number;
  pairSelections: number;
  riskRejections: Record<string, number>;
}

export interface BacktestResult {
  metrics: BacktestMetrics;
  trades: TradeRecord[];
  equity: EquityPoint[];
  decisions: Decision[];
  fills: Fill[];
}

export async function runBacktest(input: BacktestInput, config: TraderConfig): Promise<BacktestResult> {
  return new Backtest(input, config).run();
}

class Backtest {
  private readonly view: MarketView;
  private readonly broker: SimulatedBroker;
  private readonly book = new PositionBook();
  private readonly monitor = new DrawdownMonitor();
  private readonly decisions: Decision[] = [];
  private readonly equity: EquityPoint[] = [];
  private readonly rejections: Record<string, number> = {};
  private readonly strategies: readonly StrategyName[];
  private readonly vixDates: string[];
  private readonly vixCloses: number[];
  private pairs: PairScreen[] = [];
  /** The mean-reversion pre-check, and the symbols that passed it this session. */
  private readonly watch: EntryWatch | undefined;
  private readonly watched: string[] = [];
  /** Time of the latest execution applied. */
  private lastFill = '';
  private refreshes = 0;
  private pairSelections = 0;
  private halts = 0;
  private bars = 0;

  constructor(
    private readonly input: BacktestInput,
    private readonly config: TraderConfig,
  ) {
    this.view = new MarketView(input.bars);
    const s = config.schedule;
    this.broker = new SimulatedBroker(this.view, {
      costs: executionCosts(config.backtest),
      initialCapital: config.backtest.initialCapital,
      hours: { timezone: s.timezone, open: s.market.open, close: s.market.close, earlyClose: s.market.earlyClose },
    });
    const enabled = { meanrev: config.strategies.meanReversion.enabled, pairs: config.strategies.pairs.enabled };
    this.strategies = (input.strategies ?? ['meanrev', 'pairs']).filter((name) => enabled[name]);
    this.watch = this.strategies.includes('meanrev') ? new EntryWatch(config) : undefined;
    const vix = [...(input.vix ?? new Map<string, number>())].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    this.vixDates = vix.map((v) => v[0]);
    this.vixCloses = vix.map((v) => v[1]);
  }

  async run(): Promise<BacktestResult> {
    const { sessions } = this.view;
    const first = sessions.findIndex((d) => d >= this.input.from);
    const last = lastIndexAtOrBefore(sessions, this.input.to);
    if (first < 0 || first > last) throw new Error(`runBacktest: no session between ${this.input.from} and ${this.input.to}`);
    await this.broker.connect();
    let previousEquity = this.config.backtest.initialCapital;
    if (first > 0) {
      // The entry watch starts on the strategy's window of history before the first session.
      this.view.advanceTo(first - 1);
      const window = this.config.screening.meanReversion.indicatorBars;
      for (const symbol of this.view.symbols) {
        const end = this.view.lastIndex(symbol);
        for (let i = Math.max(0, end - window + 1); i <= end; i++) this.watch?.update(symbol, this.view.seriesOf(symbol), i);
      }
    }
    for (let k = first; k <= last; k++) {
      this.view.advanceTo(k);
      this.watched.length = 0;
      if (this.watch) this.view.forEachBar((symbol, s, i) => this.watch!.update(symbol, s, i) && this.watched.push(symbol));
      this.bars += this.view.barCount();
      if (this.strategies.includes('pairs')) this.refreshPairs(k, k === first);
      this.broker.open();
      await this.onFills();
      this.broker.trade();
      await this.onFills();
      previousEquity = await this.close(previousEquity, k === last);
    }
    await this.broker.disconnect();
    return this.result(first, last);
  }

  private refreshPairs(k: number, firstSession: boolean): void {
    const refresh = this.config.schedule.universeRefresh.dayOfWeek;
    if (!firstSession && !refreshBetween(this.view.sessions[k - 1]!, this.view.date, refresh)) return;
    if (!firstSession && ++this.refreshes % (this.input.pairRefreshWeeks ?? 1) !== 0) return;
    if (k === 0) return; // nothing before the first bar to select on
    this.pairs = selectedPairs(this.view, k - 1, this.input.sectors, this.config);
    this.pairSelections++;
  }

  // ------------------------------------------------------------------ fills

  /** Applies the executions since the last one seen (those at its instant come again and are skipped by execId). */
  private async onFills(): Promise<void> {
    const fills = await this.broker.executions(this.lastFill || undefined);
    if (fills.length > 0) this.lastFill = fills[fills.length - 1]!.time;
    const stopLossPct = this.config.strategies.meanReversion.stopLossPct;
    for (const { position, leg, role, fill } of this.book.apply(fills, this.view.date)) {
      if (role === 'entry' && position.strategy === 'meanrev' && position.status === 'OPEN') {
        leg.stopRef = this.book.ref(position, leg, 'stop');
        await this.broker.placeOrder({
          orderRef: leg.stopRef, symbol: leg.symbol, action: 'SELL', quantity: leg.quantity,
          type: 'STP', stopPrice: fill.price * (1 - stopLossPct), tif: 'GTC',
        });
      }
      if (role === 'stop') {
        position.status = 'CLOSING';
        position.exitReason = 'STOP_LOSS';
      }
      if (role !== 'entry') this.book.settle(position);
    }
  }

  // ------------------------------------------------------------------ the close

  private async close(previousEquity: number, lastSession: boolean): Promise<number> {
    const date = this.view.date;
    const equity = (await this.broker.accountSummary()).netLiquidation;
    const drawdowns = this.monitor.update(date, equity);
    const dailyPnl = equity - previousEquity;
    const halt = killSwitchDecision({ drawdowns, dailyPnl }, this.config);
    if (halt.halt) {
      this.halts++;
      this.decisions.push({ date, strategy: 'risk', symbols: [], action: 'HALT', code: halt.reasons[0]!.code });
      await this.broker.cancelAllOrders();
      for (const p of [...this.book.open]) await this.exit(p, 'KILL_SWITCH');
    } else {
      await this.exits();
      // HALTED takes no entries: the gate would refuse them all with TRADING_NOT_ACTIVE.
      const book = this.book.riskPositions((s) => this.view.lastClose(s));
      const portfolio: Portfolio = { equity, state: 'ACTIVE', dailyPnl, drawdowns, positions: book, book };
      for (const strategy of this.strategies) {
        if (strategy === 'meanrev') await this.meanReversionEntries(portfolio);
        else await this.pairsEntries(portfolio);
      }
    }
    if (!lastSession) {
      this.equity.push({ date, equity });
      return equity;
    }
    await this.broker.cancelAllOrders();
    for (const p of [...this.book.open]) await this.exit(p, 'END_OF_DATA');
    this.broker.closeOut();
    await this.onFills();
    const final = (await this.broker.accountSummary()).netLiquidation;
    this.equity.push({ date, equity: final });
    return final;
  }

  /** Cancels what is still working for the position and sends market orders that flatten its legs. */
  private async exit(position: Position, reason: string): Promise<void> {
    position.status = 'CLOSING';
    position.exitReason = reason;
    position.exits++;
    for (const leg of position.legs) {
      for (const ref of [leg.entryRef, leg.stopRef]) if (ref !== undefined) await this.broker.cancelOrder(ref);
      const held = leg.ledger.position;
      if (held === 0) continue;
      await this.broker.placeOrder({
        orderRef: this.book.ref(position, leg, 'exit'), symbol: leg.symbol, action: held > 0 ? 'SELL' : 'BUY', quantity: Math.abs(held), type: 'MKT',
      });
    }
    this.book.settle(position);
  }

  private async exits(): Promise<void> {
    const mr = this.config.strategies.meanReversion;
    const window = this.config.screening.meanReversion.indicatorBars;
    for (const p of [...this.book.open]) {
      if (p.status !== 'OPEN' || p.legs.some((l) => this.view.todayIndex(l.symbol) < 0)) continue;
      let code: string;
      if (p.strategy === 'meanrev') {
        const leg = p.legs[0]!;
        const d = meanReversionExit({ entryPrice: leg.entryPrice, entryDate: p.entryDate }, this.view.history(leg.symbol, window), undefined, mr);
        if (d.action !== 'EXIT') continue;
        code = d.code;
      } else {
        const prices = this.view.pairCloses(p.legs[0]!.symbol, p.legs[1]!.symbol, this.config.strategies.pairs.lookbackDays);
        if (!prices) continue;
        const d = pairsExit({ side: p.side as SpreadSide, hedgeRatio: p.hedgeRatio, entryDate: p.entryDate }, prices, this.config.strategies.pairs);
        if (d.action !== 'EXIT') continue;
        code = d.code;
      }
      this.decisions.push({ date: this.view.date, strategy: p.strategy, symbols: p.legs.map((l) => l.symbol), action: 'EXIT', code });
      await this.exit(p, code);
    }
  }

  // ------------------------------------------------------------------ entries

  private async meanReversionEntries(portfolio: Portfolio): Promise<void> {
    const mr = this.config.strategies.meanReversion;
    const window = this.config.screening.meanReversion.indicatorBars;
    const signals = new Map<string, ReturnType<typeof meanReversionEntry>>();
    for (const symbol of this.watched) {
      if (this.book.isHeld(symbol)) continue;
      const d = meanReversionEntry(this.view.history(symbol, window), undefined, mr);
      if (d.action === 'ENTER_LONG') signals.set(symbol, d);
    }
    if (signals.size === 0) return;
    for (const symbol of screenedCandidates(this.view, [...signals.keys()], this.view.session - 1, this.input.sectors, this.config)) {
      const d = signals.get(symbol)!;
      const size = sizeMeanReversion({ capital: portfolio.equity, entryPrice: d.price, stopPrice: d.stopPrice }, this.config);
      const leg = this.leg(symbol, 1, size.quantity, d.price);
      const order: RiskOrder = { kind: 'single', leg: riskLeg(leg), stopPrice: d.stopPrice, riskBudgetPct: mr.riskPerTradePct };
      await this.enter('meanrev', 'LONG', [leg], order, portfolio, NaN);
    }
  }

  private async pairsEntries(portfolio: Portfolio): Promise<void> {
    const cfg = this.config.strategies.pairs;
    for (const pair of this.pairs) {
      if (this.book.isHeld(pair.a) || this.book.isHeld(pair.b)) continue;
      if (this.view.todayIndex(pair.a) < 0 || this.view.todayIndex(pair.b) < 0) continue;
      const prices = this.view.pairCloses(pair.a, pair.b, cfg.lookbackDays);
      if (!prices) continue;
      const d = pairsEntry(prices, pair.hedgeRatio, cfg);
      if (d.action !== 'ENTER') continue;
      const state = d.state!;
      const priceA = this.view.lastClose(pair.a);
      const priceB = this.view.lastClose(pair.b);
      const size = sizePair({ capital: portfolio.equity, priceA, priceB, entryZ: state.z, spreadStdDev: state.spreadStdDev }, this.config);
      const sideA = d.side === 'LONG_SPREAD' ? 1 : -1;
      const legs = [this.leg(pair.a, sideA, size.quantityA, priceA), this.leg(pair.b, -sideA as 1 | -1, size.quantityB, priceB)];
      const order: RiskOrder = {
        kind: 'pair', legs: [riskLeg(legs[0]!), riskLeg(legs[1]!)],
        stop: { entryZ: state.z, stopZ: cfg.stopZ, spreadStdDev: state.spreadStdDev }, riskBudgetPct: cfg.riskPerPairPct,
      };
      await this.enter('pairs', d.side!, legs, order, portfolio, pair.hedgeRatio);
    }
  }

  private leg(symbol: string, side: 1 | -1, quantity: number, price: number): Leg {
    const info = this.input.sectors?.get(symbol);
    const sector = typeof info === 'string' ? info : info?.sector;
    return { symbol, sector, side, quantity, decisionPrice: price, ledger: new PositionLedger(), entryPrice: NaN, exitPrice: NaN, filledEntry: false };
  }

  /** The risk gate, then market orders for the next open; the new position joins the gate's book as PENDING. */
  private async enter(strategy: StrategyName, side: Position['side'], legs: Leg[], order: RiskOrder, portfolio: Portfolio, hedgeRatio: number): Promise<void> {
    const date = this.view.date;
    const symbols = legs.map((l) => l.symbol);
    const vix = this.vixAt(date);
    const decision = checkRisk(order, portfolio, vix === undefined ? {} : { vix }, this.config.risk);
    if (!decision.approved) {
      this.rejections[decision.code] = (this.rejections[decision.code] ?? 0) + 1;
      this.decisions.push({ date, strategy, symbols, action: 'REJECT', code: decision.code });
      return;
    }
    legs.forEach((l, k) => (l.quantity = decision.quantities[k]!));
    const position: Position = {
      id: `${strategy}:${symbols.join('/')}:${date}`, strategy, side, legs, status: 'PENDING', entryDate: '', exitDate: '', exitReason: '', hedgeRatio, exits: 0,
    };
    this.book.add(position);
    this.decisions.push({ date, strategy, symbols, action: 'ENTER', code: side });
    portfolio.book.push(riskPosition(position, (s) => this.view.lastClose(s)));
    for (const leg of legs) {
      leg.entryRef = this.book.ref(position, leg, 'entry');
      await this.broker.placeOrder({ orderRef: leg.entryRef, symbol: leg.symbol, action: leg.side > 0 ? 'BUY' : 'SELL', quantity: leg.quantity, type: 'MKT' });
    }
  }

  private vixAt(date: string): number | undefined {
    const i = lastIndexAtOrBefore(this.vixDates, date);
    return i < 0 ? undefined : this.vixCloses[i];
  }

  // ------------------------------------------------------------------ result

  private async result(first: number, last: number): Promise<BacktestResult> {
    const fills = await this.broker.executions();
    const trades = this.book.trades;
    const initialCapital = this.config.backtest.initialCapital;
    const finalEquity = this.equity[this.equity.length - 1]!.equity;
    const metrics: BacktestMetrics = {
      initialCapital,
      finalEquity,
      ...equityCurveSummary([{ date: previousDate(this.view.sessions, first), equity: initialCapital }, ...this.equity]),
      ...tradeStatistics(trades, this.equity.map((e) => e.date)),
      commissions: fills.reduce((sum, f) => sum + (f.commission ?? 0), 0),
      sessions: last - first + 1,
      barEvaluations: this.bars,
      killSwitchHalts: this.halts,
      pairSelections: this.pairSelections,
      riskRejections: this.rejections,
    };
    return { metrics, trades, equity: this.equity, decisions: this.decisions, fills };
  }
}

/** The gate's view of the account at this close; `book` is its positions, to which this session's entries are added. */
interface Portfolio extends RiskPortfolio {
  book: RiskPosition[];
}

function riskLeg(l: Leg): RiskLeg {
  const leg: RiskLeg = { symbol: l.symbol, side: l.side > 0 ? 'LONG' : 'SHORT', quantity: l.quantity, price: l.decisionPrice };
  if (l.sector !== undefined) leg.sector = l.sector;
  return leg;
}

/** The day before the first session: the initial capital's date, so the first session's return counts. */
function previousDate(sessions: readonly string[], first: number): string {
  if (first > 0) return sessions[first - 1]!;
  const d = new Date(Date.parse(`${sessions[first]}T00:00:00Z`) - 86_400_000);
  return d.toISOString().slice(0, 10);
}
