import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../config/paths';

/**
 * Finds or provisions the Temporal CLI (which embeds the dev server and Web UI).
 * v1.5.1 is the newest tag that `go install` accepts: later tags carry a replace directive.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Built binaries outlive the clone (CI clones afresh), so they are cached per user. */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'durable-trader', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.TEMPORAL_CLI_PATH) list.push(process.env.TEMPORAL_CLI_PATH);
  const onPath = which(EXE);
  if (onPath) list.push(onPath);
  list.push(path.join(projectRoot(), '.tools', 'bin', EXE), path.join(cacheDir(), EXE));
  return list;
}

export function findTemporalCli(): string | undefined {
  return candidates().find((p) => isExecutable(p));
}

/** Returns the path of a working `temporal` binary, building or downloading it when none is found. */
export function ensureTemporalCli(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): string {
  if (process.env.TEMPORAL_CLI_PATH && !isExecutable(process.env.TEMPORAL_CLI_PATH)) {
    throw new Error(`TEMPORAL_CLI_PATH=${process.env.TEMPORAL_CLI_PATH} is not an executable file: fix or unset it`);
  }
  const found = findTemporalCli();
  if (found) return found;

  const dir = cacheDir();
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, EXE);
  if (which('go')) {
    log(`Temporal CLI not found: building ${GO_PACKAGE} with Go into ${dir} (first time only, a few minutes)...`);
    const r = spawnSync('go', ['install', GO_PACKAGE], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0', GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'auto', GOFLAGS: '-mod=mod' },
    });
    if (r.status === 0 && isExecutable(target)) return target;
    log(`go install failed (exit ${r.status}); trying the official release download.`);
  }
  downloadRelease(dir, log);
  if (isExecutable(target)) return target;
  throw new Error(
    'Could not find or install the Temporal CLI. Install it yourself (https://docs.temporal.io/cli) and put `temporal` on PATH, ' +
      'or set TEMPORAL_CLI_PATH, or install Go >= 1.25 so the project can build it.',
  );
}

function downloadRelease(dir: string, log: (line: string) => void): void {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!platform || !arch) return;
  if (platform === 'windows') return; // the release is a zip there: install it by hand and set TEMPORAL_CLI_PATH
  const v = TEMPORAL_CLI_VERSION;
  const url = `https://github.com/temporalio/cli/releases/download/v${v}/temporal_cli_${v}_${platform}_${arch}.tar.gz`;
  log(`Downloading the Temporal CLI release from ${url} ...`);
  const archive = path.join(dir, 'temporal-cli.tar.gz');
  const curl = spawnSync('curl', ['-fsSL', '--retry', '2', '-o', archive, url], { stdio: 'inherit' });
  if (curl.status !== 0) return;
  spawnSync('tar', ['-xzf', archive, '-C', dir, EXE], { stdio: 'inherit' });
  fs.rmSync(archive, { force: true });
}

function which(cmd: string): string | undefined {
  try {
    const out = execFileSync(process.platform === 'win32' ? 'where' : 'which', [cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split(/\r?\n/)[0].trim() || undefined;
  } catch {
    return undefined;
  }
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

if (require.main === module) {
  try {
    console.log(ensureTemporalCli());
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
