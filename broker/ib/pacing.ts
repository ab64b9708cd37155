/**
 * IB's pacing rules for historical data (TWS API "Historical Data Limitations"), as a pure schedule: given what was
 * sent and when, the earliest instant the next request may go. Times are passed in; nothing here reads a clock.
 *
 * A request is a pacing violation (error 162) when it repeats an identical request within 15 s, when it is the sixth
 * for the same contract within 2 s, or, for bars of 30 seconds or less, when it is the 61st within 10 minutes (larger
 * bars are only throttled by IB, not refused). Requests are scheduled in the order asked, so each one goes no earlier
 * than the one before it, and after a violation reported by IB everything waits a pause.
 */
export interface PacingRules {
  identicalWithinMs: number;
  perContractMax: number;
  perContractWindowMs: number;
  smallBarsMax: number;
  smallBarsWindowMs: number;
  /** After IB reports a violation (another client on the same account may have caused it), nothing is sent for this long. */
  pauseAfterViolationMs: number;
}

export const IB_PACING: PacingRules = {
  identicalWithinMs: 15_000,
  perContractMax: 5,
  perContractWindowMs: 2_000,
  smallBarsMax: 60,
  smallBarsWindowMs: 600_000,
  pauseAfterViolationMs: 15_000,
};

export interface HistoricalRequestKey {
  /** Everything that makes two requests identical (contract, end, duration, bar size, what to show). */
  identity: string;
  contract: string;
  /** Bars of 30 seconds or less: the 10-minute cap applies. */
  smallBars: boolean;
}

export class HistoricalPacing {
  private readonly rules: PacingRules;
  private readonly lastIdentical = new Map<string, number>();
  private readonly byContract = new Map<string, number[]>();
  private readonly smallBars: number[] = [];
  private last = -Infinity;
  private pausedUntil = -Infinity;

  constructor(rules: Partial<PacingRules> = {}) {
    this.rules = { ...IB_PACING, ...rules };
  }

  /** Books the next slot for a request asked at `now` and returns when it may be sent (≥ now). */
  reserve(key: HistoricalRequestKey, now: number): number {
    const r = this.rules;
    const sent = this.byContract.get(key.contract) ?? [];
    let at = Math.max(now, this.last, this.pausedUntil, (this.lastIdentical.get(key.identity) ?? -Infinity) + r.identicalWithinMs);
    at = Math.max(at, nthLatest(sent, r.perContractMax) + r.perContractWindowMs);
    if (key.smallBars) at = Math.max(at, nthLatest(this.smallBars, r.smallBarsMax) + r.smallBarsWindowMs);
    this.last = at;
    this.lastIdentical.set(key.identity, at);
    this.byContract.set(key.contract, keepSince([...sent, at], at - r.perContractWindowMs));
    if (key.smallBars) this.smallBars.push(at);
    this.forget(at);
    return at;
  }

  /** IB answered with a pacing violation at `now`. */
  violated(now: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + this.rules.pauseAfterViolationMs);
  }

  /** Drops what can no longer constrain a request at or after `now`. */
  private forget(now: number): void {
    for (const [identity, at] of this.lastIdentical) if (at + this.rules.identicalWithinMs <= now) this.lastIdentical.delete(identity);
    const expired = this.smallBars.findIndex((t) => t + this.rules.smallBarsWindowMs > now);
    this.smallBars.splice(0, expired < 0 ? this.smallBars.length : expired);
  }
}

/** The n-th most recent of ascending times (−∞ when there are fewer than n). */
function nthLatest(times: readonly number[], n: number): number {
  return times.length >= n ? times[times.length - n]! : -Infinity;
}

function keepSince(times: number[], from: number): number[] {
  return times.filter((t) => t > from);
}
