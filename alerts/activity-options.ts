import type { ActivityOptions } from '@temporalio/common';
import type { AlertsConfig } from './policy';

/** The error type of an alert the activity refuses (no retry helps). */
export const INVALID_ALERT = 'InvalidAlert';

/**
 * How workflows call sendAlert: `proxyActivities<AlertActivities>(alertActivityOptions(config.alerts))`.
 * A failed delivery (AlertDeliveryFailed) is retried with backoff; a malformed alert is not.
 */
export function alertActivityOptions(config: Pick<AlertsConfig, 'delivery'>): ActivityOptions {
  const d = config.delivery;
  return {
    startToCloseTimeout: d.activityTimeoutMs,
    retry: {
      initialInterval: d.retryInitialIntervalMs,
      backoffCoefficient: d.retryBackoffCoefficient,
      maximumInterval: d.retryMaximumIntervalMs,
      maximumAttempts: d.retryMaximumAttempts,
      nonRetryableErrorTypes: [INVALID_ALERT],
    },
  };
}
