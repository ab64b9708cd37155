import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { TraderConfig } from '../config';
import { SUPERVISOR_WORKFLOW_ID, supervisor } from '../workflows/supervisor';

/** Starts the singleton Supervisor unless it is already running (safe to call from every process). */
export async function ensureSupervisor(client: Client, config: TraderConfig): Promise<string> {
  const handle = await client.workflow.start(supervisor, {
    workflowId: SUPERVISOR_WORKFLOW_ID,
    taskQueue: config.temporal.taskQueue,
    args: [{}],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return handle.firstExecutionRunId;
}
