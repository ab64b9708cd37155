/**
 * The simulated account: cash, positions with IB-style average cost, realized P&L, commissions.
 *
 * Simplifications: one USD account; no margin checks or rejections, shorting is free and unlimited; no interest,
 * dividends, borrow fees or settlement. As at IB, the average cost includes the opening commissions, and realized
 * P&L is net of the commissions of both sides. Commission (IB fixed tier): perShare × shares, at least
 * minPerOrder, at most maxPctOfValue × value, charged per ORDER: each execution pays the increase of the order's
 * running total. BuyingPower = (NetLiquidation − marginRate × GrossPositionValue) / marginRate (4× with 25%).
 */
export interface CommissionConfig {
  perShare: number;
  minPerOrder: number;
  maxPctOfValue: number;
}

export const DEFAULT_COMMISSION: CommissionConfig = { perShare: 0.005, minPerOrder: 1, maxPctOfValue: 0.01 };

/** The commission of a whole order that has filled `shares` for `value` dollars so far. */
export function orderCommission(c: CommissionConfig, shares: number, value: number): number {
  return Math.min(Math.max(shares * c.perShare, c.minPerOrder), value * c.maxPctOfValue);
}

export interface PositionView {
  symbol: string;
  position: number;
  avgCost: number;
  /** Undefined when the symbol has no price yet. */
  marketPrice?: number;
  marketValue: number;
  unrealizedPnL: number;
  realizedPnL: number;
}

export interface AccountSummary {
  NetLiquidation: number;
  TotalCashValue: number;
  BuyingPower: number;
  AvailableFunds: number;
  GrossPositionValue: number;
  UnrealizedPnL: number;
  RealizedPnL: number;
}

interface Holding {
  position: number;
  avgCost: number;
  realizedPnL: number;
}

export class Account {
  private cash: number;
  private realized = 0;
  private readonly holdings = new Map<string, Holding>();

  constructor(
    startingCash: number,
    private readonly marginRate: number,
  ) {
    this.cash = startingCash;
  }

  /** Books an execution (qty > 0 buys); returns the realized P&L when it reduces a position, else undefined. */
  book(symbol: string, qty: number, price: number, commission: number): number | undefined {
    let h = this.holdings.get(symbol);
    if (!h) this.holdings.set(symbol, (h = { position: 0, avgCost: 0, realizedPnL: 0 }));
    this.cash -= qty * price + commission;
    const pos = h.position;
    if (pos === 0 || Math.sign(pos) === Math.sign(qty)) {
      h.avgCost = (h.avgCost * pos + qty * price + commission) / (pos + qty);
      h.position = pos + qty;
      return undefined;
    }
    const closing = Math.min(Math.abs(qty), Math.abs(pos));
    const opening = Math.abs(qty) - closing;
    const closingCommission = (commission * closing) / Math.abs(qty);
    const realized = (price - h.avgCost) * closing * Math.sign(pos) - closingCommission;
    h.position = pos + qty;
    if (opening > 0) h.avgCost = price + (commission - closingCommission) / h.position;
    else if (h.position === 0) h.avgCost = 0;
    h.realizedPnL += realized;
    this.realized += realized;
    return realized;
  }

  /** Every symbol traded, including closed (zero) positions, as IB lists them. */
  positions(mark: (symbol: string) => number | undefined): PositionView[] {
    return [...this.holdings].map(([symbol, h]) => {
      const marketPrice = mark(symbol);
      const price = marketPrice ?? h.avgCost;
      return { symbol, position: h.position, avgCost: h.avgCost, marketPrice, marketValue: h.position * price, unrealizedPnL: h.position * (price - h.avgCost), realizedPnL: h.realizedPnL };
    });
  }

  summary(mark: (symbol: string) => number | undefined): AccountSummary {
    let value = 0;
    let gross = 0;
    let unrealized = 0;
    for (const p of this.positions(mark)) {
      value += p.marketValue;
      gross += Math.abs(p.marketValue);
      unrealized += p.unrealizedPnL;
    }
    const net = this.cash + value;
    const available = net - this.marginRate * gross;
    return {
      NetLiquidation: net,
      TotalCashValue: this.cash,
      BuyingPower: Math.max(0, available) / this.marginRate,
      AvailableFunds: available,
      GrossPositionValue: gross,
      UnrealizedPnL: unrealized,
      RealizedPnL: this.realized,
    };
  }
}
