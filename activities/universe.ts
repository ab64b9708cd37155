import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { barAt } from '../backtest/market';
import { BrokerRequestError, type Broker } from '../broker/broker';
import { marketHours, type TraderConfig } from '../config';
import { loadDailyBars, loadSectors, type BarSeries } from '../market-data/files';
import type { BarSource, Store, UniverseMemberRecord, UniversePairRecord } from '../store/store';
import { localDate, nyseSession, previousTradingDay, type MarketHours } from '../trading/calendar';
import type { Bar } from '../trading/indicators';
import { screenUniverse, selectPairs, type PairSelection, type ScreenConfig, type UniverseScreen } from '../trading/screening';
import type { MarketClock } from './deps';

export interface UniverseDeps {
  broker: Broker;
  store: Store;
  config: TraderConfig;
  clock: MarketClock;
}

/** What the workflow carries of its universe version: ids and counts, never bars. */
export interface UniverseRefreshVersion {
  id: number;
  asOf: string;
  barSource: BarSource;
  symbols: number;
  batches: number;
}

export interface UniverseBatchReport {
  batch: number;
  symbols: number;
  bars: number;
  missing: string[];
}

export interface UniverseSummary {
  versionId: number;
  asOf: string;
  /** The latest session in the bars: the one the verdicts are as of. */
  sessionDate?: string;
  symbols: number;
  kept: number;
  meanReversionCandidates: number;
  pairsEvaluated: number;
  pairsKept: number;
  /** The first candidates and pairs, best first. */
  top: string[];
}

/** Where a batch resumes when its activity is retried: the heartbeat of the previous attempt. */
interface BatchProgress {
  done: number;
  bars: number;
  missing: string[];
}

const TOP_SHOWN = 5;

/**
 * The weekly universe refresh: a version with its symbols in batches, each batch's daily bars fetched (from the data
 * files, or the broker's historical data within IB's pacing rules) and stored in Postgres, then the screen and pair
 * selection of trading/screening.ts over the stored bars, persisted with every verdict and its reasons.
 */
export function createUniverseActivities({ broker, store, config, clock }: UniverseDeps) {
  const refresh = config.schedule.universeRefresh;
  const hours = marketHours(config);
  const sectorsFile = path.join(config.data.dir, 'sectors.csv');
  const sectors = () => new Map([...loadSectors(sectorsFile)].map(([s, info]) => [s, info.sector]));

  // The files are read once per worker and range (about 2 s for the whole file), not once per batch.
  let fileBars: { range: string; bars: Promise<Map<string, BarSeries>> } | undefined;
  function fromFiles(symbol: string, from: string, to: string): Promise<Bar[]> {
    const range = `${from}..${to}`;
    if (fileBars?.range !== range) {
      const bars = Promise.resolve().then(() => loadDailyBars(path.join(config.data.dir, 'daily.csv.gz'), { from, to }));
      fileBars = { range, bars };
      bars.catch(() => fileBars?.bars === bars && (fileBars = undefined)); // a failed read is tried again by the retry
    }
    return fileBars.bars.then((all) => {
      const s = all.get(symbol);
      return s ? s.dates.map((_, i) => barAt(s, i)) : [];
    });
  }

  async function fromBroker(symbol: string, from: string, to: string): Promise<Bar[]> {
    try {
      const bars = await broker.historicalBars({ symbol, end: to, duration: `${yearsCovering(from, to)} Y`, barSize: '1 day' });
      return bars.filter((b) => b.date >= from && b.date <= to);
    } catch (e) {
      if (e instanceof BrokerRequestError) return []; // unknown to the broker: recorded as missing; an outage is retried
      throw e;
    }
  }

  return {
    /** Creates the refresh's version (once per run, a retry finds it) with its symbols cut into batches. */
    async beginUniverseRefresh(run: { workflowId: string; firstRunId: string; asOf?: string }): Promise<UniverseRefreshVersion> {
      const asOf = run.asOf ?? lastClosedSession(clock.now(), hours);
      const symbols = [...sectors().keys()].sort();
      const batches: string[][] = [];
      for (let i = 0; i < symbols.length; i += refresh.batchSize) batches.push(symbols.slice(i, i + refresh.batchSize));
      const screenConfig: ScreenConfig = { screening: config.screening, strategies: config.strategies };
      const v = await store.beginUniverseVersion({
        workflowId: run.workflowId, firstRunId: run.firstRunId, asOf, historyFrom: yearsBefore(asOf, refresh.historyYears),
        barSource: refresh.barSource, parameters: { ...screenConfig, historyYears: refresh.historyYears, batchSize: refresh.batchSize }, batches,
      });
      return { id: v.id, asOf: v.asOf, barSource: v.barSource, symbols: v.symbols.length, batches: v.batches };
    },

    /**
     * Fetches and stores the daily bars of one batch. A batch an earlier attempt finished is not fetched again; a retried
     * attempt resumes after the last symbol its predecessor reported by heartbeat.
     */
    async refreshUniverseBatch(versionId: number, batch: number): Promise<UniverseBatchReport> {
      const b = await store.startUniverseBatch(versionId, batch);
      if (b.completed) return { batch, symbols: b.symbols.length, ...b.completed };
      const v = await store.universeVersion(versionId);
      const ctx = Context.current();
      const progress: BatchProgress = (ctx.info.heartbeatDetails as BatchProgress | undefined) ?? { done: 0, bars: 0, missing: [] };
      const fetch = v.barSource === 'broker' ? fromBroker : fromFiles;
      for (let i = progress.done; i < b.symbols.length; i++) {
        const symbol = b.symbols[i]!;
        const bars = (await fetch(symbol, v.historyFrom, v.asOf)).filter(validBar);
        if (bars.length === 0) progress.missing.push(symbol);
        else progress.bars += await store.storeDailyBars(symbol, v.barSource, bars);
        progress.done = i + 1;
        ctx.heartbeat(progress);
      }
      const result = { bars: progress.bars, missing: progress.missing };
      await store.completeUniverseBatch(versionId, batch, result);
      return { batch, symbols: b.symbols.length, ...result };
    },

    /** Screens the stored bars with the version's own settings and stores every verdict; a retry after success returns the stored summary. */
    async screenUniverseVersion(versionId: number): Promise<UniverseSummary> {
      const v = await store.universeVersion(versionId);
      if (v.status === 'COMPLETE') return v.summary as unknown as UniverseSummary;
      const stored = await store.dailyBars(v.symbols, v.historyFrom, v.asOf);
      // A symbol the source had no bars for is screened too, so its NO_DATA verdict is on record.
      const bars = new Map(v.symbols.map((s) => [s, stored.get(s) ?? emptySeries(s)]));
      const sectorMap = sectors();
      const input = { asOf: v.asOf, bars, sectors: sectorMap };
      const screenConfig = v.parameters as unknown as ScreenConfig;
      const universe = screenUniverse(input, screenConfig);
      const selection = selectPairs(input, universe, screenConfig);
      const summary: UniverseSummary = {
        versionId, asOf: v.asOf, sessionDate: universe.sessionDate, symbols: universe.symbols.length,
        kept: universe.symbols.filter((s) => s.universe.passed).length,
        meanReversionCandidates: universe.meanReversionCandidates.length,
        pairsEvaluated: selection.pairs.length, pairsKept: selection.candidates.length,
        top: [...universe.meanReversionCandidates.slice(0, TOP_SHOWN).map((s) => s.symbol), ...selection.candidates.slice(0, TOP_SHOWN).map((p) => `${p.a}/${p.b}`)],
      };
      await store.completeUniverseVersion(versionId, {
        sessionDate: universe.sessionDate, members: memberRecords(universe, selection), pairs: pairRecords(selection), summary: { ...summary },
      });
      return summary;
    },
  };
}

