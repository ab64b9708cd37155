/**
 * Position sizing, the pre-trade risk gate, drawdown monitoring and the kill-switch decision (DESIGN §2 Risk and
 * Kill switch). Pure and deterministic: no I/O, no clock, no randomness. Every number comes from config.
 *
 * ## Sizing
 * Mean reversion: shares = floor(capital × riskPerTradePct / (entry − stop)), capped by maxPositionPct × capital,
 * maxPositionValue and maxSingleStockPct × capital (less what is already held in the stock), each in shares.
 * With the default 2 % stop the 5 % position cap binds long before the 1 % risk budget (5 % × 2 % = 0.1 % of capital
 * at risk): the budget is the ceiling, the caps decide.
 *
 * Pairs: dollar-neutral, the same dollars D in each leg. The stop is a z level, translated into dollars like this:
 * from an entry at z_e the spread must move (stopZ − |z_e|) × σ against the position to reach the stop, σ being the
 * sample σ of the log spread over the lookback (the z denominator, pairs.ts SpreadState.spreadStdDev), assuming its
 * rolling mean and σ stay put while the position is open. A position long D of A and short D of B gains
 * D × (Δln A − Δln B); taking that as D × Δs (exact for hedgeRatio 1 — otherwise (β − 1)·Δln B is market exposure
 * that equal-dollar legs leave unhedged, which the design accepts) the loss at the stop is
 *   riskAtStop = D × (stopZ − |z_e|) × σ,
 * and D = riskPerPairPct × capital / ((stopZ − |z_e|) × σ), then capped per leg like a single position. Rounding to
 * shares leaves the legs a little unequal; the larger one is taken as D.
 *
 * ## The gate
 * checkRisk runs RISK_CHECKS in that order and returns the first failure, or the approved (possibly VIX-reduced)
 * quantities: trading state ACTIVE; per-day loss; daily, weekly, monthly drawdown; a well-formed order; a stop on
 * the loss side; VIX scaling (each leg × vixSizeMultiplier, floored, while VIX > vixReduceThreshold — a leg left
 * with 0 shares is QUANTITY_ZERO); the risk budget the order was sized with within [minRiskPerTradePct,
 * maxRiskPerTradePct]; the dollars at risk at the stop ≤ maxRiskPerTradePct; per leg the position %, the position $
 * and the stock's total %; concurrent positions; total capacity; positions per sector; leverage. The minimum applies
 * to the budget, not to the risk actually taken: with the caps binding that is far below it (0.1 % above).
 * Upper limits are inclusive ("max 5 %" allows exactly 5 %), compared with a relative tolerance of 1e-9 so an order
 * sized exactly at a cap by the functions above is not rejected by binary rounding. Counts are compared exactly; the
 * per-day loss limit is hit AT the limit.
 */
import type { TraderConfig } from '../config/schema';
import { allowsNewEntries, type TradingState } from './trading-state';

// Globals read once at load: inside a vm context (jest; Temporal's workflow sandbox is one too) every lookup of a
// global such as `Math` or `NaN` goes through the context's interceptor and costs ~0.4 µs — more than a whole check.
const { abs, floor, max, min } = Math;
const { isFinite: finite, isInteger, isNaN: nan, NaN: NAN } = Number;

export type RiskConfig = TraderConfig['risk'];
export type SizingConfig = Pick<TraderConfig, 'risk' | 'strategies'>;

/** Absorbs binary rounding of decimal inputs (0.07 / 0.01 = 7.000000000000001; 0.29 / 0.01 = 28.999999999999996). */
const EPSILON = 1e-9;

function floorShares(x: number): number {
  return x > 0 ? floor(x + EPSILON) : 0;
}

function exceeds(value: number, limit: number): boolean {
  return value > limit + abs(limit) * EPSILON;
}

// ---------------------------------------------------------------------------------------------
// Sizing

export type SizeBinding = 'RISK_BUDGET' | 'MAX_POSITION_PCT' | 'MAX_POSITION_VALUE' | 'MAX_SINGLE_STOCK_PCT' | 'INVALID_INPUT';

export interface SingleSizeInput {
  capital: number;
  entryPrice: number;
  stopPrice: number;
  /** Market value already held in the stock (counts against maxSingleStockPct). */
  existingValue?: number;
}

export interface SingleSize {
  quantity: number;
  /** The constraint that set the quantity (the first of equal ones, in the order of the header). */
  binding: SizeBinding;
  /** Shares each constraint allows, and the resulting risk at the stop. */
  values: { riskPerShare: number; riskBudget: number; budgetShares: number; positionPctShares: number; positionValueShares: number; singleStockShares: number; riskAtStop: number };
}

