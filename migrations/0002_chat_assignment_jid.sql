-- Standardise on `jid`: copy the legacy `chat_id` where `jid` is missing or empty,
-- drop rows that name no chat at all, keep one row per jid (the latest updated),
-- remove the legacy column and index what the gateway queries by.
UPDATE chat_assignments
SET jid = trim(chat_id)
WHERE (jid IS NULL OR trim(jid) = '') AND chat_id IS NOT NULL AND trim(chat_id) <> '';

DELETE FROM chat_assignments WHERE jid IS NULL OR trim(jid) = '';

UPDATE chat_assignments SET jid = trim(jid) WHERE jid <> trim(jid);

DELETE FROM chat_assignments
WHERE id IN (
  SELECT id FROM (
    SELECT id, row_number() OVER (PARTITION BY jid ORDER BY updated_at DESC, id DESC) AS n
    FROM chat_assignments
  ) WHERE n > 1
);

ALTER TABLE chat_assignments DROP COLUMN chat_id;

CREATE UNIQUE INDEX chat_assignments_jid ON chat_assignments (jid);
CREATE INDEX chat_assignments_assigned_to ON chat_assignments (assigned_to);
