/** Daily P&L milestones (DESIGN §2 Alerts): the highest level of the day's gain or loss reached. Pure. */
import type { TraderConfig } from '../config/schema';

export type PnlMilestonesConfig = TraderConfig['alerts']['conditions']['pnlMilestones'];

export interface PnlMilestoneLevel {
  direction: 'gain' | 'loss';
  /** The level reached, a fraction of start-of-day equity (one of gainsPct or lossesPct). */
  levelPct: number;
}

/** Absorbs binary rounding: a P&L of exactly 1 % of the equity reaches the 1 % level. */
const EPSILON = 1e-9;

/**
 * The highest milestone the day's P&L has reached AT or beyond, as a fraction of the start-of-day equity: +2.4 % with
 * gainsPct [0.01, 0.02, 0.03] is the 2 % gain. None when disabled, below the first level, or without a positive
 * start-of-day equity to measure against.
 */
export function pnlMilestone(dailyPnl: number, startOfDayEquity: number, cfg: PnlMilestonesConfig): PnlMilestoneLevel | undefined {
  if (!cfg.enabled || !(startOfDayEquity > 0) || !Number.isFinite(dailyPnl) || dailyPnl === 0) return undefined;
  const direction = dailyPnl > 0 ? 'gain' : 'loss';
  const move = Math.abs(dailyPnl) / startOfDayEquity;
  const reached = (direction === 'gain' ? cfg.gainsPct : cfg.lossesPct).filter((level) => move >= level * (1 - EPSILON));
  return reached.length === 0 ? undefined : { direction, levelPct: reached[reached.length - 1]! };
}
