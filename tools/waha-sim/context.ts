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
  /** The Accept header, as sent. */
  accept: string | undefined;
  /** The Range header, as sent. */
  range: string | undefined;
  /** The JSON body; `limit` bytes at most (default 1 MiB). */
  readBody(limit?: number): Promise<unknown>;
  /** Runs `work` once the answer is out (or, when none will go, once that is decided). */
  afterAnswer(work: () => void): void;
}
