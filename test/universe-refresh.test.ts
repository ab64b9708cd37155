// The weekly UniverseRefresh on the real dev server and embedded Postgres: a full refresh from the data files, a refresh
// resumed after its worker stopped mid-way, idempotent retries of its activities, the broker source through the IB
// adapter against the gateway simulator, and the weekly schedule.
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createUniverseActivities, type UniverseActivities, type UniverseBatchReport } from '../activities/universe';
import { IbBroker } from '../broker/ib/ib-broker';
import { PgOrderIdStore } from '../broker/order-ids';
import { GatewaySimulator } from '../gateway-sim/server';
import { loadDailyBars, loadSectors } from '../market-data/files';
import { PgStore } from '../store/pg-store';
import { screenUniverse, selectPairs } from '../trading/screening';
import { ensureSchedules, UNIVERSE_REFRESH_SCHEDULE_ID } from '../workers/schedules';
import { TradingDate } from '../workflows/search-attributes';
import { universeRefresh, universeRefreshStatusQuery } from '../workflows/universe-refresh';
import { startTestStack, type TestStack } from './support/harness';

const AS_OF = '2021-03-05'; // a Friday: what the Sunday refresh of 2021-03-07 screens
const BATCH = 20; // 26 batches: enough to stop the worker mid-way and to pass the test server's continue-as-new threshold
let stack: TestStack;
let symbols: string[];

beforeAll(async () => {
  stack = await startTestStack({ config: { schedule: { universeRefresh: { batchSize: BATCH } } } });
  symbols = [...loadSectors(path.join(stack.config.data.dir, 'sectors.csv')).keys()].sort();
});
afterAll(async () => stack?.close());

const start = (workflowId: string) =>
  stack.client.workflow.start(universeRefresh, { workflowId, taskQueue: stack.config.temporal.taskQueue, args: [{ asOf: AS_OF }] });

async function versionOf(workflowId: string): Promise<{ id: string; status: string; session_date: string; bar_source: string }[]> {
  const { rows } = await stack.pool.query(
    `SELECT id, status, to_char(session_date, 'YYYY-MM-DD') AS session_date, bar_source FROM universe_versions WHERE workflow_id = $1`, [workflowId]);
  return rows;
}

async function batchRows(universeId: string): Promise<{ batch: number; attempts: number; completed_at: Date | null }[]> {
  const { rows } = await stack.pool.query('SELECT batch, attempts, completed_at FROM universe_refresh_batches WHERE universe_id = $1 ORDER BY batch', [universeId]);
  return rows;
}

