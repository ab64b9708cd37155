// Config loading: every kind of bad input stops start-up with the field, the value and the fix.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, LIVE_TRADING_CONFIRMATION, loadConfig, type ConfigIssue } from '../config';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-config-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(yaml: string): string {
  const f = path.join(dir, `c${n++}.yaml`);
  fs.writeFileSync(f, yaml);
  return f;
}

/** The issues of the ConfigError that loading throws. */
function issuesOf(load: () => unknown): ConfigIssue[] {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

test('the defaults are valid, paper trading, with the rule numbers of the design', () => {
  const { config, secrets } = loadConfig({ env: {} });
  expect(config.broker.mode).toBe('paper');
  expect(config.strategies.meanReversion).toMatchObject({ bollingerPeriod: 20, bollingerStdDev: 2, rsiPeriod: 14, rsiOversold: 30, stopLossPct: 0.02, maxHoldingDays: 5 });
  expect(config.strategies.pairs).toMatchObject({ entryZ: 2, exitZ: 0.5, stopZ: 3, maxHoldingDays: 10 });
  expect(config.risk).toMatchObject({ maxDailyDrawdownPct: 0.03, maxWeeklyDrawdownPct: 0.05, maxMonthlyDrawdownPct: 0.1, maxConcurrentPositions: 20 });
  expect(path.isAbsolute(config.database.embedded.dataDir)).toBe(true);
  expect(secrets).toEqual({});
});

test('a file and the environment override the defaults, the environment last', () => {
  const f = file('broker:\n  port: 7497\n  clientId: 9\nrisk:\n  maxDailyLoss: 250\n');
  const { config } = loadConfig({ env: { TRADER_CONFIG: f, IB_CLIENT_ID: '12' } });
  expect(config.broker).toMatchObject({ port: 7497, clientId: 12 });
  expect(config.risk.maxDailyLoss).toBe(250);
  expect(config.risk.maxDailyDrawdownPct).toBe(0.03);
});

test('a value of the wrong type names the field, the value and its source', () => {
  const [issue] = issuesOf(() => loadConfig({ env: { IB_PORT: 'abc' } }));
  expect(issue).toMatchObject({ field: 'broker.port', value: '"abc"', source: 'env IB_PORT' });
  expect(issue.message).toMatch(/expected number/);
});

test('a value out of range is refused with the allowed bound', () => {
  const f = file('risk:\n  maxDailyDrawdownPct: 3\n');
  const [issue] = issuesOf(() => loadConfig({ env: { TRADER_CONFIG: f } }));
  expect(issue).toMatchObject({ field: 'risk.maxDailyDrawdownPct', value: '3' });
  expect(issue.source).toMatch(/c\d+\.yaml$/);
  expect(issue.message).toMatch(/<=\s*1/);
});

test('a value outside an enumeration lists what is allowed', () => {
  const [issue] = issuesOf(() => loadConfig({ env: { TRADING_MODE: 'demo' } }));
  expect(issue).toMatchObject({ field: 'broker.mode', value: '"demo"' });
  expect(issue.message).toMatch(/"paper"\|"live"/);
});

test('a misspelt setting is refused instead of silently ignored', () => {
  const f = file('risk:\n  maxDailyDrawdownPc: 0.02\n');
  const [issue] = issuesOf(() => loadConfig({ env: { TRADER_CONFIG: f } }));
  expect(issue.field).toBe('risk.maxDailyDrawdownPc');
  expect(issue.message).toMatch(/unknown setting "maxDailyDrawdownPc"/);
});

test('inconsistent settings name the field and the one it conflicts with', () => {
  const f = file('screening:\n  universe:\n    minPrice: 600\nstrategies:\n  pairs:\n    exitZ: 2.5\n');
  const issues = issuesOf(() => loadConfig({ env: { TRADER_CONFIG: f } }));
  expect(issues.map((i) => i.field).sort()).toEqual(['screening.universe.minPrice', 'strategies.pairs.exitZ']);
  expect(issues.find((i) => i.field === 'strategies.pairs.exitZ')!.message).toMatch(/entryZ \(2\)/);
});

test('an enabled alert channel without recipients is refused', () => {
  const f = file('alerts:\n  email:\n    enabled: true\n');
  const [issue] = issuesOf(() => loadConfig({ env: { TRADER_CONFIG: f } }));
  expect(issue.field).toBe('alerts.email.to');
});

test('an invalid time zone and a malformed Temporal address are refused', () => {
  const f = file('schedule:\n  timezone: Mars/Olympus\n');
  const issues = issuesOf(() => loadConfig({ env: { TRADER_CONFIG: f, TEMPORAL_ADDRESS: 'http://x' } }));
  expect(issues.map((i) => i.field).sort()).toEqual(['schedule.timezone', 'temporal.address']);
});

test('secrets in a config file are refused, without echoing them', () => {
  const f = file('database:\n  url: postgres://u:hunter2@db/x\n');
  const [issue] = issuesOf(() => loadConfig({ env: { TRADER_CONFIG: f } }));
  expect(issue).toMatchObject({ field: 'database.url', value: '(hidden)' });
  expect(issue.message).toMatch(/DATABASE_URL/);
  expect(JSON.stringify(issue)).not.toMatch(/hunter2/);
});

test('broken YAML and a missing config file are reported as such', () => {
  expect(issuesOf(() => loadConfig({ env: { TRADER_CONFIG: file('broker: [unclosed\n') } }))[0].message).toMatch(/not valid YAML/);
  expect(issuesOf(() => loadConfig({ env: { TRADER_CONFIG: path.join(dir, 'nope.yaml') } }))[0]).toMatchObject({ field: 'TRADER_CONFIG' });
});

test('secrets come from the environment or a secrets file, the environment first', () => {
  const secretsFile = path.join(dir, 'trader.secrets');
  fs.writeFileSync(secretsFile, '# comment\nDATABASE_URL=postgres://a:b@db:5432/trader\nSMTP_PASSWORD="s3cret"\n');
  const { secrets } = loadConfig({ env: { TRADER_SECRETS_FILE: secretsFile, SMTP_PASSWORD: 'from-env' } });
  expect(secrets).toEqual({ databaseUrl: 'postgres://a:b@db:5432/trader', smtpPassword: 'from-env' });
  const [issue] = issuesOf(() => loadConfig({ env: { DATABASE_URL: 'mysql://root:pw@h/x' } }));
  expect(issue).toMatchObject({ field: 'DATABASE_URL', value: '(hidden)' });
});

describe('live trading is a double opt-in', () => {
  test('mode live without the confirmation refuses to start and says how to confirm', () => {
    const [issue] = issuesOf(() => loadConfig({ env: { TRADING_MODE: 'live' } }));
    expect(issue.field).toBe('broker.mode');
    expect(issue.message).toContain(`TRADER_CONFIRM_LIVE_TRADING="${LIVE_TRADING_CONFIRMATION}"`);
  });

  test('a confirmation that is not the exact phrase is refused too', () => {
    issuesOf(() => loadConfig({ env: { TRADING_MODE: 'live', TRADER_CONFIRM_LIVE_TRADING: 'yes' } }));
  });

  test('mode live with the exact phrase is accepted', () => {
    const { config } = loadConfig({ env: { TRADING_MODE: 'live', TRADER_CONFIRM_LIVE_TRADING: LIVE_TRADING_CONFIRMATION } });
    expect(config.broker.mode).toBe('live');
  });
});
