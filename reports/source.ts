import type { Pool } from 'pg';
import type { PositionLeg } from '../store/store';
import type { DayRecord, TradeRecord } from './model';

interface DayRow {
  date: string;
  starting_equity: string;
  ending_equity: string;
  realized_pnl: string;
  unrealized_pnl: string;
  commissions: string;
  max_drawdown_pct: string;
}

interface TradeRow {
  workflow_id: string;
  strategy: TradeRecord['strategy'];
  symbols: string[];
  side: TradeRecord['side'];
  state: TradeRecord['state'];
  legs: PositionLeg[];
  stop_price: string | null;
  target_price: string | null;
  realized_pnl: string;
  commission: string;
  exit_reason: string | null;
  opened: string;
  closed: string | null;
}

/** One row a day, every account summed: the system trades one account, and totals are what a report shows of several. */
const DAYS_SQL = `
  SELECT to_char(trading_date, 'YYYY-MM-DD') AS date, sum(starting_equity) AS starting_equity, sum(ending_equity) AS ending_equity,
         sum(realized_pnl) AS realized_pnl, sum(unrealized_pnl) AS unrealized_pnl, sum(commissions) AS commissions,
         max(max_drawdown_pct) AS max_drawdown_pct
  FROM daily_pnl WHERE ($1::date IS NULL OR trading_date >= $1) AND trading_date <= $2 GROUP BY trading_date`;

/**
 * What the daily summary and the weekly report read from the audit trail (migrations/001): daily_pnl and the
 * positions that held shares. Dates are exchange dates: a position's opened and closed instants are read in the
 * exchange's time zone, as trading dates are.
 */
export class PgReportSource {
  constructor(
    private readonly pool: Pool,
    private readonly timezone: string,
  ) {}

  /** The recorded days from `from` (or the first) to `to`, inclusive, oldest first; the latest `limit` of them when given. */
  async days(range: { from?: string; to: string; limit?: number }): Promise<DayRecord[]> {
    const { rows } = await this.pool.query<DayRow>(`${DAYS_SQL} ORDER BY trading_date DESC LIMIT $3`, [range.from ?? null, range.to, range.limit ?? null]);
    return rows.reverse().map((r) => ({
      date: r.date,
      startingEquity: Number(r.starting_equity),
      endingEquity: Number(r.ending_equity),
      realizedPnl: Number(r.realized_pnl),
      unrealizedPnl: Number(r.unrealized_pnl),
      commissions: Number(r.commissions),
      maxDrawdownPct: Number(r.max_drawdown_pct),
    }));
  }

  /**
   * Every position that held shares at some time from `from` to `to`: opened by the end of `to` and not closed
   * before `from` (whatever its final state: a pair whose second leg was rejected was unwound at a P&L too).
   */
  async trades(from: string, to: string): Promise<TradeRecord[]> {
    const { rows } = await this.pool.query<TradeRow>(
      `SELECT workflow_id, strategy, symbols, side, state, legs, stop_price, target_price, realized_pnl, commission, exit_reason,
              to_char(opened_at AT TIME ZONE $3, 'YYYY-MM-DD') AS opened, to_char(closed_at AT TIME ZONE $3, 'YYYY-MM-DD') AS closed
       FROM positions
       WHERE opened_at IS NOT NULL AND (opened_at AT TIME ZONE $3)::date <= $2
         AND (closed_at IS NULL OR (closed_at AT TIME ZONE $3)::date >= $1)
       ORDER BY opened_at, workflow_id`,
      [from, to, this.timezone],
    );
    return rows.map((r) => ({
      workflowId: r.workflow_id, strategy: r.strategy, symbols: r.symbols, side: r.side, state: r.state, legs: r.legs,
      stopPrice: r.stop_price === null ? undefined : Number(r.stop_price), targetPrice: r.target_price === null ? undefined : Number(r.target_price),
      realizedPnl: Number(r.realized_pnl), commission: Number(r.commission), exitReason: r.exit_reason ?? undefined,
      opened: r.opened, closed: r.closed ?? undefined,
    }));
  }
}
