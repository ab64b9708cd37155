// The worker as a separate process (the built dist/workers/main.js), killed with SIGKILL at each position state and
// restarted: the Position workflow resumes, the simulator sees every order once, Postgres holds every fill once, and
// the final ledger equals that of an uninterrupted run over the same (manually clocked) market.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import { projectRoot } from '../config';
import { GatewaySimulator } from '../gateway-sim/server';
import { NYSE_DEFAULT_HOURS } from '../trading/calendar';
import { positionWorkflowId } from '../trading/position-lifecycle';
import { flattenPositionSignal, position } from '../workflows/position';
import type { PositionStatus } from '../workflows/position-types';
import { createTestDatabase, testConfig, testEnv } from './support/harness';

const DATE = '2019-02-12'; // minute bars in the data: partial fills come from real volume
const SYMBOL = 'XOM';
const QUANTITY = 3500; // larger than one simulated minute's liquidity: the entry fills in parts
const CLIENT_ID = 21;

let dir: string;
let client: Client;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-crash-'));
  // Limits wide enough for one large position; no metrics ports (several workers run on this machine).
  fs.writeFileSync(path.join(dir, 'config.yaml'), [
    'observability: { logLevel: warn, metricsPort: 0, temporalMetricsPort: 0 }',
    'risk: { maxPositionValue: 5000000, maxPositionPct: 1, maxSingleStockPct: 1, maxRiskPerTradePct: 0.1 }',
    'strategies: { meanReversion: { riskPerTradePct: 0.05 } }',
  ].join('\n'));
  client = new Client({ connection: await Connection.connect({ address: testEnv().address }) });
});
afterAll(async () => {
  await client?.connection.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Market {
  sim: GatewaySimulator;
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  taskQueue: string;
  worker?: ChildProcess;
}

function startWorker(m: Market): ChildProcess {
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME,
    TEMPORAL_ADDRESS: testEnv().address, TEMPORAL_TASK_QUEUE: m.taskQueue, DATABASE_URL: m.db.url,
    IB_HOST: '127.0.0.1', IB_PORT: String(m.sim.port), IB_CLIENT_ID: String(CLIENT_ID),
    TRADER_CONFIG: path.join(dir, 'config.yaml'), TRADER_WORKFLOW_BUNDLE: testEnv().bundlePath, TRADER_WORKER_SINGLETONS: 'false',
    // The simulator's clock is manual here: the worker sees it standing still at its current instant.
    TRADER_MARKET_CLOCK: JSON.stringify({ market: m.sim.clock.now(), real: Date.now(), speed: 0 }),
  };
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'workers', 'main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  m.worker = child;
  return child;
}

async function kill(m: Market): Promise<void> {
  const w = m.worker!;
  const exited = new Promise((r) => w.once('exit', r));
  w.kill('SIGKILL');
  await exited;
  m.worker = undefined;
}

async function state(pool: Pool, id: string): Promise<string | undefined> {
  const { rows } = await pool.query('SELECT state FROM positions WHERE workflow_id = $1', [id]);
  return rows[0]?.state;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lets `minutes` of simulated market pass, one minute at a time (each minute's volume fills part of the entry). */
async function minutesPass(m: Market, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    m.sim.advanceTo(m.sim.clock.now() + 60_000);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function market(name: string): Promise<Market> {
  const sim = await GatewaySimulator.start({ dataDir: testConfig().data.dir, symbols: [SYMBOL], startDate: DATE, speed: 0, historyFrom: '2018-01-01' });
  return { sim, db: await createTestDatabase(), taskQueue: `crash-${name}-${Date.now()}` };
}

async function close(m: Market | undefined): Promise<void> {
  if (m?.worker) await kill(m);
  await m?.sim.close();
  await m?.db.drop();
}

/**
 * One long position through every state. `crash` kills the worker as each state is reached and restarts it after the
 * market has moved on; without it the same market steps happen under one worker.
 */
async function trade(m: Market, crash: boolean): Promise<{ status: PositionStatus; handle: WorkflowHandle<typeof position> }> {
  const id = positionWorkflowId('mean_reversion', [SYMBOL], DATE);
  const reached = (s: string) => until(`position ${s}`, async () => (await state(m.db.pool, id)) === s);
  const crashAt = async (s: string) => {
    await reached(s);
    if (crash) await kill(m);
  };
  const resume = () => crash && startWorker(m);

  startWorker(m);
  const price = m.sim.prices.last(SYMBOL, m.sim.clock.now())!;
  const handle = await client.workflow.start(position, {
    taskQueue: m.taskQueue, workflowId: id,
    args: [{
      plan: {
        workflowId: id, strategy: 'mean_reversion', tradingDate: DATE, legs: [{ symbol: SYMBOL, action: 'BUY', quantity: QUANTITY, price }],
        stopPrice: price * 0.97, targetPrice: price * 1.1, riskBudgetPct: 0.05, maxHoldingDays: 5, signal: { code: 'TEST', reasons: 'crash test', values: {} },
      },
      hours: NYSE_DEFAULT_HOURS,
    }],
  });
  await crashAt('ENTRY_SUBMITTED');
  await minutesPass(m, 1); // the first part fills while the worker is down
  resume();
  await crashAt('PARTIALLY_FILLED');
  await minutesPass(m, 4); // the rest fills
  resume();
  await crashAt('OPEN');
  resume();
  await handle.signal(flattenPositionSignal, { reason: 'crash test exit', source: 'test' });
  await crashAt('EXITING');
  resume();
  // The market moves on only once the closing order is at the simulator, in both runs alike.
  await until('the closing order', async () => orderRefs(m).some((r) => r.includes(':exit-')));
  await until('the exit to fill', async () => {
    await minutesPass(m, 1);
    return (await state(m.db.pool, id)) === 'CLOSED';
  });
  return { status: await handle.result(), handle };
}

/** The orderRef of every order the simulator received from the worker's client id, in order. */
function orderRefs(m: Market): string[] {
  const refs: string[] = [];
  for (let id = 1; id < 100; id++) {
    const o = m.sim.exchange.order(CLIENT_ID, id);
    if (o) refs.push(o.orderRef);
  }
  return refs;
}

async function ledger(m: Market) {
  const { rows } = await m.db.pool.query('SELECT side, quantity::float AS qty, price::float AS price, commission::float AS commission FROM fills ORDER BY executed_at, exec_id');
  return rows;
}

test('SIGKILL at entry submitted, partially filled, open and exiting: resumed, no duplicate order, each fill once, same ledger', async () => {
  let crashed: Market | undefined;
  let calm: Market | undefined;
  try {
    crashed = await market('killed');
    const a = await trade(crashed, true);
    calm = await market('calm');
    const b = await trade(calm, false);

    for (const [m, r] of [[crashed, a], [calm, b]] as const) {
      expect(r.status.state).toBe('CLOSED');
      // Every order once at the simulator: the bracket's three legs and one closing order.
      const id = r.handle.workflowId;
      expect(orderRefs(m)).toEqual([`${id}:entry`, `${id}:target`, `${id}:stop`, `${id}:exit-1-${SYMBOL}`]);
      expect(new Set(m.sim.exchange.executions({ clientId: CLIENT_ID }).map((e) => e.execution.orderRef))).toEqual(new Set([`${id}:entry`, `${id}:exit-1-${SYMBOL}`]));
      // Postgres holds exactly the simulator's executions, each once.
      const stored = await m.db.pool.query('SELECT exec_id FROM fills ORDER BY exec_id');
      expect(stored.rows.map((x) => x.exec_id)).toEqual(m.sim.exchange.executions({ clientId: CLIENT_ID }).map((e) => e.execution.execId).sort());
      const { rows: [pos] } = await m.db.pool.query('SELECT realized_pnl::float AS pnl FROM positions');
      expect(pos.pnl).toBeCloseTo(r.status.snapshot!.realizedPnl, 4);
    }
    expect(a.status.snapshot!.legs[0]!.entryQuantity).toBe(QUANTITY);
    expect(await ledger(crashed)).toEqual(await ledger(calm));
    expect(a.status.snapshot!.realizedPnl).toBe(b.status.snapshot!.realizedPnl);
  } finally {
    await close(crashed);
    await close(calm);
  }
}, 300_000);
