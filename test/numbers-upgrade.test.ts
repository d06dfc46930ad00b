/**
 * Today's database, made by the migrations before numbers (0001–0009) and holding a team's
 * data, upgraded by 0010 and what follows: every chat, message, assignment, outbox entry and
 * agent is read through the API as the number `default`'s, and auto-assign goes on from
 * where its cursor stood.
 */

import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver, wahaMessage } from "./events.ts";
import { call } from "./helpers.ts";

const ANA = "15550100001@c.us";
const NEW_CHAT = "15557900001@c.us";
const agent1 = { role: "agent" as const, sub: "agent-1" };
const admin = { role: "admin" as const, sub: "admin-1" };

beforeAll(async () => {
  const columns = await env.DB.prepare("PRAGMA table_info(chats)").all<{ name: string }>();
  // The schema as it was: keyed by WAHA's session name.
  expect(columns.results.map((c) => c.name)).toContain("session");
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO agents (id, name) VALUES ('agent-1', 'Amira'), ('agent-2', 'Bruno')",
    ),
    env.DB.prepare("UPDATE settings SET value = 'agent-1' WHERE key = 'round_robin_cursor'"),
    env.DB.prepare(
      `INSERT INTO chats (session, jid, name, last_message_at, preview, unread_count, filled_at, reconciled_at, complete)
       VALUES ('default', ?, 'Ana Souza', ?, 'kept through the upgrade', 1, ?, ?, 1)`,
    ).bind(ANA, now, now, now),
    env.DB.prepare(
      `INSERT INTO messages (session, jid, id, waha_id, key, ts, from_me, body, created_at)
       VALUES ('default', ?, 'false_15550100001@c.us_OLD1', 'false_15550100001@c.us_OLD1', 'OLD1', ?, 0,
         'kept through the upgrade', ?)`,
    ).bind(ANA, Math.floor(now / 1000), now),
    env.DB.prepare(
      `INSERT INTO chat_assignments (jid, assigned_to, first_message_at, created_at, updated_at)
       VALUES (?, 'agent-1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    ).bind(ANA),
    env.DB.prepare(
      `INSERT INTO outbox (session, client_id, jid, sender, kind, body, status, attempts, error, created_at, updated_at)
       VALUES ('default', 'old-client-0001', ?, 'agent-1', 'text', 'an old failed send', 'failed', 1, 'WAHA refused it', ?, ?)`,
    ).bind(ANA, now, now),
    env.DB.prepare(
      `INSERT INTO settings (key, value) VALUES ('chats_reconciled_at:default', ?)`,
    ).bind(String(now)),
  ]);
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

describe("a database from before numbers", () => {
  it("reads every row as the number default's, through the API", async () => {
    const chats = await (await call("/api/wa/chats", { as: agent1 })).json<
      Array<Record<string, unknown>>
    >();
    expect(chats).toEqual([
      expect.objectContaining({
        id: ANA,
        number: "default",
        owner: "agent-1",
        preview: "kept through the upgrade",
      }),
    ]);
    const messages = await call(`/api/wa/messages?number=default&jid=${ANA}`, { as: agent1 });
    expect(messages.status).toBe(200);
    expect(await messages.json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: "false_15550100001@c.us_OLD1",
          body: "kept through the upgrade",
        }),
      ]),
    );
    const hits = await (await call("/api/wa/search?q=upgrade", { as: agent1 })).json();
    expect(hits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ jid: ANA, number: "default", id: "false_15550100001@c.us_OLD1" }),
      ]),
    );
    const outbox = await (await call("/api/wa/outbox", { as: agent1 })).json();
    expect(outbox).toEqual([
      expect.objectContaining({ clientId: "old-client-0001", number: "default", status: "failed" }),
    ]);
    const assignment = await (await call(`/api/wa/assignments/${ANA}`, { as: agent1 })).json();
    expect(assignment).toMatchObject({ jid: ANA, number: "default", assignedTo: "agent-1" });
    const agents = await (await call("/api/agents", { as: admin })).json();
    expect(agents).toEqual([
      expect.objectContaining({ id: "agent-1", numbers: null }),
      expect.objectContaining({ id: "agent-2", numbers: null }),
    ]);
  });

  it("goes on auto-assigning from where the cursor stood", async () => {
    const res = await deliver("message", wahaMessage(NEW_CHAT, { body: "first words" }), {
      wait: true,
    });
    expect(res.status).toBe(200);
    const assignment = await (await call(`/api/wa/assignments/${NEW_CHAT}`, { as: admin })).json();
    expect(assignment).toMatchObject({ number: "default", assignedTo: "agent-2" });
  });
});
