import type { Pool } from 'pg';
import type { TradingState, TradingStateChange } from '../trading/trading-state';
import type { Store, SystemEvent } from './store';

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
}
