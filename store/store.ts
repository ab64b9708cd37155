import type { TradingStateChange } from '../trading/trading-state';

export type Severity = 'critical' | 'warning' | 'info';

export interface SystemEvent {
  /** Makes the write idempotent: derived from the workflow id and what happened. */
  key: string;
  kind: string;
  severity: Severity;
  source: string;
  message: string;
  details?: Record<string, unknown>;
  at: string;
}

/** The audit-trail port. PgStore fulfils it against PostgreSQL. */
export interface Store {
  /** Idempotent on (workflowId, sequence): a retried activity writes the change once. */
  recordTradingStateChange(workflowId: string, change: TradingStateChange): Promise<void>;
  listTradingStateChanges(workflowId: string, limit?: number): Promise<TradingStateChange[]>;
  /** Idempotent on key. */
  recordSystemEvent(event: SystemEvent): Promise<void>;
}
