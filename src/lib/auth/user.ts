/** Who a request signed in as: the claims a token carries. Needs no Worker types. */
import type { Role } from "../contracts/api.ts";

export interface User {
  sub: string;
  role: Role;
  name?: string;
  /** An agent's numbers (ids; null: every number), once read from D1 for a request. */
  numbers?: string[] | null;
}
