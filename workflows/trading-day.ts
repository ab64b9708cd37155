import * as wf from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AlertActivities } from '../alerts/activities';
import type { Alert } from '../alerts/alerts';
import type { AuditActivities } from '../activities/audit';
import type { StrategyReviewActivities } from '../activities/strategy-review';
import type { ActivityOptions } from '@temporalio/common';
import type { ReportActivities, ReportOutcome } from '../activities/reports';
import type { CloseReconciliation, DaySummary, TradingDayActivities, WatchList } from '../activities/trading-day';
import { lastSessionOfWeek, localDate, nyseSession, type MarketHours, type Session } from '../trading/calendar';
import { position } from './position';
import type { PositionWatch } from './position-types';
import { raiseAlert } from './alerting';
import { asCoreWorkflow } from './core-failure';
import { TradingDate } from './search-attributes';
import { SUPERVISOR_WORKFLOW_ID } from './supervisor';

/**
 * One exchange day as a durable timeline: started each weekday by the `trading-day` schedule,
 * it checks the NYSE calendar (holidays skipped, half days closed early) and walks through
 * pre-market, open and close on durable timers, recording each phase. The trading work of each
 * phase hangs off these phases: the pre-market screen, the intraday loop that evaluates entry signals on live quotes and
 * starts one Position workflow per approved signal, the hourly volatility reading, and the end-of-day summary.
 * The timeline runs on the market's clock (the broker's), so against the simulator a whole day can pass in minutes.
 */
export interface TradingDayInput {
  hours: MarketHours;
  premarketMinutesBeforeOpen: number;
  /** YYYY-MM-DD; defaults to the exchange-local date when the run starts. */
  date?: string;
  /** The trading work; without it the day only walks its phases (the v1 behaviour kept for recorded histories). */
  trading?: TradingSettings;
  /**
   * Appended to the day's position ids: the demo replays one date on every start, each time on a fresh simulator
   * account, and its positions must not take the ids (and audit rows) of the previous run's.
   */
  positionIdSuffix?: string;
  /** Who hears of an unhandled failure (workflows/core-failure.ts), also for the day's positions; default: the singleton Supervisor. */
  supervisorId?: string;
  /** Handed over by continue-as-new during the intraday loop. */
  carried?: { watchList: WatchList; started: string[]; nextVolatilityAt: number };
}

export interface TradingSettings {
  /** Market seconds per real second: 1 with IB, the simulator's speed in the demo and tests. */
  marketSpeed: number;
  intradayIntervalSeconds: number;
  volatilityUpdateMinutes: number;
  /** How reports and alerts are sent (alerts/activity-options.ts, from config.alerts.delivery); positions get it too. */
  reportActivity?: ActivityOptions;
  /** Handed to each Position (from config.positions); absent in inputs from before it existed. */
  positionWatch?: PositionWatch;
  /** Each Position's workflow task timeout (config.positions.workflowTaskTimeoutSeconds); absent: Temporal's default. */
  positionTaskTimeoutSeconds?: number;
}

export type TradingDayPhase = 'STARTING' | 'MARKET_CLOSED' | 'WAITING_PREMARKET' | 'PREMARKET' | 'OPEN' | 'CLOSED';

export interface TradingDayStatus {
  date: string;
  phase: TradingDayPhase;
  session?: Session;
  watchList?: WatchList;
  positionsStarted?: string[];
  vix?: number;
  /** The session's executions checked against Postgres at the close, before the summary. */
  reconciliation?: CloseReconciliation;
  summary?: DaySummary;
  reports?: ReportOutcome[];
}

export const tradingDayStatusQuery = wf.defineQuery<TradingDayStatus>('tradingDayStatus');

