import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { canAccessChat, getAssignment } from "../src/lib/db.ts";

describe("ChatAssignment migrations", () => {
  it("moves legacy chat_id into jid, dedupes, drops the column and indexes jid", async () => {
    const db = env.MIGRATION_DB;
    const [first, ...rest] = env.TEST_MIGRATIONS;
    if (!first) throw new Error("no migrations found");
    await applyD1Migrations(db, [first]);

    const insert = db.prepare(
      "INSERT INTO chat_assignments (chat_id, jid, assigned_to, first_message_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    await db.batch([
      // chatId only
      insert.bind(
        "111@c.us",
        null,
        "agent-1",
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:00.000Z",
      ),
      // jid empty, chatId set
      insert.bind(
        "222@c.us",
        "",
        "agent-2",
        null,
        "2024-01-02T00:00:00.000Z",
        "2024-01-02T00:00:00.000Z",
      ),
      // both set and different: jid wins
      insert.bind(
        "333-old@c.us",
        "333@c.us",
        "agent-1",
        null,
        "2024-01-03T00:00:00.000Z",
        "2024-01-03T00:00:00.000Z",
      ),
      // a duplicate of 111 updated later: the newer row is kept
      insert.bind(
        null,
        "111@c.us",
        "agent-3",
        null,
        "2024-02-01T00:00:00.000Z",
        "2024-02-01T00:00:00.000Z",
      ),
      // names no chat at all: dropped
      insert.bind(
        null,
        " ",
        "agent-9",
        null,
        "2024-01-04T00:00:00.000Z",
        "2024-01-04T00:00:00.000Z",
      ),
    ]);

    await applyD1Migrations(db, env.TEST_MIGRATIONS);
    expect(rest.length).toBeGreaterThan(0);

    const { results } = await db
      .prepare("SELECT jid, assigned_to FROM chat_assignments ORDER BY jid")
      .all<{ jid: string; assigned_to: string }>();
    expect(results).toEqual([
      { jid: "111@c.us", assigned_to: "agent-3" },
      { jid: "222@c.us", assigned_to: "agent-2" },
      { jid: "333@c.us", assigned_to: "agent-1" },
    ]);

    const columns = await db.prepare("PRAGMA table_info(chat_assignments)").all<{ name: string }>();
    expect(columns.results.map((c) => c.name)).not.toContain("chat_id");

    const indexes = await db
      .prepare("PRAGMA index_list(chat_assignments)")
      .all<{ name: string; unique: number }>();
    expect(indexes.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "chat_assignments_number_jid", unique: 1 }),
        expect.objectContaining({ name: "chat_assignments_assigned_to", unique: 0 }),
      ]),
    );
    await expect(
      db.prepare("INSERT INTO chat_assignments (jid) VALUES ('222@c.us')").run(),
    ).rejects.toThrow(/UNIQUE/);

    expect(await getAssignment(db, "default", "222@c.us")).toMatchObject({
      jid: "222@c.us",
      assignedTo: "agent-2",
      firstMessageAt: null,
      createdAt: "2024-01-02T00:00:00.000Z",
    });
    expect(await getAssignment(db, "default", "111@c.us")).toMatchObject({ firstMessageAt: null });
  });
});

describe("may this user touch this chat?", () => {
  it("lets admins and users touch any chat, and agents only their own", async () => {
    await env.DB.prepare(
      "INSERT INTO chat_assignments (jid, assigned_to) VALUES ('a@c.us', 'agent-1'), ('b@c.us', NULL)",
    ).run();
    const admin = { sub: "boss", role: "admin" } as const;
    const user = { sub: "viewer", role: "user" } as const;
    const agent1 = { sub: "agent-1", role: "agent" } as const;
    const agent2 = { sub: "agent-2", role: "agent" } as const;
    expect(await canAccessChat(env.DB, admin, "default", "b@c.us")).toBe(true);
    expect(await canAccessChat(env.DB, user, "default", "zzz@c.us")).toBe(true);
    expect(await canAccessChat(env.DB, agent1, "default", "a@c.us")).toBe(true);
    expect(await canAccessChat(env.DB, agent2, "default", "a@c.us")).toBe(false);
    expect(await canAccessChat(env.DB, agent1, "default", "b@c.us")).toBe(false);
    expect(await canAccessChat(env.DB, agent1, "default", "zzz@c.us")).toBe(false);
  });
});
