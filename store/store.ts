import type { TradingStateChange } from '../trading/trading-state';

/** The audit-trail port. PgStore fulfils it against PostgreSQL. */
export interface Store {
  /** Idempotent on (workflowId, sequence): a retried activity writes the change once. */
  recordTradingStateChange(workflowId: string, change: TradingStateChange): Promise<void>;
  listTradingStateChanges(workflowId: string, limit?: number): Promise<TradingStateChange[]>;
}
