/** The daily summary at the close: the account's day, the trades opened and closed, what is held overnight. Pure. */
import { money, percent } from '../report/html';
import type { Block } from './document';
import { closedBetween, dayPnl, openAtClose, type DayRecord, type TradeRecord } from './model';
import type { Report } from './report';
import { closedTradesTable, closedTradeStatistics, openPositionsTable, signed, signedPercent, tradeFigures } from './trades';

export interface DailyInput {
  date: string;
  /** The day's row of daily_pnl; missing when the broker did not answer at the close. */
  day?: DayRecord;
  /** Positions that held shares on the date (PgReportSource.trades(date, date)). */
  trades: readonly TradeRecord[];
  /** When the report was made (ISO instant), shown at its foot. */
  generatedAt: string;
}

export function dailySummary({ date, day, trades, generatedAt }: DailyInput): Report {
  const opened = trades.filter((t) => t.opened === date);
  const closed = closedBetween(trades, date, date);
  const held = openAtClose(trades, date);
  const stats = closedTradeStatistics(closed, [date]);
  const pnl = day && dayPnl(day);
  const account: Block = day
    ? {
        kind: 'figures',
        rows: [
          ['Day P&L', `${signed(pnl!).text} (${signedPercent(pnl! / day.startingEquity)})`],
          ['Equity at the open', money(day.startingEquity)],
          ['Equity at the close', money(day.endingEquity)],
          ['Realized / unrealized P&L', `${signed(day.realizedPnl).text} / ${signed(day.unrealizedPnl).text}`],
          ['Max drawdown', percent(day.maxDrawdownPct)],
        ],
      }
    : { kind: 'note', text: 'No end-of-day equity was recorded for this date (the broker did not answer at the close): the trades below come from the positions alone.' };
  const headline = pnl === undefined ? `closed trades ${signed(stats.netPnl).text}` : `P&L ${signed(pnl).text} (${signedPercent(pnl / day!.startingEquity)})`;
  return {
    id: `daily-${date}`,
    subject: `Daily summary ${date}: ${headline}, ${stats.tradeCount} trades closed, ${stats.winCount} won`,
    figures: {
      date, dayPnl: pnl ?? null, endingEquity: day?.endingEquity ?? null, tradesOpened: opened.length, tradesClosed: stats.tradeCount,
      wins: stats.winCount, losses: stats.lossCount, closedTradesPnl: stats.netPnl, openAtClose: held.length,
    },
    document: {
      title: `Daily summary ${date}`,
      subtitle: `${opened.length} opened · ${stats.tradeCount} closed · ${held.length} held at the close · made ${generatedAt}`,
      sections: [
        { heading: 'Account', blocks: [account] },
        { heading: 'Trades', blocks: [{ kind: 'figures', rows: [['Trades opened', String(opened.length)], ...tradeFigures(closed, stats)] }] },
        { heading: 'Closed today', blocks: [closedTradesTable(closed)] },
        { heading: 'Opened today', blocks: [openPositionsTable(opened)] },
        { heading: 'Held at the close', blocks: [openPositionsTable(held)] },
      ],
    },
  };
}

