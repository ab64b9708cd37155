// The audit-trail schema on real PostgreSQL: exact money, one row per broker fill, forward-only migrations.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { migrate, readMigrations } from '../store/migrate';
import { PgStore } from '../store/pg-store';
import { PgOrderIdStore } from '../broker/order-ids';
import { createTestDatabase } from './support/harness';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
});
afterAll(async () => db?.drop());

const fill = (execId: string, price = '101.2345') =>
  pool.query(
    `INSERT INTO fills (exec_id, order_ref, symbol, side, quantity, price, commission, executed_at)
     VALUES ($1, 'pos-1:entry', 'AAPL', 'BOT', 100, $2, 1.000001, now())`,
    [execId, price],
  );

test('every table of the audit trail exists', async () => {
  const { rows } = await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
  expect(rows.map((r) => r.table_name).sort()).toEqual(
    [
      'alert_decisions', 'alerts', 'bars', 'broker_order_ids', 'daily_pnl', 'fills', 'order_events', 'orders', 'pairs', 'position_transitions', 'positions',
      'risk_decisions', 'schema_migrations', 'signals', 'system_events', 'trading_state_changes', 'universe_members', 'universe_refresh_batches', 'universe_versions',
    ].sort(),
  );
});

test('a broker execution id is stored once: a duplicate fill is impossible', async () => {
  await fill('0000e0d5.6552f1a1.01.01');
  await expect(fill('0000e0d5.6552f1a1.01.01')).rejects.toMatchObject({ code: '23505' });
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM fills WHERE exec_id = '0000e0d5.6552f1a1.01.01'`);
  expect(rows[0].n).toBe(1);
});

test('money and prices are exact decimals, never floats', async () => {
  await fill('exact-1', '0.1');
  await fill('exact-2', '0.2');
  const { rows } = await pool.query(`SELECT sum(price)::text AS total, sum(commission)::text AS fees FROM fills WHERE exec_id LIKE 'exact-%'`);
  expect(rows[0]).toEqual({ total: '0.300000', fees: '2.000002' });

  const { rows: cols } = await pool.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public' AND (column_name ~ '(price|pnl|commission|equity)' AND column_name !~ 'currency' OR column_name IN ('open','high','low','close'))`,
  );
  expect(cols.length).toBeGreaterThan(15);
  expect(cols.filter((c) => c.data_type !== 'numeric')).toEqual([]);
});

test('constraints refuse impossible rows', async () => {
  await expect(
    pool.query(`INSERT INTO fills (exec_id, symbol, side, quantity, price, executed_at) VALUES ('neg', 'AAPL', 'BOT', -5, 10, now())`),
  ).rejects.toMatchObject({ code: '23514' });
  await expect(
    pool.query(`INSERT INTO pairs (universe_id, symbol_a, symbol_b, kept) VALUES (1, 'XOM', 'CVX', true)`),
  ).rejects.toMatchObject({ code: expect.stringMatching(/^23/) });
});

test('migrations apply once, and an applied migration that was edited is refused', async () => {
  expect(await migrate(pool)).toEqual([]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-migrations-'));
  try {
    const [first] = readMigrations();
    fs.writeFileSync(path.join(dir, first.file), first.sql + '\n-- edited\n');
    await expect(migrate(pool, readMigrations(dir))).rejects.toThrow(/001_audit_trail\.sql was changed after it was applied/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a trading state change recorded twice (an activity retry) is stored once', async () => {
  const store = new PgStore(pool);
  const change = { sequence: 7, from: 'ACTIVE' as const, to: 'HALTED' as const, reason: 'retry', source: 'test', at: '2026-11-20T15:00:00.000Z' };
  await store.recordTradingStateChange('supervisor-x', change);
  await store.recordTradingStateChange('supervisor-x', change);
  expect(await store.listTradingStateChanges('supervisor-x')).toEqual([change]);
});

test('broker order ids only move up, per gateway and client id', async () => {
  const ids = new PgOrderIdStore(pool, { host: '127.0.0.1', port: 4002, clientId: 1 });
  const other = new PgOrderIdStore(pool, { host: '127.0.0.1', port: 4002, clientId: 2 });
  expect(await ids.highestUsed()).toBe(0);
  await ids.reserve(1005);
  await ids.reserve(1001); // a late, lower reservation must not roll the mark back
  expect(await ids.highestUsed()).toBe(1005);
  expect(await other.highestUsed()).toBe(0);
});

test('position transitions: an older sequence never rolls the position back; the latest again (a re-execution after a crash) replaces it', async () => {
  const store = new PgStore(pool);
  const id = 'position-mean_reversion-XOM-2019-02-12';
  const record = (state: 'RISK_CHECK' | 'ENTRY_SUBMITTED' | 'PARTIALLY_FILLED' | 'OPEN') =>
    ({ workflowId: id, strategy: 'mean_reversion' as const, symbols: ['XOM'], side: 'LONG' as const, state, tradingDate: '2019-02-12', legs: [], realizedPnl: 0, commission: 0 });
  const at = '2019-02-12T15:00:00Z';
  await store.recordPositionTransition(record('RISK_CHECK'), { sequence: 1, from: null, to: 'RISK_CHECK', details: {}, at });
  await store.recordPositionTransition(record('ENTRY_SUBMITTED'), { sequence: 2, from: 'RISK_CHECK', to: 'ENTRY_SUBMITTED', details: {}, at });
  // Written by a local activity of a worker killed before its workflow task completed...
  await store.recordPositionTransition(record('PARTIALLY_FILLED'), { sequence: 3, from: 'ENTRY_SUBMITTED', to: 'PARTIALLY_FILLED', details: { filled: 3230 }, at });
  // ...a retried older step changes nothing...
  await store.recordPositionTransition(record('RISK_CHECK'), { sequence: 1, from: null, to: 'RISK_CHECK', details: {}, at });
  // ...and the replay on the next worker found the entry filled meanwhile: the same step is now OPEN.
  await store.recordPositionTransition(record('OPEN'), { sequence: 3, from: 'ENTRY_SUBMITTED', to: 'OPEN', details: { filled: 3500 }, at });
  expect((await pool.query('SELECT state FROM positions WHERE workflow_id = $1', [id])).rows).toEqual([{ state: 'OPEN' }]);
  const { rows } = await pool.query('SELECT sequence, to_state, details FROM position_transitions WHERE workflow_id = $1 ORDER BY sequence', [id]);
  expect(rows).toEqual([
    { sequence: 1, to_state: 'RISK_CHECK', details: {} },
    { sequence: 2, to_state: 'ENTRY_SUBMITTED', details: {} },
    { sequence: 3, to_state: 'OPEN', details: { filled: 3500 } },
  ]);
});
