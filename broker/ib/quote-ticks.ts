/**
 * A quote assembled from IB's tick messages of one market data request: tickPrice (bid 1, ask 2, last 4), tickSize
 * (bid size 0, ask size 3) and tickString 45 (the last trade's time, epoch seconds on the broker's clock, which may
 * run fast in the simulator). Until a tick 45 arrives the quote is stamped with the local time it was received.
 */
import type { Quote } from '../broker';

const TICK = { BID_SIZE: 0, BID: 1, ASK: 2, ASK_SIZE: 3, LAST: 4, LAST_TIMESTAMP: 45 } as const;

export class QuoteTicks {
  readonly quote: Quote;

  constructor(symbol: string, receivedAt: Date) {
    this.quote = { symbol, bid: NaN, ask: NaN, last: NaN, bidSize: 0, askSize: 0, time: receivedAt.toISOString() };
  }

  /** True when a price of the quote changed. */
  price(type: number, value: number): boolean {
    const q = this.quote;
    if (type === TICK.BID) q.bid = value;
    else if (type === TICK.ASK) q.ask = value;
    else if (type === TICK.LAST) q.last = value;
    else return false;
    return true;
  }

  size(type: number, value: number): void {
    if (type === TICK.BID_SIZE) this.quote.bidSize = value;
    else if (type === TICK.ASK_SIZE) this.quote.askSize = value;
  }

  text(type: number, value: string): void {
    const seconds = Number(value);
    if (type === TICK.LAST_TIMESTAMP && Number.isFinite(seconds) && seconds > 0) this.quote.time = new Date(seconds * 1000).toISOString();
  }
}
