-- Several WhatsApp numbers. The store was keyed by WAHA's session name; it is keyed by the
-- number's id now (WAHA_NUMBERS, or `default` for the one number of WAHA_URL), and every
-- row so far belongs to the number `default`. Rows of a session name the gateway no longer
-- served stay under that name (OR IGNORE): nothing is lost, nothing collides.

ALTER TABLE chats RENAME COLUMN session TO number;
UPDATE OR IGNORE chats SET number = 'default';

ALTER TABLE messages RENAME COLUMN session TO number;
UPDATE OR IGNORE messages SET number = 'default';

ALTER TABLE lids RENAME COLUMN session TO number;
UPDATE OR IGNORE lids SET number = 'default';

ALTER TABLE outbox RENAME COLUMN session TO number;
UPDATE OR IGNORE outbox SET number = 'default';

ALTER TABLE early_changes RENAME COLUMN session TO number;
UPDATE OR IGNORE early_changes SET number = 'default';

-- A chat is a chat of one number: the same customer may write to two numbers.
ALTER TABLE chat_assignments ADD COLUMN number TEXT NOT NULL DEFAULT 'default';
DROP INDEX chat_assignments_jid;
CREATE UNIQUE INDEX chat_assignments_number_jid ON chat_assignments (number, jid);

-- The numbers an agent works (a JSON array of ids); NULL: every number.
ALTER TABLE agents ADD COLUMN numbers TEXT;

-- Auto-assign rotates per number.
UPDATE settings SET key = 'round_robin_cursor:default' WHERE key = 'round_robin_cursor';
UPDATE OR IGNORE settings SET key = 'chats_reconciled_at:default' WHERE key LIKE 'chats_reconciled_at:%';
