import { ConfigError, loadConfig } from '../config';
import { startWorkerProcess, type WorkerProcess } from '../workers/main';
import { startDevServer, type DevServer } from './dev-server';
import { ensureTemporalCli } from './temporal-cli';

const log = (line: string) => console.log(`[trader] ${line}`);

/**
 * `npm start`: the whole local stack on embedded defaults. The Temporal dev server (Web UI,
 * state in a SQLite file) and embedded PostgreSQL are started unless TEMPORAL_ADDRESS or
 * DATABASE_URL point elsewhere; then the worker and the Supervisor. Ctrl+C stops it all.
 */
async function main(): Promise<void> {
  const { config, secrets } = loadConfig();
  let dev: DevServer | undefined;
  let worker: WorkerProcess | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('shutting down...');
    await worker?.stop();
    await dev?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    let address = config.temporal.address;
    if (!address) {
      const exe = ensureTemporalCli(log);
      const d = config.temporal.devServer;
      log(`starting the Temporal dev server (${exe}) with state in ${d.dbFile}`);
      dev = await startDevServer({ exe, ip: d.ip, port: d.port, uiPort: d.uiPort, dbFile: d.dbFile, namespace: config.temporal.namespace });
      address = dev.address;
    }
    worker = await startWorkerProcess({ config, secrets, address, registerSearchAttributes: !dev, log });
    worker.done.catch((e) => {
      log(`worker stopped with an error: ${(e as Error).message}`);
      void stop(1);
    });

    log(`Temporal server: ${address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    if (dev) log(`Web UI: ${dev.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows`);
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
