/** IB's shapes for contracts, times and bar requests, to and from the Broker port's. */
import { SecType, type Contract } from '@stoqey/ib';
import { zonedTime } from '../../trading/calendar';

/** A US stock routed by IB's SMART router. */
export function stock(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
}

/** "yyyyMMdd" or "yyyyMMdd HH:mm:ss [tz]" (IB bar times) → YYYY-MM-DD or the time as given. */
export function barDate(time: string): string {
  return /^\d{8}$/.test(time) ? `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)}` : time;
}

/** A bar request's end (YYYY-MM-DD or an ISO instant) → IB's endDateTime; empty means now on the broker's clock. */
export function barEnd(end: string | undefined): string {
  return end ? `${end.replace(/-/g, '').slice(0, 8)} 23:59:59 US/Eastern` : '';
}

/** Bars of 30 seconds or less, the ones IB's hard pacing limits apply to. */
export function isSmallBar(barSize: string): boolean {
  return /secs?$/.test(barSize.trim());
}

/** An ISO instant → the execution filter's "yyyyMMdd-HH:mm:ss" (UTC, marked by the dash). */
export function executionFilterTime(since: string | undefined): string {
  return since ? new Date(since).toISOString().replace(/-/g, '').replace('T', '-').slice(0, 17) : '';
}

/** IB execution time "yyyyMMdd HH:mm:ss US/Eastern" → ISO-8601 (kept as given when it is another shape). */
export function ibTimeToIso(time: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})\s+(\d{2}):(\d{2}):(\d{2})/.exec(time);
  if (!m) return time;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(zonedTime(`${y}-${mo}-${d}`, `${h}:${mi}`, 'America/New_York').getTime() + Number(s) * 1000).toISOString();
}
