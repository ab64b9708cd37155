/**
 * Portfolio metrics for workflows, activities, reports and the backtester: trade-level P&L from fills (an
 * average-cost ledger), equity-curve statistics and closed-trade statistics. Pure and deterministic (safe inside
 * Temporal workflows): no I/O, no clock, no randomness, no Node imports. Invalid input throws an Error naming the
 * function and the problem.
 *
 * Return statistics reproduce empyrical (quantopian/empyrical, stats.py) so numbers agree with pyfolio tear sheets:
 *  - a return is a simple per-period return; NaN marks a missing observation (pandas' pct_change first row): means
 *    and standard deviations skip it, compounding treats it as 0, annualReturn still counts it as a period;
 *  - standard deviations are sample ones (ddof = 1); annualisation uses periodsPerYear, 252 for daily data;
 *  - riskFree is a per-period return (daily for daily data), a constant or one value per period, as empyrical's
 *    risk_free: from an annual rate R use (1 + R) ** (1 / 252) - 1;
 *  - no returns: every statistic is NaN; fewer than 2 returns: volatility and Sharpe are NaN;
 *  - zero volatility divides as IEEE 754 does (numpy inside empyrical does the same): a flat equity curve (mean
 *    excess return 0) gives Sharpe NaN, a constant positive excess return +Infinity (empyrical's flat_line_1 case).
 * NaN and ±Infinity become null in JSON (Temporal payloads): test with Number.isFinite before persisting.
 * Dates are 'YYYY-MM-DD' strings.
 */

/** Trading days per year: the annualisation factor for daily returns (empyrical's DAILY). */
export const TRADING_DAYS_PER_YEAR = 252;

// ---------------------------------------------------------------- fills and the position ledger

/** One execution as IB reports it: quantity > 0, commission >= 0 in account currency. */
export interface Fill {
  readonly side: 'BOT' | 'SLD';
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
}

/** Ledger state: signed position (negative = short), per-share cost basis, cumulative realized P&L and commissions. */
export interface LedgerState {
  readonly position: number;
  readonly averageCost: number;
  readonly realizedPnl: number;
  readonly commissions: number;
}

export interface FillResult {
  /** P&L realized by this fill, net of commissions (0 for a purely opening fill). */
  readonly realizedPnl: number;
  readonly position: number;
  readonly averageCost: number;
}

/**
 * Position in one instrument under the AVERAGE-COST method, the way IB reports avgCost and realizedPNL (not FIFO;
 * TWS Portfolio window: "Average cost of stock and securities options opening positions, including commissions",
 * unrealized P&L = market value − average cost):
 *  - opening fills fold their commission into the basis: long avgCost = (Σ price·qty + Σ commission) / qty,
 *    short avgCost = (Σ price·qty − Σ commission) / qty, i.e. the net price paid or received per share;
 *  - a closing fill realizes sign·(price − avgCost)·qty − its commission and leaves avgCost unchanged;
 *  - a fill that crosses zero (long → short or back) closes the old position and opens the rest at the fill price,
 *    its commission split between the two parts in proportion to quantity;
 *  - unrealizedPnl(mark) = (mark − avgCost)·position: the opening commissions are in it, the closing ones not yet.
 * Quantities are compared exactly: fractional shares must add up exactly to come back flat.
 * state / new PositionLedger(state) carry the ledger across a Temporal payload or continue-as-new.
 */
export class PositionLedger {
  private qty: number;
  private avg: number;
  private realized: number;
  private paid: number;

  constructor(state: LedgerState = { position: 0, averageCost: 0, realizedPnl: 0, commissions: 0 }) {
    const { position, averageCost, realizedPnl, commissions } = state;
    if (![position, averageCost, realizedPnl, commissions].every(Number.isFinite)) {
      throw new Error('PositionLedger: state values must be finite numbers');
    }
    if (position === 0 ? averageCost !== 0 : !(averageCost > 0)) {
      throw new Error(`PositionLedger: averageCost must be 0 when flat and positive otherwise (got ${averageCost})`);
    }
    if (commissions < 0) throw new Error(`PositionLedger: commissions must be >= 0 (got ${commissions})`);
    this.qty = position;
    this.avg = averageCost;
    this.realized = realizedPnl;
    this.paid = commissions;
  }

