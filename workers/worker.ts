import type { Duration } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { TraderConfig } from '../config';
import { createActivities, type ActivityDependencies } from '../activities';
import { hasOrderEvents } from '../broker/broker';
import { routeOrderEvents } from './order-events';

export interface TradingWorkerOptions {
  connection: NativeConnection;
  config: TraderConfig;
  deps: ActivityDependencies;
  /** A pre-built bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  log?: (line: string) => void;
}

/** The Temporal worker, and the routing of its broker's order events to the Position workflows while it runs. */
export interface TradingWorker {
  worker: Worker;
  /** Runs until worker.shutdown() (or a fatal error); the order events stop with it. */
  run(): Promise<void>;
}

/** The worker that runs every workflow and activity of the trading system on one task queue. */
export async function createTradingWorker({ connection, config, deps, workflowBundle, log }: TradingWorkerOptions): Promise<TradingWorker> {
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(deps),
    maxConcurrentActivityTaskExecutions: config.temporal.worker.maxConcurrentActivities,
    stickyQueueScheduleToStartTimeout: config.temporal.worker.stickyQueueTimeout as Duration,
  });
  return {
    worker,
    async run() {
      const stop = hasOrderEvents(deps.broker) ? routeOrderEvents(deps.broker, worker.client!, { debounceMs: config.positions.eventDebounceMs, log }) : undefined;
      try {
        await worker.run();
      } finally {
        stop?.();
      }
    },
  };
}
