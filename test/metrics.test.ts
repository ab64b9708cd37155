/**
 * Portfolio metrics. Return statistics are checked against empyrical's own regression tests, quantopian/empyrical
 * empyrical/tests/test_stats.py (master, the 0.5.x file with test_roll_sharpe_ratio and the flat_line_1 Sharpe case),
 * with its inputs reproduced exactly and its tolerance: numpy assert_almost_equal(actual, desired, decimal) passes
 * when |desired − actual| < 1.5·10^−decimal, DECIMAL_PLACES = 8 unless the test says 4. Everything else (ledger,
 * calendar aggregation in dollars, trade statistics) is worked out by hand in the comments.
 */
import {
  aggregatePnl,
  annualReturn,
  annualVolatility,
  cumReturns,
  cumReturnsFinal,
  dailyReturns,
  drawdownSeries,
  equityCurveSummary,
  maxDrawdown,
  monthlyReturnsTable,
  PositionLedger,
  rollingSharpe,
  rollingSharpeRatio,
  sharpeRatio,
  tradeStatistics,
  type EquityPoint,
} from '../trading/metrics';

const DECIMAL_PLACES = 8;

/** numpy.testing.assert_almost_equal: NaN matches NaN, infinities must be equal, else |d − a| < 1.5·10^−decimal. */
function almostEqual(actual: number, desired: number, decimal = DECIMAL_PLACES): void {
  if (Number.isNaN(desired)) expect(actual).toBeNaN();
  else if (!Number.isFinite(desired)) expect(actual).toBe(desired);
  else expect(Math.abs(desired - actual)).toBeLessThan(1.5 * 10 ** -decimal);
}

function allAlmostEqual(actual: readonly number[], desired: readonly number[], decimal = DECIMAL_PLACES): void {
  expect(actual).toHaveLength(desired.length);
  desired.forEach((d, i) => almostEqual(actual[i]!, d, decimal));
}

// ---- empyrical test_stats.py inputs (TestStats class attributes), all / 100 as there.
const pct = (xs: readonly number[]): number[] => xs.map((x) => x / 100);
const simpleBenchmark = pct([0, 1, 0, 1, 0, 1, 0, 1, 0]);
const positiveReturns = pct([1, 2, 1, 1, 1, 1, 1, 1, 1]);
const negativeReturns = pct([0, -6, -7, -1, -9, -2, -6, -8, -5]);
const allNegativeReturns = pct([-2, -6, -7, -1, -9, -2, -6, -8, -5]);
const mixedReturns = pct([NaN, 1, 10, -4, 2, 3, 2, 1, -10]);
const flatLine1 = pct([1, 1, 1, 1, 1, 1, 1, 1, 1]);
const weeklyReturns = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]);
const monthlyReturns = weeklyReturns;
const oneReturn = pct([1]);
const emptyReturns: number[] = [];
/** np.linspace(0.01, 0.01, num=1000). */
const flatLine1Tz = new Array<number>(1000).fill(0.01);

// Their indexes: pd.date_range('2000-1-30', periods=9, freq='D' | 'W' (Sundays) | 'M' (month ends)).
const DAILY_DATES = ['2000-01-30', '2000-01-31', '2000-02-01', '2000-02-02', '2000-02-03', '2000-02-04', '2000-02-05', '2000-02-06', '2000-02-07'];
const WEEKLY_DATES = ['2000-01-30', '2000-02-06', '2000-02-13', '2000-02-20', '2000-02-27', '2000-03-05', '2000-03-12', '2000-03-19', '2000-03-26'];
const MONTHLY_DATES = ['2000-01-31', '2000-02-29', '2000-03-31', '2000-04-30', '2000-05-31', '2000-06-30', '2000-07-31', '2000-08-31', '2000-09-30'];

/** Equity curve whose returns are `returns` on `dates`: an opening point of 100 on 2000-01-29, then compounding. */
function equityFrom(dates: readonly string[], returns: readonly number[]): EquityPoint[] {
  const out: EquityPoint[] = [{ date: '2000-01-29', equity: 100 }];
  returns.forEach((r, i) => out.push({ date: dates[i]!, equity: out[i]!.equity * (1 + r) }));
  return out;
}

