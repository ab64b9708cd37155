import type { Pool } from 'pg';
import type { TraderConfig } from '../config';
import { IbBroker } from '../broker/ib/ib-broker';
import { PgOrderIdStore } from '../broker/order-ids';

/**
 * The worker's one IB connection (fixed client id: IB ties orders to the client id that placed them), its order ids
 * persisted in Postgres so they are never reused across restarts. The first connection is retried in the background:
 * a worker starts even while the gateway is down, and the Supervisor's watchdog sees the outage.
 */
export function connectBroker(config: TraderConfig, pool: Pool, log: (line: string) => void): { broker: IbBroker; stop(): Promise<void> } {
  const { host, port, clientId, account, connectTimeoutMs } = config.broker;
  const broker = new IbBroker({ host, port, clientId, account, timeoutMs: connectTimeoutMs, orderIds: new PgOrderIdStore(pool, { host, port, clientId }), log });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 1000;
  const attempt = () => {
    broker.connect().then(
      () => log(`connected to IB at ${host}:${port} (client id ${clientId}, ${config.broker.mode})`),
      (e: Error) => {
        if (stopped) return;
        log(`IB at ${host}:${port} not reachable (${e.message}); retrying in ${delay / 1000}s`);
        timer = setTimeout(attempt, delay);
        delay = Math.min(delay * 2, 30_000);
      },
    );
  };
  attempt();
  return {
    broker,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await broker.disconnect();
    },
  };
}
