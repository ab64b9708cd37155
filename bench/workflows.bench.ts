import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { loadConfig } from '../config';
import { IbBroker } from '../broker/ib/ib-broker';
import { PgOrderIdStore } from '../broker/order-ids';
import { GatewaySimulator } from '../gateway-sim/server';
import { ensureTemporalCli } from '../stack/temporal-cli';
import { startEmbeddedPostgres } from '../store/embedded-postgres';
import { migrate } from '../store/migrate';
import { PgStore } from '../store/pg-store';
import { NYSE_DEFAULT_HOURS } from '../trading/calendar';
import { positionWatch } from '../workers/schedules';
import { createTradingWorker } from '../workers/worker';
import { flattenPositionSignal, position, positionStatusQuery } from '../workflows/position';
import type { PositionPlan } from '../workflows/position-types';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { freePort } from '../test/support/ports';
import { latency, type BenchSuite } from './harness';

const DATE = '2021-03-05';
const SYMBOLS = ['XOM', 'CVX', 'KO', 'PEP', 'JPM', 'BAC', 'WMT', 'PG', 'JNJ', 'MRK'];
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
/** How long the burst of positions may take to get past their entries before the figures are taken as they are. */
const SETTLE_MS = 10 * 60_000;
const SPEED = 10;

/**
 * The durable layer end to end: a Temporal dev server, embedded PostgreSQL, the gateway simulator and one in-process
 * worker trading through the real IB adapter.
 * - signal → order: starting a Position workflow until its entry order reaches the simulator, one at a time;
 * - positions started per second, and until every entry is at the simulator;
 * - open positions held by one worker and the process's memory and CPU while they are held (they wait for broker
 *   events; exit rules every positions.exitCheckSeconds of market time);
 * - a worker process killed with SIGKILL while a position is open, a flatten signalled meanwhile: from the new
 *   process's spawn until that position has closed.
 */