describe('empyrical test_stats.py cases', () => {
  it('test_cum_returns (4 decimals)', () => {
    expect(cumReturns(emptyReturns)).toEqual([]);
    allAlmostEqual(cumReturns(mixedReturns), [0.0, 0.01, 0.111, 0.066559, 0.08789, 0.12052, 0.14293, 0.15436, 0.03893], 4);
    allAlmostEqual(
      cumReturns(mixedReturns, 100),
      [100.0, 101.0, 111.1, 106.65599, 108.78912, 112.05279, 114.29384, 115.43678, 103.8931],
      4,
    );
    allAlmostEqual(cumReturns(negativeReturns), [0.0, -0.06, -0.1258, -0.13454, -0.21243, -0.22818, -0.27449, -0.33253, -0.3659], 4);
  });

  it('test_cum_returns_final (4 decimals)', () => {
    almostEqual(cumReturnsFinal(emptyReturns), NaN, 4);
    almostEqual(cumReturnsFinal(oneReturn), 0.01, 4);
    almostEqual(cumReturnsFinal(mixedReturns), 0.03893, 4);
    almostEqual(cumReturnsFinal(mixedReturns, 100), 103.8931, 4);
    almostEqual(cumReturnsFinal(negativeReturns), -0.3659, 4);
  });

  it('test_max_drawdown', () => {
    almostEqual(maxDrawdown(emptyReturns), NaN);
    almostEqual(maxDrawdown(oneReturn), 0.0);
    almostEqual(maxDrawdown(simpleBenchmark), 0.0);
    almostEqual(maxDrawdown(mixedReturns), -0.1);
    almostEqual(maxDrawdown(positiveReturns), -0.0);
    // "negative returns means the drawdown is just the returns": expected = cum_returns_final of the same series;
    // the older file states it as -0.36590730349873601.
    almostEqual(maxDrawdown(negativeReturns), -0.36590730349873601);
    almostEqual(maxDrawdown(allNegativeReturns), cumReturnsFinal(allNegativeReturns));
    almostEqual(maxDrawdown(pct([10, -10, 10])), -0.1);
  });

  it('test_annual_ret (DAILY 252, WEEKLY 52, MONTHLY 12) and test_cagr', () => {
    almostEqual(annualReturn(mixedReturns), 1.9135925373194231);
    almostEqual(annualReturn(weeklyReturns, 52), 0.24690830513998208);
    almostEqual(annualReturn(monthlyReturns, 12), 0.052242061386048144);
    // test_cagr: empyrical.cagr is annual_return.
    almostEqual(annualReturn(emptyReturns), NaN);
    almostEqual(annualReturn(oneReturn), 11.274002099240244);
    almostEqual(annualReturn(flatLine1Tz), 11.274002099240256);
  });

  it('test_annual_volatility (ddof = 1)', () => {
    almostEqual(annualVolatility(flatLine1Tz), 0.0);
    almostEqual(annualVolatility(mixedReturns), 0.9136465399704637);
    almostEqual(annualVolatility(weeklyReturns, 52), 0.38851569394870583);
    almostEqual(annualVolatility(monthlyReturns, 12), 0.18663690238892558);
  });

  it('test_sharpe_ratio, including its zero-volatility cases (0/0 → NaN, flat_line_1 → inf)', () => {
    almostEqual(sharpeRatio(emptyReturns, 0), NaN);
    almostEqual(sharpeRatio(oneReturn, 0), NaN);
    almostEqual(sharpeRatio(mixedReturns, mixedReturns), NaN);
    almostEqual(sharpeRatio(mixedReturns, 0), 1.7238613961706866);
    almostEqual(sharpeRatio(mixedReturns, simpleBenchmark), 0.34111411441060574);
    almostEqual(sharpeRatio(positiveReturns, 0), 52.915026221291804);
    almostEqual(sharpeRatio(negativeReturns, 0), -24.406808633910085);
    almostEqual(sharpeRatio(flatLine1, 0), Infinity);
  });

  it('test_roll_sharpe_ratio (window 6)', () => {
    expect(rollingSharpeRatio(emptyReturns, 6)).toEqual([]);
    allAlmostEqual(rollingSharpeRatio(negativeReturns, 6), [-18.09162052, -26.79897486, -26.69138263, -25.72298838]);
    allAlmostEqual(rollingSharpeRatio(mixedReturns, 6), [7.57445259, 8.22784105, 8.22784105, -3.1374751]);
  });

  // test_aggregate_returns, fed as equity curves: the period return is the compounded return of its days.
  it('test_aggregate_returns: simple_benchmark to WEEKLY, MONTHLY, YEARLY', () => {
    const equity = equityFrom(DAILY_DATES, simpleBenchmark);
    const weeks = aggregatePnl(equity, 'week');
    expect(weeks.map((w) => w.period)).toEqual(['2000-W04', '2000-W05', '2000-W06']);
    allAlmostEqual(weeks.map((w) => w.periodReturn), [0.0, 0.040604010000000024, 0.0]);
    allAlmostEqual(aggregatePnl(equity, 'month').map((m) => m.periodReturn), [0.01, 0.03030099999999991]);
    allAlmostEqual(monthlyReturnsTable(equity).map((y) => y.total), [0.040604010000000024]);
  });

  it('test_aggregate_returns: weekly_returns to MONTHLY and YEARLY, monthly_returns to YEARLY', () => {
    const weekly = equityFrom(WEEKLY_DATES, weeklyReturns);
    allAlmostEqual(aggregatePnl(weekly, 'month').map((m) => m.periodReturn), [0.0, 0.087891200000000058, -0.04500459999999995]);
    allAlmostEqual(monthlyReturnsTable(weekly).map((y) => y.total), [0.038931091700480147]);
    const monthly = equityFrom(MONTHLY_DATES, monthlyReturns);
    allAlmostEqual(monthlyReturnsTable(monthly).map((y) => y.total), [0.038931091700480147]);
  });

  it('the same numbers come out of an equity curve (mixed_returns without its leading NaN)', () => {
    const equity = equityFrom(DAILY_DATES.slice(1), mixedReturns.slice(1));
    const s = equityCurveSummary(equity);
    expect(s.periods).toBe(8);
    almostEqual(s.sharpeRatio, 1.7238613961706866); // nanmean/nanstd skip the NaN: same as test_sharpe_ratio
    almostEqual(s.annualVolatility, 0.9136465399704637);
    almostEqual(s.maxDrawdown, -0.1);
    almostEqual(s.cumulativeReturn, 0.038931091700480147); // test_aggregate_returns YEARLY of the same returns
    // 8 periods here where empyrical counts 9 with the NaN, so CAGR is over 8 days, not its 1.9135925373194231.
    almostEqual(s.annualReturn, (1 + 0.038931091700480147) ** (252 / 8) - 1);
    const dd = drawdownSeries(equity);
    expect(dd).toHaveLength(9);
    almostEqual(Math.min(...dd.map((d) => d.value)), -0.1);
    expect(dd[dd.length - 1]!.date).toBe('2000-02-07');
  });

  it('rollingSharpe on an equity curve: test_roll_sharpe_ratio negative_returns, dated by the window end', () => {
    const r = rollingSharpe(equityFrom(DAILY_DATES, negativeReturns), 6);
    expect(r.map((x) => x.date)).toEqual(['2000-02-04', '2000-02-05', '2000-02-06', '2000-02-07']); // returns[-4:]
    allAlmostEqual(r.map((x) => x.value), [-18.09162052, -26.79897486, -26.69138263, -25.72298838]);
  });
});

