import { beforeEach, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { toStoredMessage } from "../src/lib/store/stored-message.ts";
import {
  chatSchema,
  messageSchema,
  pingSchema,
  sessionSchema,
  versionSchema,
  wahaPaths,
} from "../src/lib/waha/wire.ts";
import { sim } from "./helpers.ts";

async function parsed<S extends z.ZodMiniType>(schema: S, path: string): Promise<z.infer<S>> {
  const res = await sim.waha(path);
  expect(res.status).toBe(200);
  return schema.parse(await res.json());
}

beforeEach(() => sim.reset());

describe("the gateway's WAHA schemas read what WAHA sends", () => {
  it("reads the session, the server version and ping", async () => {
    const session = await parsed(sessionSchema, wahaPaths.session("default"));
    expect(session).toMatchObject({ name: "default", status: "WORKING" });
    expect(session.me?.id).toMatch(/@c\.us$/);
    expect(await parsed(versionSchema, wahaPaths.version())).toMatchObject({ tier: "CORE" });
    expect(await parsed(pingSchema, wahaPaths.ping())).toEqual({ message: "pong" });
  });

  it("reads chats whose ids come as strings and as {_serialized}", async () => {
    const res = await sim.waha(wahaPaths.chats("default", 100));
    const raw = await res.json<Array<{ id: unknown }>>();
    expect(raw.some((c) => typeof c.id === "string")).toBe(true);
    expect(raw.some((c) => typeof c.id === "object")).toBe(true);
    const chats = z.array(chatSchema).parse(raw);
    expect(chats.length).toBeGreaterThanOrEqual(20);
    expect(chats.every((c) => typeof c.id === "string" && c.id.includes("@"))).toBe(true);
    expect(chats.filter((c) => c.id.endsWith("@g.us"))).toHaveLength(1);
  });

  it("reads message lists without downloaded media, and finds each medium's type in the engine's record", async () => {
    const chats = z
      .array(chatSchema)
      .parse(await (await sim.waha(wahaPaths.chats("default", 100))).json());
    const all = [];
    for (const chat of chats) {
      const res = await sim.waha(wahaPaths.messages("default", chat.id, 100));
      all.push(...z.array(messageSchema).parse(await res.json()));
    }
    // downloadMedia=false: WAHA names no file, and the gateway reads the type elsewhere.
    expect(all.every((m) => m.media === null || m.media === undefined)).toBe(true);
    const stored = all.map((m) => toStoredMessage(m));
    const kinds = new Set(
      stored.flatMap((m) => (m.mediaMimetype ? [m.mediaMimetype.split(";")[0]] : [])),
    );
    for (const kind of ["image/jpeg", "image/png", "application/pdf", "audio/ogg", "video/mp4"]) {
      expect(kinds).toContain(kind);
    }
    expect(stored.every((m) => !m.hasMedia || m.mediaMimetype !== null)).toBe(true);
    expect(all.some((m) => !m.hasMedia)).toBe(true);

    const withMedia = all.find((m) => m.hasMedia);
    if (!withMedia) throw new Error("no message with media");
    const one = await parsed(
      messageSchema,
      wahaPaths.message("default", chatOf(withMedia), withMedia.id),
    );
    expect(one.id).toBe(withMedia.id);
    expect(one.media?.url).toMatch(/\/api\/files\/default\//);
    const missing = await Promise.all(
      all
        .filter((m) => m.hasMedia)
        .map((m) => sim.waha(wahaPaths.message("default", chatOf(m), m.id))),
    );
    const media = await Promise.all(missing.map((res) => res.json<{ media?: unknown }>()));
    expect(media.some((m) => messageSchema.parse(m).media?.url === null)).toBe(true);
  });
});

function chatOf(m: { fromMe: boolean; from: string; to?: string | null }): string {
  return (m.fromMe ? m.to : m.from) ?? m.from;
}