test('a refresh stores a new version: every symbol and pair with its verdict and reasons, the same as the pure screen', async () => {
  const workflowId = `universe-refresh-full-${Date.now()}`;
  const h = await start(workflowId);
  const done = await h.result();
  expect(done).toMatchObject({ phase: 'COMPLETE', batchesDone: Math.ceil(symbols.length / BATCH), symbolsMissing: 0 });
  expect(done.version).toMatchObject({ asOf: AS_OF, barSource: 'files', symbols: symbols.length });
  expect((await h.describe()).typedSearchAttributes.get(TradingDate)).toBe(AS_OF);
  expect(await h.query(universeRefreshStatusQuery)).toEqual(done); // what the Web UI's Queries tab shows
  const [version] = await versionOf(workflowId);
  expect(version).toMatchObject({ status: 'COMPLETE', session_date: AS_OF, bar_source: 'files' });

  // The screen of the bars as read from the data file, with no workflow or database in between.
  const bars = loadDailyBars(path.join(stack.config.data.dir, 'daily.csv.gz'), { from: '2019-03-05', to: AS_OF });
  const sectors = new Map([...loadSectors(path.join(stack.config.data.dir, 'sectors.csv'))].map(([s, i]) => [s, i.sector]));
  const input = { asOf: AS_OF, bars, sectors };
  const expected = screenUniverse(input, stack.config);
  const expectedPairs = selectPairs(input, expected, stack.config);

  const { rows: members } = await stack.pool.query(
    'SELECT symbol, kept, mean_reversion_candidate, candidate_rank, reasons FROM universe_members WHERE universe_id = $1 ORDER BY symbol', [version.id]);
  expect(members.map((m) => m.symbol)).toEqual(symbols);
  expect(members.filter((m) => m.kept).map((m) => m.symbol)).toEqual(expected.symbols.filter((s) => s.universe.passed).map((s) => s.symbol));
  const candidates = members.filter((m) => m.candidate_rank !== null).sort((a, b) => a.candidate_rank - b.candidate_rank);
  expect(candidates.map((m) => m.symbol)).toEqual(expected.meanReversionCandidates.map((s) => s.symbol));
  expect(candidates.every((m) => m.mean_reversion_candidate)).toBe(true);
  // Each verdict carries its reasons, numbers and limits included.
  const kept = members.find((m) => m.kept)!;
  expect(kept.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ stage: 'universe', code: 'DOLLAR_VOLUME_OK', outcome: 'pass', value: expect.any(Number) })]));
  const dropped = members.find((m) => !m.kept);
  if (dropped) expect(dropped.reasons.some((r: { stage: string; outcome: string }) => r.stage === 'universe' && r.outcome === 'fail')).toBe(true);

  const { rows: pairs } = await stack.pool.query(
    `SELECT symbol_a, symbol_b, kept, candidate_rank, coint_p_value::float8 AS p, reasons FROM pairs WHERE universe_id = $1`, [version.id]);
  expect(pairs).toHaveLength(expectedPairs.pairs.length);
  expect(pairs.every((p) => p.reasons.length > 0)).toBe(true);
  const ranked = pairs.filter((p) => p.candidate_rank !== null).sort((a, b) => a.candidate_rank - b.candidate_rank);
  expect(ranked.map((p) => `${p.symbol_a}/${p.symbol_b}`)).toEqual(expectedPairs.candidates.map((p) => `${p.a}/${p.b}`));
  expect(ranked.length).toBeGreaterThan(0);
  expect(ranked[0].reasons.at(-1)).toMatchObject({ code: 'COINTEGRATED', outcome: 'pass' });

  expect(done.summary).toMatchObject({
    versionId: Number(version.id), sessionDate: AS_OF, symbols: symbols.length, meanReversionCandidates: expected.meanReversionCandidates.length,
    pairsEvaluated: expectedPairs.pairs.length, pairsKept: expectedPairs.candidates.length,
  });
  const { rows: events } = await stack.pool.query(`SELECT message FROM system_events WHERE kind = 'universe.refreshed' AND idempotency_key = $1`, [`universe-version-${version.id}:complete`]);
  expect(events).toHaveLength(1);

  // What a trading day will read: the latest complete version, best first; none before the first one.
  const latest = await new PgStore(stack.pool).latestUniverse(AS_OF);
  expect(latest).toMatchObject({ id: Number(version.id), asOf: AS_OF, sessionDate: AS_OF, workflowId });
  expect(latest!.candidates.map((c) => c.symbol)).toEqual(expected.meanReversionCandidates.map((s) => s.symbol));
  expect(latest!.universeSize).toBe(members.filter((m) => m.kept).length);
  const best = expectedPairs.candidates[0];
  expect(latest!.pairs[0]).toMatchObject({ a: best.a, b: best.b, sameSector: best.sameSector, sector: best.sameSector ? sectors.get(best.a) : undefined });
  expect(latest!.pairs[0].pValue).toBeCloseTo(best.pValue, 8);
  expect(await new PgStore(stack.pool).latestUniverse('2021-03-04')).toBeUndefined();
}, 300_000);

