// The alert policy and formatting: pure, no Temporal or Postgres needed.
import type { Alert } from '../alerts/alerts';
import { alertHtml, alertShortText, alertSubject } from '../alerts/format';
import { decideAlert, deliveriesFor, inQuietHours, type AlertLogEntry, type AlertsConfig } from '../alerts/policy';
import { ConfigError, loadConfig } from '../config';

function alertsConfig(overrides: Record<string, unknown> = {}): AlertsConfig {
  return loadConfig({ env: {}, configFile: '/dev/null', overrides: { alerts: overrides } }).config.alerts;
}

const T0 = Date.parse('2026-03-02T15:00:00Z'); // a Monday, 10:00 in New York
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const alert = (minutes: number, over: Partial<Alert> = {}): Alert => ({ key: 'k', severity: 'warning', title: 't', body: 'b', at: at(minutes), ...over });

/** Runs alerts through the policy in order, keeping the log as the activity would. */
function replay(alerts: Alert[], config: AlertsConfig): { sent: Alert[]; reasons: string[] } {
  const log: AlertLogEntry[] = [];
  const sent: Alert[] = [];
  const reasons: string[] = [];
  for (const a of alerts) {
    const d = decideAlert(a, log, config);
    log.push({ key: a.key, state: a.state, at: a.at, sent: d.send });
    reasons.push(d.reason);
    if (d.send) sent.push(a);
  }
  return { sent, reasons };
}

describe('de-duplication', () => {
  const config = alertsConfig({ dedupWindowMinutes: 30 });

  test('an alert repeated within dedupWindowMinutes is held back, and goes again after it', () => {
    const { sent, reasons } = replay([alert(0), alert(10), alert(29), alert(31), alert(40)], config);
    expect(sent.map((a) => a.at)).toEqual([at(0), at(31)]);
    expect(reasons[1]).toBe(`duplicate of the alert sent at ${at(0)} (alerts.dedupWindowMinutes = 30)`);
  });

  test('other keys are not held back by it', () => {
    const { sent } = replay([alert(0), alert(1, { key: 'other' }), alert(2)], config);
    expect(sent.map((a) => a.key)).toEqual(['k', 'other']);
  });

  test('a three-hour outage checked every minute sends one alert and one recovery', () => {
    const outage: Alert[] = [];
    for (let m = 0; m < 180; m++) outage.push(alert(m, { key: 'broker.connection', state: 'firing', severity: 'critical' }));
    outage.push(alert(180, { key: 'broker.connection', state: 'resolved', severity: 'critical' }), alert(181, { key: 'broker.connection', state: 'resolved', severity: 'critical' }));
    const { sent, reasons } = replay(outage, config);
    expect(sent.map((a) => [a.state, a.at])).toEqual([['firing', at(0)], ['resolved', at(180)]]);
    expect(reasons[179]).toBe(`already firing since ${at(0)}: held back until resolved`);
    expect(reasons[180]).toBe(`resolves the alert sent at ${at(0)}`);
    expect(reasons[181]).toBe('nothing to resolve: no firing alert was sent for this key');
  });

  test('a flapping condition sends one firing and one recovery per window', () => {
    const flaps: Alert[] = [];
    for (let m = 0; m < 60; m += 2) flaps.push(alert(m, { state: 'firing' }), alert(m + 1, { state: 'resolved' }));
    const { sent } = replay(flaps, config);
    expect(sent.map((a) => [a.state, a.at])).toEqual([['firing', at(0)], ['resolved', at(1)], ['firing', at(32)], ['resolved', at(33)]]);
  });

  test('a recovery without a firing alert sent before is not sent', () => {
    expect(decideAlert(alert(0, { state: 'resolved' }), [], config)).toEqual({ send: false, reason: 'nothing to resolve: no firing alert was sent for this key' });
  });

  test('an alert decided after a later one of its key within the window is its duplicate (two workflows raising together)', () => {
    const log: AlertLogEntry[] = [{ key: 'k', state: 'firing', at: at(5), sent: true }];
    expect(decideAlert(alert(0, { state: 'firing' }), log, config)).toEqual({ send: false, reason: `duplicate of the alert sent at ${at(5)} (alerts.dedupWindowMinutes = 30)` });
    expect(decideAlert(alert(-30, { state: 'firing' }), log, config).send).toBe(true);
  });
});

describe('rate limit', () => {
  const config = alertsConfig({ maxPerHour: 3, dedupWindowMinutes: 0 });

  test('holds back warnings beyond maxPerHour in the rolling hour; critical ones still go', () => {
    const alerts = [0, 1, 2, 3].map((m) => alert(m, { key: `w${m}` }));
    alerts.push(alert(4, { key: 'kill', severity: 'critical' }), alert(61, { key: 'w61' }));
    const { sent, reasons } = replay(alerts, config);
    expect(sent.map((a) => a.key)).toEqual(['w0', 'w1', 'w2', 'kill', 'w61']);
    expect(reasons[3]).toBe('rate limit: 3 alerts sent in the last hour (alerts.maxPerHour = 3)');
  });

  test('a recovery of a sent alert is never held back by it', () => {
    const alerts = [alert(0, { state: 'firing' }), ...[1, 2, 3].map((m) => alert(m, { key: `w${m}` })), alert(4, { state: 'resolved' })];
    expect(replay(alerts, config).sent.map((a) => a.key)).toEqual(['k', 'w1', 'w2', 'k']);
  });
});

