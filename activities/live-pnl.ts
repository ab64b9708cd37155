/** The account's live P&L as the watchdog and the risk gate read it: today's P&L and the drawdowns over the recorded closes. */
import type { AccountSummary } from '../broker/broker';
import type { Store } from '../store/store';
import { drawdownHistoryStart, drawdownsAsOf, type Drawdowns } from '../trading/risk';

/** Today's P&L as the broker reports it (realized + unrealized) and the equity it started the day from. */
export function accountDayPnl(a: AccountSummary): { dailyPnl: number; startOfDay: number } {
  const dailyPnl = a.realizedPnl + a.unrealizedPnl;
  return { dailyPnl, startOfDay: a.netLiquidation - dailyPnl };
}

/**
 * Peak-to-current drawdowns over the day, the ISO week and the calendar month of `date` (the market's date): the
 * account's closes in daily_pnl, then its net liquidation now.
 */
export async function liveDrawdowns(store: Pick<Store, 'equityHistory'>, account: AccountSummary, date: string): Promise<Drawdowns> {
  const closes = await store.equityHistory(account.account, drawdownHistoryStart(date), date);
  return drawdownsAsOf(closes, date, { startOfDay: accountDayPnl(account).startOfDay, equity: account.netLiquidation });
}
