import * as wf from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import { localDate, nyseSession, type MarketHours, type Session } from '../trading/calendar';
import { TradingDate } from './search-attributes';

/**
 * One exchange day as a durable timeline: started each weekday by the `trading-day` schedule,
 * it checks the NYSE calendar (holidays skipped, half days closed early) and walks through
 * pre-market, open and close on durable timers, recording each phase. The trading work of each
 * phase (screening, the intraday loop, the end-of-day report) hangs off these phases.
 */
export interface TradingDayInput {
  hours: MarketHours;
  premarketMinutesBeforeOpen: number;
  /** YYYY-MM-DD; defaults to the exchange-local date when the run starts. */
  date?: string;
}

export type TradingDayPhase = 'STARTING' | 'MARKET_CLOSED' | 'WAITING_PREMARKET' | 'PREMARKET' | 'OPEN' | 'CLOSED';

export interface TradingDayStatus {
  date: string;
  phase: TradingDayPhase;
  session?: Session;
}

export const tradingDayStatusQuery = wf.defineQuery<TradingDayStatus>('tradingDayStatus');

const { recordSystemEvent } = wf.proxyActivities<AuditActivities>({ startToCloseTimeout: '30s' });

export async function tradingDay(input: TradingDayInput): Promise<TradingDayStatus> {
  const date = input.date ?? localDate(new Date(), input.hours.timezone);
  const status: TradingDayStatus = { date, phase: 'STARTING' };
  wf.setHandler(tradingDayStatusQuery, () => ({ ...status }));
  wf.upsertSearchAttributes([{ key: TradingDate, value: date }]);

  const session = nyseSession(date, input.hours);
  status.session = session;
  if (!session.open) {
    await enter(status, 'MARKET_CLOSED', `market closed on ${date}: ${session.reason}`);
    return status;
  }

  const openAt = Date.parse(session.openAt!);
  await enter(status, 'WAITING_PREMARKET', `session ${session.openAt} to ${session.closeAt}${session.earlyClose ? ' (early close)' : ''}`);
  await sleepUntil(openAt - input.premarketMinutesBeforeOpen * 60_000);
  await enter(status, 'PREMARKET', 'pre-market');
  await sleepUntil(openAt);
  await enter(status, 'OPEN', 'market open');
  await sleepUntil(Date.parse(session.closeAt!));
  await enter(status, 'CLOSED', 'market closed for the day');
  return status;
}

async function enter(status: TradingDayStatus, phase: TradingDayPhase, message: string): Promise<void> {
  status.phase = phase;
  await recordSystemEvent({
    key: `${wf.workflowInfo().workflowId}:${phase}`,
    kind: 'trading_day.phase',
    severity: 'info',
    source: 'tradingDay',
    message,
    details: { date: status.date, phase, session: status.session },
    at: new Date().toISOString(),
  });
}

/** A durable timer: a worker restart in between does not lose it. */
async function sleepUntil(instant: number): Promise<void> {
  const ms = instant - Date.now();
  if (ms > 0) await wf.sleep(ms);
}
