// Live P&L conditions, pure: drawdowns over the recorded closes plus the live equity (trading/risk.ts), daily P&L
// milestones (trading/pnl-milestones.ts), unusual strategy performance (trading/strategy-performance.ts), and their
// settings' validation. Hand-computed cases.
import { ConfigError, loadConfig, type ConfigIssue } from '../config';
import { longDrawdownLevels } from '../activities/kill-switch';
import { pnlMilestone, type PnlMilestonesConfig } from '../trading/pnl-milestones';
import { drawdownHistoryStart, drawdownsAsOf } from '../trading/risk';
import { strategyAnomalies, type ClosedTradeOutcome, type StrategyPerformanceConfig } from '../trading/strategy-performance';

describe('drawdowns of a date from the recorded closes and the live equity', () => {
  test('the history starts on the Monday of the ISO week or the 1st of the month, whichever is earlier', () => {
    expect(drawdownHistoryStart('2024-03-13')).toBe('2024-03-01'); // Wednesday; the month began first
    expect(drawdownHistoryStart('2024-05-02')).toBe('2024-04-29'); // Thursday; its week began in April
    expect(drawdownHistoryStart('2024-04-01')).toBe('2024-04-01'); // a Monday that is the 1st
    expect(drawdownHistoryStart('2024-03-10')).toBe('2024-03-01'); // a Sunday ends the week of Monday 03-04
    expect(drawdownHistoryStart('2025-01-02')).toBe('2024-12-30'); // across the year
  });

  // Mid-March 2024: the month's peak on Monday 03-04, the week's (from Friday 03-08's close) on Monday 03-11.
  const closes = [
    { time: '2024-02-28', equity: 200_000 }, // before the month's starting close: no effect on any period
    { time: '2024-02-29', equity: 100_000 }, // the close the month starts from
    { time: '2024-03-01', equity: 101_000 },
    { time: '2024-03-04', equity: 106_000 },
    { time: '2024-03-05', equity: 0 }, // not a usable equity: ignored
    { time: '2024-03-08', equity: 102_000 }, // the close the week starts from
    { time: '2024-03-11', equity: 104_000 },
    { time: '2024-03-12', equity: 103_500 }, // the close the day starts from
    { time: '2024-03-13', equity: 999_999 }, // today's own row (written at the close): the live figure replaces it
  ];

  test('each period peaks in the closes since the close before it began, down to the equity now', () => {
    // startOfDay is the broker's view; with recorded closes the previous close is where the day starts.
    const d = drawdownsAsOf(closes, '2024-03-13', { startOfDay: 50_000, equity: 101_000 });
    expect(d.daily).toBeCloseTo(2_500 / 103_500, 15);
    expect(d.weekly).toBeCloseTo(3_000 / 104_000, 15);
    expect(d.monthly).toBeCloseTo(5_000 / 106_000, 15);
    // A new high of the day is no drawdown today; the week and month still measure from their peaks.
    expect(drawdownsAsOf(closes, '2024-03-13', { startOfDay: 50_000, equity: 105_000 })).toEqual({ daily: 0, weekly: 0, monthly: 1_000 / 106_000 });
  });

  test('without any recorded close the periods start at the start-of-day equity', () => {
    expect(drawdownsAsOf([], '2024-03-13', { startOfDay: 100_000, equity: 97_000 })).toEqual({ daily: 0.03, weekly: 0.03, monthly: 0.03 });
    expect(drawdownsAsOf([], '2024-03-13', { startOfDay: 100_000, equity: 101_000 })).toEqual({ daily: 0, weekly: 0, monthly: 0 });
    // Only closes after the date: as good as none.
    expect(drawdownsAsOf([{ time: '2024-03-14', equity: 120_000 }], '2024-03-13', { startOfDay: 100_000, equity: 99_000 }).daily).toBeCloseTo(0.01, 15);
  });

  test('no equity left is a full drawdown; a missing figure or an unfunded account measures nothing', () => {
    expect(drawdownsAsOf(closes, '2024-03-13', { startOfDay: 1_000, equity: 0 })).toEqual({ daily: 1, weekly: 1, monthly: 1 });
    expect(drawdownsAsOf([], '2024-03-13', { startOfDay: 1_000, equity: -5 })).toEqual({ daily: 1, weekly: 1, monthly: 1 });
    expect(drawdownsAsOf(closes, '2024-03-13', { startOfDay: NaN, equity: NaN })).toEqual({ daily: 0, weekly: 0, monthly: 0 });
    expect(drawdownsAsOf([], '2024-03-13', { startOfDay: 0, equity: 0 })).toEqual({ daily: 0, weekly: 0, monthly: 0 });
  });
});