test('a refresh whose worker stops mid-way resumes: no finished batch is fetched again, one version', async () => {
  const workflowId = `universe-refresh-resume-${Date.now()}`;
  const h = await start(workflowId);
  let version: { id: string } | undefined;
  let finished: { batch: number; attempts: number; completed_at: Date | null }[] = [];
  for (let i = 0; i < 600 && finished.length < 4; i++) {
    [version] = await versionOf(workflowId);
    finished = version ? (await batchRows(version.id)).filter((b) => b.completed_at) : [];
    await new Promise((r) => setTimeout(r, 50));
  }
  await stack.stopWorker();
  const before = (await batchRows(version!.id)).filter((b) => b.completed_at);
  const batches = Math.ceil(symbols.length / BATCH);
  expect(before.length).toBeGreaterThanOrEqual(4);
  expect(before.length).toBeLessThan(batches); // stopped mid-way
  expect((await h.describe()).status.name).toBe('RUNNING');

  await stack.startWorker();
  const done = await h.result();
  expect(done).toMatchObject({ phase: 'COMPLETE', batchesDone: batches });
  const after = await batchRows(version!.id);
  expect(after.every((b) => b.completed_at)).toBe(true);
  for (const b of before) expect(after[b.batch]).toEqual(b); // neither fetched again nor touched
  // Only a batch in flight at the stop may have run twice (its retry resumes after the last symbol reported).
  expect(after.reduce((n, b) => n + b.attempts, 0)).toBeLessThanOrEqual(batches + 1);
  expect(await versionOf(workflowId)).toEqual([expect.objectContaining({ id: version!.id, status: 'COMPLETE' })]);
  // The history grew past the server's threshold: the refresh continued as new, carrying its progress.
  expect((await h.describe()).runId).not.toBe(h.firstExecutionRunId);
}, 300_000);

describe('activities retried', () => {
  let activities: UniverseActivities;
  beforeAll(() => {
    const { config, pool } = stack;
    const broker = new IbBroker({ host: '127.0.0.1', port: 1, clientId: 0, orderIds: new PgOrderIdStore(pool, { host: '127.0.0.1', port: 1, clientId: 0 }) });
    activities = createUniverseActivities({ broker, store: new PgStore(pool), config, clock: { now: () => Date.parse('2021-03-07T23:00:00Z') } });
  });

  test('begin and screen create one version per run; a batch retried after its heartbeat resumes there', async () => {
    const run = { workflowId: `universe-refresh-retried-${Date.now()}`, firstRunId: 'run-1' };
    const v = await activities.beginUniverseRefresh(run);
    expect(v).toMatchObject({ asOf: AS_OF, symbols: symbols.length, batches: Math.ceil(symbols.length / BATCH) }); // Sunday: Friday's session
    expect(await activities.beginUniverseRefresh(run)).toEqual(v);
    expect(await versionOf(run.workflowId)).toHaveLength(1);
    // The same workflow id run again later is a new refresh.
    expect((await activities.beginUniverseRefresh({ ...run, firstRunId: 'run-2' })).id).not.toBe(v.id);

    // A retry whose predecessor reported 15 of 20 symbols fetches only the last 5.
    const env = new MockActivityEnvironment({ heartbeatDetails: { done: 15, bars: 0, missing: [] } });
    const retried: UniverseBatchReport = await env.run(activities.refreshUniverseBatch, v.id, 0);
    const last5 = loadDailyBars(path.join(stack.config.data.dir, 'daily.csv.gz'), { symbols: new Set(symbols.slice(15, BATCH)), from: '2019-03-05', to: AS_OF });
    expect(retried.bars).toBe([...last5.values()].reduce((n, s) => n + s.dates.length, 0));
    const again: UniverseBatchReport = await new MockActivityEnvironment().run(activities.refreshUniverseBatch, v.id, 0);
    expect(again).toEqual(retried); // finished: answered from Postgres, nothing fetched
    expect((await batchRows(String(v.id)))[0].attempts).toBe(2);
  }, 120_000);

  test('a screen retried after it was stored returns the stored summary and writes nothing twice', async () => {
    const [version] = await versionOf((await stack.pool.query(`SELECT workflow_id FROM universe_versions WHERE status = 'COMPLETE' ORDER BY id LIMIT 1`)).rows[0].workflow_id);
    const count = async () => (await stack.pool.query('SELECT (SELECT count(*) FROM universe_members WHERE universe_id = $1)::int AS m, (SELECT count(*) FROM pairs WHERE universe_id = $1)::int AS p', [version.id])).rows[0];
    const before = await count();
    const summary = await activities.screenUniverseVersion(Number(version.id));
    expect(summary).toMatchObject({ versionId: Number(version.id), asOf: AS_OF, symbols: symbols.length });
    expect(await count()).toEqual(before);
  });
});

