import type { Duration } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { TraderConfig } from '../config';
import { createActivities, type ActivityDependencies } from '../activities';

export interface TradingWorkerOptions {
  connection: NativeConnection;
  config: TraderConfig;
  deps: ActivityDependencies;
  /** A pre-built bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker that runs every workflow and activity of the trading system on one task queue. */
export function createTradingWorker({ connection, config, deps, workflowBundle }: TradingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(deps),
    maxConcurrentActivityTaskExecutions: config.temporal.worker.maxConcurrentActivities,
    stickyQueueScheduleToStartTimeout: config.temporal.worker.stickyQueueTimeout as Duration,
  });
}
