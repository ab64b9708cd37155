/** The trade sections both reports share: closed trades, positions held at a close, and their statistics. Pure. */
import { money, percent } from '../report/html';
import { tradeStatistics, type TradeStatistics } from '../trading/metrics';
import type { Block, Cell } from './document';
import type { TradeRecord } from './model';

/** An amount with its sign (+1,234.56 / -12.00), coloured in HTML. */
export function signed(x: number): { text: string; sign: number } {
  return { text: `${x > 0 ? '+' : ''}${money(x)}`, sign: x };
}

/** A return with its sign: +0.30% / -1.25%. */
export function signedPercent(x: number): string {
  return `${x > 0 ? '+' : ''}${percent(x)}`;
}

/** The statistics of round trips closed over `sessions` (each trade from the day it opened to the day it closed). */
export function closedTradeStatistics(closed: readonly TradeRecord[], sessions: readonly string[]): TradeStatistics {
  return tradeStatistics(closed.map((t) => ({ pnl: t.realizedPnl, entryDate: t.opened, exitDate: t.closed! })), sessions);
}

export function tradeFigures(closed: readonly TradeRecord[], s: TradeStatistics): [string, string][] {
  return [
    ['Trades closed', String(s.tradeCount)],
    ['Won / lost', `${s.winCount} / ${s.lossCount}`],
    ['Win rate', percent(s.winRate, 1)],
    ["Closed trades' P&L (net)", signed(s.netPnl).text],
    ['Commissions', money(closed.reduce((sum, t) => sum + t.commission, 0))],
  ];
}

/** mean_reversion → mean reversion. */
export const strategyName = (strategy: TradeRecord['strategy']): string => strategy.replace('_', ' ');
const legPrices = (t: TradeRecord, price: 'entryPrice' | 'exitPrice'): string => t.legs.map((l) => (l[price] === undefined ? '–' : l[price]!.toFixed(2))).join(' / ');
const optionalPrice = (p: number | undefined): string => (p === undefined ? '–' : p.toFixed(2));

export function closedTradesTable(closed: readonly TradeRecord[]): Block {
  return {
    kind: 'table',
    header: ['Symbols', 'Strategy', 'Side', 'Opened', 'Closed', 'Entry', 'Exit', 'P&L', 'Commission', 'Exit reason'],
    rows: closed.map((t): Cell[] => [
      t.symbols.join(' / '), strategyName(t.strategy), t.side, t.opened, t.closed!, legPrices(t, 'entryPrice'), legPrices(t, 'exitPrice'),
      signed(t.realizedPnl), money(t.commission), t.exitReason ?? '',
    ]),
    empty: 'No trade closed.',
  };
}

export function openPositionsTable(open: readonly TradeRecord[]): Block {
  return {
    kind: 'table',
    header: ['Symbols', 'Strategy', 'Side', 'Opened', 'Shares (short < 0)', 'Entry', 'Stop', 'Target', 'State'],
    rows: open.map((t): Cell[] => [
      t.symbols.join(' / '), strategyName(t.strategy), t.side, t.opened, t.legs.map((l) => String(l.quantity)).join(' / '),
      legPrices(t, 'entryPrice'), optionalPrice(t.stopPrice), optionalPrice(t.targetPrice), t.state,
    ]),
    empty: 'No position held.',
  };
}
