import type { Client } from '@temporalio/client';
import type { TraderConfig } from '../config';
import { alertActivityOptions } from '../alerts/activity-options';
import { configureSignal, SUPERVISOR_WORKFLOW_ID, supervisor, type WatchdogSettings } from '../workflows/supervisor';

export function watchdogSettings(config: TraderConfig): WatchdogSettings {
  const k = config.killSwitch;
  return {
    intervalSeconds: k.watchdogIntervalSeconds, positionsCloseTimeoutSeconds: k.positionsCloseTimeoutSeconds, haltOnCoreWorkflowFailure: k.haltOnCoreWorkflowFailure,
    alertActivity: alertActivityOptions(config.alerts),
  };
}

/**
 * Starts the singleton Supervisor unless it is already running, and hands it the current watchdog settings either way
 * (safe to call from every process).
 */
export async function ensureSupervisor(client: Client, config: TraderConfig): Promise<string> {
  const watchdog = watchdogSettings(config);
  const handle = await client.workflow.signalWithStart(supervisor, {
    workflowId: SUPERVISOR_WORKFLOW_ID,
    taskQueue: config.temporal.taskQueue,
    args: [{ watchdog }],
    signal: configureSignal,
    signalArgs: [watchdog],
  });
  return handle.signaledRunId;
}
