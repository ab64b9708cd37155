import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../store/database';
import { PgStore } from '../store/pg-store';
import { createTradingWorker } from '../workers/worker';
import { ensureSupervisor } from '../workers/supervisor-start';
import { startDevServer, type DevServer } from './dev-server';
import { ensureTemporalCli } from './temporal-cli';
import { connectClient, connectWorker, registerSearchAttributes } from './temporal';

const log = (line: string) => console.log(`[trader] ${line}`);

/**
 * `npm start`: the whole local stack on embedded defaults. The Temporal dev server (Web UI,
 * state in a SQLite file) and embedded PostgreSQL are started unless TEMPORAL_ADDRESS or
 * DATABASE_URL point elsewhere; then the worker and the Supervisor. Ctrl+C stops it all.
 */
async function main(): Promise<void> {
  const { config, secrets } = loadConfig();
  const cleanup: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('shutting down...');
    for (const step of cleanup.reverse()) await step().catch((e) => log(`shutdown step failed: ${(e as Error).message}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    let address = config.temporal.address;
    let dev: DevServer | undefined;
    if (!address) {
      const exe = ensureTemporalCli(log);
      const d = config.temporal.devServer;
      log(`starting the Temporal dev server (${exe}) with state in ${d.dbFile}`);
      dev = await startDevServer({ exe, ip: d.ip, port: d.port, uiPort: d.uiPort, dbFile: d.dbFile, namespace: config.temporal.namespace });
      cleanup.push(() => dev!.stop());
      address = dev.address;
    }

    log(secrets.databaseUrl ? 'connecting to PostgreSQL at DATABASE_URL' : `starting embedded PostgreSQL (data in ${config.database.embedded.dataDir})`);
    const db = await openDatabase(config, secrets, () => undefined);
    cleanup.push(() => db.close());

    const client = await connectClient(config, secrets, address);
    cleanup.push(() => client.connection.close());
    if (!dev) {
      const added = await registerSearchAttributes(client.connection, config.temporal.namespace);
      if (added.length) log(`registered search attributes: ${added.join(', ')}`);
    }

    const workerConnection = await connectWorker(config, secrets, address);
    const worker = await createTradingWorker({ connection: workerConnection, config, deps: { store: new PgStore(db.pool) } });
    const running = worker.run();
    cleanup.push(async () => {
      worker.shutdown();
      await running;
      await workerConnection.close();
    });
    running.catch((e) => {
      log(`worker stopped with an error: ${(e as Error).message}`);
      void stop(1);
    });

    await ensureSupervisor(client, config);

    const ns = encodeURIComponent(config.temporal.namespace);
    log(`Temporal server: ${address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    if (dev) log(`Web UI: ${dev.uiUrl}/namespaces/${ns}/workflows`);
    log(`trading mode: ${config.broker.mode}; ready. Try: npx trader status, npx trader halt --reason test. Ctrl+C stops everything.`);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : `start-up failed: ${(e as Error).message}`);
    await stop(1);
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