  get position(): number { return this.qty; }
  get averageCost(): number { return this.avg; }
  /** Cumulative realized P&L, net of the commissions of every closed share (opening and closing). */
  get realizedPnl(): number { return this.realized; }
  /** Every commission paid, including those still in the basis of the open position. */
  get commissions(): number { return this.paid; }
  get state(): LedgerState {
    return { position: this.qty, averageCost: this.avg, realizedPnl: this.realized, commissions: this.paid };
  }

  apply(fill: Fill): FillResult {
    const { side, quantity, price, commission } = fill;
    if (side !== 'BOT' && side !== 'SLD') throw new Error(`PositionLedger.apply: side must be BOT or SLD (got ${side})`);
    if (!(Number.isFinite(quantity) && quantity > 0)) throw new Error(`PositionLedger.apply: quantity must be positive (got ${quantity})`);
    if (!(Number.isFinite(price) && price > 0)) throw new Error(`PositionLedger.apply: price must be positive (got ${price})`);
    if (!(Number.isFinite(commission) && commission >= 0)) throw new Error(`PositionLedger.apply: commission must be >= 0 (got ${commission})`);

    const dir = side === 'BOT' ? 1 : -1;
    const held = Math.sign(this.qty);
    const closing = held === -dir ? Math.min(quantity, Math.abs(this.qty)) : 0;
    const opening = quantity - closing;
    // closing / quantity is exactly 1 for a plain close, so the whole commission lands on one side bit for bit.
    const closeCommission = commission * (closing / quantity);
    let realized = 0;
    if (closing > 0) {
      realized = held * (price - this.avg) * closing - closeCommission;
      this.qty += dir * closing;
      if (this.qty === 0) this.avg = 0;
    }
    if (opening > 0) {
      const size = Math.abs(this.qty);
      this.avg = (this.avg * size + price * opening + dir * (commission - closeCommission)) / (size + opening);
      this.qty += dir * opening;
    }
    this.realized += realized;
    this.paid += commission;
    return { realizedPnl: realized, position: this.qty, averageCost: this.avg };
  }

  unrealizedPnl(mark: number): number {
    if (!(Number.isFinite(mark) && mark > 0)) throw new Error(`PositionLedger.unrealizedPnl: mark must be positive (got ${mark})`);
    return this.qty === 0 ? 0 : (mark - this.avg) * this.qty;
  }
}

// ---------------------------------------------------------------- returns (empyrical semantics)

function checkReturns(fn: string, returns: readonly number[]): void {
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    if (typeof r !== 'number' || r === Infinity || r === -Infinity) {
      throw new Error(`${fn}: returns[${i}] must be a finite number or NaN (got ${r})`);
    }
  }
}

function checkPeriodsPerYear(fn: string, periodsPerYear: number): void {
  if (!(Number.isFinite(periodsPerYear) && periodsPerYear > 0)) {
    throw new Error(`${fn}: periodsPerYear must be positive (got ${periodsPerYear})`);
  }
}

function excessReturns(fn: string, returns: readonly number[], riskFree: number | readonly number[]): number[] {
  if (typeof riskFree === 'number') {
    if (!Number.isFinite(riskFree)) throw new Error(`${fn}: riskFree must be finite (got ${riskFree})`);
    return returns.map((r) => r - riskFree);
  }
  if (riskFree.length !== returns.length) {
    throw new Error(`${fn}: riskFree has ${riskFree.length} values for ${returns.length} returns`);
  }
  checkReturns(fn, riskFree);
  return returns.map((r, i) => r - riskFree[i]!);
}

/**
 * Mean and sample standard deviation (ddof = 1) of the non-NaN values of xs[from..to), two-pass and shifted by the
 * first value: a constant window then has a mean equal to that value and a standard deviation of exactly 0 (what
 * numpy returns for empyrical's flat_line_1), not a rounding residue that would turn Sharpe ±Infinity into ±1e16.
 */
