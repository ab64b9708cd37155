-- One row per alert (its key and the time it was raised): the policy's decision to send or
-- suppress it, made once. A retried activity finds the decision here instead of deciding again
-- against its own earlier deliveries, and de-duplication and rate limits read the decisions.
CREATE TABLE alert_decisions (
  alert_id    TEXT        PRIMARY KEY,   -- key@raised_at, the idempotency key of the alert
  dedup_key   TEXT        NOT NULL,
  severity    TEXT        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  state       TEXT        CHECK (state IN ('firing', 'resolved')),  -- NULL: a one-off event
  title       TEXT        NOT NULL,
  body        TEXT        NOT NULL,
  data        JSONB,
  raised_at   TIMESTAMPTZ NOT NULL,
  send        BOOLEAN     NOT NULL,
  reason      TEXT        NOT NULL,
  decided_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alert_decisions_sent ON alert_decisions (raised_at) WHERE send;
CREATE INDEX alert_decisions_key ON alert_decisions (dedup_key, raised_at) WHERE send;

-- The rows of `alerts` are now deliveries of a decided alert: one per channel message (an
-- email to all its recipients, an SMS per number). A failed delivery is retried in place.
ALTER TABLE alerts
  ADD COLUMN alert_id   TEXT REFERENCES alert_decisions (alert_id),
  ADD COLUMN attempts   INTEGER     NOT NULL DEFAULT 1 CHECK (attempts > 0),
  ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
