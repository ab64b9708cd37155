import type { Pool } from 'pg';
import { alertId, type Alert, type Delivery } from './alerts';
import type { AlertDecision, AlertLogEntry } from './policy';

/** The alerts' audit trail in Postgres (migrations 001 and 003): decisions and deliveries. */
export class PgAlertLog {
  constructor(private readonly pool: Pool) {}

  /**
   * The decision for an alert, made once: a retried activity gets the decision of its first
   * attempt (earlier: true). Decisions are serialized under an advisory lock so that two workflows raising the
   * same condition at once send it once.
   */
  async decide(alert: Alert, dedupWindowMinutes: number, decide: (log: AlertLogEntry[]) => AlertDecision): Promise<AlertDecision & { earlier: boolean }> {
    const id = alertId(alert);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['trader_alert_decisions']);
      const prior = await client.query<AlertDecision>('SELECT send, reason FROM alert_decisions WHERE alert_id = $1', [id]);
      if (prior.rows[0]) {
        await client.query('COMMIT');
        return { ...prior.rows[0], earlier: true };
      }
      // What the policy reads: everything sent in the hour before, the last sent for this key,
      // and any sent for this key within the de-duplication window after it.
      const { rows } = await client.query<{ key: string; state: AlertLogEntry['state'] | null; at: Date }>(
        `SELECT dedup_key AS key, state, raised_at AS at FROM alert_decisions
          WHERE send AND raised_at < $1 AND raised_at > $1::timestamptz - interval '1 hour'
         UNION
         (SELECT dedup_key, state, raised_at FROM alert_decisions
           WHERE send AND dedup_key = $2 AND raised_at < $1 ORDER BY raised_at DESC LIMIT 1)
         UNION
         SELECT dedup_key, state, raised_at FROM alert_decisions
          WHERE send AND dedup_key = $2 AND raised_at >= $1 AND raised_at < $1::timestamptz + make_interval(mins => $3)`,
        [alert.at, alert.key, dedupWindowMinutes],
      );
      const decision = decide(rows.map((r) => ({ key: r.key, state: r.state ?? undefined, at: r.at.toISOString(), sent: true })));
      await client.query(
        `INSERT INTO alert_decisions (alert_id, dedup_key, severity, state, title, body, data, raised_at, send, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [id, alert.key, alert.severity, alert.state ?? null, alert.title, alert.body, alert.data ?? null, alert.at, decision.send, decision.reason],
      );
      await client.query('COMMIT');
      return { ...decision, earlier: false };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Idempotency keys of the deliveries of an alert that already went out. */
  async sentDeliveries(alert: Alert): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ idempotency_key: string }>("SELECT idempotency_key FROM alerts WHERE alert_id = $1 AND status = 'sent'", [alertId(alert)]);
    return new Set(rows.map((r) => r.idempotency_key));
  }

  /** Records an attempt of a delivery; a retried one updates its row and counts the attempt. */
  async recordDelivery(alert: Alert, delivery: Delivery, message: { subject: string; body: string }, outcome: { status: 'sent' | 'failed'; error?: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO alerts (idempotency_key, alert_id, dedup_key, severity, channel, recipient, subject, body, status, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (idempotency_key) DO UPDATE
         SET status = EXCLUDED.status, error = EXCLUDED.error, attempts = alerts.attempts + 1, updated_at = now()`,
      [deliveryKey(alert, delivery), alertId(alert), alert.key, alert.severity, delivery.channel, delivery.to.join(', '), message.subject, message.body, outcome.status, outcome.error ?? null],
    );
  }
}

export function deliveryKey(alert: Alert, delivery: Delivery): string {
  return `${alertId(alert)}|${delivery.channel}|${delivery.to.join(',')}`;
}
