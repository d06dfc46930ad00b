-- The team inbox: a conversation's status (open, pending, resolved, snoozed) and its
-- history, staff's private notes, labels, and every message an agent sent, for reports.
-- Rows are keyed by (number, jid): `number` is the WhatsApp number's store key. Times in ms.

-- A chat without a row is open.
CREATE TABLE chat_states (
  number TEXT NOT NULL,
  jid TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved', 'snoozed')),
  -- When a snoozed chat opens again by itself; null unless snoozed.
  snooze_until INTEGER,
  -- When the chat last became open (a resolution is timed from it).
  opened_at INTEGER,
  updated_at INTEGER NOT NULL,
  updated_by TEXT,
  PRIMARY KEY (number, jid)
);

CREATE INDEX chat_states_snoozed ON chat_states (status, snooze_until);

-- Every status change: who (null: a customer's message or the snooze's end), and for a
-- resolution its owner then and how long the chat had been open.
CREATE TABLE chat_status_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  number TEXT NOT NULL,
  jid TEXT NOT NULL,
  status TEXT NOT NULL,
  at INTEGER NOT NULL,
  by TEXT,
  owner TEXT,
  resolution_ms INTEGER
);

CREATE INDEX chat_status_changes_at ON chat_status_changes (status, at);

-- Staff's notes on a chat: never sent to WhatsApp.
CREATE TABLE chat_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  number TEXT NOT NULL,
  jid TEXT NOT NULL,
  author TEXT NOT NULL,
  author_name TEXT,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE INDEX chat_notes_chat ON chat_notes (number, jid, created_at);

CREATE TABLE chat_labels (
  number TEXT NOT NULL,
  jid TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (number, jid, label)
);

CREATE INDEX chat_labels_label ON chat_labels (number, label);

-- Each message the outbox sent, with who asked for it (the outbox forgets sent entries
-- after a day; reports look further back).
CREATE TABLE sent_by (
  number TEXT NOT NULL,
  client_id TEXT NOT NULL,
  jid TEXT NOT NULL,
  sender TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (number, client_id)
);

CREATE INDEX sent_by_at ON sent_by (sent_at);
