import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { projectRoot } from '../config/paths';
import { backtestSuite } from './backtest.bench';
import type { BenchSuite } from './harness';
import { ibBench } from './ib.bench';
import { screenSuite } from './screen.bench';
import { workflowsSuite } from './workflows.bench';

/** Every suite, in the order they run. Each lives in its own file beside this one. */
const SUITES: BenchSuite[] = [ibBench, backtestSuite, screenSuite, workflowsSuite];

function usage(): never {
  console.error(`usage: npm run bench [-- [--quick] [--only name,name] [--out FILE]]\nsuites: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

function gitRevision(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `npm run bench`: runs the suites and writes one JSON document (machine, revision, figures per suite) to
 * bench/results/<timestamp>.json and bench/results/latest.json, so two runs can be compared with any JSON diff.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let quick = false;
  let only: string[] | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--quick') quick = true;
    else if (a === '--only' && args[i + 1]) only = args[++i]!.split(',');
    else if (a === '--out' && args[i + 1]) out = args[++i];
    else usage();
  }
  const unknown = only?.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown?.length) {
    console.error(`unknown suite(s): ${unknown.join(', ')}`);
    usage();
  }
  const log = (line: string) => console.error(`[bench] ${line}`);
  const started = new Date();
  const results: Record<string, unknown> = {};
  for (const suite of SUITES.filter((s) => !only || only.includes(s.name))) {
    log(`${suite.name}: ${suite.description}`);
    const t0 = performance.now();
    try {
      results[suite.name] = { ...(await suite.run({ quick, log: (l) => log(`${suite.name}: ${l}`) })), wallSeconds: Math.round(performance.now() - t0) / 1000 };
    } catch (e) {
      results[suite.name] = { error: (e as Error).message };
      process.exitCode = 1;
    }
  }
  const doc = {
    startedAt: started.toISOString(),
    revision: gitRevision(),
    quick,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` },
    results,
  };
  const json = JSON.stringify(doc, null, 2);
  const dir = path.join(projectRoot(), 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = out ?? path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, json + '\n');
  fs.writeFileSync(path.join(dir, 'latest.json'), json + '\n');
  console.log(json);
  log(`written to ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
