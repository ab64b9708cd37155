import type { Pool, PoolClient } from 'pg';
import type { TradingState, TradingStateChange } from '../trading/trading-state';
import type { Fill } from '../broker/broker';
import type { BarSeries } from '../market-data/files';
import type { Bar } from '../trading/indicators';
import type { EquityPoint } from '../trading/risk';
import type {
  BarSource, DailyPnl, OrderRecord, PositionRecord, PositionTransition, Store, SystemEvent, UniverseBatch, UniverseBatchResult, UniverseScreenRecord,
  UniverseSnapshot, UniverseVersionPlan, UniverseVersionRef,
} from './store';

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

const POSITION_COLUMNS = `workflow_id, strategy, symbols, side, state, to_char(trading_date, 'YYYY-MM-DD') AS trading_date, legs, stop_price, target_price,
  realized_pnl, commission, exit_reason, opened_at, closed_at`;

function positionRecord(r: PositionRow): PositionRecord {
  return {
    workflowId: r.workflow_id, strategy: r.strategy, symbols: r.symbols, side: r.side, state: r.state, tradingDate: r.trading_date, legs: r.legs,
    stopPrice: num(r.stop_price), targetPrice: num(r.target_price), realizedPnl: Number(r.realized_pnl), commission: Number(r.commission),
    exitReason: r.exit_reason ?? undefined, openedAt: r.opened_at?.toISOString(), closedAt: r.closed_at?.toISOString(),
  };
}

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
      // A retried older transition must not roll the row back: only the latest sequence updates it. The latest one
      // again is a re-execution: a local activity's write whose workflow task never completed (its worker was killed)
      // is redone by the replay, possibly as another transition (a fill seen PARTIALLY_FILLED before the crash may be
      // Filled by then): the durable one replaces it.
      const { rows } = await client.query<{ sequence: number }>('SELECT max(sequence) AS sequence FROM position_transitions WHERE workflow_id = $1', [p.workflowId]);
      const latest = rows[0]?.sequence ?? 0;
      if (t.sequence >= latest) {
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
           ON CONFLICT (workflow_id, sequence) DO UPDATE SET from_state = EXCLUDED.from_state, to_state = EXCLUDED.to_state, details = EXCLUDED.details,
             occurred_at = EXCLUDED.occurred_at`,
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

  async abandonOpenPositions(reason: string, at: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ workflow_id: string }>(
      `WITH open AS (
         UPDATE positions p SET state = 'CANCELLED', exit_reason = $1, closed_at = $2, updated_at = now()
         FROM positions before WHERE before.workflow_id = p.workflow_id AND before.state NOT IN ('CLOSED', 'REJECTED', 'CANCELLED')
         RETURNING p.workflow_id, before.state AS from_state)
       INSERT INTO position_transitions (workflow_id, sequence, from_state, to_state, details, occurred_at)
       SELECT o.workflow_id, (SELECT coalesce(max(sequence), 0) + 1 FROM position_transitions t WHERE t.workflow_id = o.workflow_id),
              o.from_state, 'CANCELLED', jsonb_build_object('reason', $1::text, 'abandoned', true), $2
       FROM open o RETURNING workflow_id`,
      [reason, at],
    );
    return rows.map((r) => r.workflow_id);
  }

  async listPositions(filter: { open?: boolean; tradingDate?: string } = {}): Promise<PositionRecord[]> {
    const { rows } = await this.pool.query<PositionRow>(
      `SELECT ${POSITION_COLUMNS} FROM positions
       WHERE ($1::boolean IS NULL OR (state NOT IN ('CLOSED', 'REJECTED', 'CANCELLED')) = $1) AND ($2::date IS NULL OR trading_date = $2)
       ORDER BY trading_date, workflow_id`,
      [filter.open ?? null, filter.tradingDate ?? null],
    );
    return rows.map(positionRecord);
  }

  async closedPositions(f: { strategy: PositionRecord['strategy']; closedBefore: string; closedFrom?: string; limit?: number }): Promise<PositionRecord[]> {
    const { rows } = await this.pool.query<PositionRow>(
      `SELECT ${POSITION_COLUMNS} FROM positions
       WHERE strategy = $1 AND opened_at IS NOT NULL AND closed_at < $2 AND ($3::timestamptz IS NULL OR closed_at >= $3)
       ORDER BY closed_at DESC, workflow_id DESC LIMIT $4`,
      [f.strategy, f.closedBefore, f.closedFrom ?? null, f.limit ?? null],
    );
    return rows.map(positionRecord);
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

  async storedExecIds(execIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ exec_id: string }>('SELECT exec_id FROM fills WHERE exec_id = ANY($1)', [execIds]);
    return new Set(rows.map((r) => r.exec_id));
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

  async equityHistory(account: string, from: string, to: string): Promise<EquityPoint[]> {
    const { rows } = await this.pool.query<{ date: string; equity: string }>(
      `SELECT to_char(trading_date, 'YYYY-MM-DD') AS date, ending_equity AS equity FROM daily_pnl
       WHERE account = $1 AND trading_date <= $3
         AND trading_date >= COALESCE((SELECT max(trading_date) FROM daily_pnl WHERE account = $1 AND trading_date < $2), $2)
       ORDER BY trading_date`,
      [account, from, to],
    );
    return rows.map((r) => ({ time: r.date, equity: Number(r.equity) }));
  }

  async beginUniverseVersion(p: UniverseVersionPlan): Promise<UniverseVersionRef> {
    return this.transaction(async (client) => {
      // ON CONFLICT DO NOTHING returns no row for a retry: the version and its batches were created by the first attempt.
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO universe_versions (as_of_date, workflow_id, first_run_id, parameters, status, bar_source, history_from)
         VALUES ($1, $2, $3, $4, 'REFRESHING', $5, $6) ON CONFLICT (workflow_id, first_run_id) DO NOTHING RETURNING id`,
        [p.asOf, p.workflowId, p.firstRunId, JSON.stringify(p.parameters), p.barSource, p.historyFrom],
      );
      if (rows[0]) {
        await client.query(
          `INSERT INTO universe_refresh_batches (universe_id, batch, symbols)
           SELECT $1, ordinality - 1, ARRAY(SELECT jsonb_array_elements_text(b)) FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(b, ordinality)`,
          [rows[0].id, JSON.stringify(p.batches)],
        );
      }
      const { rows: existing } = await client.query<{ id: string }>('SELECT id FROM universe_versions WHERE workflow_id = $1 AND first_run_id = $2', [p.workflowId, p.firstRunId]);
      return this.readUniverseVersion(client, Number(existing[0]!.id));
    });
  }

  async universeVersion(id: number): Promise<UniverseVersionRef> {
    return this.readUniverseVersion(this.pool, id);
  }

  async startUniverseBatch(universeId: number, batch: number): Promise<UniverseBatch> {
    const { rows } = await this.pool.query<{ symbols: string[]; attempts: number; bars: number | null; missing: string[] | null }>(
      `UPDATE universe_refresh_batches SET attempts = attempts + 1 WHERE universe_id = $1 AND batch = $2 RETURNING symbols, attempts, bars, missing`,
      [universeId, batch],
    );
    const r = rows[0];
    if (!r) throw new Error(`universe version ${universeId} has no batch ${batch}`);
    return { symbols: r.symbols, attempts: r.attempts, completed: r.bars === null ? undefined : { bars: r.bars, missing: r.missing ?? [] } };
  }

  async completeUniverseBatch(universeId: number, batch: number, result: UniverseBatchResult): Promise<void> {
    await this.pool.query(
      `UPDATE universe_refresh_batches SET bars = $3, missing = $4, completed_at = now() WHERE universe_id = $1 AND batch = $2 AND completed_at IS NULL`,
      [universeId, batch, result.bars, result.missing],
    );
  }

  async storeDailyBars(symbol: string, source: BarSource, bars: readonly Bar[]): Promise<number> {
    if (bars.length === 0) return 0;
    // Daily bars are keyed at midnight UTC of their session date (dailyBars reads them back the same way).
    const { rowCount } = await this.pool.query(
      `INSERT INTO bars (symbol, bar_size, ts, open, high, low, close, volume, source)
       SELECT $1, '1 day', d::timestamp AT TIME ZONE 'UTC', o, h, l, c, v, $2
       FROM unnest($3::date[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[]) AS t(d, o, h, l, c, v)
       ON CONFLICT (symbol, bar_size, ts) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
         volume = EXCLUDED.volume, source = EXCLUDED.source`,
      [symbol, source, bars.map((b) => b.date), bars.map((b) => b.open), bars.map((b) => b.high), bars.map((b) => b.low), bars.map((b) => b.close), bars.map((b) => b.volume)],
    );
    return rowCount ?? 0;
  }

  async dailyBars(symbols: readonly string[], from: string, to: string): Promise<Map<string, BarSeries>> {
    const { rows } = await this.pool.query<{ symbol: string; dates: string[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }>(
      `SELECT symbol, array_agg(to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') ORDER BY ts) AS dates, array_agg(open::float8 ORDER BY ts) AS open,
              array_agg(high::float8 ORDER BY ts) AS high, array_agg(low::float8 ORDER BY ts) AS low, array_agg(close::float8 ORDER BY ts) AS close,
              array_agg(volume::float8 ORDER BY ts) AS volume
       FROM bars WHERE bar_size = '1 day' AND symbol = ANY($1) AND ts >= $2::timestamp AT TIME ZONE 'UTC' AND ts <= $3::timestamp AT TIME ZONE 'UTC'
       GROUP BY symbol`,
      [symbols, from, to],
    );
    return new Map(rows.map((r) => [r.symbol, {
      symbol: r.symbol, dates: r.dates, open: Float64Array.from(r.open), high: Float64Array.from(r.high), low: Float64Array.from(r.low),
      close: Float64Array.from(r.close), volume: Float64Array.from(r.volume),
    }]));
  }

  async completeUniverseVersion(id: number, screen: UniverseScreenRecord): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ status: string }>('SELECT status FROM universe_versions WHERE id = $1 FOR UPDATE', [id]);
      if (rows[0]?.status !== 'REFRESHING') return false;
      const rank = (r: number | undefined) => r ?? null;
      const orNull = (x: number) => (Number.isFinite(x) ? x : null);
      for (let i = 0; i < screen.members.length; i += UNIVERSE_ROWS_PER_INSERT) {
        const m = screen.members.slice(i, i + UNIVERSE_ROWS_PER_INSERT);
        await client.query(
          `INSERT INTO universe_members (universe_id, symbol, sector, kept, mean_reversion_candidate, candidate_rank, reasons, metrics)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::integer[], $7::jsonb[], $8::jsonb[])`,
          [id, m.map((x) => x.symbol), m.map((x) => x.sector ?? null), m.map((x) => x.kept), m.map((x) => x.meanReversionCandidate),
            m.map((x) => rank(x.candidateRank)), m.map((x) => JSON.stringify(x.reasons)), m.map((x) => JSON.stringify(x.metrics))],
        );
      }
      for (let i = 0; i < screen.pairs.length; i += UNIVERSE_ROWS_PER_INSERT) {
        const p = screen.pairs.slice(i, i + UNIVERSE_ROWS_PER_INSERT);
        await client.query(
          `INSERT INTO pairs (universe_id, symbol_a, symbol_b, kept, candidate_rank, correlation, coint_p_value, hedge_ratio, spread_volatility, same_sector, reasons)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::boolean[], $5::integer[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[], $10::boolean[], $11::jsonb[])`,
          [id, p.map((x) => x.a), p.map((x) => x.b), p.map((x) => x.kept), p.map((x) => rank(x.candidateRank)), p.map((x) => orNull(x.correlation)),
            p.map((x) => orNull(x.pValue)), p.map((x) => orNull(x.hedgeRatio)), p.map((x) => orNull(x.spreadVolatility)), p.map((x) => x.sameSector ?? null),
            p.map((x) => JSON.stringify(x.reasons))],
        );
      }
      await client.query(
        `UPDATE universe_versions SET status = 'COMPLETE', session_date = $2, summary = $3, completed_at = now() WHERE id = $1`,
        [id, screen.sessionDate ?? null, JSON.stringify(screen.summary)],
      );
      return true;
    });
  }

  async latestUniverse(onOrBefore?: string): Promise<UniverseSnapshot | undefined> {
    const { rows } = await this.pool.query<{ id: string; workflow_id: string; as_of: string; session_date: string | null; completed_at: Date; size: number }>(
      `SELECT v.id, v.workflow_id, to_char(v.as_of_date, 'YYYY-MM-DD') AS as_of, to_char(v.session_date, 'YYYY-MM-DD') AS session_date, v.completed_at,
              (SELECT count(*)::int FROM universe_members m WHERE m.universe_id = v.id AND m.kept) AS size
       FROM universe_versions v WHERE v.status = 'COMPLETE' AND ($1::date IS NULL OR v.as_of_date <= $1)
       ORDER BY v.as_of_date DESC, v.completed_at DESC, v.id DESC LIMIT 1`,
      [onOrBefore ?? null],
    );
    const v = rows[0];
    if (!v) return undefined;
    const [members, pairs] = await Promise.all([
      this.pool.query<{ symbol: string; sector: string | null }>(
        'SELECT symbol, sector FROM universe_members WHERE universe_id = $1 AND candidate_rank IS NOT NULL ORDER BY candidate_rank', [v.id]),
      this.pool.query<{ symbol_a: string; symbol_b: string; hedge_ratio: string; coint_p_value: string; correlation: string; same_sector: boolean | null; sector: string | null }>(
        `SELECT p.symbol_a, p.symbol_b, p.hedge_ratio, p.coint_p_value, p.correlation, p.same_sector, CASE WHEN p.same_sector THEN m.sector END AS sector
         FROM pairs p LEFT JOIN universe_members m ON m.universe_id = p.universe_id AND m.symbol = p.symbol_a
         WHERE p.universe_id = $1 AND p.candidate_rank IS NOT NULL ORDER BY p.candidate_rank`, [v.id]),
    ]);
    return {
      id: Number(v.id), workflowId: v.workflow_id, asOf: v.as_of, sessionDate: v.session_date ?? undefined, completedAt: v.completed_at.toISOString(),
      universeSize: v.size,
      candidates: members.rows.map((m) => ({ symbol: m.symbol, sector: m.sector ?? undefined })),
      pairs: pairs.rows.map((p) => ({
        a: p.symbol_a, b: p.symbol_b, hedgeRatio: Number(p.hedge_ratio), pValue: Number(p.coint_p_value), correlation: Number(p.correlation),
        sameSector: p.same_sector ?? undefined, sector: p.sector ?? undefined,
      })),
    };
  }

  private async readUniverseVersion(db: Pick<Pool, 'query'> | PoolClient, id: number): Promise<UniverseVersionRef> {
    const { rows } = await db.query<{ as_of: string; history_from: string; bar_source: BarSource; status: UniverseVersionRef['status']; parameters: Record<string, unknown>; summary: Record<string, unknown>; symbols: string[] | null; batches: number }>(
      `SELECT to_char(v.as_of_date, 'YYYY-MM-DD') AS as_of, to_char(v.history_from, 'YYYY-MM-DD') AS history_from, v.bar_source, v.status, v.parameters, v.summary,
              (SELECT array_agg(s ORDER BY b.batch, n) FROM universe_refresh_batches b, unnest(b.symbols) WITH ORDINALITY AS u(s, n) WHERE b.universe_id = v.id) AS symbols,
              (SELECT count(*)::int FROM universe_refresh_batches b WHERE b.universe_id = v.id) AS batches
       FROM universe_versions v WHERE v.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) throw new Error(`no universe version ${id}`);
    return { id, asOf: r.as_of, historyFrom: r.history_from, barSource: r.bar_source, status: r.status, parameters: r.parameters, symbols: r.symbols ?? [], batches: r.batches, summary: r.summary };
  }

  /** Runs fn in one transaction on one connection. */
  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  }
}

/** Rows per multi-row insert of a universe's members and pairs (a few thousand pairs per statement). */
const UNIVERSE_ROWS_PER_INSERT = 5000;
