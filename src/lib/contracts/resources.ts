/** What a WahaResource object is asked for: one cached WAHA resource. */
export type ResourceSpec =
  | { kind: "status" }
  | { kind: "session" }
  | { kind: "health" }
  | { kind: "chats" }
  | { kind: "messages"; jid: string; limit: number; beforeId: string | null };
