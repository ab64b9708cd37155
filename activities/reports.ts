import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { PgAlertLog, deliveryKey } from '../alerts/alert-log';
import type { Alert, Delivery } from '../alerts/alerts';
import { createMailer } from '../alerts/email';
import { projectRoot, type Secrets, type TraderConfig } from '../config';
import type { TraderMetrics } from '../observability/metrics';
import { secretRedactor } from '../observability/redact';
import { dailySummary } from '../reports/daily';
import { reportHtml, reportText } from '../reports/document';
import { daysBefore } from '../reports/model';
import type { Report } from '../reports/report';
import { PgReportSource } from '../reports/source';
import { weekStart, weeklyReport } from '../reports/weekly';
import type { Store } from '../store/store';
import { tradingDaysBetween, zonedTime } from '../trading/calendar';

export interface ReportActivityDependencies {
  config: TraderConfig;
  secrets: Secrets;
  pool: Pool;
  store: Store;
  metrics?: TraderMetrics;
}

export interface ReportOutcome {
  /** daily-YYYY-MM-DD or weekly-YYYY-MM-DD. */
  id: string;
  /** The HTML page written. */
  file: string;
  subject: string;
  emailed: boolean;
  /** Why not emailed, or that an earlier attempt already did. */
  note?: string;
}

/** A report email the SMTP server did not take: retryable, the retry sends it once. */
export const REPORT_DELIVERY_FAILED = 'ReportDeliveryFailed';
/** A date that is none: no retry helps. */
export const INVALID_REPORT_DATE = 'InvalidReportDate';

/**
 * The daily summary and the weekly report: read from Postgres, written as an HTML page under reports.dir, recorded
 * as a system event, and emailed (HTML with inline-SVG charts, and a text part) through alerts.email's SMTP server,
 * once per report: the email is a delivery in the alerts audit trail, keyed by the report, so a retried or
 * repeated activity does not send it again.
 */
export function createReportActivities({ config, secrets, pool, store, metrics }: ReportActivityDependencies) {
  const source = new PgReportSource(pool, config.schedule.timezone);
  const dir = path.resolve(projectRoot(), config.reports.dir);
  const emailConfig = config.alerts.email;
  const mail = config.reports.email && emailConfig.enabled ? createMailer(emailConfig, secrets, config.alerts.delivery.channelTimeoutMs) : undefined;
  const delivery: Delivery = { channel: 'email', to: config.reports.to.length ? config.reports.to : emailConfig.to };
  const log = new PgAlertLog(pool);
  const redact = secretRedactor(secrets);

  const checkDate = (activity: string, date: string): void => {
    try {
      tradingDaysBetween(date, date);
    } catch (e) {
      throw ApplicationFailure.nonRetryable(`${activity}: ${(e as Error).message}`, INVALID_REPORT_DATE);
    }
  };

  async function publish(report: Report, kind: 'daily' | 'weekly', date: string): Promise<ReportOutcome> {
    const html = reportHtml(report.document);
    const text = reportText(report.document);
    const file = path.join(dir, `${report.id}.html`);
    // Written whole, then renamed: whoever opens the page never sees half of it.
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(`${file}.tmp`, html);
    await fs.promises.rename(`${file}.tmp`, file);
    const at = zonedTime(date, config.schedule.market.close, config.schedule.timezone).toISOString();
    const data = { file, ...report.figures };
    await store.recordSystemEvent({ key: `report:${report.id}`, kind: `report.${kind}`, severity: 'info', source: 'reports', message: report.subject, details: data, at });
    const outcome = { id: report.id, file, subject: report.subject };
    if (!mail) return { ...outcome, emailed: false, note: config.reports.email ? 'alerts.email.enabled is false' : 'reports.email is false' };

    // A report is an info alert that always goes out (no quiet hours or rate limit): decided once, delivered once.
    const alert: Alert = { key: `report.${kind}`, severity: 'info', title: report.subject, body: text, at, data };
    await log.decide(alert, config.alerts.dedupWindowMinutes, () => ({ send: true, reason: `${kind} report` }));
    if ((await log.sentDeliveries(alert)).has(deliveryKey(alert, delivery))) return { ...outcome, emailed: true, note: 'sent by an earlier attempt' };
    let error: string | undefined;
    try {
      await mail({ subject: report.subject, text, html }, delivery.to);
    } catch (e) {
      error = redact((e as Error).message);
    }
    const status = error === undefined ? 'sent' : 'failed';
    await log.recordDelivery(alert, delivery, { subject: report.subject, body: text }, { status, error });
    metrics?.alertDelivered('email', status);
    if (error !== undefined) throw ApplicationFailure.retryable(`report ${report.id}: email to ${delivery.to.join(', ')} failed: ${error}`, REPORT_DELIVERY_FAILED);
    return { ...outcome, emailed: true };
  }

  return {
    /**
     * The daily summary of `date` (an exchange date, YYYY-MM-DD), after endOfDaySummary has written its daily_pnl
     * row: the day's P&L and equity, the trades opened and closed with their P&L and exit reasons, the win rate and
     * the positions held at the close. Retry with alertActivityOptions(config.alerts): a failed email is retried.
     */
    async sendDailySummary(date: string): Promise<ReportOutcome> {
      checkDate('sendDailySummary', date);
      const [days, trades] = await Promise.all([source.days({ from: date, to: date }), source.trades(date, date)]);
      return publish(dailySummary({ date, day: days[0], trades, generatedAt: new Date().toISOString() }), 'daily', date);
    },

    /**
     * The weekly report of the seven dates ending on `weekEnding` (YYYY-MM-DD): P&L, trades, win rate, Sharpe ratio
     * (last reports.sharpeSessions sessions), drawdown, exposure, and the equity and drawdown charts over the last
     * reports.chartDays days.
     */
    async sendWeeklyReport(weekEnding: string): Promise<ReportOutcome> {
      checkDate('sendWeeklyReport', weekEnding);
      const from = weekStart(weekEnding);
      const chartFrom = daysBefore(weekEnding, config.reports.chartDays);
      const [days, sharpeDays, trades] = await Promise.all([
        source.days({ from: chartFrom, to: weekEnding }),
        source.days({ to: weekEnding, limit: config.reports.sharpeSessions }),
        source.trades(from, weekEnding),
      ]);
      const report = weeklyReport({ weekEnding, sessions: tradingDaysBetween(from, weekEnding), days, sharpeDays, trades, generatedAt: new Date().toISOString() });
      return publish(report, 'weekly', weekEnding);
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
