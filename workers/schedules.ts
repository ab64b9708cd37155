import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { marketHours, type TraderConfig } from '../config';
import { alertActivityOptions } from '../alerts/activity-options';
import type { PositionWatch } from '../workflows/position-types';
import { tradingDay, type TradingDayInput } from '../workflows/trading-day';
import { universeRefresh } from '../workflows/universe-refresh';

export const TRADING_DAY_SCHEDULE_ID = 'trading-day';
export const UNIVERSE_REFRESH_SCHEDULE_ID = 'universe-refresh';

/** The TradingDay input from config; marketSpeed > 1 only against the simulator's fast clock. */
export function tradingDayInput(config: TraderConfig, marketSpeed = 1, date?: string): TradingDayInput {
  const s = config.schedule;
  return {
    hours: marketHours(config),
    premarketMinutesBeforeOpen: s.premarketScreenMinutesBeforeOpen,
    ...(date ? { date } : {}),
    trading: {
      marketSpeed, intradayIntervalSeconds: s.intradayIntervalSeconds, volatilityUpdateMinutes: s.volatilityUpdateMinutes,
      reportActivity: alertActivityOptions(config.alerts), positionWatch: positionWatch(config, marketSpeed), positionTaskTimeoutSeconds: config.positions.workflowTaskTimeoutSeconds,
    },
  };
}

/** How Position workflows follow their orders (config.positions), in real time at the market's speed. */
export function positionWatch(config: TraderConfig, marketSpeed = 1): PositionWatch {
  const p = config.positions;
  return { exitCheckMs: (p.exitCheckSeconds * 1000) / marketSpeed, resyncMs: p.resyncSeconds * 1000, marketSpeed };
}

/** The schedules the system relies on, derived from config (exchange time zone, explicit catch-up, overlap SKIP). */
export function scheduleDefinitions(config: TraderConfig): ScheduleOptions[] {
  const s = config.schedule;
  const input = tradingDayInput(config);
  return [
    {
      scheduleId: TRADING_DAY_SCHEDULE_ID,
      spec: {
        // Weekdays only; the workflow itself skips NYSE holidays and closes early on half days.
        calendars: [{ dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: s.tradingDay.hour, minute: s.tradingDay.minute }],
        timezone: s.timezone,
      },
      action: { type: 'startWorkflow', workflowType: tradingDay, workflowId: 'trading-day', taskQueue: config.temporal.taskQueue, args: [input] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow },
    },
    {
      scheduleId: UNIVERSE_REFRESH_SCHEDULE_ID,
      // Weekly, after Friday's close; the run screens as of the last session closed.
      spec: { calendars: [{ dayOfWeek: s.universeRefresh.dayOfWeek, hour: s.universeRefresh.hour, minute: s.universeRefresh.minute }], timezone: s.timezone },
      action: { type: 'startWorkflow', workflowType: universeRefresh, workflowId: UNIVERSE_REFRESH_SCHEDULE_ID, taskQueue: config.temporal.taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow },
    },
  ];
}

/** Creates each schedule, or brings an existing one in line with the config: safe at every start. */
export async function ensureSchedules(client: Client, config: TraderConfig): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const def of scheduleDefinitions(config)) {
    try {
      await client.schedule.create(def);
      created.push(def.scheduleId);
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      await client.schedule.getHandle(def.scheduleId).update((prev) => ({ ...prev, spec: def.spec, action: def.action, policies: { ...prev.policies, ...def.policies } }));
      updated.push(def.scheduleId);
    }
  }
  return { created, updated };
}
