import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../stack/temporal-cli';
import { startEmbeddedPostgres } from '../store/embedded-postgres';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { freePort } from './support/ports';

/**
 * Starts the real parts once per run: the Temporal CLI dev server (through the SDK's
 * createLocal, on the binary the project provisions) and an embedded PostgreSQL in a
 * throw-away folder. Test files reach them through the TEST_* variables set here.
 */
export default async function globalSetup(): Promise<void> {
  const exe = ensureTemporalCli();
  // A low threshold makes long-lived workflows continue-as-new within a test.
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: exe },
      ip: '127.0.0.1',
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'],
    },
  });

  // Postgres runs as the 'postgres' user under root: its folder must be reachable by that user.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-test-'));
  fs.chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), user: 'trader', database: 'trader' });

  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  process.env.TEST_DATABASE_URL = db.url;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  Object.assign(globalThis, { __traderTest: { env, db, dir } });
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
