import * as wf from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/common';
import type { AuditActivities } from '../activities/audit';
import type { HealthReport, KillSwitchActivities } from '../activities/kill-switch';
import type { SupervisorActivities } from '../activities/supervisor';
import type { AlertActivities } from '../alerts/activities';
import type { Alert } from '../alerts/alerts';
import {
  nextTradingState,
  type TradingState,
  type TradingStateChange,
  type TradingStateCommand,
} from '../trading/trading-state';
import { raiseAlert } from './alerting';
import { coreWorkflowFailedSignal, type CoreWorkflowFailure } from './core-failure';
import { TradingState as TradingStateAttribute } from './search-attributes';

/** The Supervisor is a singleton: one id, started idempotently by every worker process. */
export const SUPERVISOR_WORKFLOW_ID = 'supervisor';
const RECENT_CHANGES_KEPT = 20;

export interface StateChangeRequest {
  reason?: string;
  /** Who asked: cli, web-ui, stop-file, kill-switch, ... */
  source?: string;
  /** With a halt: the kill-switch procedure (cancel all open orders, flatten every position, verify flat, alert). */
  flatten?: boolean;
}

export type KillSwitchStep = 'SIGNALLING_POSITIONS' | 'WAITING_FOR_POSITIONS' | 'CANCELLING_ORDERS' | 'FLATTENING_AT_BROKER' | 'VERIFYING_FLAT' | 'FLAT';

export interface KillSwitchStatus {
  id: string;
  reason: string;
  source: string;
  step: KillSwitchStep;
  startedAt: string;
  finishedAt?: string;
  /** Position workflows asked to flatten, and those still open when the broker-level flatten began. */
  positionsSignalled: string[];
  positionsLeftOpen: string[];
}

export interface SupervisorStatus {
  state: TradingState;
  since: string;
  reason: string;
  sequence: number;
  recentChanges: TradingStateChange[];
  killSwitch?: KillSwitchStatus;
  /** The watchdog's last health report. */
  health?: HealthReport & { at: string };
}

/** Signals are what the Web UI sends; updates are what the CLI uses, as they answer once recorded. */
export const haltSignal = wf.defineSignal<[StateChangeRequest]>('halt');
export const resumeSignal = wf.defineSignal<[StateChangeRequest]>('resume');
export const haltUpdate = wf.defineUpdate<SupervisorStatus, [StateChangeRequest]>('haltTrading');
export const resumeUpdate = wf.defineUpdate<SupervisorStatus, [StateChangeRequest]>('resumeTrading');
export const statusQuery = wf.defineQuery<SupervisorStatus>('status');
/** Every worker start sends the current watchdog settings (signal-with-start), so a config change reaches a running Supervisor. */
export const configureSignal = wf.defineSignal<[WatchdogSettings]>('configure');

export interface SupervisorInput {
  /** State handed over by continue-as-new. */
  carried?: SupervisorStatus;
  /** The connection watchdog and kill-switch settings (from config); without them the Supervisor only keeps the state. */
  watchdog?: WatchdogSettings;
}

export interface WatchdogSettings {
  intervalSeconds: number;
  positionsCloseTimeoutSeconds: number;
  /** An unhandled failure of a TradingDay or Position engages the kill switch (absent in settings from before: DESIGN's yes). */
  haltOnCoreWorkflowFailure?: boolean;
  /** How sendAlert is retried (alerts/activity-options.ts, from config.alerts.delivery). */
  alertActivity: ActivityOptions;
}

const { recordTradingStateChange, lastTradingStateChange } = wf.proxyActivities<SupervisorActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

const ks = wf.proxyActivities<KillSwitchActivities>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '15s' } });
const { recordSystemEvent } = wf.proxyActivities<AuditActivities>({ startToCloseTimeout: '30s' });

