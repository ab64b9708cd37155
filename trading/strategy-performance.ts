/** Unusual strategy performance (DESIGN §2 Alerts): what stands out in a strategy's latest closed trades. Pure. */
import type { TraderConfig } from '../config/schema';
import type { StrategyName } from './position-lifecycle';

export type StrategyPerformanceConfig = TraderConfig['alerts']['conditions']['strategyPerformance'];

export type StrategyAnomalyCode = 'LOW_WIN_RATE' | 'LOSING_STREAK' | 'DAILY_LOSS';

export interface StrategyAnomaly {
  strategy: StrategyName;
  code: StrategyAnomalyCode;
  message: string;
  /** The numbers behind it: the measured value, its limit and what it was measured over. */
  values: Record<string, number>;
}

export interface ClosedTradeOutcome {
  /** Realized P&L of the position, net of commissions. */
  realizedPnl: number;
  /** The exchange date it closed on (YYYY-MM-DD). */
  closedOn: string;
}

/**
 * The anomalies of a strategy as of the close of `date`. `trades`: its closed trades up to `date`, oldest first — at
 * least its latest lookbackTrades and every one closed on `date`. A trade wins when its P&L is above 0; any other is a
 * loss. Judged only on a day the strategy closed a trade, so a condition that lasts while it does not trade is not
 * raised again each day:
 *  - LOW_WIN_RATE: of its latest lookbackTrades (at least minTrades of them), a share of wins below minWinRate;
 *  - LOSING_STREAK: more than maxConsecutiveLosses losses in a row up to its latest trade (within the lookback);
 *  - DAILY_LOSS: the trades closed on `date` lost maxDailyLossPct of `equity` or more (skipped when equity is unknown).
 */
export function strategyAnomalies(
  strategy: StrategyName,
  trades: readonly ClosedTradeOutcome[],
  date: string,
  equity: number | undefined,
  cfg: StrategyPerformanceConfig,
): StrategyAnomaly[] {
  const today = trades.filter((t) => t.closedOn === date);
  if (!cfg.enabled || today.length === 0) return [];
  const anomalies: StrategyAnomaly[] = [];
  const found = (code: StrategyAnomalyCode, message: string, values: Record<string, number>) => anomalies.push({ strategy, code, message: `${strategy}: ${message}`, values });

  const recent = trades.slice(-cfg.lookbackTrades);
  const wins = recent.filter((t) => t.realizedPnl > 0).length;
  const winRate = wins / recent.length;
  if (recent.length >= cfg.minTrades && winRate < cfg.minWinRate) {
    found('LOW_WIN_RATE', `${wins} wins in its last ${recent.length} trades (${pct(winRate)}), below the minimum ${pct(cfg.minWinRate)}`, {
      winRate, minWinRate: cfg.minWinRate, wins, trades: recent.length,
    });
  }

  let lastWin = recent.length - 1;
  while (lastWin >= 0 && !(recent[lastWin]!.realizedPnl > 0)) lastWin--;
  const streak = recent.slice(lastWin + 1);
  if (streak.length > cfg.maxConsecutiveLosses) {
    const lost = sum(streak);
    found('LOSING_STREAK', `${streak.length} losing trades in a row (${money(lost)}), more than ${cfg.maxConsecutiveLosses}`, {
      consecutiveLosses: streak.length, maxConsecutiveLosses: cfg.maxConsecutiveLosses, pnl: lost,
    });
  }

  const dailyPnl = sum(today);
  const lossPct = equity !== undefined && equity > 0 ? -dailyPnl / equity : NaN;
  if (lossPct >= cfg.maxDailyLossPct) {
    found('DAILY_LOSS', `lost ${money(-dailyPnl)} on ${date} over ${today.length} trades, ${pct(lossPct)} of equity ${money(equity!)} (limit ${pct(cfg.maxDailyLossPct)})`, {
      dailyPnl, lossPct, maxDailyLossPct: cfg.maxDailyLossPct, equity: equity!, trades: today.length,
    });
  }
  return anomalies;
}

function sum(trades: readonly ClosedTradeOutcome[]): number {
  return trades.reduce((s, t) => s + t.realizedPnl, 0);
}

function money(x: number): string {
  return x.toFixed(2);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