const { recordSystemEvent } = wf.proxyActivities<AuditActivities>({ startToCloseTimeout: '30s' });
const review = wf.proxyActivities<StrategyReviewActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });
const dayOptions: ActivityOptions = { startToCloseTimeout: '5m', retry: { initialInterval: '1s', maximumInterval: '30s' } };
const day = wf.proxyActivities<TradingDayActivities>(dayOptions);
// Waits up to schedule.closeSettleSeconds (at most 4 minutes); the heartbeat hands it to another worker if this one dies.
const settle = wf.proxyActivities<TradingDayActivities>({ ...dayOptions, heartbeatTimeout: '15s' });

export async function tradingDay(input: TradingDayInput): Promise<TradingDayStatus> {
  return asCoreWorkflow(input.supervisorId ?? SUPERVISOR_WORKFLOW_ID, () => runTradingDay(input));
}

async function runTradingDay(input: TradingDayInput): Promise<TradingDayStatus> {
  const date = input.date ?? localDate(new Date(), input.hours.timezone);
  const status: TradingDayStatus = { date, phase: 'STARTING' };
  wf.setHandler(tradingDayStatusQuery, () => ({ ...status }));
  wf.upsertSearchAttributes([{ key: TradingDate, value: date }]);
  // v2 sleeps on the market's clock; histories recorded before it replay with wall-clock timers.
  const marketClock = wf.patched('trading-day-market-clock');
  const speed = input.trading?.marketSpeed ?? 1;
  const sleepUntil = (instant: number) => (marketClock ? sleepUntilMarket(instant, speed) : sleepUntilWall(instant));

  const session = nyseSession(date, input.hours);
  status.session = session;
  if (!session.open) {
    await enter(status, 'MARKET_CLOSED', `market closed on ${date}: ${session.reason}`);
    return status;
  }

  const openAt = Date.parse(session.openAt!);
  const closeAt = Date.parse(session.closeAt!);
  let watchList = input.carried?.watchList;
  if (!input.carried) {
    await enter(status, 'WAITING_PREMARKET', `session ${session.openAt} to ${session.closeAt}${session.earlyClose ? ' (early close)' : ''}`);
    await sleepUntil(openAt - input.premarketMinutesBeforeOpen * 60_000);
    await enter(status, 'PREMARKET', 'pre-market');
    if (input.trading) watchList = await day.premarketScreen(date);
    await sleepUntil(openAt);
    await enter(status, 'OPEN', 'market open');
  }
  status.phase = 'OPEN';
  if (input.trading && watchList) await intraday(input, input.trading, watchList, closeAt, status);
  else await sleepUntil(closeAt);
  if (input.trading) {
    if (wf.patched('trading-day-close-reconciliation')) status.reconciliation = await settle.reconcileExecutions(date);
    status.summary = await day.endOfDaySummary(date);
    status.reports = await sendReports(date, input.trading);
    if (wf.patched('trading-day-strategy-review')) await alertUnusualStrategies(date, input.trading);
  }
  await enter(status, 'CLOSED', status.summary ? `market closed: ${summaryText(status.summary)}` : 'market closed for the day');
  return status;
}

/** The daily summary, and on the week's last session the weekly report; a report that cannot be sent does not fail the day. */
async function sendReports(date: string, t: TradingSettings): Promise<ReportOutcome[]> {
  const reports = wf.proxyActivities<ReportActivities>(t.reportActivity ?? { startToCloseTimeout: '2m', retry: { maximumAttempts: 5 } });
  const sent: ReportOutcome[] = [];
  const attempt = async (send: () => Promise<ReportOutcome>, what: string) => {
    try {
      sent.push(await send());
    } catch (e) {
      wf.log.error(`${what} not sent`, { date, error: (e as Error).message });
    }
  };
  await attempt(() => reports.sendDailySummary(date), 'daily summary');
  if (lastSessionOfWeek(date)) await attempt(() => reports.sendWeeklyReport(date), 'weekly report');
  return sent;
}

/**
 * Until the close: entry signals every intradayIntervalSeconds (market time) for the watch list, one Position workflow
 * per approved signal (its id from strategy, symbols and date, so a repeated signal never opens a second one), and the
 * volatility reading every volatilityUpdateMinutes.
 */
