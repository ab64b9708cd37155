import * as wf from '@temporalio/workflow';
import type { AlertActivities } from '../alerts/activities';
import type { Alert } from '../alerts/alerts';

/** Sends an alert; one that still cannot be sent after its retries is logged, and the workflow goes on: alerts never stop trading. */
export async function raiseAlert(alerts: AlertActivities, alert: Alert): Promise<void> {
  try {
    await alerts.sendAlert(alert);
  } catch (e) {
    wf.log.error('alert not sent', { key: alert.key, error: (e as Error).message });
  }
}
