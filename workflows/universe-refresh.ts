import * as wf from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import type { UniverseActivities, UniverseRefreshVersion, UniverseSummary } from '../activities/universe';
import { TradingDate } from './search-attributes';

/**
 * The weekly universe refresh, started by the `universe-refresh` schedule (Sunday evening, exchange time): a new
 * universe version whose symbols' daily bars are refreshed batch by batch (from the data files or the broker's
 * historical data, per config), then screened and paired as of the last session, every verdict stored with its
 * reasons. The history carries ids and counts only; the bars go from the activities to Postgres. A batch finished
 * before a crash is not redone: the history holds its result, and Postgres does too for a retried activity.
 */
export interface UniverseRefreshInput {
  /** The session to screen as of (YYYY-MM-DD); default: the last session closed on the market's clock. */
  asOf?: string;
  /** Handed over by continue-as-new. */
  carried?: UniverseRefreshStatus;
}

export type UniverseRefreshPhase = 'STARTING' | 'REFRESHING_BARS' | 'SCREENING' | 'COMPLETE';

export interface UniverseRefreshStatus {
  phase: UniverseRefreshPhase;
  version?: UniverseRefreshVersion;
  batchesDone: number;
  barsStored: number;
  /** Symbols the source had no bars for. */
  symbolsMissing: number;
  summary?: UniverseSummary;
}

export const universeRefreshStatusQuery = wf.defineQuery<UniverseRefreshStatus>('universeRefreshStatus');

const universe = wf.proxyActivities<UniverseActivities>({ startToCloseTimeout: '10m', retry: { initialInterval: '1s', maximumInterval: '30s' } });
// A batch reports each symbol by heartbeat: a worker lost mid-batch is noticed within a minute, and the retry resumes after the last symbol reported.
const batches = wf.proxyActivities<UniverseActivities>({
  startToCloseTimeout: '30m', heartbeatTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '30s' },
});
const { recordSystemEvent } = wf.proxyActivities<AuditActivities>({ startToCloseTimeout: '30s' });

export async function universeRefresh(input: UniverseRefreshInput = {}): Promise<UniverseRefreshStatus> {
  const status: UniverseRefreshStatus = input.carried ?? { phase: 'STARTING', batchesDone: 0, barsStored: 0, symbolsMissing: 0 };
  wf.setHandler(universeRefreshStatusQuery, () => ({ ...status }));
  const info = wf.workflowInfo();
  let version = status.version;
  if (!version) {
    version = await universe.beginUniverseRefresh({ workflowId: info.workflowId, firstRunId: info.firstExecutionRunId, asOf: input.asOf });
    status.version = version;
    status.phase = 'REFRESHING_BARS';
    wf.upsertSearchAttributes([{ key: TradingDate, value: version.asOf }]); // inherited by the runs continued as new
  }

  while (status.batchesDone < version.batches) {
    if (wf.workflowInfo().continueAsNewSuggested) await wf.continueAsNew<typeof universeRefresh>({ ...input, carried: status });
    const batch = await batches.refreshUniverseBatch(version.id, status.batchesDone);
    status.batchesDone++;
    status.barsStored += batch.bars;
    status.symbolsMissing += batch.missing.length;
  }

  status.phase = 'SCREENING';
  status.summary = await universe.screenUniverseVersion(version.id);
  status.phase = 'COMPLETE';
  const s = status.summary;
  await recordSystemEvent({
    key: `universe-version-${version.id}:complete`,
    kind: 'universe.refreshed',
    severity: 'info',
    source: 'universeRefresh',
    message: `universe version ${version.id} as of ${s.sessionDate ?? version.asOf}: ${s.kept} of ${s.symbols} symbols kept, ${s.meanReversionCandidates} mean-reversion candidates, ${s.pairsKept} of ${s.pairsEvaluated} pairs`,
    details: { ...s, barSource: version.barSource, barsStored: status.barsStored, symbolsMissing: status.symbolsMissing },
    at: new Date().toISOString(),
  });
  return status;
}
