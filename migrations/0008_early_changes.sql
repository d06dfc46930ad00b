-- Changes to a message that arrive before the message itself (a receipt, an edit, a
-- reaction or a deletion overtaking its message.any, or one for a message the store has
-- not read from WAHA yet). They wait here and are applied when the message is stored,
-- from a webhook, a send's answer or a page read from WAHA; kept a day at most.
CREATE TABLE early_changes (
  session TEXT NOT NULL,
  jid TEXT NOT NULL,
  -- The target message's key (the part of its id every engine agrees on).
  key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('ack', 'revoked', 'edited', 'reaction')),
  -- What makes two changes of one kind different: the reactor, or the ack level (every
  -- level is kept, and applied in order, since receipts only move forward).
  part TEXT NOT NULL DEFAULT '',
  -- The change as JSON: {ack} | {} | {body} | {sender, text}.
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session, jid, key, kind, part)
);

CREATE INDEX early_changes_age ON early_changes (created_at);
