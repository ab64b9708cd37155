// The Supervisor on the real Temporal dev server with its activities writing to real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import {
  haltSignal,
  haltUpdate,
  resumeSignal,
  resumeUpdate,
  statusQuery,
  supervisor,
  type SupervisorStatus,
} from '../workflows/supervisor';
import { TradingState } from '../workflows/search-attributes';
import { startTestStack, type TestStack } from './support/harness';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Each test has its own Supervisor id, so its audit rows are its own. */
function startSupervisor(workflowId = `supervisor-${randomUUID()}`) {
  return stack.client.workflow.start(supervisor, {
    workflowId,
    taskQueue: stack.config.temporal.taskQueue,
    args: [{}],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

async function auditRows(workflowId: string) {
  const { rows } = await stack.pool.query(
    'SELECT sequence::int, from_state, to_state, reason, source FROM trading_state_changes WHERE workflow_id = $1 ORDER BY sequence',
    [workflowId],
  );
  return rows;
}

/** Polls until ok(value); a probe that throws (e.g. a query while the Supervisor restores its state) is retried. */
async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (ok(v) || Date.now() > deadline) return v;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('starts ACTIVE, halts and resumes through updates, recording every change in Postgres', async () => {
  const h = await startSupervisor();
  const initial = await eventually(() => h.query(statusQuery), (s) => s.sequence === 1);
  expect(initial.state).toBe('ACTIVE');

  const halted = await h.executeUpdate(haltUpdate, { args: [{ reason: 'earnings week', source: 'cli' }] });
  expect(halted).toMatchObject({ state: 'HALTED', reason: 'earnings week', sequence: 2 });
  // The update answers once the change is in Postgres.
  expect(await auditRows(h.workflowId)).toEqual([
    { sequence: 1, from_state: null, to_state: 'ACTIVE', reason: 'supervisor started', source: 'supervisor' },
    { sequence: 2, from_state: 'ACTIVE', to_state: 'HALTED', reason: 'earnings week', source: 'cli' },
  ]);
  const described = await h.describe();
  expect(described.typedSearchAttributes.get(TradingState)).toBe('HALTED');

  const resumed = await h.executeUpdate(resumeUpdate, { args: [{ reason: 'all clear', source: 'cli' }] });
  expect(resumed.state).toBe('ACTIVE');
  expect((await auditRows(h.workflowId)).map((r) => r.to_state)).toEqual(['ACTIVE', 'HALTED', 'ACTIVE']);
});

test('signals from the Web UI work the same, and a repeated halt changes nothing', async () => {
  const h = await startSupervisor();
  await h.signal(haltSignal, { reason: 'from the web ui' });
  await h.signal(haltSignal, { reason: 'clicked twice' });
  const s = await eventually(() => h.query(statusQuery), (x) => x.state === 'HALTED');
  expect(s).toMatchObject({ state: 'HALTED', reason: 'from the web ui' });
  await h.signal(resumeSignal, {});
  await eventually(() => auditRows(h.workflowId), (rows) => rows.length === 3);
  expect(await auditRows(h.workflowId)).toEqual([
    expect.objectContaining({ sequence: 1, to_state: 'ACTIVE' }),
    expect.objectContaining({ sequence: 2, to_state: 'HALTED', reason: 'from the web ui', source: 'signal' }),
    expect.objectContaining({ sequence: 3, from_state: 'HALTED', to_state: 'ACTIVE', reason: 'manual resume' }),
  ]);
});

test('a halt survives the Supervisor being terminated and started again', async () => {
  const id = `supervisor-${randomUUID()}`;
  const first = await startSupervisor(id);
  await first.executeUpdate(haltUpdate, { args: [{ reason: 'risk review', source: 'cli' }] });
  await first.terminate('operator error');

  const second = await startSupervisor(id);
  expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
  const s = await eventually(() => second.query(statusQuery), (x) => x.state === 'HALTED');
  expect(s).toMatchObject({ state: 'HALTED', reason: 'risk review', sequence: 2 });
  expect(await auditRows(id)).toHaveLength(2);
});

test('signals sent while no worker runs are applied once a worker is back', async () => {
  const h = await startSupervisor();
  await eventually(() => h.query(statusQuery), (s) => s.sequence === 1);
  await stack.stopWorker();
  await h.signal(haltSignal, { reason: 'worker down', source: 'test' });
  await stack.startWorker();
  const s = await eventually(() => h.query(statusQuery), (x) => x.state === 'HALTED');
  expect(s.reason).toBe('worker down');
  await eventually(() => auditRows(h.workflowId), (rows) => rows.length === 2);
  expect((await auditRows(h.workflowId)).map((r) => r.to_state)).toEqual(['ACTIVE', 'HALTED']);
});

test('continues as new before its history grows large, carrying state and sequence', async () => {
  const h = await startSupervisor();
  let last: SupervisorStatus | undefined;
  for (let i = 0; i < 12; i++) {
    last = await h.executeUpdate(i % 2 === 0 ? haltUpdate : resumeUpdate, { args: [{ reason: `cycle ${i}`, source: 'test' }] });
  }
  expect(last).toMatchObject({ state: 'ACTIVE', sequence: 13 });
  // The test server suggests continue-as-new after 60 events: this many changes must have rolled over.
  const latest = stack.client.workflow.getHandle(h.workflowId);
  const description = await eventually(() => latest.describe(), (d) => d.runId !== h.firstExecutionRunId);
  expect(description.runId).not.toBe(h.firstExecutionRunId);
  const after = await latest.executeUpdate(haltUpdate, { args: [{ reason: 'after rollover', source: 'test' }] });
  expect(after).toMatchObject({ state: 'HALTED', sequence: 14 });
  const rows = await auditRows(h.workflowId);
  expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
});
