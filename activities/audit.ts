import type { Store, SystemEvent } from '../store/store';

export function createAuditActivities({ store }: { store: Store }) {
  return {
    /** Idempotent on event.key: a retried or replayed activity records the event once. */
    async recordSystemEvent(event: SystemEvent): Promise<void> {
      await store.recordSystemEvent(event);
    },
  };
}

export type AuditActivities = ReturnType<typeof createAuditActivities>;
