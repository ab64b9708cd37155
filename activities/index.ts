import type { Pool } from 'pg';
import { createAlertActivities } from '../alerts/activities';
import type { Secrets } from '../config';
import { createAuditActivities } from './audit';
import type { TradingDeps } from './deps';
import { createKillSwitchActivities } from './kill-switch';
import { createPositionActivities } from './positions';
import { createReportActivities } from './reports';
import { createStrategyReviewActivities } from './strategy-review';
import { createSupervisorActivities } from './supervisor';
import { createTradingDayActivities } from './trading-day';
import { createUniverseActivities } from './universe';

export interface ActivityDependencies extends TradingDeps {
  secrets: Secrets;
  pool: Pool;
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
    ...createStrategyReviewActivities(deps),
  };
}