describe('from the broker: IB historical data through the adapter, against the gateway simulator', () => {
  const SIM_SYMBOLS = ['CVX', 'KO', 'MSFT', 'PEP', 'XOM'];
  let sim: GatewaySimulator;
  let simStack: TestStack;
  let broker: IbBroker;
  beforeAll(async () => {
    sim = await GatewaySimulator.start({ dataDir: stack.config.data.dir, symbols: SIM_SYMBOLS, startDate: '2021-03-08', speed: 1, historyFrom: '2018-01-01' });
    simStack = await startTestStack({
      broker: (pool) => (broker = new IbBroker({ host: '127.0.0.1', port: sim.port, clientId: 23, orderIds: new PgOrderIdStore(pool, { host: '127.0.0.1', port: sim.port, clientId: 23 }) })),
      clock: sim.clock,
      config: { schedule: { universeRefresh: { barSource: 'broker' } } },
    });
    await broker.connect();
  }, 120_000);
  afterAll(async () => {
    await simStack?.close();
    await broker?.disconnect();
    await sim?.close();
  });

  test('the simulator\'s symbols get their bars from IB historical data; the others are missing, screened NO_DATA', async () => {
    const workflowId = `universe-refresh-broker-${Date.now()}`;
    // No asOf: the last session closed on the market's (simulator's) clock, Monday's open → Friday.
    const done = await simStack.client.workflow.execute(universeRefresh, { workflowId, taskQueue: simStack.config.temporal.taskQueue, args: [{}] });
    expect(done).toMatchObject({ phase: 'COMPLETE', symbolsMissing: symbols.length - SIM_SYMBOLS.length, version: { asOf: AS_OF, barSource: 'broker' } });

    const file = loadDailyBars(path.join(stack.config.data.dir, 'daily.csv.gz'), { symbols: new Set(['XOM']), from: '2019-03-05', to: AS_OF }).get('XOM')!;
    const { rows: xom } = await simStack.pool.query(
      `SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, close::float8 AS close, source FROM bars WHERE symbol = 'XOM' ORDER BY ts`);
    expect(xom.map((b) => b.date)).toEqual(file.dates);
    expect(xom.map((b) => b.close)).toEqual([...file.close]);
    expect(new Set(xom.map((b) => b.source))).toEqual(new Set(['broker']));

    const { rows: members } = await simStack.pool.query(
      `SELECT m.symbol, m.reasons->0->>'code' AS first FROM universe_members m JOIN universe_versions v ON v.id = m.universe_id WHERE v.workflow_id = $1`, [workflowId]);
    expect(members).toHaveLength(symbols.length);
    expect(members.filter((m) => m.first !== 'NO_DATA').map((m) => m.symbol).sort()).toEqual(SIM_SYMBOLS);
  }, 300_000);
});

test('the weekly schedule exists once after two starts, Sunday 18:00 New York time', async () => {
  const handle = stack.client.schedule.getHandle(UNIVERSE_REFRESH_SCHEDULE_ID);
  await handle.delete().catch(() => undefined);
  const first = await ensureSchedules(stack.client, stack.config);
  const second = await ensureSchedules(stack.client, stack.config);
  try {
    expect(first.created).toContain(UNIVERSE_REFRESH_SCHEDULE_ID);
    expect(second.created).not.toContain(UNIVERSE_REFRESH_SCHEDULE_ID);
    expect(second.updated).toContain(UNIVERSE_REFRESH_SCHEDULE_ID);
    const ids: string[] = [];
    for await (const s of stack.client.schedule.list()) ids.push(s.scheduleId);
    expect(ids.filter((id) => id === UNIVERSE_REFRESH_SCHEDULE_ID)).toHaveLength(1);
    const d = await handle.describe();
    expect(d.spec.timezone).toBe('America/New_York');
    expect(d.spec.calendars).toEqual([expect.objectContaining({ dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }], hour: [{ start: 18, end: 18, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] })]);
    expect(d.policies).toMatchObject({ overlap: 'SKIP' });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'universeRefresh' });
  } finally {
    // Leave the server as found; the daily schedule belongs to test/trading-day.test.ts, which runs alongside.
    await handle.delete().catch(() => undefined);
  }
});
