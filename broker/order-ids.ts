import type { Pool } from 'pg';

/** Where the highest order id used per gateway and client id is kept, so ids are never reused. */
export interface OrderIdStore {
  highestUsed(): Promise<number>;
  /** Records id as used; ids only move up, so a late or repeated call never lowers the mark. */
  reserve(id: number): Promise<void>;
}

export class PgOrderIdStore implements OrderIdStore {
  constructor(
    private readonly pool: Pool,
    private readonly key: { host: string; port: number; clientId: number },
  ) {}

  async highestUsed(): Promise<number> {
    const { rows } = await this.pool.query<{ highest_used: number }>(
      'SELECT highest_used FROM broker_order_ids WHERE host = $1 AND port = $2 AND client_id = $3',
      [this.key.host, this.key.port, this.key.clientId],
    );
    return rows[0]?.highest_used ?? 0;
  }

  async reserve(id: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO broker_order_ids (host, port, client_id, highest_used) VALUES ($1, $2, $3, $4)
       ON CONFLICT (host, port, client_id) DO UPDATE SET highest_used = GREATEST(broker_order_ids.highest_used, EXCLUDED.highest_used), updated_at = now()`,
      [this.key.host, this.key.port, this.key.clientId, id],
    );
  }
}

/** The mark in memory: for one process that owns its client id alone (the simulator demo, benchmarks, tests). */
export class MemoryOrderIdStore implements OrderIdStore {
  private highest = 0;

  async highestUsed(): Promise<number> {
    return this.highest;
  }

  async reserve(id: number): Promise<void> {
    this.highest = Math.max(this.highest, id);
  }
}
