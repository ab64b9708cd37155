/** How an alert reads on each channel. Pure. */
import type { Alert } from './alerts';

/** Twilio's limit on a message body (longer ones are refused with error 21617). */
const TWILIO_BODY_LIMIT = 1600;

function label(alert: Alert): string {
  return alert.state === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
}

export function alertSubject(alert: Alert): string {
  return `[${label(alert)}] ${alert.title}`;
}

function dataLines(alert: Alert): string[] {
  return Object.entries(alert.data ?? {}).map(([k, v]) => `${k}: ${v}`);
}

export function alertText(alert: Alert): string {
  return [alertSubject(alert), '', alert.body, '', ...dataLines(alert), `at ${alert.at} (${alert.key})`].join('\n');
}

/** SMS and WhatsApp: the subject and the body, cut to what Twilio accepts. */
export function alertShortText(alert: Alert): string {
  const text = `${alertSubject(alert)}\n${alert.body}`;
  return text.length <= TWILIO_BODY_LIMIT ? text : `${text.slice(0, TWILIO_BODY_LIMIT - 1)}…`;
}

const COLORS: Record<string, string> = { CRITICAL: '#b00020', WARNING: '#b26a00', INFO: '#1f5fa8', RESOLVED: '#1b7f3b' };

export function alertHtml(alert: Alert): string {
  const rows = Object.entries(alert.data ?? {})
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`)
    .join('');
  const paragraphs = alert.body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:${COLORS[label(alert)]}">${escapeHtml(alertSubject(alert))}</h2>`,
    paragraphs,
    rows ? `<table cellpadding="4">${rows}</table>` : '',
    `<p style="color:#666;font-size:small">${escapeHtml(alert.at)} · ${escapeHtml(alert.key)}</p>`,
    '</body></html>',
  ].join('');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
