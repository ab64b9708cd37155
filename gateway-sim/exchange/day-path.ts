/**
 * One symbol's price path through one regular session: a piecewise-linear function of time built from bars.
 *
 * - A bar over [start, end] runs open → first extreme (1/3 of the bar) → second extreme (2/3) → close. The extremes
 *   are visited low first when close ≥ open (O→L→H→C) and high first otherwise (O→H→L→C): the shorter of the two
 *   walks, and either way the bar's high and low are really touched, so stops and limits see them.
 * - Minute bars make one such bar per minute; a minute missing from the file holds the previous price (no trade).
 *   A daily bar makes one bar over the whole session.
 * - A gap between bars (close → next open) is a jump: two vertices at the same instant. Prices are right-continuous:
 *   at a jump instant the later vertex (the new open) is the price.
 * - Cumulative volume is interpolated linearly inside each bar: volume is spread evenly over the minute (or session).
 */
export interface PathBuffer {
  t: Float64Array;
  p: Float64Array;
  n: number;
}

export interface BarValues {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export const newPathBuffer = (capacity = 16): PathBuffer => ({ t: new Float64Array(capacity), p: new Float64Array(capacity), n: 0 });

class PathBuilder {
  readonly t: number[] = [];
  readonly p: number[] = [];
  readonly v: number[] = [];
  private cum = 0;

  constructor(
    private readonly openAt: number,
    private readonly prevClose: number | undefined,
  ) {}

  bar(start: number, end: number, b: BarValues): void {
    const last = this.t.length - 1;
    if (last < 0 && start > this.openAt) this.push(this.openAt, this.prevClose ?? b.open);
    if (last >= 0 && this.t[last] < start) this.push(start, this.p[last]);
    this.push(start, b.open);
    const [x1, x2] = b.close >= b.open ? [b.low, b.high] : [b.high, b.low];
    const third = (end - start) / 3;
    const before = this.cum;
    this.push(start + third, x1, before + b.volume / 3);
    this.push(start + 2 * third, x2, before + (2 * b.volume) / 3);
    this.push(end, b.close, (this.cum = before + b.volume)); // exact at bar ends: sums of whole volumes
  }

  holdUntil(closeAt: number): void {
    const last = this.t.length - 1;
    if (last >= 0 && this.t[last] < closeAt) this.push(closeAt, this.p[last]);
  }

  private push(t: number, p: number, cum = this.cum): void {
    const last = this.t.length - 1;
    if (last >= 0 && this.t[last] === t && this.p[last] === p) return;
    this.t.push(t);
    this.p.push(p);
    this.v.push(cum);
  }
}

export class DayPath {
  private readonly t: Float64Array;
  private readonly p: Float64Array;
  private readonly v: Float64Array;
  private readonly runHigh: Float64Array;
  private readonly runLow: Float64Array;
  private readonly n: number;

  private constructor(
    readonly date: string,
    readonly openAt: number,
    readonly closeAt: number,
    /** Close of the previous bar of this symbol (undefined on its first day of data). */
    readonly prevClose: number | undefined,
    b: PathBuilder,
  ) {
    b.holdUntil(closeAt);
    this.n = b.t.length;
    this.t = Float64Array.from(b.t);
    this.p = Float64Array.from(b.p);
    this.v = Float64Array.from(b.v);
    this.runHigh = new Float64Array(this.n);
    this.runLow = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      this.runHigh[i] = i ? Math.max(this.runHigh[i - 1], this.p[i]) : this.p[i];
      this.runLow[i] = i ? Math.min(this.runLow[i - 1], this.p[i]) : this.p[i];
    }
  }

  /** Minute bars labelled by their end instant (`ends`), already scaled to the wanted price basis. */
  static fromMinutes(date: string, openAt: number, closeAt: number, prevClose: number | undefined, ends: readonly number[], bars: readonly BarValues[]): DayPath {
    const b = new PathBuilder(openAt, prevClose);
    for (let i = 0; i < bars.length; i++) {
      const end = ends[i];
      if (end > openAt && end - 60_000 < closeAt) b.bar(Math.max(end - 60_000, openAt), Math.min(end, closeAt), bars[i]);
    }
    return new DayPath(date, openAt, closeAt, prevClose, b);
  }

  static fromDaily(date: string, openAt: number, closeAt: number, prevClose: number | undefined, bar: BarValues): DayPath {
    const b = new PathBuilder(openAt, prevClose);
    b.bar(openAt, closeAt, bar);
    return new DayPath(date, openAt, closeAt, prevClose, b);
  }

  /** Price at t (right-continuous), clamped to the session. */
  priceAt(t: number): number {
    return this.interpolate(this.p, this.upper(t) - 1, t);
  }

  /** Left limit of the price at t: the price just before any jump at t. */
  priceBefore(t: number): number {
    const j = this.lower(t);
    if (j < this.n && this.t[j] === t) return this.p[j];
    return this.interpolate(this.p, j - 1, t);
  }

  /** Session volume traded up to t. */
  volumeAt(t: number): number {
    return this.interpolate(this.v, this.upper(t) - 1, t);
  }

  highAt(t: number): number {
    const i = this.upper(t) - 1;
    return i < 0 ? this.p[0] : Math.max(this.runHigh[i], this.priceAt(t));
  }

  lowAt(t: number): number {
    const i = this.upper(t) - 1;
    return i < 0 ? this.p[0] : Math.min(this.runLow[i], this.priceAt(t));
  }

  /** The path over [t0, t1]: the price at t0, every vertex in (t0, t1], and the price at t1. */
  points(t0: number, t1: number, out: PathBuffer): void {
    out.n = 0;
    push(out, t0, this.priceAt(t0));
    for (let k = this.upper(t0); k < this.n && this.t[k] <= t1; k++) push(out, this.t[k], this.p[k]);
    if (out.t[out.n - 1] < t1) push(out, t1, this.priceAt(t1));
  }

  /** A bar over [a, b): open at a, close just before b, extremes of the vertices strictly inside. */
  bar(a: number, b: number): BarValues {
    const open = this.priceAt(a);
    const close = this.priceBefore(b);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    for (let k = this.upper(a); k < this.n && this.t[k] < b; k++) {
      high = Math.max(high, this.p[k]);
      low = Math.min(low, this.p[k]);
    }
    return { open, high, low, close, volume: Math.floor(this.volumeAt(b)) - Math.floor(this.volumeAt(a)) };
  }

  private interpolate(values: Float64Array, i: number, t: number): number {
    if (i < 0) return values[0];
    if (i >= this.n - 1) return values[this.n - 1];
    const [ta, tb] = [this.t[i], this.t[i + 1]];
    return t <= ta ? values[i] : values[i] + ((values[i + 1] - values[i]) * (t - ta)) / (tb - ta);
  }

  /** Number of vertices at or before t. */
  private upper(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of vertices strictly before t. */
  private lower(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function push(out: PathBuffer, t: number, p: number): void {
  if (out.n === out.t.length) {
    const [ts, ps] = [new Float64Array(out.n * 2), new Float64Array(out.n * 2)];
    ts.set(out.t);
    ps.set(out.p);
    [out.t, out.p] = [ts, ps];
  }
  out.t[out.n] = t;
  out.p[out.n++] = p;
}
