// Reads a request's JSON body, with a size cap so a stray upload cannot exhaust memory.
import type { IncomingMessage } from "node:http";

export const BODY_LIMIT = 1024 * 1024;

export class BodyError extends Error {}

/** undefined for an empty body; BodyError for oversize or malformed JSON. */
export async function readJson(req: IncomingMessage, limit = BODY_LIMIT): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const piece = chunk as Buffer;
    size += piece.length;
    if (size > limit) throw new BodyError("request entity too large");
    chunks.push(piece);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BodyError(err instanceof Error ? err.message : "invalid JSON");
  }
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
