import type { Secrets } from '../config';

export const REDACTED = '[REDACTED]';

/**
 * Every form in which a configured secret can reach a log line or an error text: as written,
 * JSON-escaped, URL-encoded and base64 (HTTP basic auth, SMTP AUTH), the password inside
 * DATABASE_URL, and the credential pairs the clients send.
 */
export function secretForms(secrets: Secrets): string[] {
  const values = Object.values(secrets).filter((v): v is string => typeof v === 'string' && v.length > 0);
  if (secrets.databaseUrl) {
    const password = URL.canParse(secrets.databaseUrl) ? new URL(secrets.databaseUrl).password : '';
    if (password) values.push(password, decodeURIComponent(password));
  }
  const pairs = [
    [secrets.twilioAccountSid, secrets.twilioAuthToken, ':'],
    [secrets.smtpUser, secrets.smtpPassword, ':'],
    [secrets.smtpUser, secrets.smtpPassword, '\0'],
  ] as const;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const forms = new Set<string>();
  for (const v of values) for (const f of [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v), b64(v)]) forms.add(f);
  for (const [user, pass, sep] of pairs) if (user && pass) forms.add(b64(sep === ':' ? `${user}:${pass}` : `\0${user}\0${pass}`));
  return [...forms].filter((f) => f.length > 0);
}

/** A function that replaces every form of every configured secret in a text with [REDACTED]. */
export function secretRedactor(secrets: Secrets): (text: string) => string {
  const forms = secretForms(secrets).sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}
