import type { Client } from '@temporalio/client';
import { loadConfig, type LoadedConfig } from '../config';
import { connectClient } from '../stack/temporal';
import { SUPERVISOR_WORKFLOW_ID } from '../workflows/supervisor';
import { CliError } from './errors';

export function temporalAddress({ config }: LoadedConfig): string {
  const d = config.temporal.devServer;
  return config.temporal.address || `${d.ip}:${d.port}`;
}

/** Runs fn with a client of the running stack; connection problems and a missing Supervisor become one-line errors. */
export async function withTemporal<T>(fn: (client: Client, loaded: LoadedConfig) => Promise<T>): Promise<T> {
  const loaded = loadConfig();
  const address = temporalAddress(loaded);
  let client: Client;
  try {
    client = await connectClient(loaded.config, loaded.secrets, address);
  } catch (e) {
    throw new CliError(`Cannot reach Temporal at ${address} (${(e as Error).message}). Is the stack running (npm start)?`);
  }
  try {
    return await fn(client, loaded);
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
