-- Webhook deliveries already handled, by key: the delivery's request id, and the message
-- or ack an event is about (WAHA sends one inbound message as both `message` and
-- `message.any`). Kept until expires_at (epoch ms) so a replay or retry changes nothing.
CREATE TABLE webhook_receipts (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);

CREATE INDEX webhook_receipts_expires_at ON webhook_receipts (expires_at);
