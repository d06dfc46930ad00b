/** What a ContactAvatar object answers: the picture, none (until `freshForMs`), or a failure. */
import type { Failure } from "./result.ts";

export type AvatarAnswer =
  | {
      kind: "picture";
      bytes: ArrayBuffer;
      mimetype: string;
      /** How long the answer stays good: the rest of WA_AVATAR_TTL_MS. */
      freshForMs: number;
      cache: "HIT" | "MISS" | "COALESCED";
    }
  | { kind: "none"; freshForMs: number }
  | { kind: "failed"; failure: Failure };
