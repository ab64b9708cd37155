import { z } from 'zod';
import type { MarketHours } from '../trading/calendar';

/** The phrase that, together with broker.mode = live, opts in to real-money trading. */
export const LIVE_TRADING_CONFIRMATION = 'I accept real-money trading';

const fraction = z.number().min(0).max(1);
const positiveInt = z.number().int().positive();
const port = z.number().int().min(1).max(65535);
const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 10m, 1h');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');
const severity = z.enum(['critical', 'warning', 'info']);
const weekday = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);

const broker = z.strictObject({
  host: z.string().min(1),
  port,
  clientId: z.number().int().min(0),
  account: z.string(),
  mode: z.enum(['paper', 'live']),
  confirmLiveTrading: z.string(),
  connectTimeoutMs: positiveInt,
});

const temporal = z.strictObject({
  address: z.string().regex(/^$|^[^\s:]+:\d+$/, 'expected host:port, or empty to start the local dev server'),
  namespace: z.string().min(1),
  taskQueue: z.string().min(1),
  tls: z.strictObject({
    enabled: z.boolean(),
    serverName: z.string(),
    caCertPath: z.string(),
    clientCertPath: z.string(),
    clientKeyPath: z.string(),
  }),
  worker: z.strictObject({ maxConcurrentActivities: positiveInt, stickyQueueTimeout: duration }),
  devServer: z.strictObject({
    ip: z.string().min(1),
    port,
    uiPort: port,
    dbFile: z.string().min(1),
  }),
});

const database = z.strictObject({
  embedded: z.strictObject({
    dataDir: z.string().min(1),
    port,
    user: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case SQL identifier'),
    database: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case SQL identifier'),
  }),
  poolSize: positiveInt,
});

const screening = z.strictObject({
  universe: z.strictObject({
    minAvgDollarVolume: z.number().nonnegative(),
    avgVolumeDays: positiveInt,
    maxSpreadPct: fraction,
    minPrice: z.number().positive(),
    maxPrice: z.number().positive(),
    minMarketCap: z.number().nonnegative(),
    exchanges: z.array(z.enum(['NYSE', 'NASDAQ', 'ARCA', 'AMEX', 'BATS'])).min(1),
  }),
  meanReversion: z.strictObject({
    atrPeriod: positiveInt,
    minAtrPct: fraction,
    maxAtrPct: fraction,
    adxPeriod: positiveInt,
    maxAdx: z.number().min(0).max(100),
    minBollingerWidthPct: fraction,
    indicatorBars: z.number().int().min(50),
  }),
  pairs: z.strictObject({
    correlationLookbackDays: z.number().int().min(20),
    minCorrelation: z.number().min(-1).max(1),
    maxCointegrationPValue: fraction,
    minSpreadVolatility: z.number().nonnegative(),
    sectorPolicy: z.enum(['prefer', 'require', 'ignore']),
    maxMarketCapDifferencePct: fraction,
    maxMissingSessions: z.number().int().min(0),
  }),
});

const strategies = z.strictObject({
  meanReversion: z.strictObject({
    enabled: z.boolean(),
    bollingerPeriod: z.number().int().min(2),
    bollingerStdDev: z.number().positive(),
    rsiPeriod: z.number().int().min(2),
    rsiOversold: z.number().min(0).max(100),
    rsiOverbought: z.number().min(0).max(100),
    volumeAvgPeriod: positiveInt,
    volumeMultiplier: z.number().positive(),
    earningsBlackoutDays: z.number().int().min(0),
    stopLossPct: fraction.refine((v) => v > 0, 'must be above 0: every position needs a stop'),
    maxHoldingDays: positiveInt,
    riskPerTradePct: fraction,
  }),
  pairs: z.strictObject({
    enabled: z.boolean(),
    lookbackDays: z.number().int().min(20),
    entryZ: z.number().positive(),
    exitZ: z.number().nonnegative(),
    stopZ: z.number().positive(),
    requireSpreadVolAboveAverage: z.boolean(),
    spreadVolWindow: z.number().int().min(2),
    maxHoldingDays: positiveInt,
    riskPerPairPct: fraction,
  }),
});

const risk = z.strictObject({
  minRiskPerTradePct: fraction,
  maxRiskPerTradePct: fraction,
  maxPositionPct: fraction,
  requireStopLoss: z.boolean(),
  maxDailyDrawdownPct: fraction,
  maxWeeklyDrawdownPct: fraction,
  maxMonthlyDrawdownPct: fraction,
  drawdownWarningFraction: fraction,
  maxConcurrentPositions: positiveInt,
  maxTotalPositions: positiveInt,
  vixReduceThreshold: z.number().positive(),
  vixSizeMultiplier: fraction,
  maxPositionsPerSector: positiveInt,
  maxSingleStockPct: fraction,
  maxLeverage: z.number().positive().max(10),
  maxDailyLoss: z.number().positive(),
  maxPositionValue: z.number().positive(),
});