describe('equity-curve edge cases', () => {
  const flat: EquityPoint[] = ['2024-01-02', '2024-01-03', '2024-01-04'].map((date) => ({ date, equity: 1000 }));

  it('empty series and single point: no returns, every statistic NaN (empyrical empty_returns)', () => {
    for (const equity of [[], [{ date: '2024-01-02', equity: 1000 }]]) {
      const s = equityCurveSummary(equity);
      expect(s.periods).toBe(0);
      for (const v of [s.cumulativeReturn, s.annualReturn, s.annualVolatility, s.sharpeRatio, s.maxDrawdown]) expect(v).toBeNaN();
      expect(aggregatePnl(equity, 'day')).toEqual([]);
      expect(monthlyReturnsTable(equity)).toEqual([]);
      expect(rollingSharpe(equity)).toEqual([]);
    }
    expect(drawdownSeries([{ date: '2024-01-02', equity: 1000 }])).toEqual([{ date: '2024-01-02', value: 0 }]);
  });

  it('two points: one return of +1 %: 1.01^252 − 1 a year (test_cagr one_return), volatility and Sharpe NaN', () => {
    const s = equityCurveSummary([{ date: '2024-01-02', equity: 1000 }, { date: '2024-01-03', equity: 1010 }]);
    almostEqual(s.cumulativeReturn, 0.01);
    almostEqual(s.annualReturn, 11.274002099240244);
    expect(s.annualVolatility).toBeNaN();
    expect(s.sharpeRatio).toBeNaN();
    expect(s.maxDrawdown).toBe(0);
  });

  it('zero volatility: a flat curve gives Sharpe NaN (0/0); constant non-zero returns ±Infinity as in empyrical', () => {
    const s = equityCurveSummary(flat);
    expect(s.annualVolatility).toBe(0);
    expect(s.sharpeRatio).toBeNaN();
    expect(s.maxDrawdown).toBe(0);
    expect(sharpeRatio([-0.01, -0.01, -0.01])).toBe(-Infinity);
    // A risk-free rate above a flat curve: excess −rf every day, still zero volatility.
    expect(sharpeRatio([0, 0, 0], 0.0001)).toBe(-Infinity);
  });

  it('dailyReturns are dated by the later point', () => {
    const r = dailyReturns([{ date: '2024-01-02', equity: 100 }, { date: '2024-01-03', equity: 110 }, { date: '2024-01-04', equity: 99 }]);
    expect(r.map((x) => x.date)).toEqual(['2024-01-03', '2024-01-04']);
    expect(r[0]!.value).toBeCloseTo(0.1, 15);
    expect(r[1]!.value).toBeCloseTo(-0.1, 15);
  });

  it('drawdownSeries: fall from the running peak', () => {
    const dd = drawdownSeries([100, 120, 90, 130, 117].map((equity, i) => ({ date: `2024-01-0${i + 2}`, equity })));
    // 90/120 − 1 = −0.25; 117/130 − 1 = −0.1
    allAlmostEqual(dd.map((d) => d.value), [0, 0, -0.25, 0, -0.1], 15);
  });

  it('rejects bad input', () => {
    expect(() => dailyReturns([{ date: '2024-01-03', equity: 1 }, { date: '2024-01-02', equity: 1 }])).toThrow(/strictly increasing/);
    expect(() => dailyReturns([{ date: '2024-01-02', equity: 1 }, { date: '2024-01-02', equity: 1 }])).toThrow(/strictly increasing/);
    expect(() => dailyReturns([{ date: '2024-02-30', equity: 1 }])).toThrow(/'YYYY-MM-DD' date \(got 2024-02-30\)/);
    expect(() => dailyReturns([{ date: '2024-1-2', equity: 1 }])).toThrow(/'YYYY-MM-DD'/);
    expect(() => dailyReturns([{ date: '2024-01-02', equity: 0 }])).toThrow(/equity\[0\] must be positive/);
    expect(() => sharpeRatio([0.01, Infinity])).toThrow(/sharpeRatio: returns\[1\] must be a finite number or NaN/);
    expect(() => sharpeRatio([0.01, 0.02], [0])).toThrow(/riskFree has 1 values for 2 returns/);
    expect(() => annualReturn([0.01], 0)).toThrow(/annualReturn: periodsPerYear must be positive/);
    expect(() => cumReturnsFinal([0.01], NaN)).toThrow(/cumReturnsFinal: startingValue must be finite/);
    expect(() => rollingSharpeRatio([0.01, 0.02], 1)).toThrow(/window must be an integer >= 2/);
    expect(() => aggregatePnl(flat, 'year' as 'day')).toThrow(/period must be day, week or month/);
  });
});

