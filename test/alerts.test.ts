// The alert activity against real protocol peers: a local SMTP server (smtp-server, with AUTH)
// receives the mail, the real twilio client posts to a local HTTP endpoint, and every decision
// and delivery is read back from PostgreSQL (global set-up).
import * as net from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { ALERT_DELIVERY_FAILED, createAlertActivities, type AlertActivities } from '../alerts/activities';
import { alertActivityOptions } from '../alerts/activity-options';
import type { Alert } from '../alerts/alerts';
import { ConfigError, loadConfig, type Secrets, type TraderConfig } from '../config';
import { TraderMetrics } from '../observability/metrics';
import { createTestDatabase } from './support/harness';
import { SmtpPeer, TwilioPeer } from './support/mail-peers';
import { freePort } from './support/ports';

const secrets: Secrets = {
  smtpUser: 'alerts@trader.test',
  smtpPassword: 'smtp-pa55-"quoted"',
  twilioAccountSid: 'AC0123456789abcdef0123456789abcdef',
  twilioAuthToken: 'f1e2d3c4b5a6978812345678deadbeef',
};

let db: { pool: Pool; drop(): Promise<void> };
let smtp: SmtpPeer;
const twilioPeer = new TwilioPeer({ accountSid: secrets.twilioAccountSid!, authToken: secrets.twilioAuthToken! });
let config: TraderConfig;
let metrics: TraderMetrics;
let activities: AlertActivities;

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = new SmtpPeer(await freePort(), { user: secrets.smtpUser!, password: secrets.smtpPassword! });
  await smtp.start();
  const twilioApiUrl = await twilioPeer.start();
  config = loadConfig({
    env: {},
    configFile: '/dev/null',
    overrides: {
      alerts: {
        dedupWindowMinutes: 30,
        twilioApiUrl,
        email: { enabled: true, smtpHost: '127.0.0.1', smtpPort: smtp.port, secure: false, from: 'trader@trader.test', to: ['owner@trader.test', 'ops@trader.test'], severities: ['critical', 'warning'] },
        sms: { enabled: true, from: '+15550001111', to: ['+15550002222', '+15550003333'], severities: ['critical'] },
        whatsapp: { enabled: true, from: '+15550001111', to: ['+15550004444'], severities: ['critical'] },
      },
    },
  }).config;
  metrics = new TraderMetrics();
  activities = createAlertActivities({ config, secrets, pool: db.pool, metrics });
});

afterAll(async () => {
  await smtp.stop();
  await twilioPeer.stop();
  await db.drop();
});

beforeEach(() => {
  smtp.mails.length = 0;
  twilioPeer.requests.length = 0;
  twilioPeer.refuse.clear();
});

const alert = (over: Partial<Alert>): Alert => ({ key: 'test', severity: 'critical', title: 'Kill switch activated', body: 'Daily drawdown 3.4% beyond the 3% limit.\nAll positions flattened.', at: '2026-03-02T15:04:05.000Z', ...over });

async function deliveryRows(alertId: string) {
  const { rows } = await db.pool.query<{ channel: string; recipient: string; status: string; error: string | null; attempts: number; subject: string }>(
    'SELECT channel, recipient, status, error, attempts, subject FROM alerts WHERE alert_id = $1 ORDER BY channel, recipient',
    [alertId],
  );
  return rows;
}