export async function supervisor(input: SupervisorInput = {}): Promise<void> {
  // Handlers are registered before the first await, so no early signal or update is dropped;
  // commands wait in the queue until the state is known.
  let status: SupervisorStatus | undefined = input.carried;
  const queue: Command[] = [];
  let enqueued = 0;
  let applied = 0;

  const command = (kind: 'halt' | 'resume', r: StateChangeRequest | undefined, via: string): Command => ({
    kind,
    reason: r?.reason?.trim() || (kind === 'halt' ? 'manual halt' : 'manual resume'),
    source: r?.source?.trim() || via,
    flatten: kind === 'halt' && r?.flatten === true,
  });
  const enqueue = (c: Command): number => {
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
  let watchdog = input.watchdog;
  let reconfigured = false;
  wf.setHandler(configureSignal, (settings) => {
    watchdog = settings;
    // Wakes a loop that was waiting without a watchdog beat; runs recorded before this change keep sleeping.
    reconfigured = wf.patched('supervisor-configure-wakes');
  });
  const failures: CoreWorkflowFailure[] = [];
  wf.setHandler(coreWorkflowFailedSignal, (f) => void failures.push(f));
  wf.setHandler(statusQuery, () => {
    if (!status) throw new Error('the Supervisor is starting: its state is being restored, ask again in a moment');
    return snapshot(status);
  });

  status ??= await initialStatus();
  wf.upsertSearchAttributes([{ key: TradingStateAttribute, value: status.state }]);

  for (;;) {
    const alerts = watchdog && wf.proxyActivities<AlertActivities>(watchdog.alertActivity);
    const wake = () => queue.length > 0 || failures.length > 0 || wf.workflowInfo().continueAsNewSuggested || reconfigured;
    if (!watchdog) await wf.condition(wake);
    else if (!(await wf.condition(wake, watchdog.intervalSeconds * 1000))) await watch(status, enqueue, alerts);
    reconfigured = false;
    while (failures.length > 0) await coreWorkflowFailed(status, failures.shift()!, watchdog, alerts, enqueue);
    while (queue.length > 0) {
      const cmd = queue.shift()!;
      await apply(status, cmd);
      // A halt answers once trading is HALTED: the flatten can take until the next open (orders wait for the market),
      // and its progress is in the status. Before this patch the update waited for the whole kill switch.
      const answerFirst = cmd.flatten && wf.patched('supervisor-halt-answers-before-flatten');
      if (answerFirst) applied++;
      if (cmd.flatten) await flattenEverything(status, cmd, watchdog, alerts);
      if (!answerFirst) applied++;
    }
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      if (queue.length === 0 && failures.length === 0) await wf.continueAsNew<typeof supervisor>({ carried: snapshot(status), watchdog });
    }
  }
}

type Command = TradingStateCommand & { flatten?: boolean };

/**
 * The connection watchdog: a short broker outage puts trading in REDUCING (no new entries; the adapter reconnects and
 * resyncs by itself) and its end restores ACTIVE; any kill-switch trigger (outage beyond the limit, daily drawdown or
 * loss, the STOP file) halts and flattens.
 */
async function watch(status: SupervisorStatus, enqueue: (c: Command) => number, alerts: AlertActivities | undefined): Promise<void> {
  const before = status.health;
  const report = await ks.healthCheck();
  const at = new Date().toISOString();
  status.health = { ...report, at };
  if (alerts && before) await raiseHealthAlerts(before, report, at, alerts);
  const [primary] = report.decision.reasons;
  if (primary && status.state !== 'HALTED') {
    enqueue({ kind: 'halt', reason: primary.message, source: `kill-switch:${primary.code}`, flatten: true });
  } else if (report.connection !== 'CONNECTED' && status.state === 'ACTIVE') {
    enqueue({ kind: 'reduce', reason: `broker ${report.connection.toLowerCase()} for ${Math.round(report.outageMs / 1000)}s`, source: 'watchdog' });
  } else if (report.connection === 'CONNECTED' && status.state === 'REDUCING') {
    enqueue({ kind: 'restore', reason: 'broker connection restored', source: 'watchdog' });
  }
}

/**
 * Broker connection lost / restored, and a drawdown approaching its limit: once when it starts, once when it ends.
 * Each daily P&L milestone (alerts.conditions.pnlMilestones) once as it is first reached.
 */
