-- IB order ids must only ever increase per client id, across restarts of the adapter and of
-- the gateway (which can roll nextValidId back). The adapter reserves each id here before it
-- writes the order to the socket, and starts from max(nextValidId, highest_used + 1).
CREATE TABLE broker_order_ids (
  host         TEXT    NOT NULL,
  port         INTEGER NOT NULL,
  client_id    INTEGER NOT NULL,
  highest_used INTEGER NOT NULL CHECK (highest_used >= 0),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (host, port, client_id)
);
