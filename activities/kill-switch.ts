import * as fs from 'node:fs';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BrokerPosition, ConnectionState } from '../broker/broker';
import { localDate } from '../trading/calendar';
import { pnlMilestone, type PnlMilestoneLevel } from '../trading/pnl-milestones';
import { killSwitchDecision, type Drawdowns, type KillSwitchDecision } from '../trading/risk';
import { flattenPositionSignal } from '../workflows/position';
import type { TradingDeps } from './deps';
import { accountDayPnl, liveDrawdowns } from './live-pnl';

/** What the Supervisor's watchdog sees on each round. */
export interface HealthReport {
  connection: ConnectionState;
  outageMs: number;
  /** Account figures, when the broker answered. */
  dailyPnl?: number;
  drawdowns?: Drawdowns;
  stopFilePresent: boolean;
  decision: KillSwitchDecision;
  /** The daily drawdown or loss has reached risk.drawdownWarningFraction of its limit (before the kill switch). */
  drawdownWarning?: string;
  /** The highest daily P&L milestone (alerts.conditions.pnlMilestones) reached now, on the market's date. */
  pnlMilestone?: PnlMilestone;
  /** The weekly and monthly drawdowns near (risk.drawdownWarningFraction) or beyond their limits (no new entries then). */
  longDrawdowns?: LongDrawdown[];
}

export interface LongDrawdown {
  period: 'weekly' | 'monthly';
  level: 'warning' | 'exceeded';
  message: string;
}

export interface PnlMilestone extends PnlMilestoneLevel {
  dailyPnl: number;
  /** The market's date (YYYY-MM-DD in schedule.timezone). */
  date: string;
}

/** At or past `fraction` of `limit`, the warning level; the tolerance because 0.8 × 5 % is 0.04000000000000001 in binary. */
function nearLimit(value: number, limit: number, fraction: number): boolean {
  return value >= fraction * limit * (1 - 1e-9);
}

/** Where the weekly and monthly drawdowns stand against their limits; only those near or beyond them. */
export function longDrawdownLevels(d: Drawdowns, risk: Pick<TradingDeps['config']['risk'], 'maxWeeklyDrawdownPct' | 'maxMonthlyDrawdownPct' | 'drawdownWarningFraction'>): LongDrawdown[] {
  const out: LongDrawdown[] = [];
  for (const [period, value, limit] of [['weekly', d.weekly, risk.maxWeeklyDrawdownPct], ['monthly', d.monthly, risk.maxMonthlyDrawdownPct]] as const) {
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    if (value > limit) out.push({ period, level: 'exceeded', message: `${period} drawdown ${pct(value)} beyond its ${pct(limit)} limit: no new positions until it recovers` });
    else if (nearLimit(value, limit, risk.drawdownWarningFraction)) out.push({ period, level: 'warning', message: `${period} drawdown ${pct(value)} approaching its ${pct(limit)} limit` });
  }
  return out;
}

/** Real milliseconds between two looks at the broker or at Postgres while waiting. */
const POLL_MS = 500;

/**
 * The kill switch's steps (halt → cancel all open orders → flatten every position → verify flat at the broker) and
 * the watchdog's health check. Each step is idempotent: a retried or replayed step finds its work already done.
 */
