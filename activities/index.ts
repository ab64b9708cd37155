import type { Pool } from 'pg';
import { createAlertActivities } from '../alerts/activities';
import type { Secrets, TraderConfig } from '../config';
import type { TraderMetrics } from '../observability/metrics';
import type { Broker } from '../broker/broker';
import type { Store } from '../store/store';
import { createAuditActivities } from './audit';
import { createKillSwitchActivities } from './kill-switch';
import { createPositionActivities, type MarketClock } from './positions';
import { createReportActivities } from './reports';
import { createSupervisorActivities } from './supervisor';
import { createTradingDayActivities } from './trading-day';
import { createUniverseActivities } from './universe';

export interface ActivityDependencies {
  store: Store;
  config: TraderConfig;
  /** The worker's one broker connection (fixed client id): every order of every workflow goes through it. */
  broker: Broker;
  /** The market's clock: wall time with IB, the simulator's (possibly fast) clock in the demo and tests. */
  clock: MarketClock;
  secrets: Secrets;
  pool: Pool;
  metrics?: TraderMetrics;
}

/** All activities, built from their dependencies (ports), as the worker registers them. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createAuditActivities(deps),
    ...createSupervisorActivities(deps),
    ...createPositionActivities(deps),
    ...createKillSwitchActivities(deps),
    ...createTradingDayActivities(deps),
    ...createUniverseActivities(deps),
    ...createAlertActivities(deps),
    ...createReportActivities(deps),
  };
}
