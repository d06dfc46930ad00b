-- The team inbox's contacts and each agent's own work.
-- contacts: what WhatsApp tells of a person (push name from their messages, the name saved on
-- the phone from WAHA's contacts API) and when their profile picture was last asked for.
-- Keyed by the number (WAHA_NUMBERS id, `default` for WAHA_URL) and the person's canonical jid.
CREATE TABLE contacts (
  number TEXT NOT NULL,
  jid TEXT NOT NULL,
  push_name TEXT,
  saved_name TEXT,
  -- 'some': WhatsApp has a picture; 'none': it has none (or hides it); null: never asked.
  avatar TEXT,
  -- When WAHA was last asked for the picture (ms).
  avatar_checked_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (number, jid)
);

-- The sender's push name as the message carried it (groups show it on every message and quote).
ALTER TABLE messages ADD COLUMN sender_name TEXT;
-- What a message is besides text or media: call, location, vcard, sticker (null: neither).
ALTER TABLE messages ADD COLUMN kind TEXT;
-- JSON with what that kind needs (coordinates, a contact card, a call's video flag).
ALTER TABLE messages ADD COLUMN extra TEXT;

-- When each agent last read each chat: unread counts are per agent.
CREATE TABLE chat_reads (
  number TEXT NOT NULL,
  jid TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  read_at INTEGER NOT NULL,
  PRIMARY KEY (number, jid, agent_id)
);
