import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker, DefaultLogger } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import type { MarketClock } from '../../activities/deps';
import type { Broker } from '../../broker/broker';
import { IbBroker, type IbBrokerOptions } from '../../broker/ib/ib-broker';
import { GatewaySimulator, type GatewaySimulatorOptions } from '../../gateway-sim/server';
import { PgOrderIdStore } from '../../broker/order-ids';
import { loadConfig, type TraderConfig } from '../../config';
import { migrate } from '../../store/migrate';
import { PgStore } from '../../store/pg-store';
import { createTradingWorker } from '../../workers/worker';

let runtimeInstalled = false;

/** Keeps worker logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export function testEnv(): { address: string; databaseUrl: string; bundlePath: string } {
  const { TEST_TEMPORAL_ADDRESS, TEST_DATABASE_URL, TEST_WORKFLOW_BUNDLE } = process.env;
  if (!TEST_TEMPORAL_ADDRESS || !TEST_DATABASE_URL || !TEST_WORKFLOW_BUNDLE) throw new Error('run through jest: test/global-setup.ts sets the TEST_* variables');
  return { address: TEST_TEMPORAL_ADDRESS, databaseUrl: TEST_DATABASE_URL, bundlePath: TEST_WORKFLOW_BUNDLE };
}

/** Config pointed at the shared test server, on a task queue of its own. */
export function testConfig(taskQueue = `test-${randomUUID()}`, overrides: Record<string, unknown> = {}): TraderConfig {
  return loadConfig({ env: {}, overrides: { ...overrides, temporal: { address: testEnv().address, taskQueue } } }).config;
}

/** A fresh, migrated database on the shared test server, for one test file. */
export async function createTestDatabase(): Promise<{ pool: Pool; url: string; drop(): Promise<void> }> {
  const base = new URL(testEnv().databaseUrl);
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new PgClient({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 5 });
  await migrate(pool);
  return {
    pool,
    url: url.toString(),
    async drop() {
      await pool.end();
      const a = new PgClient({ connectionString: base.toString() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface TestStack {
  client: Client;
  config: TraderConfig;
  pool: Pool;
  worker: Worker;
  /** Stops the worker, as a deploy or an outage would: workflows wait, nothing is lost. */
  stopWorker(): Promise<void>;
  /** Starts a fresh worker on the same task queue. */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  /** The broker the activities trade through; default: an IB adapter that was never connected (broker down). */
  broker?: (pool: Pool) => Broker;
  clock?: MarketClock;
  /** Config overrides (deep-merged over the defaults), e.g. a short broker outage limit. */
  config?: Record<string, unknown>;
}

/** A real worker on the shared dev server with its own task queue and database. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  quietRuntime();
  const config = testConfig(undefined, options.config);
  const db = await createTestDatabase();
  const connection = await Connection.connect({ address: testEnv().address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect({ address: testEnv().address });
  const start = async () => {
    const { worker, run } = await createTradingWorker({
      connection: nativeConnection,
      config,
      deps: {
        store: new PgStore(db.pool),
        config,
        broker: options.broker?.(db.pool) ?? new IbBroker({ host: '127.0.0.1', port: 1, clientId: 0, orderIds: new PgOrderIdStore(db.pool, { host: '127.0.0.1', port: 1, clientId: 0 }) }),
        clock: options.clock ?? { now: () => Date.now() },
        secrets: {},
        pool: db.pool,
      },
      workflowBundle: { codePath: testEnv().bundlePath },
    });
    const running = run();
    return { worker, running };
  };
  let current = await start();
  const stop = async () => {
    if (current.worker.getState() === 'RUNNING') current.worker.shutdown();
    await current.running;
  };
  const stack: TestStack = {
    client,
    config,
    pool: db.pool,
    worker: current.worker,
    stopWorker: stop,
    async startWorker() {
      await stop();
      current = await start();
      stack.worker = current.worker;
    },
    async close() {
      await stop();
      await nativeConnection.close();
      await connection.close();
      await db.drop();
    },
  };
  return stack;
}

export interface SimStack {
  sim: GatewaySimulator;
  stack: TestStack;
  /** The worker's IB adapter on the simulator (connected). */
  broker: IbBroker;
  close(): Promise<void>;
}

/**
 * The gateway simulator over the real data, and a worker whose activities trade on it through the real IB adapter
 * (its order ids in the test database) on the simulator's clock.
 */
export async function startSimStack(o: {
  sim: Omit<GatewaySimulatorOptions, 'dataDir'>;
  clientId: number;
  broker?: Partial<IbBrokerOptions>;
  config?: Record<string, unknown>;
}): Promise<SimStack> {
  const sim = await GatewaySimulator.start({ dataDir: testConfig().data.dir, ...o.sim });
  const key = { host: '127.0.0.1', port: sim.port, clientId: o.clientId };
  let broker!: IbBroker;
  const stack = await startTestStack({
    config: o.config,
    broker: (pool) => (broker = new IbBroker({ ...key, orderIds: new PgOrderIdStore(pool, key), ...o.broker })),
    clock: sim.clock,
  });
  await broker.connect();
  return {
    sim, stack, broker,
    async close() {
      await stack.close();
      await broker.disconnect();
      await sim.close();
    },
  };
}