export type UniverseActivities = ReturnType<typeof createUniverseActivities>;

/** Every symbol's verdicts as stored: the universe rules, the mean-reversion filters, and why pair selection left it out. */
function memberRecords(universe: UniverseScreen, selection: PairSelection): UniverseMemberRecord[] {
  const rank = new Map(universe.meanReversionCandidates.map((s, i) => [s.symbol, i + 1]));
  const pairExclusion = new Map(selection.excluded.map((x) => [x.symbol, x.reason]));
  return universe.symbols.map((s) => {
    const excluded = pairExclusion.get(s.symbol);
    return {
      symbol: s.symbol, sector: s.sector, kept: s.universe.passed, meanReversionCandidate: rank.has(s.symbol), candidateRank: rank.get(s.symbol),
      reasons: [
        ...s.universe.reasons.map((r) => ({ stage: 'universe', ...r })),
        ...s.meanReversion.reasons.map((r) => ({ stage: 'meanReversion', ...r })),
        ...(excluded ? [{ stage: 'pairs', ...excluded }] : []),
      ],
      metrics: { lastDate: s.lastDate, ...s.metrics },
    };
  });
}

function pairRecords(selection: PairSelection): UniversePairRecord[] {
  const rank = new Map(selection.candidates.map((p, i) => [p, i + 1]));
  return selection.pairs.map((p) => ({
    a: p.a, b: p.b, kept: p.passed, candidateRank: rank.get(p), correlation: p.correlation, pValue: p.pValue, hedgeRatio: p.hedgeRatio,
    spreadVolatility: p.spreadStdDev, sameSector: p.sameSector, reasons: p.reasons,
  }));
}

/** The last session whose close has passed at `now` (exchange time): a refresh never screens a session in progress. */
function lastClosedSession(now: number, hours: MarketHours): string {
  const today = localDate(new Date(now), hours.timezone);
  const session = nyseSession(today, hours);
  return session.open && Date.parse(session.closeAt!) <= now ? today : previousTradingDay(today);
}

/** The same calendar day `years` earlier (29 February becomes 1 March). */
function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y - years, m - 1, d)).toISOString().slice(0, 10);
}

/** Whole years of 365 days that cover from..to: IB takes durations beyond 365 days in years (the bars before `from` are dropped). */
function yearsCovering(from: string, to: string): number {
  return Math.floor((Date.parse(to) - Date.parse(from)) / (365 * 86_400_000)) + 1;
}

/** A bar the bars table accepts: positive prices, low and high around open and close (a bad bar is left out, not retried forever). */
function validBar(b: Bar): boolean {
  return b.low > 0 && b.open > 0 && b.close > 0 && b.low <= Math.min(b.open, b.close) && Math.max(b.open, b.close) <= b.high && b.volume >= 0;
}

function emptySeries(symbol: string): BarSeries {
  const none = new Float64Array(0);
  return { symbol, dates: [], open: none, high: none, low: none, close: none, volume: none };
}
