import type { Fill, OrderRequest, OrderState } from '../broker/broker';
import type { BarSeries } from '../market-data/files';
import type { Bar } from '../trading/indicators';
import type { PositionState, StrategyName } from '../trading/position-lifecycle';
import type { EquityPoint } from '../trading/risk';
import type { TradingStateChange } from '../trading/trading-state';

export type Severity = 'critical' | 'warning' | 'info';

export interface SystemEvent {
  /** Makes the write idempotent: derived from the workflow id and what happened. */
  key: string;
  kind: string;
  severity: Severity;
  source: string;
  message: string;
  details?: Record<string, unknown>;
  at: string;
}

/** One leg of a position as the audit trail and the dashboard show it. */
export interface PositionLeg {
  symbol: string;
  side: 'LONG' | 'SHORT';
  /** Shares held now (entry fills minus exit fills). */
  quantity: number;
  entryPrice?: number;
  exitPrice?: number;
}

/** A position workflow's state after a transition: the row in `positions` mirrors the workflow. */
export interface PositionRecord {
  workflowId: string;
  strategy: StrategyName;
  symbols: string[];
  side: 'LONG' | 'SHORT';
  state: PositionState;
  tradingDate: string;
  legs: PositionLeg[];
  stopPrice?: number;
  targetPrice?: number;
  realizedPnl: number;
  commission: number;
  exitReason?: string;
  openedAt?: string;
  closedAt?: string;
}

export interface PositionTransition {
  /** 1, 2, ... per workflow: makes the write idempotent across retries and replays. */
  sequence: number;
  from: PositionState | null;
  to: PositionState;
  details: Record<string, unknown>;
  at: string;
}

export interface OrderRecord {
  request: OrderRequest;
  positionWorkflowId: string;
  leg: string;
  state?: OrderState;
}

/** The audit-trail port. PgStore fulfils it against PostgreSQL. */
export interface Store {
  /** Idempotent on (workflowId, sequence): a retried activity writes the change once. */
  recordTradingStateChange(workflowId: string, change: TradingStateChange): Promise<void>;
  listTradingStateChanges(workflowId: string, limit?: number): Promise<TradingStateChange[]>;
  /** Idempotent on key. */
  recordSystemEvent(event: SystemEvent): Promise<void>;
  /** Upserts the position row and inserts the transition; idempotent on (workflowId, sequence). */
  recordPositionTransition(position: PositionRecord, transition: PositionTransition): Promise<void>;
  /**
   * Ends every open position outside its workflow (CANCELLED, with a transition saying why): only for a broker account
   * that no longer exists, as when the demo's simulator restarts with a fresh account. Returns their workflow ids.
   */
  abandonOpenPositions(reason: string, at: string): Promise<string[]>;
  listPositions(filter?: { open?: boolean; tradingDate?: string }): Promise<PositionRecord[]>;
  /** Positions of a strategy that held shares and have ended (closedAt set), closed in [closedFrom, closedBefore), latest first. */
  closedPositions(filter: { strategy: StrategyName; closedBefore: string; closedFrom?: string; limit?: number }): Promise<PositionRecord[]>;
  /** Upserts the order by orderRef with its latest broker state; a status change is appended to order_events once. */
  recordOrder(order: OrderRecord): Promise<void>;
  /** Inserts fills not yet stored (keyed by execId); returns how many were new. */
  recordFills(fills: readonly Fill[]): Promise<number>;
  fillsForOrders(orderRefPrefix: string): Promise<Fill[]>;
  /** Which of these execution ids are stored. */
  storedExecIds(execIds: readonly string[]): Promise<Set<string>>;
  /** Upserts the day's row of daily_pnl (the end-of-day summary; a rerun overwrites it). */
  recordDailyPnl(account: string, day: DailyPnl, equity: { netLiquidation: number; unrealizedPnl: number; realizedPnl: number }): Promise<void>;
  /**
   * The account's closing equity (daily_pnl.ending_equity) by trading date, oldest first: every date from `from` to
   * `to` (inclusive), preceded by the last one before `from`, the close a drawdown period starts from.
   */
  equityHistory(account: string, from: string, to: string): Promise<EquityPoint[]>;

