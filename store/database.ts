import { Pool } from 'pg';
import type { TraderConfig, Secrets } from '../config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { migrate } from './migrate';

export interface Database {
  pool: Pool;
  /** True when this process started the embedded server. */
  embedded: boolean;
  close(): Promise<void>;
}

/** DATABASE_URL when set, else the embedded server; migrations applied either way. */
export async function openDatabase(config: TraderConfig, secrets: Secrets, log: (line: string) => void = () => undefined): Promise<Database> {
  let server: EmbeddedDatabase | undefined;
  let url = secrets.databaseUrl;
  if (!url) {
    const e = config.database.embedded;
    server = await startEmbeddedPostgres({ dataDir: e.dataDir, port: e.port, user: e.user, database: e.database, log });
    url = server.url;
  }
  const pool = new Pool({ connectionString: url, max: config.database.poolSize });
  // An idle connection dropped by the server (restart, Ctrl+C reaching it first) must not crash the process.
  pool.on('error', (e) => log(`idle PostgreSQL connection closed: ${e.message}`));
  try {
    const applied = await migrate(pool);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
  } catch (e) {
    await pool.end();
    await server?.stop();
    throw e;
  }
  return {
    pool,
    embedded: Boolean(server),
    async close() {
      await pool.end().catch(() => undefined);
      await server?.stop();
    },
  };
}
