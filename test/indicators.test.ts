import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADX, ATR, BollingerBands, EMA, RSI, SMA } from 'technicalindicators';
import { loadConfig } from '../config';
import { loadDailyBars } from '../market-data/files';
import {
  type Bar,
  type IndicatorSnapshot,
  type SnapshotParams,
  IndicatorStream,
  adx,
  atr,
  atrPct,
  averageVolume,
  bollinger,
  ema,
  indicatorSnapshot,
  last,
  rsi,
  sma,
  snapshotMinBars,
  volumeRatio,
} from '../trading/indicators';

/*
 * Reference data: Stock.Indicators by Dave Skender (https://github.com/DaveSkender/Stock.Indicators),
 * Apache License 2.0. test/fixtures/stock-indicators-default.csv is its "Default" quote set (SPY daily,
 * 2017-01-03 … 2018-12-31, 502 bars), copied byte for byte from
 * tests/simulate/_testdata/data/default.csv at commit 599715c0d45cbc41733440f38a6d5e7a08d0ebcb; its
 * indicator tests load the same quotes as "default.csv" through Data.GetDefault()
 * (tests/indicators/_testdata/TestData.Getter.cs), and every value they publish matches on this copy.
 * The expected values below are the ones its own tests assert on that data, cited per test; their
 * tolerance "Money4" is ±0.00005 (tests/Indicators/Base/TestBase.Precision.cs), which is exactly
 * jest's toBeCloseTo(x, 4): |Δ| < 0.5 × 10⁻⁴.
 */
const FIXTURE = path.join(__dirname, 'fixtures', 'stock-indicators-default.csv');

