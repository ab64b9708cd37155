import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig, type LoadedConfig } from '../config';
import { connectClient } from '../stack/temporal';
import {
  haltUpdate,
  resumeUpdate,
  statusQuery,
  SUPERVISOR_WORKFLOW_ID,
  type SupervisorStatus,
} from '../workflows/supervisor';

/** Exits with a one-line message instead of a stack trace. */
class CliError extends Error {}

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
    .command('config')
    .description('validate the configuration and print it (secrets are never printed)')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => {
      const { config, secrets } = loadConfig();
      const present = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v ? 'set' : 'unset']));
      const out = { config, secrets: present };
      console.log(opts.json ? JSON.stringify(out, null, 2) : `configuration is valid\n${JSON.stringify(out, null, 2)}`);
    });

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
