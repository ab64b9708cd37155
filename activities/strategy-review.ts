import { daysBefore } from '../reports/model';
import type { PositionRecord } from '../store/store';
import { localDate, zonedTime } from '../trading/calendar';
import type { StrategyName } from '../trading/position-lifecycle';
import { strategyAnomalies, type StrategyAnomaly } from '../trading/strategy-performance';
import type { TradingDeps } from './deps';

const STRATEGIES: readonly StrategyName[] = ['mean_reversion', 'pairs'];

/** The close-of-day review of each strategy's results (alerts.conditions.strategyPerformance). */
export function createStrategyReviewActivities({ store, broker, config }: Pick<TradingDeps, 'store' | 'broker' | 'config'>) {
  return {
    /**
     * The unusual results of each strategy as of the close of `date` (an exchange date); sends nothing: the caller
     * alerts on each. The daily loss is measured against the broker's net liquidation, and skipped if it does not answer.
     */
    async reviewStrategyPerformance(date: string): Promise<StrategyAnomaly[]> {
      const cfg = config.alerts.conditions.strategyPerformance;
      if (!cfg.enabled) return [];
      const tz = config.schedule.timezone;
      const dayStart = zonedTime(date, '00:00', tz).toISOString();
      const dayEnd = zonedTime(daysBefore(date, -1), '00:00', tz).toISOString();
      const equity = await broker.accountSummary().then((a) => a.netLiquidation, () => undefined);
      const anomalies: StrategyAnomaly[] = [];
      for (const strategy of STRATEGIES) {
        // The latest trades for the win rate and the streak, and all of the day's for its loss (there may be more).
        const [latest, ofDay] = await Promise.all([
          store.closedPositions({ strategy, closedBefore: dayEnd, limit: cfg.lookbackTrades }),
          store.closedPositions({ strategy, closedFrom: dayStart, closedBefore: dayEnd }),
        ]);
        const trades = [...new Map([...latest, ...ofDay].map((p) => [p.workflowId, p])).values()].sort(byClose);
        const outcomes = trades.map((p) => ({ realizedPnl: p.realizedPnl, closedOn: localDate(new Date(p.closedAt!), tz) }));
        anomalies.push(...strategyAnomalies(strategy, outcomes, date, equity, cfg));
      }
      return anomalies;
    },
  };
}

export type StrategyReviewActivities = ReturnType<typeof createStrategyReviewActivities>;

/** Oldest first; the store orders ties by workflow id. */
function byClose(a: PositionRecord, b: PositionRecord): number {
  return a.closedAt! < b.closedAt! ? -1 : a.closedAt! > b.closedAt! ? 1 : a.workflowId < b.workflowId ? -1 : 1;
}
