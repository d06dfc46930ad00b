-- Which stored message an outbox entry became: looked up when an entry whose answer was
-- lost searches for its message, so that a message another entry claimed is never taken.
CREATE INDEX outbox_message ON outbox (session, message_id);
