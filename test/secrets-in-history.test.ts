// Configured secrets never reach a workflow history or a log line. The production worker process (dist/workers/main.js)
// runs with an SMTP login, a Twilio account and token, and a DATABASE_URL whose password has URL-special characters,
// all in use: it reaches PostgreSQL with that password, and the kill switch's alert goes through the real SMTP AUTH
// and Twilio basic auth to local peers. The Twilio peer first refuses the SMS with an error that echoes the token,
// so the failed attempt's error travels into the history (the retried activity's last failure) and into the logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { loadConfig, projectRoot, type Secrets } from '../config';
import { GatewaySimulator } from '../gateway-sim/server';
import { watchdogSettings } from '../workers/supervisor-start';
import { haltSignal, statusQuery, supervisor } from '../workflows/supervisor';
import { createTestDatabase, testConfig, testEnv } from './support/harness';
import { SmtpPeer, TwilioPeer } from './support/mail-peers';
import { freePort } from './support/ports';

const ROLE = `worker_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const DB_PASSWORD = 'pg:P@ss/w%rd"#1';
const secrets = {
  smtpUser: 'smtp-login-7f3a9c',
  smtpPassword: 'smtp-"quoted"\\pa55',
  twilioAccountSid: 'AC5e1c2e7d0b9a4f3e8d7c6b5a4f3e2d1c',
  twilioAuthToken: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
} satisfies Secrets;
const SMS_TO = '+15550002222';

/** Every form in which a secret could be written down: as is, JSON-escaped, URL-encoded, base64 (SMTP AUTH, HTTP basic auth). */
function leakForms(values: string[]): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const forms = values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v), b64(v)]);
  forms.push(b64(`${secrets.twilioAccountSid}:${secrets.twilioAuthToken}`), b64(`\0${secrets.smtpUser}\0${secrets.smtpPassword}`));
  return [...new Set(forms)];
}

/** Every string and every payload (decoded as UTF-8) of a history, of any depth. */
function texts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) texts(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) texts(v, out);
  return out;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let databaseUrl: string;
let sim: GatewaySimulator;
let smtp: SmtpPeer;
const twilio = new TwilioPeer({ accountSid: secrets.twilioAccountSid, authToken: secrets.twilioAuthToken });
let dir: string;
let client: Client;
let worker: ChildProcess;
let output = '';
const taskQueue = `secrets-${randomUUID()}`;

beforeAll(async () => {
  db = await createTestDatabase();
  // The worker logs in as a role of its own, with a password that URL-encoding changes.
  await db.pool.query(`CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${DB_PASSWORD.replace(/'/g, "''")}'`);
  const url = new URL(db.url);
  url.username = ROLE;
  url.password = encodeURIComponent(DB_PASSWORD);
  databaseUrl = url.toString();

  smtp = new SmtpPeer(await freePort(), { user: secrets.smtpUser, password: secrets.smtpPassword });
  await smtp.start();
  const twilioApiUrl = await twilio.start();
  sim = await GatewaySimulator.start({ dataDir: testConfig().data.dir, symbols: ['XOM'], startDate: '2015-06-01', speed: 1, historyFrom: '2015-01-01' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-secrets-'));
  // JSON is YAML. Debug logs: the most the worker ever writes.
  fs.writeFileSync(path.join(dir, 'config.yaml'), JSON.stringify({
    observability: { logLevel: 'debug', metricsPort: 0, temporalMetricsPort: 0 },
    killSwitch: { watchdogIntervalSeconds: 1, positionsCloseTimeoutSeconds: 5 },
    alerts: {
      twilioApiUrl,
      delivery: { retryInitialIntervalMs: 500, retryMaximumIntervalMs: 2000 },
      email: { enabled: true, smtpHost: '127.0.0.1', smtpPort: smtp.port, secure: false, from: 'trader@trader.test', to: ['owner@trader.test'] },
      sms: { enabled: true, from: '+15550001111', to: [SMS_TO] },
      whatsapp: { enabled: true, from: '+15550001111', to: ['+15550004444'] },
    },
    reports: { dir: path.join(dir, 'reports') },
  }));

  worker = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'workers', 'main.js')], {
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      TEMPORAL_ADDRESS: testEnv().address, TEMPORAL_TASK_QUEUE: taskQueue, TRADER_CONFIG: path.join(dir, 'config.yaml'),
      TRADER_WORKFLOW_BUNDLE: testEnv().bundlePath, TRADER_WORKER_SINGLETONS: 'false',
      IB_HOST: '127.0.0.1', IB_PORT: String(sim.port), IB_CLIENT_ID: '31',
      TRADER_MARKET_CLOCK: JSON.stringify({ market: sim.clock.now(), real: Date.now(), speed: 1 }),
      DATABASE_URL: databaseUrl, SMTP_USER: secrets.smtpUser, SMTP_PASSWORD: secrets.smtpPassword,
      TWILIO_ACCOUNT_SID: secrets.twilioAccountSid, TWILIO_AUTH_TOKEN: secrets.twilioAuthToken,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('the worker to run', async () => output.includes('worker running on task queue') || undefined);
  client = new Client({ connection: await Connection.connect({ address: testEnv().address }) });
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGKILL');
    await exited;
  }
  await client?.connection.close();
  await twilio.stop();
  await smtp?.stop();
  await sim?.close();
  await db?.drop();
  const admin = new PgClient({ connectionString: testEnv().databaseUrl });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a kill switch that alerts through SMTP and Twilio leaves no secret in the workflow history or the worker’s logs', async () => {
  const config = loadConfig({ env: {}, configFile: path.join(dir, 'config.yaml') }).config;
  twilio.refuse.add(SMS_TO);
  const handle = await client.workflow.start(supervisor, { workflowId: `supervisor-${randomUUID()}`, taskQueue, args: [{ watchdog: watchdogSettings(config) }] });
  await until('the broker connected', async () => (await handle.query(statusQuery)).health?.connection === 'CONNECTED');
  // A signal, as the Web UI sends it: the halt's alert waits for the refusal below to be lifted.
  await handle.signal(haltSignal, { reason: 'secrets test', source: 'test', flatten: true });

  // The first SMS is refused with the token in Twilio's answer; the retry goes through.
  await until('the refused SMS', async () => twilio.requests.some((r) => r.form.To === SMS_TO) || undefined);
  twilio.refuse.clear();
  await until('every delivery sent', async () => {
    const { rows } = await db.pool.query<{ status: string }>("SELECT status FROM alerts WHERE dedup_key = 'kill-switch'");
    return (rows.length === 3 && rows.every((r) => r.status === 'sent')) || undefined;
  });
  expect((await handle.query(statusQuery)).killSwitch?.step).toBe('FLAT');

  // The secrets were in use: SMTP AUTH with the login, Twilio basic auth with the token, Postgres as the role.
  expect(smtp.mails.map((m) => [m.authUser, m.subject])).toEqual([[secrets.smtpUser, '[CRITICAL] Kill switch engaged: trading halted, positions flattened']]);
  const basic = `Basic ${Buffer.from(`${secrets.twilioAccountSid}:${secrets.twilioAuthToken}`).toString('base64')}`;
  expect(twilio.requests.map((r) => r.authorization)).toEqual(twilio.requests.map(() => basic));
  expect(twilio.requests.filter((r) => r.form.To === SMS_TO).length).toBeGreaterThanOrEqual(2);
  const { rows: sessions } = await db.pool.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [ROLE]);
  expect(sessions[0].n).toBeGreaterThan(0);

  const leaks = leakForms([...Object.values(secrets), databaseUrl, DB_PASSWORD]);
  // Every run of the Supervisor (it continues as new on this server's short history limit).
  const runs: string[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(run.runId);
  expect(runs.length).toBeGreaterThan(0);
  const histories = await Promise.all(runs.map((runId) => client.workflow.getHandle(handle.workflowId, runId).fetchHistory()));
  const history = texts(histories).join('\n');
  // The failed attempt's error is in the history, with the token taken out.
  expect(history).toContain(`sms to ${SMS_TO}: The 'To' number ${SMS_TO} is not a valid phone number (token [REDACTED])`);
  for (const leak of leaks) expect(history).not.toContain(leak);

  const exited = new Promise((r) => worker.once('exit', r));
  worker.kill('SIGTERM');
  await exited;
  const lines = output.split('\n').filter((l) => l.startsWith('{'));
  const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(logs.length).toBeGreaterThan(20);
  expect(logs.every((l) => l.service === 'trader')).toBe(true);
  // The SDK logged the failed attempt, redacted.
  expect(lines.some((l) => l.includes('sendAlert') && l.includes('(token [REDACTED])'))).toBe(true);
  for (const leak of leaks) expect(output).not.toContain(leak);
}, 180_000);
