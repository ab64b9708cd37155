import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { BrokerUnavailableError, type Broker, type Fill, type Quote } from '../broker/broker';
import { marketHours } from '../config';
import { loadDailyBars, loadSectors, loadVix, type BarSeries } from '../market-data/files';
import { nyseSession, previousTradingDay } from '../trading/calendar';
import type { Bar } from '../trading/indicators';
import { meanReversionEntry } from '../trading/mean-reversion';
import { pairPricesWithLive, pairsEntry } from '../trading/pairs';
import { POSITION_ID_PREFIX, positionWorkflowId } from '../trading/position-lifecycle';
import { sizeMeanReversion, sizePair } from '../trading/risk';
import { screenUniverse, selectPairs } from '../trading/screening';
import { allowsNewEntries, type TradingState } from '../trading/trading-state';
import { SUPERVISOR_WORKFLOW_ID } from '../workflows/supervisor';
import type { PositionPlan } from '../workflows/position-types';
import type { TradingDeps } from './deps';

/** The day's watch list: what the pre-market screen kept. It stays in the worker (recomputed from the same data after a restart); workflow history carries only its WatchList summary. */
export interface DayScreen {
  date: string;
  /** Session the screen was computed on (the previous close). */
  asOf: string;
  candidates: { symbol: string; sector?: string }[];
  pairs: { a: string; b: string; hedgeRatio: number; pValue: number; correlation: number; sector?: string }[];
  /** The weekly UniverseRefresh's pair selection (its version id), or none stored yet: selected by this screen. */
  pairsFrom: { universeVersion: number; asOf: string } | 'screen';
  universeSize: number;
}

/** What the workflow history and the dashboard carry of the day's screen. */
export interface WatchList {
  date: string;
  asOf: string;
  universe: number;
  candidates: number;
  pairs: number;
  pairsFrom?: DayScreen['pairsFrom'];
  /** The first candidates and pairs, best first. */
  top: string[];
}

export interface ScanResult {
  tradingState: TradingState;
  /** The market's clock when the scan finished: no entry is started after the close. */
  marketNow: number;
  plans: PositionPlan[];
  /** Why candidates did not trade this round, for the dashboard (first reason per symbol or pair). */
  skipped: number;
}

export interface DaySummary {
  date: string;
  positionsOpened: number;
  positionsClosed: number;
  openAtClose: number;
  realizedPnl: number;
  commissions: number;
  wins: number;
  losses: number;
  netLiquidation?: number;
}

/** The close's reconciliation of the session's executions with Postgres (reconcileExecutions). */
export type CloseReconciliation =
  | {
    reconciled: true;
    /** This client's executions at the broker since the session opened. */
    executions: number;
    /** Execution ids of position fills their workflows had not stored within schedule.closeSettleSeconds: stored by the reconciliation. */
    lateFills: string[];
    /** Executions no position owns (the kill switch's flatten orders), stored by the reconciliation. */
    unowned: number;
  }
  /** The broker could not be asked: the positions store their fills once the adapter has resynced. */
  | { reconciled: false; reason: string };

/** Below IB's default limit of 100 simultaneous market-data lines. */
const MAX_QUOTE_REQUESTS = 50;

/** How often the close's reconciliation looks for fills still on their way. */
const SETTLE_POLL_MS = 250;

/** Years of history the screen reads before the trading date (pairs need 6 months, indicators 250 bars). */
const HISTORY_YEARS = 2;

/**
 * The trading day's work: the pre-market screen over daily bars (the data files the simulator also replays; the
 * same trading/ code as the backtester), entry signals on live broker quotes sized by trading/risk.ts, the hourly
 * volatility reading and the end-of-day summary.
 */
