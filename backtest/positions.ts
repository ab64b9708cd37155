/**
 * The backtester's positions: one per signal (a single stock or a pair), each leg with its own average-cost
 * ledger (trading/metrics.ts PositionLedger) fed by the broker's executions, so a trade's P&L is net of every
 * commission and slippage it paid, and the trades' P&L adds up to the account's.
 */
import { orderRef, type Fill } from '../broker/broker';
import { PositionLedger } from '../trading/metrics';
import type { SpreadSide } from '../trading/pairs';
import type { RiskPosition } from '../trading/risk';

export type StrategyName = 'meanrev' | 'pairs';
export const STRATEGY_NAMES: readonly StrategyName[] = ['meanrev', 'pairs'];

export interface Leg {
  symbol: string;
  sector: string | undefined;
  /** +1 long, −1 short. */
  side: 1 | -1;
  quantity: number;
  /** The decision price the position was sized at (a PENDING leg's notional for the risk gate). */
  decisionPrice: number;
  ledger: PositionLedger;
  entryPrice: number;
  exitPrice: number;
  filledEntry: boolean;
  /** Orders that may still be working: the entry until it fills, the protective stop while it rests. */
  entryRef?: string;
  stopRef?: string;
}

export interface Position {
  /** strategy:symbols:signal date, as a live position workflow id; order refs derive from it. */
  id: string;
  strategy: StrategyName;
  side: 'LONG' | SpreadSide;
  legs: Leg[];
  status: 'PENDING' | 'OPEN' | 'CLOSING';
  /** Session of the first entry fill. */
  entryDate: string;
  exitDate: string;
  exitReason: string;
  /** Pairs: the hedge ratio the spread is measured with for this position's life. */
  hedgeRatio: number;
  /** Exit attempts: a kill switch can cancel a working exit and flatten again under a new order reference. */
  exits: number;
}

/** One closed position as `trader backtest --json` prints it; prices and quantities per leg for a pair. */
export interface TradeRecord {
  strategy: StrategyName;
  symbols: string[];
  side: 'LONG' | SpreadSide;
  entryDate: string;
  entryPrice: number | number[];
  exitDate: string;
  exitPrice: number | number[];
  quantity: number | number[];
  pnl: number;
  exitReason: string;
}

export type LegRole = 'entry' | 'stop' | 'exit';

/** A fill routed to its position: which leg, and whether it opened or closed it. */
export interface RoutedFill {
  position: Position;
  leg: Leg;
  role: LegRole;
  fill: Fill;
}

export class PositionBook {
  readonly open: Position[] = [];
  readonly trades: TradeRecord[] = [];
  private readonly held = new Set<string>();
  private readonly routes = new Map<string, { position: Position; leg: Leg; role: LegRole }>();
  private readonly seen = new Set<string>();

  isHeld(symbol: string): boolean {
    return this.held.has(symbol);
  }

  add(position: Position): void {
    this.open.push(position);
    for (const l of position.legs) this.held.add(l.symbol);
  }

  /** The order reference of a leg's order, registered so that its fills find their way back. */
  ref(position: Position, leg: Leg, role: LegRole): string {
    const name = role === 'exit' && position.exits > 1 ? `exit${position.exits}` : role;
    const ref = orderRef(position.id, position.legs.length > 1 ? `${'AB'[position.legs.indexOf(leg)]}:${name}` : name);
    this.routes.set(ref, { position, leg, role });
    return ref;
  }

  /** Applies each execution of session `date` once (by execId) to its leg's ledger; returns what was applied. */
  apply(fills: readonly Fill[], date: string): RoutedFill[] {
    const out: RoutedFill[] = [];
    for (const fill of fills) {
      if (this.seen.has(fill.execId)) continue;
      this.seen.add(fill.execId);
      const route = this.routes.get(fill.orderRef);
      if (!route) throw new Error(`backtest: execution ${fill.execId} for unknown order ${fill.orderRef}`);
      const { position, leg, role } = route;
      leg.ledger.apply({ side: fill.side, quantity: fill.quantity, price: fill.price, commission: fill.commission ?? 0 });
      if (role === 'entry') {
        leg.entryPrice = fill.price;
        leg.filledEntry = true;
        if (!position.entryDate) position.entryDate = date;
        if (position.status === 'PENDING' && position.legs.every((l) => l.filledEntry)) position.status = 'OPEN';
      } else {
        leg.exitPrice = fill.price;
        position.exitDate = date;
      }
      out.push({ position, leg, role, fill });
    }
    return out;
  }

  /** Closes the position into a trade when every leg is flat; a position that never filled just disappears. */
  settle(position: Position): void {
    const index = this.open.indexOf(position);
    if (index < 0 || position.legs.some((l) => l.ledger.position !== 0)) return;
    this.open.splice(index, 1);
    for (const l of position.legs) this.held.delete(l.symbol);
    if (!position.legs.some((l) => l.filledEntry)) return;
    const one = position.legs.length === 1;
    const per = (f: (l: Leg) => number): number | number[] => (one ? f(position.legs[0]!) : position.legs.map(f));
    this.trades.push({
      strategy: position.strategy,
      symbols: position.legs.map((l) => l.symbol),
      side: position.side,
      entryDate: position.entryDate,
      entryPrice: per((l) => l.entryPrice),
      exitDate: position.exitDate,
      exitPrice: per((l) => l.exitPrice),
      quantity: per((l) => l.quantity),
      pnl: position.legs.reduce((sum, l) => sum + l.ledger.realizedPnl, 0),
      exitReason: position.exitReason,
    });
  }

  /** The book as the pre-trade risk gate sees it, marked with `price`. */
  riskPositions(price: (symbol: string) => number): RiskPosition[] {
    return this.open.map((p) => riskPosition(p, price));
  }
}

/** A position for the risk gate: filled legs at `price`, legs still to fill at their intended notional. */
export function riskPosition(p: Position, price: (symbol: string) => number): RiskPosition {
  return {
    status: p.status,
    legs: p.legs.map((l) => ({
      symbol: l.symbol,
      sector: l.sector,
      marketValue: l.filledEntry ? l.ledger.position * price(l.symbol) : l.side * l.quantity * l.decisionPrice,
    })),
  };
}
