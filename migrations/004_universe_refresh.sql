-- The weekly UniverseRefresh (workflows/universe-refresh.ts). A version is created when a refresh begins and marked
-- COMPLETE when its screen (every symbol's and pair's verdict with reasons) is stored; its batches record what was
-- refreshed, so a refresh resumed after a crash redoes no finished batch.

-- One version per refresh: a workflow id may be reused by a later manual run, the first run id of a continue-as-new
-- chain is not.
ALTER TABLE universe_versions DROP CONSTRAINT universe_versions_workflow_id_key;
ALTER TABLE universe_versions
  ADD COLUMN first_run_id  TEXT        NOT NULL DEFAULT '',
  ADD COLUMN status        TEXT        NOT NULL DEFAULT 'COMPLETE' CHECK (status IN ('REFRESHING', 'COMPLETE')),
  ADD COLUMN bar_source    TEXT        CHECK (bar_source IN ('files', 'broker')),
  ADD COLUMN history_from  DATE,
  ADD COLUMN session_date  DATE,      -- the latest session in the bars (as_of_date may be a weekend)
  ADD COLUMN summary       JSONB       NOT NULL DEFAULT '{}',
  ADD COLUMN completed_at  TIMESTAMPTZ,
  ADD CONSTRAINT universe_versions_run UNIQUE (workflow_id, first_run_id);
ALTER TABLE universe_versions ALTER COLUMN first_run_id DROP DEFAULT, ALTER COLUMN status DROP DEFAULT;
CREATE INDEX universe_versions_complete ON universe_versions (completed_at DESC) WHERE status = 'COMPLETE';

CREATE TABLE universe_refresh_batches (
  universe_id   BIGINT      NOT NULL REFERENCES universe_versions (id) ON DELETE CASCADE,
  batch         INTEGER     NOT NULL CHECK (batch >= 0),
  symbols       TEXT[]      NOT NULL,
  attempts      INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),  -- activity executions that reached the batch
  bars          INTEGER     CHECK (bars >= 0),                         -- bars stored, once completed
  missing       TEXT[],                                                -- symbols the source had no bars for
  completed_at  TIMESTAMPTZ,
  PRIMARY KEY (universe_id, batch)
);

-- The screen's order of the candidates, so a trading day reads them best first.
ALTER TABLE universe_members ADD COLUMN candidate_rank INTEGER CHECK (candidate_rank > 0);  -- 1 = lowest ADX; NULL: not a candidate
ALTER TABLE pairs ADD COLUMN candidate_rank INTEGER CHECK (candidate_rank > 0);             -- 1 = best pair; NULL: not kept