describe('daily / weekly / monthly P&L (hand-computed)', () => {
  // 2019-12-30 is the Monday of ISO week 2020-W01, so that week spans two calendar years and two months.
  const equity: EquityPoint[] = [
    { date: '2019-12-26', equity: 10_000 }, // opening point (Thu, 2019-W52)
    { date: '2019-12-27', equity: 10_100 }, // +100   2019-W52
    { date: '2019-12-30', equity: 10_050 }, // −50    2020-W01
    { date: '2019-12-31', equity: 10_200 }, // +150   2020-W01
    { date: '2020-01-02', equity: 10_150 }, // −50    2020-W01
    { date: '2020-01-03', equity: 10_300 }, // +150   2020-W01
    { date: '2020-01-06', equity: 10_250 }, // −50    2020-W02
  ];

  it('daily', () => {
    const days = aggregatePnl(equity, 'day');
    expect(days.map((d) => [d.period, d.pnl])).toEqual([
      ['2019-12-27', 100], ['2019-12-30', -50], ['2019-12-31', 150], ['2020-01-02', -50], ['2020-01-03', 150], ['2020-01-06', -50],
    ]);
    expect(days[0]!.periodReturn).toBeCloseTo(0.01, 15);
  });

  it('ISO weeks, numbered by week-year', () => {
    const weeks = aggregatePnl(equity, 'week');
    expect(weeks.map(({ period, startDate, endDate, openingEquity, closingEquity, pnl }) => ({ period, startDate, endDate, openingEquity, closingEquity, pnl }))).toEqual([
      { period: '2019-W52', startDate: '2019-12-27', endDate: '2019-12-27', openingEquity: 10_000, closingEquity: 10_100, pnl: 100 },
      { period: '2020-W01', startDate: '2019-12-30', endDate: '2020-01-03', openingEquity: 10_100, closingEquity: 10_300, pnl: 200 },
      { period: '2020-W02', startDate: '2020-01-06', endDate: '2020-01-06', openingEquity: 10_300, closingEquity: 10_250, pnl: -50 },
    ]);
    expect(weeks[1]!.periodReturn).toBeCloseTo(200 / 10_100, 15);
  });

  it('calendar months and the year × month table', () => {
    const months = aggregatePnl(equity, 'month');
    expect(months.map((m) => [m.period, m.pnl])).toEqual([['2019-12', 200], ['2020-01', 50]]); // 10 000 → 10 200 → 10 250
    const table = monthlyReturnsTable(equity);
    expect(table.map((y) => y.year)).toEqual([2019, 2020]);
    expect(table[0]!.months.slice(0, 11)).toEqual(new Array(11).fill(null));
    expect(table[0]!.months[11]).toBeCloseTo(0.02, 15);
    expect(table[0]!.total).toBeCloseTo(0.02, 15);
    expect(table[1]!.months[0]).toBeCloseTo(50 / 10_200, 15);
    expect(table[1]!.months.slice(1)).toEqual(new Array(11).fill(null));
    expect(table[1]!.total).toBeCloseTo(50 / 10_200, 15);
  });
});

