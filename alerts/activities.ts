import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { ConfigError, type Secrets, type TraderConfig } from '../config';
import type { TraderMetrics } from '../observability/metrics';
import { secretRedactor } from '../observability/redact';
import { INVALID_ALERT } from './activity-options';
import { alertId, type Alert, type AlertChannel, type ChannelName, type Delivery } from './alerts';
import { PgAlertLog, deliveryKey } from './alert-log';
import { createEmailChannel } from './email';
import { alertSubject, alertText } from './format';
import { decideAlert, deliveriesFor } from './policy';
import { createTwilioChannel, createTwilioClient } from './twilio';

export interface AlertActivityDependencies {
  config: TraderConfig;
  secrets: Secrets;
  pool: Pool;
  metrics?: TraderMetrics;
}

export interface DeliveryResult extends Delivery {
  status: 'sent' | 'failed';
  /** Sent by an earlier attempt of the activity, not again. */
  earlier?: true;
  error?: string;
}

export interface AlertOutcome {
  alertId: string;
  sent: boolean;
  reason: string;
  deliveries: DeliveryResult[];
}

/** The error type a workflow's retry policy sees when a channel failed; the retry resends only what failed. */
export const ALERT_DELIVERY_FAILED = 'AlertDeliveryFailed';

/** The channels enabled in the configuration, with their credentials. Missing Twilio secrets stop start-up. */
export function createAlertChannels(config: TraderConfig['alerts'], secrets: Secrets): Partial<Record<ChannelName, AlertChannel>> {
  const channels: Partial<Record<ChannelName, AlertChannel>> = {};
  if (config.email.enabled) {
    if (secrets.smtpUser && !secrets.smtpPassword) {
      throw new ConfigError([{ field: 'SMTP_PASSWORD', value: '(missing)', source: 'environment', message: 'SMTP_USER is set without SMTP_PASSWORD: set both, or neither for a relay without authentication' }]);
    }
    channels.email = createEmailChannel(config.email, secrets, config.delivery.channelTimeoutMs);
  }
  const twilioChannels = (['sms', 'whatsapp'] as const).filter((name) => config[name].enabled);
  if (twilioChannels.length) {
    const { twilioAccountSid, twilioAuthToken } = secrets;
    if (!twilioAccountSid || !twilioAuthToken) {
      throw new ConfigError([
        {
          field: twilioAccountSid ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID',
          value: '(missing)',
          source: 'environment',
          message: `alerts.${twilioChannels[0]} is enabled: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the environment or TRADER_SECRETS_FILE, or set enabled: false`,
        },
      ]);
    }
    const client = createTwilioClient(config, { twilioAccountSid, twilioAuthToken });
    for (const name of twilioChannels) channels[name] = createTwilioChannel(name, config[name], client);
  }
  return channels;
}

/**
 * The alert activities. The integrator registers them with the worker; workflows call
 * sendAlert with an activity retry policy, which redelivers what failed.
 */
export function createAlertActivities({ config, secrets, pool, metrics }: AlertActivityDependencies) {
  const channels = createAlertChannels(config.alerts, secrets);
  const log = new PgAlertLog(pool);
  const redact = secretRedactor(secrets);

  const deliver = async (alert: Alert, delivery: Delivery, done: Set<string>): Promise<DeliveryResult> => {
    if (done.has(deliveryKey(alert, delivery))) return { ...delivery, status: 'sent', earlier: true };
    const message = { subject: alertSubject(alert), body: alertText(alert) };
    let result: DeliveryResult;
    try {
      await channels[delivery.channel]!.send(alert, delivery.to);
      result = { ...delivery, status: 'sent' };
    } catch (e) {
      result = { ...delivery, status: 'failed', error: redact((e as Error).message) };
    }
    await log.recordDelivery(alert, delivery, message, result);
    metrics?.alertDelivered(delivery.channel, result.status);
    return result;
  };

  return {
    /**
     * Decides (once per alert key and time) whether the alert goes out, then delivers it on each
     * channel that takes its severity and records every delivery. Idempotent: a retry resends
     * only the deliveries that failed. Throws a retryable ApplicationFailure of type
     * AlertDeliveryFailed when any delivery failed, after the others went out.
     */
    async sendAlert(alert: Alert): Promise<AlertOutcome> {
      if (Number.isNaN(Date.parse(alert.at))) {
        throw ApplicationFailure.nonRetryable(`alert ${alert.key}: 'at' must be an ISO-8601 instant, got ${JSON.stringify(alert.at)}`, INVALID_ALERT);
      }
      const id = alertId(alert);
      const decision = await log.decide(alert, config.alerts.dedupWindowMinutes, (entries) => decideAlert(alert, entries, config.alerts));
      if (!decision.earlier) metrics?.alertDecided(decision.send);
      if (!decision.send) return { alertId: id, sent: false, reason: decision.reason, deliveries: [] };

      const done = await log.sentDeliveries(alert);
      const deliveries = await Promise.all(deliveriesFor(alert, config.alerts).map((d) => deliver(alert, d, done)));
      const failed = deliveries.filter((d) => d.status === 'failed');
      if (failed.length) {
        const what = failed.map((d) => `${d.channel} to ${d.to.join(', ')}: ${d.error}`).join('; ');
        throw ApplicationFailure.retryable(`alert ${id}: ${failed.length} of ${deliveries.length} deliveries failed: ${what}`, ALERT_DELIVERY_FAILED, { alertId: id, deliveries });
      }
      return { alertId: id, sent: true, reason: decision.reason, deliveries };
    },
  };
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
