// Logs, secret redaction and the metrics endpoint, without Temporal or Postgres. The Temporal
// runtime's own logs and metrics are tested in observability-runtime.test.ts.
import { loadConfig, type Secrets, type TraderConfig } from '../config';
import { createLogger, TemporalLogger } from '../observability/logger';
import { startMetricsServer } from '../observability/metrics-server';
import { TraderMetrics } from '../observability/metrics';
import { freePort } from './support/ports';

const secrets: Secrets = {
  databaseUrl: 'postgres://trader:pg-Pa%24%24word@db.internal:5432/trader',
  temporalApiKey: 'tmprl-key-0123456789',
  smtpUser: 'alerts-smtp-user',
  smtpPassword: 'smtp "quoted" \\ pass',
  twilioAccountSid: 'AC0123456789abcdef0123456789abcdef',
  twilioAuthToken: 'f1e2d3c4b5a6978812345678deadbeef',
};

/** Every way a secret could show up in a line, as a reader of the logs would search for it. */
const leaks = [
  ...Object.values(secrets),
  'pg-Pa%24%24word',
  'pg-Pa$$word',
  'smtp \\"quoted\\" \\\\ pass', // the password as it looks inside a JSON string
  Buffer.from(`${secrets.twilioAccountSid}:${secrets.twilioAuthToken}`).toString('base64'),
] as string[];

function capture(level: TraderConfig['observability']['logLevel'] = 'trace') {
  const lines: string[] = [];
  const logger = createLogger({ level, secrets, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

describe('logs', () => {
  test('are one JSON object a line, with level names and an ISO time', () => {
    const { logger, lines } = capture('info');
    logger.info({ symbol: 'AAPL', qty: 10 }, 'order placed');
    logger.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', service: 'trader', symbol: 'AAPL', qty: 10, msg: 'order placed', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  test('never contain a configured secret: in a message, an object, an error, a URL or an auth header', () => {
    const { logger, lines } = capture();
    logger.info(`connecting with ${secrets.databaseUrl}`);
    logger.warn('auth with %s and %s', secrets.smtpPassword, secrets.temporalApiKey);
    logger.info({ config: { smtp: { user: secrets.smtpUser, pass: secrets.smtpPassword } }, headers: { authorization: `Basic ${leaks.at(-1)}` } }, 'request');
    logger.error({ err: new Error(`login failed for ${secrets.smtpUser} with ${secrets.smtpPassword}`) }, 'smtp failed');
    logger.error({ error: new Error(`twilio 401 for ${secrets.twilioAccountSid}:${secrets.twilioAuthToken}`) }, 'twilio failed');
    logger.child({ apiKey: secrets.temporalApiKey }).info('child logger');
    logger.info({ url: 'postgres://trader:pg-Pa$$word@db.internal:5432/trader', password: 'pg-Pa$$word' }, 'decoded password');
    new TemporalLogger(logger).warn('core said something', { token: secrets.twilioAuthToken });

    expect(lines).toHaveLength(8);
    for (const line of lines) {
      for (const leak of leaks) expect(line).not.toContain(leak);
      expect(line).toContain('[REDACTED]');
      expect(() => JSON.parse(line)).not.toThrow();
    }
    const err = JSON.parse(lines[3]!).err;
    expect(err).toMatchObject({ type: 'Error', message: 'login failed for [REDACTED] with [REDACTED]' });
    expect(err.stack).toMatch(/^Error: login failed for \[REDACTED\] with \[REDACTED\]\n {4}at /);
    expect(JSON.parse(lines[4]!).error.message).toBe('twilio 401 for [REDACTED]:[REDACTED]');
    expect(JSON.parse(lines[0]!).msg).toBe('connecting with [REDACTED]');
  });

  test('the Temporal logger adapter keeps the level, the message and the metadata', () => {
    const { logger, lines } = capture('debug');
    const temporal = new TemporalLogger(logger);
    temporal.trace('dropped below debug');
    temporal.debug('polling', { sdkComponent: 'worker', taskQueue: 'trading' });
    temporal.log('ERROR', 'activity failed', { activityType: 'sendAlert', error: new Error('boom') });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'debug', msg: 'polling', sdkComponent: 'worker', taskQueue: 'trading' }),
      expect.objectContaining({ level: 'error', msg: 'activity failed', activityType: 'sendAlert', error: expect.objectContaining({ message: 'boom' }) }),
    ]);
  });
});

describe('metrics', () => {
  test('the system metrics as Prometheus text, trading state one-hot', async () => {
    const m = new TraderMetrics();
    m.setEquity(101_234.5);
    m.setDailyPnl(-321.25);
    m.setOpenPositions(7);
    m.setBrokerConnected(false);
    m.setTradingState('REDUCING');
    m.orderPlaced('pairs');
    m.orderPlaced('pairs');
    m.orderRejected('meanReversion', 'risk');
    const text = await m.registry.metrics();
    for (const line of [
      'trader_equity 101234.5',
      'trader_daily_pnl -321.25',
      'trader_open_positions 7',
      'trader_broker_connected 0',
      'trader_trading_state{state="ACTIVE"} 0',
      'trader_trading_state{state="REDUCING"} 1',
      'trader_trading_state{state="HALTED"} 0',
      'trader_orders_placed_total{strategy="pairs"} 2',
      'trader_order_rejections_total{strategy="meanReversion",source="risk"} 1',
      '# TYPE trader_orders_placed_total counter',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  test('the endpoint serves them on observability.metricsPort, and says when Temporal’s are missing', async () => {
    const observability = {
      ...loadConfig({ env: {}, configFile: '/dev/null' }).config.observability,
      metricsPort: await freePort(),
      temporalMetricsPort: await freePort(), // nothing listens there
    };
    const { logger, lines } = capture('info');
    const m = new TraderMetrics();
    m.setTradingState('HALTED');
    const server = (await startMetricsServer(observability, m, logger))!;
    try {
      expect(server.url).toBe(`http://127.0.0.1:${observability.metricsPort}/metrics`);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(text).toContain('trader_trading_state{state="HALTED"} 1');
      expect(text).toContain('trader_temporal_metrics_up 0');
      expect(lines.some((l) => JSON.parse(l).msg === 'Temporal runtime metrics unavailable')).toBe(true);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  test('metricsPort 0 disables the endpoint', async () => {
    const observability = { ...loadConfig({ env: {}, configFile: '/dev/null' }).config.observability, metricsPort: 0 };
    expect(await startMetricsServer(observability, new TraderMetrics(), capture().logger)).toBeUndefined();
  });
});