describe('daily P&L milestones', () => {
  const cfg: PnlMilestonesConfig = { enabled: true, gainsPct: [0.01, 0.02, 0.03], lossesPct: [0.01, 0.02] };

  test('the highest level reached, in the direction of the day', () => {
    expect(pnlMilestone(999.99, 100_000, cfg)).toBeUndefined();
    expect(pnlMilestone(1_000, 100_000, cfg)).toEqual({ direction: 'gain', levelPct: 0.01 }); // AT the level
    expect(pnlMilestone(2_400, 100_000, cfg)).toEqual({ direction: 'gain', levelPct: 0.02 });
    expect(pnlMilestone(9_000, 100_000, cfg)).toEqual({ direction: 'gain', levelPct: 0.03 });
    expect(pnlMilestone(-1_500, 100_000, cfg)).toEqual({ direction: 'loss', levelPct: 0.01 });
    expect(pnlMilestone(-2_500, 50_000, cfg)).toEqual({ direction: 'loss', levelPct: 0.02 }); // 5 %: beyond the last loss level
    // 1000.0002 / 100000.02 is 0.009999999999999998 in binary: still the 1 % level.
    expect(pnlMilestone(1_000.0002, 100_000.02, cfg)).toEqual({ direction: 'gain', levelPct: 0.01 });
  });

  test('none when disabled, flat, without levels, or without a start-of-day equity', () => {
    expect(pnlMilestone(5_000, 100_000, { ...cfg, enabled: false })).toBeUndefined();
    expect(pnlMilestone(0, 100_000, cfg)).toBeUndefined();
    expect(pnlMilestone(-5_000, 100_000, { ...cfg, lossesPct: [] })).toBeUndefined();
    expect(pnlMilestone(5_000, 0, cfg)).toBeUndefined();
    expect(pnlMilestone(NaN, 100_000, cfg)).toBeUndefined();
  });
});

describe('unusual strategy performance', () => {
  const cfg: StrategyPerformanceConfig = { enabled: true, lookbackTrades: 20, minTrades: 10, minWinRate: 0.25, maxConsecutiveLosses: 6, maxDailyLossPct: 0.015 };
  const W = (closedOn = '2024-03-11'): ClosedTradeOutcome => ({ realizedPnl: 300, closedOn });
  const L = (closedOn = '2024-03-12', realizedPnl = -100): ClosedTradeOutcome => ({ realizedPnl, closedOn });
  // 22 trades: two wins beyond the lookback (6 of 22 would be 27 %), then 20 with 4 wins (20 %) ending in 7 losses,
  // the last three today for -1,550.
  const trades = [
    W(), W(),
    W(), L(), L(), W(), L(), L(), W(), L(), L(), L(), L(), L(), W(),
    L(), L(), L(), L(), L('2024-03-13', -600), L('2024-03-13', -500), L('2024-03-13', -450),
  ];

  test('a low win rate, a long losing streak and a large daily loss, with their numbers', () => {
    expect(strategyAnomalies('mean_reversion', trades, '2024-03-13', 100_000, cfg)).toEqual([
      {
        strategy: 'mean_reversion', code: 'LOW_WIN_RATE', message: 'mean_reversion: 4 wins in its last 20 trades (20.00%), below the minimum 25.00%',
        values: { winRate: 0.2, minWinRate: 0.25, wins: 4, trades: 20 },
      },
      {
        strategy: 'mean_reversion', code: 'LOSING_STREAK', message: 'mean_reversion: 7 losing trades in a row (-1950.00), more than 6',
        values: { consecutiveLosses: 7, maxConsecutiveLosses: 6, pnl: -1_950 },
      },
      {
        strategy: 'mean_reversion', code: 'DAILY_LOSS', message: 'mean_reversion: lost 1550.00 on 2024-03-13 over 3 trades, 1.55% of equity 100000.00 (limit 1.50%)',
        values: { dailyPnl: -1_550, lossPct: 0.0155, maxDailyLossPct: 0.015, equity: 100_000, trades: 3 },
      },
    ]);
  });

  test('judged only on a day the strategy closed a trade', () => {
    expect(strategyAnomalies('pairs', trades, '2024-03-14', 100_000, cfg)).toEqual([]);
    expect(strategyAnomalies('pairs', trades, '2024-03-13', 100_000, { ...cfg, enabled: false })).toEqual([]);
  });

  test('limits: a win rate AT the minimum and a streak AT the maximum pass, a loss AT the limit is reported', () => {
    // 20 trades, 5 wins (25 %), ending in 6 losses (a break-even one among them), today's two losing exactly 1.5 %.
    const edge = [
      W(), L(), L(), W(), L(), L(), W(), L(), L(), L(), L(), L(), W(),
      W(), L(), L(), L(), L('2024-03-12', 0), L('2024-03-13', -1_000), L('2024-03-13', -500),
    ];
    expect(edge).toHaveLength(20);
    expect(strategyAnomalies('pairs', edge, '2024-03-13', 100_000, cfg).map((a) => a.code)).toEqual(['DAILY_LOSS']);
    // The break-even trade counts as a loss: one more loss makes 7 in a row.
    expect(strategyAnomalies('pairs', [...edge.slice(1), L('2024-03-13', -1)], '2024-03-13', 1e9, cfg).map((a) => [a.code, a.values.consecutiveLosses])).toEqual([
      ['LOW_WIN_RATE', undefined],
      ['LOSING_STREAK', 7],
    ]);
  });

  test('too few trades for a win rate; an unknown equity skips the daily loss', () => {
    const few = Array.from({ length: 9 }, () => L('2024-03-13', -400));
    expect(strategyAnomalies('pairs', few, '2024-03-13', undefined, cfg)).toEqual([
      expect.objectContaining({ code: 'LOSING_STREAK', values: { consecutiveLosses: 9, maxConsecutiveLosses: 6, pnl: -3_600 } }),
    ]);
  });
});

