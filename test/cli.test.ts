// The `trader` CLI as a user runs it (the built bin, a separate process) against the running stack.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { projectRoot } from '../config';
import { ensureSupervisor } from '../workers/supervisor-start';
import { freePort } from './support/ports';
import { startTestStack, testEnv, type TestStack } from './support/harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await ensureSupervisor(stack.client, stack.config);
});
afterAll(async () => stack?.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function trader(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const bin = path.join(projectRoot(), 'bin', 'trader.js');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: testEnv().address, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function status() {
  const r = await trader(['status', '--json']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

test('halt changes the state shown by status, and resume brings it back, each recorded in Postgres', async () => {
  // The Supervisor restores its state with an activity before it answers queries.
  let initial;
  for (let i = 0; i < 50 && !initial; i++) {
    const r = await trader(['status', '--json']);
    if (r.code === 0) initial = JSON.parse(r.stdout);
    else await new Promise((res) => setTimeout(res, 200));
  }
  expect(initial).toMatchObject({ state: 'ACTIVE' });

  const halt = await trader(['halt', '--reason', 'test']);
  expect(halt.code).toBe(0);
  expect(halt.stdout).toMatch(/Trading state: HALTED/);
  expect(await status()).toMatchObject({ state: 'HALTED', reason: 'test' });

  const resume = await trader(['resume', '--json']);
  expect(JSON.parse(resume.stdout)).toMatchObject({ state: 'ACTIVE' });

  const { rows } = await stack.pool.query(`SELECT to_state, reason, source FROM trading_state_changes WHERE workflow_id = 'supervisor' ORDER BY sequence`);
  expect(rows).toEqual([
    { to_state: 'ACTIVE', reason: 'supervisor started', source: 'supervisor' },
    { to_state: 'HALTED', reason: 'test', source: 'cli' },
    { to_state: 'ACTIVE', reason: 'manual resume', source: 'cli' },
  ]);
});

test('halt without a reason is refused with a message, not a stack trace', async () => {
  const r = await trader(['halt']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/--reason/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('trader stop refuses a bad price or a symbol without an open mean-reversion position, with a message', async () => {
  const bad = await trader(['stop', 'XOM', 'abc']);
  expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('the stop price must be a positive number, got "abc"') });
  const none = await trader(['stop', 'ZZZQ', '50']);
  expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining("no open mean-reversion position in ZZZQ (a pair's stop follows its z-score)") });
  expect(none.stderr).not.toMatch(/\n\s+at /);
});

test('a bad config value stops the command with the field named', async () => {
  const r = await trader(['status'], { IB_PORT: 'abc' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/broker\.port = "abc" \(from env IB_PORT\)/);
});

test('an unreachable Temporal server gets a clear hint', async () => {
  const r = await trader(['status'], { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/Cannot reach Temporal at 127\.0\.0\.1:\d+.*npm start/);
});

test.each(['status', 'halt', 'resume', 'config'])('trader %s --help explains the command', async (cmd) => {
  const r = await trader([cmd, '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`Usage: trader ${cmd}`));
});

test('halt --flatten stops waiting after --wait seconds, with a message, when the account cannot be flattened (no broker here)', async () => {
  const r = await trader(['halt', '--reason', 'flatten test', '--flatten', '--wait', '3']);
  expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('trading is HALTED but the account is not flat yet after 3s') });
  expect(await status()).toMatchObject({ state: 'HALTED', reason: 'flatten test', killSwitch: { reason: 'flatten test', source: 'cli' } });
});
