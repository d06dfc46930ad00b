/** What the team inbox's tests share: the people, two demo chats, and the list as one reads it. */
import { expect } from "vitest";
import type { ChatSummary } from "../src/lib/store/browser-shapes.ts";
import { call } from "./helpers.ts";

export const ANA = "15550100001@c.us";
export const BRIAN = "15550100002@c.us";
export const ADMIN = { role: "admin", sub: "admin-1" } as const;
export const AMIRA = { role: "agent", sub: "a-1" } as const;
export const BRUNO = { role: "agent", sub: "a-2" } as const;

export type Who = { role: "admin" | "user" | "agent"; sub: string };

/** GET /api/wa/chats with `query` ("?status=…"), which must answer 200. */
export async function chats(query = "", as: Who = ADMIN): Promise<ChatSummary[]> {
  const res = await call(`/api/wa/chats${query}`, { as });
  expect(res.status).toBe(200);
  return res.json<ChatSummary[]>();
}
