// The protocol peers of the alert channels: a real SMTP server (smtp-server, with AUTH) that keeps the mail it
// receives, and a local HTTP endpoint that answers as Twilio's Messages API does.
import * as http from 'node:http';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  envelopeTo: string[];
  authUser: string | undefined;
  subject: string | undefined;
  from: string | undefined;
  to: string[];
  html: string | undefined;
  text: string | undefined;
}

/** A real SMTP server that accepts only the given credentials and keeps what it receives. */
export class SmtpPeer {
  readonly mails: Mail[] = [];
  private server?: SMTPServer;
  constructor(
    readonly port: number,
    private readonly credentials: { user: string; password: string },
  ) {}

  start(): Promise<void> {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, cb) =>
        auth.username === this.credentials.user && auth.password === this.credentials.password ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password')),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          PostalMime.parse(Buffer.concat(chunks)).then((m) => {
            this.mails.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              authUser: session.user as string | undefined,
              subject: m.subject,
              from: m.from?.address,
              to: (m.to ?? []).map((a) => a.address ?? ''),
              html: m.html,
              text: m.text,
            });
            cb();
          }, cb);
        });
      },
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

export interface TwilioRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
}

/** A local HTTP endpoint answering as Twilio's Messages API does; numbers in `refuse` get Twilio's 400. */
export class TwilioPeer {
  readonly requests: TwilioRequest[] = [];
  readonly refuse = new Set<string>();
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      this.requests.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, form });
      if (this.refuse.has(form.To!)) {
        // A peer that echoes a credential in its error: it must not reach Postgres, a failure, a log or a history.
        res.writeHead(400, { 'content-type': 'application/json' }).end(
          JSON.stringify({ code: 21211, message: `The 'To' number ${form.To} is not a valid phone number (token ${this.credentials.authToken})`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }),
        );
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({ sid: `SM${String(this.requests.length).padStart(32, '0')}`, status: 'queued', to: form.To, from: form.From, body: form.Body, account_sid: this.credentials.accountSid }),
      );
    });
  });

  constructor(private readonly credentials: { accountSid: string; authToken: string }) {}

  /** Listens on a free port; resolves to the API address (alerts.twilioApiUrl). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
