/** What the daily summary and the weekly report are built from: rows of the audit trail, read by reports/source.ts. */
import type { PositionLeg, PositionRecord } from '../store/store';

/** A day of daily_pnl (the end-of-day summary): the account's equity at the open and at the close. */
export interface DayRecord {
  date: string;
  startingEquity: number;
  endingEquity: number;
  realizedPnl: number;
  unrealizedPnl: number;
  commissions: number;
  maxDrawdownPct: number;
}

/** A position that held shares, with the exchange dates it was opened and (once terminal) closed on. */
export interface TradeRecord extends Pick<PositionRecord, 'workflowId' | 'strategy' | 'symbols' | 'side' | 'state' | 'stopPrice' | 'targetPrice' | 'realizedPnl' | 'commission' | 'exitReason'> {
  legs: PositionLeg[];
  opened: string;
  closed?: string;
}

/** Closed on one of the dates from `from` to `to`. */
export function closedBetween(trades: readonly TradeRecord[], from: string, to: string): TradeRecord[] {
  return trades.filter((t) => t.closed !== undefined && t.closed >= from && t.closed <= to);
}

/** Still held at the close of `date`. */
export function openAtClose(trades: readonly TradeRecord[], date: string): TradeRecord[] {
  return trades.filter((t) => t.opened <= date && (t.closed === undefined || t.closed > date));
}

/** The day's P&L on the account: equity at the close minus equity at the open. */
export function dayPnl(day: DayRecord): number {
  return day.endingEquity - day.startingEquity;
}

/** The date `days` calendar days before `date` (both YYYY-MM-DD). */
export function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
