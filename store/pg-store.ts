import type { Pool } from 'pg';
import type { TradingState, TradingStateChange } from '../trading/trading-state';
import type { Fill } from '../broker/broker';
import type { DailyPnl, OrderRecord, PositionRecord, PositionTransition, Store, SystemEvent } from './store';

interface PositionRow {
  workflow_id: string; strategy: PositionRecord['strategy']; symbols: string[]; side: PositionRecord['side']; state: PositionRecord['state'];
  trading_date: string; legs: PositionRecord['legs']; stop_price: string | null; target_price: string | null; realized_pnl: string;
  commission: string; exit_reason: string | null; opened_at: Date | null; closed_at: Date | null;
}

interface FillRow {
  exec_id: string; order_ref: string; broker_order_id: number; perm_id: string; symbol: string; side: Fill['side'];
  quantity: string; price: string; commission: string | null; commission_currency: string | null; realized_pnl: string | null; executed_at: Date;
}

const num = (v: string | null): number | undefined => (v === null ? undefined : Number(v));

export class PgStore implements Store {
  constructor(private readonly pool: Pool) {}

  async recordTradingStateChange(workflowId: string, c: TradingStateChange): Promise<void> {
    await this.pool.query(
      `INSERT INTO trading_state_changes (workflow_id, sequence, from_state, to_state, reason, source, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workflow_id, sequence) DO NOTHING`,
      [workflowId, c.sequence, c.from, c.to, c.reason, c.source, c.at],
    );
  }

  async listTradingStateChanges(workflowId: string, limit = 50): Promise<TradingStateChange[]> {
    const { rows } = await this.pool.query<{ sequence: string; from_state: TradingState | null; to_state: TradingState; reason: string; source: string; occurred_at: Date }>(
      `SELECT sequence, from_state, to_state, reason, source, occurred_at FROM trading_state_changes
       WHERE workflow_id = $1 ORDER BY sequence DESC LIMIT $2`,
      [workflowId, limit],
    );
    return rows.reverse().map((r) => ({
      sequence: Number(r.sequence),
      from: r.from_state,
      to: r.to_state,
      reason: r.reason,
      source: r.source,
      at: r.occurred_at.toISOString(),
    }));
  }

