-- The message store: what WAHA's webhooks announce (and what a chat's first page from WAHA
-- showed), so the inbox reads its lists here and keeps working while WAHA is down.
-- Rows hold text and media metadata, never media bytes. Times: `*_at` in ms, `ts` in
-- seconds as WAHA gives it.

CREATE TABLE chats (
  session TEXT NOT NULL,
  -- Canonical: …@c.us, …@g.us, or …@lid when WAHA could not map it to a phone number.
  jid TEXT NOT NULL,
  name TEXT,
  is_group INTEGER NOT NULL DEFAULT 0,
  last_message_at INTEGER,
  preview TEXT,
  unread_count INTEGER NOT NULL DEFAULT 0,
  -- When the chat's newest page was read from WAHA (null: never; messages came by webhook only).
  filled_at INTEGER,
  -- Last time the chat was compared with WAHA's newest page.
  reconciled_at INTEGER,
  -- 1 once WAHA has shown there is nothing older than the oldest stored message.
  complete INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session, jid)
);

CREATE INDEX chats_recent ON chats (session, last_message_at DESC);

CREATE TABLE messages (
  session TEXT NOT NULL,
  jid TEXT NOT NULL,
  -- Canonical (see src/lib/jids.ts); waha_id is the id as WAHA gave it, for calls back.
  id TEXT NOT NULL,
  waha_id TEXT NOT NULL,
  key TEXT NOT NULL,
  ts INTEGER NOT NULL,
  -- Order among messages of the same second, in arrival order.
  ord INTEGER NOT NULL DEFAULT 0,
  from_me INTEGER NOT NULL,
  -- The sender in a group, canonical.
  sender TEXT,
  body TEXT,
  has_media INTEGER NOT NULL DEFAULT 0,
  media_mimetype TEXT,
  media_name TEXT,
  ack INTEGER,
  -- The quoted message's id (canonical) or, when only its key is known, the key.
  reply_to TEXT,
  -- JSON object: sender → emoji.
  reactions TEXT,
  edited_at INTEGER,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session, jid, id)
);

CREATE INDEX messages_page ON messages (session, jid, ts DESC, ord DESC);
CREATE INDEX messages_key ON messages (session, jid, key);
CREATE INDEX messages_age ON messages (ts);

-- Full-text search over message text, kept in step with the messages table.
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = 'messages', content_rowid = 'rowid');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.body IS NOT NULL BEGIN
  INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.body IS NOT NULL BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, body)
    SELECT 'delete', old.rowid, old.body WHERE old.body IS NOT NULL;
  INSERT INTO messages_fts (rowid, body) SELECT new.rowid, new.body WHERE new.body IS NOT NULL;
END;

-- @lid ids WAHA has mapped to a phone number (pn null: asked, and WAHA did not know).
CREATE TABLE lids (
  session TEXT NOT NULL,
  lid TEXT NOT NULL,
  pn TEXT,
  checked_at INTEGER NOT NULL,
  PRIMARY KEY (session, lid)
);