function moments(xs: readonly number[], from = 0, to = xs.length): { mean: number; std: number } {
  let n = 0;
  let shift = NaN;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const x = xs[i]!;
    if (Number.isNaN(x)) continue;
    if (n === 0) shift = x;
    sum += x - shift;
    n++;
  }
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = shift + sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) if (!Number.isNaN(xs[i]!)) ss += (xs[i]! - mean) ** 2;
  return { mean, std: n < 2 ? NaN : Math.sqrt(ss / (n - 1)) };
}

function sharpeOf(excess: readonly number[], periodsPerYear: number, from = 0, to = excess.length): number {
  if (to - from < 2) return NaN;
  const { mean, std } = moments(excess, from, to);
  return (mean / std) * Math.sqrt(periodsPerYear);
}

function checkStartingValue(fn: string, startingValue: number): void {
  if (!Number.isFinite(startingValue)) throw new Error(`${fn}: startingValue must be finite (got ${startingValue})`);
}

/** Π(1 + r), a NaN compounding as 0 (empyrical fills NaN returns with 0 before compounding). */
function growth(returns: readonly number[]): number {
  let g = 1;
  for (const r of returns) if (!Number.isNaN(r)) g *= 1 + r;
  return g;
}

/**
 * Compounded return after each period: Π(1 + r) − 1, or startingValue·Π(1 + r) (the equity path) when a starting
 * value is given. empyrical cum_returns.
 */
export function cumReturns(returns: readonly number[], startingValue = 0): number[] {
  checkReturns('cumReturns', returns);
  checkStartingValue('cumReturns', startingValue);
  let g = 1;
  return returns.map((r) => {
    if (!Number.isNaN(r)) g *= 1 + r;
    return startingValue === 0 ? g - 1 : startingValue * g;
  });
}

/** Last value of cumReturns; NaN for no returns. empyrical cum_returns_final. */
export function cumReturnsFinal(returns: readonly number[], startingValue = 0): number {
  checkReturns('cumReturnsFinal', returns);
  checkStartingValue('cumReturnsFinal', startingValue);
  if (returns.length === 0) return NaN;
  return startingValue === 0 ? growth(returns) - 1 : startingValue * growth(returns);
}

/** Geometric annual return (CAGR): Π(1 + r) ** (periodsPerYear / n) − 1, n counting NaN periods. empyrical annual_return. */
export function annualReturn(returns: readonly number[], periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  checkReturns('annualReturn', returns);
  checkPeriodsPerYear('annualReturn', periodsPerYear);
  return returns.length === 0 ? NaN : growth(returns) ** (periodsPerYear / returns.length) - 1;
}

/** Sample standard deviation × √periodsPerYear; NaN below 2 returns. empyrical annual_volatility. */
export function annualVolatility(returns: readonly number[], periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  checkReturns('annualVolatility', returns);
  checkPeriodsPerYear('annualVolatility', periodsPerYear);
  return returns.length < 2 ? NaN : moments(returns).std * Math.sqrt(periodsPerYear);
}

/** mean(r − rf) / sample std(r − rf) × √periodsPerYear; NaN below 2 returns. empyrical sharpe_ratio. */
export function sharpeRatio(
  returns: readonly number[],
  riskFree: number | readonly number[] = 0,
  periodsPerYear = TRADING_DAYS_PER_YEAR,
): number {
  checkReturns('sharpeRatio', returns);
  checkPeriodsPerYear('sharpeRatio', periodsPerYear);
  return sharpeOf(excessReturns('sharpeRatio', returns, riskFree), periodsPerYear);
}

/**
 * Sharpe ratio of each window of `window` consecutive returns: out[k] covers returns[k .. k+window-1], i.e. belongs
 * to returns[k + window - 1]; length max(0, n − window + 1). empyrical roll_sharpe_ratio.
 */
export function rollingSharpeRatio(
  returns: readonly number[],
  window = 30,
  riskFree: number | readonly number[] = 0,
  periodsPerYear = TRADING_DAYS_PER_YEAR,
): number[] {
  if (!Number.isInteger(window) || window < 2) throw new Error(`rollingSharpeRatio: window must be an integer >= 2 (got ${window})`);
  checkReturns('rollingSharpeRatio', returns);
  checkPeriodsPerYear('rollingSharpeRatio', periodsPerYear);
  const excess = excessReturns('rollingSharpeRatio', returns, riskFree);
  const out: number[] = [];
  for (let k = 0; k + window <= excess.length; k++) out.push(sharpeOf(excess, periodsPerYear, k, k + window));
  return out;
}