const channel = z.strictObject({
  enabled: z.boolean(),
  from: z.string(),
  to: z.array(z.string().min(1)),
  severities: z.array(severity),
});

/** Daily P&L milestones: fractions of start-of-day equity, above 0 and strictly ascending. */
const milestoneLevels = z
  .array(z.number().gt(0, 'must be above 0: a fraction of start-of-day equity such as 0.01').max(1))
  .refine((levels) => levels.every((v, i) => i === 0 || v > levels[i - 1]!), 'must be strictly ascending, e.g. [0.01, 0.02, 0.03]');

const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone such as America/New_York');

const alerts = z.strictObject({
  dedupWindowMinutes: z.number().int().min(0),
  maxPerHour: positiveInt,
  quietHours: z
    .strictObject({ enabled: z.boolean(), start: clockTime, end: clockTime, timezone: timeZone })
    .refine((q) => q.start !== q.end, { path: ['end'], message: 'must differ from alerts.quietHours.start (set enabled: false for no quiet hours)' }),
  twilioApiUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.twilio.com' }),
  delivery: z
    .strictObject({
      channelTimeoutMs: positiveInt,
      activityTimeoutMs: positiveInt,
      retryInitialIntervalMs: positiveInt,
      retryBackoffCoefficient: z.number().min(1),
      retryMaximumIntervalMs: positiveInt,
      retryMaximumAttempts: z.number().int().min(0),
    })
    .refine((d) => d.channelTimeoutMs < d.activityTimeoutMs, {
      path: ['channelTimeoutMs'],
      message: 'must be below alerts.delivery.activityTimeoutMs, or a late send could overlap its retry and arrive twice',
    }),
  email: channel.extend({
    smtpHost: z.string().min(1),
    smtpPort: port,
    secure: z.boolean(),
  }),
  sms: channel,
  whatsapp: channel,
  conditions: z.strictObject({
    pnlMilestones: z.strictObject({ enabled: z.boolean(), gainsPct: milestoneLevels, lossesPct: milestoneLevels }),
    strategyPerformance: z.strictObject({
      enabled: z.boolean(),
      lookbackTrades: positiveInt,
      minTrades: positiveInt,
      minWinRate: fraction,
      maxConsecutiveLosses: positiveInt,
      maxDailyLossPct: fraction.refine((v) => v > 0, 'must be above 0: a fraction of equity such as 0.015'),
    }),
  }),
});

const reports = z.strictObject({
  dir: z.string().min(1),
  email: z.boolean(),
  to: z.array(z.string().min(1)),
  sharpeSessions: z.number().int().min(2),
  chartDays: z.number().int().min(7),
});