/** Long mean-reversion position size (see the header); quantity 0 with INVALID_INPUT when the stop is not below entry. */
export function sizeMeanReversion(input: SingleSizeInput, cfg: SizingConfig): SingleSize {
  const { capital, entryPrice, stopPrice } = input;
  const riskPerShare = entryPrice - stopPrice;
  const riskBudget = capital * cfg.strategies.meanReversion.riskPerTradePct;
  if (!(capital > 0 && entryPrice > 0 && stopPrice > 0 && riskPerShare > 0)) {
    const values = { riskPerShare, riskBudget, budgetShares: 0, positionPctShares: 0, positionValueShares: 0, singleStockShares: 0, riskAtStop: 0 };
    return { quantity: 0, binding: 'INVALID_INPUT', values };
  }
  const caps = dollarCaps(capital, input.existingValue ?? 0, cfg.risk);
  const budgetShares = floorShares(riskBudget / riskPerShare);
  const positionPctShares = floorShares(caps.positionPct / entryPrice);
  const positionValueShares = floorShares(caps.positionValue / entryPrice);
  const singleStockShares = floorShares(caps.singleStock / entryPrice);
  const [binding, quantity] = smallest([
    ['RISK_BUDGET', budgetShares],
    ['MAX_POSITION_PCT', positionPctShares],
    ['MAX_POSITION_VALUE', positionValueShares],
    ['MAX_SINGLE_STOCK_PCT', singleStockShares],
  ]);
  return {
    quantity,
    binding,
    values: { riskPerShare, riskBudget, budgetShares, positionPctShares, positionValueShares, singleStockShares, riskAtStop: quantity * riskPerShare },
  };
}

export interface PairSizeInput {
  capital: number;
  priceA: number;
  priceB: number;
  /** z at entry and the spread's σ over the lookback (pairs.ts SpreadState). */
  entryZ: number;
  spreadStdDev: number;
  existingValueA?: number;
  existingValueB?: number;
}

export interface PairSize {
  quantityA: number;
  quantityB: number;
  /** Dollars per leg before rounding to shares: the smallest of the budget and the per-leg caps. */
  legValue: number;
  binding: SizeBinding;
  values: { stopDistance: number; riskBudget: number; budgetLegValue: number; riskAtStop: number; legValueA: number; legValueB: number };
}

/** Dollar-neutral pair size (see the header). */
export function sizePair(input: PairSizeInput, cfg: SizingConfig): PairSize {
  const { capital, priceA, priceB } = input;
  const stopDistance = (cfg.strategies.pairs.stopZ - abs(input.entryZ)) * input.spreadStdDev;
  const riskBudget = capital * cfg.strategies.pairs.riskPerPairPct;
  const valid = capital > 0 && priceA > 0 && priceB > 0 && stopDistance > 0;
  const budgetLegValue = valid ? riskBudget / stopDistance : 0;
  const capsA = dollarCaps(capital, input.existingValueA ?? 0, cfg.risk);
  const capsB = dollarCaps(capital, input.existingValueB ?? 0, cfg.risk);
  const [binding, legValue] = valid
    ? smallest([
        ['RISK_BUDGET', budgetLegValue],
        ['MAX_POSITION_PCT', capsA.positionPct],
        ['MAX_POSITION_VALUE', capsA.positionValue],
        ['MAX_SINGLE_STOCK_PCT', min(capsA.singleStock, capsB.singleStock)],
      ])
    : (['INVALID_INPUT', 0] as [SizeBinding, number]);
  const quantityA = valid ? floorShares(legValue / priceA) : 0;
  const quantityB = valid ? floorShares(legValue / priceB) : 0;
  const legValueA = quantityA * priceA;
  const legValueB = quantityB * priceB;
  return {
    quantityA,
    quantityB,
    legValue,
    binding,
    values: { stopDistance, riskBudget, budgetLegValue, riskAtStop: pairRiskAtStop(legValueA, legValueB, stopDistance), legValueA, legValueB },
  };
}

/** Dollars at risk at a pair's stop: the larger leg × the spread distance to the stop (log units). */
export function pairRiskAtStop(legValueA: number, legValueB: number, stopDistance: number): number {
  return max(abs(legValueA), abs(legValueB)) * stopDistance;
}

