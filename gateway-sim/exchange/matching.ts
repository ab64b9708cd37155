/**
 * Order matching against one step of a price path (pure functions).
 *
 * - MKT fills at the first instant it is evaluated: the ask (buy) or bid (sell) of the price at that instant.
 * - LMT buy fills at the first instant the ask is at or below the limit, at min(limit, ask); sell symmetric with the
 *   bid. On a continuous move the fill is exactly at the limit; across a jump (gap) at the better post-gap quote.
 * - STP buy triggers at the first instant the LAST price is at or above the stop (sell: at or below) and then fills
 *   like a market order at that instant's ask/bid; across a gap that is the post-gap quote (slippage).
 * - STP LMT becomes a limit order at the trigger instant.
 */
import type { PathBuffer } from './day-path';
import type { OrderType } from './orders';
import type { Spread } from './prices';

export interface Matchable {
  /** +1 buy, −1 sell. */
  side: 1 | -1;
  orderType: OrderType;
  lmtPrice?: number;
  auxPrice?: number;
  triggered: boolean;
}

export interface Hit {
  time: number;
  /** Fill price; NaN when the hit only triggers a stop-limit. */
  price: number;
  fill: boolean;
  /** The stop has triggered (now or before). */
  triggered: boolean;
}

/** First instant ≥ from at which the path is at or above `level` (dir +1) or at or below it (dir −1). */
export function firstReach(path: PathBuffer, from: number, dir: 1 | -1, level: number): { time: number; price: number } | undefined {
  const { t, p, n } = path;
  let i = 0;
  while (i + 1 < n && t[i + 1] <= from) i++;
  let ta = Math.max(from, t[i]);
  let pa = i + 1 < n && ta > t[i] ? p[i] + ((p[i + 1] - p[i]) * (ta - t[i])) / (t[i + 1] - t[i]) : p[i];
  if (dir * (pa - level) >= 0) return { time: ta, price: pa };
  for (let j = i + 1; j < n; j++) {
    const [tb, pb] = [t[j], p[j]];
    if (dir * (pb - level) >= 0) return tb === ta ? { time: tb, price: pb } : { time: ta + ((level - pa) / (pb - pa)) * (tb - ta), price: level };
    [ta, pa] = [tb, pb];
  }
  return undefined;
}

/** A cheap necessary condition for findHit on a path whose prices lie within [low, high]. */
export function mayHit(o: Matchable, low: number, high: number, spread: Spread): boolean {
  if (!o.triggered && (o.orderType === 'STP' || o.orderType === 'STP LMT')) return o.side > 0 ? high >= o.auxPrice! : low <= o.auxPrice!;
  if (o.orderType === 'MKT' || o.orderType === 'STP') return true;
  return o.side > 0 ? low <= spread.lastForAskAtMost(o.lmtPrice!) : high >= spread.lastForBidAtLeast(o.lmtPrice!);
}

export function findHit(o: Matchable, path: PathBuffer, from: number, spread: Spread): Hit | undefined {
  let t = from;
  let triggered = o.triggered;
  if (!triggered && (o.orderType === 'STP' || o.orderType === 'STP LMT')) {
    const trigger = firstReach(path, t, o.side, o.auxPrice!);
    if (!trigger) return undefined;
    triggered = true;
    t = trigger.time;
    if (o.orderType === 'STP') return { time: t, price: marketPrice(o.side, trigger.price, spread), fill: true, triggered };
  }
  if (o.orderType === 'MKT' || o.orderType === 'STP') {
    const now = firstReach(path, t, 1, -Infinity)!;
    return { time: now.time, price: marketPrice(o.side, now.price, spread), fill: true, triggered };
  }
  const limit = o.lmtPrice!;
  const hit = o.side > 0 ? firstReach(path, t, -1, spread.lastForAskAtMost(limit)) : firstReach(path, t, 1, spread.lastForBidAtLeast(limit));
  if (!hit) return triggered !== o.triggered ? { time: t, price: NaN, fill: false, triggered } : undefined;
  const price = o.side > 0 ? Math.min(limit, spread.ask(hit.price)) : Math.max(limit, spread.bid(hit.price));
  return { time: hit.time, price, fill: true, triggered };
}

const marketPrice = (side: 1 | -1, last: number, spread: Spread): number => (side > 0 ? spread.ask(last) : spread.bid(last));
