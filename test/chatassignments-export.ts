/**
 * A sample `mongoexport` of the old ChatAssignment collection (JSON lines), with what
 * real exports contain: legacy chatId rows, ObjectIds, $date forms, duplicates, bad rows.
 */
export const SAMPLE_EXPORT = [
  // 1: legacy chatId, ObjectId owner, $date strings; superseded by row 3
  '{"_id":{"$oid":"65a000000000000000000001"},"chatId":"15550001111@c.us","assignedTo":{"$oid":"64f1a2b3c4d5e6f708091a2b"},"firstMessageAt":{"$date":"2024-01-02T10:00:00Z"},"createdAt":{"$date":"2024-01-02T10:00:00Z"},"updatedAt":{"$date":"2024-01-02T10:05:00Z"}}',
  // 2: the current shape
  '{"_id":{"$oid":"65a000000000000000000002"},"jid":"15550002222@c.us","assignedTo":"agent-2","firstMessageAt":"2024-01-03T09:00:00.000Z","firstResponseAt":"2024-01-03T09:04:00.000Z","createdAt":"2024-01-03T09:00:00.000Z","updatedAt":"2024-01-03T09:04:00.000Z"}',
  // 3: the same chat as row 1, updated later, reassigned
  '{"_id":{"$oid":"65a000000000000000000003"},"chatId":" 15550001111@c.us ","jid":"","assignedTo":"agent-7","firstMessageAt":{"$date":"2024-01-02T10:00:00Z"},"firstResponseAt":{"$date":"2024-01-02T11:00:00Z"},"createdAt":{"$date":"2024-01-02T10:00:00Z"},"updatedAt":{"$date":"2024-02-01T08:00:00Z"}}',
  // 4: names no chat
  '{"_id":{"$oid":"65a000000000000000000004"},"assignedTo":"agent-1","createdAt":"2024-01-04T00:00:00Z"}',
  // 5: cut off mid-line
  '{"_id":{"$oid":"65a000000000000000000005"},"jid":"1555',
  // 6: bare number, canonical $date with $numberLong, unassigned
  '{"_id":{"$oid":"65a000000000000000000006"},"chatId":"15550003333","assignedTo":null,"firstMessageAt":{"$date":{"$numberLong":"1704103200000"}},"createdAt":{"$date":{"$numberLong":"1704103200000"}},"updatedAt":{"$date":{"$numberLong":"1704103200000"}}}',
  // 7: a date that is not one
  '{"_id":{"$oid":"65a000000000000000000007"},"jid":"15550005555@c.us","assignedTo":"agent-1","updatedAt":"yesterday"}',
  // 8: a chat the gateway already knows (D1 newer): fills only what D1 lacks
  '{"_id":{"$oid":"65a000000000000000000008"},"jid":"15550004444@c.us","assignedTo":"agent-old","firstMessageAt":"2023-12-01T00:00:00.000Z","firstResponseAt":"2023-12-01T00:10:00.000Z","createdAt":"2023-12-01T00:00:00.000Z","updatedAt":"2023-12-01T00:10:00.000Z"}',
  // 9: an owner that cannot be an agent id
  `{"jid":"15550006666@c.us","assignedTo":"o'neil","updatedAt":"2024-03-01T00:00:00Z"}`,
  // 10: a group chat
  '{"jid":"120363000000000001@g.us","assignedTo":"agent-3","createdAt":"2024-03-01T00:00:00Z","updatedAt":"2024-03-02T00:00:00Z"}',
  "",
].join("\n");
