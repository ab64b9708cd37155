/**
 * The weekly report: the week's P&L, trades, win rate, Sharpe ratio, drawdown and exposure, per strategy and per
 * day, with the equity curve and its drawdown charted over the last weeks. Pure.
 */
import { money, percent } from '../report/html';
import { timeChart, type Marker } from '../report/svg-chart';
import { previousTradingDay } from '../trading/calendar';
import { drawdownSeries, maxDrawdown, sharpeRatio, tradeStatistics, type EquityPoint } from '../trading/metrics';
import type { Block, Cell } from './document';
import { closedBetween, dayPnl, daysBefore, openAtClose, type DayRecord, type TradeRecord } from './model';
import { figure, type Report } from './report';
import { closedTradesTable, closedTradeStatistics, openPositionsTable, signed, signedPercent, strategyName, tradeFigures } from './trades';

export interface WeeklyInput {
  /** The week's last date; the week is the seven dates ending on it. */
  weekEnding: string;
  /** The exchange sessions of the week (trading/calendar), over which exposure is measured. */
  sessions: readonly string[];
  /** daily_pnl over the charted span (its last chartDays calendar days), oldest first. */
  days: readonly DayRecord[];
  /** daily_pnl of the last sharpeSessions sessions up to weekEnding, for the Sharpe ratio. */
  sharpeDays: readonly DayRecord[];
  /** Positions that held shares during the week (PgReportSource.trades(week start, weekEnding)). */
  trades: readonly TradeRecord[];
  generatedAt: string;
}

const WIDTH = 1000;
const WIN = '#137333';
const LOSS = '#b3261e';

/** The first date of the week ending on `weekEnding`. */
export function weekStart(weekEnding: string): string {
  return daysBefore(weekEnding, 6);
}

const dayReturn = (d: DayRecord): number => d.endingEquity / d.startingEquity - 1;

/** A day with equity at both ends: an empty account has no return (and the metrics refuse one). */
const funded = (d: DayRecord): boolean => d.startingEquity > 0 && d.endingEquity > 0;

