// The daily summary and the weekly report from a seeded audit trail (PostgreSQL of the global set-up): the mail a
// real SMTP server receives (subject, recipients, numbers in both parts), the HTML file and its render in headless
// Chromium, the record in Postgres, and once-only delivery across retries and an SMTP outage.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { createReportActivities, INVALID_REPORT_DATE, REPORT_DELIVERY_FAILED, type ReportActivities } from '../activities/reports';
import { ConfigError, loadConfig, type Secrets, type TraderConfig } from '../config';
import { PgStore } from '../store/pg-store';
import { createTestDatabase } from './support/harness';
import { SmtpPeer } from './support/mail-peers';
import { freePort } from './support/ports';

const secrets: Secrets = { smtpUser: 'reports@trader.test', smtpPassword: 'rep0rt-"pw"' };

/** Equity at the open and at the close of ten sessions, two weeks. */
const EQUITY: [date: string, start: number, end: number][] = [
  ['2026-02-23', 100_000, 100_500], ['2026-02-24', 100_500, 100_200], ['2026-02-25', 100_200, 100_900], ['2026-02-26', 100_900, 101_100],
  ['2026-02-27', 101_100, 100_800], ['2026-03-02', 100_800, 101_300], ['2026-03-03', 101_300, 100_300], ['2026-03-04', 100_300, 100_600],
  ['2026-03-05', 100_600, 101_500], ['2026-03-06', 101_500, 101_900],
];

interface Seed {
  id: string;
  strategy: 'mean_reversion' | 'pairs';
  side: 'LONG' | 'SHORT';
  state: string;
  legs: { symbol: string; side: 'LONG' | 'SHORT'; quantity: number; entryPrice?: number; exitPrice?: number }[];
  opened?: string;
  closed?: string;
  pnl?: number;
  commission?: number;
  exitReason?: string;
  stop?: number;
  target?: number;
}

// Instants in UTC; New York is UTC-5 in early March 2026.
const POSITIONS: Seed[] = [
  { id: 'mr-XOM', strategy: 'mean_reversion', side: 'LONG', state: 'CLOSED', legs: [{ symbol: 'XOM', side: 'LONG', quantity: 0, entryPrice: 60.12, exitPrice: 62.63 }], opened: '2026-03-03T14:35:00Z', closed: '2026-03-04T19:00:00Z', pnl: 250.5, commission: 2, exitReason: 'TAKE_PROFIT' },
  { id: 'pairs-KO-PEP', strategy: 'pairs', side: 'LONG', state: 'CLOSED', legs: [{ symbol: 'KO', side: 'LONG', quantity: 0, entryPrice: 61, exitPrice: 60.5 }, { symbol: 'PEP', side: 'SHORT', quantity: 0, entryPrice: 170.2, exitPrice: 171.1 }], opened: '2026-03-03T15:00:00Z', closed: '2026-03-04T16:10:00Z', pnl: -120.25, commission: 4, exitReason: 'STOP_LOSS' },
  { id: 'mr-CVX', strategy: 'mean_reversion', side: 'LONG', state: 'OPEN', legs: [{ symbol: 'CVX', side: 'LONG', quantity: 40, entryPrice: 150.1 }], opened: '2026-03-04T15:00:00Z', stop: 147.1, target: 155 },
  // Closed at 19:30 in New York, already the next day in UTC: it belongs to 2026-03-04.
  { id: 'mr-KO', strategy: 'mean_reversion', side: 'LONG', state: 'CLOSED', legs: [{ symbol: 'KO', side: 'LONG', quantity: 0, entryPrice: 60, exitPrice: 61 }], opened: '2026-03-04T14:40:00Z', closed: '2026-03-05T00:30:00Z', pnl: 80, commission: 1, exitReason: 'RSI_OVERBOUGHT' },
  // Never filled: no shares were held, so it is in no report.
  { id: 'mr-BAD', strategy: 'mean_reversion', side: 'LONG', state: 'REJECTED', legs: [{ symbol: 'BAD', side: 'LONG', quantity: 0 }], closed: '2026-03-04T15:00:00Z', exitReason: 'entry rejected: 201' },
  { id: 'mr-JPM', strategy: 'mean_reversion', side: 'LONG', state: 'CLOSED', legs: [{ symbol: 'JPM', side: 'LONG', quantity: 0, entryPrice: 290, exitPrice: 296.2 }], opened: '2026-03-06T14:45:00Z', closed: '2026-03-06T20:00:00Z', pnl: 310, commission: 1.5, exitReason: 'TAKE_PROFIT' },
  // Closed the week before.
  { id: 'mr-OLD', strategy: 'mean_reversion', side: 'LONG', state: 'CLOSED', legs: [{ symbol: 'OLD', side: 'LONG', quantity: 0, entryPrice: 10, exitPrice: 9 }], opened: '2026-02-24T15:00:00Z', closed: '2026-02-26T15:00:00Z', pnl: -55, commission: 1, exitReason: 'STOP_LOSS' },
];