async function intraday(input: TradingDayInput, t: TradingSettings, watchList: WatchList, closeAt: number, status: TradingDayStatus): Promise<void> {
  const started = [...(input.carried?.started ?? [])];
  let nextVolatilityAt = input.carried?.nextVolatilityAt ?? 0;
  status.watchList = watchList;
  status.positionsStarted = started;
  for (;;) {
    const now = await day.marketTime();
    if (now >= closeAt) return;
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.continueAsNew<typeof tradingDay>({ ...input, date: status.date, carried: { watchList, started, nextVolatilityAt } });
    }
    if (now >= nextVolatilityAt) {
      status.vix = (await day.volatilityUpdate(status.date)).vix;
      nextVolatilityAt = now + t.volatilityUpdateMinutes * 60_000;
    }
    const scan = await day.scanSignals(status.date, started, input.positionIdSuffix);
    if (scan.marketNow >= closeAt) return; // a scan that ran past the close opens nothing
    for (const plan of scan.plans) {
      try {
        await wf.startChild(position, {
          workflowId: plan.workflowId, args: [{ plan, hours: input.hours, alertActivity: t.reportActivity, watch: t.positionWatch, supervisorId: input.supervisorId }], parentClosePolicy: wf.ParentClosePolicy.ABANDON,
          ...(t.positionTaskTimeoutSeconds ? { workflowTaskTimeout: t.positionTaskTimeoutSeconds * 1000 } : {}),
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e; // started by an earlier run of this day
      }
      started.push(plan.workflowId);
    }
    await wf.sleep(Math.max((t.intradayIntervalSeconds * 1000) / t.marketSpeed, 200));
  }
}

/** One alert per strategy anomaly of the day (alerts.conditions.strategyPerformance); a failure does not fail the day. */
async function alertUnusualStrategies(date: string, t: TradingSettings): Promise<void> {
  const alerts = wf.proxyActivities<AlertActivities>(t.reportActivity ?? { startToCloseTimeout: '2m', retry: { maximumAttempts: 5 } });
  // Before this patch the first alert that could not be sent ended the review: the findings after it went unheard.
  const eachAlone = wf.patched('trading-day-review-alerts-each');
  try {
    for (const a of await review.reviewStrategyPerformance(date)) {
      const alert: Alert = {
        key: `strategy.performance:${date}:${a.strategy}:${a.code}`, severity: 'warning', at: new Date().toISOString(),
        title: `Unusual ${a.strategy} performance: ${a.code}`, body: a.message, data: { strategy: a.strategy, ...a.values },
      };
      await (eachAlone ? raiseAlert(alerts, alert) : alerts.sendAlert(alert));
    }
  } catch (e) {
    wf.log.error('strategy review not alerted', { date, error: (e as Error).message });
  }
}

function summaryText(s: DaySummary): string {
  return `${s.positionsOpened} opened, ${s.positionsClosed} closed (${s.wins} won, ${s.losses} lost), realised P&L ${s.realizedPnl.toFixed(2)}, ${s.openAtClose} open at the close`;
}

async function enter(status: TradingDayStatus, phase: TradingDayPhase, message: string): Promise<void> {
  status.phase = phase;
  await recordSystemEvent({
    key: `${wf.workflowInfo().workflowId}:${phase}`,
    kind: 'trading_day.phase',
    severity: 'info',
    source: 'tradingDay',
    message,
    details: { date: status.date, phase, session: status.session, watchList: status.watchList, summary: status.summary },
    at: new Date().toISOString(),
  });
}

/** A durable timer: a worker restart in between does not lose it. */
async function sleepUntilWall(instant: number): Promise<void> {
  const ms = instant - Date.now();
  if (ms > 0) await wf.sleep(ms);
}

/** Durable timers scaled to the market's clock, re-read after each one (the simulator's clock may drift or jump). */
async function sleepUntilMarket(instant: number, speed: number): Promise<void> {
  for (;;) {
    const now = await day.marketTime();
    if (now >= instant) return;
    await wf.sleep(Math.max((instant - now) / speed, 100));
  }
}
