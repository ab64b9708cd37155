/**
 * The backtest report: one self-contained HTML page (inline SVG and CSS, no script, no network) with the key
 * figures, the equity curve, the drawdown, the monthly returns, the trades marked on the price charts of the
 * most traded symbols (buys ▲, sells ▼, at their fill prices) and the list of every trade.
 */
import type { BarSeries } from '../market-data/files';
import { dataTable, figuresTable, htmlPage, escapeHtml, monthlyReturnsHtml, money, percent } from '../report/html';
import { timeChart, type Marker } from '../report/svg-chart';
import { drawdownSeries, monthlyReturnsTable } from '../trading/metrics';
import type { BacktestResult } from './engine';
import type { TradeRecord } from './positions';

export interface ReportInput {
  result: BacktestResult;
  /** The bars the backtest ran on, for the price charts. */
  bars: ReadonlyMap<string, BarSeries>;
  strategies: readonly string[];
  /** Price charts for this many of the most traded symbols (the page stays a few MB for a 20-year run). */
  priceCharts: number;
}

const WIDTH = 1060;
const BUY = '#137333';
const SELL = '#b3261e';

export function backtestReport({ result, bars, strategies, priceCharts }: ReportInput): string {
  const { metrics: m, equity, trades } = result;
  const from = equity[0]?.date ?? '';
  const to = equity[equity.length - 1]?.date ?? '';
  const figures = figuresTable([
    ['Initial capital', money(m.initialCapital)],
    ['Final equity', money(m.finalEquity)],
    ['Net P&L (trades)', money(m.netPnl)],
    ['Total return', percent(m.cumulativeReturn)],
    ['Annual return', percent(m.annualReturn)],
    ['Annual volatility', percent(m.annualVolatility)],
    ['Sharpe ratio', Number.isFinite(m.sharpeRatio) ? m.sharpeRatio.toFixed(2) : '–'],
    ['Max drawdown', percent(m.maxDrawdown)],
    ['Trades', String(m.tradeCount)],
    ['Win rate', percent(m.winRate, 1)],
    ['Average win / loss', `${money(m.averageWin)} / ${money(m.averageLoss)}`],
    ['Profit factor', Number.isFinite(m.profitFactor) ? m.profitFactor.toFixed(2) : '–'],
    ['Exposure', percent(m.exposure, 1)],
    ['Commissions', money(m.commissions)],
    ['Kill-switch halts', String(m.killSwitchHalts)],
    ['Risk rejections', Object.entries(m.riskRejections).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
    ['Sessions / bar evaluations', `${m.sessions} / ${m.barEvaluations}`],
  ]);
  const equityChart = timeChart({
    title: 'Equity', width: WIDTH, height: 320,
    series: [{ name: 'equity', color: '#1f5fbf', points: equity.map((e) => ({ date: e.date, value: e.equity })) }],
  });
  const drawdownChart = timeChart({
    title: 'Drawdown from the running peak', width: WIDTH, height: 220, includeZero: true, format: (v) => percent(v, 0),
    series: [{ name: 'drawdown', color: SELL, area: true, points: equity.length ? drawdownSeries(equity) : [] }],
  });
  const monthly = equity.length > 1 ? monthlyReturnsHtml(monthlyReturnsTable(equity)) : '<p class="note">Not enough sessions.</p>';
  const charted = mostTraded(trades, priceCharts);
  const priceSection = charted.map((symbol) => priceChart(symbol, bars.get(symbol), trades, from, to)).join('');
  const shown = charted.length < new Set(trades.flatMap((t) => t.symbols)).size ? `<p class="note">The ${charted.length} most traded symbols; every trade is listed below.</p>` : '';
  const body = `
<h1>Backtest ${escapeHtml(from)} – ${escapeHtml(to)}</h1>
<div class="subtitle">Strategies: ${escapeHtml(strategies.join(', '))} · fills at the next open with slippage and IB commissions · ${m.tradeCount} trades</div>
<h2>Key figures</h2>${figures}
<h2>Equity curve</h2>${equityChart}
<h2>Drawdown</h2>${drawdownChart}
<h2>Monthly returns</h2>${monthly}
<h2>Trades on price charts</h2>${shown}${priceSection || '<p class="note">No trades.</p>'}
<h2>Trades</h2>${tradesTable(trades)}`;
  return htmlPage(`Backtest ${from} – ${to}`, body);
}

function mostTraded(trades: readonly TradeRecord[], count: number): string[] {
  const n = new Map<string, number>();
  for (const t of trades) for (const s of t.symbols) n.set(s, (n.get(s) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, count).map(([s]) => s);
}

/** A leg's per-leg value of a field that is a number for one stock and an array for a pair. */
function legValue(v: number | number[], leg: number): number {
  return typeof v === 'number' ? v : v[leg]!;
}

function priceChart(symbol: string, s: BarSeries | undefined, trades: readonly TradeRecord[], from: string, to: string): string {
  const points = [];
  if (s) for (let i = 0; i < s.dates.length; i++) if (s.dates[i]! >= from && s.dates[i]! <= to) points.push({ date: s.dates[i]!, value: s.close[i]! });
  const markers: Marker[] = [];
  let pnl = 0;
  let count = 0;
  for (const t of trades) {
    const leg = t.symbols.indexOf(symbol);
    if (leg < 0) continue;
    count++;
    pnl += t.pnl;
    const long = t.side === 'LONG' || (t.side === 'LONG_SPREAD') === (leg === 0);
    const label = `${t.strategy} ${t.side} ${t.symbols.join('/')}`;
    const entry = legValue(t.entryPrice, leg);
    const exit = legValue(t.exitPrice, leg);
    markers.push({ date: t.entryDate, value: entry, shape: long ? 'up' : 'down', color: long ? BUY : SELL, title: `${t.entryDate} ${label}: ${long ? 'buy' : 'sell short'} at ${entry.toFixed(2)}` });
    markers.push({
      date: t.exitDate, value: exit, shape: long ? 'down' : 'up', color: long ? SELL : BUY,
      title: `${t.exitDate} ${label}: ${long ? 'sell' : 'cover'} at ${exit.toFixed(2)} (${t.exitReason}, trade P&L ${money(t.pnl)})`,
    });
  }
  return timeChart({ title: `${symbol}: ${count} trades, P&L ${money(pnl)}`, width: WIDTH, height: 240, series: [{ name: `${symbol} close`, color: '#44505f', points }], markers });
}

function tradesTable(trades: readonly TradeRecord[]): string {
  const fmt = (v: number | number[]): string => (typeof v === 'number' ? [v] : v).map((x) => x.toFixed(2)).join(' / ');
  return dataTable(
    ['Entry', 'Exit', 'Strategy', 'Symbols', 'Side', 'Quantity', 'Entry price', 'Exit price', 'P&L', 'Exit reason'],
    trades.map((t) => [
      t.entryDate, t.exitDate, t.strategy, t.symbols.join(' / '), t.side, (typeof t.quantity === 'number' ? [t.quantity] : t.quantity).join(' / '),
      fmt(t.entryPrice), fmt(t.exitPrice), { text: money(t.pnl), sign: t.pnl }, t.exitReason,
    ]),
  );
}
