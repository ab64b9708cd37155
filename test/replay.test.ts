// Replays every recorded history in test/histories against the current workflow code: a change
// that would break running workflows fails here (guard it with patched()).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { quietRuntime, testEnv } from './support/harness';

const HISTORIES = path.join(__dirname, 'histories');
beforeAll(quietRuntime);

const workflowType = (h: { history: temporal.api.history.v1.IHistory }) =>
  h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

function recorded() {
  return fs
    .readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ workflowId: path.basename(f, '.json'), history: JSON.parse(fs.readFileSync(path.join(HISTORIES, f), 'utf8')) as temporal.api.history.v1.IHistory }));
}

async function replayErrors(workflowBundle: { codePath: string } | { code: string }, histories = recorded()) {
  const results: { workflowId: string; error?: unknown }[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) results.push({ workflowId: r.workflowId, error: r.error });
  return results;
}

test('the recorded histories cover every workflow type', () => {
  const types = new Set(recorded().map(workflowType));
  const exported = Object.keys(require('../workflows'));
  expect([...types].sort()).toEqual(exported.sort());
});

test('every recorded history replays on the current workflow code', async () => {
  const results = await replayErrors({ codePath: testEnv().bundlePath });
  expect(results.length).toBeGreaterThanOrEqual(4);
  expect(results.filter((r) => r.error)).toEqual([]);
});

test('an unguarded change to a workflow fails the replay', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/nondeterministic'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const results = await replayErrors({ code }, recorded().filter((h) => workflowType(h) === 'supervisor'));
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) expect((r.error as Error | undefined)?.name).toBe('DeterminismViolationError');
}, 120_000);