/** The position caps in dollars for one stock: the per-position ones, and the room left under the single-stock one. */
function dollarCaps(capital: number, existingValue: number, r: RiskConfig): { positionPct: number; positionValue: number; singleStock: number } {
  return {
    positionPct: r.maxPositionPct * capital,
    positionValue: r.maxPositionValue,
    singleStock: max(0, r.maxSingleStockPct * capital - abs(existingValue)),
  };
}

function smallest(options: [SizeBinding, number][]): [SizeBinding, number] {
  let best = options[0]!;
  for (const o of options) if (o[1] < best[1]) best = o;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Drawdowns

export interface Drawdowns {
  /** (peak − equity) / peak over the current day, ISO week (Monday–Sunday) and calendar month: fractions ≥ 0. */
  daily: number;
  weekly: number;
  monthly: number;
}

export interface EquityPoint {
  /** Exchange-local date (YYYY-MM-DD) or an ISO timestamp whose first 10 characters are that date. */
  time: string;
  equity: number;
}

/**
 * Peak-to-current drawdown over the day, the ISO week and the calendar month, from an equity history fed in time
 * order. Each period's peak starts at the last equity before the period (the previous close), so an end-of-day
 * history alone still shows a one-day loss as a daily drawdown. O(1) state and work per point.
 */
export class DrawdownMonitor {
  private equity = NaN;
  private day = NaN;
  private week = NaN;
  private month = NaN;
  private dayPeak = NaN;
  private weekPeak = NaN;
  private monthPeak = NaN;
  private lastTime = '';

  constructor(history: Iterable<EquityPoint> = []) {
    for (const p of history) this.update(p.time, p.equity);
  }

  update(time: string, equity: number): Drawdowns {
    if (!(equity > 0) || !finite(equity)) throw new Error(`DrawdownMonitor: equity must be a positive number, got ${equity} at ${time}`);
    if (time < this.lastTime) throw new Error(`DrawdownMonitor: points must come in time order (${time} after ${this.lastTime})`);
    const day = dayNumber(time);
    const week = mondayOf(day);
    const month = Number(time.slice(0, 4)) * 12 + Number(time.slice(5, 7));
    // A new period starts from the equity that closed the previous one.
    const start = nan(this.equity) ? equity : this.equity;
    if (day !== this.day) this.dayPeak = start;
    if (week !== this.week) this.weekPeak = start;
    if (month !== this.month) this.monthPeak = start;
    this.day = day;
    this.week = week;
    this.month = month;
    this.lastTime = time;
    this.equity = equity;
    this.dayPeak = max(this.dayPeak, equity);
    this.weekPeak = max(this.weekPeak, equity);
    this.monthPeak = max(this.monthPeak, equity);
    return this.drawdowns;
  }

  get drawdowns(): Drawdowns {
    if (nan(this.equity)) return { daily: 0, weekly: 0, monthly: 0 };
    return {
      daily: (this.dayPeak - this.equity) / this.dayPeak,
      weekly: (this.weekPeak - this.equity) / this.weekPeak,
      monthly: (this.monthPeak - this.equity) / this.monthPeak,
    };
  }
}

/**
 * The first date whose close the drawdowns of `date` start from: the Monday of its ISO week or the 1st of its month,
 * whichever is earlier (the history given to drawdownsAsOf begins with the last close before it).
 */
export function drawdownHistoryStart(date: string): string {
  const day = dayNumber(date);
  const start = min(mondayOf(day), dayNumber(`${date.slice(0, 8)}01`));
  return new Date(start * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The drawdowns of `date` at the equity now: the recorded closes before `date` (oldest first, from the last one before
 * drawdownHistoryStart(date)), then `equity`. Without an earlier close the periods start at today's start-of-day
 * equity, as the broker reports it. Only the closes and the present are seen, so the day's peak is the higher of the
 * previous close and now. Equity at or below 0 has lost everything (when there was anything to lose); an equity that
 * is not a number (a figure the broker left out) measures nothing.
 */
export function drawdownsAsOf(closes: readonly EquityPoint[], date: string, live: { startOfDay: number; equity: number }): Drawdowns {
  const earlier = closes.filter((p) => p.time.slice(0, 10) < date && p.equity > 0 && finite(p.equity));
  const monitor = new DrawdownMonitor(earlier);
  const startKnown = earlier.length > 0 || (live.startOfDay > 0 && finite(live.startOfDay));
  if (earlier.length === 0 && startKnown) monitor.update(date, live.startOfDay);
  if (live.equity > 0 && finite(live.equity)) return monitor.update(date, live.equity);
  return startKnown && live.equity <= 0 ? { daily: 1, weekly: 1, monthly: 1 } : { daily: 0, weekly: 0, monthly: 0 };
}

/** The Monday on or before a day number: 1970-01-01 (day 0) was a Thursday. */
function mondayOf(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/** Days since 1970-01-01 of a YYYY-MM-DD prefix (Date.UTC with explicit fields reads no clock). */
function dayNumber(time: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(time);
  if (!m) throw new Error(`DrawdownMonitor: expected a YYYY-MM-DD date or ISO timestamp, got "${time}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

// ---------------------------------------------------------------------------------------------
// Pre-trade gate

export interface RiskLeg {
  symbol: string;
  /** GICS sector; unknown sectors share one bucket for the per-sector limit (fail safe, not unlimited). */
  sector?: string;
  side: 'LONG' | 'SHORT';
  quantity: number;
  price: number;
}

/** A pair's stop: entry z, stop z and the spread's σ (pairs.ts), which give its dollars at risk (header). */
export interface PairStop {
  entryZ: number;
  stopZ: number;
  spreadStdDev: number;
}

export type RiskOrder =
  | { kind: 'single'; leg: RiskLeg; stopPrice?: number; riskBudgetPct: number }
  | { kind: 'pair'; legs: readonly [RiskLeg, RiskLeg]; stop?: PairStop; riskBudgetPct: number };

export interface RiskPosition {
  /**
   * PENDING (entry working) and OPEN count as concurrent positions and toward their sectors; CLOSING ones (exit
   * working, slot being freed) only toward the total capacity, leverage and single-stock exposure.
   */
  status: 'PENDING' | 'OPEN' | 'CLOSING';
  /** One leg per stock; a pair is one position with two legs. PENDING legs carry their intended notional. */
  legs: readonly { symbol: string; sector?: string; marketValue: number }[];
}

export interface RiskPortfolio {
  /** Net liquidation value: the capital every percentage limit is taken of. */
  equity: number;
  state: TradingState;
  /** Realised + unrealised P&L since the session started, account currency. */
  dailyPnl: number;
  drawdowns: Drawdowns;
  positions: readonly RiskPosition[];
}

export interface RiskMarket {
  /** Latest VIX; undefined when unavailable (no reduction is applied and the approval says vixKnown: false). */
  vix?: number;
}

export type RiskRejectionCode =
  | 'TRADING_NOT_ACTIVE' | 'DAILY_LOSS_LIMIT' | 'DAILY_DRAWDOWN_LIMIT' | 'WEEKLY_DRAWDOWN_LIMIT' | 'MONTHLY_DRAWDOWN_LIMIT'
  | 'INVALID_ORDER' | 'STOP_LOSS_MISSING' | 'STOP_LOSS_INVALID' | 'QUANTITY_ZERO'
  | 'RISK_BUDGET_OUT_OF_RANGE' | 'RISK_PER_TRADE_TOO_HIGH'
  | 'POSITION_PCT_TOO_HIGH' | 'POSITION_VALUE_TOO_HIGH' | 'SINGLE_STOCK_PCT_TOO_HIGH'
  | 'MAX_CONCURRENT_POSITIONS' | 'MAX_TOTAL_POSITIONS' | 'MAX_POSITIONS_PER_SECTOR' | 'LEVERAGE_TOO_HIGH';

/** The checks in the order they run; an approval has passed all of them. */
export const RISK_CHECKS = Object.freeze([
  'TRADING_STATE', 'DAILY_LOSS', 'DAILY_DRAWDOWN', 'WEEKLY_DRAWDOWN', 'MONTHLY_DRAWDOWN', 'ORDER', 'STOP_LOSS', 'VIX_SCALING',
  'RISK_BUDGET', 'RISK_PER_TRADE', 'POSITION_PCT', 'POSITION_VALUE', 'SINGLE_STOCK_PCT', 'CONCURRENT_POSITIONS',
  'TOTAL_POSITIONS', 'POSITIONS_PER_SECTOR', 'LEVERAGE',
] as const);
export type RiskCheck = (typeof RISK_CHECKS)[number];

export type RiskValues = Record<string, number | string>;

export interface RiskRejection {
  approved: false;
  code: RiskRejectionCode;
  message: string;
  values: RiskValues;
}

export interface RiskApproval {
  approved: true;
  /** Final quantity per leg (one for a single order), after VIX scaling. */
  quantities: number[];
  vixReduced: boolean;
  checks: readonly RiskCheck[];
  values: { riskAtStop: number; notional: number; grossExposure: number; leverage: number; vix: number; vixKnown: boolean; sizeMultiplier: number };
}

export type RiskDecision = RiskApproval | RiskRejection;

function reject(code: RiskRejectionCode, message: string, values: RiskValues): RiskRejection {
  return { approved: false, code, message, values };
}

/** The pre-trade gate (see the header for the order and the boundaries). */
export function checkRisk(order: RiskOrder, portfolio: RiskPortfolio, market: RiskMarket, cfg: RiskConfig): RiskDecision {
  const account = accountCheck(portfolio, cfg);
  if (account) return account;
  const legs = order.kind === 'single' ? [order.leg] : order.legs;
  const invalid = orderCheck(legs, portfolio.equity);
  if (invalid) return invalid;
  const stop = stopCheck(order, cfg.requireStopLoss);
  if (stop) return stop;

  const vixKnown = market.vix !== undefined && finite(market.vix);
  const vixReduced = vixKnown && market.vix! > cfg.vixReduceThreshold;
  const multiplier = vixReduced ? cfg.vixSizeMultiplier : 1;
  const quantities = legs.map((l) => (vixReduced ? floorShares(l.quantity * multiplier) : l.quantity));
  const zero = quantities.indexOf(0);
  if (zero >= 0) {
    return reject('QUANTITY_ZERO', `${legs[zero]!.symbol}: ${legs[zero]!.quantity} shares × VIX multiplier ${multiplier} rounds to 0`, {
      symbol: legs[zero]!.symbol, value: 0, quantity: legs[zero]!.quantity, vix: market.vix ?? NAN, multiplier,
    });
  }

  const book = bookTotals(portfolio.positions, legs);
  const sized = exposureChecks(order, legs, quantities, book, portfolio.equity, cfg);
  if (!sized.approved) return sized;
  const counts = positionCountChecks(legs, book, portfolio.positions.length, cfg);
  if (counts) return counts;
  const gross = book.gross + sized.notional;
  const leverage = gross / portfolio.equity;
  if (exceeds(leverage, cfg.maxLeverage)) {
    return reject('LEVERAGE_TOO_HIGH', `gross exposure ${fmt(gross)} / equity ${fmt(portfolio.equity)} = ${fmt(leverage)} exceeds ${cfg.maxLeverage}`, {
      value: leverage, limit: cfg.maxLeverage, grossExposure: gross, equity: portfolio.equity,
    });
  }
  return {
    approved: true,
    quantities,
    vixReduced,
    checks: RISK_CHECKS,
    values: { riskAtStop: sized.riskAtStop, notional: sized.notional, grossExposure: gross, leverage, vix: market.vix ?? NAN, vixKnown, sizeMultiplier: multiplier },
  };
}

/** Account-level stops on new entries: trading state, per-day loss, drawdown limits. */
function accountCheck(p: RiskPortfolio, cfg: RiskConfig): RiskRejection | undefined {
  if (!allowsNewEntries(p.state)) return reject('TRADING_NOT_ACTIVE', `trading state is ${p.state}: no new entries`, { value: p.state, limit: 'ACTIVE' });
  if (-p.dailyPnl >= cfg.maxDailyLoss) {
    return reject('DAILY_LOSS_LIMIT', `today's loss ${fmt(-p.dailyPnl)} has reached the per-day limit ${cfg.maxDailyLoss}`, { value: -p.dailyPnl, limit: cfg.maxDailyLoss });
  }
  const dd = p.drawdowns;
  if (exceeds(dd.daily, cfg.maxDailyDrawdownPct)) return drawdownRejection('DAILY_DRAWDOWN_LIMIT', 'daily', dd.daily, cfg.maxDailyDrawdownPct);
  if (exceeds(dd.weekly, cfg.maxWeeklyDrawdownPct)) return drawdownRejection('WEEKLY_DRAWDOWN_LIMIT', 'weekly', dd.weekly, cfg.maxWeeklyDrawdownPct);
  if (exceeds(dd.monthly, cfg.maxMonthlyDrawdownPct)) return drawdownRejection('MONTHLY_DRAWDOWN_LIMIT', 'monthly', dd.monthly, cfg.maxMonthlyDrawdownPct);
  return undefined;
}

function drawdownRejection(code: RiskRejectionCode, period: string, value: number, limit: number): RiskRejection {
  return reject(code, `${period} drawdown ${pct(value)} exceeds the limit ${pct(limit)}`, { value, limit });
}

function orderCheck(legs: readonly RiskLeg[], equity: number): RiskRejection | undefined {
  if (!(equity > 0)) return reject('INVALID_ORDER', `equity must be positive, got ${equity}`, { value: equity, limit: 0 });
  for (const l of legs) {
    if (!isInteger(l.quantity) || l.quantity <= 0 || !(l.price > 0) || !finite(l.price)) {
      return reject('INVALID_ORDER', `${l.symbol}: quantity must be a positive integer and price positive (got ${l.quantity} @ ${l.price})`, {
        symbol: l.symbol, quantity: l.quantity, price: l.price,
      });
    }
  }
  if (legs.length === 2 && (legs[0]!.symbol === legs[1]!.symbol || legs[0]!.side === legs[1]!.side)) {
    return reject('INVALID_ORDER', `a pair needs two different symbols on opposite sides (got ${legs[0]!.side} ${legs[0]!.symbol}, ${legs[1]!.side} ${legs[1]!.symbol})`, {
      symbolA: legs[0]!.symbol, symbolB: legs[1]!.symbol,
    });
  }
  return undefined;
}

/** A stop on the loss side of the entry: below a long, above a short; for a pair beyond the entry z. */
function stopCheck(order: RiskOrder, required: boolean): RiskRejection | undefined {
  if (order.kind === 'single') {
    const { leg, stopPrice } = order;
    if (stopPrice === undefined) return required ? reject('STOP_LOSS_MISSING', `${leg.symbol}: no stop-loss`, { symbol: leg.symbol }) : undefined;
    const lossSide = leg.side === 'LONG' ? stopPrice < leg.price : stopPrice > leg.price;
    if (!(stopPrice > 0) || !lossSide) {
      return reject('STOP_LOSS_INVALID', `${leg.symbol}: stop ${stopPrice} is not on the loss side of a ${leg.side} entry at ${leg.price}`, {
        symbol: leg.symbol, value: stopPrice, limit: leg.price,
      });
    }
    return undefined;
  }
  const { stop } = order;
  if (stop === undefined) return required ? reject('STOP_LOSS_MISSING', `${order.legs[0].symbol}/${order.legs[1].symbol}: no stop z`, { symbol: order.legs[0].symbol }) : undefined;
  if (!(stop.stopZ > abs(stop.entryZ)) || !(stop.spreadStdDev > 0)) {
    return reject('STOP_LOSS_INVALID', `stop z ${stop.stopZ} must lie beyond the entry z ${stop.entryZ} with a positive spread σ (${stop.spreadStdDev})`, {
      value: stop.stopZ, limit: abs(stop.entryZ), spreadStdDev: stop.spreadStdDev,
    });
  }
  return undefined;
}

/** Dollars lost if the stop is hit; without a stop (requireStopLoss off) the whole notional is at risk. */
function riskAtStop(order: RiskOrder, legs: readonly RiskLeg[], quantities: readonly number[]): number {
  if (order.kind === 'single') {
    const value = quantities[0]! * legs[0]!.price;
    return order.stopPrice === undefined ? value : quantities[0]! * abs(legs[0]!.price - order.stopPrice);
  }
  const a = quantities[0]! * legs[0]!.price;
  const b = quantities[1]! * legs[1]!.price;
  return order.stop === undefined ? a + b : pairRiskAtStop(a, b, (order.stop.stopZ - abs(order.stop.entryZ)) * order.stop.spreadStdDev);
}

/** What the gate needs from the book, gathered in one indexed pass over the positions (no per-check scans). */
interface BookTotals {
  /** PENDING + OPEN positions. */
  concurrent: number;
  /** Σ |market value| of every leg of every position. */
  gross: number;
  /** Σ |market value| held in the order's first and second symbol. */
  exposure: [number, number];
  /** PENDING + OPEN positions with a leg in the sector of the order's first and second leg. */
  inSector: [number, number];
}

function bookTotals(positions: readonly RiskPosition[], legs: readonly RiskLeg[]): BookTotals {
  // Plain locals rather than small arrays in the hot loop: this pass is most of the gate's cost.
  const symbol0 = legs[0]!.symbol;
  const symbol1 = legs.length > 1 ? legs[1]!.symbol : undefined;
  const sector0 = sectorKey(legs[0]!.sector);
  const sector1 = legs.length > 1 ? sectorKey(legs[1]!.sector) : undefined;
  let concurrent = 0;
  let gross = 0;
  let exposure0 = 0;
  let exposure1 = 0;
  let inSector0 = 0;
  let inSector1 = 0;
  for (let p = 0; p < positions.length; p++) {
    const pos = positions[p]!;
    const counted = pos.status !== 'CLOSING';
    let in0 = false;
    let in1 = false;
    for (let k = 0; k < pos.legs.length; k++) {
      const l = pos.legs[k]!;
      const value = abs(l.marketValue);
      gross += value;
      if (l.symbol === symbol0) exposure0 += value;
      else if (l.symbol === symbol1) exposure1 += value;
      const sector = sectorKey(l.sector);
      if (sector === sector0) in0 = true;
      if (sector === sector1) in1 = true;
    }
    if (counted) {
      concurrent++;
      if (in0) inSector0++;
      if (in1) inSector1++;
    }
  }
  return { concurrent, gross, exposure: [exposure0, exposure1], inSector: [inSector0, inSector1] };
}

/** Unknown sectors share one bucket: the per-sector limit then still binds (fail safe, not unlimited). */
function sectorKey(sector: string | undefined): string {
  return sector ?? '';
}

/** Risk budget, risk per trade, and the per-leg position and single-stock limits. */
function exposureChecks(
  order: RiskOrder,
  legs: readonly RiskLeg[],
  quantities: readonly number[],
  book: BookTotals,
  equity: number,
  cfg: RiskConfig,
): RiskRejection | { approved: true; riskAtStop: number; notional: number } {
  if (order.riskBudgetPct < cfg.minRiskPerTradePct || order.riskBudgetPct > cfg.maxRiskPerTradePct) {
    return reject('RISK_BUDGET_OUT_OF_RANGE', `risk budget ${pct(order.riskBudgetPct)} outside [${pct(cfg.minRiskPerTradePct)}, ${pct(cfg.maxRiskPerTradePct)}]`, {
      value: order.riskBudgetPct, min: cfg.minRiskPerTradePct, max: cfg.maxRiskPerTradePct,
    });
  }
  const risk = riskAtStop(order, legs, quantities);
  if (exceeds(risk, cfg.maxRiskPerTradePct * equity)) {
    return reject('RISK_PER_TRADE_TOO_HIGH', `${fmt(risk)} at risk is ${pct(risk / equity)} of equity, above ${pct(cfg.maxRiskPerTradePct)}`, {
      value: risk / equity, limit: cfg.maxRiskPerTradePct, riskAtStop: risk, equity,
    });
  }
  let notional = 0;
  for (let k = 0; k < legs.length; k++) {
    const value = quantities[k]! * legs[k]!.price;
    notional += value;
    const rejection = legLimits(legs[k]!, value, book.exposure[k]! + value, equity, cfg);
    if (rejection) return rejection;
  }
  return { approved: true, riskAtStop: risk, notional };
}

/** `held`: what the book will hold in the leg's stock with this order. */
function legLimits(leg: RiskLeg, value: number, held: number, equity: number, cfg: RiskConfig): RiskRejection | undefined {
  if (exceeds(value, cfg.maxPositionPct * equity)) {
    return reject('POSITION_PCT_TOO_HIGH', `${leg.symbol}: ${fmt(value)} is ${pct(value / equity)} of equity, above ${pct(cfg.maxPositionPct)}`, {
      symbol: leg.symbol, value: value / equity, limit: cfg.maxPositionPct, notional: value, equity,
    });
  }
  if (exceeds(value, cfg.maxPositionValue)) {
    return reject('POSITION_VALUE_TOO_HIGH', `${leg.symbol}: ${fmt(value)} exceeds the per-position maximum ${cfg.maxPositionValue}`, {
      symbol: leg.symbol, value, limit: cfg.maxPositionValue,
    });
  }
  if (exceeds(held, cfg.maxSingleStockPct * equity)) {
    return reject('SINGLE_STOCK_PCT_TOO_HIGH', `${leg.symbol}: ${fmt(held)} would be ${pct(held / equity)} of equity, above ${pct(cfg.maxSingleStockPct)}`, {
      symbol: leg.symbol, value: held / equity, limit: cfg.maxSingleStockPct, exposure: held, equity,
    });
  }
  return undefined;
}

function positionCountChecks(legs: readonly RiskLeg[], book: BookTotals, tracked: number, cfg: RiskConfig): RiskRejection | undefined {
  if (book.concurrent + 1 > cfg.maxConcurrentPositions) {
    return reject('MAX_CONCURRENT_POSITIONS', `${book.concurrent} positions open or pending: the limit is ${cfg.maxConcurrentPositions}`, {
      value: book.concurrent, limit: cfg.maxConcurrentPositions,
    });
  }
  if (tracked + 1 > cfg.maxTotalPositions) {
    return reject('MAX_TOTAL_POSITIONS', `${tracked} positions tracked: the capacity is ${cfg.maxTotalPositions}`, { value: tracked, limit: cfg.maxTotalPositions });
  }
  for (let k = 0; k < legs.length; k++) {
    const sector = sectorKey(legs[k]!.sector);
    if (k === 1 && sector === sectorKey(legs[0]!.sector)) break; // a same-sector pair is one position in that sector
    const n = book.inSector[k]!;
    if (n + 1 > cfg.maxPositionsPerSector) {
      return reject('MAX_POSITIONS_PER_SECTOR', `${n} positions in sector "${sector || 'unknown'}": the limit is ${cfg.maxPositionsPerSector}`, {
        sector, value: n, limit: cfg.maxPositionsPerSector,
      });
    }
  }
  return undefined;
}

function fmt(x: number): string {
  return isInteger(x) ? String(x) : x.toFixed(2);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

// ---------------------------------------------------------------------------------------------
// Kill switch

export type KillSwitchCode = 'DAILY_DRAWDOWN_LIMIT' | 'DAILY_LOSS_LIMIT' | 'BROKER_OUTAGE' | 'CORE_WORKFLOW_FAILURE' | 'MANUAL' | 'STOP_FILE';

export interface KillSwitchInput {
  drawdowns: Drawdowns;
  dailyPnl: number;
  /** Minutes since the broker connection was lost; undefined or 0 while connected (the caller owns the clock). */
  brokerDisconnectedMinutes?: number;
  /** An unhandled failure of a core workflow. */
  coreWorkflowFailure?: { workflow: string; error: string };
  /** A human's halt: CLI, Web UI signal. */
  manual?: { source: string; reason: string };
  /** Whether killSwitch.stopFile exists in the working directory (the caller looks). */
  stopFilePresent?: boolean;
}

export interface KillSwitchReason {
  code: KillSwitchCode;
  message: string;
  values: RiskValues;
}

export interface KillSwitchDecision {
  halt: boolean;
  /** Every trigger that fired, in the order of KillSwitchCode; the first is the primary reason. */
  reasons: KillSwitchReason[];
}

/**
 * Whether to engage the kill switch (halt → cancel → flatten → verify → alert). The daily drawdown triggers when it
 * EXCEEDS its limit, the per-day loss when it REACHES its limit, a broker outage when it lasts MORE than
 * brokerOutageMinutes; a core workflow failure only while haltOnCoreWorkflowFailure is on.
 */
export function killSwitchDecision(input: KillSwitchInput, cfg: Pick<TraderConfig, 'risk' | 'killSwitch'>): KillSwitchDecision {
  const reasons: KillSwitchReason[] = [];
  const { risk, killSwitch } = cfg;
  if (exceeds(input.drawdowns.daily, risk.maxDailyDrawdownPct)) {
    reasons.push({ code: 'DAILY_DRAWDOWN_LIMIT', message: `daily drawdown ${pct(input.drawdowns.daily)} exceeds ${pct(risk.maxDailyDrawdownPct)}`, values: { value: input.drawdowns.daily, limit: risk.maxDailyDrawdownPct } });
  }
  if (-input.dailyPnl >= risk.maxDailyLoss) {
    reasons.push({ code: 'DAILY_LOSS_LIMIT', message: `today's loss ${fmt(-input.dailyPnl)} has reached the per-day limit ${risk.maxDailyLoss}`, values: { value: -input.dailyPnl, limit: risk.maxDailyLoss } });
  }
  const outage = input.brokerDisconnectedMinutes ?? 0;
  if (outage > killSwitch.brokerOutageMinutes) {
    reasons.push({ code: 'BROKER_OUTAGE', message: `broker disconnected for ${outage} min, more than ${killSwitch.brokerOutageMinutes}`, values: { value: outage, limit: killSwitch.brokerOutageMinutes } });
  }
  if (input.coreWorkflowFailure && killSwitch.haltOnCoreWorkflowFailure) {
    const f = input.coreWorkflowFailure;
    reasons.push({ code: 'CORE_WORKFLOW_FAILURE', message: `core workflow ${f.workflow} failed: ${f.error}`, values: { workflow: f.workflow, error: f.error } });
  }
  if (input.manual) {
    reasons.push({ code: 'MANUAL', message: `manual halt from ${input.manual.source}: ${input.manual.reason}`, values: { source: input.manual.source, reason: input.manual.reason } });
  }
  if (input.stopFilePresent) {
    reasons.push({ code: 'STOP_FILE', message: `${killSwitch.stopFile} file present in the working directory`, values: { file: killSwitch.stopFile } });
  }
  return { halt: reasons.length > 0, reasons };
}
