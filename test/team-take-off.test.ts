/** With WA_AGENTS_TAKE_UNASSIGNED=off agents neither see the Unassigned queue nor take from it. */
import { beforeEach, describe, expect, it } from "vitest";
import { call, resetAssignmentData, sim } from "./helpers.ts";

const ana = { role: "agent" as const, sub: "agent-ana" };

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

describe("taking unassigned chats, turned off", () => {
  it("refuses an agent's take with 403 and keeps the chat unassigned", async () => {
    const res = await call("/api/wa/assignments/15550100004@c.us/take", {
      as: ana,
      method: "POST",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "taking-disabled" });
    const admin = { role: "admin" as const, sub: "admin-1" };
    const owner = await call("/api/wa/assignments/15550100004@c.us", { as: admin });
    expect(owner.status).toBe(404);
  });

  it("does not show agents the Unassigned queue", async () => {
    const res = await call("/api/wa/chats?queue=unassigned", { as: ana });
    expect(res.status).toBe(403);
  });
});
