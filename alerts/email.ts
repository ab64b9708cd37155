import { createTransport } from 'nodemailer';
import type { Secrets } from '../config';
import type { AlertChannel } from './alerts';
import { alertHtml, alertSubject, alertText } from './format';
import type { AlertsConfig } from './policy';

/** Email over SMTP (nodemailer): one message, html and text, to all recipients of a delivery. */
export function createEmailChannel(config: AlertsConfig['email'], secrets: Pick<Secrets, 'smtpUser' | 'smtpPassword'>, timeoutMs: number): AlertChannel {
  const transport = createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.secure,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    auth: secrets.smtpUser ? { user: secrets.smtpUser, pass: secrets.smtpPassword } : undefined,
  });
  return {
    name: 'email',
    async send(alert, to) {
      await transport.sendMail({ from: config.from, to, subject: alertSubject(alert), text: alertText(alert), html: alertHtml(alert) });
    },
  };
}
