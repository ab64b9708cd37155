import type { Pool } from 'pg';
import type { TraderConfig } from '../config';
import { IbBroker } from '../broker/ib/ib-broker';
import { PgOrderIdStore } from '../broker/order-ids';

/**
 * The worker's one IB connection (fixed client id: IB ties orders to the client id that placed them), its order ids
 * persisted in Postgres so they are never reused across restarts. A worker starts even while the gateway is down: the
 * adapter keeps trying in the background after connect() times out, and the Supervisor's watchdog sees the outage.
 */
export function connectBroker(config: TraderConfig, pool: Pool, log: (line: string) => void): { broker: IbBroker; stop(): Promise<void> } {
  const { host, port, clientId, account, connectTimeoutMs } = config.broker;
  const broker = new IbBroker({ host, port, clientId, account, connectTimeoutMs, orderIds: new PgOrderIdStore(pool, { host, port, clientId }), log });
  broker.connect().then(
    () => log(`connected to IB at ${host}:${port} (client id ${clientId}, ${config.broker.mode})`),
    (e: Error) => log(`IB at ${host}:${port} not reachable yet (${e.message}); still trying`),
  );
  return { broker, stop: () => broker.disconnect() };
}
