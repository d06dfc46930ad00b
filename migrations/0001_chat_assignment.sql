-- ChatAssignment as the old system stored it: a chat is named by the legacy `chat_id`
-- and/or `jid`, so rows imported from it can be migrated in 0002.
CREATE TABLE chat_assignments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_id TEXT,
  jid TEXT,
  assigned_to TEXT,
  first_message_at TEXT,
  first_response_at TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
