import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { Secrets } from '../config';
import type { AlertChannel } from './alerts';
import { alertShortText } from './format';
import type { AlertsConfig } from './policy';

const TWILIO_API = 'https://api.twilio.com';

/**
 * Rebases every request of the twilio client onto another API address (a local endpoint in the
 * tests), as the twilio-node maintainers advise for pointing the client elsewhere: a custom
 * httpClient that rewrites the URI and otherwise is the library's own RequestClient.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiUrl: string,
    timeout: number,
  ) {
    super({ timeout });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.apiUrl.replace(/\/+$/, '')) });
  }
}

export type TwilioSecrets = Required<Pick<Secrets, 'twilioAccountSid' | 'twilioAuthToken'>>;

/** The real twilio client, on config.twilioApiUrl, each request bounded by delivery.channelTimeoutMs. */
export function createTwilioClient(config: Pick<AlertsConfig, 'twilioApiUrl' | 'delivery'>, secrets: TwilioSecrets): twilio.Twilio {
  const timeout = config.delivery.channelTimeoutMs;
  const rebased = new URL(config.twilioApiUrl).origin !== TWILIO_API;
  return twilio(secrets.twilioAccountSid, secrets.twilioAuthToken, rebased ? { httpClient: new RebasedRequestClient(config.twilioApiUrl, timeout) } : { timeout });
}

/** SMS, or WhatsApp through the same Messages API with `whatsapp:` addresses. */
export function createTwilioChannel(name: 'sms' | 'whatsapp', config: AlertsConfig['sms'], client: twilio.Twilio): AlertChannel {
  const address = (n: string) => (name === 'whatsapp' && !n.startsWith('whatsapp:') ? `whatsapp:${n}` : n);
  return {
    name,
    async send(alert, to) {
      for (const n of to) await client.messages.create({ from: address(config.from), to: address(n), body: alertShortText(alert) });
    },
  };
}