function loadBars(file: string): Bar[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  expect(header).toBe('date,open,high,low,close,volume');
  return lines.map((line) => {
    const [date, open, high, low, close, volume] = line.split(',');
    return { date: date!, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
  });
}

const bars = loadBars(FIXTURE);
const closes = bars.map((b) => b.close);
const volumes = bars.map((b) => b.volume);

const definedCount = (series: Float64Array): number => series.filter((v) => !Number.isNaN(v)).length;
const firstDefined = (series: Float64Array): number => series.findIndex((v) => !Number.isNaN(v));

/** A deterministic random walk (Park–Miller LCG) that starts flat and has a flat, zero-volume halt in the middle. */
function syntheticBars(n: number): Bar[] {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const out: Bar[] = [];
  let price = 50;
  for (let i = 0; i < n; i++) {
    const halted = i < 30 || (i >= 1000 && i < 1040);
    const open = price;
    if (!halted) price *= 1 + (rnd() - 0.5) * 0.05;
    const high = halted ? price : Math.max(open, price) * (1 + rnd() * 0.01);
    const low = halted ? price : Math.min(open, price) * (1 - rnd() * 0.01);
    const volume = halted ? 0 : Math.round(1e6 * (0.5 + rnd() * (rnd() < 0.05 ? 5 : 1)));
    out.push({ date: `d${i}`, open, high, low, close: price, volume });
  }
  return out;
}

describe('the fixture', () => {
  it('is the 502-bar Stock.Indicators default quote set', () => {
    expect(bars).toHaveLength(502);
    expect(bars[0]).toEqual({ date: '2017-01-03', open: 212.61, high: 213.35, low: 211.52, close: 212.8, volume: 96708880 });
    expect(bars[501]!.date).toBe('2018-12-31');
  });
});

describe('SMA', () => {
  // Stock.Indicators tests/indicators/s-z/Sma/Sma.StaticSeries.Tests.cs (ToSma(20), tolerance Money12 = ±5e-13).
  it('matches Stock.Indicators SMA(20) on closes', () => {
    const s = sma(closes, 20);
    expect(definedCount(s)).toBe(483);
    expect(s[18]).toBeNaN();
    expect(s[19]).toBeCloseTo(214.525, 12);
    expect(s[24]).toBeCloseTo(215.031, 12);
    expect(s[149]).toBeCloseTo(234.935, 12);
    expect(s[249]).toBeCloseTo(255.55, 12);
    expect(s[501]).toBeCloseTo(251.86, 12);
  });
});

describe('EMA', () => {
  // Stock.Indicators tests/indicators/e-k/Ema/Ema.StaticSeries.Tests.cs (ToEma(20), Money4).
  it('matches Stock.Indicators EMA(20)', () => {
    const e = ema(closes, 20);
    expect(definedCount(e)).toBe(483);
    expect(firstDefined(e)).toBe(19);
    expect(e[29]).toBeCloseTo(216.6228, 4);
    expect(e[249]).toBeCloseTo(255.3873, 4);
    expect(e[501]).toBeCloseTo(249.3519, 4);
  });

  it('handles a zero seed (technicalindicators 3.1.0 applies the seed bar twice there)', () => {
    // By hand, k = 2/(3+1) = 0.5: seed mean(−1, 0, 1) = 0, then 0 + 0.5·(1 − 0) = 0.5, 0.5 + 0.5·(2 − 0.5) = 1.25.
    expect(Array.from(ema([-1, 0, 1, 1, 2], 3))).toEqual([NaN, NaN, 0, 0.5, 1.25]);
  });
});

describe('Bollinger Bands', () => {
  // Stock.Indicators tests/indicators/a-d/BollingerBands/BollingerBands.Tests.cs (GetBollingerBands(20, 2)):
  // bands to 4 decimals, width to 6 decimals.
  it('matches Stock.Indicators BB(20, 2) — population standard deviation', () => {
    const b = bollinger(closes, 20, 2);
    expect(definedCount(b.middle)).toBe(483);
    expect(definedCount(b.width)).toBe(483);
    expect(b.upper[18]).toBeNaN();

    expect(b.middle[249]).toBeCloseTo(255.55, 4);
    expect(b.upper[249]).toBeCloseTo(259.5642, 4);
    expect(b.lower[249]).toBeCloseTo(251.5358, 4);
    expect(b.width[249]).toBeCloseTo(0.031416, 6);

    expect(b.middle[501]).toBeCloseTo(251.86, 4);
    expect(b.upper[501]).toBeCloseTo(273.7004, 4);
    expect(b.lower[501]).toBeCloseTo(230.0196, 4);
    expect(b.width[501]).toBeCloseTo(0.173433, 6);
  });

  it('matches the full-precision first value of Stock.Indicators bb.standard.json', () => {
    // tests/indicators/_testdata/results/bb.standard.json, 2017-01-31 (index 19), at commit 896ae089.
    const b = bollinger(closes);
    expect(b.middle[19]).toBeCloseTo(214.52499999999995, 9);
    expect(b.upper[19]).toBeCloseTo(216.58874901574774, 9);
    expect(b.lower[19]).toBeCloseTo(212.46125098425216, 9);
    expect(b.width[19]).toBeCloseTo(0.01924017262088604, 12);
  });

  it('keeps its alignment when the mean is exactly 0 (technicalindicators 3.1.0 drops that bar)', () => {
    // By hand: window (−1, 0, 1), mean 0, population σ = √(2/3); width = 4σ/0 = ±Infinity is IEEE-correct.
    const b = bollinger([-1, 0, 1, 1], 3, 2);
    expect(b.middle[2]).toBe(0);
    expect(b.upper[2]).toBeCloseTo(2 * Math.sqrt(2 / 3), 12);
    expect(b.middle[3]).toBeCloseTo(2 / 3, 12);
  });

  it('has zero width on a flat series', () => {
    const b = bollinger([5, 5, 5, 5], 3, 2);
    expect(Array.from(b.width.subarray(2))).toEqual([0, 0]);
  });
});

describe('RSI', () => {
  // Stock.Indicators tests/indicators/m-r/Rsi/Rsi.StaticSeries.Tests.cs (ToRsi(), period 14, Money4).
  // technicalindicators 3.1.0 returns 62.05 / 70.94 / 42.08 here (rounded to 2 decimals).
  it('matches Stock.Indicators RSI(14), Wilder smoothing seeded with simple averages', () => {
    const r = rsi(closes, 14);
    expect(definedCount(r)).toBe(488);
    expect(r[13]).toBeNaN();
    expect(r[14]).toBeCloseTo(62.0541, 4);
    expect(r[249]).toBeCloseTo(70.9368, 4);
    expect(r[501]).toBeCloseTo(42.0773, 4);
  });

  it('reads 100 on gains only, 0 on losses only and 50 on no movement', () => {
    expect(last(rsi([1, 2, 3, 4, 5], 3))).toBe(100);
    expect(last(rsi([5, 4, 3, 2, 1], 3))).toBe(0);
    expect(last(rsi([7, 7, 7, 7, 7], 3))).toBe(50);
  });
});

describe('ATR', () => {
  // Stock.Indicators tests/indicators/a-d/Atr/Atr.StaticSeries.Tests.cs (ToAtr(), period 14, Money4).
  // Atrp there is a percentage; atrPct here is a fraction.
  it('matches Stock.Indicators ATR(14) and ATR%', () => {
    const a = atr(bars, 14);
    const p = atrPct(bars, 14);
    expect(definedCount(a)).toBe(488);
    expect(a[13]).toBeNaN();
    expect(p[13]).toBeNaN();
    const expected: [number, number, number][] = [
      [14, 1.3364, 0.6215],
      [24, 1.3034, 0.6026],
      [249, 1.3381, 0.5187],
      [501, 6.1497, 2.5072],
    ];
    for (const [i, value, pct] of expected) {
      expect(a[i]).toBeCloseTo(value, 4);
      expect(p[i]! * 100).toBeCloseTo(pct, 4);
    }
  });
});

describe('ADX', () => {
  // Stock.Indicators tests/indicators/a-d/Adx/Adx.StaticSeries.Tests.cs (ToAdx(), period 14, rounded to 4 places).
  it('matches Stock.Indicators ADX(14), +DI and −DI', () => {
    const d = adx(bars, 14);
    expect(definedCount(d.adx)).toBe(475);
    expect(d.pdi[13]).toBeNaN();
    expect(d.mdi[13]).toBeNaN();
    expect(d.pdi[14]).toBeCloseTo(21.9669, 4);
    expect(d.mdi[14]).toBeCloseTo(18.5462, 4);
    expect(d.pdi[19]).toBeCloseTo(21.0361, 4);
    expect(d.mdi[19]).toBeCloseTo(25.0124, 4);
    expect(d.adx[19]).toBeNaN();
    expect(d.adx[26]).toBeNaN();
    expect(d.adx[27]).toBeCloseTo(15.9459, 4);
    expect(d.pdi[29]).toBeCloseTo(37.9719, 4);
    expect(d.mdi[29]).toBeCloseTo(14.1658, 4);
    expect(d.adx[29]).toBeCloseTo(19.7949, 4);
    expect(d.pdi[248]).toBeCloseTo(32.3167, 4);
    expect(d.mdi[248]).toBeCloseTo(18.2471, 4);
    expect(d.adx[248]).toBeCloseTo(30.5903, 4);
    expect(d.pdi[501]).toBeCloseTo(17.7565, 4);
    expect(d.mdi[501]).toBeCloseTo(31.151, 4);
    expect(d.adx[501]).toBeCloseTo(34.2987, 4);
  });

  it('is 0, not NaN, when the first bars have no range, and stays finite afterwards', () => {
    // technicalindicators 3.1.0 returns NaN for good here (0/0 in the seed window).
    const synthetic = syntheticBars(1200);
    const d = adx(synthetic, 14);
    expect([d.pdi[14], d.mdi[14], d.adx[27]]).toEqual([0, 0, 0]);
    expect(Array.from(d.adx.subarray(27)).every(Number.isFinite)).toBe(true);
    expect(d.adx[1199]).toBeGreaterThan(0);
  });

  it('freezes +DI and −DI through a mid-series halt (Wilder sums decay in proportion)', () => {
    const d = adx(syntheticBars(1200), 14);
    expect(d.pdi[1039]).toBeCloseTo(d.pdi[999]!, 10);
    expect(d.mdi[1039]).toBeCloseTo(d.mdi[999]!, 10);
    expect(d.pdi[1060]).not.toBeCloseTo(d.pdi[999]!, 10);
  });
});

describe('volume', () => {
  // Stock.Indicators tests/indicators/s-z/Sma/Sma.StaticSeries.Tests.cs, CandlePartVolume (SMA(20) of volume, exact).
  it('averageVolume matches Stock.Indicators SMA(20) of volume', () => {
    const v = averageVolume(volumes, 20);
    expect(v[18]).toBeNaN();
    expect(v[24]).toBeCloseTo(77293768.2, 6);
    expect(v[290]).toBeCloseTo(157958070.8, 6);
    expect(v[501]).toBeCloseTo(163695200, 6);
  });

  it('volumeRatio divides by the average of the previous `period` bars, not including the current one', () => {
    // By hand: the 4 volumes before the spike average 10, so 30 is 3×; including it would give 30/15 = 2×.
    const r = volumeRatio([10, 10, 10, 10, 30], 4);
    expect(Array.from(r.subarray(0, 4)).every(Number.isNaN)).toBe(true);
    expect(r[4]).toBe(3);

    const ratio = volumeRatio(volumes, 20);
    const avg = averageVolume(volumes, 20);
    expect(firstDefined(ratio)).toBe(20);
    for (let i = 20; i < volumes.length; i++) expect(ratio[i]).toBe(volumes[i]! / avg[i - 1]!);
  });
});

describe('alignment', () => {
  it('keeps out[i] on bar i with NaN exactly until each indicator is defined', () => {
    const p = 5;
    const cases: [string, Float64Array, number][] = [
      ['sma', sma(closes, p), p - 1],
      ['ema', ema(closes, p), p - 1],
      ['bollinger', bollinger(closes, p).upper, p - 1],
      ['averageVolume', averageVolume(volumes, p), p - 1],
      ['rsi', rsi(closes, p), p],
      ['atr', atr(bars, p), p],
      ['atrPct', atrPct(bars, p), p],
      ['volumeRatio', volumeRatio(volumes, p), p],
      ['adx.pdi', adx(bars, p).pdi, p],
      ['adx.adx', adx(bars, p).adx, 2 * p - 1],
    ];
    for (const [name, series, first] of cases) {
      expect([name, series.length]).toEqual([name, bars.length]);
      expect([name, firstDefined(series)]).toEqual([name, first]);
      expect([name, Array.from(series.subarray(first)).every(Number.isFinite)]).toEqual([name, true]);
    }
  });

  it('computes each window from its own bar: SMA(3) by hand', () => {
    expect(Array.from(sma([1, 2, 3, 4, 5], 3))).toEqual([NaN, NaN, 2, 3, 4]);
  });

  it('accepts typed arrays', () => {
    expect(Array.from(sma(Float64Array.of(1, 2, 3, 4, 5), 3))).toEqual([NaN, NaN, 2, 3, 4]);
  });

  it('last() is the final element, NaN for an empty series', () => {
    expect(last(sma(closes, 20))).toBe(sma(closes, 20)[501]);
    expect(last([])).toBeNaN();
  });
});

const PARAMS: SnapshotParams = { bb: [20, 2], rsi: 14, atr: 14, adx: 14, volume: 20 };

/** The batch functions, read at index i: what a snapshot at bar i must equal. */
function batchAt(series: Bar[], params: SnapshotParams): (i: number) => IndicatorSnapshot {
  const c = series.map((b) => b.close);
  const v = series.map((b) => b.volume);
  const s = sma(c, params.sma ?? params.bb[0]);
  const b = bollinger(c, params.bb[0], params.bb[1]);
  const r = rsi(c, params.rsi);
  const a = atr(series, params.atr);
  const ap = atrPct(series, params.atr);
  const d = adx(series, params.adx);
  const av = averageVolume(v, params.volume);
  const vr = volumeRatio(v, params.volume);
  return (i) => ({
    sma: s[i]!,
    bbUpper: b.upper[i]!,
    bbMiddle: b.middle[i]!,
    bbLower: b.lower[i]!,
    bbWidth: b.width[i]!,
    rsi: r[i]!,
    atr: a[i]!,
    atrPct: ap[i]!,
    adx: d.adx[i]!,
    avgVolume: i > 0 ? av[i - 1]! : NaN,
    volumeRatio: vr[i]!,
  });
}

describe('indicatorSnapshot', () => {
  it('holds the batch values at the last bar, which match the references', () => {
    const snap = indicatorSnapshot(bars, PARAMS);
    expect(snap).toEqual(batchAt(bars, PARAMS)(501));
    // Reference values at index 501, cited in the tests above.
    expect(snap.sma).toBeCloseTo(251.86, 4);
    expect(snap.bbMiddle).toBe(snap.sma);
    expect(snap.bbUpper).toBeCloseTo(273.7004, 4);
    expect(snap.bbLower).toBeCloseTo(230.0196, 4);
    expect(snap.bbWidth).toBeCloseTo(0.173433, 6);
    expect(snap.rsi).toBeCloseTo(42.0773, 4);
    expect(snap.atr).toBeCloseTo(6.1497, 4);
    expect(snap.atrPct * 100).toBeCloseTo(2.5072, 4);
    expect(snap.adx).toBeCloseTo(34.2987, 4);
    expect(snap.volumeRatio).toBe(bars[501]!.volume / snap.avgVolume);
  });

  it('uses its own SMA period when given one', () => {
    const snap = indicatorSnapshot(bars, { ...PARAMS, sma: 50 });
    expect(snap.sma).toBe(last(sma(closes, 50)));
    expect(snap.bbMiddle).toBe(last(sma(closes, 20)));
  });

  it('needs enough bars for every field', () => {
    expect(snapshotMinBars(PARAMS)).toBe(28); // ADX(14): 2 × 14
    expect(snapshotMinBars({ ...PARAMS, sma: 200 })).toBe(200);
    const snap = indicatorSnapshot(bars.slice(0, 28), PARAMS);
    expect(Object.values(snap).every(Number.isFinite)).toBe(true);
    expect(() => indicatorSnapshot(bars.slice(0, 27), PARAMS)).toThrow('indicatorSnapshot: needs at least 28 bars for these periods (snapshotMinBars), got 27');
  });
});

describe('IndicatorStream', () => {
  function expectStreamEqualsBatch(series: Bar[], params: SnapshotParams): void {
    const at = batchAt(series, params);
    const stream = new IndicatorStream(params);
    for (let i = 0; i < series.length; i++) {
      const got = stream.next(series[i]!);
      const want = at(i);
      // Object.is per field: bit-identical numbers, and NaN where the batch series has NaN.
      for (const key of Object.keys(want) as (keyof IndicatorSnapshot)[]) {
        if (!Object.is(got[key], want[key])) throw new Error(`bar ${i} ${key}: stream ${got[key]} ≠ batch ${want[key]}`);
      }
    }
    expect(stream.count).toBe(series.length);
  }

  it('gives exactly the batch values at every bar of the reference data', () => {
    expectStreamEqualsBatch(bars, PARAMS);
  });

  it('gives exactly the batch values over 5,000 synthetic bars with a halt, other periods', () => {
    expectStreamEqualsBatch(syntheticBars(5000), { bb: [10, 1.5], rsi: 2, atr: 20, adx: 7, volume: 50, sma: 200 });
  });

  it('returns NaN during warm-up', () => {
    const snap = new IndicatorStream(PARAMS).next(bars[0]!);
    expect(Object.values(snap).every(Number.isNaN)).toBe(true);
  });

  it('rejects a bar with a non-finite field, naming it', () => {
    const stream = new IndicatorStream(PARAMS);
    stream.next(bars[0]!);
    expect(() => stream.next({ ...bars[1]!, low: NaN })).toThrow('IndicatorStream: bar 1 (2017-01-04) low is NaN; expected a finite number');
  });
});

describe('validation', () => {
  it('rejects periods below 1 or not integers', () => {
    expect(() => sma(closes, 0)).toThrow('sma: period must be an integer ≥ 1, got 0');
    expect(() => ema(closes, -3)).toThrow('ema: period must be an integer ≥ 1');
    expect(() => rsi(closes, 2.5)).toThrow('rsi: period must be an integer ≥ 1, got 2.5');
    expect(() => atr(bars, NaN)).toThrow('atr: period must be an integer ≥ 1, got NaN');
    expect(() => adx(bars, 0)).toThrow('adx: period must be an integer ≥ 1');
    expect(() => averageVolume(volumes, 0)).toThrow('averageVolume: period must be an integer ≥ 1');
    expect(() => bollinger(closes, 20, 0)).toThrow('bollinger: stdDev must be a finite number > 0, got 0');
    expect(() => new IndicatorStream({ ...PARAMS, adx: 0 })).toThrow('IndicatorStream: adx period must be an integer ≥ 1, got 0');
    expect(() => indicatorSnapshot(bars, { ...PARAMS, bb: [20, -1] })).toThrow('indicatorSnapshot: bb stdDev must be a finite number > 0');
  });

  it('rejects too few values for the period', () => {
    expect(() => sma([1, 2], 3)).toThrow('sma: needs at least 3 values for period 3, got 2');
    expect(() => rsi(closes.slice(0, 14), 14)).toThrow('rsi: needs at least 15 values for period 14, got 14');
    expect(() => atr(bars.slice(0, 14), 14)).toThrow('atr: needs at least 15 bars for period 14, got 14');
    expect(() => adx(bars.slice(0, 27), 14)).toThrow('adx: needs at least 28 bars for period 14, got 27');
    expect(() => volumeRatio(volumes.slice(0, 20), 20)).toThrow('volumeRatio: needs at least 21 values');
    expect(() => bollinger([], 20)).toThrow('bollinger: needs at least 20 values');
  });

  it('rejects NaN and infinite values, naming the index', () => {
    expect(() => sma([1, NaN, 3], 2)).toThrow('sma: values[1] is NaN; expected a finite number');
    expect(() => rsi([1, 2, Infinity, 4], 2)).toThrow('rsi: closes[2] is Infinity');
    expect(() => volumeRatio([1, 2, -Infinity], 2)).toThrow('volumeRatio: volumes[2] is -Infinity');
    const bad = bars.slice(0, 30).map((b, i) => (i === 7 ? { ...b, high: NaN } : b));
    expect(() => atr(bad, 14)).toThrow('atr: bars[7] (2017-01-12) high is NaN; expected a finite number');
    expect(() => adx(bad, 14)).toThrow('adx: bars[7] (2017-01-12) high is NaN');
    expect(() => indicatorSnapshot(bad, PARAMS)).toThrow('indicatorSnapshot: bars[7] (2017-01-12) high is NaN');
  });
});

/*
 * technicalindicators 3.1.0 (https://github.com/anandanand84/technicalindicators, MIT) as an independent oracle on real
 * data: JPM's 5,401 daily bars (1999-11-01 .. 2021-04-21) from ../shared/data/daily.csv.gz. It shares no code with
 * ours (generators over linked lists; see the header of trading/indicators.ts for why ours are hand-written). Its
 * batch outputs leave out the warm-up, so they are compared with the tail of ours, whose warm-up must be as long;
 * its streams return undefined during the warm-up where IndicatorStream returns NaN.
 */
describe('technicalindicators 3.1.0 as an oracle on 5,401 real bars (JPM)', () => {
  const REL = 1e-9;
  const RSI_ROUNDING = 0.005 + 1e-9; // its RSI applies toFixed(2) to every value
  let jpm: Bar[];
  let close: number[];
  let high: number[];
  let low: number[];

  beforeAll(() => {
    const s = loadDailyBars(path.join(loadConfig({ env: {} }).config.data.dir, 'daily.csv.gz'), { symbols: new Set(['JPM']) }).get('JPM')!;
    jpm = s.dates.map((date, i) => ({ date, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }));
    close = Array.from(s.close);
    high = Array.from(s.high);
    low = Array.from(s.low);
  });

  /** Ours (a full-length series) against theirs (its defined values only): same warm-up, then equal within tol. */
  function expectSeries(name: string, ours: Float64Array, theirs: number[], tol = (t: number) => REL * Math.abs(t), warmup = true): void {
    const first = ours.length - theirs.length;
    if (warmup) expect(firstDefined(ours)).toBe(first);
    for (let k = 0; k < theirs.length; k++) {
      const o = ours[first + k]!;
      if (!(Math.abs(o - theirs[k]!) <= tol(theirs[k]!))) throw new Error(`${name} at bar ${first + k} (${jpm[first + k]!.date}): ours ${o}, technicalindicators ${theirs[k]}`);
    }
  }

  it('uses more than 5,000 bars', () => {
    expect(jpm.length).toBe(5401);
  });

  it('SMA(20) and EMA(20) match within 1e-9 relative', () => {
    expectSeries('SMA', sma(close, 20), SMA.calculate({ period: 20, values: close }));
    expectSeries('EMA', ema(close, 20), EMA.calculate({ period: 20, values: close }));
  });

  it('Bollinger Bands (20, 2) match within 1e-9 relative', () => {
    const ours = bollinger(close, 20, 2);
    const theirs = BollingerBands.calculate({ period: 20, stdDev: 2, values: close });
    expectSeries('BB middle', ours.middle, theirs.map((b) => b.middle));
    expectSeries('BB upper', ours.upper, theirs.map((b) => b.upper));
    expectSeries('BB lower', ours.lower, theirs.map((b) => b.lower));
  });

  it('ATR(14) and ADX(14) with +DI and −DI match within 1e-9 relative', () => {
    expectSeries('ATR', atr(jpm, 14), ATR.calculate({ period: 14, high, low, close }));
    const ours = adx(jpm, 14);
    const theirs = ADX.calculate({ period: 14, high, low, close });
    expectSeries('ADX', ours.adx, theirs.map((d) => d.adx));
    // It reports the DIs only from the first ADX bar on; ours are defined from bar `period`.
    expectSeries('+DI', ours.pdi, theirs.map((d) => d.pdi), undefined, false);
    expectSeries('−DI', ours.mdi, theirs.map((d) => d.mdi), undefined, false);
  });

  it('RSI(14) equals its 2-decimal values to their rounding', () => {
    expectSeries('RSI', rsi(close, 14), RSI.calculate({ period: 14, values: close }), () => RSI_ROUNDING);
  });

  it('streaming: its nextValue bar by bar equals IndicatorStream, undefined exactly where ours is NaN', () => {
    const stream = new IndicatorStream({ bb: [20, 2], rsi: 14, atr: 14, adx: 14, volume: 20 });
    const emaSeries = ema(close, 20);
    const theirs = {
      sma: new SMA({ period: 20, values: [] }),
      ema: new EMA({ period: 20, values: [] }),
      bb: new BollingerBands({ period: 20, stdDev: 2, values: [] }),
      rsi: new RSI({ period: 14, values: [] }),
      atr: new ATR({ period: 14, high: [], low: [], close: [] }),
      adx: new ADX({ period: 14, high: [], low: [], close: [] }),
    };
    // Its typings declare ADX.nextValue(price: number); the implementation takes a bar {high, low, close}, as ATR's does.
    const adxNext = theirs.adx.nextValue.bind(theirs.adx) as unknown as (bar: Bar) => ReturnType<typeof ADX.calculate>[number] | undefined;
    const check = (i: number, name: string, ours: number, value: number | undefined, tol = REL * Math.abs(value ?? 0)): void => {
      const same = value === undefined ? Number.isNaN(ours) : Math.abs(ours - value) <= tol;
      if (!same) throw new Error(`${name} at bar ${i} (${jpm[i]!.date}): IndicatorStream ${ours}, technicalindicators nextValue ${value}`);
    };
    for (let i = 0; i < jpm.length; i++) {
      const bar = jpm[i]!;
      const snap = stream.next(bar);
      const bb = theirs.bb.nextValue(bar.close);
      check(i, 'SMA', snap.sma, theirs.sma.nextValue(bar.close));
      check(i, 'EMA', emaSeries[i]!, theirs.ema.nextValue(bar.close));
      check(i, 'BB upper', snap.bbUpper, bb?.upper);
      check(i, 'BB lower', snap.bbLower, bb?.lower);
      check(i, 'RSI', snap.rsi, theirs.rsi.nextValue(bar.close), RSI_ROUNDING);
      check(i, 'ATR', snap.atr, theirs.atr.nextValue(bar));
      check(i, 'ADX', snap.adx, adxNext(bar)?.adx);
    }
  });
});
