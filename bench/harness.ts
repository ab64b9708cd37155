import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };

// CommonJS build of simple-statistics with its ESM typings (see trading/statistics.ts).
const { quantileSorted } = require('simple-statistics') as typeof SimpleStatistics;

/** One benchmark suite: measures one area and returns its figures (plain JSON). */
export interface BenchSuite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

export interface BenchContext {
  /** Smaller workloads for a quick check (`npm run bench -- --quick`). */
  quick: boolean;
  log(line: string): void;
}

/** Latency distribution in milliseconds. */
export interface Latency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function latency(samplesMs: readonly number[]): Latency {
  if (samplesMs.length === 0) throw new Error('latency: no samples');
  const s = [...samplesMs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    p50: r(quantileSorted(s, 0.5)),
    p90: r(quantileSorted(s, 0.9)),
    p99: r(quantileSorted(s, 0.99)),
    max: r(s[s.length - 1]!),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** Milliseconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return performance.now() - start;
}
