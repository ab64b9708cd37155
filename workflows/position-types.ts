// Types shared by the Position workflow and its activities (no runtime code: safe in the workflow bundle).
import type { OrderAction, OrderState, OrderStatus } from '../broker/broker';
import type { PositionState, StrategyName } from '../trading/position-lifecycle';
import type { SpreadSide } from '../trading/pairs';
import type { PairStop } from '../trading/risk';

export interface PlannedLeg {
  symbol: string;
  action: OrderAction;
  /** Intended shares before the risk gate (which may scale them down, e.g. for a high VIX). */
  quantity: number;
  /** Reference price of the signal. */
  price: number;
  sector?: string;
}

/** What a signal asks for: one stock (mean reversion) or two legs (pairs). */
export interface PositionPlan {
  /** = the workflow id (positionWorkflowId): the prefix of every orderRef of the position. */
  workflowId: string;
  strategy: StrategyName;
  tradingDate: string;
  legs: PlannedLeg[];
  /** Mean reversion: protective stop and take-profit, placed with the entry as one bracket. */
  stopPrice?: number;
  targetPrice?: number;
  /** Pairs: the spread side, hedge ratio and the z-score stop (monitored, not a resting order). */
  pair?: { side: SpreadSide; hedgeRatio: number; stop: PairStop };
  riskBudgetPct: number;
  maxHoldingDays: number;
  /** Why the position was opened, for the audit trail. */
  signal: { code: string; reasons: string; values: Record<string, number | string> };
}

export interface EntryResult {
  orderRefs: string[];
  rejected: { orderRef: string; reason: string }[];
}

export interface KnownOrder {
  orderRef: string;
  status: OrderStatus;
  filled: number;
}

/** How a Position follows its orders, in real milliseconds (the market's clock may run faster, see marketSpeed). */
export interface PositionWatch {
  /** Between two evaluations of the exit rules on live quotes while OPEN. */
  exitCheckMs: number;
  /** Longest wait without a broker event before the orders and fills are read anyway. */
  resyncMs: number;
  /** Market milliseconds per real millisecond: turns market deadlines (the close, max holding) into timers. */
  marketSpeed: number;
}

/** One read of the position's orders and fills (and, when asked, its exit rules). */
export interface SyncRequest {
  plan: PositionPlan;
  orderRefs: string[];
  /** The orders as the workflow last saw them: only changed ones are written to the audit trail. */
  known: KnownOrder[];
  evaluateExit: boolean;
  entryPrice?: number;
  /** Ask the broker for its executions (a resync after a quiet spell or a restart); otherwise the pushed ones suffice. */
  resync: boolean;
}

/** (Workflows from before 'position-event-driven') a polling watch of the broker. */
export interface WatchRequest {
  plan: PositionPlan;
  orderRefs: string[];
  /** The orders as the workflow last saw them: any change ends the watch. */
  known: KnownOrder[];
  /** Shares held per leg as the workflow last saw them: a fill recorded after its order status also ends the watch. */
  held: number[];
  /** Evaluate the strategy's exit rules (only while OPEN). */
  evaluateExit: boolean;
  entryPrice?: number;
  /** Market instant (ISO) at which the watch returns so the workflow can act (entry cut-off, max holding). */
  exitDeadline?: string;
  /** Real milliseconds after which the watch returns anyway. */
  maxWaitMs: number;
}

export interface LegFill {
  symbol: string;
  /** Signed shares held now. */
  position: number;
  entryQuantity: number;
  entryPrice?: number;
  exitPrice?: number;
}

export interface PositionSnapshot {
  legs: LegFill[];
  realizedPnl: number;
  commission: number;
}

export interface WatchResult {
  orders: OrderState[];
  /** The market's clock when the watch returned (ISO). */
  marketNow: string;
  exit?: { code: string; message: string };
  snapshot: PositionSnapshot;
}

export interface ExitPlan {
  /** Working orders to cancel before the closing orders go out (a bracket's target and stop). */
  cancel: string[];
  /** 1, 2, ...: part of the closing orders' refs, so a second exit never collides with the first. */
  attempt: number;
}

export interface PositionStatus {
  workflowId: string;
  state: PositionState;
  strategy: StrategyName;
  symbols: string[];
  tradingDate: string;
  orders: KnownOrder[];
  snapshot?: PositionSnapshot;
  stopPrice?: number;
  exitReason?: string;
  openedAt?: string;
  closedAt?: string;
}
