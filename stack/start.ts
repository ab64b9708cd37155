import * as net from 'node:net';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { ConfigError, loadConfig, type TraderConfig } from '../config';
import { GatewaySimulator } from '../gateway-sim/server';
import { startWorkerProcess, type WorkerProcess } from '../workers/main';
import { tradingDayInput } from '../workers/schedules';
import { tradingDay } from '../workflows/trading-day';
import { retirePreviousDemo } from './demo-reset';
import { startDevServer, type DevServer } from './dev-server';
import { ensureTemporalCli } from './temporal-cli';

const log = (line: string) => console.log(`[trader] ${line}`);

/** Whether something (IB Gateway/TWS) already listens on the broker's address. */
function gatewayListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false)).once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** The demo runs the simulator when asked to, or in paper mode when no gateway answers on broker.host:port. */
async function wantSimulator(config: TraderConfig): Promise<boolean> {
  const { enabled } = config.simulator;
  if (enabled !== 'auto') return enabled === 'always';
  return config.broker.mode === 'paper' && !(await gatewayListening(config.broker.host, config.broker.port));
}

/**
 * `npm start`: the whole local stack on embedded defaults. The Temporal dev server (Web UI,
 * state in a SQLite file) and embedded PostgreSQL are started unless TEMPORAL_ADDRESS or
 * DATABASE_URL point elsewhere; without a real IB gateway, the gateway simulator runs a demo
 * trading day at simulator.speed. Then the worker and the Supervisor. Ctrl+C stops it all.
 */
async function main(): Promise<void> {
  const { config, secrets } = loadConfig();
  let dev: DevServer | undefined;
  let worker: WorkerProcess | undefined;
  let sim: GatewaySimulator | undefined;
  // One demo run: the simulator's execution ids and the demo's position ids carry it, as each start replays the same date.
  const demoRun = (Date.now() % 0xffffffff).toString(16).padStart(8, '0');
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('shutting down...');
    await worker?.stop();
    await sim?.close();
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
    if (await wantSimulator(config)) {
      const { startDate, speed } = config.simulator;
      log(`no IB gateway on ${config.broker.host}:${config.broker.port}: starting the gateway simulator (${startDate || 'last session in the data'}, ${speed}x); loading market data...`);
      // Execution ids unique per run: a restarted demo replays the same day, and Postgres keys fills by execution id.
      sim = await GatewaySimulator.start({ dataDir: config.data.dir, host: config.broker.host, port: config.broker.port, startDate: startDate || undefined, speed, exchange: { execIdPrefix: demoRun } });
      log(`gateway simulator listening on ${config.broker.host}:${sim.port}, clock ${new Date(sim.clock.now()).toISOString()}`);
    }
    const demo = sim;
    worker = await startWorkerProcess({
      config, secrets, address, registerSearchAttributes: !dev, clock: sim?.clock, log,
      beforeWorker: demo && (async (client, store) => void (await retirePreviousDemo(client, store, { taskQueue: config.temporal.taskQueue, marketNow: demo.clock.now(), log }))),
    });
    worker.done.catch((e) => {
      log(`worker stopped with an error: ${(e as Error).message}`);
      void stop(1);
    });

    log(`Temporal server: ${address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    if (dev) log(`Web UI: ${dev.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows`);
    if (sim) {
      // The demo day: the simulator's session, on its clock; a restart finds the same workflow.
      const date = new Date(sim.clock.now()).toISOString().slice(0, 10);
      const h = await worker.client.workflow.start(tradingDay, {
        workflowId: `trading-day-${date}-demo`, taskQueue: config.temporal.taskQueue,
        args: [{ ...tradingDayInput(config, config.simulator.speed, date), positionIdSuffix: `demo-${demoRun}` }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      log(`demo trading day ${date} running as ${h.workflowId}: positions appear in the Web UI (filter: WorkflowType = "position")`);
    }
    log(`trading mode: ${config.broker.mode}; ready. Try: npx trader status, npx trader positions, npx trader halt --reason test --flatten. Ctrl+C stops everything.`);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : `start-up failed: ${(e as Error).message}`);
    await stop(1);
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
