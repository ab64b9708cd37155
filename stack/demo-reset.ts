import type { Client } from '@temporalio/client';
import type { Store } from '../store/store';

/**
 * A fresh simulator means a fresh, flat account: the day and the positions of an earlier demo run (kept by the dev
 * server and Postgres) cannot go on against it — their orders are unknown there, and an exit would sell shares this
 * account never bought. They are terminated and recorded as CANCELLED before the worker starts.
 */
export async function retirePreviousDemo(
  client: Client, store: Store, o: { taskQueue: string; marketNow: number; log: (line: string) => void },
): Promise<{ terminated: number; abandoned: string[] }> {
  const reason = 'the demo simulator restarted with a fresh, flat account';
  let terminated = 0;
  for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running' AND TaskQueue = '${o.taskQueue}' AND (WorkflowType = 'position' OR WorkflowType = 'tradingDay')` })) {
    await client.workflow.getHandle(w.workflowId, w.runId).terminate(reason).then(() => terminated++, () => undefined); // ended meanwhile
  }
  const abandoned = await store.abandonOpenPositions(reason, new Date(o.marketNow).toISOString());
  if (terminated || abandoned.length) o.log(`previous demo retired (${reason}): ${terminated} workflows terminated, ${abandoned.length} open positions recorded as CANCELLED`);
  return { terminated, abandoned };
}
