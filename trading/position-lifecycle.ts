/**
 * The position lifecycle as an explicit state machine, shared by the Position workflow, its activities and the
 * audit trail (positions.state in Postgres has exactly these values). Pure: importable from workflow code.
 *
 *   RISK_CHECK ─▶ ENTRY_SUBMITTED ─▶ PARTIALLY_FILLED ─▶ OPEN ─▶ EXITING ─▶ CLOSED
 *        │              │                   │                       ▲
 *        ▼              ▼                   └── (flatten) ──────────┘
 *     REJECTED      CANCELLED / REJECTED (nothing filled)
 */
import { nextTradingDay, nyseSession, type MarketHours } from './calendar';

export type PositionState =
  | 'RISK_CHECK' | 'ENTRY_SUBMITTED' | 'PARTIALLY_FILLED' | 'OPEN' | 'EXITING' | 'CLOSED' | 'REJECTED' | 'CANCELLED';

export type StrategyName = 'mean_reversion' | 'pairs';

const NEXT: Readonly<Record<PositionState, readonly PositionState[]>> = {
  RISK_CHECK: ['ENTRY_SUBMITTED', 'REJECTED', 'CANCELLED'],
  ENTRY_SUBMITTED: ['PARTIALLY_FILLED', 'OPEN', 'EXITING', 'REJECTED', 'CANCELLED'],
  PARTIALLY_FILLED: ['OPEN', 'EXITING'],
  OPEN: ['OPEN', 'EXITING'], // OPEN → OPEN: the stop was adjusted
  EXITING: ['CLOSED'],
  CLOSED: [],
  REJECTED: [],
  CANCELLED: [],
};

export const TERMINAL_POSITION_STATES: ReadonlySet<PositionState> = new Set(['CLOSED', 'REJECTED', 'CANCELLED']);

/** Throws on a transition the lifecycle does not allow: a bug, never a market event. */
export function assertTransition(from: PositionState, to: PositionState): void {
  if (!NEXT[from].includes(to)) throw new Error(`position cannot move from ${from} to ${to} (allowed: ${NEXT[from].join(', ') || 'none'})`);
}

/** Every Position workflow id, and so every orderRef of a position's orders, starts with it. */
export const POSITION_ID_PREFIX = 'position-';

/**
 * The workflow id of a position: strategy, symbols and trading date. Starting a second workflow with the same id is
 * refused by Temporal, so a signal repeated within the day never opens a second position.
 */
export function positionWorkflowId(strategy: StrategyName, symbols: readonly string[], tradingDate: string, suffix?: string): string {
  return `${POSITION_ID_PREFIX}${strategy}-${symbols.join('-')}-${tradingDate}${suffix ? `-${suffix}` : ''}`;
}

/**
 * The instant a position held since `entryDate` must be closed: the close of its `maxHoldingDays`-th session after
 * the entry session (a mean-reversion trade entered Monday with 5 days exits at next Monday's close).
 */
export function maxHoldingDeadline(entryDate: string, maxHoldingDays: number, hours: MarketHours): string {
  let date = entryDate;
  for (let i = 0; i < maxHoldingDays; i++) date = nextTradingDay(date);
  return nyseSession(date, hours).closeAt!;
}
