-- The outbox: every send (text, media, reaction) a browser asked for, per chat in order,
-- until WAHA took it or it was given up. The browser's clientId makes a retry of the same
-- request the same send. Media bytes wait in the chat's Outbox object, not here.
CREATE TABLE outbox (
  session TEXT NOT NULL,
  client_id TEXT NOT NULL,
  jid TEXT NOT NULL,
  -- Who asked (a user or agent id), told how it went.
  sender TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('text', 'media', 'reaction')),
  -- The text, the caption, or the reaction.
  body TEXT,
  -- The message replied to (text, media) or reacted to (reaction).
  target TEXT,
  media_mimetype TEXT,
  media_name TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- 1 when an attempt may have reached WhatsApp (a timeout): WAHA is asked before a resend.
  ambiguous INTEGER NOT NULL DEFAULT 0,
  message_id TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (session, client_id)
);

CREATE INDEX outbox_chat ON outbox (session, jid, created_at);
CREATE INDEX outbox_open ON outbox (session, status, created_at);
