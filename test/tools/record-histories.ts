// Records the workflow histories that test/replay.test.ts replays against the current code.
// Run with `npm run histories:record` after adding a scenario; keep the old files: they are
// the proof that running workflows of earlier versions still replay.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { haltSignal, haltUpdate, resumeSignal, resumeUpdate, statusQuery, supervisor } from '../../workflows/supervisor';
import { tradingDay, tradingDayStatusQuery } from '../../workflows/trading-day';
import { NYSE_DEFAULT_HOURS } from '../../trading/calendar';
import { ensureTemporalCli } from '../../stack/temporal-cli';
import { startTestStack, testEnv, type TestStack } from '../support/harness';

const OUT = path.join(__dirname, '..', 'histories');
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

/**
 * Exported with the Temporal CLI, exactly as a user would export a production history.
 * An existing file is never overwritten: it stands for workflows recorded by older code.
 */
function save(name: string, workflowId: string, runId?: string): void {
  const file = path.join(OUT, `${name}.json`);
  if (fs.existsSync(file)) return;
  const json = execFileSync(
    ensureTemporalCli(),
    ['workflow', 'show', '--address', testEnv().address, '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []), '--output', 'json'],
    { encoding: 'utf8' },
  );
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(file, json);
}

test('supervisor: start, halt and resume by update and by signal, a repeated halt, queries, continue-as-new', async () => {
  const workflowId = `record-supervisor-${Date.now()}`;
  const h = await stack.client.workflow.start(supervisor, {
    workflowId,
    taskQueue: stack.config.temporal.taskQueue,
    args: [{}],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  await h.executeUpdate(haltUpdate, { args: [{ reason: 'recorded halt', source: 'cli' }] });
  await h.signal(haltSignal, { reason: 'repeated halt' });
  await h.signal(resumeSignal, { reason: 'recorded resume', source: 'web-ui' });
  await h.query(statusQuery);
  // Enough changes to pass the test server's continue-as-new threshold.
  for (let i = 0; i < 10; i++) await h.executeUpdate(i % 2 ? resumeUpdate : haltUpdate, { args: [{ reason: `cycle ${i}` }] });
  const latest = await stack.client.workflow.getHandle(workflowId).describe();
  expect(latest.runId).not.toBe(h.firstExecutionRunId);
  save('supervisor-v1-first-run', workflowId, h.firstExecutionRunId);
  save('supervisor-v1-continued-run', workflowId, latest.runId);
});

test('tradingDay: a holiday, and a half day walked through to the close', async () => {
  for (const [name, date] of [['trading-day-v1-holiday', '2026-11-26'], ['trading-day-v1-half-day', '2025-11-28']]) {
    const workflowId = `record-${name}-${Date.now()}`;
    const h = await stack.client.workflow.start(tradingDay, {
      workflowId,
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ hours: NYSE_DEFAULT_HOURS, premarketMinutesBeforeOpen: 30, date }],
    });
    await h.result();
    await h.query(tradingDayStatusQuery);
    save(name, workflowId);
  }
});