export const configSchema = z
  .strictObject({
    broker,
    temporal,
    database,
    data: z.strictObject({ dir: z.string().min(1) }),
    screening,
    strategies,
    risk,
    killSwitch: z.strictObject({
      brokerOutageMinutes: z.number().positive(),
      stopFile: z.string().min(1),
      haltOnCoreWorkflowFailure: z.boolean(),
      watchdogIntervalSeconds: z.number().int().min(1),
      positionsCloseTimeoutSeconds: z.number().int().min(1),
    }),
    positions: z.strictObject({
      exitCheckSeconds: z.number().int().min(1),
      resyncSeconds: z.number().int().min(1),
      eventDebounceMs: z.number().int().min(0).max(1000),
      quoteStreamIdleSeconds: z.number().int().min(1),
      workflowTaskTimeoutSeconds: z.number().int().min(1).max(60),
    }),
    schedule: z.strictObject({
      timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as America/New_York'),
      catchupWindow: duration,
      market: z.strictObject({ open: clockTime, close: clockTime, earlyClose: clockTime }),
      tradingDay: z.strictObject({
        hour: z.number().int().min(0).max(23),
        minute: z.number().int().min(0).max(59),
      }),
      universeRefresh: z.strictObject({
        dayOfWeek: weekday,
        hour: z.number().int().min(0).max(23),
        minute: z.number().int().min(0).max(59),
        barSource: z.enum(['files', 'broker']),
        historyYears: z.number().int().min(1).max(20),
        batchSize: positiveInt,
      }),
      premarketScreenMinutesBeforeOpen: z.number().int().min(1).max(600),
      intradayIntervalSeconds: z.number().int().min(1),
      volatilityUpdateMinutes: positiveInt,
      closeSettleSeconds: z.number().int().min(0).max(240),
    }),
    backtest: z.strictObject({
      initialCapital: z.number().positive(),
      fillAt: z.enum(['nextOpen']),
      commissionPerShare: z.number().nonnegative(),
      minCommissionPerOrder: z.number().nonnegative(),
      maxCommissionPct: fraction,
      slippageBps: z.number().min(0).max(1000),
    }),
    simulator: z.strictObject({
      enabled: z.enum(['auto', 'always', 'never']),
      startDate: z.string().regex(/^$|^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD, or empty for the last session in the data'),
      speed: z.number().positive(),
    }),
    observability: z
      .strictObject({
        logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
        metricsHost: z.string().min(1),
        metricsPort: z.number().int().min(0).max(65535),
        temporalMetricsPort: z.number().int().min(0).max(65535),
        temporalMetricsTimeoutMs: positiveInt,
      })
      .refine((o) => o.metricsPort === 0 || o.metricsPort !== o.temporalMetricsPort, {
        path: ['temporalMetricsPort'],
        message: 'must differ from observability.metricsPort: the Temporal runtime exports on its own port',
      }),
    alerts,
    reports,
  })
  .superRefine((c, ctx) => {
    const order = (lo: number, hi: number, path: (string | number)[], message: string) => {
      if (lo > hi) ctx.addIssue({ code: 'custom', path, message });
    };
    const u = c.screening.universe;
    order(u.minPrice, u.maxPrice, ['screening', 'universe', 'minPrice'], `must not exceed screening.universe.maxPrice (${u.maxPrice})`);
    const m = c.screening.meanReversion;
    order(m.minAtrPct, m.maxAtrPct, ['screening', 'meanReversion', 'minAtrPct'], `must not exceed screening.meanReversion.maxAtrPct (${m.maxAtrPct})`);
    const mr = c.strategies.meanReversion;
    order(mr.rsiOversold, mr.rsiOverbought, ['strategies', 'meanReversion', 'rsiOversold'], `must be below strategies.meanReversion.rsiOverbought (${mr.rsiOverbought})`);
    const p = c.strategies.pairs;
    order(p.exitZ, p.entryZ, ['strategies', 'pairs', 'exitZ'], `must be below strategies.pairs.entryZ (${p.entryZ})`);
    order(p.entryZ, p.stopZ, ['strategies', 'pairs', 'entryZ'], `must be below strategies.pairs.stopZ (${p.stopZ})`);
    const r = c.risk;
    order(r.minRiskPerTradePct, r.maxRiskPerTradePct, ['risk', 'minRiskPerTradePct'], `must not exceed risk.maxRiskPerTradePct (${r.maxRiskPerTradePct})`);
    order(mr.riskPerTradePct, r.maxRiskPerTradePct, ['strategies', 'meanReversion', 'riskPerTradePct'], `must not exceed risk.maxRiskPerTradePct (${r.maxRiskPerTradePct})`);
    order(r.maxDailyDrawdownPct, r.maxWeeklyDrawdownPct, ['risk', 'maxDailyDrawdownPct'], `must not exceed risk.maxWeeklyDrawdownPct (${r.maxWeeklyDrawdownPct})`);
    order(r.maxWeeklyDrawdownPct, r.maxMonthlyDrawdownPct, ['risk', 'maxWeeklyDrawdownPct'], `must not exceed risk.maxMonthlyDrawdownPct (${r.maxMonthlyDrawdownPct})`);
    order(r.maxConcurrentPositions, r.maxTotalPositions, ['risk', 'maxConcurrentPositions'], `must not exceed risk.maxTotalPositions (${r.maxTotalPositions})`);
    const sp = c.alerts.conditions.strategyPerformance;
    const spPath = ['alerts', 'conditions', 'strategyPerformance'];
    order(sp.minTrades, sp.lookbackTrades, [...spPath, 'minTrades'], `must not exceed alerts.conditions.strategyPerformance.lookbackTrades (${sp.lookbackTrades})`);
    order(sp.maxConsecutiveLosses + 1, sp.lookbackTrades, [...spPath, 'maxConsecutiveLosses'],
      `must be below alerts.conditions.strategyPerformance.lookbackTrades (${sp.lookbackTrades}): a longer losing streak must fit in the trades reviewed`);
    const mk = c.schedule.market;
    if (!(mk.open < mk.earlyClose && mk.earlyClose <= mk.close)) {
      ctx.addIssue({ code: 'custom', path: ['schedule', 'market'], message: `expected open < earlyClose <= close, got ${mk.open} / ${mk.earlyClose} / ${mk.close}` });
    }
    for (const name of ['email', 'sms', 'whatsapp'] as const) {
      const ch = c.alerts[name];
      if (ch.enabled && ch.to.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['alerts', name, 'to'], message: `alerts.${name} is enabled but has no recipients: add at least one or set enabled: false` });
      }
      if (ch.enabled && name !== 'email' && !ch.from) {
        ctx.addIssue({ code: 'custom', path: ['alerts', name, 'from'], message: `alerts.${name} is enabled but has no sender number` });
      }
    }
  });

export type TraderConfig = z.infer<typeof configSchema>;

/** The exchange's hours in its own time zone, as trading/calendar.ts takes them. */
export function marketHours(config: TraderConfig): MarketHours {
  return { timezone: config.schedule.timezone, ...config.schedule.market };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
