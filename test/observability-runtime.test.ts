// The Temporal runtime's logs and metrics through our telemetry, against the shared dev server
// (global set-up). Runtime.install is once per process: this file installs it and nothing else.
import { randomUUID } from 'node:crypto';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig, type Secrets } from '../config';
import { createLogger } from '../observability/logger';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-server';
import { TraderMetrics } from '../observability/metrics';
import { installRuntimeTelemetry } from '../observability/telemetry';
import { testEnv } from './support/harness';
import { freePort } from './support/ports';

const secrets: Secrets = { temporalApiKey: 'tmprl-secret-api-key-42' };
const lines: string[] = [];
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let server: MetricsServer;

beforeAll(async () => {
  const observability = {
    ...loadConfig({ env: {}, configFile: '/dev/null' }).config.observability,
    logLevel: 'debug' as const,
    metricsPort: await freePort(),
    temporalMetricsPort: await freePort(),
  };
  const logger = createLogger({ level: observability.logLevel, secrets, destination: { write: (s: string) => void lines.push(s) } });
  installRuntimeTelemetry(observability, logger);
  server = (await startMetricsServer(observability, new TraderMetrics(), logger))!;
  connection = await NativeConnection.connect({ address: testEnv().address });
  // An activity-only worker: enough for the core to poll, report and log.
  worker = await Worker.create({
    connection,
    taskQueue: `observability-${randomUUID()}`,
    activities: { echo: async (s: string) => s },
    // The secret in an option the SDK logs at start-up must not reach the lines.
    identity: `worker-${secrets.temporalApiKey}`,
  });
  running = worker.run();
});

afterAll(async () => {
  worker.shutdown();
  await running;
  await connection.close();
  await server.close();
  await Runtime.instance().shutdown();
});

/** Polls until the predicate holds: the core reports on its own schedule. */
async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('/metrics serves the Temporal runtime metrics after the system’s own', async () => {
  const text = await eventually(
    async () => (await fetch(server.url)).text(),
    (t) => /^temporal_num_pollers\{/m.test(t) && /^temporal_worker_task_slots_available\{/m.test(t),
  );
  expect(text).toMatch(/^trader_temporal_metrics_up 1$/m);
  expect(text).toMatch(/^temporal_num_pollers\{.*poller_type="activity_task".*\} \d+$/m);
  expect(text).toMatch(/^temporal_worker_task_slots_available\{.*worker_type="ActivityWorker".*\} \d+$/m);
  expect(text).toMatch(/^temporal_request\{.*operation="[A-Za-z]+".*\} \d+$/m);
  expect(text.indexOf('trader_trading_state')).toBeLessThan(text.indexOf('temporal_num_pollers'));
});

test('the SDK’s and the core’s logs arrive as redacted JSON lines', async () => {
  await eventually(async () => lines.map((l) => JSON.parse(l)), (logs) => logs.some((l) => l.sdkComponent === 'core') && logs.some((l) => l.sdkComponent === 'worker'));
  const logs = lines.map((l) => JSON.parse(l));
  expect(logs.find((l) => l.sdkComponent === 'worker')).toMatchObject({ component: 'temporal', service: 'trader', level: expect.stringMatching(/^(debug|info)$/) });
  expect(logs.find((l) => l.sdkComponent === 'core')).toMatchObject({ component: 'temporal', msg: expect.any(String) });
  expect(lines.some((l) => l.includes('worker-[REDACTED]'))).toBe(true);
  for (const line of lines) expect(line).not.toContain(secrets.temporalApiKey);
});