describe('PositionLedger (average cost, hand-computed; cash check: Σ sells − Σ buys − Σ commissions)', () => {
  it('average cost, partial close, reversal long → short, cover', () => {
    const l = new PositionLedger();
    // BOT 100 @ 10, commission 1: basis (1000 + 1) / 100 = 10.01
    expect(l.apply({ side: 'BOT', quantity: 100, price: 10, commission: 1 })).toEqual({ realizedPnl: 0, position: 100, averageCost: 10.01 });
    // BOT 100 @ 12, commission 1: (1001 + 1201) / 200 = 11.01
    l.apply({ side: 'BOT', quantity: 100, price: 12, commission: 1 });
    expect(l.position).toBe(200);
    expect(l.averageCost).toBeCloseTo(11.01, 12);
    // SLD 50 @ 13, commission 1: (13 − 11.01)·50 − 1 = 98.5; basis unchanged
    const partial = l.apply({ side: 'SLD', quantity: 50, price: 13, commission: 1 });
    expect(partial.realizedPnl).toBeCloseTo(98.5, 10);
    expect(partial.position).toBe(150);
    expect(partial.averageCost).toBeCloseTo(11.01, 12);
    // mark 12: (12 − 11.01)·150 = 148.5
    expect(l.unrealizedPnl(12)).toBeCloseTo(148.5, 10);
    // SLD 200 @ 11, commission 2: closes 150 with 1.5 of it: (11 − 11.01)·150 − 1.5 = −3;
    // opens short 50 with 0.5: basis (11·50 − 0.5) / 50 = 10.99
    const reversal = l.apply({ side: 'SLD', quantity: 200, price: 11, commission: 2 });
    expect(reversal.realizedPnl).toBeCloseTo(-3, 10);
    expect(reversal.position).toBe(-50);
    expect(reversal.averageCost).toBeCloseTo(10.99, 12);
    // short 50 at 10.99, mark 12: (12 − 10.99)·(−50) = −50.5
    expect(l.unrealizedPnl(12)).toBeCloseTo(-50.5, 10);
    // BOT 50 @ 10, commission 1: (10.99 − 10)·50 − 1 = 48.5; flat, basis reset
    const cover = l.apply({ side: 'BOT', quantity: 50, price: 10, commission: 1 });
    expect(cover.realizedPnl).toBeCloseTo(48.5, 10);
    expect(cover.position).toBe(0);
    expect(cover.averageCost).toBe(0);
    expect(l.unrealizedPnl(12)).toBe(0);
    // Total 98.5 − 3 + 48.5 = 144 = (650 + 2200) − (1000 + 1200 + 500) − 6
    expect(l.realizedPnl).toBeCloseTo(144, 10);
    expect(l.commissions).toBe(6);
  });

  it('short from flat: commission lowers the short basis; round trip nets both commissions', () => {
    const l = new PositionLedger();
    // SLD 100 @ 20, commission 1: basis (2000 − 1) / 100 = 19.99; mark 21: (21 − 19.99)·(−100) = −101
    expect(l.apply({ side: 'SLD', quantity: 100, price: 20, commission: 1 })).toEqual({ realizedPnl: 0, position: -100, averageCost: 19.99 });
    expect(l.unrealizedPnl(21)).toBeCloseTo(-101, 10);
    // BOT 100 @ 18, commission 1: (19.99 − 18)·100 − 1 = 198 = 2000 − 1800 − 2
    expect(l.apply({ side: 'BOT', quantity: 100, price: 18, commission: 1 }).realizedPnl).toBeCloseTo(198, 10);
    expect(l.position).toBe(0);
  });

  it('reversal short → long in one fill, and the state round trip', () => {
    const l = new PositionLedger({ position: -30, averageCost: 50, realizedPnl: 10, commissions: 2 });
    // BOT 40 @ 45, commission 4: closes 30 with 3: (50 − 45)·30 − 3 = 147; opens long 10 with 1: (450 + 1) / 10 = 45.1
    const r = l.apply({ side: 'BOT', quantity: 40, price: 45, commission: 4 });
    expect(r.realizedPnl).toBeCloseTo(147, 10);
    expect(r.position).toBe(10);
    expect(r.averageCost).toBeCloseTo(45.1, 12);
    const copy = new PositionLedger(l.state);
    expect(copy.state).toEqual(l.state);
    expect(copy.realizedPnl).toBeCloseTo(157, 10);
    expect(copy.commissions).toBe(6);
  });

  it('rejects bad fills and states', () => {
    const l = new PositionLedger();
    expect(() => l.apply({ side: 'BOT', quantity: 0, price: 10, commission: 0 })).toThrow(/quantity must be positive/);
    expect(() => l.apply({ side: 'SLD', quantity: 1, price: NaN, commission: 0 })).toThrow(/price must be positive/);
    expect(() => l.apply({ side: 'BOT', quantity: 1, price: 10, commission: -1 })).toThrow(/commission must be >= 0/);
    expect(() => l.apply({ side: 'BUY' as 'BOT', quantity: 1, price: 10, commission: 0 })).toThrow(/side must be BOT or SLD/);
    expect(() => l.unrealizedPnl(0)).toThrow(/mark must be positive/);
    expect(() => new PositionLedger({ position: 0, averageCost: 5, realizedPnl: 0, commissions: 0 })).toThrow(/averageCost must be 0 when flat/);
    expect(l.state).toEqual({ position: 0, averageCost: 0, realizedPnl: 0, commissions: 0 });
  });
});

