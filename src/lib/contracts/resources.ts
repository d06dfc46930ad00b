/** What a WahaResource object is asked for: one cached WAHA resource. */
export type ResourceSpec =
  | { kind: "status" }
  | { kind: "session" }
  | { kind: "health" }
  | { kind: "chats" }
  | {
      kind: "messages";
      jid: string;
      limit: number;
      beforeId: string | null;
      /** The newest page of a chat whose start is not known: WEBJS is asked until it is. */
      findStart?: boolean;
    };
