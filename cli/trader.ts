import * as path from 'node:path';
import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig, type LoadedConfig } from '../config';
import { GatewaySimulator } from '../gateway-sim/server';
import { connectClient } from '../stack/temporal';
import { registerBacktestCommand } from './backtest';
import { registerResearchCommands } from './research';
import { CliError } from './errors';
import {
  haltUpdate,
  resumeUpdate,
  statusQuery,
  SUPERVISOR_WORKFLOW_ID,
  type SupervisorStatus,
} from '../workflows/supervisor';


function temporalAddress({ config }: LoadedConfig): string {
  const d = config.temporal.devServer;
  return config.temporal.address || `${d.ip}:${d.port}`;
}

async function withSupervisor<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const loaded = loadConfig();
  const address = temporalAddress(loaded);
  let client: Client;
  try {
    client = await connectClient(loaded.config, loaded.secrets, address);
  } catch (e) {
    throw new CliError(`Cannot reach Temporal at ${address} (${(e as Error).message}). Is the stack running (npm start)?`);
  }
  try {
    return await fn(client);
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'WorkflowNotFoundError' || /not found/i.test((e as Error).message)) {
      throw new CliError(`The Supervisor workflow '${SUPERVISOR_WORKFLOW_ID}' is not running at ${address}: start the stack with npm start.`);
    }
    throw e;
  } finally {
    await client.connection.close();
  }
}

function printStatus(s: SupervisorStatus, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(s, null, 2));
    return;
  }
  console.log(`Trading state: ${s.state} since ${s.since}`);
  console.log(`Reason:        ${s.reason}`);
  console.log('Recent changes:');
  for (const c of s.recentChanges) {
    console.log(`  #${c.sequence} ${c.at}  ${c.from ?? '-'} -> ${c.to}  ${c.reason} [${c.source}]`);
  }
}

export function buildProgram(): Command {
  const program = new Command('trader')
    .description('Durable trading system: control and inspect the running stack (start it with npm start)')
    .showHelpAfterError();

  program
    .command('status')
    .description('show the trading state kept by the Supervisor (ACTIVE, REDUCING or HALTED)')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { json?: boolean }) => {
      const s = await withSupervisor((c) => c.workflow.getHandle(SUPERVISOR_WORKFLOW_ID).query(statusQuery));
      printStatus(s, Boolean(opts.json));
    });

  program
    .command('halt')
    .description('halt trading: no new positions until `trader resume` (recorded in Postgres)')
    .requiredOption('--reason <text>', 'why trading is halted (kept in the audit trail)')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { reason: string; json?: boolean }) => {
      if (!opts.reason.trim()) throw new CliError('--reason must not be empty: say why trading is halted');
      const s = await withSupervisor((c) =>
        c.workflow.getHandle(SUPERVISOR_WORKFLOW_ID).executeUpdate(haltUpdate, { args: [{ reason: opts.reason, source: 'cli' }] }),
      );
      printStatus(s, Boolean(opts.json));
    });

  program
    .command('resume')
    .description('resume trading after a halt')
    .option('--reason <text>', 'why trading resumes', 'manual resume')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { reason: string; json?: boolean }) => {
      const s = await withSupervisor((c) =>
        c.workflow.getHandle(SUPERVISOR_WORKFLOW_ID).executeUpdate(resumeUpdate, { args: [{ reason: opts.reason, source: 'cli' }] }),
      );
      printStatus(s, Boolean(opts.json));
    });

  program
    .command('sim')
    .description('run the IB gateway simulator in the foreground: the TWS API over real market data (Ctrl+C stops it)')
    .option('--port <n>', 'TCP port (default: broker.port, as IB Gateway paper uses 4002)')
    .option('--data <path>', 'market data folder, or its daily.csv.gz (default: data.dir)')
    .option('--start-date <YYYY-MM-DD>', 'the simulated clock starts at this session open (default: the last date in the data)')
    .option('--speed <x>', 'simulated seconds per real second', '1')
    .option('--symbols <list>', 'comma-separated symbols to load (default: all)')
    .action(async (opts: { port?: string; data?: string; startDate?: string; speed: string; symbols?: string }) => {
      const { config } = loadConfig();
      const port = opts.port === undefined ? config.broker.port : Number(opts.port);
      const speed = Number(opts.speed);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a TCP port number, got "${opts.port}"`);
      if (!Number.isFinite(speed) || speed < 0) throw new CliError(`--speed must be a number >= 0, got "${opts.speed}"`);
      if (opts.startDate && !/^\d{4}-\d{2}-\d{2}$/.test(opts.startDate)) throw new CliError(`--start-date must be YYYY-MM-DD, got "${opts.startDate}"`);
      const dataDir = opts.data ? (/\.csv(\.gz)?$/.test(opts.data) ? path.dirname(path.resolve(opts.data)) : path.resolve(opts.data)) : config.data.dir;
      const sim = await GatewaySimulator.start({
        dataDir, port, speed, startDate: opts.startDate, host: config.broker.host,
        symbols: opts.symbols?.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean),
        log: (line) => console.error(line),
      });
      console.log(`IB gateway simulator listening on ${config.broker.host}:${sim.port} (TWS API v193), account ${sim.account}, clock ${new Date(sim.clock.now()).toISOString()} at ${speed}x`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await sim.close();
    });

  program
    .command('config')
    .description('validate the configuration and print it (secrets are never printed)')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => {
      const { config, secrets } = loadConfig();
      const present = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v ? 'set' : 'unset']));
      const out = { config, secrets: present };
      console.log(opts.json ? JSON.stringify(out, null, 2) : `configuration is valid\n${JSON.stringify(out, null, 2)}`);
    });

  registerBacktestCommand(program);
  registerResearchCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof CliError) {
      console.error(e.message);
      return 1;
    }
    console.error(`trader: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void run(process.argv).then((code) => process.exit(code));
}
