import type { Client } from '@temporalio/client';
import type { TraderConfig, Secrets } from '../config';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../store/database';
import { PgStore } from '../store/pg-store';
import type { Store } from '../store/store';
import { connectClient, connectWorker, registerSearchAttributes } from '../stack/temporal';
import type { MarketClock } from '../activities/deps';
import { createLogger } from '../observability/logger';
import { TraderMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/metrics-server';
import { installRuntimeTelemetry } from '../observability/telemetry';
import { connectBroker } from './broker';
import { ensureSchedules } from './schedules';
import { ensureSupervisor } from './supervisor-start';
import { createTradingWorker } from './worker';

export interface WorkerProcessOptions {
  config: TraderConfig;
  secrets: Secrets;
  /** host:port of the Temporal frontend. */
  address: string;
  /** Our own dev server registers the search attributes at start; any other server gets them here. */
  registerSearchAttributes: boolean;
  /** The market's clock; default wall time (a real gateway). npm start passes the in-process simulator's clock. */
  clock?: MarketClock;
  /** Start the Supervisor and the schedules (default). Extra worker processes on the same task queue may skip it. */
  singletons?: boolean;
  /** Runs once the database and the client are up, before the worker polls (npm start retires a previous demo there). */
  beforeWorker?: (client: Client, store: Store) => Promise<void>;
  /** A prebuilt workflow bundle (bundleWorkflowCode output): a restarted worker polls within a second or two. */
  workflowBundlePath?: string;
  log: (line: string) => void;
}

export interface WorkerProcess {
  /** Settles when the worker stops, by shutdown or by a fatal error. */
  done: Promise<void>;
  /** A client of the Temporal server the worker runs on. */
  client: Client;
  /** Drains the worker, then closes connections and the database (stopping an embedded server). */
  stop(): Promise<void>;
}

/** Everything a worker process runs: database (migrated), worker, the singleton Supervisor, the schedules. */
export async function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const cleanup: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((e) => o.log(`shutdown step failed: ${(e as Error).message}`));
  };
  try {
    // Logs (JSON, secrets redacted) and metrics; the runtime install must precede every Temporal connection.
    const logger = createLogger({ level: o.config.observability.logLevel, secrets: o.secrets });
    installRuntimeTelemetry(o.config.observability, logger);
    const metrics = new TraderMetrics();
    const metricsServer = await startMetricsServer(o.config.observability, metrics, logger);
    if (metricsServer) {
      cleanup.push(() => metricsServer.close());
      o.log(`metrics: ${metricsServer.url}`);
    }
    o.log(o.secrets.databaseUrl ? 'connecting to PostgreSQL at DATABASE_URL' : `starting embedded PostgreSQL (data in ${o.config.database.embedded.dataDir})`);
    const db = await openDatabase(o.config, o.secrets, o.log);
    cleanup.push(() => db.close());

    const client = await connectClient(o.config, o.secrets, o.address);
    cleanup.push(() => client.connection.close());
    if (o.registerSearchAttributes) {
      const added = await registerSearchAttributes(client.connection, o.config.temporal.namespace);
      if (added.length) o.log(`registered search attributes: ${added.join(', ')}`);
    }

    await o.beforeWorker?.(client, new PgStore(db.pool));
    const connection = await connectWorker(o.config, o.secrets, o.address);
    cleanup.push(() => connection.close());
    const ib = connectBroker(o.config, db.pool, o.log);
    cleanup.push(() => ib.stop());
    const deps = { store: new PgStore(db.pool), config: o.config, broker: ib.broker, clock: o.clock ?? { now: () => Date.now() }, secrets: o.secrets, pool: db.pool, metrics };
    const { worker, run } = await createTradingWorker({ connection, config: o.config, deps, workflowBundle: o.workflowBundlePath ? { codePath: o.workflowBundlePath } : undefined, log: o.log });
    const done = run();
    cleanup.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch(() => undefined);
    });

    if (o.singletons !== false) {
      await ensureSupervisor(client, o.config);
      const schedules = await ensureSchedules(client, o.config);
      o.log(`schedules created: ${schedules.created.join(', ') || 'none'}; up to date: ${schedules.updated.join(', ') || 'none'}`);
    }
    return { done, stop, client };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * TRADER_MARKET_CLOCK='{"market": <epoch ms>, "real": <epoch ms>, "speed": <x>}': the clock of a gateway simulator
 * running in another process (market = simulated instant at wall time `real`, advancing `speed` times as fast).
 * Unset: wall time, as with IB Gateway/TWS.
 */
export function marketClockFromEnv(value: string | undefined): MarketClock | undefined {
  if (!value) return undefined;
  let spec: { market?: unknown; real?: unknown; speed?: unknown };
  try {
    spec = JSON.parse(value) as typeof spec;
  } catch {
    spec = {};
  }
  const { market, real, speed } = spec;
  if (typeof market !== 'number' || typeof real !== 'number' || typeof speed !== 'number' || speed < 0) {
    throw new ConfigError([{ field: 'TRADER_MARKET_CLOCK', value, source: 'env', message: 'expected {"market": epoch ms, "real": epoch ms, "speed": number >= 0}, or unset for wall time' }]);
  }
  return { now: () => market + (Date.now() - real) * speed };
}

/** Entry point of a production worker (Docker): Temporal and Postgres are external services. */
async function main(): Promise<void> {
  const log = (line: string) => console.log(`[worker] ${line}`);
  const { config, secrets } = loadConfig();
  if (!config.temporal.address) {
    throw new ConfigError([{ field: 'temporal.address', value: '""', source: 'config', message: 'a worker process needs TEMPORAL_ADDRESS (host:port); use npm start for the local stack' }]);
  }
  const proc = await startWorkerProcess({
    config, secrets, address: config.temporal.address, registerSearchAttributes: true, log,
    clock: marketClockFromEnv(process.env.TRADER_MARKET_CLOCK), workflowBundlePath: process.env.TRADER_WORKFLOW_BUNDLE || undefined,
    singletons: process.env.TRADER_WORKER_SINGLETONS !== 'false',
  });
  log(`worker running on task queue ${config.temporal.taskQueue} at ${config.temporal.address} (${config.broker.mode} trading)`);
  const shutdown = () => void proc.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await proc.done;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof ConfigError ? e.message : `worker failed: ${(e as Error).message}`);
    process.exit(1);
  });
}
