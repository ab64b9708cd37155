import * as path from 'node:path';
import { Command } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config';
import { GatewaySimulator } from '../gateway-sim/server';
import { registerBacktestCommand } from './backtest';
import { registerResearchCommands } from './research';
import { CliError } from './errors';
import { registerPositionCommands } from './positions';
import { withTemporal } from './temporal';
import {
  haltUpdate,
  resumeUpdate,
  statusQuery,
  SUPERVISOR_WORKFLOW_ID,
  supervisor,
  type SupervisorStatus,
} from '../workflows/supervisor';


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
  if (s.health) {
    const h = s.health;
    console.log(`Broker:        ${h.connection}${h.outageMs ? ` (down ${Math.round(h.outageMs / 1000)}s)` : ''}; daily P&L ${h.dailyPnl?.toFixed(2) ?? 'n/a'} (checked ${h.at})`);
  }
  if (s.killSwitch) {
    const k = s.killSwitch;
    console.log(`Kill switch:   ${k.step} — ${k.reason} [${k.source}] started ${k.startedAt}${k.finishedAt ? `, flat at ${k.finishedAt}` : ''}`);
  }
}

/** The Supervisor answers an update once it has applied the command, after any command before it. */
async function withinSeconds<T>(answer: Promise<T>, seconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new CliError(message)), seconds * 1000)));
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Follows the kill switch a `halt --flatten` started until the broker reports flat. */
async function untilFlat(handle: WorkflowHandle<typeof supervisor>, previousId: string | undefined, deadline: number, seconds: number): Promise<SupervisorStatus> {
  let step = '';
  for (;;) {
    const s = await handle.query(statusQuery);
    const k = s.killSwitch && s.killSwitch.id !== previousId ? s.killSwitch : undefined;
    if (k && k.step !== step) console.error(`kill switch: ${(step = k.step)}`);
    if (k?.step === 'FLAT') return s;
    if (Date.now() > deadline) throw new CliError(`trading is HALTED but the account is not flat yet after ${seconds}s (step ${step || 'starting'}); see trader status`);
    await new Promise((r) => setTimeout(r, 500));
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
      const s = await withTemporal((c) => c.workflow.getHandle(SUPERVISOR_WORKFLOW_ID).query(statusQuery));
      printStatus(s, Boolean(opts.json));
    });

  program
    .command('halt')
    .description('halt trading: no new positions until `trader resume` (recorded in Postgres)')
    .requiredOption('--reason <text>', 'why trading is halted (kept in the audit trail)')
    .option('--flatten', 'kill switch: also cancel every open order, close every position and wait until the broker reports flat')
    .option('--wait <seconds>', 'how long to wait for the halt to be confirmed and, with --flatten, for flat', '300')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { reason: string; flatten?: boolean; wait: string; json?: boolean }) => {
      if (!opts.reason.trim()) throw new CliError('--reason must not be empty: say why trading is halted');
      const wait = Number(opts.wait);
      if (!(wait > 0)) throw new CliError(`--wait must be a number of seconds above 0, got "${opts.wait}"`);
      const s = await withTemporal(async (c) => {
        const handle = c.workflow.getHandle<typeof supervisor>(SUPERVISOR_WORKFLOW_ID);
        const before = opts.flatten ? (await handle.query(statusQuery)).killSwitch?.id : undefined;
        const deadline = Date.now() + wait * 1000;
        const halted = await withinSeconds(handle.executeUpdate(haltUpdate, { args: [{ reason: opts.reason, source: 'cli', flatten: Boolean(opts.flatten) }] }), wait,
          `the Supervisor has not confirmed the halt within ${wait}s (a kill switch already under way answers when it is done); see trader status`);
        return opts.flatten ? untilFlat(handle, before, deadline, wait) : halted;
      });
      printStatus(s, Boolean(opts.json));
    });

  program
    .command('resume')
    .description('resume trading after a halt')
    .option('--reason <text>', 'why trading resumes', 'manual resume')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { reason: string; json?: boolean }) => {
      const s = await withTemporal((c) =>
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

  registerPositionCommands(program);
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