async function raiseHealthAlerts(before: HealthReport, now: HealthReport, at: string, alerts: AlertActivities): Promise<void> {
  const raise = (alert: Alert) => raiseAlert(alerts, alert);
  const wasUp = before.connection === 'CONNECTED';
  const isUp = now.connection === 'CONNECTED';
  if (wasUp !== isUp) {
    await raise({
      key: 'broker.connection', severity: 'warning', state: isUp ? 'resolved' : 'firing', at,
      title: isUp ? 'Broker connection restored' : 'Broker connection lost',
      body: isUp ? 'The IB API connection is back; open orders, executions and positions were resynced.' : `The IB API connection is ${now.connection.toLowerCase()}; trading is reduced to managing open positions while it reconnects.`,
      data: { connection: now.connection, outageSeconds: Math.round(now.outageMs / 1000) },
    });
  }
  if (Boolean(before.drawdownWarning) !== Boolean(now.drawdownWarning)) {
    await raise({
      key: 'drawdown.daily', severity: 'warning', state: now.drawdownWarning ? 'firing' : 'resolved', at,
      title: now.drawdownWarning ? 'Daily drawdown approaching its limit' : 'Daily drawdown back below the warning level',
      body: now.drawdownWarning ?? 'The daily drawdown and loss are back below the warning level.',
      data: { dailyPnl: now.dailyPnl ?? null, dailyDrawdown: now.drawdowns?.daily ?? null },
    });
  }
  // Weekly and monthly drawdowns: one key per level, so moving from warning to exceeded is heard (a firing key holds).
  for (const period of ['weekly', 'monthly'] as const) {
    const was = before.longDrawdowns?.find((d) => d.period === period);
    const is = now.longDrawdowns?.find((d) => d.period === period);
    if (was?.level === is?.level || !wf.patched('supervisor-long-drawdowns')) continue;
    const name = period === 'weekly' ? 'Weekly' : 'Monthly';
    const data = { period, drawdown: now.drawdowns?.[period] ?? null };
    if (was) {
      await raise({
        key: `drawdown.${period}.${was.level}`, severity: 'warning', state: 'resolved', at, data,
        title: `${name} drawdown ${is?.level === 'exceeded' ? 'now beyond its limit' : was.level === 'exceeded' ? 'back within its limit' : 'back below the warning level'}`,
        body: is?.message ?? `The ${period} drawdown is back ${was.level === 'exceeded' ? 'within its limit' : 'below the warning level'}.`,
      });
    }
    if (is) {
      await raise({
        key: `drawdown.${period}.${is.level}`, severity: is.level === 'exceeded' ? 'critical' : 'warning', state: 'firing', at, data,
        title: `${name} drawdown ${is.level === 'exceeded' ? 'beyond' : 'approaching'} its limit`, body: is.message,
      });
    }
  }
  const m = now.pnlMilestone;
  const b = before.pnlMilestone;
  const higher = m && !(b && b.date === m.date && b.direction === m.direction && b.levelPct >= m.levelPct);
  if (higher && wf.patched('supervisor-pnl-milestones')) {
    const pct = `${(m.levelPct * 100).toFixed(1)} %`;
    await raise({
      key: `pnl.milestone:${m.date}:${m.direction}:${m.levelPct}`, severity: m.direction === 'loss' ? 'warning' : 'info', at,
      title: m.direction === 'gain' ? `Daily P&L up ${pct}` : `Daily P&L down ${pct}`,
      body: `Today's P&L (${m.date}) is ${m.dailyPnl.toFixed(2)}, ${m.direction === 'gain' ? 'a gain' : 'a loss'} of at least ${pct} of the start-of-day equity.`,
      data: { date: m.date, dailyPnl: m.dailyPnl, levelPct: m.levelPct },
    });
  }
}

