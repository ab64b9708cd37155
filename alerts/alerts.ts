/**
 * The Alerts port: what the system tells its owner, and the channels that carry it. Workflows
 * raise alerts through the sendAlert activity (alerts/activities.ts); the decision to send or
 * hold one back is pure (alerts/policy.ts), so a workflow can make it too.
 */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * A condition that lasts (broker connection lost, drawdown beyond a limit) is `firing` until an
 * alert with the same key is `resolved`: the owner hears of it once, then of its recovery.
 * A one-off event (order rejected, P&L milestone) has no state.
 */
export type AlertState = 'firing' | 'resolved';

export interface Alert {
  /** What the alert is about, e.g. `broker.connection` or `order.rejected:AAPL`: de-duplication groups by it. */
  key: string;
  severity: Severity;
  title: string;
  body: string;
  /** ISO-8601 instant the condition was observed (workflow time): with the key, the alert's identity. */
  at: string;
  state?: AlertState;
  /** Figures shown with the alert (in the email as a table). */
  data?: Record<string, string | number | boolean | null>;
}

/** One message on one channel: an email to all its recipients, or an SMS/WhatsApp to one number. */
export interface Delivery {
  channel: ChannelName;
  to: string[];
}

export interface AlertChannel {
  readonly name: ChannelName;
  /** Resolves once the provider accepted the message; rejects with the provider's error. */
  send(alert: Alert, to: string[]): Promise<void>;
}

/** The identity of an alert: a retried activity for the same alert is recognised by it. */
export function alertId(alert: Pick<Alert, 'key' | 'at'>): string {
  return `${alert.key}@${new Date(alert.at).toISOString()}`;
}
