import { createTransport } from 'nodemailer';
import type { Secrets } from '../config';
import type { AlertChannel } from './alerts';
import { alertHtml, alertSubject, alertText } from './format';
import type { AlertsConfig } from './policy';

/** One email, both parts: alerts and the daily and weekly reports go out as such. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export type Mailer = (message: EmailMessage, to: string[]) => Promise<void>;

/** A sender over SMTP (nodemailer) from config.from; each exchange with the server bounded by timeoutMs. */
export function createMailer(config: AlertsConfig['email'], secrets: Pick<Secrets, 'smtpUser' | 'smtpPassword'>, timeoutMs: number): Mailer {
  const transport = createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.secure,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    auth: secrets.smtpUser ? { user: secrets.smtpUser, pass: secrets.smtpPassword } : undefined,
  });
  return async (message, to) => {
    await transport.sendMail({ from: config.from, to, ...message });
  };
}

/** Email over SMTP: one message, html and text, to all recipients of a delivery. */
export function createEmailChannel(config: AlertsConfig['email'], secrets: Pick<Secrets, 'smtpUser' | 'smtpPassword'>, timeoutMs: number): AlertChannel {
  const mail = createMailer(config, secrets, timeoutMs);
  return {
    name: 'email',
    send: (alert, to) => mail({ subject: alertSubject(alert), text: alertText(alert), html: alertHtml(alert) }, to),
  };
}