  /** Creates the version of a refresh run with its batches, or returns the one already created for that run (a retry). */
  beginUniverseVersion(plan: UniverseVersionPlan): Promise<UniverseVersionRef>;
  universeVersion(id: number): Promise<UniverseVersionRef>;
  /** Counts one more attempt at the batch and returns it; `completed` is set when an earlier attempt finished it. */
  startUniverseBatch(universeId: number, batch: number): Promise<UniverseBatch>;
  completeUniverseBatch(universeId: number, batch: number, result: UniverseBatchResult): Promise<void>;
  /** Upserts one symbol's daily bars (a refresh overwrites older values of the same sessions); returns how many. */
  storeDailyBars(symbol: string, source: BarSource, bars: readonly Bar[]): Promise<number>;
  /** Daily bars of the symbols dated from..to (inclusive), column-wise, dates ascending. */
  dailyBars(symbols: readonly string[], from: string, to: string): Promise<Map<string, BarSeries>>;
  /** Stores every member and pair and marks the version COMPLETE, at once; false when it already was (a retry). */
  completeUniverseVersion(id: number, screen: UniverseScreenRecord): Promise<boolean>;
  /** The latest complete universe (as of `onOrBefore` at the latest): its candidates and pairs, best first. */
  latestUniverse(onOrBefore?: string): Promise<UniverseSnapshot | undefined>;
}

export interface DailyPnl {
  date: string;
  positionsClosed: number;
  realizedPnl: number;
  commissions: number;
  wins: number;
  losses: number;
}

export type BarSource = 'files' | 'broker';

export interface UniverseVersionPlan {
  workflowId: string;
  /** The first run id of the workflow's continue-as-new chain: one version per refresh run. */
  firstRunId: string;
  asOf: string;
  historyFrom: string;
  barSource: BarSource;
  /** The settings the screen applies (recorded with the version, and read back by the screen). */
  parameters: Record<string, unknown>;
  /** The symbols, cut into the batches the refresh works through. */
  batches: string[][];
}

export interface UniverseVersionRef {
  id: number;
  asOf: string;
  historyFrom: string;
  barSource: BarSource;
  status: 'REFRESHING' | 'COMPLETE';
  parameters: Record<string, unknown>;
  symbols: string[];
  batches: number;
  summary: Record<string, unknown>;
}

export interface UniverseBatchResult {
  bars: number;
  /** Symbols the source had no bars for. */
  missing: string[];
}

export interface UniverseBatch {
  symbols: string[];
  attempts: number;
  completed?: UniverseBatchResult;
}

export interface UniverseMemberRecord {
  symbol: string;
  sector?: string;
  kept: boolean;
  meanReversionCandidate: boolean;
  /** 1 = the best mean-reversion candidate; undefined when not a candidate. */
  candidateRank?: number;
  reasons: unknown[];
  metrics: Record<string, unknown>;
}

export interface UniversePairRecord {
  a: string;
  b: string;
  kept: boolean;
  /** 1 = the best pair; undefined when not kept. */
  candidateRank?: number;
  /** NaN where the check did not run (stored as NULL). */
  correlation: number;
  pValue: number;
  hedgeRatio: number;
  spreadVolatility: number;
  sameSector?: boolean;
  reasons: unknown[];
}

export interface UniverseScreenRecord {
  sessionDate?: string;
  members: UniverseMemberRecord[];
  pairs: UniversePairRecord[];
  summary: Record<string, unknown>;
}

/** What a trading day needs of a universe version (the shape of its DayScreen). */
export interface UniverseSnapshot {
  id: number;
  workflowId: string;
  asOf: string;
  sessionDate?: string;
  completedAt: string;
  universeSize: number;
  candidates: { symbol: string; sector?: string }[];
  /** sector: both legs' sector when they share one. */
  pairs: { a: string; b: string; hedgeRatio: number; pValue: number; correlation: number; sameSector?: boolean; sector?: string }[];
}
