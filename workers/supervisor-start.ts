import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { TraderConfig } from '../config';
import { alertActivityOptions } from '../alerts/activity-options';
import { SUPERVISOR_WORKFLOW_ID, supervisor, type WatchdogSettings } from '../workflows/supervisor';

export function watchdogSettings(config: TraderConfig): WatchdogSettings {
  const k = config.killSwitch;
  return { intervalSeconds: k.watchdogIntervalSeconds, positionsCloseTimeoutSeconds: k.positionsCloseTimeoutSeconds, alertActivity: alertActivityOptions(config.alerts) };
}

/** Starts the singleton Supervisor unless it is already running (safe to call from every process). */
export async function ensureSupervisor(client: Client, config: TraderConfig): Promise<string> {
  const handle = await client.workflow.start(supervisor, {
    workflowId: SUPERVISOR_WORKFLOW_ID,
    taskQueue: config.temporal.taskQueue,
    args: [{ watchdog: watchdogSettings(config) }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return handle.firstExecutionRunId;
}