let db: { pool: Pool; drop(): Promise<void> };
let smtp: SmtpPeer;
let dir: string;
let config: TraderConfig;
let reports: ReportActivities;

function reportConfig(over: Record<string, unknown> = {}): TraderConfig {
  return loadConfig({
    env: {},
    configFile: '/dev/null',
    overrides: {
      alerts: { email: { enabled: true, smtpHost: '127.0.0.1', smtpPort: smtp.port, secure: false, from: 'trader@trader.test', to: ['owner@trader.test', 'ops@trader.test'] } },
      reports: { dir, sharpeSessions: 10 },
      ...over,
    },
  }).config;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-reports-'));
  smtp = new SmtpPeer(await freePort(), { user: secrets.smtpUser!, password: secrets.smtpPassword! });
  await smtp.start();
  config = reportConfig();
  reports = createReportActivities({ config, secrets, pool: db.pool, store: new PgStore(db.pool) });
  for (const [date, start, end] of EQUITY) {
    await db.pool.query(
      `INSERT INTO daily_pnl (account, trading_date, starting_equity, ending_equity, realized_pnl, unrealized_pnl, commissions, trade_count, win_count, loss_count, max_drawdown_pct)
       VALUES ('DU1', $1, $2, $3, $4, $5, 3.5, 0, 0, 0, $6)`,
      [date, start, end, date === '2026-03-04' ? 210.25 : 0, end - start - (date === '2026-03-04' ? 210.25 : 0), Math.max(0, (start - end) / start)],
    );
  }
  for (const p of POSITIONS) {
    await db.pool.query(
      `INSERT INTO positions (workflow_id, strategy, symbols, side, state, trading_date, legs, stop_price, target_price, realized_pnl, commission, exit_reason, opened_at, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [p.id, p.strategy, p.legs.map((l) => l.symbol), p.side, p.state, (p.opened ?? p.closed)!.slice(0, 10), JSON.stringify(p.legs), p.stop ?? null, p.target ?? null,
        p.pnl ?? 0, p.commission ?? 0, p.exitReason ?? null, p.opened ?? null, p.closed ?? null],
    );
  }
});

afterAll(async () => {
  await smtp.stop();
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  smtp.mails.length = 0;
});

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

/** The HTML cells of a table row, tags stripped, for the row whose first cell is `first`. */
function htmlRow(html: string, first: string): string[] {
  const row = html.match(new RegExp(`<tr><td>${first.replace(/[/.]/g, '\\$&')}</td>.*?</tr>`))?.[0];
  expect(row).toBeDefined();
  return [...row!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!);
}

/** Renders the page in headless Chromium when it is installed: a screenshot of the given size and every chart in the DOM. */
function renderInChromium(file: string, png: string): void {
  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync(c, ['--version']).status === 0);
  if (!chromium) {
    console.warn('chromium is not on PATH: skipping the headless render check of the report');
    return;
  }
  const flags = ['--headless', '--no-sandbox', '--disable-gpu'];
  const shot = spawnSync(chromium, [...flags, `--screenshot=${png}`, '--window-size=1200,1800', `file://${file}`], { timeout: 60_000 });
  expect(shot.status).toBe(0);
  const image = fs.readFileSync(png);
  expect(image.subarray(1, 4).toString()).toBe('PNG');
  expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([1200, 1800]);
  const dom = spawnSync(chromium, [...flags, '--dump-dom', `file://${file}`], { timeout: 60_000, maxBuffer: 16 << 20 });
  const html = fs.readFileSync(file, 'utf8');
  expect((dom.stdout.toString().match(/<svg /g) ?? []).length).toBe((html.match(/<svg /g) ?? []).length);
  expect(dom.stdout.toString()).toContain('</table>');
}

describe('daily summary', () => {
  test('reaches the SMTP server with the day’s P&L, trades, win rate, positions held and equity; the same page is on disk', async () => {
    const outcome = await reports.sendDailySummary('2026-03-04');
    const file = path.join(dir, 'daily-2026-03-04.html');
    expect(outcome).toEqual({ id: 'daily-2026-03-04', file, subject: 'Daily summary 2026-03-04: P&L +300.00 (+0.30%), 3 trades closed, 2 won', emailed: true });

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe(outcome.subject);
    expect(mail.authUser).toBe(secrets.smtpUser);
    expect(mail.from).toBe('trader@trader.test');
    expect(mail.envelopeTo).toEqual(['owner@trader.test', 'ops@trader.test']); // reports.to is empty: alerts.email.to
    expect(mail.html!.trimEnd()).toBe(fs.readFileSync(file, 'utf8').trimEnd()); // SMTP ends the part with a line break

    const text = mail.text!;
    expect(text).toMatch(/^Daily summary 2026-03-04\n2 opened · 3 closed · 1 held at the close · made \d{4}-/);
    for (const line of [
      /^Day P&L: +\+300\.00 \(\+0\.30%\)$/m,
      /^Equity at the open: +100,300\.00$/m,
      /^Equity at the close: +100,600\.00$/m,
      /^Realized \/ unrealized P&L: +\+210\.25 \/ \+89\.75$/m,
      /^Trades opened: +2$/m,
      /^Trades closed: +3$/m,
      /^Won \/ lost: +2 \/ 1$/m,
      /^Win rate: +66\.7%$/m,
      /^Closed trades' P&L \(net\): +\+210\.25$/m,
      /^Commissions: +7\.00$/m,
      // Closed today, with P&L and exit reason; KO closed at 19:30 New York time (00:30 UTC the next day).
      /^XOM +mean reversion +LONG +2026-03-03 +2026-03-04 +60\.12 +62\.63 +\+250\.50 +2\.00 +TAKE_PROFIT$/m,
      /^KO \/ PEP +pairs +LONG +2026-03-03 +2026-03-04 +61\.00 \/ 170\.20 +60\.50 \/ 171\.10 +-120\.25 +4\.00 +STOP_LOSS$/m,
      /^KO +mean reversion +LONG +2026-03-04 +2026-03-04 +60\.00 +61\.00 +\+80\.00 +1\.00 +RSI_OVERBOUGHT$/m,
      // Held at the close.
      /^CVX +mean reversion +LONG +2026-03-04 +40 +150\.10 +147\.10 +155\.00 +OPEN$/m,
    ]) expect(text).toMatch(line);
    expect(text).not.toMatch(/BAD|JPM|OLD/);
    const held = text.slice(text.indexOf('Held at the close\n'));
    expect(held.match(/^\w.* OPEN$/gm)).toHaveLength(1);

    expect(htmlRow(mail.html!, 'XOM')).toEqual(['XOM', 'mean reversion', 'LONG', '2026-03-03', '2026-03-04', '60.12', '62.63', '+250.50', '2.00', 'TAKE_PROFIT']);
    expect(mail.html).toContain('<td class="neg">-120.25</td>');
    expect(htmlRow(mail.html!, 'Win rate')).toEqual(['Win rate', '66.7%']);

    const event = await db.pool.query("SELECT kind, message, details FROM system_events WHERE idempotency_key = 'report:daily-2026-03-04'");
    expect(event.rows).toEqual([{ kind: 'report.daily', message: outcome.subject, details: expect.objectContaining({ file, dayPnl: 300, tradesClosed: 3, wins: 2, losses: 1, openAtClose: 1 }) }]);
    const delivery = await db.pool.query("SELECT channel, recipient, subject, status, attempts FROM alerts WHERE dedup_key = 'report.daily'");
    expect(delivery.rows).toEqual([{ channel: 'email', recipient: 'owner@trader.test, ops@trader.test', subject: outcome.subject, status: 'sent', attempts: 1 }]);

    renderInChromium(file, path.join(dir, 'daily.png'));
  }, 120_000);

  test('a retried or repeated activity rewrites the page but does not mail it again', async () => {
    const again = await reports.sendDailySummary('2026-03-04');
    expect(again).toMatchObject({ id: 'daily-2026-03-04', emailed: true, note: 'sent by an earlier attempt' });
    expect(smtp.mails).toEqual([]);
  });

  test('SMTP down: a retryable failure after the page is written; the retry mails it once', async () => {
    await smtp.stop();
    const failure = await failureOf(reports.sendDailySummary('2026-03-05'));
    expect(failure.type).toBe(REPORT_DELIVERY_FAILED);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^report daily-2026-03-05: email to owner@trader\.test, ops@trader\.test failed: .*ECONNREFUSED/);
    expect(fs.existsSync(path.join(dir, 'daily-2026-03-05.html'))).toBe(true);
    await smtp.start();
    expect(await reports.sendDailySummary('2026-03-05')).toMatchObject({ emailed: true, subject: 'Daily summary 2026-03-05: P&L +900.00 (+0.89%), 0 trades closed, 0 won' });
    expect(await reports.sendDailySummary('2026-03-05')).toMatchObject({ emailed: true, note: 'sent by an earlier attempt' });
    expect(smtp.mails).toHaveLength(1);
    const { rows } = await db.pool.query("SELECT status, attempts FROM alerts WHERE alert_id LIKE 'report.daily@2026-03-05%'");
    expect(rows).toEqual([{ status: 'sent', attempts: 2 }]);
  });

  test('a day without an end-of-day record still reports its trades and says why the equity is missing', async () => {
    const outcome = await reports.sendDailySummary('2026-03-09');
    expect(outcome.subject).toBe('Daily summary 2026-03-09: closed trades 0.00, 0 trades closed, 0 won');
    expect(smtp.mails[0]!.text).toContain('No end-of-day equity was recorded for this date');
    // CVX is still held.
    expect(smtp.mails[0]!.text).toMatch(/^CVX +mean reversion .* OPEN$/m);
  });

  test('a date that is none fails for good, naming the activity and the format', async () => {
    const failure = await failureOf(reports.sendDailySummary('2026-02-30'));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(INVALID_REPORT_DATE);
    expect(failure.message).toBe('sendDailySummary: invalid date "2026-02-30": expected a real calendar date as YYYY-MM-DD');
  });
});

describe('weekly report', () => {
  test('P&L, trades, win rate, Sharpe, drawdown and exposure of the week, with the equity and drawdown charts', async () => {
    const outcome = await reports.sendWeeklyReport('2026-03-06');
    const file = path.join(dir, 'weekly-2026-03-06.html');
    // Sharpe of the ten daily returns, computed here the long way: mean / sample standard deviation × √252.
    const returns = EQUITY.map(([, start, end]) => end / start - 1);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
    const sharpe = ((mean / sd) * Math.sqrt(252)).toFixed(2);
    expect(outcome).toEqual({
      id: 'weekly-2026-03-06', file, emailed: true,
      subject: `Weekly report, week ending 2026-03-06: P&L +1,100.00 (+1.09%), 4 trades, win rate 75%, Sharpe ${sharpe}`,
    });

    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe(outcome.subject);
    expect(mail.html!.trimEnd()).toBe(fs.readFileSync(file, 'utf8').trimEnd()); // SMTP ends the part with a line break
    const text = mail.text!;
    for (const line of [
      /^Weekly report: 2026-02-28 – 2026-03-06$/m,
      /^Week P&L: +\+1,100\.00 \(\+1\.09%\)$/m,
      /^Equity at the start \/ end: +100,800\.00 \/ 101,900\.00$/m,
      new RegExp(`^Sharpe ratio \\(annualised, last 10 sessions\\): +${sharpe}$`, 'm'),
      // 101,300 → 100,300 on 2026-03-03.
      /^Max drawdown \(week\): +-0\.99%$/m,
      // A position was held on 4 of the 5 sessions (none on Monday 2026-03-02).
      /^Exposure \(sessions with a position\): +80%$/m,
      /^Sessions recorded: +5 of 5$/m,
      /^Trades closed: +4$/m,
      /^Won \/ lost: +3 \/ 1$/m,
      /^Win rate: +75\.0%$/m,
      /^Closed trades' P&L \(net\): +\+520\.25$/m,
      /^Average win \/ loss: +213\.50 \/ -120\.25$/m,
      /^mean reversion +3 +3 \/ 0 +100\.0% +\+640\.50$/m,
      /^pairs +1 +0 \/ 1 +0\.0% +-120\.25$/m,
      /^2026-03-03 +101,300\.00 +100,300\.00 +-1,000\.00 +-0\.99% /m,
      /^JPM +mean reversion +LONG +2026-03-06 +2026-03-06 +290\.00 +296\.20 +\+310\.00 +1\.50 +TAKE_PROFIT$/m,
      /^CVX +mean reversion +LONG +2026-03-04 +40 +150\.10 /m,
    ]) expect(text).toMatch(line);
    expect(text).not.toContain('OLD');

    // Two inline-SVG charts: the equity line from the first record (opened at the session before it), trades marked, and the drawdown area.
    const svgs = mail.html!.match(/<svg [\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(2);
    expect(svgs[0]).toContain('Equity at each close');
    expect(svgs[0]!.match(/<circle /g)).toHaveLength(4);
    expect(svgs[0]).toContain('<title>2026-03-04 KO/PEP pairs: -120.25 (STOP_LOSS)</title>');
    expect(svgs[1]).toContain('Drawdown from the running peak');
    expect(svgs[1]).toMatch(/<path d="M[^"]+Z" fill="#b3261e" fill-opacity="0.25"/);
    expect(mail.html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    const { rows } = await db.pool.query("SELECT details FROM system_events WHERE idempotency_key = 'report:weekly-2026-03-06'");
    expect(rows[0].details).toMatchObject({ pnl: 1100, trades: 4, wins: 3, losses: 1, winRate: 0.75, exposure: 0.8, sharpe: expect.closeTo(Number(sharpe), 2) });

    renderInChromium(file, path.join(dir, 'weekly.png'));
  }, 120_000);

  test('reports.to replaces the alert recipients; reports.email false writes the page and sends nothing', async () => {
    const desk = createReportActivities({ config: reportConfig({ reports: { dir, to: ['desk@trader.test'] } }), secrets, pool: db.pool, store: new PgStore(db.pool) });
    await desk.sendWeeklyReport('2026-02-27');
    expect(smtp.mails.map((m) => m.envelopeTo)).toEqual([['desk@trader.test']]);
    expect(smtp.mails[0]!.text).toMatch(/^Max drawdown \(week\): +-0\.30%$/m);

    const quiet = createReportActivities({ config: reportConfig({ reports: { dir, email: false } }), secrets, pool: db.pool, store: new PgStore(db.pool) });
    expect(await quiet.sendWeeklyReport('2026-03-13')).toMatchObject({ emailed: false, note: 'reports.email is false', file: path.join(dir, 'weekly-2026-03-13.html') });
    expect(smtp.mails).toHaveLength(1);
  });
});

test('a day of an empty account (no equity) has no return: the weekly report still goes out', async () => {
  await db.pool.query(
    `INSERT INTO daily_pnl (account, trading_date, starting_equity, ending_equity, realized_pnl, unrealized_pnl, commissions, trade_count, win_count, loss_count, max_drawdown_pct)
     VALUES ('DU1', '2026-03-16', 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
  );
  const outcome = await reports.sendWeeklyReport('2026-03-20');
  expect(outcome.emailed).toBe(true);
  expect(smtp.mails[0]!.text).toContain('No end-of-day equity was recorded this week');
  expect(smtp.mails[0]!.text).toMatch(/^Sharpe ratio \(annualised, last 9 sessions\): +\d+\.\d\d$/m);
});

test('a bad reports setting stops start-up with the field and what is allowed', () => {
  expect(() => loadConfig({ env: {}, configFile: '/dev/null', overrides: { reports: { sharpeSessions: 1 } } })).toThrow(ConfigError);
  expect(() => loadConfig({ env: {}, configFile: '/dev/null', overrides: { reports: { sharpeSessions: 1 } } })).toThrow(/reports\.sharpeSessions = 1 .*: Too small: expected number to be >=2/);
});