export function createTradingDayActivities({ broker, store, config, clock }: TradingDeps) {
  const file = path.join(config.data.dir, 'daily.csv.gz');
  let history: { from: string; bars: Promise<Map<string, BarSeries>> } | undefined;
  const barsFrom = (date: string) => {
    const from = `${Number(date.slice(0, 4)) - HISTORY_YEARS}${date.slice(4)}`;
    if (!history || history.from > from) history = { from, bars: Promise.resolve().then(() => loadDailyBars(file, { from })) };
    return history.bars;
  };
  const sectors = () => loadSectors(path.join(config.data.dir, 'sectors.csv'));

  const barCache = { date: '', bars: new Map<string, Bar[]>() };
  /** A symbol's daily bars before the session, built once per symbol and day (each scan reuses them). */
  function barsBefore(series: BarSeries | undefined, date: string): Bar[] {
    if (!series) return [];
    if (barCache.date !== date) Object.assign(barCache, { date, bars: new Map() });
    const cached = barCache.bars.get(series.symbol);
    if (cached) return cached;
    const out: Bar[] = [];
    for (let i = 0; i < series.dates.length && series.dates[i]! < date; i++) {
      out.push({ date: series.dates[i]!, open: series.open[i]!, high: series.high[i]!, low: series.low[i]!, close: series.close[i]!, volume: series.volume[i]! });
    }
    barCache.bars.set(series.symbol, out);
    return out;
  }

  const screens = new Map<string, Promise<DayScreen>>();
  /** The day's screen, computed once per worker and date from the data as of the previous close (deterministic). */
  function screenFor(date: string): Promise<DayScreen> {
    let screen = screens.get(date);
    if (!screen) {
      screen = computeScreen(date);
      screen.catch(() => screens.delete(date));
      screens.clear(); // one day at a time
      screens.set(date, screen);
    }
    return screen;
  }

  async function computeScreen(date: string): Promise<DayScreen> {
    const asOf = previousTradingDay(date);
    const bars = await barsFrom(date);
    const sectorMap = new Map([...sectors()].map(([s, info]) => [s, info.sector]));
    const input = { asOf, bars, sectors: sectorMap };
    const universe = screenUniverse(input, config);
    // Pairs are selected weekly (DESIGN): the latest universe version stands for the week; the day selects its own
    // only before any refresh ran. Mean-reversion candidates need the previous close, so they are screened daily.
    const weekly = await store.latestUniverse(asOf);
    const pairs = weekly
      ? weekly.pairs.map(({ a, b, hedgeRatio, pValue, correlation, sector }) => ({ a, b, hedgeRatio, pValue, correlation, sector }))
      : selectPairs(input, universe, config).candidates.map((p) => ({ a: p.a, b: p.b, hedgeRatio: p.hedgeRatio, pValue: p.pValue, correlation: p.correlation, sector: p.sameSector ? sectorMap.get(p.a) : undefined }));
    return {
      date, asOf, pairs,
      candidates: universe.meanReversionCandidates.map((s) => ({ symbol: s.symbol, sector: s.sector })),
      pairsFrom: weekly ? { universeVersion: weekly.id, asOf: weekly.asOf } : 'screen',
      universeSize: universe.symbols.filter((s) => s.universe.passed).length,
    };
  }

  async function scan(screen: DayScreen, alreadyStarted: string[], idSuffix?: string): Promise<ScanResult> {
    const [last] = await store.listTradingStateChanges(SUPERVISOR_WORKFLOW_ID, 1);
    const tradingState = last?.to ?? 'ACTIVE';
    if (!allowsNewEntries(tradingState)) return { tradingState, marketNow: clock.now(), plans: [], skipped: 0 };
    const started = new Set(alreadyStarted);
    const bars = await barsFrom(screen.date);
    const capital = (await broker.accountSummary()).netLiquidation;
    const plans: PositionPlan[] = [];
    let skipped = 0;
    const mr = config.strategies.meanReversion;
    const symbols = new Set<string>();
    if (mr.enabled) screen.candidates.forEach((c) => symbols.add(c.symbol));
    if (config.strategies.pairs.enabled) screen.pairs.forEach((p) => symbols.add(p.a).add(p.b));
    const quotes = await quoteAll(broker, [...symbols]);
    if (mr.enabled) {
      for (const c of screen.candidates) {
        const workflowId = positionWorkflowId('mean_reversion', [c.symbol], screen.date, idSuffix);
        const quote = quotes.get(c.symbol);
        if (started.has(workflowId) || !quote) continue;
        const d = meanReversionEntry(barsBefore(bars.get(c.symbol), screen.date), { price: quote.ask, date: screen.date }, mr);
        if (d.action !== 'ENTER_LONG') { skipped++; continue; }
        const size = sizeMeanReversion({ capital, entryPrice: d.price, stopPrice: d.stopPrice }, config);
        if (size.quantity === 0) { skipped++; continue; }
        plans.push({
          workflowId, strategy: 'mean_reversion', tradingDate: screen.date,
          legs: [{ symbol: c.symbol, action: 'BUY', quantity: size.quantity, price: d.price, sector: c.sector }],
          stopPrice: d.stopPrice, targetPrice: d.indicators.bbMiddle > d.price ? d.indicators.bbMiddle : d.indicators.bbUpper,
          riskBudgetPct: mr.riskPerTradePct, maxHoldingDays: mr.maxHoldingDays,
          signal: { code: d.code, reasons: d.reasons.map((r) => r.code).join(', '), values: { rsi: d.indicators.rsi, bbLower: d.indicators.bbLower, volumeRatio: d.indicators.volumeRatio, binding: size.binding } },
        });
      }
    }
    const pc = config.strategies.pairs;
    if (pc.enabled) {
      for (const p of screen.pairs) {
        const workflowId = positionWorkflowId('pairs', [p.a, p.b], screen.date, idSuffix);
        const [qa, qb, sa, sb] = [quotes.get(p.a), quotes.get(p.b), bars.get(p.a), bars.get(p.b)];
        if (started.has(workflowId) || !qa || !qb || !sa || !sb) continue;
        const prices = pairPricesWithLive(sa, sb, screen.date, qa.last, qb.last);
        const d = pairsEntry(prices, p.hedgeRatio, pc);
        if (d.action !== 'ENTER' || !d.state) { skipped++; continue; }
        const size = sizePair({ capital, priceA: qa.last, priceB: qb.last, entryZ: d.state.z, spreadStdDev: d.state.spreadStdDev }, config);
        if (size.quantityA === 0 || size.quantityB === 0) { skipped++; continue; }
        const longA = d.side === 'LONG_SPREAD';
        plans.push({
          workflowId, strategy: 'pairs', tradingDate: screen.date,
          legs: [
            { symbol: p.a, action: longA ? 'BUY' : 'SELL', quantity: size.quantityA, price: qa.last, sector: p.sector },
            { symbol: p.b, action: longA ? 'SELL' : 'BUY', quantity: size.quantityB, price: qb.last, sector: p.sector },
          ],
          pair: { side: d.side!, hedgeRatio: p.hedgeRatio, stop: { entryZ: d.state.z, stopZ: pc.stopZ, spreadStdDev: d.state.spreadStdDev } },
          riskBudgetPct: pc.riskPerPairPct, maxHoldingDays: pc.maxHoldingDays,
          signal: { code: d.code, reasons: d.reasons.map((r) => r.code).join(', '), values: { z: d.state.z, hedgeRatio: p.hedgeRatio, pValue: p.pValue } },
        });
      }
    }
    return { tradingState, marketNow: clock.now(), plans, skipped };
  }

  return {
    /** The market's clock (the simulator's in the demo): the trading day's timeline runs on it. */
    async marketTime(): Promise<number> {
      return clock.now();
    },

    async premarketScreen(date: string): Promise<WatchList> {
      const screen = await screenFor(date);
      return {
        date, asOf: screen.asOf, universe: screen.universeSize, candidates: screen.candidates.length, pairs: screen.pairs.length, pairsFrom: screen.pairsFrom,
        top: [...screen.candidates.slice(0, 5).map((c) => c.symbol), ...screen.pairs.slice(0, 5).map((p) => `${p.a}/${p.b}`)],
      };
    },

    /**
     * Entry signals on live quotes for the day's candidates and pairs not already traded today, each sized by the risk
     * rules; none while the Supervisor does not allow new entries.
     */
    async scanSignals(date: string, alreadyStarted: string[], positionIdSuffix?: string): Promise<ScanResult> {
      const screen = await screenFor(date);
      return scan(screen, alreadyStarted, positionIdSuffix);
    },

    /** The VIX close of the previous session: the risk gate halves new positions above risk.vixReduceThreshold. */
    async volatilityUpdate(date: string): Promise<{ vix?: number; asOf: string }> {
      const asOf = previousTradingDay(date);
      const vix = loadVix(path.join(config.data.dir, 'vix.csv')).get(asOf);
      return { vix, asOf };
    },

    /**
     * Before the summary, every execution of the session is put in Postgres. Each Position stores its own fills as IB
     * reports them, and a fill just before the close may still be on its way. So this waits (heartbeating) up to
     * schedule.closeSettleSeconds for them, then stores what is still missing itself (idempotent by execId) and
     * records a warning naming those fills.
     */
    async reconcileExecutions(date: string): Promise<CloseReconciliation> {
      const ctx = Context.current();
      const at = new Date(clock.now()).toISOString();
      let executions: Fill[];
      try {
        executions = await broker.executions(nyseSession(date, marketHours(config)).openAt);
      } catch (e) {
        if (!(e instanceof BrokerUnavailableError)) throw e;
        // The summary does not wait for the broker to come back.
        const reason = `the session's executions were not reconciled at the close: ${e.message}`;
        await store.recordSystemEvent({ key: `close-reconciliation:${date}:unavailable`, kind: 'reconciliation.fills', severity: 'warning', source: 'tradingDay', message: reason, at });
        return { reconciled: false, reason };
      }
      const owned = executions.filter((f) => f.orderRef.startsWith(POSITION_ID_PREFIX));
      const unowned = executions.filter((f) => !f.orderRef.startsWith(POSITION_ID_PREFIX));
      const deadline = Date.now() + config.schedule.closeSettleSeconds * 1000;
      let late: Fill[];
      for (;;) {
        const stored = await store.storedExecIds(owned.map((f) => f.execId));
        late = owned.filter((f) => !stored.has(f.execId));
        if (late.length === 0 || Date.now() >= deadline) break;
        ctx.heartbeat(late.length);
        await ctx.sleep(SETTLE_POLL_MS);
      }
      await store.recordFills([...unowned, ...late]);
      if (late.length > 0) {
        await store.recordSystemEvent({
          key: `close-reconciliation:${date}`, kind: 'reconciliation.fills', severity: 'warning', source: 'tradingDay',
          message: `${late.length} fill(s) not stored by their positions ${config.schedule.closeSettleSeconds} s after the close were stored by the close reconciliation`,
          details: { fills: late.map((f) => ({ execId: f.execId, orderRef: f.orderRef, symbol: f.symbol, quantity: f.quantity, price: f.price })) },
          at,
        });
      }
      return { reconciled: true, executions: executions.length, lateFills: late.map((f) => f.execId), unowned: unowned.length };
    },

    /** The day's P&L from the positions and fills in Postgres, stored in daily_pnl with the account's equity. */
    async endOfDaySummary(date: string): Promise<DaySummary> {
      const all = await store.listPositions();
      const opened = all.filter((p) => p.tradingDate === date && p.openedAt);
      const closedToday = all.filter((p) => p.state === 'CLOSED' && p.closedAt?.slice(0, 10) === date);
      const account = await broker.accountSummary().catch(() => undefined);
      const summary: DaySummary = {
        date,
        positionsOpened: opened.length,
        positionsClosed: closedToday.length,
        openAtClose: all.filter((p) => ['OPEN', 'PARTIALLY_FILLED', 'ENTRY_SUBMITTED', 'EXITING'].includes(p.state)).length,
        realizedPnl: round2(closedToday.reduce((s, p) => s + p.realizedPnl, 0)),
        commissions: round2(closedToday.reduce((s, p) => s + p.commission, 0)),
        wins: closedToday.filter((p) => p.realizedPnl > 0).length,
        losses: closedToday.filter((p) => p.realizedPnl <= 0).length,
        netLiquidation: account?.netLiquidation,
      };
      if (account) await store.recordDailyPnl(account.account, summary, account);
      return summary;
    },
  };
}

export type TradingDayActivities = ReturnType<typeof createTradingDayActivities>;

/** Live quotes, MAX_QUOTE_REQUESTS at a time (IB caps simultaneous market-data lines); a symbol the broker cannot quote is left out. */
async function quoteAll(broker: Broker, symbols: string[]): Promise<Map<string, Quote>> {
  const out = new Map<string, Quote>();
  for (let i = 0; i < symbols.length; i += MAX_QUOTE_REQUESTS) {
    const batch = symbols.slice(i, i + MAX_QUOTE_REQUESTS);
    const quotes = await Promise.allSettled(batch.map((s) => broker.quote(s)));
    quotes.forEach((q, j) => q.status === 'fulfilled' && q.value.last > 0 && out.set(batch[j]!, q.value));
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