describe('tradeStatistics (hand-computed)', () => {
  // Trading days 2024-01-02 .. 2024-01-10 (Mon 01-01 holiday, 01-06/07 weekend): 7 dates.
  const DATES = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10'];

  it('win rate, averages, profit factor, expectancy, holding days, exposure', () => {
    const s = tradeStatistics(
      [
        { pnl: 100, entryDate: '2024-01-03', exitDate: '2024-01-04' }, // 1 day; open 01-03, 01-04
        { pnl: -50, entryDate: '2024-01-05', exitDate: '2024-01-08' }, // 3 days over the weekend; open 01-05, 01-08
        { pnl: 200, entryDate: '2024-01-08', exitDate: '2024-01-08' }, // same day: 0 days; 01-08 already counted
        { pnl: 0, entryDate: '2024-01-04', exitDate: '2024-01-04' }, // break-even, overlaps the first trade
        { pnl: -25, entryDate: '2024-01-03', exitDate: '2024-01-03' },
      ],
      DATES,
    );
    expect(s).toEqual({
      tradeCount: 5,
      winCount: 2,
      lossCount: 2,
      winRate: 0.4, // 2 / 5: the break-even trade counts in the denominator
      grossProfit: 300,
      grossLoss: -75,
      netPnl: 225,
      averageWin: 150,
      averageLoss: -37.5,
      profitFactor: 4, // 300 / 75
      expectancy: 45, // 225 / 5 = 0.4·150 + 0.4·(−37.5)
      averageHoldingDays: 0.8, // (1 + 3 + 0 + 0 + 0) / 5
      exposure: 4 / 7, // 01-03, 01-04, 01-05, 01-08
    });
  });

  it('no losing trades: profit factor Infinity, average loss NaN', () => {
    const s = tradeStatistics([{ pnl: 10, entryDate: '2024-01-02', exitDate: '2024-01-10' }, { pnl: 20, entryDate: '2024-01-03', exitDate: '2024-01-04' }], DATES);
    expect(s.profitFactor).toBe(Infinity);
    expect(s.averageLoss).toBeNaN();
    expect(s.winRate).toBe(1);
    expect(s.exposure).toBe(1);
  });

  it('no winning trades: profit factor 0; only break-even trades: NaN (0/0)', () => {
    expect(tradeStatistics([{ pnl: -10, entryDate: '2024-01-02', exitDate: '2024-01-02' }], DATES).profitFactor).toBe(0);
    expect(tradeStatistics([{ pnl: 0, entryDate: '2024-01-02', exitDate: '2024-01-02' }], DATES).profitFactor).toBeNaN();
  });

  it('no trades: counts 0, exposure 0, ratios NaN; no dates: exposure NaN', () => {
    const s = tradeStatistics([], DATES);
    expect([s.tradeCount, s.winCount, s.lossCount, s.grossProfit, s.grossLoss, s.netPnl, s.exposure]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    for (const v of [s.winRate, s.averageWin, s.averageLoss, s.profitFactor, s.expectancy, s.averageHoldingDays]) expect(v).toBeNaN();
    expect(tradeStatistics([], []).exposure).toBeNaN();
  });

  it('rejects bad trades', () => {
    expect(() => tradeStatistics([{ pnl: 1, entryDate: '2024-01-05', exitDate: '2024-01-04' }], DATES)).toThrow(/trades\[0\] exits \(2024-01-04\) before it enters/);
    expect(() => tradeStatistics([{ pnl: NaN, entryDate: '2024-01-04', exitDate: '2024-01-04' }], DATES)).toThrow(/pnl must be finite/);
    expect(() => tradeStatistics([], ['2024-01-03', '2024-01-02'])).toThrow(/equityDates must be strictly increasing/);
  });
});
