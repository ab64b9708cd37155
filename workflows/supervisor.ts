import * as wf from '@temporalio/workflow';
import type { SupervisorActivities } from '../activities/supervisor';
import {
  nextTradingState,
  type TradingState,
  type TradingStateChange,
  type TradingStateCommand,
} from '../trading/trading-state';
import { TradingState as TradingStateAttribute } from './search-attributes';

/** The Supervisor is a singleton: one id, started idempotently by every worker process. */
export const SUPERVISOR_WORKFLOW_ID = 'supervisor';
const RECENT_CHANGES_KEPT = 20;

export interface StateChangeRequest {
  reason?: string;
  /** Who asked: cli, web-ui, stop-file, kill-switch, ... */
  source?: string;
}

export interface SupervisorStatus {
  state: TradingState;
  since: string;
  reason: string;
  sequence: number;
  recentChanges: TradingStateChange[];
}

/** Signals are what the Web UI sends; updates are what the CLI uses, as they answer once recorded. */
export const haltSignal = wf.defineSignal<[StateChangeRequest]>('halt');
export const resumeSignal = wf.defineSignal<[StateChangeRequest]>('resume');
export const haltUpdate = wf.defineUpdate<SupervisorStatus, [StateChangeRequest]>('haltTrading');
export const resumeUpdate = wf.defineUpdate<SupervisorStatus, [StateChangeRequest]>('resumeTrading');
export const statusQuery = wf.defineQuery<SupervisorStatus>('status');

export interface SupervisorInput {
  /** State handed over by continue-as-new. */
  carried?: SupervisorStatus;
}

const { recordTradingStateChange, lastTradingStateChange } = wf.proxyActivities<SupervisorActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export async function supervisor(input: SupervisorInput = {}): Promise<void> {
  // Handlers are registered before the first await, so no early signal or update is dropped;
  // commands wait in the queue until the state is known.
  let status: SupervisorStatus | undefined = input.carried;
  const queue: TradingStateCommand[] = [];
  let enqueued = 0;
  let applied = 0;

  const command = (kind: 'halt' | 'resume', r: StateChangeRequest | undefined, via: string): TradingStateCommand => ({
    kind,
    reason: r?.reason?.trim() || (kind === 'halt' ? 'manual halt' : 'manual resume'),
    source: r?.source?.trim() || via,
  });
  const enqueue = (c: TradingStateCommand): number => {
    queue.push(c);
    return ++enqueued;
  };
  const untilApplied = async (ticket: number): Promise<SupervisorStatus> => {
    await wf.condition(() => applied >= ticket);
    return snapshot(status!);
  };

  wf.setHandler(haltSignal, (r) => void enqueue(command('halt', r, 'signal')));
  wf.setHandler(resumeSignal, (r) => void enqueue(command('resume', r, 'signal')));
  wf.setHandler(haltUpdate, (r) => untilApplied(enqueue(command('halt', r, 'update'))));
  wf.setHandler(resumeUpdate, (r) => untilApplied(enqueue(command('resume', r, 'update'))));
  wf.setHandler(statusQuery, () => {
    if (!status) throw new Error('the Supervisor is starting: its state is being restored, ask again in a moment');
    return snapshot(status);
  });

  status ??= await initialStatus();
  wf.upsertSearchAttributes([{ key: TradingStateAttribute, value: status.state }]);

  for (;;) {
    await wf.condition(() => queue.length > 0 || wf.workflowInfo().continueAsNewSuggested);
    while (queue.length > 0) {
      await apply(status, queue.shift()!);
      applied++;
    }
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      if (queue.length === 0) await wf.continueAsNew<typeof supervisor>({ carried: snapshot(status) });
    }
  }
}

/** A fresh run (first start, or after someone terminated it) resumes the last recorded state: a halt survives. */
async function initialStatus(): Promise<SupervisorStatus> {
  const last = await lastTradingStateChange();
  const now = new Date().toISOString();
  const status: SupervisorStatus = last
    ? { state: last.to, since: last.at, reason: last.reason, sequence: last.sequence, recentChanges: [last] }
    : { state: 'ACTIVE', since: now, reason: 'supervisor started', sequence: 0, recentChanges: [] };
  if (!last) {
    const first: TradingStateChange = { sequence: 1, from: null, to: 'ACTIVE', reason: 'supervisor started', source: 'supervisor', at: now };
    await recordTradingStateChange(first);
    status.sequence = 1;
    status.recentChanges.push(first);
  }
  return status;
}

/**
 * The state moves first, then the audit row is written: a halt takes effect even while
 * Postgres is unreachable (the activity keeps retrying until it is back).
 */
async function apply(status: SupervisorStatus, cmd: TradingStateCommand): Promise<void> {
  const to = nextTradingState(status.state, cmd);
  if (!to) return;
  const change: TradingStateChange = {
    sequence: status.sequence + 1,
    from: status.state,
    to,
    reason: cmd.reason,
    source: cmd.source,
    at: new Date().toISOString(),
  };
  status.state = to;
  status.since = change.at;
  status.reason = change.reason;
  status.sequence = change.sequence;
  status.recentChanges = [...status.recentChanges, change].slice(-RECENT_CHANGES_KEPT);
  wf.upsertSearchAttributes([{ key: TradingStateAttribute, value: to }]);
  wf.log.info('trading state changed', { from: change.from, to, reason: change.reason, source: change.source });
  await recordTradingStateChange(change);
}

function snapshot(s: SupervisorStatus): SupervisorStatus {
  return { ...s, recentChanges: [...s.recentChanges] };
}
