/**
 * Simulated time: starts at a given instant and runs at `speed` × real time (1 = real time, 60 = a minute per
 * second). Speed 0 is a manual clock that only advance()/advanceTo() move, which tests use. advance() also works
 * on a running clock (it jumps forward). The real clock is injected; the default is monotonic (performance.now),
 * so simulated time never runs backwards.
 */
export interface SimClockOptions {
  /** Simulated start instant, epoch ms (e.g. SessionCalendar.openOnOrAfter(startDate)). */
  start: number;
  /** Simulated milliseconds per real millisecond; 0 (the default) = manual. */
  speed?: number;
  /** Real time in ms; injected by tests. */
  realNow?: () => number;
}

export class SimClock {
  private readonly realNow: () => number;
  private anchorSim: number;
  private anchorReal: number;
  private rate: number;

  constructor(options: SimClockOptions) {
    if (!Number.isFinite(options.start)) throw new RangeError(`clock start must be an epoch-ms number, got ${options.start}`);
    this.realNow = options.realNow ?? (() => performance.timeOrigin + performance.now());
    this.rate = checkSpeed(options.speed ?? 0);
    this.anchorSim = options.start;
    this.anchorReal = this.realNow();
  }

  /** Simulated epoch ms. */
  now(): number {
    return this.rate === 0 ? this.anchorSim : this.anchorSim + Math.floor((this.realNow() - this.anchorReal) * this.rate);
  }

  get speed(): number {
    return this.rate;
  }

  /** Changes the speed from now on; simulated time does not jump. */
  setSpeed(speed: number): void {
    this.rebase();
    this.rate = checkSpeed(speed);
  }

  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`the clock only moves forward: advance(${ms})`);
    this.rebase();
    this.anchorSim += ms;
  }

  advanceTo(instant: number): void {
    this.advance(instant - this.now());
  }

  private rebase(): void {
    this.anchorSim = this.now();
    this.anchorReal = this.realNow();
  }
}

function checkSpeed(speed: number): number {
  if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a finite number ≥ 0, got ${speed}`);
  return speed;
}
