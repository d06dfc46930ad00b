// What a request handler gets: the simulator, the parsed request, and a lazy body reader.
import type { SimState } from "./state.ts";

export interface Ctx {
  sim: SimState;
  method: string;
  /** Raw path, as received. */
  path: string;
  /** Path segments, percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Request headers, lower-case names. */
  headers: Record<string, string | undefined>;
  readBody(): Promise<unknown>;
}