/**
 * Worst peak-to-trough fall of the compounded path, as a fraction ≤ 0 (−0.25 = a 25 % drawdown). The starting value
 * counts as a peak, so a first-day loss is a drawdown. NaN for no returns. empyrical max_drawdown.
 */
export function maxDrawdown(returns: readonly number[]): number {
  checkReturns('maxDrawdown', returns);
  if (returns.length === 0) return NaN;
  let wealth = 1;
  let peak = 1;
  let worst = 0;
  for (const r of returns) {
    if (!Number.isNaN(r)) wealth *= 1 + r;
    peak = Math.max(peak, wealth);
    worst = Math.min(worst, wealth / peak - 1);
  }
  return worst;
}

// ---------------------------------------------------------------- equity curve

export interface EquityPoint {
  readonly date: string;
  readonly equity: number;
}

export interface DatedValue {
  readonly date: string;
  readonly value: number;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid 'YYYY-MM-DD' date (Date.UTC is pure: no clock involved). */
function dayNumber(fn: string, what: string, date: string): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = new Date(Date.UTC(y, mo - 1, d));
    // Rejects 2024-02-30 (rolls over) and years 0000-0099 (Date.UTC maps them to 1900-1999).
    if (t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d) return t.getTime() / DAY_MS;
  }
  throw new Error(`${fn}: ${what} must be a 'YYYY-MM-DD' date (got ${date})`);
}

/** Day numbers of valid, strictly increasing dates (one point per day, in order). */
function checkDates(fn: string, what: string, dates: readonly string[]): number[] {
  const days = dates.map((d, i) => dayNumber(fn, `${what}[${i}]`, d));
  for (let i = 1; i < days.length; i++) {
    if (!(days[i]! > days[i - 1]!)) {
      throw new Error(`${fn}: ${what} must be strictly increasing (${what}[${i}] = ${dates[i]} after ${dates[i - 1]})`);
    }
  }
  return days;
}

function checkEquity(fn: string, equity: readonly EquityPoint[]): void {
  checkDates(fn, 'equity dates', equity.map((p) => p.date));
  equity.forEach((p, i) => {
    if (!(Number.isFinite(p.equity) && p.equity > 0)) throw new Error(`${fn}: equity[${i}] must be positive (got ${p.equity})`);
  });
}

/**
 * Simple returns e[i] / e[i−1] − 1, dated by the later point: n − 1 values. Equity must exclude deposits and
 * withdrawals (or be adjusted for them): every change is read as performance.
 */
export function dailyReturns(equity: readonly EquityPoint[]): DatedValue[] {
  checkEquity('dailyReturns', equity);
  return equity.slice(1).map((p, i) => ({ date: p.date, value: p.equity / equity[i]!.equity - 1 }));
}

/** Fall from the running peak at each point, e / max(e so far) − 1 (≤ 0, first point 0). */
export function drawdownSeries(equity: readonly EquityPoint[]): DatedValue[] {
  checkEquity('drawdownSeries', equity);
  let peak = 0;
  return equity.map((p) => {
    peak = Math.max(peak, p.equity);
    return { date: p.date, value: p.equity / peak - 1 };
  });
}

/** rollingSharpeRatio over dailyReturns(equity), each value dated by the last day of its window. */
export function rollingSharpe(equity: readonly EquityPoint[], window = 30, riskFree = 0): DatedValue[] {
  const returns = dailyReturns(equity);
  return rollingSharpeRatio(returns.map((r) => r.value), window, riskFree).map((value, k) => ({
    date: returns[k + window - 1]!.date,
    value,
  }));
}

export interface EquitySummary {
  /** Number of daily returns (equity points − 1). */
  readonly periods: number;
  readonly cumulativeReturn: number;
  readonly annualReturn: number;
  readonly annualVolatility: number;
  readonly sharpeRatio: number;
  readonly maxDrawdown: number;
}

/**
 * The headline statistics of dailyReturns(equity), with the empyrical edge cases of that return series: no point or
 * a single point means no returns, so everything is NaN; two points give cumulative and annual return and max
 * drawdown, but volatility and Sharpe stay NaN.
 */
