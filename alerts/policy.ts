/**
 * Whether an alert goes out, and where. Pure (no clock, no I/O): the activity applies it to the
 * decisions recorded in Postgres, and a workflow can apply it to its own history.
 *
 * In order:
 * 1. A recovery (state resolved) is sent when the last alert sent for its key was firing, and
 *    then always: the owner was told of the problem, so they must hear it is over, at night too.
 * 2. A firing alert whose key is already open (last sent alert firing) is held back until resolved.
 * 3. Any alert is held back within dedupWindowMinutes of one sent for its key, before or after it:
 *    two workflows raising the same condition together may be decided in either order. This also
 *    damps a flapping condition: one firing and one recovery per window.
 * 4. Critical alerts always go; warnings and info are held back in quiet hours and beyond
 *    maxPerHour sent in the rolling hour before.
 */
import type { TraderConfig } from '../config';
import { localDate, zonedTime } from '../trading/calendar';
import type { Alert, AlertState, Delivery } from './alerts';

export type AlertsConfig = TraderConfig['alerts'];

/** A decision already made (usually earlier, but concurrent workflows may decide out of order). */
export interface AlertLogEntry {
  key: string;
  state?: AlertState;
  at: string;
  sent: boolean;
}

export interface AlertDecision {
  send: boolean;
  reason: string;
}

const HOUR_MS = 3_600_000;

export function decideAlert(alert: Alert, log: readonly AlertLogEntry[], config: AlertsConfig): AlertDecision {
  const t = Date.parse(alert.at);
  const sent = log.filter((e) => e.sent);
  const before = sent.filter((e) => Date.parse(e.at) < t);
  const last = before.filter((e) => e.key === alert.key).reduce<AlertLogEntry | undefined>((a, e) => (!a || Date.parse(e.at) > Date.parse(a.at) ? e : a), undefined);

  if (alert.state === 'resolved') {
    return last?.state === 'firing'
      ? { send: true, reason: `resolves the alert sent at ${last.at}` }
      : { send: false, reason: 'nothing to resolve: no firing alert was sent for this key' };
  }
  if (alert.state === 'firing' && last?.state === 'firing') {
    return { send: false, reason: `already firing since ${last.at}: held back until resolved` };
  }
  const near = sent.find((e) => e.key === alert.key && Math.abs(Date.parse(e.at) - t) < config.dedupWindowMinutes * 60_000);
  if (near) {
    return { send: false, reason: `duplicate of the alert sent at ${near.at} (alerts.dedupWindowMinutes = ${config.dedupWindowMinutes})` };
  }
  if (alert.severity === 'critical') return { send: true, reason: 'critical' };
  const q = config.quietHours;
  if (q.enabled && inQuietHours(new Date(t), q)) {
    return { send: false, reason: `quiet hours ${q.start}-${q.end} ${q.timezone}: only critical alerts go out` };
  }
  const lastHour = before.filter((e) => t - Date.parse(e.at) < HOUR_MS).length;
  if (lastHour >= config.maxPerHour) {
    return { send: false, reason: `rate limit: ${lastHour} alerts sent in the last hour (alerts.maxPerHour = ${config.maxPerHour})` };
  }
  return { send: true, reason: alert.state === 'firing' ? 'new condition' : 'new alert' };
}

/** The window runs from start (inclusive) to end (exclusive) on the local clock; start after end spans midnight. */
export function inQuietHours(at: Date, q: Pick<AlertsConfig['quietHours'], 'start' | 'end' | 'timezone'>): boolean {
  const day = localDate(at, q.timezone);
  const t = at.getTime();
  const from = zonedTime(day, q.start, q.timezone).getTime();
  const to = zonedTime(day, q.end, q.timezone).getTime();
  return q.start < q.end ? t >= from && t < to : t >= from || t < to;
}

/** The messages an alert becomes: one email to every recipient, one SMS or WhatsApp per number. */
export function deliveriesFor(alert: Pick<Alert, 'severity'>, config: AlertsConfig): Delivery[] {
  const out: Delivery[] = [];
  if (config.email.enabled && config.email.severities.includes(alert.severity)) out.push({ channel: 'email', to: config.email.to });
  for (const channel of ['sms', 'whatsapp'] as const) {
    const c = config[channel];
    if (c.enabled && c.severities.includes(alert.severity)) out.push(...c.to.map((n) => ({ channel, to: [n] })));
  }
  return out;
}