describe('settings of the conditions', () => {
  const load = (conditions: Record<string, unknown>) => loadConfig({ env: {}, configFile: '/dev/null', overrides: { alerts: { conditions } } });
  function issuesOf(conditions: Record<string, unknown>): ConfigIssue[] {
    try {
      load(conditions);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).issues;
    }
    throw new Error('expected the configuration to be refused');
  }

  test('the defaults', () => {
    expect(load({}).config.alerts.conditions).toEqual({
      pnlMilestones: { enabled: true, gainsPct: [0.01, 0.02, 0.03], lossesPct: [0.01, 0.02] },
      strategyPerformance: { enabled: true, lookbackTrades: 20, minTrades: 10, minWinRate: 0.25, maxConsecutiveLosses: 6, maxDailyLossPct: 0.015 },
    });
  });

  test('milestone levels must be above 0 and strictly ascending', () => {
    expect(issuesOf({ pnlMilestones: { gainsPct: [0.02, 0.01] } })).toEqual([
      expect.objectContaining({ field: 'alerts.conditions.pnlMilestones.gainsPct', message: expect.stringMatching(/strictly ascending/) }),
    ]);
    expect(issuesOf({ pnlMilestones: { lossesPct: [0.01, 0.01] } })).toEqual([
      expect.objectContaining({ field: 'alerts.conditions.pnlMilestones.lossesPct', message: expect.stringMatching(/strictly ascending/) }),
    ]);
    expect(issuesOf({ pnlMilestones: { lossesPct: [0, 0.01] } })).toEqual([
      expect.objectContaining({ field: 'alerts.conditions.pnlMilestones.lossesPct.0', message: expect.stringMatching(/must be above 0/) }),
    ]);
  });

  test('the strategy review needs its trade counts to fit in the lookback', () => {
    expect(issuesOf({ strategyPerformance: { minTrades: 21 } })).toEqual([
      expect.objectContaining({ field: 'alerts.conditions.strategyPerformance.minTrades', message: expect.stringMatching(/lookbackTrades \(20\)/) }),
    ]);
    expect(issuesOf({ strategyPerformance: { maxConsecutiveLosses: 20 } })).toEqual([
      expect.objectContaining({ field: 'alerts.conditions.strategyPerformance.maxConsecutiveLosses', message: expect.stringMatching(/must be below .*lookbackTrades \(20\)/) }),
    ]);
    expect(issuesOf({ strategyPerformance: { maxDailyLossPct: 0 } })).toEqual([
      expect.objectContaining({ field: 'alerts.conditions.strategyPerformance.maxDailyLossPct', message: expect.stringMatching(/above 0/) }),
    ]);
  });
});

describe('weekly and monthly drawdowns against their limits', () => {
  const risk = { maxWeeklyDrawdownPct: 0.05, maxMonthlyDrawdownPct: 0.1, drawdownWarningFraction: 0.8 };

  test('below the warning level: nothing; at 80 % of a limit: a warning; beyond it: exceeded', () => {
    expect(longDrawdownLevels({ daily: 0.02, weekly: 0.039, monthly: 0.079 }, risk)).toEqual([]);
    expect(longDrawdownLevels({ daily: 0, weekly: 0.04, monthly: 0.08 }, risk).map(({ period, level }) => [period, level])).toEqual([['weekly', 'warning'], ['monthly', 'warning']]);
    const levels = longDrawdownLevels({ daily: 0, weekly: 0.0501, monthly: 0.1 }, risk);
    expect(levels.map(({ period, level }) => [period, level])).toEqual([['weekly', 'exceeded'], ['monthly', 'warning']]); // at the limit is not beyond it
    expect(levels[0]!.message).toBe('weekly drawdown 5.01 % beyond its 5.00 % limit: no new positions until it recovers');
  });
});
