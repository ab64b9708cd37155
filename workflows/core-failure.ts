import * as wf from '@temporalio/workflow';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';

/** What a core workflow (TradingDay, Position) tells the Supervisor when it fails unhandled. */
export interface CoreWorkflowFailure {
  workflowId: string;
  runId: string;
  workflowType: string;
  error: string;
  at: string;
}

export const coreWorkflowFailedSignal = wf.defineSignal<[CoreWorkflowFailure]>('coreWorkflowFailed');

export const CORE_WORKFLOW_FAILURE = 'CoreWorkflowFailure';

/**
 * Runs a core workflow's body. An unhandled failure (a bug, or an activity that ran out of retries) is reported to the
 * Supervisor — the kill switch of DESIGN (killSwitch.haltOnCoreWorkflowFailure) and a system-error alert — and fails
 * the workflow: a bug would otherwise retry its workflow task forever while the position it manages goes unwatched.
 */
export async function asCoreWorkflow<T>(supervisorId: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (wf.isCancellation(e) || e instanceof wf.ContinueAsNew || !wf.patched('core-failure-to-supervisor')) throw e;
    const info = wf.workflowInfo();
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    try {
      await wf.getExternalWorkflowHandle(supervisorId).signal(coreWorkflowFailedSignal, {
        workflowId: info.workflowId, runId: info.runId, workflowType: info.workflowType, error, at: new Date().toISOString(),
      });
    } catch (s) {
      wf.log.error('the Supervisor was not told of this failure', { supervisorId, error: (s as Error).message });
    }
    throw e instanceof TemporalFailure ? e : ApplicationFailure.nonRetryable(error, CORE_WORKFLOW_FAILURE);
  }
}
