import type { Fill, OrderRequest, OrderState } from '../broker/broker';
import type { PositionState, StrategyName } from '../trading/position-lifecycle';
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
  listPositions(filter?: { open?: boolean; tradingDate?: string }): Promise<PositionRecord[]>;
  /** Upserts the order by orderRef with its latest broker state; a status change is appended to order_events once. */
  recordOrder(order: OrderRecord): Promise<void>;
  /** Inserts fills not yet stored (keyed by execId); returns how many were new. */
  recordFills(fills: readonly Fill[]): Promise<number>;
  fillsForOrders(orderRefPrefix: string): Promise<Fill[]>;
  /** Upserts the day's row of daily_pnl (the end-of-day summary; a rerun overwrites it). */
  recordDailyPnl(account: string, day: DailyPnl, equity: { netLiquidation: number; unrealizedPnl: number; realizedPnl: number }): Promise<void>;
}

export interface DailyPnl {
  date: string;
  positionsClosed: number;
  realizedPnl: number;
  commissions: number;
  wins: number;
  losses: number;
}