/** A TradingDay or Position failed unhandled: a system event, a critical alert, and (by default) the kill switch. */
async function coreWorkflowFailed(
  status: SupervisorStatus, f: CoreWorkflowFailure, w: WatchdogSettings | undefined, alerts: AlertActivities | undefined, enqueue: (c: Command) => number,
): Promise<void> {
  const halt = (w?.haltOnCoreWorkflowFailure ?? true) && status.state !== 'HALTED';
  const message = `${f.workflowType} ${f.workflowId} failed: ${f.error}`;
  await recordSystemEvent({ key: `core-failure:${f.runId}`, kind: 'system.core_workflow_failed', severity: 'critical', source: 'supervisor', message, details: { ...f, halt }, at: f.at });
  if (alerts) {
    await raiseAlert(alerts, {
      key: `system.error:${f.workflowId}`, severity: 'critical', at: f.at, title: `System error: ${f.workflowType} ${f.workflowId} failed`,
      body: `${message}. ${halt ? 'The kill switch is engaged: orders cancelled, positions flattened, trading HALTED until `trader resume`.' : 'Trading continues (killSwitch.haltOnCoreWorkflowFailure is off); check the workflow in the Web UI.'}`,
      data: { workflowId: f.workflowId, runId: f.runId, workflowType: f.workflowType, error: f.error },
    });
  }
  if (halt) enqueue({ kind: 'halt', reason: message, source: 'kill-switch:CORE_WORKFLOW_FAILURE', flatten: true });
}

/** halt → ask every position to flatten → wait → cancel all open orders → close leftovers at the broker → verify flat → alert. */
async function flattenEverything(status: SupervisorStatus, cmd: Command, w: WatchdogSettings | undefined, alerts: AlertActivities | undefined): Promise<void> {
  const id = `kill-switch-${status.sequence}-${wf.uuid4().slice(0, 8)}`; // distinct even when halting again while HALTED
  const k: KillSwitchStatus = { id, reason: cmd.reason, source: cmd.source, step: 'SIGNALLING_POSITIONS', startedAt: new Date().toISOString(), positionsSignalled: [], positionsLeftOpen: [] };
  status.killSwitch = k;
  const event = (kind: string, message: string) =>
    recordSystemEvent({ key: `${id}:${kind}`, kind: `kill_switch.${kind}`, severity: 'critical', source: 'supervisor', message, details: { ...k }, at: new Date().toISOString() });
  await event('engaged', `kill switch engaged: ${cmd.reason} (${cmd.source})`);
  k.positionsSignalled = await ks.signalPositionsToFlatten(`kill switch: ${cmd.reason}`);
  k.step = 'WAITING_FOR_POSITIONS';
  const timeoutMs = (w?.positionsCloseTimeoutSeconds ?? 120) * 1000;
  k.positionsLeftOpen = await wf.proxyActivities<KillSwitchActivities>({ startToCloseTimeout: timeoutMs + 60_000, heartbeatTimeout: '20s' }).awaitPositionsClosed(timeoutMs);
  k.step = 'CANCELLING_ORDERS';
  await ks.cancelAllOrders();
  k.step = 'FLATTENING_AT_BROKER';
  await ks.flattenAtBroker(id);
  k.step = 'VERIFYING_FLAT';
  await ks.verifyFlat();
  k.step = 'FLAT';
  k.finishedAt = new Date().toISOString();
  await event('flat', `kill switch: flat at the broker; trading HALTED until trader resume (${cmd.reason})`);
  await alerts?.sendAlert({
    key: 'kill-switch', severity: 'critical', state: 'firing', at: k.startedAt,
    title: 'Kill switch engaged: trading halted, positions flattened',
    body: `Reason: ${cmd.reason} (${cmd.source}). Every open order was cancelled and every position closed; the account is flat at the broker. Trading stays HALTED until \`trader resume\`.`,
    data: { reason: cmd.reason, source: cmd.source, positionsSignalled: k.positionsSignalled.length, positionsLeftOpen: k.positionsLeftOpen.length },
  });
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
async function apply(status: SupervisorStatus, cmd: Command): Promise<void> {
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
  return { ...s, recentChanges: [...s.recentChanges], killSwitch: s.killSwitch && { ...s.killSwitch } };
}
