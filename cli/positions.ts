import { WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { adjustStopUpdate, flattenPositionSignal, positionStatusQuery } from '../workflows/position';
import type { PositionStatus } from '../workflows/position-types';
import { CliError } from './errors';
import { withTemporal } from './temporal';

const SYMBOL = /^[A-Z][A-Z0-9.\-]{0,9}$/;

/** Position workflows from Temporal's visibility store: the same list the Web UI shows. */
async function positionWorkflows(client: Client, filter: { running: boolean; symbol?: string; date?: string; strategy?: string }): Promise<WorkflowExecutionInfo[]> {
  const clauses = [`WorkflowType = 'position'`];
  if (filter.running) clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.symbol) clauses.push(`Symbols = '${filter.symbol}'`);
  if (filter.strategy) clauses.push(`Strategy = '${filter.strategy}'`);
  if (filter.date) clauses.push(`TradingDate = '${filter.date}'`);
  const out: WorkflowExecutionInfo[] = [];
  for await (const w of client.workflow.list({ query: clauses.join(' AND ') })) out.push(w);
  return out;
}

function row(s: PositionStatus): string {
  const legs = (s.snapshot?.legs ?? []).map((l) => `${l.symbol} ${l.position >= 0 ? '+' : ''}${l.position}${l.entryPrice ? ` @ ${l.entryPrice.toFixed(2)}` : ''}`).join(', ');
  return [s.tradingDate, s.strategy.padEnd(14), s.state.padEnd(16), (s.snapshot?.realizedPnl ?? 0).toFixed(2).padStart(10), legs || '-', s.exitReason ?? ''].join('  ');
}

export function registerPositionCommands(program: Command): void {
  program
    .command('positions')
    .description('list position workflows (open ones by default) with their state, holdings and realised P&L')
    .option('--all', 'include closed, rejected and cancelled positions')
    .option('--date <YYYY-MM-DD>', 'only positions opened on this trading date')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { all?: boolean; date?: string; json?: boolean }) => {
      if (opts.date && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new CliError(`--date must be YYYY-MM-DD, got "${opts.date}"`);
      const statuses = await withTemporal(async (client) => {
        const found = await positionWorkflows(client, { running: !opts.all, date: opts.date });
        return Promise.all(found.map((w) => client.workflow.getHandle(w.workflowId, w.runId).query(positionStatusQuery)));
      });
      if (opts.json) return console.log(JSON.stringify(statuses, null, 2));
      if (statuses.length === 0) return console.log(opts.all ? 'no positions' : 'no open positions');
      console.log(['date      ', 'strategy      ', 'state           ', 'realised P&L', 'holdings', 'exit'].join('  '));
      for (const s of statuses) console.log(row(s));
    });

  program
    .command('flatten')
    .description("close a symbol's open positions (or every one with --all) at market; trading itself is not halted")
    .argument('[symbol]', 'ticker whose positions to close, e.g. XOM')
    .option('--all', 'close every open position')
    .option('--reason <text>', 'why (kept in the audit trail)', 'manual flatten')
    .option('--json', 'machine-readable output on stdout')
    .action(async (symbol: string | undefined, opts: { all?: boolean; reason: string; json?: boolean }) => {
      if (Boolean(symbol) === Boolean(opts.all)) throw new CliError('give either a SYMBOL or --all (e.g. trader flatten XOM, trader flatten --all)');
      const sym = symbol?.toUpperCase();
      if (sym && !SYMBOL.test(sym)) throw new CliError(`"${symbol}" is not a ticker symbol`);
      const signalled = await withTemporal(async (client) => {
        const found = await positionWorkflows(client, { running: true, symbol: sym });
        for (const w of found) await client.workflow.getHandle(w.workflowId).signal(flattenPositionSignal, { reason: opts.reason, source: 'cli' });
        return found.map((w) => w.workflowId);
      });
      if (signalled.length === 0) throw new CliError(sym ? `no open position in ${sym}` : 'no open positions');
      if (opts.json) return console.log(JSON.stringify({ signalled }, null, 2));
      console.log(`asked ${signalled.length} position(s) to flatten: ${signalled.join(', ')}`);
    });

  program
    .command('stop')
    .description("move the stop of a symbol's open mean-reversion position; answers once the new stop order is working")
    .argument('<symbol>', 'ticker of the position, e.g. XOM')
    .argument('<price>', 'the new stop price')
    .option('--json', 'machine-readable output on stdout')
    .action(async (symbol: string, price: string, opts: { json?: boolean }) => {
      const sym = symbol.toUpperCase();
      if (!SYMBOL.test(sym)) throw new CliError(`"${symbol}" is not a ticker symbol`);
      const stopPrice = Number(price);
      if (!(stopPrice > 0)) throw new CliError(`the stop price must be a positive number, got "${price}"`);
      const moved = await withTemporal(async (client) => {
        const found = await positionWorkflows(client, { running: true, symbol: sym, strategy: 'mean_reversion' });
        if (found.length === 0) throw new CliError(`no open mean-reversion position in ${sym} (a pair's stop follows its z-score)`);
        const out: PositionStatus[] = [];
        for (const w of found) {
          try {
            out.push(await client.workflow.getHandle(w.workflowId).executeUpdate(adjustStopUpdate, { args: [{ stopPrice }] }));
          } catch (e) {
            if (e instanceof WorkflowUpdateFailedError) throw new CliError(`${w.workflowId}: stop not moved: ${(e.cause as Error | undefined)?.message ?? e.message}`);
            throw e;
          }
        }
        return out;
      });
      if (opts.json) return console.log(JSON.stringify(moved, null, 2));
      for (const s of moved) console.log(`${s.workflowId}: stop ${s.stopPrice} (${s.state})`);
    });
}