export const workflowsSuite: BenchSuite = {
  name: 'workflows',
  description: 'Position workflows through Temporal, Postgres and the IB adapter against the simulator',
  async run({ quick, log }) {
    const sequential = quick ? 20 : 100;
    const held = quick ? 100 : 1000;
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-bench-'));
    fs.chmodSync(dir, 0o755);
    const cleanup: (() => Promise<unknown>)[] = [];
    try {
      const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: ensureTemporalCli() }, ip: '127.0.0.1', searchAttributes: SEARCH_ATTRIBUTES } });
      cleanup.push(() => env.teardown());
      const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), user: 'trader', database: 'trader' });
      cleanup.push(() => db.stop());
      const pool = new Pool({ connectionString: db.url, max: 20 });
      pool.on('error', (e) => log(`postgres: ${e.message}`)); // an idle client's error must not end the run
      cleanup.push(() => pool.end());
      await migrate(pool);
      const sim = await GatewaySimulator.start({ dataDir: loadConfig({ env: {} }).config.data.dir, symbols: SYMBOLS, startDate: DATE, speed: SPEED, historyFrom: '2020-06-01' });
      cleanup.push(() => sim.close());
      const overrides = {
        // Limits out of reach: a thousand one-share positions pay more in spread and commission than maxDailyLoss.
        risk: { maxConcurrentPositions: 5000, maxTotalPositions: 5000, maxPositionsPerSector: 5000, maxSingleStockPct: 1, maxLeverage: 10, maxDailyLoss: 1e9, maxDailyDrawdownPct: 1, maxWeeklyDrawdownPct: 1, maxMonthlyDrawdownPct: 1 },
        // Exit rules out of reach: the positions stay open to be held.
        strategies: { meanReversion: { rsiOverbought: 100, bollingerStdDev: 50 } },
      };
      const config = loadConfig({ env: {}, overrides: { ...overrides, temporal: { address: env.address, taskQueue: 'bench' } } }).config;
      const broker = new IbBroker({ host: '127.0.0.1', port: sim.port, clientId: 41, orderIds: new PgOrderIdStore(pool, { host: '127.0.0.1', port: sim.port, clientId: 41 }) });
      await broker.connect();
      cleanup.push(() => broker.disconnect());
      const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } });
      const connection = await NativeConnection.connect({ address: env.address });
      cleanup.push(() => connection.close());
      const deps = { store: new PgStore(pool), config, broker, clock: sim.clock, secrets: {}, pool };
      let worker: Worker;
      let running: Promise<void>;
      const startWorker = async () => {
        const w = await createTradingWorker({ connection, config, deps, workflowBundle: { code: bundle.code } });
        worker = w.worker;
        running = w.run();
      };
      const stopWorker = async () => {
        worker.shutdown();
        await running;
      };
      await startWorker();
      cleanup.push(() => stopWorker());
      const client = env.client as Client;

      // First sight of each order at the simulator, by orderRef.
      const seen = new Map<string, number>();
      sim.exchange.on('orderUpdated', (v) => seen.has(v.orderRef) || seen.set(v.orderRef, performance.now()));
      const quotes = new Map(await Promise.all(SYMBOLS.map(async (s) => [s, (await broker.quote(s)).last] as const)));
      const plan = (i: number): PositionPlan => {
        const symbol = SYMBOLS[i % SYMBOLS.length]!;
        const price = quotes.get(symbol)!;
        return {
          workflowId: `bench-${i}`, strategy: 'mean_reversion', tradingDate: DATE, legs: [{ symbol, action: 'BUY', quantity: 1, price }],
          stopPrice: price * 0.5, targetPrice: price * 2, riskBudgetPct: 0.01, maxHoldingDays: 5, signal: { code: 'BENCH', reasons: 'bench', values: {} },
        };
      };
      const watch = positionWatch(config, SPEED);
      const start = (p: PositionPlan, taskQueue = 'bench') =>
        client.workflow.start(position, { taskQueue, workflowId: p.workflowId, args: [{ plan: p, hours: NYSE_DEFAULT_HOURS, watch }], workflowTaskTimeout: config.positions.workflowTaskTimeoutSeconds * 1000 });
      const until = async (ok: () => boolean | Promise<boolean>, what: string, timeoutMs = 600_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await ok())) {
          if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };

      log(`signal → order, ${sequential} positions one at a time`);
      const signalToOrder: number[] = [];
      for (let i = 0; i < sequential; i++) {
        const t0 = performance.now();
        await start(plan(i));
        await until(() => seen.has(`bench-${i}:entry`), `entry of bench-${i}`);
        signalToOrder.push(seen.get(`bench-${i}:entry`)! - t0);
      }

      log(`${held - sequential} more positions started at once`);
      const t1 = performance.now();
      const ids = Array.from({ length: held - sequential }, (_, k) => sequential + k);
      for (let k = 0; k < ids.length; k += 50) await Promise.all(ids.slice(k, k + 50).map((i) => start(plan(i))));
      const startSeconds = (performance.now() - t1) / 1000;
      const openCount = async () => Number((await pool.query("SELECT count(*) AS n FROM positions WHERE state = 'OPEN'")).rows[0].n);
      const settled = async () => Number((await pool.query("SELECT count(*) AS n FROM positions WHERE state IN ('OPEN', 'REJECTED', 'CANCELLED', 'CLOSED')")).rows[0].n);
      // Past SETTLE_MS the figures say how far the worker got instead of failing the run.
      const settleBy = Date.now() + SETTLE_MS;
      while ((await settled()) < held && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 500));
      const atBroker = ids.filter((i) => seen.has(`bench-${i}:entry`)).length;
      const allAtBrokerSeconds = (performance.now() - t1) / 1000;
      const states = Object.fromEntries((await pool.query('SELECT state, count(*)::int AS n FROM positions GROUP BY state')).rows.map((r) => [r.state, r.n]));
      const allOpenSeconds = (performance.now() - t1) / 1000;

      const holdSeconds = quick ? 20 : 60;
      log(`holding ${held} open positions for ${holdSeconds} s`);
      const samples: NodeJS.MemoryUsage[] = [];
      const cpu0 = process.cpuUsage();
      const hold0 = performance.now();
      for (let s = 0; s < holdSeconds / 2; s++) {
        await new Promise((r) => setTimeout(r, 2000));
        samples.push(process.memoryUsage());
      }
      const cpu = process.cpuUsage(cpu0);
      const holdCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - hold0)) * 1000) / 10;
      const stillOpen = await openCount();
      await stopWorker();

      log('a worker process killed with SIGKILL while a position is open, a flatten pending, then restarted');
      const bundlePath = path.join(dir, 'workflow-bundle.js');
      fs.writeFileSync(bundlePath, bundle.code);
      const configPath = path.join(dir, 'config.json'); // YAML reads JSON
      fs.writeFileSync(configPath, JSON.stringify({ ...overrides, observability: { logLevel: 'warn', metricsPort: 0, temporalMetricsPort: 0 } }));
      let child: ChildProcess | undefined;
      let ready: Promise<number>;
      const spawnWorker = () => {
        const t = performance.now();
        child = spawn(process.execPath, [path.join(__dirname, '..', 'workers', 'main.js')], {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: {
            PATH: process.env.PATH, HOME: process.env.HOME, TRADER_CONFIG: configPath, TRADER_WORKFLOW_BUNDLE: bundlePath, TRADER_WORKER_SINGLETONS: 'false',
            TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: 'bench-restart', DATABASE_URL: db.url, IB_HOST: '127.0.0.1', IB_PORT: String(sim.port), IB_CLIENT_ID: '43',
            TRADER_MARKET_CLOCK: JSON.stringify({ market: sim.clock.now(), real: Date.now(), speed: SPEED }),
          },
        });
        // The process says when its worker polls: start-up (node, bundle, IB connect) apart from Temporal's part.
        ready = new Promise((resolve) => child!.stdout!.on('data', (d: Buffer) => String(d).includes('worker running') && resolve(performance.now() - t)));
      };
      cleanup.push(async () => void child?.kill('SIGKILL'));
      spawnWorker();
      const restartToProgress: number[] = [];
      const processReady: number[] = [];
      for (let k = 0; k < (quick ? 2 : 5); k++) {
        const h = await start({ ...plan(held + k), workflowId: `bench-restart-${k}` }, 'bench-restart');
        await until(async () => (await h.query(positionStatusQuery)).state === 'OPEN', 'the position on the worker process to open');
        await new Promise((r) => setTimeout(r, 500 + 700 * k)); // killed at different moments of its exit checks
        const exited = new Promise((r) => child!.once('exit', r));
        child!.kill('SIGKILL');
        await exited;
        await h.signal(flattenPositionSignal, { reason: 'bench', source: 'bench' });
        const t2 = performance.now();
        spawnWorker();
        await until(async () => (await h.query(positionStatusQuery)).state === 'CLOSED', 'the flattened position to close');
        restartToProgress.push(performance.now() - t2);
        processReady.push(await ready!);
      }
      child!.kill('SIGTERM');

      return {
        signalToOrderMs: latency(signalToOrder),
        positionsStarted: { count: ids.length, clientStartsPerSecond: Math.round(ids.length / startSeconds), entriesAtBroker: atBroker, entriesAtBrokerPerSecond: Math.round((atBroker / allAtBrokerSeconds) * 10) / 10, settledSeconds: Math.round(allOpenSeconds * 10) / 10 },
        held: {
          states,
          openPositions: stillOpen,
          processRssMiB: mb(Math.max(...samples.map((m) => m.rss))),
          heapUsedMiB: mb(Math.max(...samples.map((m) => m.heapUsed))),
          cpuPercentOfOneCore: holdCpuPct,
          holdSeconds,
          note: 'one process: worker, IB adapter and the simulator (the Temporal server and Postgres are separate processes)',
        },
        restartToProgressMs: latency(restartToProgress),
        restartProcessReadyMs: latency(processReady),
        restartNote: 'from spawning the new worker process until the position flattened while it was down has closed; processReady: until the process logs its worker running (node start, bundle load, IB connect)',
      };
    } finally {
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