describe('quiet hours', () => {
  const config = alertsConfig({ quietHours: { enabled: true, start: '22:00', end: '07:00', timezone: 'America/New_York' } });
  const ny = (iso: string) => new Date(iso);

  test('span midnight in the configured time zone, start inclusive, end exclusive, across DST', () => {
    const q = config.quietHours;
    expect(inQuietHours(ny('2026-03-03T02:59:00Z'), q)).toBe(false); // 21:59 EST
    expect(inQuietHours(ny('2026-03-03T03:00:00Z'), q)).toBe(true); // 22:00 EST
    expect(inQuietHours(ny('2026-03-03T11:59:00Z'), q)).toBe(true); // 06:59 EST
    expect(inQuietHours(ny('2026-03-03T12:00:00Z'), q)).toBe(false); // 07:00 EST
    expect(inQuietHours(ny('2026-07-01T02:00:00Z'), q)).toBe(true); // 22:00 EDT
    expect(inQuietHours(ny('2026-07-01T11:00:00Z'), q)).toBe(false); // 07:00 EDT
  });

  test('a window within one day', () => {
    const lunch = { start: '12:00', end: '13:00', timezone: 'Europe/London' };
    expect(inQuietHours(ny('2026-01-05T12:30:00Z'), lunch)).toBe(true);
    expect(inQuietHours(ny('2026-01-05T13:00:00Z'), lunch)).toBe(false);
    expect(inQuietHours(ny('2026-01-05T11:59:00Z'), lunch)).toBe(false);
  });

  test('hold back warnings and info at night; critical alerts and recoveries go', () => {
    const night = '2026-03-03T04:00:00Z'; // 23:00 EST
    expect(decideAlert({ ...alert(0), at: night }, [], config)).toEqual({ send: false, reason: 'quiet hours 22:00-07:00 America/New_York: only critical alerts go out' });
    expect(decideAlert({ ...alert(0), at: night, severity: 'info' }, [], config).send).toBe(false);
    expect(decideAlert({ ...alert(0), at: night, severity: 'critical' }, [], config).send).toBe(true);
    const firing: AlertLogEntry = { key: 'k', state: 'firing', at: '2026-03-03T03:30:00Z', sent: true };
    expect(decideAlert({ ...alert(0), at: night, state: 'resolved' }, [firing], config).send).toBe(true);
    expect(decideAlert(alert(0), [], config).send).toBe(true); // 10:00 in New York
  });

  test('start equal to end is refused with the field and the fix', () => {
    expect(() => alertsConfig({ quietHours: { enabled: true, start: '07:00', end: '07:00' } })).toThrow(ConfigError);
    expect(() => alertsConfig({ quietHours: { enabled: true, start: '07:00', end: '07:00' } })).toThrow(/alerts\.quietHours\.end = "07:00" .*must differ from alerts\.quietHours\.start/);
  });
});

describe('channels', () => {
  test('one email to all its recipients, one SMS or WhatsApp per number, by severity', () => {
    const config = alertsConfig({
      email: { enabled: true, to: ['a@x.test', 'b@x.test'], severities: ['critical', 'warning'] },
      sms: { enabled: true, from: '+15550000000', to: ['+15551111111', '+15552222222'], severities: ['critical'] },
      whatsapp: { enabled: false, from: '+15550000000', to: ['+15553333333'], severities: ['critical'] },
    });
    expect(deliveriesFor({ severity: 'critical' }, config)).toEqual([
      { channel: 'email', to: ['a@x.test', 'b@x.test'] },
      { channel: 'sms', to: ['+15551111111'] },
      { channel: 'sms', to: ['+15552222222'] },
    ]);
    expect(deliveriesFor({ severity: 'warning' }, config)).toEqual([{ channel: 'email', to: ['a@x.test', 'b@x.test'] }]);
    expect(deliveriesFor({ severity: 'info' }, config)).toEqual([]);
  });

  test('a channel timeout at or above the activity timeout is refused: a late send would overlap its retry', () => {
    expect(() => alertsConfig({ delivery: { channelTimeoutMs: 60000, activityTimeoutMs: 60000 } })).toThrow(/alerts\.delivery\.channelTimeoutMs = 60000 .*must be below alerts\.delivery\.activityTimeoutMs/);
  });

  test('twilioApiUrl must be an http(s) URL', () => {
    expect(() => alertsConfig({ twilioApiUrl: 'api.twilio.com' })).toThrow(/alerts\.twilioApiUrl = "api\.twilio\.com" .*expected an http\(s\) URL/);
  });
});

describe('format', () => {
  test('subject by severity, RESOLVED for a recovery; html escaped; SMS cut to Twilio’s 1600 characters', () => {
    expect(alertSubject(alert(0, { severity: 'critical', title: 'Kill switch' }))).toBe('[CRITICAL] Kill switch');
    expect(alertSubject(alert(0, { state: 'resolved', title: 'Broker connection' }))).toBe('[RESOLVED] Broker connection');
    const html = alertHtml(alert(0, { title: '<script>', data: { 'P&L': -12.5 } }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('<th align="left">P&#38;L</th><td>-12.5</td>');
    const long = alertShortText(alert(0, { body: 'x'.repeat(5000) }));
    expect(long).toHaveLength(1600);
    expect(long.endsWith('…')).toBe(true);
  });
});