  async recordSystemEvent(e: SystemEvent): Promise<void> {
    await this.pool.query(
      `INSERT INTO system_events (idempotency_key, kind, severity, source, message, details, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
      [e.key, e.kind, e.severity, e.source, e.message, JSON.stringify(e.details ?? {}), e.at],
    );
  }

  async recordPositionTransition(p: PositionRecord, t: PositionTransition): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // A replayed older transition must not roll the row back: only a higher sequence updates it.
      const { rows } = await client.query<{ sequence: number }>('SELECT max(sequence) AS sequence FROM position_transitions WHERE workflow_id = $1', [p.workflowId]);
      const latest = rows[0]?.sequence ?? 0;
      if (t.sequence > latest) {
        await client.query(
          `INSERT INTO positions (workflow_id, strategy, symbols, side, state, trading_date, legs, stop_price, target_price, realized_pnl,
             commission, exit_reason, opened_at, closed_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())
           ON CONFLICT (workflow_id) DO UPDATE SET state = EXCLUDED.state, legs = EXCLUDED.legs, stop_price = EXCLUDED.stop_price,
             target_price = EXCLUDED.target_price, realized_pnl = EXCLUDED.realized_pnl, commission = EXCLUDED.commission,
             exit_reason = EXCLUDED.exit_reason, opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at, updated_at = now()`,
          [p.workflowId, p.strategy, p.symbols, p.side, p.state, p.tradingDate, JSON.stringify(p.legs), p.stopPrice ?? null, p.targetPrice ?? null,
            p.realizedPnl, p.commission, p.exitReason ?? null, p.openedAt ?? null, p.closedAt ?? null],
        );
        await client.query(
          `INSERT INTO position_transitions (workflow_id, sequence, from_state, to_state, details, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (workflow_id, sequence) DO NOTHING`,
          [p.workflowId, t.sequence, t.from, t.to, JSON.stringify(t.details), t.at],
        );
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  }

  async listPositions(filter: { open?: boolean; tradingDate?: string } = {}): Promise<PositionRecord[]> {
    const { rows } = await this.pool.query<PositionRow>(
      `SELECT workflow_id, strategy, symbols, side, state, to_char(trading_date, 'YYYY-MM-DD') AS trading_date, legs, stop_price, target_price,
              realized_pnl, commission, exit_reason, opened_at, closed_at
       FROM positions
       WHERE ($1::boolean IS NULL OR (state NOT IN ('CLOSED', 'REJECTED', 'CANCELLED')) = $1) AND ($2::date IS NULL OR trading_date = $2)
       ORDER BY trading_date, workflow_id`,
      [filter.open ?? null, filter.tradingDate ?? null],
    );
    return rows.map((r) => ({
      workflowId: r.workflow_id, strategy: r.strategy, symbols: r.symbols, side: r.side, state: r.state, tradingDate: r.trading_date, legs: r.legs,
      stopPrice: num(r.stop_price), targetPrice: num(r.target_price), realizedPnl: Number(r.realized_pnl), commission: Number(r.commission),
      exitReason: r.exit_reason ?? undefined, openedAt: r.opened_at?.toISOString(), closedAt: r.closed_at?.toISOString(),
    }));
  }

  async recordOrder({ request: q, positionWorkflowId, leg, state }: OrderRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO orders (order_ref, position_workflow_id, leg, broker_order_id, perm_id, symbol, action, order_type, quantity, limit_price,
         stop_price, tif, status, filled_quantity, avg_fill_price)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (order_ref) DO UPDATE SET broker_order_id = COALESCE(EXCLUDED.broker_order_id, orders.broker_order_id),
         perm_id = COALESCE(EXCLUDED.perm_id, orders.perm_id), status = EXCLUDED.status, filled_quantity = EXCLUDED.filled_quantity,
         avg_fill_price = EXCLUDED.avg_fill_price, updated_at = now()`,
      [q.orderRef, positionWorkflowId, leg, state?.brokerOrderId ?? null, state?.permId || null, q.symbol, q.action, q.type, q.quantity,
        q.limitPrice ?? null, q.stopPrice ?? null, q.tif ?? 'DAY', state?.status ?? 'PendingSubmit', state?.filled ?? 0, state?.avgFillPrice || null],
    );
    if (state) {
      await this.pool.query(
        `INSERT INTO order_events (order_ref, idempotency_key, status, filled, remaining, avg_fill_price, message, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (idempotency_key) DO NOTHING`,
        [q.orderRef, `${q.orderRef}:${state.status}:${state.filled}`, state.status, state.filled, state.remaining, state.avgFillPrice || null, state.rejectReason ?? null],
      );
    }
  }

  async recordFills(fills: readonly Fill[]): Promise<number> {
    let added = 0;
    for (const f of fills) {
      const r = await this.pool.query(
        `INSERT INTO fills (exec_id, order_ref, broker_order_id, perm_id, symbol, side, quantity, price, commission, commission_currency, realized_pnl, executed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (exec_id) DO UPDATE SET commission = COALESCE(fills.commission, EXCLUDED.commission),
           commission_currency = COALESCE(fills.commission_currency, EXCLUDED.commission_currency)
         RETURNING (xmax = 0) AS inserted`,
        [f.execId, f.orderRef, f.brokerOrderId, f.permId, f.symbol, f.side, f.quantity, f.price, f.commission ?? null, f.commissionCurrency ?? null, f.realizedPnl ?? null, f.time],
      );
      if (r.rows[0]?.inserted) added++;
    }
    return added;
  }

  async fillsForOrders(orderRefPrefix: string): Promise<Fill[]> {
    const { rows } = await this.pool.query<FillRow>(
      `SELECT exec_id, order_ref, broker_order_id, perm_id, symbol, side, quantity, price, commission, commission_currency, realized_pnl, executed_at
       FROM fills WHERE starts_with(order_ref, $1) ORDER BY executed_at, exec_id`,
      [orderRefPrefix],
    );
    const cum = new Map<string, { qty: number; value: number }>();
    return rows.map((r) => {
      const c = cum.get(r.order_ref) ?? { qty: 0, value: 0 };
      c.qty += Number(r.quantity);
      c.value += Number(r.quantity) * Number(r.price);
      cum.set(r.order_ref, c);
      return {
        execId: r.exec_id, orderRef: r.order_ref, brokerOrderId: r.broker_order_id, permId: Number(r.perm_id), symbol: r.symbol, side: r.side,
        quantity: Number(r.quantity), price: Number(r.price), time: r.executed_at.toISOString(), cumQty: c.qty, avgPrice: c.value / c.qty,
        commission: num(r.commission), commissionCurrency: r.commission_currency ?? undefined, realizedPnl: num(r.realized_pnl),
      };
    });
  }

  async recordDailyPnl(account: string, d: DailyPnl, e: { netLiquidation: number; unrealizedPnl: number; realizedPnl: number }): Promise<void> {
    const starting = e.netLiquidation - e.realizedPnl - e.unrealizedPnl;
    await this.pool.query(
      `INSERT INTO daily_pnl (account, trading_date, starting_equity, ending_equity, realized_pnl, unrealized_pnl, commissions, trade_count, win_count, loss_count, max_drawdown_pct)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (account, trading_date) DO UPDATE SET ending_equity = EXCLUDED.ending_equity, realized_pnl = EXCLUDED.realized_pnl,
         unrealized_pnl = EXCLUDED.unrealized_pnl, commissions = EXCLUDED.commissions, trade_count = EXCLUDED.trade_count,
         win_count = EXCLUDED.win_count, loss_count = EXCLUDED.loss_count, max_drawdown_pct = EXCLUDED.max_drawdown_pct, updated_at = now()`,
      [account, d.date, starting, e.netLiquidation, d.realizedPnl, e.unrealizedPnl, d.commissions, d.positionsClosed, d.wins, d.losses, starting > 0 ? Math.max(0, (starting - e.netLiquidation) / starting) : 0],
    );
  }
}