export function equityCurveSummary(equity: readonly EquityPoint[], riskFree = 0): EquitySummary {
  const returns = dailyReturns(equity).map((r) => r.value);
  return {
    periods: returns.length,
    cumulativeReturn: cumReturnsFinal(returns),
    annualReturn: annualReturn(returns),
    annualVolatility: annualVolatility(returns),
    sharpeRatio: sharpeRatio(returns, riskFree),
    maxDrawdown: maxDrawdown(returns),
  };
}

export type PnlPeriod = 'day' | 'week' | 'month';

export interface PeriodPnl {
  /** 'YYYY-MM-DD', ISO week 'GGGG-Www' (week-numbering year) or 'YYYY-MM'. */
  readonly period: string;
  /** First and last equity dates inside the period. */
  readonly startDate: string;
  readonly endDate: string;
  /** Equity at the last point before the period, and at its last point. */
  readonly openingEquity: number;
  readonly closingEquity: number;
  readonly pnl: number;
  /** closingEquity / openingEquity − 1: the period's daily returns compounded (empyrical aggregate_returns). */
  readonly periodReturn: number;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** ISO 8601 week of a day number: the week (Monday–Sunday) belongs to the year holding its Thursday. */
function isoWeek(day: number): string {
  const mondayBased = (((day + 3) % 7) + 7) % 7; // 1970-01-01 (day 0) was a Thursday
  const thursday = day - mondayBased + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${pad2(week)}`;
}

/**
 * P&L and compounded return per day, ISO week or calendar month. The first point only opens the curve: each later
 * point's change from its predecessor belongs to the period of its own date; a period that only holds the first
 * point is not reported. ISO weeks run Monday–Sunday and around New Year belong to the ISO week-year
 * (2021-01-01 is in 2020-W53); empyrical groups weeks by (calendar year, ISO week number) instead, which only
 * differs in the week that straddles New Year.
 */
export function aggregatePnl(equity: readonly EquityPoint[], period: PnlPeriod): PeriodPnl[] {
  checkEquity('aggregatePnl', equity);
  if (period !== 'day' && period !== 'week' && period !== 'month') {
    throw new Error(`aggregatePnl: period must be day, week or month (got ${period})`);
  }
  const key = (date: string): string =>
    period === 'day' ? date : period === 'month' ? date.slice(0, 7) : isoWeek(dayNumber('aggregatePnl', 'date', date));
  const out: PeriodPnl[] = [];
  for (let i = 1; i < equity.length; i++) {
    const { date, equity: closingEquity } = equity[i]!;
    const period = key(date);
    const current = out[out.length - 1];
    const continues = current !== undefined && current.period === period;
    const openingEquity = continues ? current.openingEquity : equity[i - 1]!.equity;
    const row: PeriodPnl = {
      period,
      startDate: continues ? current.startDate : date,
      endDate: date,
      openingEquity,
      closingEquity,
      pnl: closingEquity - openingEquity,
      periodReturn: closingEquity / openingEquity - 1,
    };
    if (continues) out[out.length - 1] = row;
    else out.push(row);
  }
  return out;
}

export interface MonthlyReturnsRow {
  readonly year: number;
  /** Index 0 = January; null where the curve has no point in that month (null survives JSON, NaN does not). */
  readonly months: readonly (number | null)[];
  /** Return over the year's reported months compounded (empyrical aggregate_returns 'yearly'). */
  readonly total: number;
}

/** Year × month table of compounded monthly returns (pyfolio's monthly returns heatmap), years ascending. */
export function monthlyReturnsTable(equity: readonly EquityPoint[]): MonthlyReturnsRow[] {
  const rows: { year: number; months: (number | null)[]; compounded: number }[] = [];
  for (const m of aggregatePnl(equity, 'month')) {
    const year = Number(m.period.slice(0, 4));
    if (rows.length === 0 || rows[rows.length - 1]!.year !== year) rows.push({ year, months: new Array<number | null>(12).fill(null), compounded: 1 });
    const row = rows[rows.length - 1]!;
    row.months[Number(m.period.slice(5, 7)) - 1] = m.periodReturn;
    row.compounded *= m.closingEquity / m.openingEquity;
  }
  return rows.map(({ year, months, compounded }) => ({ year, months, total: compounded - 1 }));
}

// ---------------------------------------------------------------- closed trades

export interface ClosedTrade {
  /** Net P&L of the round trip, commissions included. */
  readonly pnl: number;
  readonly entryDate: string;
  readonly exitDate: string;
}

export interface TradeStatistics {
  readonly tradeCount: number;
  /** pnl > 0 wins, pnl < 0 losses; a break-even trade is neither but counts in tradeCount (and so in winRate). */
  readonly winCount: number;
  readonly lossCount: number;
  /** winCount / tradeCount; NaN without trades. */
  readonly winRate: number;
  /** Sum of winning pnl (≥ 0) and of losing pnl (≤ 0). */
  readonly grossProfit: number;
  readonly grossLoss: number;
  readonly netPnl: number;
  /** Mean winning pnl (> 0) and mean losing pnl (< 0); NaN when there is none. */
  readonly averageWin: number;
  readonly averageLoss: number;
  /** grossProfit / |grossLoss|: Infinity with wins and no losses, 0 with losses and no wins, NaN with neither. */
  readonly profitFactor: number;
  /** Mean pnl per trade = winRate·averageWin + lossRate·averageLoss; NaN without trades. */
  readonly expectancy: number;
  /** Mean calendar days from entry to exit (0 for a same-day round trip); NaN without trades. */
  readonly averageHoldingDays: number;
  /** Fraction of equityDates on which a trade was open (entry and exit days included); NaN without dates. */
  readonly exposure: number;
}

/**
 * Statistics of closed round trips. equityDates are the days of the equity curve (strictly increasing) over which
 * exposure is measured; a position still open is not a closed trade, pass it with exitDate = the last date to
 * count its days.
 */
export function tradeStatistics(trades: readonly ClosedTrade[], equityDates: readonly string[]): TradeStatistics {
  const days = checkDates('tradeStatistics', 'equityDates', equityDates);
  const spans = trades.map((t, i) => {
    if (!Number.isFinite(t.pnl)) throw new Error(`tradeStatistics: trades[${i}].pnl must be finite (got ${t.pnl})`);
    const entry = dayNumber('tradeStatistics', `trades[${i}].entryDate`, t.entryDate);
    const exit = dayNumber('tradeStatistics', `trades[${i}].exitDate`, t.exitDate);
    if (exit < entry) throw new Error(`tradeStatistics: trades[${i}] exits (${t.exitDate}) before it enters (${t.entryDate})`);
    return { entry, exit };
  });

  const wins = trades.filter((t) => t.pnl > 0).map((t) => t.pnl);
  const losses = trades.filter((t) => t.pnl < 0).map((t) => t.pnl);
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  const grossProfit = sum(wins);
  const grossLoss = sum(losses);
  const n = trades.length;

  // Sweep: among trades entered by day d, the one exiting last covers d iff its exit is >= d.
  spans.sort((a, b) => a.entry - b.entry);
  let next = 0;
  let latestExit = -Infinity;
  let exposed = 0;
  for (const d of days) {
    while (next < spans.length && spans[next]!.entry <= d) latestExit = Math.max(latestExit, spans[next++]!.exit);
    if (latestExit >= d) exposed++;
  }

  return {
    tradeCount: n,
    winCount: wins.length,
    lossCount: losses.length,
    winRate: n === 0 ? NaN : wins.length / n,
    grossProfit,
    grossLoss,
    netPnl: grossProfit + grossLoss,
    averageWin: wins.length === 0 ? NaN : grossProfit / wins.length,
    averageLoss: losses.length === 0 ? NaN : grossLoss / losses.length,
    // Math.abs keeps 0 losses at +0 so that a profit over it is +Infinity, not -Infinity.
    profitFactor: grossProfit / Math.abs(grossLoss),
    expectancy: n === 0 ? NaN : (grossProfit + grossLoss) / n,
    averageHoldingDays: n === 0 ? NaN : sum(spans.map((s) => s.exit - s.entry)) / n,
    exposure: days.length === 0 ? NaN : exposed / days.length,
  };
}