export function createKillSwitchActivities({ broker, store, config, clock, metrics }: TradingDeps) {
  return {
    /** Broker connection, today's P&L, drawdowns and milestone, the STOP file, and the kill-switch decision over them. */
    async healthCheck(): Promise<HealthReport> {
      const { state, outageMs } = broker.connectionStatus();
      let dailyPnl: number | undefined;
      let drawdowns: Drawdowns | undefined;
      let milestone: PnlMilestone | undefined;
      if (state === 'CONNECTED') {
        const a = await broker.accountSummary();
        const date = localDate(new Date(clock.now()), config.schedule.timezone);
        const day = accountDayPnl(a);
        dailyPnl = day.dailyPnl;
        drawdowns = await liveDrawdowns(store, a, date);
        const level = pnlMilestone(dailyPnl, day.startOfDay, config.alerts.conditions.pnlMilestones);
        milestone = level && { ...level, dailyPnl, date };
        metrics?.setEquity(a.netLiquidation);
        metrics?.setDailyPnl(dailyPnl);
      }
      metrics?.setBrokerConnected(state === 'CONNECTED');
      metrics?.setOpenPositions((await store.listPositions({ open: true })).length);
      const stopFilePresent = fs.existsSync(config.killSwitch.stopFile);
      const decision = killSwitchDecision(
        { drawdowns: drawdowns ?? { daily: 0, weekly: 0, monthly: 0 }, dailyPnl: dailyPnl ?? 0, brokerDisconnectedMinutes: outageMs / 60_000, stopFilePresent },
        config,
      );
      const { maxDailyDrawdownPct, maxDailyLoss, drawdownWarningFraction: f } = config.risk;
      const drawdownWarning =
        drawdowns && nearLimit(drawdowns.daily, maxDailyDrawdownPct, f) ? `daily drawdown ${(drawdowns.daily * 100).toFixed(2)} % of the ${(maxDailyDrawdownPct * 100).toFixed(2)} % limit`
        : dailyPnl !== undefined && nearLimit(-dailyPnl, maxDailyLoss, f) ? `today's loss ${(-dailyPnl).toFixed(2)} of the ${maxDailyLoss} limit`
        : undefined;
      const longDrawdowns = drawdowns && longDrawdownLevels(drawdowns, config.risk);
      return { connection: state, outageMs, dailyPnl, drawdowns, stopFilePresent, decision, drawdownWarning, pnlMilestone: milestone, longDrawdowns };
    },

    /** Asks every open Position workflow to flatten itself (they cancel their own orders and close at market). */
    async signalPositionsToFlatten(reason: string): Promise<string[]> {
      const client = Context.current().client;
      const open = await store.listPositions({ open: true });
      const signalled: string[] = [];
      for (const p of open) {
        try {
          await client.workflow.getHandle(p.workflowId).signal(flattenPositionSignal, { reason, source: 'kill-switch' });
          signalled.push(p.workflowId);
        } catch (e) {
          if (!(e instanceof WorkflowNotFoundError)) throw e; // a closed run: nothing to flatten there
        }
      }
      return signalled;
    },

    /** Waits (heartbeating) until no position is open in Postgres, or the timeout; returns those still open. */
    async awaitPositionsClosed(timeoutMs: number): Promise<string[]> {
      const ctx = Context.current();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const open = (await store.listPositions({ open: true })).map((p) => p.workflowId);
        if (open.length === 0 || Date.now() >= deadline) return open;
        ctx.heartbeat(open.length);
        await ctx.sleep(POLL_MS);
      }
    },

    async cancelAllOrders(): Promise<void> {
      await broker.cancelAllOrders();
    },

    /** Closes whatever the broker still holds with market orders; the orderRef carries the kill switch's id, so a retry never doubles one. */
    async flattenAtBroker(killSwitchId: string): Promise<BrokerPosition[]> {
      const held = (await broker.positions()).filter((p) => p.quantity !== 0);
      for (const p of held) {
        await broker.placeOrder({ orderRef: `${killSwitchId}:flatten-${p.symbol}`, symbol: p.symbol, action: p.quantity > 0 ? 'SELL' : 'BUY', quantity: Math.abs(p.quantity), type: 'MKT' });
      }
      return held;
    },

    /** Throws (so the activity retries) until the broker reports no position. */
    async verifyFlat(): Promise<void> {
      const held = (await broker.positions()).filter((p) => p.quantity !== 0);
      if (held.length > 0) throw new Error(`not flat yet: ${held.map((p) => `${p.symbol} ${p.quantity}`).join(', ')}`);
    },
  };
}

export type KillSwitchActivities = ReturnType<typeof createKillSwitchActivities>;
