import { activityInfo } from '@temporalio/activity';
import type { TraderMetrics } from '../observability/metrics';
import type { Store } from '../store/store';
import type { TradingStateChange } from '../trading/trading-state';

export function createSupervisorActivities({ store, metrics }: { store: Store; metrics?: TraderMetrics }) {
  return {
    /** Idempotent: retries write the change once, keyed by workflow id and sequence. */
    async recordTradingStateChange(change: TradingStateChange): Promise<void> {
      await store.recordTradingStateChange(callerWorkflowId(), change);
      metrics?.setTradingState(change.to);
    },

    async lastTradingStateChange(): Promise<TradingStateChange | undefined> {
      const [last] = await store.listTradingStateChanges(callerWorkflowId(), 1);
      return last;
    },
  };
}

export type SupervisorActivities = ReturnType<typeof createSupervisorActivities>;

function callerWorkflowId(): string {
  const id = activityInfo().workflowExecution?.workflowId;
  if (!id) throw new Error('the Supervisor activities must be called from a workflow');
  return id;
}
