/** zod at the edge: parse a query or body, or answer 400 naming the field and why. */
import type * as z from "zod/mini";
import "./zod-messages.ts";
import { apiError } from "./errors.ts";

export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : "body";
  throw apiError(400, "invalid-request", `${field}: ${issue?.message ?? "is invalid"}`);
}

/** The request's JSON body, or 400 when it is not JSON. */
export async function readJsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw apiError(400, "invalid-request", "body: is not valid JSON");
  }
}
