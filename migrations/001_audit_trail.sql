-- Audit trail of the trading system (DESIGN.md §2). Money and prices are NUMERIC so
-- that sums are exact; every table that an activity writes carries a natural or
-- idempotency key, so a retried or replayed activity cannot write a row twice.

CREATE TABLE bars (
  symbol      TEXT        NOT NULL,
  bar_size    TEXT        NOT NULL CHECK (bar_size IN ('1 day', '1 hour', '5 mins', '1 min')),
  ts          TIMESTAMPTZ NOT NULL,
  open        NUMERIC(18, 6) NOT NULL CHECK (open > 0),
  high        NUMERIC(18, 6) NOT NULL,
  low         NUMERIC(18, 6) NOT NULL CHECK (low > 0),
  close       NUMERIC(18, 6) NOT NULL CHECK (close > 0),
  volume      BIGINT      NOT NULL CHECK (volume >= 0),
  source      TEXT        NOT NULL,
  PRIMARY KEY (symbol, bar_size, ts),
  CHECK (low <= high AND low <= open AND open <= high AND low <= close AND close <= high)
);

CREATE TABLE universe_versions (
  id           BIGSERIAL PRIMARY KEY,
  as_of_date   DATE        NOT NULL,
  workflow_id  TEXT        NOT NULL UNIQUE,
  parameters   JSONB       NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE universe_members (
  universe_id  BIGINT  NOT NULL REFERENCES universe_versions (id) ON DELETE CASCADE,
  symbol       TEXT    NOT NULL,
  sector       TEXT,
  kept         BOOLEAN NOT NULL,
  mean_reversion_candidate BOOLEAN NOT NULL DEFAULT false,
  reasons      JSONB   NOT NULL DEFAULT '[]',
  metrics      JSONB   NOT NULL DEFAULT '{}',
  PRIMARY KEY (universe_id, symbol)
);

CREATE TABLE pairs (
  universe_id        BIGINT  NOT NULL REFERENCES universe_versions (id) ON DELETE CASCADE,
  symbol_a           TEXT    NOT NULL,
  symbol_b           TEXT    NOT NULL,
  kept               BOOLEAN NOT NULL,
  correlation        NUMERIC(10, 8),
  coint_p_value      NUMERIC(12, 10),
  hedge_ratio        NUMERIC(18, 10),
  spread_volatility  NUMERIC(18, 10),
  half_life_days     NUMERIC(12, 4),
  same_sector        BOOLEAN,
  reasons            JSONB   NOT NULL DEFAULT '[]',
  PRIMARY KEY (universe_id, symbol_a, symbol_b),
  CHECK (symbol_a < symbol_b)
);

CREATE TABLE signals (
  id                    BIGSERIAL PRIMARY KEY,
  signal_key            TEXT        NOT NULL UNIQUE,  -- strategy:symbols:date, also the position workflow id
  strategy              TEXT        NOT NULL CHECK (strategy IN ('mean_reversion', 'pairs')),
  symbols               TEXT[]      NOT NULL CHECK (cardinality(symbols) BETWEEN 1 AND 2),
  side                  TEXT        NOT NULL CHECK (side IN ('LONG', 'SHORT')),
  trading_date          DATE        NOT NULL,
  reason                TEXT        NOT NULL,
  indicators            JSONB       NOT NULL,  -- the values that caused the signal
  generated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE risk_decisions (
  id                    BIGSERIAL PRIMARY KEY,
  idempotency_key       TEXT        NOT NULL UNIQUE,
  signal_key            TEXT        REFERENCES signals (signal_key),
  position_workflow_id  TEXT,
  approved              BOOLEAN     NOT NULL,
  reason_code           TEXT        NOT NULL,
  details               JSONB       NOT NULL,  -- the numbers behind the decision
  decided_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE positions (
  workflow_id      TEXT PRIMARY KEY,
  strategy         TEXT        NOT NULL CHECK (strategy IN ('mean_reversion', 'pairs')),
  symbols          TEXT[]      NOT NULL,
  side             TEXT        NOT NULL CHECK (side IN ('LONG', 'SHORT')),
  state            TEXT        NOT NULL CHECK (state IN ('RISK_CHECK', 'ENTRY_SUBMITTED', 'PARTIALLY_FILLED', 'OPEN', 'EXITING', 'CLOSED', 'REJECTED', 'CANCELLED')),
  trading_date     DATE        NOT NULL,
  legs             JSONB       NOT NULL DEFAULT '[]',  -- per leg: symbol, quantity, average entry/exit price
  stop_price       NUMERIC(18, 6),
  target_price     NUMERIC(18, 6),
  realized_pnl     NUMERIC(18, 4) NOT NULL DEFAULT 0,
  commission       NUMERIC(18, 6) NOT NULL DEFAULT 0,
  exit_reason      TEXT,
  opened_at        TIMESTAMPTZ,
  closed_at        TIMESTAMPTZ,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE position_transitions (
  workflow_id  TEXT        NOT NULL REFERENCES positions (workflow_id),
  sequence     INTEGER     NOT NULL,
  from_state   TEXT,
  to_state     TEXT        NOT NULL,
  details      JSONB       NOT NULL DEFAULT '{}',
  occurred_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (workflow_id, sequence)
);

CREATE TABLE orders (
  order_ref             TEXT PRIMARY KEY,  -- derived from the position workflow id and leg
  position_workflow_id  TEXT,
  leg                   TEXT        NOT NULL,
  broker_order_id       INTEGER,
  perm_id               BIGINT,
  client_id             INTEGER,
  account               TEXT,
  symbol                TEXT        NOT NULL,
  action                TEXT        NOT NULL CHECK (action IN ('BUY', 'SELL')),
  order_type            TEXT        NOT NULL CHECK (order_type IN ('MKT', 'LMT', 'STP', 'STP LMT')),
  quantity              NUMERIC(18, 4) NOT NULL CHECK (quantity > 0),
  limit_price           NUMERIC(18, 6),
  stop_price            NUMERIC(18, 6),
  tif                   TEXT        NOT NULL DEFAULT 'DAY',
  parent_order_ref      TEXT REFERENCES orders (order_ref),
  oca_group             TEXT,
  status                TEXT        NOT NULL,
  filled_quantity       NUMERIC(18, 4) NOT NULL DEFAULT 0,
  avg_fill_price        NUMERIC(18, 6),
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (client_id, broker_order_id)
);

CREATE TABLE order_events (
  id              BIGSERIAL PRIMARY KEY,
  order_ref       TEXT        NOT NULL REFERENCES orders (order_ref),
  idempotency_key TEXT        NOT NULL UNIQUE,
  status          TEXT        NOT NULL,
  filled          NUMERIC(18, 4),
  remaining       NUMERIC(18, 4),
  avg_fill_price  NUMERIC(18, 6),
  error_code      INTEGER,
  message         TEXT,
  occurred_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE fills (
  exec_id             TEXT PRIMARY KEY,  -- the broker's execution id: a fill is stored exactly once
  order_ref           TEXT,
  broker_order_id     INTEGER,
  perm_id             BIGINT,
  account             TEXT,
  symbol              TEXT        NOT NULL,
  side                TEXT        NOT NULL CHECK (side IN ('BOT', 'SLD')),
  quantity            NUMERIC(18, 4) NOT NULL CHECK (quantity > 0),
  price               NUMERIC(18, 6) NOT NULL CHECK (price > 0),
  commission          NUMERIC(18, 6),
  commission_currency TEXT,
  realized_pnl        NUMERIC(18, 4),
  executed_at         TIMESTAMPTZ NOT NULL,
  recorded_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX fills_order_ref ON fills (order_ref);
CREATE INDEX fills_executed_at ON fills (executed_at);

CREATE TABLE daily_pnl (
  account          TEXT    NOT NULL,
  trading_date     DATE    NOT NULL,
  starting_equity  NUMERIC(18, 2) NOT NULL,
  ending_equity    NUMERIC(18, 2) NOT NULL,
  realized_pnl     NUMERIC(18, 4) NOT NULL,
  unrealized_pnl   NUMERIC(18, 4) NOT NULL,
  commissions      NUMERIC(18, 6) NOT NULL,
  trade_count      INTEGER NOT NULL CHECK (trade_count >= 0),
  win_count        INTEGER NOT NULL CHECK (win_count >= 0),
  loss_count       INTEGER NOT NULL CHECK (loss_count >= 0),
  max_drawdown_pct NUMERIC(10, 6) NOT NULL,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (account, trading_date)
);

CREATE TABLE trading_state_changes (
  workflow_id  TEXT        NOT NULL,
  sequence     BIGINT      NOT NULL,  -- the Supervisor's change counter, kept across continue-as-new
  from_state   TEXT        CHECK (from_state IN ('ACTIVE', 'REDUCING', 'HALTED')),
  to_state     TEXT        NOT NULL CHECK (to_state IN ('ACTIVE', 'REDUCING', 'HALTED')),
  reason       TEXT        NOT NULL,
  source       TEXT        NOT NULL,
  occurred_at  TIMESTAMPTZ NOT NULL,
  recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, sequence)
);

CREATE TABLE system_events (
  id               BIGSERIAL PRIMARY KEY,
  idempotency_key  TEXT        NOT NULL UNIQUE,
  kind             TEXT        NOT NULL,
  severity         TEXT        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  source           TEXT        NOT NULL,
  message          TEXT        NOT NULL,
  details          JSONB       NOT NULL DEFAULT '{}',
  occurred_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX system_events_occurred_at ON system_events (occurred_at);

CREATE TABLE alerts (
  id               BIGSERIAL PRIMARY KEY,
  idempotency_key  TEXT        NOT NULL UNIQUE,
  dedup_key        TEXT        NOT NULL,
  severity         TEXT        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  channel          TEXT        NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
  recipient        TEXT        NOT NULL,
  subject          TEXT        NOT NULL,
  body             TEXT        NOT NULL,
  status           TEXT        NOT NULL CHECK (status IN ('sent', 'failed', 'suppressed')),
  error            TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alerts_dedup ON alerts (dedup_key, created_at);