/** A counter of the metrics registry, by its labels. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const { values } = await metrics.registry.getSingleMetric(name)!.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

const basicAuth = `Basic ${Buffer.from(`${secrets.twilioAccountSid}:${secrets.twilioAuthToken}`).toString('base64')}`;
const messagesPath = `/2010-04-01/Accounts/${secrets.twilioAccountSid}/Messages.json`;

test('a critical alert reaches the SMTP server and the Twilio Messages API, and each delivery is recorded', async () => {
  const a = alert({ key: 'kill-switch', data: { drawdownPct: 3.4, limitPct: 3 } });
  const outcome = await activities.sendAlert(a);
  expect(outcome).toMatchObject({ alertId: 'kill-switch@2026-03-02T15:04:05.000Z', sent: true, reason: 'critical' });

  expect(smtp.mails).toHaveLength(1);
  const mail = smtp.mails[0]!;
  expect(mail.authUser).toBe(secrets.smtpUser);
  expect(mail.subject).toBe('[CRITICAL] Kill switch activated');
  expect(mail.from).toBe('trader@trader.test');
  expect(mail.to).toEqual(['owner@trader.test', 'ops@trader.test']);
  expect(mail.envelopeTo).toEqual(['owner@trader.test', 'ops@trader.test']);
  expect(mail.text).toContain('Daily drawdown 3.4% beyond the 3% limit.\nAll positions flattened.');
  expect(mail.text).toContain('drawdownPct: 3.4');
  expect(mail.html).toContain('<h2 style="color:#b00020">[CRITICAL] Kill switch activated</h2>');
  expect(mail.html).toContain('<p>Daily drawdown 3.4% beyond the 3% limit.<br>All positions flattened.</p>');
  expect(mail.html).toContain('<th align="left">drawdownPct</th><td>3.4</td>');

  const body = '[CRITICAL] Kill switch activated\nDaily drawdown 3.4% beyond the 3% limit.\nAll positions flattened.';
  expect(twilioPeer.requests.map((r) => ({ method: r.method, path: r.path, authorization: r.authorization }))).toEqual(Array(3).fill({ method: 'POST', path: messagesPath, authorization: basicAuth }));
  expect(twilioPeer.requests.map((r) => r.form).sort((x, y) => x.To!.localeCompare(y.To!))).toEqual([
    { To: '+15550002222', From: '+15550001111', Body: body },
    { To: '+15550003333', From: '+15550001111', Body: body },
    { To: 'whatsapp:+15550004444', From: 'whatsapp:+15550001111', Body: body },
  ]);

  expect(await deliveryRows(outcome.alertId)).toEqual([
    { channel: 'email', recipient: 'owner@trader.test, ops@trader.test', status: 'sent', error: null, attempts: 1, subject: '[CRITICAL] Kill switch activated' },
    { channel: 'sms', recipient: '+15550002222', status: 'sent', error: null, attempts: 1, subject: '[CRITICAL] Kill switch activated' },
    { channel: 'sms', recipient: '+15550003333', status: 'sent', error: null, attempts: 1, subject: '[CRITICAL] Kill switch activated' },
    { channel: 'whatsapp', recipient: '+15550004444', status: 'sent', error: null, attempts: 1, subject: '[CRITICAL] Kill switch activated' },
  ]);

  // The same alert again, as a retried or replayed activity delivers it: nothing is sent twice.
  const again = await activities.sendAlert(a);
  expect(again.deliveries.every((d) => d.status === 'sent' && d.earlier)).toBe(true);
  expect(smtp.mails).toHaveLength(1);
  expect(twilioPeer.requests).toHaveLength(3);
  expect((await deliveryRows(outcome.alertId)).every((r) => r.attempts === 1)).toBe(true);
});

test('a warning goes only to the channels that take warnings', async () => {
  await activities.sendAlert(alert({ key: 'drawdown-approaching', severity: 'warning', title: 'Daily drawdown at 2.5%' }));
  expect(smtp.mails.map((m) => m.subject)).toEqual(['[WARNING] Daily drawdown at 2.5%']);
  expect(twilioPeer.requests).toEqual([]);
});

test('an outage sends one alert and one recovery; the repeats are recorded as held back', async () => {
  const key = 'broker-connection';
  const suppressedBefore = await counter('trader_alerts_total', { decision: 'suppressed' });
  const times = ['15:10', '15:11', '15:20', '16:30'].map((t) => `2026-03-02T${t}:00.000Z`);
  const outcomes = [];
  for (const at of times) outcomes.push(await activities.sendAlert(alert({ key, state: 'firing', title: 'Broker connection lost', at })));
  outcomes.push(await activities.sendAlert(alert({ key, state: 'resolved', title: 'Broker connection restored', at: '2026-03-02T16:31:00.000Z' })));
  expect(outcomes.map((o) => o.sent)).toEqual([true, false, false, false, true]);
  expect(smtp.mails.map((m) => m.subject)).toEqual(['[CRITICAL] Broker connection lost', '[RESOLVED] Broker connection restored']);
  expect(twilioPeer.requests).toHaveLength(6);

  const { rows } = await db.pool.query<{ send: boolean; reason: string }>('SELECT send, reason FROM alert_decisions WHERE dedup_key = $1 ORDER BY raised_at', [key]);
  expect(rows).toEqual([
    { send: true, reason: 'critical' },
    { send: false, reason: 'already firing since 2026-03-02T15:10:00.000Z: held back until resolved' },
    { send: false, reason: 'already firing since 2026-03-02T15:10:00.000Z: held back until resolved' },
    { send: false, reason: 'already firing since 2026-03-02T15:10:00.000Z: held back until resolved' },
    { send: true, reason: 'resolves the alert sent at 2026-03-02T15:10:00.000Z' },
  ]);
  expect((await counter('trader_alerts_total', { decision: 'suppressed' })) - suppressedBefore).toBe(3);
});

test('the same condition raised by two workflows at once is sent once', async () => {
  const raise = (at: string, key = 'order-failures') => activities.sendAlert(alert({ key, severity: 'warning', state: 'firing', title: 'Orders failing', at }));
  const outcomes = await Promise.all([raise('2026-03-02T17:00:00.000Z'), raise('2026-03-02T17:00:00.001Z')]);
  expect(outcomes.filter((o) => o.sent)).toHaveLength(1);
  expect(smtp.mails).toHaveLength(1);
  // Either may be decided first: the earlier one, decided second, is held back too.
  const later = await raise('2026-03-02T17:00:00.001Z', 'quote-feed');
  const earlier = await raise('2026-03-02T17:00:00.000Z', 'quote-feed');
  expect([later.sent, earlier.sent]).toEqual([true, false]);
});

test('SMTP down, then up: a retryable failure, and the retry sends only the email', async () => {
  await smtp.stop();
  const a = alert({ key: 'smtp-outage', at: '2026-03-02T18:00:00.000Z' });
  const failure = await failureOf(activities.sendAlert(a));
  expect(failure.type).toBe(ALERT_DELIVERY_FAILED);
  expect(failure.nonRetryable).toBe(false);
  expect(failure.message).toMatch(/^alert smtp-outage@2026-03-02T18:00:00\.000Z: 1 of 4 deliveries failed: email to owner@trader\.test, ops@trader\.test: .*ECONNREFUSED/);
  expect(twilioPeer.requests).toHaveLength(3);
  const failed = (await deliveryRows('smtp-outage@2026-03-02T18:00:00.000Z')).find((r) => r.channel === 'email')!;
  expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
  expect(failed.error).toMatch(/ECONNREFUSED/);
  expect(await counter('trader_alert_deliveries_total', { channel: 'email', status: 'failed' })).toBe(1);

  await smtp.start();
  const outcome = await activities.sendAlert(a);
  expect(outcome.deliveries.map((d) => [d.channel, d.earlier ?? false])).toEqual([['email', false], ['sms', true], ['sms', true], ['whatsapp', true]]);
  expect(smtp.mails.map((m) => m.subject)).toEqual(['[CRITICAL] Kill switch activated']);
  expect(twilioPeer.requests).toHaveLength(3);
  expect((await deliveryRows(outcome.alertId)).find((r) => r.channel === 'email')).toMatchObject({ status: 'sent', error: null, attempts: 2 });
});

test('a number Twilio refuses fails only its delivery, and no credential reaches Postgres or the failure', async () => {
  twilioPeer.refuse.add('+15550003333');
  const a = alert({ key: 'twilio-refusal', at: '2026-03-02T19:00:00.000Z' });
  const failure = await failureOf(activities.sendAlert(a));
  expect(failure.message).toContain("sms to +15550003333: The 'To' number +15550003333 is not a valid phone number (token [REDACTED])");
  expect(failure.message).not.toContain(secrets.twilioAuthToken);
  expect(JSON.stringify(failure.details)).not.toContain(secrets.twilioAuthToken);
  const rows = await deliveryRows('twilio-refusal@2026-03-02T19:00:00.000Z');
  expect(rows.map((r) => [r.channel, r.recipient, r.status])).toEqual([
    ['email', 'owner@trader.test, ops@trader.test', 'sent'],
    ['sms', '+15550002222', 'sent'],
    ['sms', '+15550003333', 'failed'],
    ['whatsapp', '+15550004444', 'sent'],
  ]);
  const { rows: all } = await db.pool.query('SELECT * FROM alerts');
  expect(JSON.stringify(all)).not.toContain(secrets.twilioAuthToken);

  twilioPeer.refuse.clear();
  twilioPeer.requests.length = 0;
  await activities.sendAlert(a);
  expect(twilioPeer.requests.map((r) => r.form.To)).toEqual(['+15550003333']);
  expect(smtp.mails).toHaveLength(1);
});

test('wrong SMTP credentials fail the email delivery with the server’s answer', async () => {
  const wrong = createAlertActivities({ config, secrets: { ...secrets, smtpPassword: 'wrong' }, pool: db.pool });
  const failure = await failureOf(wrong.sendAlert(alert({ key: 'smtp-auth', severity: 'warning', at: '2026-03-02T20:00:00.000Z' })));
  expect(failure.message).toMatch(/email to owner@trader\.test, ops@trader\.test: Invalid login: 535 .*Invalid username or password/);
  expect(smtp.mails).toEqual([]);
});

test('a peer that never answers fails its delivery after alerts.delivery.channelTimeoutMs', async () => {
  // Accepts connections and says nothing: no SMTP greeting, no HTTP response.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  const port = (silent.address() as net.AddressInfo).port;
  try {
    const c = structuredClone(config);
    c.alerts.delivery.channelTimeoutMs = 300;
    c.alerts.email.smtpPort = port;
    c.alerts.twilioApiUrl = `http://127.0.0.1:${port}`;
    c.alerts.sms.to = ['+15550002222'];
    c.alerts.whatsapp.enabled = false;
    const failure = await failureOf(createAlertActivities({ config: c, secrets, pool: db.pool }).sendAlert(alert({ key: 'silent-peers', at: '2026-03-02T21:00:00.000Z' })));
    expect(failure.message).toMatch(/2 of 2 deliveries failed: email to .*: Greeting never received; sms to \+15550002222: timeout of 300ms exceeded/);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('a malformed alert fails for good (no retry), a failed delivery is retried by the workflow’s policy', async () => {
  const failure = await failureOf(activities.sendAlert(alert({ key: 'bad-time', at: 'yesterday' })));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe(`alert bad-time: 'at' must be an ISO-8601 instant, got "yesterday"`);
  const retry = alertActivityOptions(config.alerts).retry!;
  expect(retry.nonRetryableErrorTypes).toEqual([failure.type]);
  expect(retry.nonRetryableErrorTypes).not.toContain(ALERT_DELIVERY_FAILED);
  expect(smtp.mails).toEqual([]);
});

test('an enabled Twilio channel without its secrets stops start-up with a one-line error naming them', () => {
  const start = () => createAlertActivities({ config, secrets: { smtpUser: secrets.smtpUser, smtpPassword: secrets.smtpPassword }, pool: db.pool });
  expect(start).toThrow(ConfigError);
  expect(start).toThrow(/^Invalid configuration:\n {2}- TWILIO_ACCOUNT_SID = \(missing\) \(from environment\): alerts\.sms is enabled: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
});
