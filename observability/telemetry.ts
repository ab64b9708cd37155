import type { LogLevel } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { TraderConfig } from '../config';
import { TemporalLogger, type Logger } from './logger';

type ObservabilityConfig = TraderConfig['observability'];

/** Where the Temporal runtime (Rust core) serves its Prometheus metrics: loopback only, the metrics server relays them. */
export function temporalMetricsUrl(config: ObservabilityConfig): string | undefined {
  return config.temporalMetricsPort ? `http://127.0.0.1:${config.temporalMetricsPort}/metrics` : undefined;
}

/**
 * Installs the process-wide Temporal runtime with our logging and metrics. Call it once, before
 * the first Connection, NativeConnection or Worker is created (the SDK refuses a second install).
 * - The SDK's logs (worker, workflow and activity context loggers) and the Rust core's own logs
 *   (forwarded) go to pino, at observability.logLevel for core and WARN for its dependencies.
 * - The core exports Prometheus metrics on 127.0.0.1:observability.temporalMetricsPort.
 */
export function installRuntimeTelemetry(config: ObservabilityConfig, logger: Logger): Runtime {
  const port = config.temporalMetricsPort;
  return Runtime.install({
    logger: new TemporalLogger(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      logging: { filter: { core: config.logLevel.toUpperCase() as LogLevel, other: 'WARN' }, forward: {} },
      ...(port ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } : {}),
    },
  });
}