export function weeklyReport(input: WeeklyInput): Report {
  const { weekEnding, sessions, trades, generatedAt } = input;
  const from = weekStart(weekEnding);
  const days = input.days.filter(funded);
  const sharpeDays = input.sharpeDays.filter(funded);
  const week = days.filter((d) => d.date >= from);
  const closed = closedBetween(trades, from, weekEnding);
  const stats = closedTradeStatistics(closed, sessions);
  // Exposure counts the positions still held too, up to the week's end.
  const exposure = tradeStatistics(trades.map((t) => ({ pnl: 0, entryDate: t.opened, exitDate: t.closed && t.closed < weekEnding ? t.closed : weekEnding })), sessions).exposure;
  const sharpe = sharpeDays.length >= 2 ? sharpeRatio(sharpeDays.map(dayReturn)) : NaN;
  const weekDrawdown = week.length ? maxDrawdown(week.map(dayReturn)) : NaN;
  const first = week[0];
  const last = week[week.length - 1];
  const pnl = first && last ? last.endingEquity - first.startingEquity : NaN;
  const weekReturn = first && last ? last.endingEquity / first.startingEquity - 1 : NaN;

  const curve = equityCurve(days);
  const drawdown = curve.length ? drawdownSeries(curve) : [];
  const runningDrawdown = Math.min(0, ...drawdown.map((d) => d.value));
  const sharpeLabel = `Sharpe ratio (annualised, last ${sharpeDays.length} sessions)`;

  const figures: Block = {
    kind: 'figures',
    rows: [
      ...(first && last
        ? ([
            ['Week P&L', `${signed(pnl).text} (${signedPercent(weekReturn)})`],
            ['Equity at the start / end', `${money(first.startingEquity)} / ${money(last.endingEquity)}`],
            ['Max drawdown (week)', percent(weekDrawdown)],
          ] as const)
        : []),
      [sharpeLabel, Number.isFinite(sharpe) ? sharpe.toFixed(2) : '–'],
      [`Max drawdown (last ${daysSpan(curve)} days)`, curve.length ? percent(runningDrawdown) : '–'],
      ['Exposure (sessions with a position)', percent(exposure, 0)],
      ['Sessions recorded', `${week.length} of ${sessions.length}`],
    ],
  };
  const account: Block[] = first ? [figures] : [{ kind: 'note', text: 'No end-of-day equity was recorded this week: the trades below come from the positions alone.' }, figures];

  const equityMarkers: Marker[] = closed.flatMap((t) => {
    const day = days.find((d) => d.date === t.closed);
    if (!day) return [];
    const title = `${t.closed} ${t.symbols.join('/')} ${t.strategy}: ${signed(t.realizedPnl).text} (${t.exitReason ?? 'closed'})`;
    return [{ date: t.closed!, value: day.endingEquity, shape: 'dot' as const, color: t.realizedPnl > 0 ? WIN : LOSS, title }];
  });
  const charts: Block[] = curve.length
    ? [
        { kind: 'chart', svg: timeChart({ title: 'Equity at each close (trades closed this week marked)', width: WIDTH, height: 280, series: [{ name: 'equity', color: '#1f5fbf', points: curve.map((p) => ({ date: p.date, value: p.equity })) }], markers: equityMarkers }) },
        { kind: 'chart', svg: timeChart({ title: 'Drawdown from the running peak', width: WIDTH, height: 200, includeZero: true, format: (v) => percent(v, 1), series: [{ name: 'drawdown', color: LOSS, area: true, points: drawdown }] }) },
      ]
    : [{ kind: 'note', text: 'No equity recorded to chart.' }];

  const headline = Number.isFinite(pnl) ? `P&L ${signed(pnl).text} (${signedPercent(weekReturn)})` : `closed trades ${signed(stats.netPnl).text}`;
  return {
    id: `weekly-${weekEnding}`,
    subject: `Weekly report, week ending ${weekEnding}: ${headline}, ${stats.tradeCount} trades, win rate ${percent(stats.winRate, 0)}, Sharpe ${Number.isFinite(sharpe) ? sharpe.toFixed(2) : '–'}`,
    figures: {
      weekEnding, pnl: figure(pnl), return: figure(weekReturn), trades: stats.tradeCount, wins: stats.winCount, losses: stats.lossCount,
      winRate: figure(stats.winRate), sharpe: figure(sharpe), maxDrawdown: figure(weekDrawdown), exposure: figure(exposure),
    },
    document: {
      title: `Weekly report: ${from} – ${weekEnding}`,
      subtitle: `${sessions.length} sessions · ${stats.tradeCount} trades closed · made ${generatedAt}`,
      sections: [
        { heading: 'Account', blocks: account },
        { heading: 'Equity and drawdown', blocks: charts },
        { heading: 'Trades', blocks: [{ kind: 'figures', rows: [...tradeFigures(closed, stats), ['Average win / loss', `${money(stats.averageWin)} / ${money(stats.averageLoss)}`], ['Profit factor', Number.isFinite(stats.profitFactor) ? stats.profitFactor.toFixed(2) : '–']] }] },
        { heading: 'By strategy', blocks: [strategyTable(closed, sessions)] },
        { heading: 'By day', blocks: [daysTable(week)] },
        { heading: 'Closed this week', blocks: [closedTradesTable(closed)] },
        { heading: 'Held at the end of the week', blocks: [openPositionsTable(openAtClose(trades, weekEnding))] },
      ],
    },
  };
}

/** Equity at each recorded close, opened by the first day's starting equity at the session before it. */
function equityCurve(days: readonly DayRecord[]): EquityPoint[] {
  if (days.length === 0) return [];
  return [{ date: previousTradingDay(days[0]!.date), equity: days[0]!.startingEquity }, ...days.map((d) => ({ date: d.date, equity: d.endingEquity }))];
}

function daysSpan(curve: readonly EquityPoint[]): number {
  return curve.length ? Math.round((Date.parse(curve[curve.length - 1]!.date) - Date.parse(curve[0]!.date)) / 86_400_000) : 0;
}

function strategyTable(closed: readonly TradeRecord[], sessions: readonly string[]): Block {
  const strategies = [...new Set(closed.map((t) => t.strategy))].sort();
  return {
    kind: 'table',
    header: ['Strategy', 'Trades', 'Won / lost', 'Win rate', 'P&L'],
    rows: strategies.map((name): Cell[] => {
      const s = closedTradeStatistics(closed.filter((t) => t.strategy === name), sessions);
      return [strategyName(name), String(s.tradeCount), `${s.winCount} / ${s.lossCount}`, percent(s.winRate, 1), signed(s.netPnl)];
    }),
    empty: 'No trade closed.',
  };
}

function daysTable(week: readonly DayRecord[]): Block {
  return {
    kind: 'table',
    header: ['Date', 'Equity at the open', 'Equity at the close', 'P&L', 'Return', 'Realized', 'Commissions'],
    rows: week.map((d): Cell[] => [d.date, money(d.startingEquity), money(d.endingEquity), signed(dayPnl(d)), signedPercent(dayReturn(d)), signed(d.realizedPnl), money(d.commissions)]),
    empty: 'No day recorded.',
  };
}
