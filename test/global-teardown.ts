import * as fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmbeddedDatabase } from '../store/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const t = (globalThis as { __traderTest?: { env: TestWorkflowEnvironment; db: EmbeddedDatabase; dir: string } }).__traderTest;
  if (!t) return;
  await t.env.teardown();
  await t.db.stop();
  fs.rmSync(t.dir, { recursive: true, force: true });
}
