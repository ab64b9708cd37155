import type { Store } from '../store/store';
import { createAuditActivities } from './audit';
import { createSupervisorActivities } from './supervisor';

export interface ActivityDependencies {
  store: Store;
}

/** All activities, built from their dependencies (ports), as the worker registers them. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createAuditActivities(deps),
    ...createSupervisorActivities(deps),
  };
}
